// Copyright 2026 the threadkit authors. MIT license.
// A pool thread declared dead (its entry ended) that still runs, on its way
// into a park (pool/_park.ts "GONE"): held right before its first write of
// the record's PARK word (a test-only hook the thread reads once at its
// start, pool/_hooks.ts stallBeforePark, armed by the thread's own task),
// while the owner's scans settle its task and a maintain frees its record
// with no replacement (nothing queued). Then it goes on and ends in its
// push, without a cancel (it exits there, stallBeforePush). Before, its
// park stored PARKED on the freed record (the reclaim had moved the word
// to BUSY): a submit's hand-off mailed its task there and started no
// thread, and that Future waited until another submit started the
// record's next thread. Second case: held in the push due before a take
// from the queue, then reused: the look before that take (pool/_next.ts)
// keeps it from taking a task named in the next thread's record.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent, identStopped } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { Block, LIVE, R_IDENT, R_PARK } from "../../pool/_layout.ts";
import { PARKED } from "../../pool/_park.ts";
import { Event, Queue, ThreadPoolExecutor } from "../../mod.ts";
import { blocker, within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

// The initializer: arms both hooks (words: stalls left, the stalled
// thread's ident, release; the push's: stalls left, ident, 2 = exit).
function arm(park: Int32Array, push: Int32Array): void {
  const g = globalThis as Record<symbol, unknown>;
  g[Symbol.for("threadkit.test.stallBeforePark")] = park;
  g[Symbol.for("threadkit.test.stallBeforePush")] = push;
}

// A 1-thread executor whose threads have both hooks, and its record 0.
function armed() {
  const park = new Int32Array(new SharedArrayBuffer(12));
  const push = new Int32Array(new SharedArrayBuffer(16));
  const pool = new ThreadPoolExecutor({
    maxWorkers: 1,
    initializer: arm,
    initArgs: [park, push],
  });
  const { buffer } = pool[TO_DESCRIPTOR]();
  const b = new Block(buffer as SharedArrayBuffer);
  return { park, push, pool, v: b.v, rec: b.record(0) };
}

describe("ThreadPoolExecutor: a stale pool thread that parks after its record was freed", () => {
  it("leaves no PARKED there, even when it ends in its push: one submit then runs", async () => {
    const { park, push, pool, v, rec } = armed();
    try {
      // The task arms the stall of the park that follows it, and has the
      // push of its own outcome (due in that park) end the thread.
      const a = pool.submit(
        (park: Int32Array, push: Int32Array) => {
          Atomics.store(push, 2, 2);
          Atomics.store(push, 0, 1);
          Atomics.store(park, 0, 1);
          return 1;
        },
        park,
        push,
      );
      await until(() => Atomics.load(park, 1) !== 0, "the stall", 30_000);
      const stale = Atomics.load(park, 1);
      assert.equal(Atomics.load(v, rec + R_IDENT), stale);
      // Its entry ends; its JavaScript runs on (held before its park's
      // write). This thread's scans settle its task (DONE, runner dead)
      // and free its record; nothing is queued, so no thread starts.
      assert.ok(endIdent(stale));
      assert.equal(await within(a), 1);
      await until(
        () => Atomics.load(v, rec + R_IDENT) === 0,
        "the record's free",
        30_000,
      );
      assert.equal(Atomics.load(v, LIVE), 0);
      // It parks now, then ends in its push (exit, no cancel).
      Atomics.store(park, 2, 1);
      Atomics.notify(park, 2);
      await until(
        () => identStopped(stale) !== undefined,
        "the stale thread's stop",
        30_000,
      );
      assert.notEqual(Atomics.load(v, rec + R_PARK), PARKED, "an orphan");
      // One submit, and no other: it runs.
      assert.equal(await within(pool.submit((x: number) => x + 1, 2)), 3);
    } finally {
      Atomics.store(park, 2, 1);
      Atomics.notify(park, 2);
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });

  it("held in its push with tasks queued, then reused: it takes none of them (the look before a take)", async () => {
    const { push, pool, v, rec } = armed();
    const go = new Event(), goN = new Event(), startedN = new Event();
    const order = new Queue<number>({ capacity: 4, type: "int32" });
    const put = (order: Queue<number>, i: number) => order.put(i);
    try {
      // Its push, due once its task ends with another queued behind it,
      // stalls in the queue's branch (before that branch's look).
      const a = pool.submit(
        (push: Int32Array, go: Event) => {
          Atomics.store(push, 0, 1);
          if (!go.wait({ timeout: 30_000 })) throw new Error("never released");
          return 1;
        },
        push,
        go,
      );
      const n = pool.submit(blocker, goN, startedN);
      go.set();
      await until(() => Atomics.load(push, 1) !== 0, "the stall", 30_000);
      const stale = Atomics.load(push, 1);
      // Declared dead: its task is settled, its record freed, and the
      // next thread started there runs the queued blocker.
      assert.ok(endIdent(stale));
      assert.equal(await within(a), 1);
      await within(startedN.waitAsync({ timeout: 30_000 }));
      assert.notEqual(Atomics.load(v, rec + R_IDENT), stale);
      // Two tasks queued behind the blocker, in this order.
      const two = pool.submit(put, order, 2),
        three = pool.submit(put, order, 3);
      Atomics.store(push, 2, 1); // its push, then its look: it leaves
      Atomics.notify(push, 2);
      await until(
        () => identStopped(stale) !== undefined,
        "the stale thread's stop",
        30_000,
      );
      goN.set();
      assert.equal(await within(n), "released");
      await within(Promise.all([two, three]));
      // A take of the first and its give-back would have queued it last.
      assert.deepEqual([order.getNowait(), order.getNowait()], [2, 3]);
    } finally {
      Atomics.store(push, 2, 1);
      Atomics.notify(push, 2);
      go.set();
      goN.set();
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});
