// Copyright 2026 the threadkit authors. MIT license.
// Several pool threads taking from the task queue at once (pool/_take.ts:
// TAKER, the peek, the record, the get),
// against submitters in three threads and against a draining close: each
// task's run is counted in shared memory (tests/_workers/pool_tasks.ts
// stressItem), so a task run twice or never shows as a count, and each
// Future is checked once.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CancelledError,
  moduleTarget,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import type * as tasks from "../_workers/pool_tasks.ts";
import { within } from "./_fixtures.ts";
import { stressSize } from "../_helpers.ts";

const TASKS = new URL("../_workers/pool_tasks.ts", import.meta.url).href;
const item = moduleTarget<typeof tasks.stressItem>(TASKS, "stressItem");
const init = moduleTarget<typeof tasks.stressInit>(TASKS, "stressInit");

/** A submitting thread: tasks lo..hi-1, `window` in flight, blocking. */
function submitter(
  pool: ThreadPoolExecutor,
  url: string,
  lo: number,
  hi: number,
  window: number,
): number[] {
  const fn = moduleTarget<typeof tasks.stressItem>(url, "stressItem");
  const fs = [];
  let bad = 0, done = 0;
  for (let i = lo; i < hi; i++) {
    fs.push(pool.submit(fn, i));
    if (fs.length >= window) {
      const j = i - window + 1;
      if (fs.shift()!.result({ timeout: 60_000 }) !== j * 2 + 1) bad++;
      done++;
    }
  }
  for (let k = 0; k < fs.length; k++) {
    const j = hi - fs.length + k;
    if (fs[k].result({ timeout: 60_000 }) !== j * 2 + 1) bad++;
    done++;
  }
  return [done, bad];
}

describe("pool threads taking from the queue at once", () => {
  // Full size under Deno; Node and Bun run it at a quarter (stressSize).
  const N1 = stressSize(20_000, 5_000);
  it(
    `ThreadPoolExecutor: 4 pool threads, 3 submitting threads, ${
      (3 * N1).toLocaleString("en-US")
    } tasks on 34 slots: every task runs once, every result exact`,
    async () => {
      const N = N1;
      const runs = new Int32Array(new SharedArrayBuffer(4 * 3 * N));
      await using pool = new ThreadPoolExecutor({
        maxWorkers: 4,
        maxQueue: 30,
        initializer: init,
        initArgs: [runs],
      });
      const threads = [1, 2].map((k) =>
        new Thread({
          target: submitter,
          args: [pool, TASKS, k * N, (k + 1) * N, 8 * k],
        })
      );
      for (const t of threads) t.start();
      // This thread: 24 in flight, awaited.
      const fs = [];
      let bad = 0;
      for (let i = 0; i < N; i++) {
        fs.push(pool.submit(item, i));
        if (fs.length >= 24) {
          const j = i - 23;
          if (await within(fs.shift()!) !== j * 2 + 1) bad++;
        }
      }
      for (let k = 0; k < fs.length; k++) {
        if (await within(fs[k]) !== (N - fs.length + k) * 2 + 1) bad++;
      }
      assert.equal(bad, 0);
      for (const t of threads) {
        assert.deepEqual(await within(t.joinAsync({ timeout: 60_000 })), [
          N,
          0,
        ]);
      }
      const wrong = [];
      for (let i = 0; i < 3 * N; i++) {
        if (runs[i] !== 1) wrong.push([i, runs[i]]);
      }
      assert.deepEqual(wrong.slice(0, 10), []);
    },
  );

  // 8 rounds under Deno, 3 on Node and Bun (stressSize).
  const ROUNDS = stressSize(8, 3);
  it(`ThreadPoolExecutor.shutdown({ cancelFutures }) while 4 pool threads take from the queue: each task ran once and has its result, or never ran and is cancelled (${ROUNDS} rounds)`, async () => {
    const N = 2_000;
    for (let round = 0; round < ROUNDS; round++) {
      const runs = new Int32Array(new SharedArrayBuffer(4 * N));
      const pool = new ThreadPoolExecutor({
        maxWorkers: 4,
        maxQueue: N,
        initializer: init,
        initArgs: [runs],
      });
      // Threads started and warm, so the close meets takes in progress.
      await within(Promise.all([0, 1, 2, 3].map(() => pool.submit(item, 0))));
      runs[0] = 0;
      const fs = Array.from({ length: N }, (_, i) => pool.submit(item, i));
      // Close once some have run (a round-dependent share).
      await within(fs[(round * 97) % (N / 2)]);
      await within(pool.shutdownAsync({ cancelFutures: true }));
      let ran = 0, cancelled = 0;
      const wrong = [];
      for (let i = 0; i < N; i++) {
        try {
          const y = await within(fs[i]);
          if (y !== i * 2 + 1 || runs[i] !== 1) wrong.push([i, y, runs[i]]);
          ran++;
        } catch (error) {
          if (!(error instanceof CancelledError) || runs[i] !== 0) {
            wrong.push([i, String(error), runs[i]]);
          }
          cancelled++;
        }
      }
      assert.deepEqual(wrong.slice(0, 10), [], `round ${round}`);
      assert.equal(ran + cancelled, N);
      assert.ok(ran > (round * 97) % (N / 2), `round ${round}: ran ${ran}`);
    }
  });
});
