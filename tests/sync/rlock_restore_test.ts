// Copyright 2026 the threadkit authors. MIT license.
// RLock.restoreCount() (public, for Condition): bad counts and callers that
// do not own the lock are refused and change nothing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RLock, RuntimeError, Thread } from "../../mod.ts";

describe("RLock.restoreCount", () => {
  it('RLock.restoreCount() refuses NaN, -5, 1.5, 0 and "x" with a RangeError and keeps the depth', () => {
    const r = new RLock();
    r.acquire();
    try {
      for (const bad of [NaN, -5, 1.5, 0, "x", 2 ** 31]) {
        assert.throws(() => r.restoreCount(bad as number), RangeError);
      }
      r.release();
      assert.equal(r.locked(), false, "depth stayed 1");
    } finally {
      if (r.isOwned()) r.release();
    }
  });

  it("RLock.restoreCount() from a thread that does not own the lock throws RuntimeError; the owner's releases free it", async () => {
    const r = new RLock();
    r.acquire();
    const t = new Thread({
      target: (lock: RLock) => {
        try {
          lock.restoreCount(3);
          return "accepted";
        } catch (error) {
          return (error as Error).name;
        }
      },
      args: [r],
    });
    t.start();
    assert.equal(await t.joinAsync({ timeout: 20_000 }), "RuntimeError");
    r.release();
    assert.equal(r.locked(), false);
    assert.throws(() => r.restoreCount(2), RuntimeError, "not held at all");
  });
});
