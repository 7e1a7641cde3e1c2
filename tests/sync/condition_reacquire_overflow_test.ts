// Copyright 2026 the threadkit authors. MIT license.
// Condition.wait whose reacquire cannot make an acquire call (every call
// overflows the stack: simulated by a handle whose acquire throws a
// RangeError) while another thread holds the lock: the wait returns with the
// lock held once the holder lets go, and does not retry the acquire in a
// busy loop meanwhile (counted tries, no timing).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Condition, Event, Lock, RLock, Thread } from "../../mod.ts";
import { sleepers } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

describe("Condition reacquire where every acquire call overflows", () => {
  for (const kind of ["Lock", "RLock"] as const) {
    it(`Condition(${kind}).wait(): returns holding the lock, with a bounded number of acquire tries while another thread holds it`, async () => {
      const buffer = new SharedArrayBuffer(64);
      const lock = kind === "Lock"
        ? new Lock({ buffer, byteOffset: 0 })
        : new RLock({ buffer, byteOffset: 0 });
      const cond = new Condition(lock, { buffer, byteOffset: 32 });
      const lw = new Int32Array(buffer, 0, 1);
      const cw = new Int32Array(buffer, 32, 3);
      const took = new Event(), go = new Event();
      // [tries while held elsewhere]
      const holder = new Thread({
        name: "holder",
        target: (lock: Lock | RLock, took: Event, go: Event) => {
          if (!lock.acquire({ timeout: 20_000 })) throw new Error("stuck");
          took.set();
          const ok = go.wait({ timeout: 20_000 });
          lock.release();
          return ok;
        },
        args: [lock, took, go],
      });
      cond.acquire();
      holder.start();
      await sleepers(lw, 0, 1); // the holder asleep on the lock word
      // [0] acquire tries made while the holder has the lock, [1] this
      // thread's wait has returned (shared: the releaser waits for either).
      const tries = new Int32Array(new SharedArrayBuffer(8));
      const real = lock.acquire;
      // Every acquire call "overflows" until the holder has let go.
      (lock as unknown as { acquire: unknown }).acquire = function (
        this: Lock | RLock,
        o: unknown,
      ) {
        if (!go.isSet()) {
          Atomics.add(tries, 0, 1);
          Atomics.notify(tries, 0);
          throw new RangeError("Maximum call stack size exceeded");
        }
        // deno-lint-ignore no-explicit-any
        return (real as any).call(this, o);
      };
      // The holder takes the lock during this wait's sleep (the release
      // wakes it); the sleep times out; the reacquire finds the lock held.
      const t = new Thread({
        name: "releaser",
        target: (took: Event, go: Event, tries: Int32Array) => {
          if (!took.wait({ timeout: 20_000 })) throw new Error("no take");
          // Until the reacquire has met the held lock (its first try), not
          // a sleep long enough for the wait to time out and get there; or
          // until the wait returned without a try (its timeout ran out
          // before the holder took the lock: nothing to count then).
          const end = Date.now() + 20_000;
          while (
            Atomics.load(tries, 0) === 0 && Atomics.load(tries, 1) === 0
          ) {
            if (Date.now() > end) throw new Error("no try");
            Atomics.wait(tries, 0, 0, 1_000); // (a store of [1] notifies [0])
          }
          // Then the holder keeps the lock 300 ms more, the span the tries
          // are counted over: a length, not an order.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
          go.set();
        },
        args: [took, go, tries],
      });
      t.start();
      const r = cond.wait({ timeout: 20 });
      Atomics.store(tries, 1, 1);
      Atomics.notify(tries, 0);
      delete (lock as unknown as { acquire?: unknown }).acquire;
      const held = kind === "RLock" ? (lock as RLock).isOwned() : lock.locked();
      cond.release();
      await t.joinAsync(JOIN);
      assert.equal(await holder.joinAsync(JOIN), true);
      assert.equal(r, false);
      assert.equal(held, true, "returned without the lock");
      assert.equal(Atomics.load(cw, 1), 0, "a waiter left counted");
      const triesHeld = Atomics.load(tries, 0);
      assert.ok(
        triesHeld <= 100,
        `${triesHeld} acquire tries while another thread held the lock (a busy loop)`,
      );
    });
  }
});
