// Copyright 2026 the threadkit authors. MIT license.
// Regressions from the review of the primitives' wait/notify arguments: each
// test replays an interleaving that once lost a wakeup or corrupted state.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Condition, Lock, RLock, setExcepthook, Thread } from "../../mod.ts";
import { sleep, sleepers, until, wordChanged } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

describe("wait/notify regressions", () => {
  it("Lock: a cancelled async waiter does not swallow the wakeup meant for the next waiter", async () => {
    const buffer = new SharedArrayBuffer(Lock.byteLength);
    const lock = new Lock({ buffer, byteOffset: 0 });
    const gate = new Int32Array(new SharedArrayBuffer(8)); // [0] held, [1] release now
    const holder = new Thread({
      target: (lock: Lock, gate: Int32Array) => {
        lock.acquire();
        Atomics.store(gate, 0, 1);
        Atomics.notify(gate, 0);
        Atomics.wait(gate, 1, 0, 20_000);
        lock.release();
      },
      args: [lock, gate],
    });
    holder.start();
    assert.ok(await wordChanged(gate, 0, 0), "the holder has it");
    const waiter = new Thread({
      target: async (lock: Lock) => {
        await lock.acquireAsync(); // sleeps: the holder has it
        lock.release();
        return "acquired";
      },
      args: [lock],
    });
    waiter.start();
    await sleepers(new Int32Array(buffer), 0, 1); // asleep on the lock word
    waiter.cancel();
    // The main thread queues behind the cancelled waiter: with the lock
    // held, acquireAsync() is asleep on its word when it returns (its first
    // Atomics.waitAsync runs in the call: sync/lock.ts), so the release told
    // next comes after it, and soon after the cancel, while the waiter may
    // still sleep (it sees the cancel at a slice end). The release's
    // notify(1) may go to either, and must not be lost.
    const acquired = lock.acquireAsync({ timeout: 10_000 });
    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    assert.equal(await acquired, true);
    lock.release();
    await holder.joinAsync(JOIN);
    // The cancelled waiter either got the lock first or saw its cancel.
    await waiter.joinAsync(JOIN).catch((e) =>
      assert.equal(e.name, "CancelledError")
    );
  });

  it("RLock: an async Condition wait restores its depth on top of a same-thread holder", async () => {
    const rlock = new RLock();
    const cond = new Condition(rlock);
    await cond.acquireAsync();
    const a = cond.waitAsync({ timeout: 50 }); // task A releases everything
    await rlock.acquireAsync(); // task B, same thread: the same owner
    assert.equal(await a, false); // A timed out and took its level back
    cond.release(); // A leaves its critical section
    assert.equal(rlock.locked(), true, "B's level was lost");
    assert.doesNotThrow(() => rlock.release()); // B leaves
    assert.equal(rlock.locked(), false);
  });

  it("RLock.acquireAsync() records the owner at once: a blocking acquire right after reenters", async () => {
    const rlock = new RLock();
    const pending = rlock.acquireAsync();
    // No microtask has run: the lock must already be this thread's.
    assert.equal(rlock.acquire({ timeout: 300 }), true);
    assert.equal(await pending, true);
    rlock.release();
    rlock.release();
    assert.equal(rlock.locked(), false);
  });

  it("Thread: cancelling a thread does not cut short the wait for the threads it started", async () => {
    // [0] go, [1] child done, [2] child started, [3] the parent was joined
    const flags = new Int32Array(new SharedArrayBuffer(16));
    const errors: unknown[] = [];
    setExcepthook(({ error }) => errors.push(error));
    try {
      const parent = new Thread({
        target: (flags: Int32Array) => {
          const child = new Thread({
            target: (flags: Int32Array) => {
              Atomics.store(flags, 2, 1);
              Atomics.notify(flags, 2);
              Atomics.wait(flags, 0, 0, 20_000); // until the main thread says go
              // Outlives the parent's target: ends only once the main thread
              // has joined the parent (bounded past the join's bound).
              Atomics.wait(flags, 3, 0, 60_000);
              Atomics.store(flags, 1, 1);
              Atomics.notify(flags, 1);
            },
            args: [flags],
            daemon: false,
          });
          child.start();
          Atomics.wait(flags, 2, 0, 20_000); // child runs
          Atomics.wait(flags, 0, 0, 20_000); // cancelled meanwhile, not looking
          return "parent done";
        },
        args: [flags],
      });
      parent.start();
      // The child runs; the parent waits for word 0 without ever looking at
      // its cancel word, so it cannot end before the "go" below.
      await until(() => Atomics.load(flags, 2) === 1, "the child to run");
      parent.cancel();
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      assert.equal(await parent.joinAsync(JOIN), "parent done");
      assert.equal(Atomics.load(flags, 1), 0, "the child ended first");
      Atomics.store(flags, 3, 1);
      Atomics.notify(flags, 3);
      assert.ok(await wordChanged(flags, 1, 0), "the child finished");
      assert.equal(Atomics.load(flags, 1), 1, "the child did not finish");
      await sleep(50); // a quiet period: nothing is reported late
      assert.deepEqual(errors, [], "a spurious error was reported");
    } finally {
      Atomics.store(flags, 3, 1); // a failed case does not keep the child
      Atomics.notify(flags, 3);
      setExcepthook(undefined);
    }
  });
});
