// Copyright 2026 the threadkit authors. MIT license.
// The async sleep (_core/wait.ts sleepAsync) with an AbortSignal, called at
// every depth near the end of the stack: a sleep that a stack overflow
// stopped (it threw a RangeError, or returned a promise rejected with one)
// leaves no waitAsync pending on its word, so none lingers to take a
// notify(1) meant for a real waiter or to keep the process alive; a sleep
// that returned a pending promise is its word's one waiter, and ends "ok"
// when the word changes. Before, an overflow in the abort
// listener's registration (made after the slice's waitAsync and the
// keep-alive hold) threw with the slice pending, and it slept on, slice
// after slice, until its deadline; and an overflow at the slice's `then`
// left its waitAsync pending with nobody to settle it (failed: a waiter on
// the word of an attempt that threw).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sleepAsync, sleepOptions } from "../../_core/wait.ts";
import { sweep } from "../queue/_stack_end.ts";

// Attempts at most (then the sweep ends): each sleeps on its own word, so a
// dropped sleep's flush (a wake of every waiter on its word) wakes no other.
const MAX = 2_048;
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
      const words = new Int32Array(new SharedArrayBuffer(4 * MAX));
      const ac = new AbortController();
      const other: unknown[] = [];
      // What each attempt returned (a packed array, sized up front: the
      // store is no call); undefined where it threw.
      const kept: (Promise<unknown> | undefined)[] = Array.from(
        { length: MAX },
        () => undefined,
      );
      let k = 0;
      const tries = sweep(() => {
        if (k === MAX) return;
        const i = k++;
        try {
          kept[i] = sleepAsync(
            words,
            i,
            0,
            sleepOptions({ timeout, signal: ac.signal }),
          );
        } catch (e) {
          if (!(e instanceof RangeError)) other[other.length] = e;
          throw e;
        }
        throw ON;
      });
      // The waiters on each attempt's word, woken by a change: the sleep
      // it returned, if that went on, and any it left behind.
      const waiters = Array.from({ length: k }, (_, i) => {
        Atomics.store(words, i, 1);
        return Atomics.notify(words, i);
      });
      // This test's own timer keeps the event loop running while they end:
      // the sleeps' keep-alive interval may have been made at the stack's
      // end, where Deno's timers are not dependable (_core/keep_alive.ts).
      const running = setTimeout(() => {}, 20_000);
      let outcomes: PromiseSettledResult<unknown>[];
      try {
        outcomes = await Promise.allSettled(kept.slice(0, k));
      } finally {
        clearTimeout(running);
      }
      let ok = 0;
      const lingering: number[] = [];
      outcomes.forEach((o, i) => {
        const went = o.status === "fulfilled" && o.value === "ok";
        if (went) ok++;
        else if (o.status === "rejected") {
          if (!(o.reason instanceof RangeError)) other.push(o.reason);
        } else if (o.value !== undefined) other.push(o.value);
        if (waiters[i] !== (went ? 1 : 0)) lingering.push(i);
      });
      assert.deepEqual(other.map(String), []);
      assert.ok(ok > 0, `no sleep went on (tries ${tries}, attempts ${k})`);
      assert.deepEqual(
        lingering.map((i) => [i, waiters[i]]),
        [],
        "attempts whose word had waiters other than the sleep it returned",
      );
    });
  }
});
