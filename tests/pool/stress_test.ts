// Copyright 2026 the threadkit authors. MIT license.
// 1,000,000 tasks from 4 submitting threads on one executor, each result
// checked exactly once, with a pool thread that exits mid-run: exactly its
// Future fails and every other task completes once. The items go through
// map with chunks of 1000 (1000 tasks of 1000 items: each item's run is
// counted in shared memory, each result checked in order by its submitter),
// plus 500 single submits per thread. About 2-5 s on 2 cores. The figures
// are checked at full size under Deno; Node and Bun run the same tests
// against the npm build at a tenth to a quarter of the counts (stressSize).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  moduleTarget,
  Thread,
  ThreadDiedError,
  ThreadPoolExecutor,
} from "../../mod.ts";
import type * as tasks from "../_workers/pool_tasks.ts";
import { within } from "./_fixtures.ts";
import { stressSize } from "../_helpers.ts";

const TASKS = new URL("../_workers/pool_tasks.ts", import.meta.url).href;
const ITEMS = stressSize(1_000_000, 100_000);
const SUBMITTERS = 4;
const SINGLES = 500;

/** A submitting thread: maps its range, checks each result once, in order. */
function submitter(
  pool: ThreadPoolExecutor,
  url: string,
  lo: number,
  hi: number,
  singles: number,
): number[] {
  const item = moduleTarget<typeof tasks.stressItem>(url, "stressItem");
  let next = lo, bad = 0;
  for (
    const y of pool.map(item, range(lo, hi), {
      chunksize: 1000,
      timeout: 120_000,
    })
  ) {
    if (y !== next * 2 + 1) bad++;
    next++;
  }
  const fs = [];
  for (let i = 0; i < singles; i++) fs.push(pool.submit((x: number) => -x, i));
  let singleBad = 0;
  for (let i = 0; i < singles; i++) {
    if (fs[i].result({ timeout: 120_000 }) !== -i) singleBad++;
  }
  return [next - lo, bad, singleBad];
  function* range(a: number, b: number) {
    for (let i = a; i < b; i++) yield i;
  }
}

/** A thread submitting one task at a time (the direct hand-off path). */
function oneAtATime(pool: ThreadPoolExecutor, k: number, n: number): number {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const f = pool.submit((x: number, k: number) => x * 8 + k, i, k);
    if (f.result({ timeout: 60_000 }) !== i * 8 + k) bad++;
  }
  return bad;
}

/**
 * A thread mapping over an array of numbers (cut with slice, sent as
 * float64) and submitting number arrays: returns the items that came back
 * wrong or out of order, and the arrays whose doubled copy was wrong.
 */
function numberArrays(
  pool: ThreadPoolExecutor,
  k: number,
  n: number,
): number[] {
  const xs = Array.from({ length: n }, (_, i) => i * 4 + k + 0.5);
  let at = 0, bad = 0;
  for (
    const y of pool.map((x: number) => -x, xs, {
      chunksize: 97,
      timeout: 120_000,
    })
  ) {
    if (y !== -xs[at++]) bad++;
  }
  let badArrays = 0;
  for (let i = 0; i < 200; i++) {
    const a = xs.slice(i, i + 50);
    const f = pool.submit((a: number[]) => a.map((x) => x * 2), a);
    const back = f.result({ timeout: 60_000 });
    if (back.length !== a.length || back.some((x, j) => x !== a[j] * 2)) {
      badArrays++;
    }
  }
  return [at, bad, badArrays];
}

describe("ThreadPoolExecutor stress", () => {
  it("ThreadPoolExecutor: 4 threads map over number arrays and submit number arrays while the main thread alternates await and result(): every item once, in order", async () => {
    const N = stressSize(20_000, 5_000);
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const threads = Array.from({ length: 4 }, (_, k) =>
      new Thread({
        target: numberArrays,
        args: [pool, k, N],
        name: `number-arrays-${k}`,
      }));
    for (const t of threads) t.start();
    let bad = 0;
    for (let i = 0; i < 2000; i++) {
      const f = pool.submit((a: number[]) => a[0] - a[1], [i, 0.25]);
      const got = i % 2 === 0 ? await within(f) : f.result({ timeout: 60_000 });
      if (got !== i - 0.25) bad++;
    }
    assert.equal(bad, 0);
    for (const t of threads) {
      assert.deepEqual(
        await within(t.joinAsync({ timeout: 120_000 }), 130_000),
        [N, 0, 0],
      );
    }
  });

  it("ThreadPoolExecutor: 4 threads and the main thread each submitting one task at a time get every result once", async () => {
    const N = stressSize(2000, 500);
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const threads = Array.from({ length: 4 }, (_, k) =>
      new Thread({
        target: oneAtATime,
        args: [pool, k + 1, N],
        name: `one-at-a-time-${k}`,
      }));
    for (const t of threads) t.start();
    let bad = 0;
    for (let i = 0; i < N; i++) {
      const got = await within(pool.submit((x: number) => x * 8, i), 60_000);
      if (got !== i * 8) bad++;
    }
    assert.equal(bad, 0);
    for (const t of threads) {
      assert.equal(await within(t.joinAsync({ timeout: 120_000 }), 130_000), 0);
    }
  });

  it(`ThreadPoolExecutor: ${ITEMS.toLocaleString("en-US")} tasks from 4 threads, each result once; a dying pool thread fails only its Future`, async () => {
    const runs = new Int32Array(new SharedArrayBuffer(ITEMS * 4));
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: moduleTarget<typeof tasks.stressInit>(TASKS, "stressInit"),
      initArgs: [runs],
    });
    const per = ITEMS / SUBMITTERS;
    const threads = Array.from({ length: SUBMITTERS }, (_, k) =>
      new Thread({
        target: submitter,
        args: [pool, TASKS, k * per, (k + 1) * per, SINGLES],
        name: `submitter-${k}`,
      }));
    const started = performance.now();
    for (const t of threads) t.start();
    // Mid-run: once the first chunk of each submitter has run (observed in
    // shared memory, not guessed by a sleep).
    const until = performance.now() + 60_000;
    while (
      !threads.every((_, k) => Atomics.load(runs, k * per) === 1) &&
      performance.now() < until
    ) await new Promise((r) => setTimeout(r, 1));
    const dying = pool.submit(() => {
      (globalThis as unknown as { process: { exit(c: number): void } })
        .process.exit(5);
    });
    await assert.rejects(within(dying, 120_000), ThreadDiedError);
    for (const t of threads) {
      assert.deepEqual(
        await within(t.joinAsync({ timeout: 120_000 }), 130_000),
        [per, 0, 0],
      );
    }
    let wrong = 0;
    for (let i = 0; i < ITEMS; i++) if (runs[i] !== 1) wrong++;
    assert.equal(wrong, 0, `${wrong} items did not run exactly once`);
    console.log(
      `stress: ${ITEMS + SUBMITTERS * SINGLES} tasks in ${
        Math.round(performance.now() - started)
      } ms`,
    );
  });
});
