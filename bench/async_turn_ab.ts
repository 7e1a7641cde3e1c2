// Copyright 2026 the threadkit authors. MIT license.
// Same-process A/B of the async queue calls between this tree and a
// baseline tree (bench/_ab.ts: alternating rounds), each side over its own
// copy of the package (its threads load its modules):
// - pingpong-*: the main thread putAsync()s an item into queue A and
//   getAsync()s the echo from queue B, which a thread fills from A with
//   blocking calls (structured Queue, int32 Queue, LifoQueue);
// - local-*: putAsync then getAsync on the main thread alone (also on an
//   unbounded Queue: local-unbounded-*);
// - crowd-*: a producer thread puts n items into a small queue; the main
//   thread getAsync()s half of them while a thread get()s the other half,
//   so the main thread's tries meet the consumer turn held (structured
//   Queue: HEAD's turn; LifoQueue: the store Lock).
// Prints per row both medians (ns per item), the ratio of the medians and
// the median of the per-round ratios (this / base: below 1 is faster), the
// CPU per item, and the load average.
//
//   deno run -A bench/async_turn_ab.ts --base=<tree> [--rows=a,b] [--n=N]
import process from "node:process";
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { abLine, compare, type Runner, type Side } from "./_ab.ts";

const args = process.argv.slice(2);
const base = args.find((a) => a.startsWith("--base="))?.slice(7);
if (base === undefined) {
  throw new Error("async_turn_ab: --base=<tree> is required");
}
const ROWS = [
  "pingpong-obj",
  "pingpong-int",
  "pingpong-lifo",
  "crowd-obj",
  "crowd-lifo",
  "local-obj",
  "local-int",
  "local-unbounded-obj",
  "local-unbounded-int",
];
const ids = args.find((a) => a.startsWith("--rows="))?.slice(7).split(",") ??
  ROWS;
const N = Number(args.find((a) => a.startsWith("--n="))?.slice(4) ?? 20_000);
const REPS = 8;
const LIMIT = 120_000;

// deno-lint-ignore no-explicit-any
type Mod = any;
type AQ = {
  putAsync(x: unknown): Promise<void>;
  getAsync(): Promise<unknown>;
};

// Thread targets: sent as source, self-contained.
function echo(
  a: { get(): unknown },
  b: { put(x: unknown): void },
  stop: unknown,
): string {
  for (;;) {
    const x = a.get();
    if (x === stop) return "done";
    b.put(x);
  }
}

// ctl: [round, n, ends]. Waits for each round's bump, then puts (or gets)
// `share` of its n items; -1 stops it.
function crew(
  q: { put(x: unknown): void; get(): unknown },
  ctl: Int32Array,
  put: boolean,
  half: boolean,
): string {
  for (let round = 1;; round++) {
    while (Atomics.load(ctl, 0) < round) Atomics.wait(ctl, 0, round - 1, 1000);
    const n = Atomics.load(ctl, 1);
    if (n < 0) return "done";
    const k = half ? n >> 1 : n;
    for (let i = 0; i < k; i++) {
      if (put) q.put(i & 1023);
      else q.get();
    }
    Atomics.add(ctl, 2, 1);
    Atomics.notify(ctl, 2);
  }
}

function kindOf(mod: Mod, id: string): AQ & { put(x: unknown): void } {
  if (id.includes("unbounded")) { // an unbounded Queue (its async forms)
    return new mod.Queue(id.endsWith("int") ? { type: "int32" } : {});
  }
  if (id.endsWith("int")) return new mod.Queue({ capacity: 64, type: "int32" });
  if (id.endsWith("lifo")) return new mod.LifoQueue({ capacity: 64 });
  return new mod.Queue({ capacity: 64 });
}

function pingpong(mod: Mod, id: string): Side["start"] {
  return () => {
    const a = kindOf(mod, id), b = kindOf(mod, id);
    const stop = id.endsWith("int") ? -1 : -2;
    const t = new mod.Thread({ target: echo, args: [a, b, stop] });
    t.start();
    const runner: Runner = {
      async round(n: number) {
        for (let i = 0; i < n; i++) {
          await a.putAsync(i & 1023);
          if (await b.getAsync() !== (i & 1023)) throw new Error("echo");
        }
        return n;
      },
      async stop() {
        a.put(stop);
        if (await t.joinAsync({ timeout: LIMIT }) !== "done") {
          throw new Error("echo end");
        }
      },
    };
    return Promise.resolve(runner);
  };
}

// local-*: putAsync then getAsync on one thread, no other: the calls' own
// cost on their first try, with nothing to wait for.
function local(mod: Mod, id: string): Side["start"] {
  return () => {
    const q = kindOf(mod, id);
    const runner: Runner = {
      async round(n: number) {
        for (let i = 0; i < n; i++) {
          await q.putAsync(i & 1023);
          if (await q.getAsync() !== (i & 1023)) throw new Error("local");
        }
        return n;
      },
      stop: () => Promise.resolve(),
    };
    return Promise.resolve(runner);
  };
}

function crowd(mod: Mod, id: string): Side["start"] {
  return () => {
    const q = kindOf(mod, id);
    const ctl = new Int32Array(new SharedArrayBuffer(12));
    const p = new mod.Thread({ target: crew, args: [q, ctl, true, false] });
    const c = new mod.Thread({ target: crew, args: [q, ctl, false, true] });
    p.start();
    c.start();
    let rounds = 0;
    const runner: Runner = {
      async round(n: number) {
        n &= ~1;
        Atomics.store(ctl, 1, n);
        Atomics.add(ctl, 0, 1);
        Atomics.notify(ctl, 0);
        rounds++;
        for (let i = 0; i < n >> 1; i++) await q.getAsync();
        for (let e; (e = Atomics.load(ctl, 2)) < 2 * rounds;) {
          const r = Atomics.waitAsync(ctl, 2, e, 1000);
          if (r.async) await r.value;
        }
        return n;
      },
      async stop() {
        Atomics.store(ctl, 1, -1);
        Atomics.add(ctl, 0, 1);
        Atomics.notify(ctl, 0);
        await p.joinAsync({ timeout: LIMIT });
        await c.joinAsync({ timeout: LIMIT });
      },
    };
    return Promise.resolve(runner);
  };
}

const here = new URL("..", import.meta.url);
const mine: Mod = await import(new URL("mod.ts", here).href);
const theirs: Mod = await import(pathToFileURL(`${base}/mod.ts`).href);
const keepAlive = setInterval(() => {}, 1 << 30);
for (const id of ids) {
  const make = id.startsWith("crowd")
    ? crowd
    : id.startsWith("local")
    ? local
    : pingpong;
  const load0 = loadavg()[0];
  const [ta, tb] = await compare(
    [{ name: "this", start: make(mine, id) }, {
      name: "base",
      start: make(theirs, id),
    }],
    N,
    REPS,
  );
  console.log(abLine(id, ta, tb, load0));
}
clearInterval(keepAlive);
process.exit(0);
