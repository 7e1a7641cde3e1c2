// Copyright 2026 the threadkit authors. MIT license.
// Acquires made at every depth near the end of the stack: an attempt that a
// stack overflow stops (a RangeError) leaves the lock (the semaphore's
// units) as they were; one that returned true holds it. Before, a spin that
// took the Lock read the clock and updated its budget after its winning
// compareExchange (sync/_spin.ts), an async acquire made its promise after
// its take, and an RLock recorded its owner in a call after the inner
// acquire: an overflow there threw with the lock held and no owner to
// release it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type AcquireOptions,
  Lock,
  RLock,
  Semaphore,
  Thread,
} from "../../mod.ts";
import { Spin } from "../../sync/_spin.ts";
import { CONTENDED, HOLDER } from "../../sync/_holder.ts";
import { currentIdent } from "../../_core/runtime.ts";
import { sweep } from "../queue/_stack_end.ts";
import { until } from "../_helpers.ts";

type Form = [string, AcquireOptions | undefined, boolean];
const FORMS: Form[] = [
  ["acquire()", undefined, false],
  ["acquire({ blocking: false })", { blocking: false }, false],
  ["acquire({ timeout })", { timeout: 1_000 }, false],
  ["acquireAsync()", undefined, true],
  ["acquireAsync({ timeout })", { timeout: 1_000 }, true],
];

/**
 * Sweeps `attempt` over the stack's end. `taken()` says whether the
 * primitive is held (by the sweep); each attempt first looks at what the one
 * before it (stopped by a RangeError) left, with no call but Atomics
 * built-ins, counts a hold left behind and undoes it with `undo`. Returns
 * the number of attempts, the holds left behind and whether the last
 * attempt reported the take.
 */
function sweepAcquire(
  view: Int32Array,
  free: number,
  attempt: () => boolean | Promise<boolean>,
): { tries: number; left: number; result: unknown } {
  let left = 0, result: unknown = undefined;
  const tries = sweep(() => {
    if (Atomics.load(view, 0) !== free) {
      left++;
      Atomics.store(view, 0, free);
    }
    result = attempt();
  });
  return { tries, left, result };
}

describe("acquires at the end of the stack", () => {
  it("Spin.spun() that takes the lock word returns true or leaves it free", () => {
    const view = new Int32Array(new SharedArrayBuffer(4));
    const spin = new Spin();
    const { tries, left, result } = sweepAcquire(
      view,
      0,
      () => spin.spun(view, 0, 7),
    );
    assert.ok(tries > 1, `tries ${tries}`);
    assert.equal(left, 0, `${left} overflowed spins left the word held`);
    assert.equal(result, true);
    assert.equal(Atomics.load(view, 0), 7 | CONTENDED);
  });

  for (const [name, options, isAsync] of FORMS) {
    it(`Lock.${name}: a RangeError leaves the lock free; true holds it`, async () => {
      const buffer = new SharedArrayBuffer(Lock.byteLength);
      const view = new Int32Array(buffer);
      const lock = new Lock({ buffer, byteOffset: 0 });
      const { tries, left, result } = sweepAcquire(
        view,
        0,
        () => isAsync ? lock.acquireAsync(options) : lock.acquire(options),
      );
      assert.ok(tries > 1, `tries ${tries}`);
      assert.equal(left, 0, `${left} overflowed acquires left the lock held`);
      assert.equal(await result, true);
      assert.equal(lock.locked(), true);
      lock.release();
    });

    it(`RLock.${name}: a RangeError leaves it free; true owns it`, async () => {
      const buffer = new SharedArrayBuffer(RLock.byteLength);
      const view = new Int32Array(buffer);
      const rlock = new RLock({ buffer, byteOffset: 0 });
      const { tries, left, result } = sweepAcquire(
        view,
        0,
        () => isAsync ? rlock.acquireAsync(options) : rlock.acquire(options),
      );
      assert.ok(tries > 1, `tries ${tries}`);
      assert.equal(left, 0, `${left} overflowed acquires left it held`);
      assert.equal(await result, true);
      assert.equal(rlock.isOwned(), true);
      assert.equal(rlock.count, 1);
      rlock.release();
      assert.equal(rlock.locked(), false);
    });

    it(`RLock.${name} again by its owner: a RangeError leaves the depth`, async () => {
      const buffer = new SharedArrayBuffer(RLock.byteLength);
      const depth = new Int32Array(buffer, 8, 1); // COUNT
      const rlock = new RLock({ buffer, byteOffset: 0 });
      rlock.acquire();
      const { tries, left, result } = sweepAcquire(
        depth,
        1,
        () => isAsync ? rlock.acquireAsync(options) : rlock.acquire(options),
      );
      assert.ok(tries > 1, `tries ${tries}`);
      assert.equal(left, 0, `${left} overflowed reentries raised the depth`);
      assert.equal(await result, true);
      assert.equal(rlock.count, 2);
      rlock.release();
      rlock.release();
      assert.equal(rlock.locked(), false);
    });

    it(`Semaphore.${name}: a RangeError takes no unit; true takes one`, async () => {
      const buffer = new SharedArrayBuffer(Semaphore.byteLength);
      const view = new Int32Array(buffer);
      const sem = new Semaphore(1, { buffer, byteOffset: 0 });
      const { tries, left, result } = sweepAcquire(
        view,
        1,
        () => isAsync ? sem.acquireAsync(options) : sem.acquire(options),
      );
      assert.ok(tries > 1, `tries ${tries}`);
      assert.equal(left, 0, `${left} overflowed acquires took a unit`);
      assert.equal(await result, true);
      assert.equal(sem.value, 0);
      sem.release();
    });
  }

  for (const kind of ["Lock", "RLock"] as const) {
    it(`${kind}.guard(): a RangeError leaves it free; a guard holds it`, () => {
      const buffer = new SharedArrayBuffer(RLock.byteLength);
      const view = new Int32Array(buffer);
      const lock = kind === "Lock"
        ? new Lock({ buffer, byteOffset: 0 })
        : new RLock({ buffer, byteOffset: 0 });
      const { tries, left, result } = sweepAcquire(
        view,
        0,
        () => lock.guard() !== undefined,
      );
      assert.ok(tries > 1, `tries ${tries}`);
      assert.equal(left, 0, `${left} overflowed guards left it held`);
      assert.equal(result, true);
      lock.release();
      assert.equal(lock.locked(), false);
    });
  }

  it("Semaphore.guard(): a RangeError takes no unit; a guard holds one", () => {
    const buffer = new SharedArrayBuffer(Semaphore.byteLength);
    const view = new Int32Array(buffer);
    const sem = new Semaphore(1, { buffer, byteOffset: 0 });
    const { tries, left, result } = sweepAcquire(
      view,
      1,
      () => sem.guard() !== undefined,
    );
    assert.ok(tries > 1, `tries ${tries}`);
    assert.equal(left, 0, `${left} overflowed guards took a unit`);
    assert.equal(result, true);
    assert.equal(sem.value, 0);
    sem.release();
  });

  it("Lock.acquire() against a thread that takes and releases it: a RangeError never leaves it held here", async () => {
    // The contended path (the spin, the marked take after a wait): another
    // thread holds the lock most of the time, so the sweep's acquires find
    // it held and go the slow way. The lock word names its acquirer, so a
    // hold left by this thread is told from the other's.
    const buffer = new SharedArrayBuffer(Lock.byteLength + 8);
    const view = new Int32Array(buffer, 0, 1);
    const ctl = new Int32Array(buffer, 4, 2); // [stop, the other's pairs]
    const lock = new Lock({ buffer, byteOffset: 0 });
    const other = new Thread({
      target: (lock: Lock, ctl: Int32Array) => {
        while (Atomics.load(ctl, 0) === 0) {
          if (!lock.acquire({ timeout: 10_000 })) throw new Error("stuck");
          for (let i = 0; i < 200; i++) Atomics.load(ctl, 0);
          lock.release();
          Atomics.add(ctl, 1, 1);
        }
      },
      args: [lock, ctl],
    });
    other.start();
    try {
      await until(() => Atomics.load(ctl, 1) > 0, "the other thread's pairs");
      const me = currentIdent();
      let left = 0, wins = 0;
      for (let round = 0; round < 40; round++) {
        // Atomics built-ins only, as at the stack's end a call may overflow.
        sweep(() => {
          const s = Atomics.load(view, 0);
          if ((s & HOLDER) === me) {
            left++;
            if (Atomics.exchange(view, 0, 0) >= CONTENDED) {
              Atomics.notify(view, 0, 1);
            }
          }
          if (lock.acquire({ timeout: 10_000 })) {
            wins++;
            if (Atomics.exchange(view, 0, 0) >= CONTENDED) {
              Atomics.notify(view, 0, 1);
            }
          }
        });
      }
      assert.equal(left, 0, `${left} overflowed acquires left it held`);
      assert.ok(wins >= 40, `wins ${wins}`);
    } finally {
      Atomics.store(ctl, 0, 1);
      await other.joinAsync({ timeout: 30_000 });
    }
    assert.equal(other.isAlive(), false);
  });
});
