// Copyright 2026 the threadkit authors. MIT license.
// A lock holder that dies while others wait: Condition waiters leave their
// registration behind in no case (a timed-out wait whose reacquire meets the
// dead holder included).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Condition, Lock, OwnerDiedError, Thread } from "../../mod.ts";

const JOIN = { timeout: 30_000 };

// A Lock at byte 0 and its Condition at byte 4 of one buffer: the
// Condition's words are SEQ (word 1), WAITERS (word 2), PERMITS (word 3).
function placed(): { lock: Lock; cond: Condition; words: Int32Array } {
  const buffer = new SharedArrayBuffer(16);
  const lock = new Lock({ buffer, byteOffset: 0 });
  const cond = new Condition(lock, { buffer, byteOffset: 4 });
  return { lock, cond, words: new Int32Array(buffer) };
}
const WAITERS = 2;

// The waiter's timeout: long enough for the holder's thread to start and
// take the lock within it on a loaded machine.
const TIMEOUT = 3_000;

// Takes the lock as soon as the waiter's wait releases it, holds it until
// `dieAt` (Date.now() ms, after the waiter's deadline), and fails holding it
// (a dead holder).
function startDyingHolder(lock: Lock, dieAt: number): Thread {
  const t = new Thread({
    target: (lock: Lock, dieAt: number) => {
      lock.acquire();
      const tick = new Int32Array(new SharedArrayBuffer(4));
      while (Date.now() < dieAt) Atomics.wait(tick, 0, 0, 10);
      throw new RangeError("died holding the lock");
    },
    args: [lock, dieAt],
  });
  t.start();
  return t;
}

describe("owner death", () => {
  for (const form of ["wait", "waitAsync"] as const) {
    it(`Condition.${form}() that timed out and then meets a dead holder leaves WAITERS (no ghost waiter)`, async () => {
      const { lock, cond, words } = placed();
      lock.acquire();
      const holder = startDyingHolder(lock, Date.now() + TIMEOUT + 300);
      const t0 = performance.now();
      if (form === "wait") {
        assert.throws(() => cond.wait({ timeout: TIMEOUT }), OwnerDiedError);
      } else {
        await assert.rejects(
          cond.waitAsync({ timeout: TIMEOUT }),
          OwnerDiedError,
        );
      }
      assert.ok(performance.now() - t0 < TIMEOUT + 20_000);
      await assert.rejects(holder.joinAsync(JOIN), RangeError);
      assert.equal(Atomics.load(words, WAITERS), 0);
      // No stale registration: a notify with nobody waiting grants nothing,
      // so a later notify(1) wakes one of two waiters, not both.
      if (lock.locked()) lock.release();
      lock.acquire();
      cond.notify(1);
      lock.release();
      const waiters = [0, 1].map(() =>
        new Thread({
          target: (c: Condition, l: Lock) => {
            l.acquire();
            try {
              return c.wait({ timeout: 1_500 });
            } finally {
              l.release();
            }
          },
          args: [cond, lock],
        })
      );
      for (const w of waiters) w.start();
      const end = performance.now() + 20_000;
      while (Atomics.load(words, WAITERS) < 2 && performance.now() < end) {
        await new Promise((r) => setTimeout(r, 2));
      }
      lock.acquire();
      cond.notify(1);
      lock.release();
      const woken = await Promise.all(waiters.map((w) => w.joinAsync(JOIN)));
      assert.deepEqual(woken.filter(Boolean).length, 1);
    });
  }
});
