// Copyright 2026 the threadkit authors. MIT license.
// AbortSignal on every async wait of the public API (the first set is in
// tests/cpython/probes_test.ts): a signal already aborted rejects with its
// reason and takes nothing, even where the call could succeed at once; a
// signal aborted during the wait rejects with its reason, takes nothing,
// and leaves the primitive usable. Waits held up by another thread (RLock,
// RWLock, Thread.join) are held by a real thread released through an Event.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  asCompleted,
  Barrier,
  Condition,
  Event,
  Lock,
  Queue,
  RLock,
  RWLock,
  Semaphore,
  type SharedPlacement,
  SimpleQueue,
  Thread,
  ThreadPoolExecutor,
  waitAsync,
} from "../../mod.ts";
import { blocker, within } from "../pool/_fixtures.ts";
import { until } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

/**
 * Aborts `controller` once the wait is asleep: when the primitive's words are
 * reachable (`words`: views of the buffers it is placed in), once a notify on
 * them finds a sleeper (harmless: every threadkit wait re-checks and sleeps
 * again, tests/_helpers.ts `sleepers`); else (the heap queues, a Thread's
 * join, futures) after a 15 ms timer, which makes the sleep likely only; the
 * abort comes after the call began either way. Awaited before the check of
 * `pending`, which gets a handler first (no unhandled rejection meanwhile).
 */
async function abortSoon(
  controller: AbortController,
  reason: Error,
  pending: Promise<unknown>,
  words: Int32Array[] = [],
): Promise<void> {
  pending.catch(() => {});
  if (words.length > 0) {
    await until(() => {
      let woken = 0;
      for (const w of words) {
        for (let i = 0; i < w.length; i++) woken += Atomics.notify(w, i);
      }
      return woken > 0;
    }, "the wait asleep");
  } else await new Promise((r) => setTimeout(r, 15));
  controller.abort(reason);
}

/** A primitive of `type` placed in a buffer of its own, and a view of it. */
function placed<T>(
  type: { byteLength: number; new (p: SharedPlacement): T },
): [T, Int32Array] {
  const buffer = new SharedArrayBuffer(type.byteLength);
  return [new type({ buffer, byteOffset: 0 }), new Int32Array(buffer)];
}

describe("probes: a signal already aborted", () => {
  it("every async wait rejects with its reason and takes nothing, even where it could succeed at once", async () => {
    const signal = AbortSignal.abort(new Error("pre"));
    const lock = new Lock();
    const rlock = new RLock();
    const rw = new RWLock();
    const sem = new Semaphore(1);
    const set = new Event();
    set.set();
    const cond = new Condition();
    const one = new Barrier(1);
    const full = new Queue<number>({ capacity: 2 });
    full.put(1);
    const roomy = new Queue<number>({ capacity: 2 });
    const simple = new SimpleQueue<number>();
    simple.put(2);
    const unbounded = new Queue<number>();
    unbounded.put(3);
    const calls: [string, () => Promise<unknown>][] = [
      ["Lock.acquireAsync", () => lock.acquireAsync({ signal })],
      ["Lock.guardAsync", () => lock.guardAsync({ signal })],
      ["RLock.acquireAsync", () => rlock.acquireAsync({ signal })],
      ["RWLock.acquireReadAsync", () => rw.acquireReadAsync({ signal })],
      ["RWLock.acquireWriteAsync", () => rw.acquireWriteAsync({ signal })],
      ["Semaphore.acquireAsync", () => sem.acquireAsync({ signal })],
      ["Event.waitAsync (set)", () => set.waitAsync({ signal })],
      ["Condition.acquireAsync", () => cond.acquireAsync({ signal })],
      ["Barrier(1).waitAsync", () => one.waitAsync({ signal })],
      ["Queue.getAsync (an item)", () => full.getAsync({ signal })],
      ["Queue.getManyAsync (an item)", () => full.getManyAsync(1, { signal })],
      ["Queue.putAsync (room)", () => roomy.putAsync(1, { signal })],
      ["Queue.joinAsync (no tasks)", () => roomy.joinAsync({ signal })],
      ["SimpleQueue.getAsync (an item)", () => simple.getAsync({ signal })],
      [
        "unbounded Queue.getAsync (an item)",
        () => unbounded.getAsync({ signal }),
      ],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(call(), { message: "pre" }, name);
    }
    assert.equal(lock.locked(), false);
    assert.equal(rlock.locked(), false);
    assert.equal(rw.locked(), false);
    assert.equal(sem.value, 1);
    assert.equal(cond.acquire({ blocking: false }), true, "not held");
    cond.release();
    assert.equal(one.broken, false);
    assert.equal(full.qsize(), 1);
    assert.equal(roomy.qsize(), 0);
    assert.equal(simple.qsize(), 1);
    assert.equal(unbounded.qsize(), 1);
  });

  it("executor: submitWith, map, waitAsync, asCompleted and Future.result with an aborted signal", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const signal = AbortSignal.abort(new Error("pre"));
    const id = (x: number) => x;
    assert.throws(() => pool.submitWith(id, [1], { signal }), {
      message: "pre",
    });
    const f = pool.submit(id, 1);
    assert.equal(await within(f), 1);
    assert.throws(() => f.result({ signal }), { message: "pre" });
    await assert.rejects(waitAsync([f], { signal }), { message: "pre" });
    const it = asCompleted([f], { signal })[Symbol.asyncIterator]();
    await assert.rejects(it.next(), { message: "pre" });
    const m = pool.map(id, [1, 2], { signal })[Symbol.asyncIterator]();
    await assert.rejects(m.next(), { message: "pre" });
  });
});

describe("probes: a signal aborted during the wait", () => {
  it("RLock, RWLock (read and write), Condition and guardAsync held by another thread: the reason, then usable", async () => {
    const [rlock, rlockWords] = placed(RLock);
    const [rw, rwWords] = placed(RWLock);
    const [lock, lockWords] = placed(Lock);
    const [condLock, condWords] = placed(RLock);
    const cond = new Condition(condLock);
    const holding = new Event(), done = new Event();
    const t = new Thread({
      target: (
        rlock: RLock,
        rw: RWLock,
        lock: Lock,
        cond: Condition,
        holding: Event,
        done: Event,
      ) => {
        rlock.acquire();
        rw.acquireWrite();
        lock.acquire();
        cond.acquire();
        holding.set();
        done.wait({ timeout: 30_000 });
        cond.release();
        lock.release();
        rw.releaseWrite();
        rlock.release();
      },
      args: [rlock, rw, lock, cond, holding, done],
    });
    t.start();
    try {
      assert.equal(await holding.waitAsync(JOIN), true);
      const waits: [
        string,
        (signal: AbortSignal) => Promise<unknown>,
        Int32Array,
      ][] = [
        ["RLock", (signal) => rlock.acquireAsync({ signal }), rlockWords],
        ["RWLock read", (signal) => rw.acquireReadAsync({ signal }), rwWords],
        ["RWLock write", (signal) => rw.acquireWriteAsync({ signal }), rwWords],
        ["Condition", (signal) => cond.acquireAsync({ signal }), condWords],
        ["Lock.guardAsync", (signal) => lock.guardAsync({ signal }), lockWords],
        [
          "RWLock.readGuardAsync",
          (signal) => rw.readGuardAsync({ signal }),
          rwWords,
        ],
      ];
      for (const [name, wait, words] of waits) {
        const c = new AbortController();
        const pending = wait(c.signal);
        await abortSoon(c, new Error(`stop ${name}`), pending, [words]);
        await assert.rejects(pending, { message: `stop ${name}` }, name);
      }
    } finally {
      done.set();
    }
    await t.joinAsync(JOIN);
    // Nothing was taken by the aborted waits.
    assert.equal(rlock.acquire({ blocking: false }), true);
    assert.equal(rlock.count, 1);
    rlock.release();
    assert.equal(rw.acquireWrite({ blocking: false }), true);
    rw.releaseWrite();
    assert.equal(lock.locked(), false);
    assert.equal(cond.acquire({ blocking: false }), true);
    cond.release();
  });

  it("Condition.waitForAsync, SimpleQueue, unbounded Queue and getManyAsync: the reason, nothing taken", async () => {
    const [condLock, lockWords] = placed(Lock);
    const condBuffer = new SharedArrayBuffer(Condition.byteLength);
    const cond = new Condition(condLock, { buffer: condBuffer, byteOffset: 0 });
    const simple = new SimpleQueue<number>();
    const unbounded = new Queue<number>();
    const init = { capacity: 2, type: "int32" } as const;
    const queueBuffer = new SharedArrayBuffer(Queue.byteLength(init));
    const bounded = new Queue<number>({
      ...init,
      buffer: queueBuffer,
      byteOffset: 0,
    });
    const waits: [
      string,
      (signal: AbortSignal) => Promise<unknown>,
      Int32Array[],
    ][] = [
      [
        "waitForAsync",
        (signal) =>
          cond.withLockAsync(() => cond.waitForAsync(() => false, { signal })),
        [new Int32Array(condBuffer), lockWords],
      ],
      ["SimpleQueue.getAsync", (signal) => simple.getAsync({ signal }), []],
      [
        "SimpleQueue.getManyAsync",
        (signal) => simple.getManyAsync(4, { signal }),
        [],
      ],
      ["unbounded getAsync", (signal) => unbounded.getAsync({ signal }), []],
      [
        "int32 getManyAsync",
        (signal) => bounded.getManyAsync(2, { signal }),
        [new Int32Array(queueBuffer)],
      ],
    ];
    for (const [name, wait, words] of waits) {
      const c = new AbortController();
      const pending = wait(c.signal);
      await abortSoon(c, new Error(`stop ${name}`), pending, words);
      await assert.rejects(pending, { message: `stop ${name}` }, name);
    }
    assert.equal(cond.acquire({ blocking: false }), true, "released after");
    cond.release();
    simple.put(1);
    unbounded.put(2);
    bounded.put(3);
    assert.equal(await simple.getAsync(JOIN), 1);
    assert.equal(await unbounded.getAsync(JOIN), 2);
    assert.deepEqual(await bounded.getManyAsync(2, JOIN), [3]);
  });

  it("Thread.joinAsync: the reason, and the thread runs on and is joined later", async () => {
    const go = new Event();
    const t = new Thread({
      target: (go: Event) => go.wait({ timeout: 30_000 }),
      args: [go],
    });
    t.start();
    const c = new AbortController();
    const pending = t.joinAsync({ signal: c.signal });
    await abortSoon(c, new Error("stop join"), pending);
    await assert.rejects(pending, { message: "stop join" });
    assert.equal(t.isAlive(), true);
    go.set();
    assert.equal(await t.joinAsync(JOIN), true);
  });

  it("executor: waitAsync and asCompleted end with the reason; the Futures are untouched", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    const f = pool.submit(blocker, release, started);
    await within(started.waitAsync(JOIN));
    const c1 = new AbortController();
    const w = waitAsync([f], { signal: c1.signal });
    await abortSoon(c1, new Error("stop wait"), w);
    await assert.rejects(w, { message: "stop wait" });
    const c2 = new AbortController();
    const it = asCompleted([f], { signal: c2.signal })[Symbol.asyncIterator]();
    const next = it.next();
    await abortSoon(c2, new Error("stop asCompleted"), next);
    await assert.rejects(next, { message: "stop asCompleted" });
    assert.equal(f.done(), false);
    assert.equal(f.cancelled(), false);
    release.set();
    assert.equal(await within(f), "released");
  });
});
