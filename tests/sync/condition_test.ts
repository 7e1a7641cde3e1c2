// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Condition,
  Lock,
  moduleTarget,
  RLock,
  RuntimeError,
  Thread,
} from "../../mod.ts";
import { sleepers, until } from "../_helpers.ts";
import type * as programs from "../_workers/sync_programs.ts";
import { isPrime } from "../_workers/sync_programs.ts";

const PROGRAMS = new URL("../_workers/sync_programs.ts", import.meta.url);
const JOIN = { timeout: 30_000 };

describe("Condition", () => {
  it("Condition.wait() in the seed prime printer: a finder and two printers, final notifyAll", async () => {
    const cond = new Condition();
    const s = new Int32Array(new SharedArrayBuffer(4 * 4096));
    const finder = new Thread({
      target: moduleTarget<typeof programs.condFinder>(PROGRAMS, "condFinder"),
      args: [cond, s],
    });
    const printers = [1, 2].map(() =>
      new Thread({
        target: moduleTarget<typeof programs.condPrinter>(
          PROGRAMS,
          "condPrinter",
        ),
        args: [cond, s],
      })
    );
    for (const t of printers) t.start();
    finder.start();
    await until(() => Atomics.load(s, 3) >= 40);
    // Let the threads exit: the seed's main thread.
    await cond.acquireAsync();
    s[2] = 1;
    cond.notifyAll();
    cond.release();
    const found = await finder.joinAsync(JOIN);
    const printed = await Promise.all(printers.map((t) => t.joinAsync(JOIN)));
    const count = s[3];
    assert.equal(printed[0] + printed[1], count);
    assert.ok(found - count <= 1, `found ${found}, printed ${count}`);
    const primes: number[] = [];
    for (let i = 1; primes.length < count; i++) if (isPrime(i)) primes.push(i);
    assert.deepEqual([...s.subarray(4, 4 + count)], primes);
  });

  it("Condition.wait() misses a notify that came first (seed missed signal): returns false after the timeout", async () => {
    const cond = new Condition();
    const task2 = new Thread({
      target: (cond: Condition) => {
        cond.acquire();
        cond.notify();
        cond.release();
      },
      args: [cond],
    });
    task2.start();
    await task2.joinAsync(JOIN);
    const task1 = new Thread({
      target: (cond: Condition) => {
        cond.acquire();
        const notified = cond.wait({ timeout: 200 });
        cond.release();
        return notified;
      },
      args: [cond],
    });
    task1.start();
    assert.equal(await task1.joinAsync(JOIN), false);
  });

  it("Condition.wait() returns false after the timeout, holding the lock again", async () => {
    const cond = new Condition(new Lock());
    cond.acquire();
    const t0 = performance.now();
    assert.equal(cond.wait({ timeout: 50 }), false);
    assert.ok(performance.now() - t0 >= 45);
    assert.equal(await cond.waitAsync({ timeout: 20 }), false);
    assert.equal(cond.acquire({ blocking: false }), false); // still held
    cond.release();
  });

  it("Condition.waitFor() returns the predicate's value (set by another thread), or its last value on timeout", async () => {
    const cond = new Condition();
    const state = new Int32Array(new SharedArrayBuffer(4));
    const setter = new Thread({
      target: (cond: Condition, state: Int32Array) => {
        using _held = cond.guard({ timeout: 20_000 });
        state[0] = 42;
        cond.notify();
      },
      args: [cond, state],
    });
    {
      // Held before the setter starts: its guard() gets the lock only when
      // waitFor() has found the predicate false, registered and let go, so
      // the set comes after the wait (no sleep in the setter orders it).
      using _held = cond.guard();
      setter.start();
      assert.equal(cond.waitFor(() => state[0], { timeout: 20_000 }), 42);
    }
    await setter.joinAsync(JOIN);
    await using _held = await cond.guardAsync();
    assert.equal(
      await cond.waitForAsync(() => state[0] - 42, { timeout: 20 }),
      0,
    );
    assert.equal(cond.waitFor(() => "", { timeout: 0 }), "");
  });

  it("Condition.notify(2) with 5 waiters (blocking and async) wakes exactly 2; notifyAll() wakes the rest", async () => {
    // The condition's words in a buffer of the test's (sync/_tickets.ts:
    // SEQ, WAITERS, PERMITS), beside [registered, woken].
    const buffer = new SharedArrayBuffer(Condition.byteLength + 8);
    const cond = new Condition(undefined, { buffer, byteOffset: 0 });
    const words = new Int32Array(buffer, 0, 3);
    const WAITERS = 1, PERMITS = 2;
    const counts = new Int32Array(buffer, Condition.byteLength, 2);
    const waiters = [0, 1, 2, 3, 4].map((i) =>
      new Thread({
        target: async (cond: Condition, counts: Int32Array, useAsync) => {
          await cond.acquireAsync();
          counts[0]++;
          const ok = useAsync
            ? await cond.waitAsync({ timeout: 20_000 })
            : cond.wait({ timeout: 20_000 });
          counts[1]++;
          cond.release();
          return ok;
        },
        args: [cond, counts, i % 2 === 1],
      })
    );
    for (const t of waiters) t.start();
    // registered == 5 seen under the lock: all five released it in wait().
    await until(() => {
      cond.acquire();
      const n = counts[0];
      cond.release();
      return n === 5;
    });
    cond.acquire();
    assert.equal(Atomics.load(words, WAITERS), 5);
    cond.notify(2);
    // Two permits for the five: a waiter returns true only with one.
    assert.deepEqual([words[WAITERS], words[PERMITS]], [3, 2]);
    cond.release();
    await until(() => Atomics.load(counts, 1) >= 2);
    // Both permits taken, three waiters still counted: none of them can
    // return (a wait that timed out would leave WAITERS; the timeout is 20 s).
    cond.acquire();
    assert.deepEqual(
      [words[WAITERS], words[PERMITS], counts[1]],
      [3, 0, 2],
    );
    cond.notify(0);
    cond.notifyAll();
    cond.release();
    const results = await Promise.all(waiters.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(results, [true, true, true, true, true]);
    assert.equal(counts[1], 5);
  });

  it("Condition.wait() and notify() without the lock throw RuntimeError and change nothing", async () => {
    for (const cond of [new Condition(), new Condition(new Lock())]) {
      assert.throws(() => cond.wait({ timeout: 10 }), RuntimeError);
      assert.throws(() => cond.waitAsync({ timeout: 10 }), RuntimeError);
      assert.throws(() => cond.waitForAsync(() => 1), RuntimeError);
      assert.throws(() => cond.notify(), RuntimeError);
      assert.throws(() => cond.notifyAll(), RuntimeError);
      assert.throws(() => cond.waitFor(() => false), RuntimeError);
      // Unchanged: the lock is free and the condition still works.
      assert.equal(cond.acquire({ blocking: false }), true);
      assert.equal(cond.wait({ timeout: 1 }), false);
      cond.release();
    }
    // An RLock held by another thread is not ours.
    const rlock = new RLock();
    const cond = new Condition(rlock);
    const go = new Int32Array(new SharedArrayBuffer(4));
    const holder = new Thread({
      target: (cond: Condition, go: Int32Array) => {
        cond.acquire();
        Atomics.store(go, 0, 1);
        while (Atomics.load(go, 0) !== 2) Atomics.wait(go, 0, 1, 10_000);
        cond.release();
      },
      args: [cond, go],
    });
    holder.start();
    await until(() => Atomics.load(go, 0) === 1);
    assert.throws(() => cond.notify(), RuntimeError);
    assert.throws(() => cond.wait({ timeout: 1 }), RuntimeError);
    Atomics.store(go, 0, 2);
    Atomics.notify(go, 0);
    await holder.joinAsync(JOIN);
    assert.equal(rlock.locked(), false);
  });

  it("Condition.wait() fully releases an RLock held 3 deep and restores the count", async () => {
    const rlock = new RLock();
    const cond = new Condition(rlock);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    rlock.acquire();
    rlock.acquire();
    cond.acquire();
    const other = new Thread({
      target: (cond: Condition, flag: Int32Array) => {
        if (!cond.acquire({ timeout: 20_000 })) return false;
        flag[0] = 1;
        cond.notify();
        cond.release();
        return true;
      },
      args: [cond, flag],
    });
    other.start();
    assert.equal(cond.waitFor(() => flag[0] === 1, { timeout: 20_000 }), true);
    assert.equal(await other.joinAsync(JOIN), true);
    rlock.release();
    rlock.release();
    assert.equal(rlock.locked(), true);
    rlock.release();
    assert.equal(rlock.locked(), false);
    assert.throws(() => rlock.release(), RuntimeError);
  });

  it("Condition.wait() with a signal: an abort throws its reason with the lock held again", async () => {
    const cond = new Condition();
    using _held = cond.guard();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("stop")), 20);
    await assert.rejects(
      cond.waitAsync({ signal: ac.signal, timeout: 20_000 }),
      /stop/,
    );
    assert.equal(cond.wait({ timeout: 1 }), false); // still ours
  });

  it("Condition rejects bad input with TypeError/RangeError and keeps its state", () => {
    assert.throws(() => new Condition({} as Lock), TypeError);
    assert.throws(
      () => new Condition(undefined, { buffer: new ArrayBuffer(12) as never }),
      TypeError,
    );
    assert.throws(
      () =>
        new Condition(undefined, {
          buffer: new SharedArrayBuffer(12),
          byteOffset: 2,
        }),
      RangeError,
    );
    const cond = new Condition();
    cond.acquire();
    assert.throws(() => cond.wait({ timeout: NaN }), RangeError);
    assert.throws(() => cond.wait({ timeout: -1 }), RangeError);
    assert.throws(
      () => cond.waitFor(() => false, { timeout: NaN }),
      RangeError,
    );
    assert.throws(() => cond.waitFor("x" as never), TypeError);
    assert.throws(() => cond.notify(-1), RangeError);
    assert.throws(() => cond.notify(1.5), RangeError);
    // Unchanged: still held once, no phantom waiter eats a notify.
    assert.equal(cond.wait({ timeout: 1 }), false);
    cond.release();
    assert.throws(() => cond.release(), RuntimeError);
  });

  it("Condition placed in a caller's buffer works across threads", async () => {
    const buffer = new SharedArrayBuffer(64);
    const lock = new Lock({ buffer, byteOffset: 0 });
    const cond = new Condition(lock, { buffer, byteOffset: 4 });
    const state = new Int32Array(buffer, 32, 1);
    const t = new Thread({
      target: (cond: Condition, state: Int32Array) => {
        using _held = cond.guard();
        return cond.waitFor(() => state[0], { timeout: 20_000 });
      },
      args: [cond, state],
    });
    t.start();
    // The thread sleeps in waitFor(): on the Condition's SEQ word (its first).
    await sleepers(new Int32Array(buffer, 4, 1), 0, 1);
    await cond.acquireAsync();
    state[0] = 7;
    cond.notifyAll();
    cond.release();
    assert.equal(await t.joinAsync(JOIN), 7);
  });

  it("Condition stress: bounded buffer, one Lock and two Conditions, 3 producers x 3 consumers x 20,000 items, each consumed once", async () => {
    const PER = 20_000;
    const lock = new Lock();
    const notFull = new Condition(lock);
    const notEmpty = new Condition(lock);
    const ring = new Int32Array(new SharedArrayBuffer(4 * (3 + 64)));
    const seen = new Int32Array(new SharedArrayBuffer(4 * 3 * PER));
    const threads = [
      ...[0, 1, 2].map((p) =>
        new Thread({
          target: moduleTarget<typeof programs.condProduce>(
            PROGRAMS,
            "condProduce",
          ),
          args: [notFull, notEmpty, ring, p * PER, PER],
        })
      ),
      ...[0, 1, 2].map((c) =>
        new Thread({
          target: moduleTarget<typeof programs.condConsume>(
            PROGRAMS,
            "condConsume",
          ),
          args: [notFull, notEmpty, ring, seen, PER, c === 2],
        })
      ),
    ];
    for (const t of threads) t.start();
    const done = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(done, Array(6).fill(PER));
    assert.equal(ring[2], 0);
    const wrong = seen.findIndex((n) => n !== 1);
    assert.equal(wrong, -1, `item ${wrong} consumed ${seen[wrong]} times`);
  });
  for (const form of ["wait", "waitAsync"] as const) {
    it(`Condition.${form}() in a cancelled thread reacquires the lock, then throws CancelledError`, async () => {
      const buffer = new SharedArrayBuffer(64);
      const rlock = new RLock({ buffer, byteOffset: 0 }); // inner lock: word 0
      const cond = new Condition(rlock, { buffer, byteOffset: 16 }); // SEQ: word 4
      const words = new Int32Array(buffer);
      const state = new Int32Array(new SharedArrayBuffer(4)); // 1 = waiting
      const t = new Thread({
        target: async (
          cond: Condition,
          rlock: RLock,
          state: Int32Array,
          form: string,
        ) => {
          cond.acquire();
          cond.acquire(); // two deep: both levels come back
          Atomics.store(state, 0, 1);
          try {
            if (form === "wait") cond.wait();
            else await cond.waitAsync();
            return "woken";
          } catch (error) {
            const owned = rlock.isOwned();
            cond.release();
            cond.release();
            return [(error as Error).name, owned];
          }
        },
        args: [cond, rlock, state, form],
      });
      t.start();
      await until(() => Atomics.load(state, 0) === 1, "the thread to wait");
      await sleepers(words, 4, 1); // asleep in the wait, on SEQ
      assert.equal(await cond.acquireAsync({ timeout: 10_000 }), true);
      t.cancel();
      // The thread sees the cancel, then must wait for us: asleep on the
      // lock word in its uninterruptible reacquire.
      await sleepers(words, 0, 1);
      assert.equal(
        t.isAlive(),
        true,
        "the cancelled wait returned without the lock",
      );
      cond.release();
      assert.deepEqual(await t.joinAsync(JOIN), ["CancelledError", true]);
    });
  }
});
