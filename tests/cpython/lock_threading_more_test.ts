// Copyright 2026 the threadkit authors. MIT license.
// Cases of CPython's Lib/test/lock_tests.py (3.13/3.14) and
// Lib/test/test_threading.py that lock_tests_test.ts and threading_test.ts
// do not port yet; each `it` names its CPython case. RLock's `count` is the
// owner's depth seen from any thread (CPython's test_repr_count reads it so
// too), not CPython's per-caller `_recursion_count()`: the part of
// test_recursion_count that reads it from a thread that does not own the
// lock is ported as the owner's depth.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  currentThread,
  enumerate,
  Event,
  RLock,
  Semaphore,
  Thread,
} from "../../mod.ts";
import { until } from "../_helpers.ts";
import { bunch, JOIN, joinAll } from "./_bunch.ts";

describe("lock_tests.RLockTests (3.14)", () => {
  it("test_locked: locked() through every recursion level", () => {
    const lock = new RLock();
    assert.equal(lock.locked(), false);
    lock.acquire();
    assert.equal(lock.locked(), true);
    lock.acquire();
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  it("test_recursion_count: the depth follows acquire and release; a thread blocked on it does not change it", async () => {
    const lock = new RLock();
    assert.equal(lock.count, 0);
    lock.acquire();
    assert.equal(lock.count, 1);
    lock.acquire();
    lock.acquire();
    assert.equal(lock.count, 3);
    lock.release();
    assert.equal(lock.count, 2);
    lock.release();
    lock.release();
    assert.equal(lock.count, 0);
    // A thread takes it and holds it until told (CPython's phases).
    const took = new Event(), go = new Event();
    const [t] = bunch(
      (lock: RLock, took: Event, go: Event) => {
        lock.acquire();
        took.set();
        go.wait({ timeout: 120_000 });
        lock.release();
        return lock.count;
      },
      1,
      [lock, took, go],
    );
    assert.equal(await took.waitAsync(JOIN), true);
    assert.equal(lock.isOwned(), false);
    assert.equal(lock.count, 1, "the owner's depth, seen from here");
    go.set();
    assert.deepEqual(await joinAll([t]), [0]);
    assert.equal(lock.count, 0);
  });
});

describe("lock_tests.BarrierTests (3.13)", () => {
  it("test_repr: waiters 2/3 while two threads wait, 0/3 after, broken after abort", async () => {
    const barrier = new Barrier(3);
    assert.match(inspect(barrier), /parties: 3, nWaiting: 0, broken: false/);
    const threads = bunch(
      (b: Barrier) => b.wait({ timeout: 120_000 }),
      2,
      [barrier],
    );
    await until(() => barrier.nWaiting === 2, "2 waiters");
    assert.match(inspect(barrier), /nWaiting: 2/);
    const mine = barrier.wait({ timeout: 120_000 });
    const all = [mine, ...(await joinAll(threads)) as number[]];
    assert.deepEqual(all.sort(), [0, 1, 2]);
    assert.match(inspect(barrier), /nWaiting: 0, broken: false/);
    barrier.abort();
    assert.match(inspect(barrier), /broken: true/);
  });

  it("test_default_timeout: Barrier(2, { timeout: 100 }) with one party breaks after the timeout", async () => {
    const barrier = new Barrier(2, { timeout: 100 });
    const started = performance.now();
    const [r] = await joinAll(bunch(
      (b: Barrier) => {
        try {
          b.wait();
          return "passed";
        } catch (e) {
          return e instanceof BrokenBarrierError ? "broken" : String(e);
        }
      },
      1,
      [barrier],
    ));
    assert.equal(r, "broken");
    assert.ok(performance.now() - started >= 99);
    assert.equal(barrier.broken, true);
    assert.throws(() => barrier.wait({ timeout: 1 }), BrokenBarrierError);
  });
});

describe("lock_tests.BaseSemaphoreTests (3.13)", () => {
  for (const type of [Semaphore, BoundedSemaphore]) {
    it(`test_acquire_contended (${type.name}): every blocked acquire returns true, in the counts of each phase`, async () => {
      const sem = new type(7);
      sem.acquire();
      const phase = new Int32Array(new SharedArrayBuffer(4 * 22));
      // phase[0]: the main thread's phase; phase[1 + 2i + j]: 1 + the phase
      // in which thread i's acquire j returned (recorded before the count);
      // phase[21]: the units taken so far.
      const threads = bunch(
        (sem: Semaphore, phase: Int32Array, i: number) => {
          const out: boolean[] = [];
          for (let j = 0; j < 2; j++) {
            const ok = sem.acquire({ timeout: 120_000 });
            out.push(ok);
            Atomics.store(phase, 1 + 2 * i + j, 1 + Atomics.load(phase, 0));
            Atomics.add(phase, 21, 1);
          }
          return out;
        },
        10,
        [sem, phase],
      );
      const taken = () => Atomics.load(phase, 21);
      await until(() => taken() >= 6, "6 units");
      assert.equal(taken(), 6);
      Atomics.store(phase, 0, 1);
      for (let i = 0; i < 7; i++) sem.release();
      await until(() => taken() >= 13, "13 units");
      Atomics.store(phase, 0, 2);
      sem.release(6);
      await until(() => taken() >= 19, "19 units");
      assert.equal(sem.acquire({ blocking: false }), false, "still locked");
      sem.release();
      const results = await joinAll(threads) as boolean[][];
      assert.deepEqual(results.flat(), Array(20).fill(true));
      assert.equal(taken(), 20);
      const phases = [...phase.subarray(1, 21)].map((p) => p - 1).sort();
      assert.deepEqual(phases, [
        ...Array(6).fill(0),
        ...Array(7).fill(1),
        ...Array(7).fill(2),
      ]);
    });
  }
});

describe("test_threading.ThreadTests (more)", () => {
  it("test_limbo_cleanup: a start that fails leaves no trace in enumerate(), and the thread is not alive", () => {
    const before = enumerate().length;
    const t = new Thread({
      target: (f: unknown) => typeof f,
      // deno-lint-ignore no-explicit-any
      args: [() => 0] as any,
    });
    assert.throws(() => t.start(), TypeError);
    assert.equal(enumerate().length, before);
    assert.equal(t.isAlive(), false);
    assert.equal(t.ident, undefined);
  });

  it("test_set_name: a name set before start() is the thread's name inside it", async () => {
    const t = new Thread({ target: () => currentThread().name });
    t.name = "renamed";
    t.start();
    assert.equal(await t.joinAsync(JOIN), "renamed");
    assert.equal(t.name, "renamed");
  });
});
