// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  Barrier,
  moduleTarget,
  RuntimeError,
  RWLock,
  Thread,
  TimeoutError,
} from "../../mod.ts";
import { sleep, until, wordChanged } from "../_helpers.ts";
import * as rwp from "../_workers/rw_programs.ts";

const PROGRAMS = new URL("../_workers/rw_programs.ts", import.meta.url);
const JOIN = { timeout: 60_000 };

describe("RWLock", () => {
  it("RWLock: readers share, a writer excludes readers and writers", () => {
    const rw = new RWLock();
    assert.equal(rw.acquireRead(), true);
    assert.equal(rw.acquireRead({ blocking: false }), true);
    assert.equal(rw.readers, 2);
    assert.equal(rw.acquireWrite({ blocking: false }), false);
    assert.equal(rw.acquireWrite({ timeout: 5 }), false);
    rw.releaseRead();
    rw.releaseRead();
    assert.equal(rw.locked(), false);
    assert.equal(rw.acquireWrite({ blocking: false }), true);
    assert.equal(rw.writeLocked(), true);
    assert.equal(rw.acquireRead({ blocking: false }), false);
    assert.equal(rw.acquireRead({ timeout: 5 }), false);
    assert.equal(rw.acquireWrite({ blocking: false }), false);
    rw.releaseWrite();
    assert.equal(rw.locked(), false);
  });

  it("RWLock.releaseRead()/releaseWrite() of a lock not so held throw RuntimeError and change nothing", () => {
    const rw = new RWLock();
    assert.throws(() => rw.releaseRead(), RuntimeError);
    assert.throws(() => rw.releaseWrite(), RuntimeError);
    rw.acquireRead();
    assert.throws(() => rw.releaseWrite(), RuntimeError);
    assert.equal(rw.readers, 1);
    rw.releaseRead();
    rw.acquireWrite();
    assert.throws(() => rw.releaseRead(), RuntimeError);
    assert.equal(rw.writeLocked(), true);
    rw.releaseWrite();
    assert.throws(
      () => rw.acquireRead({ blocking: false, timeout: 1 }),
      TypeError,
    );
    assert.throws(() => rw.acquireWrite({ timeout: -1 }), RangeError);
  });

  it("RWLock prefers writers: a waiting writer keeps new readers out, then gets the lock", async () => {
    const rw = new RWLock();
    rw.acquireRead();
    // started[0]: the writer's target runs (a cold thread start took tens of
    // seconds at load 40, and the wait below is for the lock, not for that).
    const started = new Int32Array(new SharedArrayBuffer(4));
    const w = new Thread({
      target: (rw: RWLock, started: Int32Array) => {
        Atomics.store(started, 0, 1);
        Atomics.notify(started, 0);
        const ok = rw.acquireWrite({ timeout: 20_000 });
        if (ok) rw.releaseWrite();
        return ok;
      },
      args: [rw, started],
    });
    w.start();
    try {
      assert.ok(
        await wordChanged(started, 0, 0, 120_000),
        "writer never started",
      );
      // Once the writer waits, a non-blocking read is refused even though
      // only readers hold the lock.
      await until(() => {
        if (!rw.acquireRead({ blocking: false })) return true;
        rw.releaseRead();
        return false;
      });
      assert.equal(rw.readers, 1);
    } finally {
      rw.releaseRead();
    }
    // The last reader's release wakes the writer: it does not sit out its
    // 20 s timeout (a lost wakeup would end in the timeout's last try).
    const released = performance.now();
    assert.equal(await w.joinAsync(JOIN), true);
    assert.ok(performance.now() - released < 10_000, "writer was not woken");
    assert.equal(rw.acquireRead({ blocking: false }), true); // writer gone
    rw.releaseRead();
  });

  it("RWLock: a writer that times out lets the readers it held back in", async () => {
    // The main thread must see the writer waiting before it times out; on a
    // loaded machine it may miss a short timeout's window, so a round that
    // missed it (the writer already gave up) runs again with a longer one.
    for (let timeout = 300;; timeout *= 4) {
      assert.ok(timeout <= 20_000, "never saw the writer waiting");
      const rw = new RWLock();
      rw.acquireRead();
      const w = new Thread({
        target: (rw: RWLock, timeout: number) => rw.acquireWrite({ timeout }),
        args: [rw, timeout],
      });
      w.start();
      try {
        let waiting = false;
        await until(() => {
          if (!rw.acquireRead({ blocking: false })) {
            waiting = true;
            return true;
          }
          rw.releaseRead();
          return !w.isAlive();
        }, "the writer waiting or gone");
        if (!waiting) {
          assert.equal(await w.joinAsync(JOIN), false);
          continue;
        }
        const r = new Thread({
          target: async (rw: RWLock) => {
            const ok = await rw.acquireReadAsync({ timeout: 20_000 });
            if (ok) rw.releaseRead();
            return ok;
          },
          args: [rw],
        });
        r.start(); // blocked by the waiting writer until it gives up
        assert.equal(await w.joinAsync(JOIN), false);
        assert.equal(await r.joinAsync(JOIN), true);
        return;
      } finally {
        rw.releaseRead();
      }
    }
  });

  it("RWLock.acquireWriteAsync() rejects with the signal's reason and leaves the lock usable", async () => {
    const rw = new RWLock();
    rw.acquireRead();
    const controller = new AbortController();
    const pending = rw.acquireWriteAsync({ signal: controller.signal });
    controller.abort(new Error("stop"));
    await assert.rejects(pending, /stop/);
    // The aborted writer left: readers enter again.
    assert.equal(rw.acquireRead({ blocking: false }), true);
    rw.releaseRead();
    rw.releaseRead();
    assert.equal(await rw.acquireWriteAsync({ timeout: 100 }), true);
    rw.releaseWrite();
  });

  it("RWLock guards and with-forms release on return and on throw", async () => {
    const rw = new RWLock();
    {
      using _r = rw.readGuard();
      assert.equal(rw.readers, 1);
    }
    {
      await using _w = await rw.writeGuardAsync();
      assert.equal(rw.writeLocked(), true);
    }
    assert.equal(rw.locked(), false);
    assert.throws(() =>
      rw.withWriteLock(() => {
        throw new Error("boom");
      }), /boom/);
    assert.equal(rw.locked(), false);
    await assert.rejects(
      rw.withReadLockAsync(async () => {
        await sleep(1);
        throw new Error("late");
      }),
      /late/,
    );
    assert.equal(rw.locked(), false);
    assert.equal(rw.withReadLock(() => rw.readers), 1);
    assert.equal(await rw.withWriteLockAsync(() => rw.writeLocked()), true);
    rw.acquireWrite();
    assert.throws(() => rw.readGuard({ timeout: 5 }), TimeoutError);
    assert.throws(
      () => rw.withReadLock(() => 1, { blocking: false }),
      RuntimeError,
    );
    rw.releaseWrite();
  });

  it("RWLock shows its state when inspected", () => {
    const rw = new RWLock();
    rw.acquireRead();
    assert.equal(
      inspect(rw),
      "RWLock { readers: 1, writer: false, writersWaiting: 0 }",
    );
    rw.releaseRead();
    rw.acquireWrite();
    assert.equal(
      inspect(rw),
      "RWLock { readers: 0, writer: true, writersWaiting: 0 }",
    );
    rw.releaseWrite();
  });

  it("RWLock stress: 3 readers overlap, 2 writers exclude everyone, exact counts, blocking and async mixed", async () => {
    const rw = new RWLock();
    const s = new Int32Array(new SharedArrayBuffer(rwp.SLOTS * 4));
    const READERS = 3, WRITERS = 2, N = 3000;
    // The readers meet while each holds a read lock (proof that reads
    // overlap), with the main thread as one more party; the writers start
    // only after that meeting. A writer waiting during it would hold back
    // the readers still to come while it waits for the ones already in:
    // writer preference's documented deadlock.
    const barrier = new Barrier(READERS + 1);
    const modes = ["blocking", "async", "mixed"] as const;
    const readers = modes.map((mode, i) =>
      new Thread({
        name: `reader-${i}`,
        target: moduleTarget<typeof rwp.reader>(PROGRAMS, "reader"),
        args: [rw, s, barrier, N, mode],
      })
    );
    const writers = ["mixed", "blocking"].map((mode, i) =>
      new Thread({
        name: `writer-${i}`,
        target: moduleTarget<typeof rwp.writer>(PROGRAMS, "writer"),
        args: [rw, s, N, mode as "mixed" | "blocking"],
      })
    );
    for (const t of readers) t.start();
    try {
      await barrier.waitAsync({ timeout: 30_000 });
    } finally {
      // Started either way, so that no thread is left behind on failure.
      for (const t of writers) t.start();
    }
    const threads = [...readers, ...writers];
    const results = await Promise.allSettled(
      threads.map((t) => t.joinAsync(JOIN)),
    );
    for (const r of results) {
      if (r.status === "rejected") throw r.reason;
      assert.equal(r.value, N);
    }
    assert.equal(s[rwp.VIOLATIONS], 0);
    assert.equal(s[rwp.VALUE], WRITERS * N);
    assert.equal(s[rwp.READS], READERS * N);
    assert.ok(
      s[rwp.MAX_READING] >= READERS,
      `max readers ${s[rwp.MAX_READING]}`,
    );
    assert.equal(s[rwp.READING], 0);
    assert.equal(s[rwp.WRITING], 0);
    assert.equal(rw.locked(), false);
  });

  it("RWLock placed in a caller's buffer rejects bad placement and travels to a thread", async () => {
    const buffer = new SharedArrayBuffer(64);
    assert.throws(() => new RWLock({ buffer, byteOffset: 2 }), RangeError);
    assert.throws(() => new RWLock({ buffer, byteOffset: 48 }), RangeError);
    assert.throws(
      () =>
        new RWLock({
          buffer: new ArrayBuffer(64) as unknown as SharedArrayBuffer,
        }),
      TypeError,
    );
    const rw = new RWLock({ buffer, byteOffset: 8 });
    rw.acquireWrite();
    const t = new Thread({
      target: (rw: RWLock) => rw.acquireRead({ blocking: false }),
      args: [rw],
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), false);
    rw.releaseWrite();
  });
});
