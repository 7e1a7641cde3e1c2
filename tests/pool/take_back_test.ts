// Copyright 2026 the threadkit authors. MIT license.
// A pool thread that idles out while a task arrives takes its record back
// (pool/_thread.ts leaveIdle); one that stops inside that take-back, after
// claiming the record and before naming itself in it, must not leave the
// record unusable: a maintain frees it once the thread is in the stop ring,
// and the task runs on a new thread. The stop sits at exactly that point: a
// test-only hook the pool thread reads once at its start (pool/_hooks.ts
// dieInTakeBack), armed by the executor's initializer.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { identStopped } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { Block, LIVE, R_IDENT } from "../../pool/_layout.ts";
import { currentThread, Event, ThreadPoolExecutor } from "../../mod.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

// The initializer: arms the hook (words: leaves left to stall, the
// stalled thread's ident, go).
function arm(w: Int32Array): void {
  (globalThis as Record<symbol, unknown>)[
    Symbol.for("threadkit.test.dieInTakeBack")
  ] = w;
}

describe("ThreadPoolExecutor: an idle pool thread that stops while taking its record back", () => {
  it("leaves the record to a maintain; the queued task runs on a new thread", async () => {
    const w = new Int32Array(new SharedArrayBuffer(12));
    Atomics.store(w, 0, 1); // the first idle leave stalls
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      idleTimeout: 50,
      initializer: arm,
      initArgs: [w],
    });
    const { buffer } = pool[TO_DESCRIPTOR]();
    const b = new Block(buffer as SharedArrayBuffer);
    try {
      const first = await within(pool.submit(() => currentThread().ident!));
      // It idles out and stalls before it leaves its record (LIVE counts it).
      await until(() => Atomics.load(w, 1) !== 0, "the idle leave", 30_000);
      assert.equal(Atomics.load(w, 1), first);
      // Queued while LIVE still counts that thread: no start for it here;
      // the leaving thread sees it and takes its record back, and stops there.
      // It holds its thread (running a task, it cannot idle out) until
      // the record is looked at below.
      const started = new Event(), hold = new Event();
      const task = pool.submit(
        (started: Event, hold: Event) => {
          started.set();
          if (!hold.wait({ timeout: 30_000 })) throw new Error("never let go");
          return currentThread().ident!;
        },
        started,
        hold,
      );
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
      await until(
        () => identStopped(first) !== undefined,
        "the thread's stop",
        30_000,
      );
      await within(started.waitAsync({ timeout: 60_000 }));
      // The record names the new thread, and LIVE counts it once.
      const named = Atomics.load(b.v, b.record(0) + R_IDENT);
      const live = Atomics.load(b.v, LIVE);
      hold.set();
      const ranOn = await within(task);
      assert.notEqual(ranOn, first);
      assert.equal(named, ranOn);
      assert.equal(live, 1);
      const more = Array.from(
        { length: 20 },
        (_, i) => pool.submit((x: number) => x + 1, i),
      );
      assert.deepEqual(
        await within(Promise.all(more)),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    } finally {
      // Bounded: a task with no thread is cancelled, not waited for.
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});
