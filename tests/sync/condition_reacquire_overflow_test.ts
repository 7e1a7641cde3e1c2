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
      let triesHeld = 0;
      const real = lock.acquire;
      // Every acquire call "overflows" until the holder has let go.
      (lock as unknown as { acquire: unknown }).acquire = function (
        this: Lock | RLock,
        o: unknown,
      ) {
        if (!go.isSet()) {
          triesHeld++;
          throw new RangeError("Maximum call stack size exceeded");
        }
        // deno-lint-ignore no-explicit-any
        return (real as any).call(this, o);
      };
      // The holder takes the lock during this wait's sleep (the release
      // wakes it); the sleep times out; the reacquire finds the lock held.
      const t = new Thread({
        name: "releaser",
        target: (took: Event, go: Event) => {
          if (!took.wait({ timeout: 20_000 })) throw new Error("no take");
          // The holder keeps the lock 300 ms: a wait's length, not an order.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
          go.set();
        },
        args: [took, go],
      });
      t.start();
      const r = cond.wait({ timeout: 20 });
      delete (lock as unknown as { acquire?: unknown }).acquire;
      const held = kind === "RLock" ? (lock as RLock).isOwned() : lock.locked();
      cond.release();
      await t.joinAsync(JOIN);
      assert.equal(await holder.joinAsync(JOIN), true);
      assert.equal(r, false);
      assert.equal(held, true, "returned without the lock");
      assert.equal(Atomics.load(cw, 1), 0, "a waiter left counted");
      assert.ok(
        triesHeld <= 100,
        `${triesHeld} acquire tries while another thread held the lock (a busy loop)`,
      );
    });
  }
});
