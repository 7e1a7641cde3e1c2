// Copyright 2026 the threadkit authors. MIT license.
// A program: one executor call swept over the end of the stack (every depth
// from the deepest up, tests/queue/_stack_end.ts sweep), `sweeps` times.
// Every call either completes or throws a RangeError with the executor as
// before; an accepted task runs exactly once, a refused one never. Prints
// one JSON line.
//
// Args: mode, sweeps, workers, variant.
//   submit      submit(tag) at each depth; variant: "one" (one accepted a
//               sweep, each awaited before the next: the hand-off path),
//               "burst" (one a sweep, none awaited: the queue path),
//               "dense" (every depth from the end up to 64 accepted a
//               sweep), "shared" (dense, a SharedArrayBuffer counter in
//               the args: the shared-buffer registry at depth), "target"
//               (a new function target each sweep: the target table).
//   submitWith  as submit, through submitWith (timeout, signal).
//   submitAsync submitAsync at each depth (dense); its promise may reject.
//   map         map(items) at each depth (one accepted a sweep).
//   mapSync     next() of a map's blocking iterator at each depth (8 items,
//               buffersize 2: its submits and result()s at depth), on until
//               it ends; each item in order once.
//   refs        submit(blocker-held Event) while the only pool thread is
//               busy: every accepted task then cancelled; the Event's
//               reference count and the held stack must be as before.
//   cancel      cancel() of queued futures at each depth.
//   drain       done() at each depth with completions on the stack.
//   result      result() at each depth with completions on the stack.
//   wait        wait(fs) at each depth with completions on the stack.
//   (drain, result, wait with variant "waiters": done callbacks, a
//   waitAsync, a for await over asCompleted and an await wait on the same
//   Futures meanwhile; each must get its answer once.)
//   asCompleted next() of asCompleted(fs)'s iterator at each depth with
//               completions on the stack (variant "sync": the blocking
//               iterator; "async": for await's), on until each is yielded.
//   callback    addDoneCallback at each depth (pending futures), then
//               each registered callback must run exactly once.
//   shutdown    shutdown({ wait: false, cancelFutures: variant=="cancel" })
//               at each depth with tasks queued.
// After it: every Future settles (bounded), every slot is back in the free
// queue once (reclaimKept, then the queue read out), the target table
// grew by the targets used only, the program exits by itself.
import {
  asCompleted,
  Event,
  type Future,
  ThreadPoolExecutor,
  wait,
  waitAsync,
} from "../../mod.ts";
import { sweep } from "../queue/_stack_end.ts";
import { blockRefs } from "../../_core/heap.ts";
import { held } from "../../queue/_held.ts";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";
import {
  Block,
  DONE,
  FREE,
  LIVE,
  PHASE,
  S_NEXT,
  S_STATE,
  TOP,
  UNPUSHED,
} from "../../pool/_layout.ts";
import { reclaimKept } from "../../pool/_orphans.ts";
import type { Queue } from "../../queue/bounded.ts";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const g = globalThis as unknown as {
  Deno?: { args: string[]; pid: number };
  process?: { argv: string[]; pid: number };
};
const argv = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const mode = argv[0] ?? "submit";
const sweeps = Number(argv[1] ?? 4);
const workers = Number(argv[2] ?? 2);
const variant = argv[3] ?? "one";
const path = join(
  tmpdir(),
  `pool_sweep_${g.Deno?.pid ?? g.process?.pid}_${Date.now()}.txt`,
);
const TAG = {
  module: new URL("./_tag.ts", import.meta.url),
  export: "tag",
} as unknown as (...a: unknown[]) => unknown;
const ITEM = {
  module: new URL("./_item_tag.ts", import.meta.url),
  export: "item",
};
process.env.POOL_SWEEP_PATH = path;
const counts = new Int32Array(new SharedArrayBuffer(4 * 4096));
const countTarget = (c: Int32Array, t: number) => {
  Atomics.add(c, t, 1);
  return [t, "shared"];
};

const ex = new ThreadPoolExecutor({ maxWorkers: workers, maxQueue: 256 });
const others: string[] = [];
let refused = 0, attempts = 0, nOthers = 0;
const ON = new Error("on");
// One sweep: `op` at each depth; a RangeError goes a frame up, another
// error is recorded and goes a frame up too; `more` says whether an accepted
// call goes on up (dense) or ends it.
function sweepOp(op: () => void, more: () => boolean): void {
  if (variant === "flat") { // the control: the call at this depth only
    attempts++;
    try {
      op();
    } catch (e) {
      nOthers++;
      others.push(String(e).slice(0, 200));
    }
    return;
  }
  sweep(() => {
    attempts++;
    try {
      op();
    } catch (e) {
      if (e instanceof RangeError) {
        refused++;
        throw e;
      }
      nOthers++;
      if (others.length < 8) others.push(String(e).slice(0, 200));
      throw e; // on up a frame, as a refusal
    }
    if (more()) throw ON;
  });
}
const within = <T>(p: PromiseLike<T>, ms = 30_000): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    Promise.resolve(p),
    new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error("timed out")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};
// Blocks this thread until `ok()` (at most 30 s).
function spinUntil(ok: () => boolean): boolean {
  const w = new Int32Array(new SharedArrayBuffer(4));
  const until = performance.now() + 30_000;
  while (!ok()) {
    if (performance.now() > until) return false;
    Atomics.wait(w, 0, 0, 1);
  }
  return true;
}
let blockCache: Block | undefined;
// The executor's block (its descriptor starts every pool thread: taken
// only where that does not matter).
const block = () =>
  blockCache ??= new Block(
    (ex as unknown as { [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer } })
      [TO_DESCRIPTOR]().buffer,
  );

const out: Record<string, unknown> = { mode, variant };
let nextTag = 1;
// Accepted: tag -> Future; refused tags never run.
const accepted = new Map<number, PromiseLike<unknown>>();
const refusedTags = new Set<number>();

async function submitModes(): Promise<void> {
  const shared = variant === "shared";
  const dense = variant === "dense" || shared || mode === "submitAsync";
  for (let s = 0; s < sweeps; s++) {
    let n = 0;
    const target = variant === "target"
      ? new Function("p", "t", `return [t, "fresh${s}"];`) as never
      : shared
      ? countTarget
      : TAG;
    const before = accepted.size;
    sweepOp(() => {
      const t = nextTag++;
      refusedTags.add(t);
      const args = shared ? [counts, t] : [path, t];
      if (mode === "submit") {
        accepted.set(t, ex.submit(target, ...args));
      } else if (mode === "submitWith") {
        accepted.set(
          t,
          ex.submitWith(target, args, {
            timeout: 30_000,
            signal: new AbortController().signal,
          }),
        );
      } else {
        // submitAsync: a promise of { future }; a rejection is a refusal.
        const p = ex.submitAsync(target, ...args);
        accepted.set(
          t,
          p.then((r) => r.future, (e) => {
            if (!(e instanceof RangeError) && others.length < 8) {
              others.push(`async ${String(e).slice(0, 200)}`);
            }
            return REFUSED_LATE;
          }),
        );
      }
      refusedTags.delete(t);
      n++;
    }, () => dense && n < 64);
    if (variant === "one") {
      for (const [, f] of [...accepted].slice(before)) {
        await within(f).catch(() => {});
      }
    }
  }
}
const REFUSED_LATE = Symbol("refused late");

async function settleAll(): Promise<void> {
  let wrong = 0, late = 0;
  const bad: string[] = [];
  // All at once, each bounded (a Future that never settles fails here).
  await Promise.all([...accepted].map(async ([t, f]) => {
    try {
      const r0 = await within(f);
      if (r0 === REFUSED_LATE) {
        late++;
        accepted.delete(t);
        refusedTags.add(t);
        return;
      }
      const r = await within(r0 as PromiseLike<[number, string]>);
      if (r[0] !== t) {
        wrong++;
        bad.push(`${t}: got ${JSON.stringify(r)}`);
      }
    } catch (e) {
      wrong++;
      if (bad.length < 4) bad.push(`${t}: ${String(e).slice(0, 160)}`);
    }
  }));
  Object.assign(out, { wrong, bad, lateRefused: late });
}

function runsAudit(): void {
  let lines: string[] = [];
  try {
    lines = readFileSync(path, "utf8").trim().split("\n").filter((l) => l);
    rmSync(path);
  } catch {
    // no run at all
  }
  const ran = lines.map((l) => Number(l.split(" ")[0]));
  for (let t = 0; t < counts.length; t++) {
    for (let i = 0; i < counts[t]; i++) ran.push(t);
  }
  const ranSet = new Set(ran);
  let strays = 0, missing = 0;
  for (const t of ranSet) if (!accepted.has(t)) strays++;
  for (const t of accepted.keys()) if (!ranSet.has(t)) missing++;
  Object.assign(out, {
    runs: ran.length,
    strays,
    missing,
    twice: ran.length - ranSet.size,
  });
}

// Every slot back in the free queue once, every phase FREE.
async function slotAudit(): Promise<void> {
  const b = block();
  const desc = (ex as unknown as {
    [TO_DESCRIPTOR](): { extra: { free: unknown } };
  })[TO_DESCRIPTOR]();
  const free = reviveDescriptor(desc.extra.free) as Queue<number>;
  // The reaper settles in a microtask / its wake: let it run.
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
  reclaimKept(b, free);
  const got: number[] = [];
  for (;;) {
    try {
      got.push(free.getNowait());
    } catch {
      break;
    }
  }
  const distinct = new Set(got).size;
  let notFree = 0;
  const phases: number[] = [];
  for (let s = 0; s < b.l.slots; s++) {
    const ph = Atomics.load(b.v, b.slot(s) + S_STATE) & PHASE;
    if (ph !== FREE) {
      notFree++;
      if (phases.length < 8) phases.push(s * 100 + ph);
    }
  }
  free.putMany(got);
  Object.assign(out, {
    slots: b.l.slots,
    freeGot: got.length,
    freeDistinct: distinct,
    notFree,
    phases,
  });
}

async function main(): Promise<void> {
  if (mode === "submit" || mode === "submitWith" || mode === "submitAsync") {
    await submitModes();
    await settleAll();
    runsAudit();
  } else if (mode === "map") {
    const results: [number, PromiseLike<unknown>][] = [];
    for (let s = 0; s < sweeps; s++) {
      sweepOp(() => {
        const t = nextTag;
        nextTag += 4;
        for (let i = 0; i < 4; i++) refusedTags.add(t + i);
        const it = ex.map(
          ITEM as unknown as (item: never) => unknown,
          [t, t + 1, t + 2, t + 3] as never[],
          { chunksize: 1 },
        );
        results.push([t, collect(it)]);
        for (let i = 0; i < 4; i++) {
          refusedTags.delete(t + i);
          accepted.set(t + i, Promise.resolve(0));
        }
      }, () => false);
    }
    let wrong = 0;
    const bad: string[] = [];
    for (const [t, p] of results) {
      try {
        const r = await within(p) as unknown[];
        if (r.length !== 4) {
          wrong++;
          bad.push(`${t}: ${JSON.stringify(r)}`);
        }
      } catch (e) {
        wrong++;
        if (bad.length < 4) bad.push(`${t}: ${String(e).slice(0, 160)}`);
      }
    }
    Object.assign(out, { wrong, bad });
    runsAudit();
  } else if (mode === "mapSync") {
    // Pool threads warm first (a start needs this thread's event loop).
    await within(Promise.all(
      Array.from(
        { length: workers * 2 },
        (_, i) => ex.submit((x: number) => x, i),
      ),
    ));
    let wrong = 0;
    const bad: string[] = [];
    for (let s = 0; s < sweeps; s++) {
      const t = nextTag;
      nextTag += 8;
      const items = Array.from({ length: 8 }, (_, i) => t + i);
      for (const x of items) accepted.set(x, Promise.resolve(0));
      const it = ex.map(
        ITEM as unknown as (item: never) => unknown,
        items as never[],
        { chunksize: 1, buffersize: 2, timeout: 30_000 },
      )[Symbol.iterator]();
      const got: unknown[] = [];
      let over = false;
      sweepOp(() => {
        const r = it.next();
        if (r.done) over = true;
        else got.push(r.value);
      }, () => !over);
      try {
        for (let r = it.next(); !r.done; r = it.next()) got.push(r.value);
      } catch (e) {
        bad.push(String(e).slice(0, 160));
      }
      const ok = got.length === 8 &&
        got.every((r, i) => (r as [number])[0] === t + i);
      if (!ok) {
        wrong++;
        if (bad.length < 4) bad.push(`${t}: ${JSON.stringify(got)}`);
      }
    }
    Object.assign(out, { wrong, bad });
    runsAudit();
  } else if (mode === "refs") {
    const release = new Event(), started = new Event();
    const blockerF = ex.submit(
      (r: Event, s: Event) => (s.set(), r.wait({ timeout: 30_000 })),
      release,
      started,
    );
    await within(started.waitAsync({ timeout: 30_000 }));
    const go = new Event();
    const desc = (go as unknown as {
      [TO_DESCRIPTOR](): { byteOffset: number };
    })[TO_DESCRIPTOR]();
    const refs0 = blockRefs(desc.byteOffset), held0 = held.length;
    const fs: Future[] = [];
    for (let s = 0; s < sweeps; s++) {
      sweepOp(() => {
        fs.push(ex.submit((e: Event, t: number) => [t, e.isSet()], go, 1));
      }, () => fs.length < 64 * (s + 1));
    }
    const heldAfter = held.length;
    const refsQueued = blockRefs(desc.byteOffset);
    let cancelled = 0;
    for (const f of fs) if (f.cancel()) cancelled++;
    release.set();
    await within(blockerF);
    Object.assign(out, {
      accepted: fs.length,
      cancelled,
      refsBefore: refs0,
      refsQueued,
      refsAfter: blockRefs(desc.byteOffset),
      heldBefore: held0,
      heldAfter,
    });
  } else if (mode === "cancel") {
    const release = new Event(), started = new Event();
    const blockerF = ex.submit(
      (r: Event, s: Event) => (s.set(), r.wait({ timeout: 30_000 })),
      release,
      started,
    );
    await within(started.waitAsync({ timeout: 30_000 }));
    // Queued tasks (the pool threads busy: one blocker per worker).
    const extra: Future[] = [];
    for (let w = 1; w < workers; w++) {
      extra.push(ex.submit(
        (r: Event) => r.wait({ timeout: 30_000 }),
        release,
      ));
    }
    const fs: [number, Future][] = [];
    for (let i = 0; i < sweeps * 8; i++) {
      const t = nextTag++;
      fs.push([t, ex.submit(TAG, path, t) as Future]);
    }
    const said = new Map<number, boolean>();
    for (const [t, f] of fs) {
      sweepOp(() => {
        said.set(t, f.cancel());
      }, () => false);
    }
    release.set();
    await within(blockerF);
    for (const f of extra) await within(f);
    // Said true: cancelled, never runs; false or refused: runs once.
    let wrong = 0, hung = 0;
    const bad: string[] = [];
    const rs = await Promise.all(
      fs.map(([, f]) => within(f, 30_000).then((r) => r, (e) => e)),
    );
    fs.forEach(([t, f], i) => {
      const r = rs[i];
      if (String(r).includes("timed out")) hung++;
      const cancelled = f.cancelled();
      if (said.get(t) === true) {
        refusedTags.add(t);
        if (!cancelled) {
          wrong++;
          if (bad.length < 4) {
            bad.push(`${t}: cancel said true, ${String(r).slice(0, 80)}`);
          }
        }
      } else {
        accepted.set(t, Promise.resolve(r));
        if (cancelled) {
          wrong++;
          if (bad.length < 4) {
            bad.push(`${t}: cancel refused/false, yet cancelled`);
          }
        }
      }
    });
    out.hung = hung;
    Object.assign(out, { wrong, bad, said: [...said.values()].length });
    runsAudit();
  } else if (
    mode === "drain" || mode === "result" || mode === "wait" ||
    mode === "asCompleted"
  ) {
    // Completions on this thread's stack, not yet drained: the sweep's
    // call is the drain. Pool threads started and warm first (a start
    // needs this thread's event loop).
    block();
    await within(Promise.all(
      Array.from(
        { length: workers * 2 },
        (_, i) => ex.submit((x: number) => x, i),
      ),
    ));
    let wrong = 0, timedOut = 0;
    const bad: string[] = [];
    for (let s = 0; s < sweeps; s++) {
      const fs: [number, Future][] = [];
      for (let i = 0; i < 16; i++) {
        const t = nextTag++;
        fs.push([t, ex.submit(TAG, path, t) as Future]);
        accepted.set(t, Promise.resolve(0));
      }
      const b = block();
      const pushed = spinUntil(() => {
        for (const [, f] of fs) {
          void f;
        }
        let n = 0;
        for (let x = 0; x < b.l.slots; x++) {
          const base = b.slot(x);
          if (
            (Atomics.load(b.v, base + S_STATE) & PHASE) === DONE &&
            Atomics.load(b.v, base + S_NEXT) !== UNPUSHED
          ) n++;
        }
        return n >= fs.length;
      });
      if (!pushed) timedOut++;
      const f0 = fs[0][1];
      if (mode === "asCompleted") {
        // Each future yielded once: by the swept next()s, then the rest.
        const yielded: unknown[] = [];
        const all = asCompleted(fs.map((x) => x[1]), { timeout: 30_000 });
        if (variant === "async") {
          const it = all[Symbol.asyncIterator]();
          // One next() at a time (as for await calls it), each swept.
          for (let over = false; !over;) {
            let step: Promise<IteratorResult<unknown>> | undefined;
            sweepOp(() => void (step = it.next()), () => false);
            let r = await step!.catch((e) => e);
            // Refused late (its body overflowed): the same step once more,
            // from here (at that depth it would be refused again).
            if (r instanceof RangeError) r = await it.next().catch((e) => e);
            if (r instanceof Error) {
              wrong++;
              bad.push(String(r).slice(0, 160));
              break;
            }
            if (r.done) over = true;
            else yielded.push(r.value);
          }
        } else {
          const it = all[Symbol.iterator]();
          let over = false;
          sweepOp(() => {
            const r = it.next();
            if (r.done) over = true;
            else yielded.push(r.value);
          }, () => !over);
          for (let r = it.next(); !r.done; r = it.next()) yielded.push(r.value);
        }
        const distinct = new Set(yielded);
        if (yielded.length !== fs.length || distinct.size !== fs.length) {
          wrong++;
          bad.push(`yielded ${yielded.length}, ${distinct.size} distinct`);
        }
      } else {
        const list = fs.map((x) => x[1]);
        const hits = new Int32Array(16);
        let wa: Promise<unknown> = Promise.resolve(16);
        let ac: Promise<unknown> = Promise.resolve(16);
        if (variant === "waiters") {
          list.forEach((f, i) =>
            f.addDoneCallback((g) => void (hits[i] += g === f ? 1 : 1000))
          );
          // No timeouts of their own: one never answered shows as hung.
          // The bounds run from here, across the blocking sweep below (21 s
          // for the whole case on Node in a loaded CI run): 120 s.
          wa = within(waitAsync(list), 120_000).then(
            (r) => r.done.size,
            (e) => String(e),
          );
          ac = within(
            (async () => {
              const seen = new Set<unknown>();
              for await (const f of asCompleted(list)) seen.add(f);
              return seen.size;
            })(),
            120_000,
          ).catch((e) => String(e));
        } else hits.fill(1);
        sweepOp(() => {
          if (mode === "drain") f0.done();
          else if (mode === "result") f0.result({ timeout: 30_000 });
          else wait(list, { timeout: 30_000 });
        }, () => false);
        const [waR, acR] = await Promise.all([wa, ac]);
        if (waR !== 16 || acR !== 16) {
          wrong++;
          bad.push(`waitAsync: ${waR}, asCompleted: ${acR}`);
        }
        await new Promise((r) => setTimeout(r, 20));
        const calls = [...hits].filter((h) => h !== 1).length;
        if (calls > 0) {
          wrong++;
          bad.push(`${calls} of 16 done callbacks not run once`);
        }
      }
      const rs = await Promise.all(
        fs.map(([, f]) => within(f, 20_000).then((r) => r, (e) => e)),
      );
      fs.forEach(([t], i) => {
        const r = rs[i] as [number, string];
        if (!Array.isArray(r) || r[0] !== t) {
          wrong++;
          if (bad.length < 4) bad.push(`${t}: ${String(r).slice(0, 160)}`);
        }
      });
    }
    Object.assign(out, { wrong, bad, notPushed: timedOut });
    runsAudit();
  } else if (mode === "callback") {
    const release = new Event();
    let calledWrong = 0, registered = 0;
    const calls = new Map<number, number>();
    const fs: Future[] = [];
    for (let s = 0; s < sweeps; s++) {
      const f = ex.submit(
        (r: Event, t: number) => (r.wait({ timeout: 30_000 }), t),
        release,
        s,
      ) as Future;
      fs.push(f);
      let k = 0;
      sweepOp(() => {
        const id = s * 1000 + k;
        f.addDoneCallback(() => calls.set(id, (calls.get(id) ?? 0) + 1));
        k++;
        registered++;
      }, () => k < 64);
    }
    release.set();
    for (const f of fs) await within(f).catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
    let total = 0;
    for (const [, c] of calls) {
      total += c;
      if (c !== 1) calledWrong++;
    }
    Object.assign(out, { registered, called: calls.size, total, calledWrong });
  } else if (mode === "shutdown") {
    const release = new Event(), started = new Event();
    const blockerF = ex.submit(
      (r: Event, s: Event) => (s.set(), r.wait({ timeout: 30_000 })),
      release,
      started,
    );
    await within(started.waitAsync({ timeout: 30_000 }));
    const fs: [number, Future][] = [];
    for (let i = 0; i < 32; i++) {
      const t = nextTag++;
      fs.push([t, ex.submit(TAG, path, t) as Future]);
    }
    let done = false;
    sweepOp(() => {
      ex.shutdown({ wait: false, cancelFutures: variant === "cancel" });
      done = true;
    }, () => false);
    // A later submit is refused (RuntimeError), the executor shut.
    let later = "accepted";
    try {
      ex.submit(TAG, path, 99999);
    } catch (e) {
      later = (e as Error).name;
    }
    release.set();
    await within(blockerF);
    let hung = 0, cancelled = 0;
    for (const [t, f] of fs) {
      try {
        await within(f, 30_000);
        accepted.set(t, Promise.resolve(0));
      } catch (e) {
        if (f.cancelled()) {
          cancelled++;
          refusedTags.add(t);
        } else {
          hung++;
          others.push(`${t}: ${String(e).slice(0, 100)}`);
        }
      }
    }
    Object.assign(out, { shutDown: done, later, hung, cancelled });
    runsAudit();
  }
  console.error(JSON.stringify(out)); // before the executor's end
  if (mode !== "shutdown") {
    await slotAudit();
    out.top = Atomics.load(block().v, TOP);
  }
  Object.assign(out, { attempts, refused, nOthers, others });
  const b = block();
  // The executor's end, bounded: every pool thread leaves.
  const ended = await within(ex.shutdownAsync(), 30_000).then(
    () => "ok",
    (e) => String(e),
  );
  Object.assign(out, { shutdown: ended, live: Atomics.load(b.v, LIVE) });
  console.log(JSON.stringify(out));
}

async function collect(it: AsyncIterable<unknown>): Promise<unknown[]> {
  const r: unknown[] = [];
  for await (const x of it) r.push(x);
  return r;
}

await main();
