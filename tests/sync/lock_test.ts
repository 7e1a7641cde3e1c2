// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Lock,
  RuntimeError,
  type Thread,
  Thread as ThreadClass,
  TimeoutError,
} from "../../mod.ts";
import { until, wordChanged } from "../_helpers.ts";

const counter = new URL("../_workers/counter.ts", import.meta.url);
const JOIN = { timeout: 30_000 };

describe("Lock", () => {
  it("Lock.acquire() in the seed program: thread2 blocks until thread1 releases", async () => {
    // Python seed: two threads share a list; thread1 holds the lock while it
    // changes sharedState[0], thread2 must only see the list after release.
    const lock = new Lock();
    const shared = new Int32Array(new SharedArrayBuffer(16));
    shared.set([1, 2, 3]);
    // [0] = thread1 holds the lock, [1] = thread2 tried it without blocking.
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const thread1 = new ThreadClass({
      name: "thread1",
      target: (lock: Lock, shared: Int32Array, flags: Int32Array) => {
        lock.acquire();
        Atomics.store(flags, 0, 1);
        Atomics.notify(flags, 0);
        // Holds the lock until thread2 found it held (bounded), not for a
        // fixed time: a thread2 that started late would find it free and
        // then deadlock on its own second acquire.
        Atomics.wait(flags, 1, 0, 20_000);
        shared[0] = 777;
        lock.release();
      },
      args: [lock, shared, flags],
    });
    thread1.start();
    // Wait (bounded) until thread1 holds the lock before thread2 starts.
    assert.ok(await wordChanged(flags, 0, 0, 10_000), "thread1 holds it");
    const thread2 = new ThreadClass({
      name: "thread2",
      target: (lock: Lock, shared: Int32Array, flags: Int32Array) => {
        const free = lock.acquire({ blocking: false });
        Atomics.store(flags, 1, 1);
        Atomics.notify(flags, 1);
        lock.acquire(); // blocks until thread1 releases
        const seen = shared[0];
        lock.release();
        return { free, seen };
      },
      args: [lock, shared, flags],
    });
    thread2.start();
    await thread1.joinAsync(JOIN);
    assert.deepEqual(await thread2.joinAsync(JOIN), { free: false, seen: 777 });
    assert.equal(lock.locked(), false);
  });

  it("Lock.acquire({ blocking: false }) returns false while another thread holds it", async () => {
    const lock = new Lock();
    lock.acquire();
    const t = new ThreadClass({
      target: (lock: Lock) => lock.acquire({ blocking: false }),
      args: [lock],
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), false);
    lock.release();
    const t2 = new ThreadClass({
      target: (lock: Lock) => {
        const got = lock.acquire({ blocking: false });
        if (got) lock.release();
        return got;
      },
      args: [lock],
    });
    t2.start();
    assert.equal(await t2.joinAsync(JOIN), true);
  });

  it("Lock.acquire({ timeout }) returns false after about the timeout", async () => {
    const lock = new Lock();
    lock.acquire();
    const t = new ThreadClass({
      target: (lock: Lock) => {
        const start = performance.now();
        const got = lock.acquire({ timeout: 150 });
        return { got, ms: performance.now() - start };
      },
      args: [lock],
    });
    t.start();
    const { got, ms } = await t.joinAsync(JOIN) as { got: boolean; ms: number };
    assert.equal(got, false);
    assert.ok(ms >= 149, `returned after ${ms} ms, before the timeout`);
    assert.ok(ms < 5_000, `returned after ${ms} ms`);
    // Same on the main thread, blocking and async.
    let start = performance.now();
    assert.equal(lock.acquire({ timeout: 60 }), false);
    assert.ok(performance.now() - start >= 59);
    start = performance.now();
    assert.equal(await lock.acquireAsync({ timeout: 60 }), false);
    assert.ok(performance.now() - start >= 59);
    lock.release();
  });

  it("Lock.acquireAsync() waits without blocking the event loop", async () => {
    const lock = new Lock();
    lock.acquire();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const pending = lock.acquireAsync({ timeout: 10_000 });
    await until(() => ticks >= 3, "3 timer ticks while the acquire waits");
    // Released by another thread: any thread may release a Lock.
    const t = new ThreadClass({
      target: (lock: Lock) => lock.release(),
      args: [lock],
    });
    t.start();
    assert.equal(await pending, true);
    clearInterval(timer);
    await t.joinAsync(JOIN);
    lock.release();
  });

  it("Lock.acquireAsync() rejects with the signal's reason and leaves the lock usable", async () => {
    const lock = new Lock();
    lock.acquire();
    const controller = new AbortController();
    const pending = lock.acquireAsync({
      signal: controller.signal,
      timeout: 10_000,
    });
    const other = lock.acquireAsync({ timeout: 10_000 });
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await assert.rejects(pending, { message: "stop" });
    lock.release();
    assert.equal(await other, true); // the other waiter still gets the lock
    lock.release();
    assert.throws(
      () => lock.acquire({ signal: AbortSignal.abort(new Error("early")) }),
      {
        message: "early",
      },
    );
    assert.equal(lock.locked(), false);
  });

  it("Lock.guard() releases at the end of a using scope, guardAsync too", async () => {
    const lock = new Lock();
    {
      using _held = lock.guard();
      assert.equal(lock.locked(), true);
      assert.throws(() => lock.guard({ timeout: 10 }), TimeoutError);
      assert.throws(() => lock.guard({ blocking: false }), RuntimeError);
    }
    assert.equal(lock.locked(), false);
    {
      await using _held = await lock.guardAsync();
      assert.equal(lock.locked(), true);
      await assert.rejects(lock.guardAsync({ timeout: 10 }), TimeoutError);
    }
    assert.equal(lock.locked(), false);
    const g = lock.guard();
    g.release();
    assert.throws(() => g.release(), RuntimeError);
    assert.equal(lock.locked(), false);
  });

  it("Lock.release() of an unlocked lock throws RuntimeError and changes nothing", () => {
    const lock = new Lock();
    assert.throws(() => lock.release(), {
      name: "RuntimeError",
      message: "Cannot release lock: lock is not locked",
    });
    assert.equal(lock.locked(), false);
    assert.equal(lock.acquire({ blocking: false }), true);
    lock.release();
  });

  it("Lock rejects bad placement with TypeError/RangeError and leaves the buffer untouched", () => {
    const sab = new SharedArrayBuffer(16);
    const bytes = new Uint8Array(sab).fill(0xaa);
    assert.throws(
      () => new Lock({ buffer: new ArrayBuffer(16) as never }),
      TypeError,
    );
    assert.throws(() => new Lock({ buffer: sab, byteOffset: 2 }), RangeError);
    assert.throws(() => new Lock({ buffer: sab, byteOffset: 16 }), RangeError);
    assert.throws(() => new Lock({ buffer: sab, byteOffset: -4 }), RangeError);
    assert.throws(
      () => new Lock({ buffer: new SharedArrayBuffer(2) }),
      RangeError,
    );
    assert.throws(() => new Lock({ byteOffset: 4 }), TypeError);
    assert.ok(
      bytes.every((b) => b === 0xaa),
      "buffer changed by a refused placement",
    );
    const placed = new Lock({ buffer: sab, byteOffset: 12 });
    assert.equal(placed.locked(), false);
    placed.acquire();
    assert.equal(new Int32Array(sab)[3], 1);
    assert.equal(Lock.byteLength, 4);
  });

  it("Lock.acquire() rejects a negative or NaN timeout, or a timeout with blocking: false", async () => {
    const lock = new Lock();
    assert.throws(() => lock.acquire({ timeout: -1 }), RangeError);
    assert.throws(() => lock.acquire({ timeout: NaN }), RangeError);
    assert.throws(() => lock.acquire({ timeout: "5" as never }), TypeError);
    assert.throws(
      () => lock.acquire({ blocking: false, timeout: 5 }),
      TypeError,
    );
    assert.throws(() => lock.acquireAsync({ timeout: -1 }), RangeError);
    assert.throws(() => lock.acquire({ signal: {} as never }), TypeError);
    assert.equal(lock.locked(), false, "a refused acquire took the lock");
    assert.equal(await lock.acquireAsync({ timeout: Infinity }), true);
    lock.release();
  });

  for (const mode of ["incBlocking", "incAsync", "incMixed"] as const) {
    it(`Lock keeps 4 threads x 50,000 ${mode} increments exact (200,000)`, async () => {
      const lock = new Lock();
      const shared = new Int32Array(new SharedArrayBuffer(4));
      const threads: Thread[] = [];
      for (let i = 0; i < 4; i++) {
        const t = new ThreadClass({
          target: { module: counter, export: mode },
          args: [lock, shared, 50_000],
        });
        t.start();
        threads.push(t);
      }
      for (const t of threads) {
        assert.equal(await t.joinAsync({ timeout: 60_000 }), 50_000);
      }
      assert.equal(shared[0], 200_000);
      assert.equal(lock.locked(), false);
    });
  }

  it("a lock word no thread could have written is a RangeError at the first slice end, not a wait for good", async () => {
    const buffer = new SharedArrayBuffer(8);
    const lock = new Lock({ buffer, byteOffset: 4 });
    const word = new Int32Array(buffer, 4, 1);
    const CONTENDED = 1 << 30;
    // Bit 31; CONTENDED with no holder; idents never issued in this process.
    for (const bad of [-1, 1 << 31 | 1, CONTENDED, 1 << 29, CONTENDED - 1]) {
      word[0] = bad;
      assert.throws(
        () => lock.acquire({ timeout: 10_000 }),
        (e: unknown) => e instanceof RangeError && /corrupt/.test(e.message),
        `0x${(bad >>> 0).toString(16)}`,
      );
      await assert.rejects(
        lock.acquireAsync({ timeout: 10_000 }),
        (e: unknown) => e instanceof RangeError,
      );
      // A release still frees it (any thread may release a Lock).
      lock.release();
      assert.equal(lock.acquire({ timeout: 1000 }), true);
      lock.release();
    }
    // A word naming a live thread (this one) is a held lock: waited for
    // until the timeout, as any holder is.
    word[0] = 1;
    assert.equal(lock.acquire({ timeout: 120 }), false);
    lock.release();
  });
});
