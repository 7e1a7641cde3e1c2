// Copyright 2026 the threadkit authors. MIT license.
// A port of CPython's Lib/test/lock_tests.py (BaseLockTests, LockTests,
// RLockTests, EventTests, ConditionTests, BaseSemaphoreTests, SemaphoreTests,
// BoundedSemaphoreTests, BarrierTests): each `it` names the CPython case it
// ports. Python's lists that threads append to are shared words here; where
// CPython sleeps (`_wait()`) to let threads reach a wait, these tests wait
// until the threads are asleep on the primitive's word (a placed primitive's
// buffer) or registered on it (a Condition's WAITERS, a Barrier's
// nWaiting). Timeouts are in ms (CPython's 0.5 s is 200 ms here) and
// CPython's assertTimeout bounds (0.6x .. 10x) are kept as >= 1x .. 50x.
// Not ported: test_repr's exact text (checked as inspect output),
// test_release_save_unacquired's private _release_save (releaseAll is the
// public twin), test_reset_internal_locks (no internal lock object), the
// TIMEOUT_MAX OverflowError cases (no TIMEOUT_MAX: a huge timeout waits).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  activeCount,
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  RLock,
  RuntimeError,
  Semaphore,
} from "../../mod.ts";
import { sleepers, until } from "../_helpers.ts";
import { bunch, joinAll, words } from "./_bunch.ts";

// test_notify (EventTests, ConditionTests): the waiters' own timeouts
// (120 s, written in the thread bodies: a thread's source sees no module
// constant) are far above the bound of each step of the test that waits for
// them (STEP), so a loaded machine (a thread start, or the main thread's polling,
// slowed at load 20-30) fails a step with its message, if at all, and never
// turns into a waiter's wait timing out (r1 or r2 false, which the test reads
// as a lost notify). A lost wakeup still fails: a step's bound, or a join's.
const STEP = 60_000;

type LockType = typeof Lock | typeof RLock;

/** `elapsed` is within CPython's assertTimeout bounds, made one-sided-safe. */
function assertTimeout(elapsed: number, expected: number): void {
  assert.ok(elapsed >= expected - 1, `${elapsed} ms < ${expected} ms`);
  assert.ok(elapsed < expected * 50, `${elapsed} ms, expected ~${expected}`);
}

/** A lock placed in a buffer of its own, so tests can count its sleepers. */
function placedLock(type: LockType): { lock: Lock | RLock; word: Int32Array } {
  const buffer = new SharedArrayBuffer(type.byteLength);
  return {
    lock: new type({ buffer, byteOffset: 0 }),
    word: new Int32Array(buffer),
  };
}

for (const type of [Lock, RLock] as const) {
  describe(`lock_tests.BaseLockTests (${type.name})`, () => {
    it("test_constructor, test_acquire_destroy, test_acquire_release", () => {
      const lock = new type();
      assert.equal(lock.acquire(), true);
      lock.release();
      assert.equal(lock.locked(), false);
      new type().acquire(); // acquired, then dropped: nothing to clean up
    });

    it("test_repr and test_locked: the inspect text and locked() follow the state", () => {
      const lock = new type();
      assert.equal(lock.locked(), false);
      assert.match(inspect(lock), /locked: false/);
      lock.acquire();
      assert.equal(lock.locked(), true);
      assert.match(inspect(lock), /locked: true/);
      lock.release();
      assert.equal(lock.locked(), false);
    });

    it("test_try_acquire", () => {
      const lock = new type();
      assert.equal(lock.acquire({ blocking: false }), true);
      lock.release();
    });

    it("test_try_acquire_contended: another thread's try fails", async () => {
      const lock = new type();
      lock.acquire();
      const [r] = await joinAll(
        bunch((l: Lock) => l.acquire({ blocking: false }), 1, [lock]),
      );
      assert.equal(r, false);
      lock.release();
    });

    it("test_acquire_contended: 5 threads block until the release, then all finish", async () => {
      const { lock, word } = placedLock(type);
      lock.acquire();
      const c = words(2); // [0] started, [1] finished
      const threads = bunch(
        (l: Lock, c: Int32Array) => {
          Atomics.add(c, 0, 1);
          l.acquire();
          l.release();
          Atomics.add(c, 1, 1);
        },
        5,
        [lock, c],
      );
      await until(() => Atomics.load(c, 0) === 5, "5 threads started");
      await sleepers(word, 0, 1); // at least one asleep on the lock
      assert.equal(Atomics.load(c, 1), 0, "a thread passed a held lock");
      lock.release();
      await joinAll(threads);
      assert.equal(c[1], 5);
      assert.equal(lock.locked(), false);
    });

    it("test_with: withLock releases on return and on throw", async () => {
      const lock = new type();
      const f = (l: Lock) => {
        l.acquire();
        l.release();
        return true;
      };
      lock.withLock(() => assert.equal(lock.locked(), true));
      assert.deepEqual(await joinAll(bunch(f, 1, [lock])), [true]);
      assert.throws(
        () =>
          lock.withLock(() => {
            throw new TypeError("inside");
          }),
        TypeError,
      );
      assert.deepEqual(await joinAll(bunch(f, 1, [lock])), [true]);
    });

    it("test_thread_leak: 15 threads that used the lock leave enumerate() as it was", async () => {
      const lock = new type();
      const before = activeCount();
      await joinAll(bunch(
        (l: Lock) => {
          l.acquire();
          l.release();
        },
        15,
        [lock],
      ));
      await until(() => activeCount() === before, "the threads to leave");
      assert.equal(activeCount(), before);
    });

    it("test_timeout: argument errors, and a contended timed acquire fails after the timeout", async () => {
      const lock = new type();
      // CPython: ValueError for acquire(0, 1) and timeout=-100.
      assert.throws(
        () => lock.acquire({ blocking: false, timeout: 1 }),
        TypeError,
      );
      assert.throws(() => lock.acquire({ timeout: -100 }), RangeError);
      assert.equal(lock.locked(), false);
      assert.equal(lock.acquire({ timeout: 1e100 }), true); // no TIMEOUT_MAX
      lock.release();
      const t1 = performance.now();
      assert.equal(lock.acquire({ timeout: 5_000 }), true);
      assert.ok(performance.now() - t1 < 5_000);
      const [r] = await joinAll(bunch(
        (l: Lock) => {
          const t1 = performance.now();
          const got = l.acquire({ timeout: 200 });
          return [got, performance.now() - t1];
        },
        1,
        [lock],
      )) as [[boolean, number]];
      assert.equal(r[0], false);
      assertTimeout(r[1], 200);
      lock.release();
    });
  });
}

describe("lock_tests.LockTests", () => {
  it("test_reacquire: a thread's second acquire blocks until another thread releases", async () => {
    const { lock, word } = placedLock(Lock);
    const phase = words(1);
    const t = bunch(
      (l: Lock, phase: Int32Array) => {
        l.acquire();
        Atomics.store(phase, 0, 1);
        l.acquire({ timeout: 120_000 });
        Atomics.store(phase, 0, 2);
      },
      1,
      [lock, phase],
    );
    await until(() => Atomics.load(phase, 0) === 1, "the first acquire");
    await sleepers(word, 0, 1);
    assert.equal(Atomics.load(phase, 0), 1);
    lock.release();
    await joinAll(t);
    assert.equal(phase[0], 2);
    lock.release();
  });

  it("test_different_thread: a Lock can be released by another thread", async () => {
    const lock = new Lock();
    lock.acquire();
    await joinAll(bunch((l: Lock) => l.release(), 1, [lock]));
    lock.acquire();
    lock.release();
  });

  it("test_state_after_timeout: a timed-out acquire leaves the lock consistent", () => {
    const lock = new Lock();
    lock.acquire();
    assert.equal(lock.acquire({ timeout: 10 }), false);
    lock.release();
    assert.equal(lock.locked(), false);
    assert.equal(lock.acquire({ blocking: false }), true);
    lock.release();
  });

  it("test_release_unacquired (3.13): releasing an unlocked Lock is a RuntimeError", () => {
    const lock = new Lock();
    assert.throws(() => lock.release(), RuntimeError);
    lock.acquire();
    lock.release();
    assert.throws(() => lock.release(), RuntimeError);
    assert.equal(lock.locked(), false);
  });
});

describe("lock_tests.RLockTests", () => {
  it("test_reacquire", () => {
    const lock = new RLock();
    lock.acquire();
    lock.acquire();
    lock.release();
    lock.acquire();
    lock.release();
    lock.release();
    assert.equal(lock.locked(), false);
  });

  it("test_release_unacquired and test_release_save_unacquired (releaseAll)", () => {
    const lock = new RLock();
    assert.throws(() => lock.release(), RuntimeError);
    assert.throws(() => lock.releaseAll(), RuntimeError);
    lock.acquire();
    lock.acquire();
    lock.release();
    lock.acquire();
    lock.release();
    lock.release();
    assert.throws(() => lock.release(), RuntimeError);
    assert.throws(() => lock.releaseAll(), RuntimeError);
  });

  it("test_different_thread: the owner's RLock cannot be released by another thread", async () => {
    const lock = new RLock();
    const go = new Event();
    const held = new Event();
    const t = bunch(
      (l: RLock, held: Event, go: Event) => {
        l.acquire();
        held.set();
        go.wait({ timeout: 120_000 });
        l.release();
        return l.isOwned();
      },
      1,
      [lock, held, go],
    );
    try {
      assert.equal(await held.waitAsync({ timeout: 120_000 }), true);
      assert.throws(() => lock.release(), RuntimeError);
      assert.equal(lock.locked(), true);
      assert.equal(lock.count, 1);
    } finally {
      go.set();
    }
    assert.deepEqual(await joinAll(t), [false]);
    assert.equal(lock.locked(), false);
  });

  it("test_locked_with_2threads: locked() is true in a thread that does not own it", async () => {
    const lock = new RLock();
    lock.acquire();
    lock.acquire();
    const [r] = await joinAll(bunch(
      (l: RLock) => [l.locked(), l.isOwned(), l.owner, l.count],
      1,
      [lock],
    ));
    assert.deepEqual(r, [true, false, lock.owner, 2]);
    lock.release();
    lock.release();
    const [r2] = await joinAll(bunch((l: RLock) => l.locked(), 1, [lock]));
    assert.equal(r2, false);
  });

  it("test_repr_count: inspect shows the owner's recursion count", () => {
    const lock = new RLock();
    assert.match(inspect(lock), /count: 0/);
    lock.acquire();
    lock.acquire();
    assert.match(inspect(lock), /count: 2/);
    assert.equal(lock.count, 2);
    lock.release();
    lock.release();
    assert.match(inspect(lock), /locked: false/);
  });

  it("test__is_owned: isOwned() is per thread", async () => {
    const lock = new RLock();
    assert.equal(lock.isOwned(), false);
    lock.acquire();
    assert.equal(lock.isOwned(), true);
    lock.acquire();
    assert.equal(lock.isOwned(), true);
    const [other] = await joinAll(bunch((l: RLock) => l.isOwned(), 1, [lock]));
    assert.equal(other, false);
    lock.release();
    assert.equal(lock.isOwned(), true);
    lock.release();
    assert.equal(lock.isOwned(), false);
  });
});

/** An Event placed in a buffer of its own, so tests can count sleepers. */
function placedEvent(): { evt: Event; word: Int32Array } {
  const buffer = new SharedArrayBuffer(Event.byteLength);
  return {
    evt: new Event({ buffer, byteOffset: 0 }),
    word: new Int32Array(buffer),
  };
}

describe("lock_tests.EventTests", () => {
  it("test_is_set", () => {
    const evt = new Event();
    assert.equal(evt.isSet(), false);
    evt.set();
    assert.equal(evt.isSet(), true);
    evt.set();
    assert.equal(evt.isSet(), true);
    evt.clear();
    assert.equal(evt.isSet(), false);
    evt.clear();
    assert.equal(evt.isSet(), false);
  });

  async function checkNotify(evt: Event, word: Int32Array): Promise<void> {
    const N = 5;
    const c = words(3); // [0] first waits returned, [1] true results, [2] second
    const threads = bunch(
      (evt: Event, c: Int32Array) => {
        const r1 = evt.wait({ timeout: 120_000 });
        Atomics.add(c, 0, 1);
        const r2 = evt.wait({ timeout: 120_000 });
        Atomics.add(c, 2, 1);
        if (r1 && r2) Atomics.add(c, 1, 1);
      },
      N,
      [evt, c],
    );
    await sleepers(word, 0, N, STEP);
    assert.equal(Atomics.load(c, 0), 0);
    evt.set();
    await joinAll(threads);
    assert.deepEqual([...c], [N, N, N]);
  }

  it("test_notify: every waiter wakes, and again after set/clear", async () => {
    const { evt, word } = placedEvent();
    await checkNotify(evt, word);
    evt.set();
    evt.clear();
    await checkNotify(evt, word);
  });

  it("test_timeout: wait(0) and wait(200 ms) return false unset, true set", async () => {
    const evt = new Event();
    const f = (evt: Event) => {
      const r1 = evt.wait({ timeout: 0 });
      const t1 = performance.now();
      const r2 = evt.wait({ timeout: 200 });
      return [r1, r2, performance.now() - t1];
    };
    for (
      const [r1, r2, dt] of await joinAll(bunch(f, 5, [evt])) as [
        boolean,
        boolean,
        number,
      ][]
    ) {
      assert.equal(r1, false);
      assert.equal(r2, false);
      assertTimeout(dt, 200);
    }
    evt.set();
    for (
      const [r1, r2] of await joinAll(bunch(f, 5, [evt])) as [
        boolean,
        boolean,
      ][]
    ) {
      assert.equal(r1, true);
      assert.equal(r2, true);
    }
  });

  it("test_set_and_clear: waiters asleep when set() runs return true though clear() follows", async () => {
    const { evt, word } = placedEvent();
    const threads = bunch(
      (evt: Event) => evt.wait({ timeout: 120_000 }),
      5,
      [evt],
    );
    await sleepers(word, 0, 5);
    evt.set();
    evt.clear();
    assert.deepEqual(await joinAll(threads), [true, true, true, true, true]);
  });
});

/** A Condition placed in a buffer of its own: WAITERS (word 1) readable. */
function placedCondition(
  lock?: Lock | RLock,
): { cond: Condition; view: Int32Array } {
  const buffer = new SharedArrayBuffer(Condition.byteLength);
  return {
    cond: new Condition(lock, { buffer, byteOffset: 0 }),
    view: new Int32Array(buffer),
  };
}
const WAITERS = 1;

describe("lock_tests.ConditionTests", () => {
  it("test_acquire: RLock by default; over a Lock it holds that lock", () => {
    let cond = new Condition();
    cond.acquire();
    cond.acquire();
    cond.release();
    cond.release();
    const lock = new Lock();
    cond = new Condition(lock);
    cond.acquire();
    assert.equal(lock.acquire({ blocking: false }), false);
    cond.release();
    assert.equal(lock.acquire({ blocking: false }), true);
    assert.equal(cond.acquire({ blocking: false }), false);
    lock.release();
    cond.withLock(() => assert.equal(lock.acquire({ blocking: false }), false));
  });

  it("test_unacquired_wait and test_unacquired_notify: RuntimeError", () => {
    const cond = new Condition();
    assert.throws(() => cond.wait({ timeout: 10 }), RuntimeError);
    assert.throws(() => cond.notify(), RuntimeError);
    assert.throws(() => cond.notifyAll(), RuntimeError);
  });

  async function checkNotify(cond: Condition, view: Int32Array): Promise<void> {
    // s: [0] phase, [1..5] each thread's first-wait phase, [6..10] second.
    const N = 5;
    const s = words(11);
    const threads = bunch(
      (cond: Condition, s: Int32Array, i: number) => {
        cond.acquire();
        const r1 = cond.wait({ timeout: 120_000 });
        cond.release();
        Atomics.store(s, 1 + i, r1 ? Atomics.load(s, 0) : -1);
        cond.acquire();
        const r2 = cond.wait({ timeout: 120_000 });
        cond.release();
        Atomics.store(s, 6 + i, r2 ? Atomics.load(s, 0) : -1);
      },
      N,
      [cond, s],
    );
    const done = (from: number) =>
      [...s.subarray(from, from + N)].filter((x) => x !== 0).sort();
    await until(() => Atomics.load(view, WAITERS) === N, "5 waiters", STEP);
    assert.deepEqual(done(1), []);
    // Notify 3 threads at first.
    cond.acquire();
    cond.notify(3);
    Atomics.store(s, 0, 1);
    cond.release();
    await until(() => done(1).length === 3, "3 first waits to return", STEP);
    assert.deepEqual(done(1), [1, 1, 1]);
    assert.deepEqual(done(6), []);
    // The 3 reach their second wait: all 5 are registered again.
    await until(
      () => Atomics.load(view, WAITERS) === N,
      "5 waiters again",
      STEP,
    );
    cond.acquire();
    cond.notify(5);
    Atomics.store(s, 0, 2);
    cond.release();
    await until(
      () => done(1).length + done(6).length === 8,
      "8 waits done",
      STEP,
    );
    assert.deepEqual(done(1), [1, 1, 1, 2, 2]);
    assert.deepEqual(done(6), [2, 2, 2]);
    await until(
      () => Atomics.load(view, WAITERS) === 2,
      "2 second waiters",
      STEP,
    );
    cond.acquire();
    cond.notifyAll();
    Atomics.store(s, 0, 3);
    cond.release();
    await joinAll(threads);
    assert.deepEqual(done(1), [1, 1, 1, 2, 2]);
    assert.deepEqual(done(6), [2, 2, 2, 3, 3]);
  }

  it("test_notify: notify(3), notify(5), notifyAll wake exactly the waiters present, twice", async () => {
    const { cond, view } = placedCondition();
    await checkNotify(cond, view);
    await checkNotify(cond, view);
  });

  it("test_timeout: 5 timed waits return false after the timeout", async () => {
    const cond = new Condition();
    const results = await joinAll(bunch(
      (cond: Condition) => {
        cond.acquire();
        const t1 = performance.now();
        const r = cond.wait({ timeout: 200 });
        const dt = performance.now() - t1;
        cond.release();
        return [dt, r];
      },
      5,
      [cond],
    )) as [number, boolean][];
    assert.equal(results.length, 5);
    for (const [dt, r] of results) {
      assertTimeout(dt, 200);
      assert.equal(r, false);
    }
  });

  it("test_waitfor: waitFor returns once the predicate holds", async () => {
    const { cond, view } = placedCondition();
    const state = words(1);
    const threads = bunch(
      (cond: Condition, state: Int32Array) =>
        cond.withLock(() => {
          const r = cond.waitFor(() => Atomics.load(state, 0) === 4, {
            timeout: 120_000,
          });
          return [r, Atomics.load(state, 0)];
        }),
      1,
      [cond, state],
    );
    await until(() => Atomics.load(view, WAITERS) === 1, "the waiter");
    for (let i = 0; i < 4; i++) {
      cond.withLock(() => {
        Atomics.add(state, 0, 1);
        cond.notify();
      });
    }
    assert.deepEqual(await joinAll(threads), [[true, 4]]);
  });

  it("test_waitfor_timeout: waitFor returns false after the timeout", async () => {
    const cond = new Condition();
    const state = words(1);
    const threads = bunch(
      (cond: Condition, state: Int32Array) =>
        cond.withLock(() => {
          const t1 = performance.now();
          const r = cond.waitFor(() => Atomics.load(state, 0) === 4, {
            timeout: 100,
          });
          return [r, performance.now() - t1];
        }),
      1,
      [cond, state],
    );
    for (let i = 0; i < 3; i++) {
      cond.withLock(() => {
        Atomics.add(state, 0, 1);
        cond.notify();
      });
    }
    const [[r, dt]] = await joinAll(threads) as [[boolean, number]];
    assert.equal(r, false);
    assertTimeout(dt, 100);
  });
});

/** A semaphore placed in a buffer of its own (word 0: its value). */
function placedSem(
  type: typeof Semaphore,
  value: number,
): { sem: Semaphore; view: Int32Array } {
  const buffer = new SharedArrayBuffer(Semaphore.byteLength);
  return {
    sem: new type(value, { buffer, byteOffset: 0 }),
    view: new Int32Array(buffer),
  };
}

for (const type of [Semaphore, BoundedSemaphore]) {
  describe(`lock_tests.BaseSemaphoreTests (${type.name})`, () => {
    it("test_constructor: a negative value is a RangeError (CPython: ValueError)", () => {
      assert.throws(() => new type(-1), RangeError);
      assert.throws(() => new type(-Number.MAX_SAFE_INTEGER), RangeError);
    });

    it("test_acquire and test_acquire_destroy", () => {
      let sem = new type(1);
      sem.acquire();
      sem.release();
      sem = new type(2);
      sem.acquire();
      sem.acquire();
      sem.release();
      sem.release();
      new type().acquire();
    });

    for (const multi of [false, true]) {
      it(`${multi ? "test_multirelease: release(7), release(6)" : "test_acquire_contended: 7 and 6 single releases"}: 10 threads, 7 units`, async () => {
        const { sem } = placedSem(type, 7);
        sem.acquire();
        // s: [0] phase, [1] acquisitions so far, [2..21] the phase each saw.
        const s = words(22);
        const threads = bunch(
          (sem: Semaphore, s: Int32Array) => {
            for (let k = 0; k < 2; k++) {
              if (!sem.acquire({ timeout: 120_000 })) return;
              Atomics.store(s, 2 + Atomics.add(s, 1, 1), Atomics.load(s, 0));
            }
          },
          10,
          [sem, s],
        );
        const seen = () => [...s.subarray(2, 2 + Atomics.load(s, 1))].sort();
        await until(() => Atomics.load(s, 1) === 6, "6 acquisitions");
        assert.equal(sem.value, 0);
        assert.deepEqual(seen(), [0, 0, 0, 0, 0, 0]);
        Atomics.store(s, 0, 1);
        // CPython releases 7 times; a BoundedSemaphore(7) may: 7 were taken.
        if (multi) sem.release(7);
        else for (let i = 0; i < 7; i++) sem.release();
        await until(() => Atomics.load(s, 1) === 13, "13 acquisitions");
        assert.deepEqual(seen(), [...Array(6).fill(0), ...Array(7).fill(1)]);
        Atomics.store(s, 0, 2);
        if (multi) sem.release(6);
        else for (let i = 0; i < 6; i++) sem.release();
        await until(() => Atomics.load(s, 1) === 19, "19 acquisitions");
        assert.deepEqual(seen(), [
          ...Array(6).fill(0),
          ...Array(7).fill(1),
          ...Array(6).fill(2),
        ]);
        assert.equal(sem.acquire({ blocking: false }), false); // still locked
        sem.release(); // the last thread's second unit
        await joinAll(threads);
        assert.equal(Atomics.load(s, 1), 20);
      });
    }

    it("test_try_acquire", () => {
      const sem = new type(2);
      assert.equal(sem.acquire({ blocking: false }), true);
      assert.equal(sem.acquire({ blocking: false }), true);
      assert.equal(sem.acquire({ blocking: false }), false);
      sem.release();
      assert.equal(sem.acquire({ blocking: false }), true);
    });

    it("test_try_acquire_contended: 5 threads x 2 tries on 3 units: 3 true, 7 false", async () => {
      const sem = new type(4);
      sem.acquire();
      const results = (await joinAll(bunch(
        (sem: Semaphore) => [
          sem.acquire({ blocking: false }),
          sem.acquire({ blocking: false }),
        ],
        5,
        [sem],
      ))).flat() as boolean[];
      assert.deepEqual(
        results.sort(),
        [...Array(7).fill(false), ...Array(3).fill(true)],
      );
    });

    it("test_acquire_timeout", () => {
      const sem = new type(2);
      assert.throws(
        () => sem.acquire({ blocking: false, timeout: 1 }),
        TypeError,
      );
      assert.equal(sem.acquire({ timeout: 5 }), true);
      assert.equal(sem.acquire({ timeout: 5 }), true);
      assert.equal(sem.acquire({ timeout: 5 }), false);
      sem.release();
      assert.equal(sem.acquire({ timeout: 5 }), true);
      const t = performance.now();
      assert.equal(sem.acquire({ timeout: 200 }), false);
      assertTimeout(performance.now() - t, 200);
    });

    it("test_default_value: the default value is 1", async () => {
      const { sem, view } = placedSem(type, 1);
      sem.acquire();
      const finished = words(1);
      const threads = bunch(
        (sem: Semaphore, finished: Int32Array) => {
          sem.acquire({ timeout: 120_000 });
          sem.release();
          Atomics.store(finished, 0, 1);
        },
        1,
        [sem, finished],
      );
      await sleepers(view, 0, 1);
      assert.equal(Atomics.load(finished, 0), 0);
      sem.release();
      await joinAll(threads);
      assert.equal(finished[0], 1);
      assert.equal(new type().value, 1);
    });

    it("test_with: withLock holds a unit, also when fn throws", () => {
      const sem = new type(2);
      const _with = (err?: Error) =>
        sem.withLock(() => {
          assert.equal(sem.acquire({ blocking: false }), true);
          sem.release();
          sem.withLock(() => {
            assert.equal(sem.acquire({ blocking: false }), false);
            if (err) throw err;
          });
        });
      _with();
      assert.equal(sem.acquire({ blocking: false }), true);
      sem.release();
      assert.throws(() => _with(new TypeError("x")), TypeError);
      assert.equal(sem.acquire({ blocking: false }), true);
      sem.release();
      assert.equal(sem.value, 2);
    });
  });
}

describe("lock_tests.SemaphoreTests", () => {
  it("test_release_unacquired: unbounded releases raise the value", () => {
    const sem = new Semaphore(1);
    sem.release();
    sem.acquire();
    sem.acquire();
    sem.release();
    assert.equal(sem.value, 1);
  });
});

describe("lock_tests.BoundedSemaphoreTests", () => {
  it("test_release_unacquired: cannot pass the initial value (RangeError; CPython: ValueError)", () => {
    const sem = new BoundedSemaphore();
    assert.throws(() => sem.release(), RangeError);
    sem.acquire();
    sem.release();
    assert.throws(() => sem.release(), RangeError);
    assert.equal(sem.value, 1);
  });
});

describe("lock_tests.BarrierTests", () => {
  const N = 5;

  it("test_barrier and test_barrier_10: N threads pass in lockstep, 1 and 10 times", async () => {
    for (const passes of [1, 10]) {
      const barrier = new Barrier(N, { timeout: 120_000 });
      const c = words(2); // Python's results[0] and results[1] lengths
      const errors = await joinAll(bunch(
        (b: Barrier, c: Int32Array, passes: number, N: number) => {
          const bad: string[] = [];
          for (let i = 0; i < passes; i++) {
            Atomics.add(c, 0, 1);
            if (Atomics.load(c, 1) !== i * N) bad.push(`r1 ${i}`);
            b.wait();
            Atomics.add(c, 1, 1);
            if (Atomics.load(c, 0) !== (i + 1) * N) bad.push(`r0 ${i}`);
            b.wait();
          }
          if (b.nWaiting !== 0 || b.broken) bad.push("state");
          return bad;
        },
        N,
        [barrier, c, passes, N],
      ));
      assert.deepEqual(errors.flat(), []);
      assert.deepEqual([...c], [passes * N, passes * N]);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }
  });

  it("test_wait_return: the indexes are 0..N-1", async () => {
    const barrier = new Barrier(N, { timeout: 120_000 });
    const r = await joinAll(bunch((b: Barrier) => b.wait(), N, [barrier]));
    assert.deepEqual((r as number[]).sort(), [0, 1, 2, 3, 4]);
  });

  it("test_action: the action has run once when any waiter returns", async () => {
    const results = words(1);
    const barrier = new Barrier(N, {
      action: (r: Int32Array) => Atomics.add(r, 0, 1),
      actionArgs: [results],
      timeout: 120_000,
    });
    const seen = await joinAll(bunch(
      (b: Barrier, r: Int32Array) => {
        b.wait();
        return Atomics.load(r, 0);
      },
      N,
      [barrier, results],
    ));
    assert.deepEqual(seen, [1, 1, 1, 1, 1]);
  });

  it("test_abort: one thread's abort breaks the barrier for the others", async () => {
    const barrier = new Barrier(N, { timeout: 120_000 });
    const c = words(2); // results1, results2
    await joinAll(bunch(
      (b: Barrier, c: Int32Array, N: number) => {
        try {
          const i = b.wait();
          if (i === (N >> 1)) throw new RuntimeError("abort here");
          b.wait();
          Atomics.add(c, 0, 1);
        } catch (e) {
          if (e instanceof BrokenBarrierError) Atomics.add(c, 1, 1);
          else if (e instanceof RuntimeError) b.abort();
          else throw e;
        }
      },
      N,
      [barrier, c, N],
    ));
    assert.deepEqual([...c], [0, N - 1]);
    assert.equal(barrier.broken, true);
  });

  it("test_reset: a reset frees the waiting threads, who then pass again", async () => {
    const barrier = new Barrier(N, { timeout: 120_000 });
    const c = words(3);
    await joinAll(bunch(
      (b: Barrier, c: Int32Array, N: number) => {
        const i = b.wait();
        if (i === (N >> 1)) {
          // Until the other threads all wait in the barrier (bounded).
          const end = performance.now() + 120_000;
          while (b.nWaiting < N - 1 && performance.now() < end) {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
          }
          b.reset();
        } else {
          try {
            b.wait();
            Atomics.add(c, 0, 1);
          } catch (e) {
            if (!(e instanceof BrokenBarrierError)) throw e;
            Atomics.add(c, 1, 1);
          }
        }
        b.wait();
        Atomics.add(c, 2, 1);
      },
      N,
      [barrier, c, N],
    ));
    assert.deepEqual([...c], [0, N - 1, N]);
  });

  it("test_abort_and_reset: a broken barrier can be reset and used again", async () => {
    const barrier = new Barrier(N, { timeout: 120_000 });
    const barrier2 = new Barrier(N, { timeout: 120_000 });
    const c = words(3);
    await joinAll(bunch(
      (b: Barrier, b2: Barrier, c: Int32Array, N: number) => {
        try {
          const i = b.wait();
          if (i === (N >> 1)) throw new RuntimeError("abort here");
          b.wait();
          Atomics.add(c, 0, 1);
        } catch (e) {
          if (e instanceof BrokenBarrierError) Atomics.add(c, 1, 1);
          else if (e instanceof RuntimeError) b.abort();
          else throw e;
        }
        if (b2.wait() === (N >> 1)) b.reset();
        b2.wait();
        b.wait();
        Atomics.add(c, 2, 1);
      },
      N,
      [barrier, barrier2, c, N],
    ));
    assert.deepEqual([...c], [0, N - 1, N]);
  });

  it("test_timeout: a late thread makes the others' wait(timeout) break the barrier", async () => {
    const barrier = new Barrier(N, { timeout: 120_000 });
    const r = await joinAll(bunch(
      (b: Barrier, N: number) => {
        const i = b.wait();
        if (i === (N >> 1)) {
          // Late: arrives only once the others' timeout broke the barrier.
          const end = performance.now() + 120_000;
          while (!b.broken && performance.now() < end) {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
          }
        }
        try {
          b.wait({ timeout: 100 });
          return "passed";
        } catch (e) {
          return e instanceof BrokenBarrierError ? "broken" : String(e);
        }
      },
      N,
      [barrier, N],
    ));
    assert.deepEqual(r, Array(N).fill("broken"));
  });

  it("test_default_timeout: the barrier's own timeout applies to wait()", async () => {
    const barrier = new Barrier(N, { timeout: 100 });
    const r = await joinAll(bunch(
      (b: Barrier, N: number) => {
        let i: number;
        try {
          i = b.wait({ timeout: 120_000 });
        } catch (e) {
          return String(e);
        }
        if (i === (N >> 1)) {
          const end = performance.now() + 120_000;
          while (!b.broken && performance.now() < end) {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
          }
        }
        try {
          b.wait();
          return "passed";
        } catch (e) {
          return e instanceof BrokenBarrierError ? "broken" : String(e);
        }
      },
      N,
      [barrier, N],
    ));
    assert.deepEqual(r, Array(N).fill("broken"));
  });

  it("test_single_thread", () => {
    const b = new Barrier(1);
    assert.equal(b.wait(), 0);
    assert.equal(b.wait(), 0);
  });

  it("test_repr of Event, Semaphore, BoundedSemaphore and Barrier: inspect follows the state", () => {
    const evt = new Event();
    assert.match(inspect(evt), /set: false/);
    evt.set();
    assert.match(inspect(evt), /set: true/);
    for (const type of [Semaphore, BoundedSemaphore]) {
      const sem = new type(3);
      assert.match(inspect(sem), /value: 3/);
      sem.acquire();
      assert.match(inspect(sem), /value: 2/);
    }
    const b = new Barrier(3);
    assert.match(inspect(b), /parties: 3, nWaiting: 0, broken: false/);
    b.abort();
    assert.match(inspect(b), /broken: true/);
  });

  it("test_repr and test_constructor (3.13): parties must be at least 1", () => {
    assert.throws(() => new Barrier(0), RangeError);
    assert.throws(() => new Barrier(-1), RangeError);
    const b = new Barrier(3);
    assert.equal(b.parties, 3);
    assert.equal(b.nWaiting, 0);
    assert.equal(b.broken, false);
  });
});
