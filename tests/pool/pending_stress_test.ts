// Copyright 2026 the threadkit authors. MIT license.
// The owner's pending Futures (an array by slot and a count, pool/_owner.ts)
// under churn: three submitting threads on a small executor (66 slots,
// each reused hundreds of times, kept slots moving between owners), tasks
// in windows of 48, every seventh cancelled right after its submit (the
// cancel may win or lose against the claim). Each Future settles exactly
// once (one done callback each), a cancel that returned true is a
// cancelled Future and every other result is its task's own value; after
// the churn each thread's next task is settled, and this thread's count of
// pending Futures is back to 0 (a count left off zero keeps the reaper
// running for good, which holds the process; one that reaches zero early
// ends it with a task pending, whose await never settles).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Future, Thread, ThreadPoolExecutor } from "../../mod.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { Block } from "../../pool/_layout.ts";
import { ownerFor } from "../../pool/_owner.ts";
import { Pending } from "../../pool/_pending.ts";
import { within } from "./_fixtures.ts";

const N = 6_000;
const WINDOW = 48;

/**
 * Submits `n` tasks `(x, k) => x * 3 + k` in windows of `window`, cancels
 * every seventh at once, awaits (or, `blocking`, result()s) each; returns
 * [values right, cancelled, wrong, done callbacks, final task's value].
 */
async function churn(
  pool: ThreadPoolExecutor,
  k: number,
  n: number,
  window: number,
  blocking: boolean,
): Promise<number[]> {
  let right = 0, cancelled = 0, wrong = 0, callbacks = 0;
  const inFlight: [number, Future<number>, boolean][] = [];
  const settle = async ([i, f, wasCancelled]: [
    number,
    Future<number>,
    boolean,
  ]) => {
    try {
      const y = blocking ? f.result({ timeout: 60_000 }) : await f;
      if (y === i * 3 + k && !wasCancelled) right++;
      else wrong++;
    } catch (error) {
      // By name: a thread's target is self-contained (no imports).
      if ((error as Error).name === "CancelledError" && wasCancelled) {
        cancelled++;
      } else wrong++;
    }
  };
  for (let i = 0; i < n; i++) {
    const f = pool.submit((x: number, k: number) => x * 3 + k, i, k);
    f.addDoneCallback(() => callbacks++);
    inFlight.push([i, f, i % 7 === 3 && f.cancel()]);
    if (inFlight.length >= window) await settle(inFlight.shift()!);
  }
  for (const e of inFlight) await settle(e);
  // Callbacks run in this thread, when the Future settles: all have.
  const last = pool.submit((x: number) => x + 1, k);
  const lastValue = blocking
    ? last.result({ timeout: 60_000 })
    : await Promise.race([
      last,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error("last task never settled")), 60_000)
      ),
    ]);
  return [right, cancelled, wrong, callbacks, lastValue];
}

describe("ThreadPoolExecutor: pending Futures under churn", () => {
  it("ThreadPoolExecutor: three threads submitting and cancelling on 66 slots settle each Future exactly once", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2, maxQueue: 64 });
    const threads = [1, 2].map((k) =>
      new Thread({ target: churn, args: [pool, k, N, WINDOW, k === 2] })
    );
    for (const t of threads) t.start();
    const mine = await within(churn(pool, 0, N, WINDOW, false), 120_000);
    // This thread's owner context: the pool's, made at its first submit
    // (found by the executor's ID).
    const owner = ownerFor(
      new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer),
      undefined as never,
      () => {},
    );
    assert.equal(owner.pending, 0, "pending after the awaited churn");
    const blocking = await within(churn(pool, 3, N, WINDOW, true), 120_000);
    assert.equal(owner.pending, 0, "pending after the blocking churn");
    const theirs = await Promise.all(
      threads.map((t) => within(t.joinAsync({ timeout: 120_000 }), 125_000)),
    ) as number[][];
    const all = [[...mine, 0], [...theirs[0], 1], [...theirs[1], 2], [
      ...blocking,
      3,
    ]];
    for (const [right, cancelled, wrong, callbacks, last, k] of all) {
      assert.equal(wrong, 0, `thread ${k}: wrong results`);
      assert.equal(right + cancelled, N, `thread ${k}: settled`);
      assert.equal(callbacks, N, `thread ${k}: done callbacks`);
      assert.equal(last, k + 1, `thread ${k}: the task after the churn`);
    }
    assert.ok(all.every((r) => r[1] > 0), "some cancels won");
  });

  it("Pending: grows to the highest slot tracked, counts exactly, and refuses a slot tracked twice", () => {
    const p = new Pending();
    const f = (n: number) => ({ n }) as unknown as Future;
    assert.equal(p.get(1000), undefined);
    assert.equal(p.untrack(1000), undefined);
    p.track(5, f(5));
    p.track(2, f(2));
    assert.equal(p.size, 2);
    assert.deepEqual(p.slots(), [2, 5]);
    assert.throws(() => p.track(5, f(6)), /tracked twice/);
    assert.equal(p.size, 2);
    assert.equal((p.untrack(5) as unknown as { n: number }).n, 5);
    assert.equal(p.untrack(5), undefined);
    assert.equal(p.size, 1);
    p.track(5, f(7));
    assert.deepEqual(p.slots(), [2, 5]);
    assert.equal(p.size, 2);
  });
});
