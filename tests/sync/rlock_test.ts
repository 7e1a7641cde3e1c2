// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  RLock,
  RuntimeError,
  type Thread,
  Thread as ThreadClass,
} from "../../mod.ts";
import { sleepers } from "../_helpers.ts";

const counter = new URL("../_workers/counter.ts", import.meta.url);
const JOIN = { timeout: 30_000 };

describe("RLock", () => {
  it("RLock acquired twice by the main thread: a child blocks until both releases", async () => {
    const buffer = new SharedArrayBuffer(RLock.byteLength);
    const rlock = new RLock({ buffer, byteOffset: 0 });
    assert.equal(rlock.acquire(), true);
    assert.equal(rlock.acquire(), true);
    const got = new Int32Array(new SharedArrayBuffer(4));
    const child = new ThreadClass({
      target: (rlock: RLock, got: Int32Array) => {
        rlock.acquire();
        Atomics.store(got, 0, 1);
        rlock.release();
        return "child task executing";
      },
      args: [rlock, got],
    });
    child.start();
    rlock.release(); // one level left: the child must still be blocked
    await sleepers(new Int32Array(buffer), 0, 1); // asleep on the lock word
    assert.equal(
      Atomics.load(got, 0),
      0,
      "child acquired while the main thread still owned the lock",
    );
    assert.equal(rlock.locked(), true);
    rlock.release();
    assert.equal(await child.joinAsync(JOIN), "child task executing");
    assert.equal(Atomics.load(got, 0), 1);
    assert.equal(rlock.locked(), false);
  });

  it("RLock.release() by a thread that does not own it throws RuntimeError in that thread", async () => {
    const rlock = new RLock();
    rlock.acquire(); // owned by the main thread
    const t = new ThreadClass({
      target: (rlock: RLock) => rlock.release(),
      args: [rlock],
    });
    t.start();
    await assert.rejects(t.joinAsync(JOIN), (error: unknown) => {
      assert.ok(error instanceof RuntimeError, "arrives as a RuntimeError");
      assert.equal((error as Error).name, "RuntimeError");
      assert.equal(
        (error as Error).message,
        "Cannot release lock: lock is not held by this thread",
      );
      return true;
    });
    assert.equal(rlock.locked(), true, "the refused release changed the lock");
    assert.equal(rlock.isOwned(), true);
    rlock.release();
    assert.throws(() => rlock.release(), RuntimeError);
    assert.equal(rlock.locked(), false);
  });

  it("RLock supports arbitrary nesting by its owner", () => {
    const rlock = new RLock();
    rlock.acquire();
    rlock.acquire();
    rlock.acquire();
    rlock.release();
    rlock.acquire();
    rlock.release();
    rlock.release();
    assert.equal(rlock.locked(), true);
    rlock.release();
    assert.equal(rlock.locked(), false);
    assert.equal(rlock.isOwned(), false);
  });

  it("RLock.acquire({ blocking: false }) and timeouts fail for another thread, succeed for the owner", async () => {
    const rlock = new RLock();
    rlock.acquire();
    assert.equal(
      rlock.acquire({ blocking: false }),
      true,
      "owner reenters without blocking",
    );
    rlock.release();
    const t = new ThreadClass({
      target: (rlock: RLock) => {
        const start = performance.now();
        return [
          rlock.acquire({ blocking: false }),
          rlock.acquire({ timeout: 80 }),
          performance.now() - start,
        ];
      },
      args: [rlock],
    });
    t.start();
    const [a, b, ms] = await t.joinAsync(JOIN) as [boolean, boolean, number];
    assert.equal(a, false);
    assert.equal(b, false);
    assert.ok(ms >= 79);
    assert.equal(
      await rlock.acquireAsync({ timeout: 10 }),
      true,
      "owner reenters async",
    );
    rlock.release();
    rlock.release();
  });

  it("RLock.guard() releases one level per scope", async () => {
    const rlock = new RLock();
    {
      using _a = rlock.guard();
      {
        await using _b = await rlock.guardAsync();
        assert.equal(rlock.locked(), true);
      }
      assert.equal(rlock.isOwned(), true);
    }
    assert.equal(rlock.locked(), false);
  });

  it("RLock rejects bad placement and bad timeouts, changing nothing", () => {
    const sab = new SharedArrayBuffer(16);
    new Uint8Array(sab).fill(7);
    assert.throws(() => new RLock({ buffer: sab, byteOffset: 8 }), RangeError); // 12 B do not fit
    assert.throws(() => new RLock({ buffer: sab, byteOffset: 1 }), RangeError);
    assert.throws(
      () => new RLock({ buffer: new ArrayBuffer(12) as never }),
      TypeError,
    );
    assert.ok(new Uint8Array(sab).every((b) => b === 7));
    const rlock = new RLock({ buffer: sab, byteOffset: 4 });
    assert.throws(() => rlock.acquire({ timeout: NaN }), RangeError);
    rlock.acquire();
    // Also when the caller already owns it: bad input fails the same way.
    assert.throws(() => rlock.acquire({ timeout: -5 }), RangeError);
    rlock.release();
    assert.equal(rlock.locked(), false);
  });

  for (
    const mode of [
      "incBlocking",
      "incAsync",
      "incMixed",
      "incReentrant",
    ] as const
  ) {
    it(`RLock keeps 4 threads x 50,000 ${mode} increments exact (200,000)`, async () => {
      const rlock = new RLock();
      const shared = new Int32Array(new SharedArrayBuffer(4));
      const threads: Thread[] = [];
      for (let i = 0; i < 4; i++) {
        const t = new ThreadClass({
          target: { module: counter, export: mode },
          args: [rlock, shared, 50_000],
        });
        t.start();
        threads.push(t);
      }
      for (const t of threads) {
        assert.equal(await t.joinAsync({ timeout: 60_000 }), 50_000);
      }
      assert.equal(shared[0], 200_000);
      assert.equal(rlock.locked(), false);
    });
  }
});
