// Copyright 2026 the threadkit authors. MIT license.
// Condition.wait's short woken path (sync/_reacquire.ts, "The woken path"):
// each wait() refills its handle's own Sleep (so no option of one wait may
// leak into the next, and a wait() inside a wait() must not overwrite the
// outer one's), and a plain Lock is retaken with one try before the whole
// reacquire (which must still run, and keep mutual exclusion, when
// acquirers barge in). Real threads, exact counts, every wait bounded.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Condition, Lock, Thread } from "../../mod.ts";
import { setSliceHook } from "../../_core/wait.ts";

const JOIN = { timeout: 120_000 };

describe("Condition.wait: the handle's reused Sleep and the one-try retake", () => {
  it("each wait sees only its own options: a timed-out wait's deadline and an earlier wait's signal do not carry over", () => {
    const cond = new Condition(new Lock());
    const ctrl = new AbortController();
    cond.acquire();
    try {
      let t = performance.now();
      assert.equal(cond.wait({ timeout: 20, signal: ctrl.signal }), false);
      assert.ok(performance.now() - t >= 19);
      // The first wait's deadline has passed: a stale one would end this
      // wait at once.
      t = performance.now();
      assert.equal(cond.wait({ timeout: 60 }), false);
      assert.ok(performance.now() - t >= 59, "the second wait kept its time");
      // The first wait's signal is aborted now: a stale one would throw.
      ctrl.abort(new Error("stale"));
      assert.equal(cond.wait({ timeout: 5 }), false);
      assert.throws(
        () => cond.wait({ timeout: 5, signal: ctrl.signal }),
        /stale/,
      );
      assert.equal(cond.wait({ timeout: 0 }), false);
    } finally {
      cond.release();
    }
    assert.equal(cond.acquire({ blocking: false }), true); // held as before
    cond.release();
  });

  it("a wait() run inside a wait() (from a slice hook) gets its own Sleep: the outer wait keeps its timeout and returns false holding the lock", () => {
    const cond = new Condition(new Lock());
    let nested = 0;
    let nestedResult: boolean | undefined;
    setSliceHook(() => {
      if (nested++ > 0) return;
      // The outer wait has released the lock: take it, wait 5 ms, release.
      cond.acquire();
      try {
        nestedResult = cond.wait({ timeout: 5 });
      } finally {
        cond.release();
      }
    });
    try {
      cond.acquire();
      try {
        const t = performance.now();
        assert.equal(cond.wait({ timeout: 200 }), false);
        assert.ok(performance.now() - t >= 199, "the outer wait kept 200 ms");
        assert.equal(nestedResult, false);
        assert.ok(nested >= 1, "the hook ran at a slice end");
      } finally {
        cond.release();
      }
      assert.equal(cond.acquire({ blocking: false }), true); // released
      cond.release();
    } finally {
      setSliceHook(undefined);
    }
  });

  it("2 producers barge in on the lock while 2 consumers wait: every woken consumer retakes the lock (the try or the whole reacquire), 20,000 items each consumed once", async () => {
    // Words: ITEMS (plain, under the lock), PRODUCED, CONSUMED (plain,
    // under the lock: a lost update shows in the counts), DONE.
    const cond = new Condition(new Lock());
    const a = new Int32Array(new SharedArrayBuffer(16));
    const N = 10_000, TOTAL = 2 * N;
    const producer = (cond: Condition, a: Int32Array, n: number) => {
      for (let i = 0; i < n; i++) {
        cond.acquire();
        a[0]++;
        a[1]++;
        cond.notify();
        cond.release();
      }
      return n;
    };
    const consumer = (cond: Condition, a: Int32Array, total: number) => {
      let mine = 0;
      cond.acquire();
      try {
        for (;;) {
          while (a[0] === 0 && a[3] === 0) {
            if (!cond.wait({ timeout: 10_000 })) {
              throw new Error(`consumer: no item after ${mine}`);
            }
          }
          if (a[0] === 0) return mine; // done, nothing left
          a[0]--;
          a[2]++;
          mine++;
          if (a[2] === total) {
            a[3] = 1;
            cond.notifyAll(); // the other consumer may be waiting
          }
        }
      } finally {
        cond.release();
      }
    };
    const consumers = [1, 2].map(() =>
      new Thread({ target: consumer, args: [cond, a, TOTAL] })
    );
    const producers = [1, 2].map(() =>
      new Thread({ target: producer, args: [cond, a, N] })
    );
    for (const t of [...consumers, ...producers]) t.start();
    const made = await Promise.all(producers.map((t) => t.joinAsync(JOIN)));
    const got = await Promise.all(consumers.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(made, [N, N]);
    assert.equal(got[0] + got[1], TOTAL);
    assert.equal(a[0], 0);
    assert.equal(a[1], TOTAL);
    assert.equal(a[2], TOTAL);
    assert.equal(cond.acquire({ blocking: false }), true); // left free
    cond.release();
  });
});
