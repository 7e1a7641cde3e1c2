// Copyright 2026 the threadkit authors. MIT license.
// Condition's wake hand-off (sync/_handoff.ts): a notify by the thread that
// acquired the lock wakes its waiters at that thread's next Lock release.
// These tests check that no wake is lost on the paths where that release
// never comes (another thread releases the Lock) or comes from another lock,
// and that notify(n) still wakes at most n.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Condition, Event, Lock, RLock, Thread } from "../../mod.ts";
import { sleepers, until } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

/** A Condition over `lock` placed in a buffer, with its words visible. */
function placed(lock: Lock | RLock): { cond: Condition; words: Int32Array } {
  const buffer = new SharedArrayBuffer(Condition.byteLength);
  // words: [SEQ, WAITERS, PERMITS] (sync/_tickets.ts)
  const words = new Int32Array(buffer);
  return { cond: new Condition(lock, { buffer, byteOffset: 0 }), words };
}

/**
 * A started thread that waits on `cond` (timeout 20 s) and returns the
 * result, with `Date.now()` when the wait returned if `stamp` is set.
 */
function waiter(cond: Condition, stamp = false): Thread {
  const t = new Thread({
    name: "waiter",
    target: (cond: Condition, stamp: boolean) => {
      cond.acquire();
      try {
        const got = cond.wait({ timeout: 20_000 });
        return stamp ? [got, Date.now()] : got;
      } finally {
        cond.release();
      }
    },
    args: [cond, stamp],
  });
  t.start();
  return t;
}

describe("Condition wake hand-off", () => {
  it("a notify whose Lock another thread releases still wakes the waiter (the notifier never releases)", async () => {
    const lock = new Lock();
    const { cond, words } = placed(lock);
    const w = waiter(cond, true);
    await sleepers(words, 0, 1); // the waiter sleeps on SEQ
    const notified = new Event(), go = new Event();
    // The notifier acquires the Lock, notifies (its wake is deferred to its
    // own next release) and then blocks without releasing any lock.
    const n = new Thread({
      name: "notifier",
      target: (lock: Lock, cond: Condition, notified: Event, go: Event) => {
        lock.acquire();
        cond.notify();
        notified.set();
        return go.wait({ timeout: 20_000 });
      },
      args: [lock, cond, notified, go],
    });
    n.start();
    assert.equal(await notified.waitAsync({ timeout: 20_000 }), true);
    assert.equal(Atomics.load(words, 1), 0); // granted: WAITERS 1 -> 0
    const released = Date.now(); // wall clock: the same in every thread
    lock.release(); // any thread may release a Lock
    const [got, woke] = await w.joinAsync(JOIN) as [boolean, number];
    assert.equal(got, true);
    // Seen at the waiter's next slice end (50 ms), not at its timeout.
    assert.ok(woke - released < 2_000, `woke ${woke - released} ms after`);
    go.set();
    assert.equal(await n.joinAsync(JOIN), true);
    assert.equal(lock.locked(), false);
  });

  it("the same with the waiter in waitAsync (no timeout): its sleep keeps timed slices, so it sees the grant", async () => {
    const lock = new Lock();
    const { cond, words } = placed(lock);
    // An async waiter in a thread: with an untimed long slice (_core/wait.ts)
    // it would sleep through the grant, whose wake is never issued.
    const w = new Thread({
      name: "async waiter",
      target: async (cond: Condition) => {
        await cond.acquireAsync();
        try {
          const got = await cond.waitAsync();
          return [got, Date.now()];
        } finally {
          cond.release();
        }
      },
      args: [cond],
    });
    w.start();
    await sleepers(words, 0, 1);
    const notified = new Event(), go = new Event();
    const n = new Thread({
      name: "notifier",
      target: (lock: Lock, cond: Condition, notified: Event, go: Event) => {
        lock.acquire();
        cond.notify();
        notified.set();
        return go.wait({ timeout: 20_000 });
      },
      args: [lock, cond, notified, go],
    });
    n.start();
    assert.equal(await notified.waitAsync({ timeout: 20_000 }), true);
    assert.equal(Atomics.load(words, 1), 0); // granted
    const released = Date.now();
    lock.release();
    // A lost wake never returns (no timeout) and fails at the join's bound;
    // this bound only says the grant was seen at a slice end, with room for
    // a loaded machine.
    const [got, woke] = await w.joinAsync(JOIN) as [boolean, number];
    assert.equal(got, true);
    assert.ok(woke - released < 10_000, `woke ${woke - released} ms after`);
    go.set();
    assert.equal(await n.joinAsync(JOIN), true);
    assert.equal(lock.locked(), false);
  });

  it("a notify by a thread that did not acquire the Lock wakes the waiter when the holder releases", async () => {
    const lock = new Lock();
    const { cond, words } = placed(lock);
    const w = waiter(cond);
    await sleepers(words, 0, 1);
    lock.acquire(); // this thread holds it; another thread notifies
    const n = new Thread({
      name: "notifier",
      target: (cond: Condition) => cond.notify(),
      args: [cond],
    });
    n.start();
    await n.joinAsync(JOIN);
    assert.equal(Atomics.load(words, 1), 0);
    lock.release();
    assert.equal(await w.joinAsync(JOIN), true);
  });

  it("notify() under an RLock held twice wakes the waiter once the lock is free, at the caller's depth", async () => {
    const rlock = new RLock();
    const { cond, words } = placed(rlock);
    const w = waiter(cond);
    await sleepers(words, 0, 1);
    rlock.acquire();
    rlock.acquire();
    cond.notify();
    rlock.release(); // depth 1: still held, nothing issued yet
    assert.equal(rlock.isOwned(), true);
    rlock.release();
    assert.equal(await w.joinAsync(JOIN), true);
    assert.equal(rlock.locked(), false);
  });

  it("a release of another lock first: the waiter takes its permit and waits for the lock", async () => {
    const lock = new Lock(), other = new Lock();
    const { cond, words } = placed(lock);
    const w = waiter(cond);
    await sleepers(words, 0, 1);
    lock.acquire();
    other.acquire();
    cond.notify();
    other.release(); // issues the wake; the waiter finds `lock` held
    // The waiter took its permit (PERMITS back to 0) while the lock is held.
    await until(() => Atomics.load(words, 2) === 0, "the permit taken");
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(await w.joinAsync(JOIN), true);
  });

  it("70 Conditions over one Lock notified under one hold (more than the deferred list holds) all wake; notify twice sums", async () => {
    const lock = new Lock();
    const conds = Array.from({ length: 70 }, () => placed(lock));
    const waits: Promise<boolean>[] = [];
    for (const { cond } of conds) {
      await cond.acquireAsync();
      // wait releases the lock, and returns holding it again.
      waits.push(
        cond.waitAsync({ timeout: 20_000 }).finally(() => cond.release()),
      );
    }
    // Two more waiters on the first condition, woken by two notify(1).
    const extra = [0, 1].map(() => waiter(conds[0].cond));
    await until(() => Atomics.load(conds[0].words, 1) === 3, "3 waiters");
    lock.acquire();
    for (const { cond } of conds) cond.notify();
    conds[0].cond.notify();
    conds[0].cond.notify();
    lock.release();
    assert.deepEqual(await Promise.all(waits), conds.map(() => true));
    for (const t of extra) assert.equal(await t.joinAsync(JOIN), true);
    for (const { words } of conds) {
      assert.deepEqual([...words.subarray(1)], [0, 0]);
    }
  });

  it("notify(1) under a hold with 3 waiters grants and wakes exactly one; notify(2) the others", async () => {
    const lock = new Lock();
    const { cond, words } = placed(lock);
    const ws = [0, 1, 2].map(() => waiter(cond));
    await until(() => Atomics.load(words, 1) === 3, "3 waiters");
    await sleepers(words, 0, 3);
    lock.acquire();
    cond.notify(1);
    lock.release();
    await until(() => ws.some((t) => !t.isAlive()), "one woken");
    // One permit granted and taken; two waiters still counted.
    assert.deepEqual([...words.subarray(1)], [2, 0]);
    lock.acquire();
    cond.notify(2);
    lock.release();
    const results = await Promise.all(ws.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(results, [true, true, true]);
  });
});
