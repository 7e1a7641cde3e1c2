// Copyright 2026 the threadkit authors. MIT license.
// A pool thread declared dead (its entry ended) while it writes its task's
// outcome (FINISHING), or while its finished task's push is due (DONE, not yet on the owner's completion stack): the owner's
// scans settle the task at the second scan in a row that finds it so, and
// the thread, still running, pushes the slot late. The slot must not have
// been given to another task by then: a late push of a slot that is on a
// stack already links the stack into a cycle (a drain that never ends), and
// a late push of a reused slot frees it twice (pool/_layout.ts "HELD").
// The stall sits at exactly that point: a test-only hook the pool thread
// reads once at its start (pool/_thread.ts stallBeforePush), armed by the
// executor's initializer. Its record meanwhile serves its replacement:
// after the late push it leaves, and writes nothing of that record (it
// parked on the replacement's PARK word and took its hand-offs and wakes:
// pool/_park.ts "GONE").
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  endIdent,
  identStopped,
  recordStop,
  runtime,
} from "../../_core/runtime.ts";
import { Pool } from "../../pool/_pool.ts";
import { sweep } from "../../pool/_orphans.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import {
  Block,
  EMPTY,
  FREE,
  HELD,
  KEPT,
  PHASE,
  R_IDENT,
  R_PARK,
  R_TAKE,
  S_NEXT,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  S_WIDENT,
  TAG,
  UNPUSHED,
} from "../../pool/_layout.ts";
import {
  currentThread,
  Event,
  Queue,
  Thread,
  ThreadDiedError,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { blocker, within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

// The initializer: arms the hook (words: stalls left, the stalled thread's
// ident, release, pushed).
function arm(w: Int32Array): void {
  (globalThis as Record<symbol, unknown>)[
    Symbol.for("threadkit.test.stallBeforePush")
  ] = w;
}

// Blocks this thread until `view[at]` is no longer `value` (at most 30 s),
// without turning the event loop: nothing of this thread drains meanwhile.
function waitOff(view: Int32Array, at: number, value: number, what: string) {
  const end = performance.now() + 30_000;
  while (Atomics.load(view, at) === value) {
    if (performance.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    Atomics.wait(view, at, value, 50);
  }
}

// The slots on the completion stack at `head`, in order; a slot met twice
// (a cycle) is cut there, so the drain after the test ends, and reported.
function stack(b: Block, head: number): { slots: number[]; cycle: boolean } {
  const { v } = b;
  const slots: number[] = [];
  let s = Atomics.load(v, head);
  while (s !== EMPTY) {
    slots.push(s);
    const next = v[b.slot(s) + S_NEXT];
    if (slots.includes(next)) {
      v[b.slot(s) + S_NEXT] = EMPTY;
      return { slots, cycle: true };
    }
    s = next;
  }
  return { slots, cycle: false };
}

// The pool goes on with exact results, and every slot is back once: free
// or kept, none HELD or lost.
async function slotsBack(pool: ThreadPoolExecutor, b: Block): Promise<void> {
  const more = Array.from(
    { length: 40 },
    (_, i) => pool.submit((x: number) => x * 2, i),
  );
  assert.deepEqual(
    await within(Promise.all(more)),
    Array.from({ length: 40 }, (_, i) => i * 2),
  );
  for (let s = 0; s < b.l.slots; s++) {
    const phase = Atomics.load(b.v, b.slot(s) + S_STATE) & PHASE;
    assert.ok(phase === FREE || phase === KEPT, `slot ${s}: ${phase}`);
  }
}

describe("ThreadPoolExecutor: a pool thread declared dead before its push", () => {
  it("settles its task once; its late push neither loops the stack nor frees a reused slot", async () => {
    const w = new Int32Array(new SharedArrayBuffer(16));
    Atomics.store(w, 0, 1); // the first push stalls
    // 2 slots (maxQueue 1 + 1 worker).
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      maxQueue: 1,
      initializer: arm,
      initArgs: [w],
    });
    const { buffer } = pool[TO_DESCRIPTOR]();
    const b = new Block(buffer as SharedArrayBuffer);
    const { v } = b;
    const head = b.head(runtime().entry);
    try {
      const a = pool.submit((x: number) => x + 1, 1);
      await until(() => Atomics.load(w, 1) !== 0, "the stall", 30_000);
      const stale = Atomics.load(w, 1);
      const rec = b.record(
        Array.from({ length: b.l.records }, (_, i) => i).find((i) =>
          Atomics.load(v, b.record(i) + R_IDENT) === stale
        )!,
      );
      // Its entry ends; its JavaScript runs on (stalled before the push).
      assert.ok(endIdent(stale));
      // Settled by this thread's scans (DONE, runner dead, two in a row).
      assert.equal(await within(a), 2);
      // The replacement runs the next task, on the stale thread's record.
      assert.equal(await within(pool.submit((x: number) => x + 1, 2)), 3);
      const next = Atomics.load(v, rec + R_IDENT);
      assert.ok(next > 0 && next !== stale, `record's IDENT: ${next}`);
      // A task whose completion is on this thread's stack, not drained
      // (this thread does not turn its event loop), when the late push lands.
      const c = pool.submit((x: number) => x * 10, 3);
      waitOff(v, head, EMPTY, "c's push");
      // The replacement, parked on the record (it pushed c from its park).
      const words = () => [R_IDENT, R_PARK, R_TAKE].map((i) => v[rec + i]);
      const before = words();
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
      waitOff(w, 3, 0, "the late push");
      const { slots, cycle } = stack(b, head);
      assert.equal(cycle, false, `the completion stack loops: ${slots}`);
      // It leaves (nothing else wakes it), the record as the replacement
      // left it.
      await until(
        () => identStopped(stale) !== undefined,
        "the stale thread's stop",
        30_000,
      );
      // It writes none of the record's words (_park.ts "GONE": the
      // reclaim took its PARK word; its look after the push sees GONE).
      await until(
        () => words().join() === before.join(),
        "the record as the replacement left it",
        30_000,
      );
      assert.equal(await within(c), 30);
      await slotsBack(pool, b);
      await within(pool.shutdownAsync());
    } finally {
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
      await within(pool.shutdownAsync());
    }
  });

  it("writing its outcome: the task fails once with ThreadDiedError, and its late writes land in no other task's slot", async () => {
    // 2 slots (maxQueue 1 + 1 worker): A's, then H's.
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 1 });
    const { buffer } = pool[TO_DESCRIPTOR]();
    const b = new Block(buffer as SharedArrayBuffer);
    const ids = new Queue<number>({ capacity: 1, type: "int32" });
    const go = new Event();
    // The result's encoding reads its getter in the pool thread, after the
    // thread moved the slot to FINISHING: it stalls there until `go`.
    const a = pool.submit(
      (ids: Queue<number>, go: Event) => ({
        get late() {
          ids.put(currentThread().ident!);
          if (!go.wait({ timeout: 30_000 })) throw new Error("never released");
          return "A's late result, written into A's old slot";
        },
      }),
      ids,
      go,
    );
    const stale = await within(ids.getAsync({ timeout: 30_000 }));
    // Queued behind it: runs on the replacement, which it then blocks.
    const startedH = new Event(), goH = new Event();
    const h = pool.submit(blocker, goH, startedH);
    // Its entry ends; its JavaScript runs on (stalled in the getter).
    assert.ok(endIdent(stale));
    await assert.rejects(within(a), ThreadDiedError);
    await within(startedH.waitAsync({ timeout: 30_000 }));
    // Queued while H runs: its args wait in its slot's payload. The only
    // slot left is A's: it must not be given out while the stale thread
    // may write into it (it frees it itself once its writes are over).
    const c = pool.submitAsync((s: string) => s, "C's own argument");
    // A slot free now is taken and written within this turn's microtasks.
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The stale thread writes its outcome now, then finds its task settled
    // and leaves.
    go.set();
    await until(
      () => identStopped(stale) !== undefined,
      "the stale thread's stop",
      30_000,
    );
    goH.set();
    assert.equal(await within(h), "released");
    assert.equal(await within((await within(c)).future), "C's own argument");
    await slotsBack(pool, b);
  });

  it("writing its outcome, its owner ended first: the slot is freed once the runner stops, by any thread's maintain", async () => {
    // 2 slots (maxQueue 1 + 1 worker).
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 1 });
    const { buffer } = pool[TO_DESCRIPTOR]();
    const b = new Block(buffer as SharedArrayBuffer);
    const ids = new Queue<number>({ capacity: 1, type: "int32" });
    const go = new Event();
    // The owner: a thread of its own, which ends once its task has failed.
    const owner = new Thread({
      target: (pool: ThreadPoolExecutor, ids: Queue<number>, go: Event) => {
        const f = pool.submit(
          (ids: Queue<number>, go: Event) => ({
            get late() {
              ids.put(currentThread().ident!);
              if (!go.wait({ timeout: 30_000 })) throw new Error("no go");
              // Dies while FINISHING, its outcome half written.
              (globalThis as unknown as { process: { exit(c: number): void } })
                .process.exit(7);
              return "never";
            },
          }),
          ids,
          go,
        );
        try {
          f.result({ timeout: 30_000 });
          return "no error";
        } catch (error) {
          return (error as Error).name;
        }
      },
      args: [pool, ids, go],
    });
    owner.start();
    const stale = await within(ids.getAsync({ timeout: 30_000 }));
    assert.ok(endIdent(stale)); // declared dead, still in the getter
    assert.equal(await owner.joinAsync(JOIN), "ThreadDiedError");
    go.set(); // the runner dies while FINISHING, after its owner ended
    await until(
      () => identStopped(stale) !== undefined,
      "the runner's stop",
      30_000,
    );
    // Work from this thread: its scans run maintain (and so the sweep).
    const end = performance.now() + 30_000;
    for (;;) {
      const more = Array.from(
        { length: 20 },
        (_, i) => pool.submit((x: number) => x + 1, i),
      );
      assert.deepEqual(
        await within(Promise.all(more)),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      const phases = Array.from(
        { length: b.l.slots },
        (_, s) => Atomics.load(b.v, b.slot(s) + S_STATE) & PHASE,
      );
      if (phases.every((p) => p === FREE || p === KEPT)) break;
      assert.ok(performance.now() < end, `slots not free: ${phases}`);
    }
  });
});

describe("ThreadPoolExecutor: a HELD slot whose owner ends before its runner stops without pushing", () => {
  it("is freed once both ends are known dead (owner ended, runner in the stop ring), by any thread's maintain", async () => {
    const w = new Int32Array(new SharedArrayBuffer(16));
    Atomics.store(w, 0, 1); // the first push stalls
    // 2 slots (maxQueue 1 + 1 worker).
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      maxQueue: 1,
      initializer: arm,
      initArgs: [w],
    });
    const { buffer } = pool[TO_DESCRIPTOR]();
    const b = new Block(buffer as SharedArrayBuffer);
    const ident = new Queue<number>({ capacity: 1, type: "int32" });
    const ended = new Int32Array(new SharedArrayBuffer(4));
    // The owner: a thread of its own. Its scans settle the task (DONE, its
    // runner declared dead, two scans in a row: HELD), then it ends.
    const owner = new Thread({
      target: (
        pool: ThreadPoolExecutor,
        w: Int32Array,
        ident: Queue<number>,
        ended: Int32Array,
      ) => {
        const f = pool.submit((x: number) => x + 1, 1);
        // Wait for the stall, then hand its ident over and wait until the
        // runner's entry has ended.
        const end = performance.now() + 30_000;
        while (Atomics.load(w, 1) === 0 && performance.now() < end) {
          Atomics.wait(w, 1, 0, 50);
        }
        ident.put(Atomics.load(w, 1), { timeout: 30_000 });
        while (Atomics.load(ended, 0) === 0 && performance.now() < end) {
          Atomics.wait(ended, 0, 0, 50);
        }
        return f.result({ timeout: 30_000 });
      },
      args: [pool, w, ident, ended],
    });
    owner.start();
    const stale = await within(ident.getAsync({ timeout: 30_000 }));
    try {
      // Its entry ends; its JavaScript runs on (stalled before the push).
      assert.ok(endIdent(stale));
      Atomics.store(ended, 0, 1);
      Atomics.notify(ended, 0);
      assert.equal(await owner.joinAsync(JOIN), 2, "settled by its owner");
      const held = Array.from(
        { length: b.l.slots },
        (_, s) => Atomics.load(b.v, b.slot(s) + S_STATE) & PHASE,
      ).filter((p) => p === HELD).length;
      assert.equal(held, 1, "the owner's scans HELD the slot");
    } finally {
      // The runner stops without pushing (it exits in the stall).
      Atomics.store(w, 2, 2);
      Atomics.notify(w, 2);
    }
    await until(
      () => identStopped(stale) !== undefined,
      "the runner's stop",
      30_000,
    );
    // Work from this thread: its scans run maintain (and so the sweep). The
    // slot comes back exactly once: results exact, every slot FREE or KEPT.
    const end = performance.now() + 10_000;
    for (;;) {
      const more = Array.from(
        { length: 20 },
        (_, i) => pool.submit((x: number) => x + 1, i),
      );
      assert.deepEqual(
        await within(Promise.all(more)),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      const phases = Array.from(
        { length: b.l.slots },
        (_, s) => Atomics.load(b.v, b.slot(s) + S_STATE) & PHASE,
      );
      if (phases.every((p) => p === FREE || p === KEPT)) break;
      assert.ok(performance.now() < end, `slots not free: ${phases}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await slotsBack(pool, b);
  });
});

describe("ThreadPoolExecutor sweep: a HELD slot with no runner (WIDENT 0)", () => {
  it("is not freed by the sweep: a close's settle (its pusher is the closer) may still push it, and identStopped(0) matches an empty stop-ring slot", () => {
    const p = Pool.create({ maxWorkers: 1, maxQueue: 2, taskBytes: 8 });
    const { b } = p, { v } = b;
    const s = p.free.getNowait(), base = b.slot(s);
    v[base + S_OENTRY] = 200; // an owner that ended (no thread there)
    v[base + S_OIDENT] = 1 << 29;
    v[base + S_WIDENT] = 0;
    v[base + S_NEXT] = UNPUSHED;
    Atomics.store(v, base + S_STATE, 3 * TAG | HELD);
    const free = p.free.qsize();
    sweep(b, p.free);
    assert.deepEqual([v[base + S_STATE], p.free.qsize()], [
      3 * TAG | HELD,
      free,
    ]);
    // With a runner that stopped, the same slot is freed once.
    const runner = (1 << 29) + 999;
    recordStop(runner, false);
    v[base + S_WIDENT] = runner;
    sweep(b, p.free);
    sweep(b, p.free);
    assert.deepEqual([v[base + S_STATE], p.free.qsize()], [
      3 * TAG | FREE,
      free + 1,
    ]);
  });
});
