// Copyright 2026 the threadkit authors. MIT license.
// The async sleep (_core/wait.ts sleepAsync) with an AbortSignal, called at
// every depth near the end of the stack: a sleep that a stack overflow
// stopped (it threw a RangeError, or returned a promise rejected with one)
// leaves no waitAsync pending on the word, so none lingers to take a
// notify(1) meant for a real waiter or to keep the process alive; a sleep
// that returned a pending promise is the word's only kind of waiter, and
// ends "ok" when the word changes. Before, an overflow in the abort
// listener's registration (made after the slice's waitAsync and the
// keep-alive hold) threw with the slice pending, and it slept on, slice
// after slice, until its deadline; and an overflow at the slice's `then`
// left its waitAsync pending with nobody to settle it (failed: more
// waiters on the word than sleeps that went on).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sleepAsync, sleepOptions } from "../../_core/wait.ts";
import { sweep } from "../queue/_stack_end.ts";

// Sleeps that returned a promise, kept (a packed array, sized up front: the
// store is no call) until this many; then the sweep ends.
const KEEP = 1_000;
// Thrown by an attempt that returned, so the sweep goes on one frame up.
const ON = new Error("on");

describe("sleepAsync at the end of the stack", () => {
  for (
    const [label, timeout] of [
      ["no timeout", undefined],
      ["a timeout", 30_000],
    ] as const
  ) {
    it(`sleepAsync with a signal and ${label}: a sleep that overflows leaves no waitAsync pending`, async () => {
      const view = new Int32Array(new SharedArrayBuffer(4));
      const ac = new AbortController();
      const other: unknown[] = [];
      const kept: (Promise<unknown> | undefined)[] = Array.from(
        { length: KEEP },
        () => undefined,
      );
      let n = 0;
      const tries = sweep(() => {
        if (n === KEEP) return;
        try {
          kept[n] = sleepAsync(
            view,
            0,
            0,
            sleepOptions({ timeout, signal: ac.signal }),
          );
        } catch (e) {
          if (!(e instanceof RangeError)) other[other.length] = e;
          throw e;
        }
        n++;
        throw ON;
      });
      // Every waiter on the word, woken by a change: the sleeps that went
      // on, and any that an overflow left behind.
      Atomics.store(view, 0, 1);
      const waiters = Atomics.notify(view, 0);
      // This test's own timer keeps the event loop running while they end:
      // the sleeps' keep-alive interval may have been made at the stack's
      // end, where Deno's timers are not dependable (_core/keep_alive.ts).
      const running = setTimeout(() => {}, 20_000);
      let outcomes: PromiseSettledResult<unknown>[];
      try {
        outcomes = await Promise.allSettled(kept);
      } finally {
        clearTimeout(running);
      }
      const ok = outcomes.filter((o) =>
        o.status === "fulfilled" && o.value === "ok"
      ).length;
      for (const o of outcomes) {
        if (o.status === "rejected" && !(o.reason instanceof RangeError)) {
          other.push(o.reason);
        }
        if (o.status === "fulfilled" && o.value !== "ok") other.push(o.value);
      }
      assert.deepEqual(other.map(String), []);
      assert.ok(ok > 0, `no sleep went on (tries ${tries}, ${n} returned)`);
      assert.equal(waiters, ok, `${waiters - ok} waitAsync left pending`);
    });
  }
});
