// Copyright 2026 the threadkit authors. MIT license.
// Condition.wait({ timeout: 0 }) swept over the end of the stack while
// another thread takes the lock whenever it can and holds it a while, over
// a Lock and an RLock: an attempt whose reacquire finds the lock held and
// whose acquire call overflows sleeps on the lock word (sync/_reacquire.ts)
// instead of calling acquire again, so each wait makes at most one acquire
// call, and returns or throws with the lock held as before. The handle's
// acquire is wrapped to count the calls. Before, such an attempt called
// acquire again and again until the holder let go (failed: one wait made
// 512 to 8,427 calls).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Lock, type RLock, Thread } from "../../mod.ts";
import { HOLDER } from "../../sync/_holder.ts";
import { currentIdent } from "../../_core/runtime.ts";
import { isDeno, until } from "../_helpers.ts";
import { hold, letGo, OWNER, subject, sweepWait } from "./_stack_end_wait.ts";

// ctl words: stop, the holder's holds.
const STOP = 0, HOLDS = 1;
// Sweeps until one saw an acquire call overflow with the lock held by the
// holder, for at most this long (ms).
const BOUND = 20_000;
// Deno only: on Node and Bun no depth of this sweep reached an acquire call
// that overflowed with the lock held (0 in 1,087 and 301 attempts; their
// frames differ); tests/sync/reacquire_park_test.ts runs the loop there.
const unreached = !isDeno &&
  "no depth of the sweep reaches the reacquire's overflow on this runtime";

/**
 * Takes the lock the moment it is free (a try in a loop, so it wins the
 * window inside the sweep's wait() often), holds it `ms` ms, lets go, and
 * tries again once another thread has taken it; counts its holds.
 */
function holder(
  lock: Lock | RLock,
  lw: Int32Array,
  ctl: Int32Array,
  ms: number,
): void {
  const STOP = 0, HOLDS = 1;
  const z = new Int32Array(new SharedArrayBuffer(4));
  while (Atomics.load(ctl, STOP) === 0) {
    if (!lock.acquire({ blocking: false })) continue;
    Atomics.add(ctl, HOLDS, 1);
    Atomics.wait(z, 0, 0, ms); // keeps it (not an ordering)
    lock.release();
    // The waiter takes it back (it holds the lock but inside wait()).
    while (Atomics.load(lw, 0) === 0 && Atomics.load(ctl, STOP) === 0) {
      Atomics.wait(lw, 0, 0, 1);
    }
  }
}

describe("Condition waits at the end of the stack, the lock taken by another thread meanwhile", () => {
  for (const kind of ["Lock", "RLock"] as const) {
    it(
      `Condition(${kind}).wait({ timeout: 0 }): at most one acquire call a wait, the lock held after`,
      {
        skip: unreached,
      },
      async () => {
        const s = subject(kind, 1);
        const me = currentIdent();
        const ctl = new Int32Array(new SharedArrayBuffer(8));
        const t = new Thread({
          target: holder,
          args: [s.lock, s.lw, ctl, 20],
        });
        // The handle's acquire, counted: calls in this wait, the most in any
        // wait, and calls that threw while another thread held the lock.
        let calls = 0, most = 0, overflowedHeld = 0;
        const acquire = s.lock.acquire;
        (s.lock as { acquire: typeof acquire }).acquire = function (
          this: Lock & RLock,
          options,
        ) {
          calls++;
          if (calls > most) most = calls;
          try {
            return acquire.call(this, options);
          } catch (e) {
            const by = Atomics.load(s.lw, 0) & HOLDER;
            if (by !== me && by !== 0) overflowedHeld++;
            throw e;
          }
        };
        t.start();
        let tries = 0, left = 0;
        const other: unknown[] = [];
        try {
          await until(() => Atomics.load(ctl, HOLDS) > 0, "the holder's holds");
          hold(s);
          const end = performance.now() + BOUND;
          while (
            left === 0 && overflowedHeld === 0 && performance.now() < end
          ) {
            const r = sweepWait(
              s,
              () => {
                calls = 0;
                return s.cond.wait({ timeout: 0 });
              },
              false,
              true,
            );
            tries += r.tries;
            left += r.left;
            other.push(...r.other);
          }
          if (left === 0) letGo(s);
        } finally {
          Atomics.store(ctl, STOP, 1);
          if (left !== 0) {
            // The state a faulty wait left: freed by hand, so the holder ends.
            Atomics.store(s.lw, 0, 0);
            Atomics.store(s.lw, OWNER, 0);
            Atomics.notify(s.lw, 0);
          }
          await t.joinAsync({ timeout: 30_000 });
        }
        const state = JSON.stringify({ tries, left, most, overflowedHeld });
        assert.deepEqual(other.map(String), []);
        assert.equal(left, 0, state);
        assert.ok(
          overflowedHeld > 0,
          `no acquire overflowed while held: ${state}`,
        );
        assert.ok(most <= 1, state);
      },
    );
  }
});
