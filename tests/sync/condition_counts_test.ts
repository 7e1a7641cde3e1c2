// Copyright 2026 the threadkit authors. MIT license.
// Condition's exact counts under real threads: every permit a notify grants
// ends exactly one wait() with true (a timeout that races it included), a
// notifyAll never wakes a waiter registered after it, and every return
// holds the lock as Python's contract says (an RLock at its depth).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Condition, type Lock, type RLock, Thread } from "../../mod.ts";
import { sleepers, stressSize, until } from "../_helpers.ts";
import { subject } from "./_stack_end_wait.ts";

const JOIN = { timeout: 120_000 };
// Condition words (sync/_tickets.ts).
const SEQ = 0, WAITERS = 1, PERMITS = 2;

// stats: [0] trues, [1] falses, [2] contract violations, [3] waiters done,
// [4] threads inside the lock, [5] errors
function waiterTarget(
  cond: Condition,
  lock: Lock | RLock,
  stats: Int32Array,
  id: number,
  m: number,
  depth: number,
): number[] {
  let t = 0, f = 0, bad = 0;
  const timeouts = [0, 0.2, 0.5, 1, 2, 3];
  const inside = () => {
    if (Atomics.add(stats, 4, 1) !== 0) bad++;
  };
  const outside = () => Atomics.sub(stats, 4, 1);
  try {
    for (let i = 0; i < m; i++) {
      for (let d = 0; d < depth; d++) cond.acquire();
      inside();
      outside();
      const r = cond.wait({ timeout: timeouts[(i + id) % timeouts.length] });
      inside();
      if (depth > 1 && !(lock as RLock).isOwned()) bad++;
      if (r) t++;
      else f++;
      outside();
      for (let d = 0; d < depth; d++) cond.release();
    }
  } catch (e) {
    Atomics.add(stats, 5, 1);
    throw e;
  } finally {
    Atomics.add(stats, 0, t);
    Atomics.add(stats, 1, f);
    Atomics.add(stats, 2, bad);
    Atomics.add(stats, 3, 1);
  }
  return [t, f, bad];
}

function notifierTarget(
  cond: Condition,
  cw: Int32Array,
  stats: Int32Array,
  waiters: number,
  seed: number,
): number {
  let grants = 0, x = seed;
  while (Atomics.load(stats, 3) < waiters) {
    cond.acquire();
    if (Atomics.add(stats, 4, 1) !== 0) Atomics.add(stats, 2, 1);
    const w = Atomics.load(cw, 1); // WAITERS: stable while the lock is held
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = (x >> 8) % 5; // 0..3, 4 => notifyAll
    if (n === 4) {
      grants += w;
      cond.notifyAll();
    } else {
      grants += n < w ? n : w;
      cond.notify(n);
    }
    Atomics.sub(stats, 4, 1);
    cond.release();
  }
  return grants;
}

describe("Condition exact counts", () => {
  for (const [kind, depth] of [["Lock", 1], ["RLock", 2]] as const) {
    it(`Condition(${kind}, depth ${depth}): timeouts racing notify(n)/notifyAll from a thread: trues equal the permits granted, the lock held after every return`, async () => {
      const { lock, cond, cw } = subject(kind, 1);
      const stats = new Int32Array(new SharedArrayBuffer(32));
      const W = 3, M = stressSize(3000, 800);
      const waiters = Array.from({ length: W }, (_, id) =>
        new Thread({
          name: `waiter ${id}`,
          target: waiterTarget,
          args: [cond, lock, stats, id, M, depth],
        }));
      const notifier = new Thread({
        name: "notifier",
        target: notifierTarget,
        args: [cond, cw, stats, W, 12345],
      });
      for (const t of waiters) t.start();
      notifier.start();
      const results = await Promise.all(waiters.map((t) => t.joinAsync(JOIN)));
      const grants = await notifier.joinAsync(JOIN) as number;
      const trues = results.reduce((a, r) => a + (r as number[])[0], 0);
      assert.equal(stats[5], 0, "errors");
      assert.equal(stats[2], 0, "contract violations");
      assert.equal(
        trues + results.reduce((a, r) => a + (r as number[])[1], 0),
        W * M,
      );
      assert.equal(Atomics.load(cw, WAITERS), 0, "waiters left counted");
      assert.equal(Atomics.load(cw, PERMITS), 0, "permits left untaken");
      assert.equal(
        trues,
        grants,
        `trues ${trues} vs permits granted ${grants}`,
      );
      assert.ok(
        grants > 0,
        "no notify found a waiter: the test tested nothing",
      );
    });
  }

  it("Condition: async waiters (main thread) and blocking waiters (threads) racing timeouts: trues equal the permits granted", async () => {
    const { lock, cond, cw } = subject("Lock", 1);
    const stats = new Int32Array(new SharedArrayBuffer(32));
    const W = 2, M = stressSize(1500, 500), A = stressSize(1500, 500);
    const waiters = Array.from({ length: W }, (_, id) =>
      new Thread({
        name: `waiter ${id}`,
        target: waiterTarget,
        args: [cond, lock, stats, id, M, 1],
      }));
    const notifier = new Thread({
      name: "notifier",
      target: notifierTarget,
      args: [cond, cw, stats, W + 1, 777],
    });
    for (const t of waiters) t.start();
    notifier.start();
    let t = 0, f = 0;
    try {
      for (let i = 0; i < A; i++) {
        await cond.acquireAsync();
        if (await cond.waitAsync({ timeout: [0, 0.5, 1, 2][i % 4] })) t++;
        else f++;
        cond.release();
      }
    } finally {
      Atomics.add(stats, 0, t);
      Atomics.add(stats, 3, 1);
    }
    const results = await Promise.all(waiters.map((t) => t.joinAsync(JOIN)));
    const grants = await notifier.joinAsync(JOIN) as number;
    const trues = t + results.reduce((a, r) => a + (r as number[])[0], 0);
    assert.equal(stats[5], 0, "errors");
    assert.equal(stats[2], 0, "contract violations");
    assert.equal(Atomics.load(cw, WAITERS), 0);
    assert.equal(Atomics.load(cw, PERMITS), 0);
    assert.equal(trues, grants, `trues ${trues} vs permits granted ${grants}`);
  });

  it("Condition.notifyAll() wakes every waiter registered before it and none registered after (they time out)", async () => {
    const { lock, cond, cw, lw } = subject("Lock", 1);
    const out = new Int32Array(new SharedArrayBuffer(4 * 16)); // per thread: 1 true, 2 false
    const target = (
      cond: Condition,
      out: Int32Array,
      i: number,
      ms: number,
    ) => {
      cond.acquire();
      try {
        const r = cond.wait({ timeout: ms });
        Atomics.store(out, i, r ? 1 : 2);
        return r;
      } finally {
        cond.release();
      }
    };
    const OLD = 4, NEW = 4;
    const old = Array.from(
      { length: OLD },
      (_, i) => new Thread({ target, args: [cond, out, i, 60_000] }),
    );
    for (const t of old) t.start();
    await until(() => Atomics.load(cw, WAITERS) === OLD, "old waiters");
    await sleepers(cw, SEQ, OLD);
    assert.equal(await lock.acquireAsync({ timeout: 10_000 }), true);
    const fresh = Array.from(
      { length: NEW },
      (_, i) => new Thread({ target, args: [cond, out, OLD + i, 300] }),
    );
    for (const t of fresh) t.start();
    await sleepers(lw, 0, NEW); // the new ones asleep on the lock word
    cond.notifyAll();
    lock.release();
    const r = await Promise.all(
      [...old, ...fresh].map((t) => t.joinAsync(JOIN)),
    );
    assert.deepEqual(r, [...Array(OLD).fill(true), ...Array(NEW).fill(false)]);
    assert.equal(Atomics.load(cw, WAITERS), 0);
    assert.equal(Atomics.load(cw, PERMITS), 0);
  });

  it("Condition.notify(n) with 6 threads asleep: WAITERS and PERMITS move by exactly n, and exactly n waits return", async () => {
    const { cond, cw } = subject("Lock", 1);
    const done = new Int32Array(new SharedArrayBuffer(8));
    const target = (cond: Condition, done: Int32Array) => {
      cond.acquire();
      try {
        const r = cond.wait({ timeout: 60_000 });
        Atomics.add(done, 0, 1);
        return r;
      } finally {
        cond.release();
      }
    };
    const ts = Array.from(
      { length: 6 },
      () => new Thread({ target, args: [cond, done] }),
    );
    for (const t of ts) t.start();
    await until(() => Atomics.load(cw, WAITERS) === 6, "six waiters");
    await sleepers(cw, SEQ, 6);
    let expectDone = 0;
    for (const n of [2, 0, 1, 3]) {
      await cond.acquireAsync();
      const w0 = Atomics.load(cw, WAITERS);
      cond.notify(n);
      assert.equal(Atomics.load(cw, WAITERS), w0 - n);
      cond.release();
      expectDone += n;
      await until(
        () => Atomics.load(done, 0) === expectDone,
        `${expectDone} done`,
      );
      await until(() => Atomics.load(cw, PERMITS) === 0, "permits taken");
      assert.equal(Atomics.load(cw, WAITERS), 6 - expectDone);
    }
    const r = await Promise.all(ts.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(r, Array(6).fill(true));
  });
});
