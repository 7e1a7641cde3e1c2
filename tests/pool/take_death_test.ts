// Copyright 2026 the threadkit authors. MIT license.
// A pool thread that dies between taking a task (from the task queue, or
// handed to it while parked) and claiming it: the task is named in the
// thread's record before the take (pool/_take.ts), so the reclaim of that
// record puts it back and it runs once on another thread. The threads die
// by process.exit at exactly that point: a test-only hook the pool thread
// reads once at its start (pool/_thread.ts dieAfterTake), armed by the
// executor's initializer.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { currentThread, Event, ThreadPoolExecutor } from "../../mod.ts";
import { within } from "./_fixtures.ts";

// The initializer: arms the hook with `armed` (word 0: deaths left), and
// keeps the run counters (task args cannot carry shared memory).
function arm(armed: Int32Array, runs: Int32Array): void {
  (globalThis as Record<symbol, unknown>)[
    Symbol.for("threadkit.test.dieAfterTake")
  ] = armed;
  (globalThis as { TAKE_RUNS?: Int32Array }).TAKE_RUNS = runs;
}

// Counts a run of task `i`; returns `i * 2 + 1`.
function counted(i: number): number {
  Atomics.add((globalThis as { TAKE_RUNS?: Int32Array }).TAKE_RUNS!, i, 1);
  return i * 2 + 1;
}

// Counts a run of task 0; names its thread.
function countedIdent(): number {
  Atomics.add((globalThis as { TAKE_RUNS?: Int32Array }).TAKE_RUNS!, 0, 1);
  return currentThread().ident!;
}

// Blocks its pool thread until `release` (30 s at most); names the thread.
function hold(started: Event, release: Event): number {
  started.set();
  if (!release.wait({ timeout: 30_000 })) throw new Error("never released");
  return currentThread().ident!;
}

function words(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

describe("ThreadPoolExecutor: a pool thread that dies between its take and its claim", () => {
  it("taken from the queue: the task runs once, on the replacement", async () => {
    // Word 0 starts at 0: the first take (the holder's) lives.
    const armed = words(1), runs = words(1);
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: arm,
      initArgs: [armed, runs],
    });
    const started = new Event(), release = new Event();
    const held = pool.submit(hold, started, release);
    assert.equal(await within(started.waitAsync({ timeout: 30_000 })), true);
    // The only pool thread is busy: this task waits in the queue, and the
    // thread takes it from there once the holder ends, then dies.
    Atomics.store(armed, 0, 1);
    const task = pool.submit(countedIdent);
    release.set();
    const first = await within(held);
    const ranOn = await within(task);
    assert.equal(Atomics.load(runs, 0), 1);
    assert.notEqual(ranOn, first); // the replacement ran it
    assert.ok(Atomics.load(armed, 0) <= 0); // the death happened
  });

  it("handed to a parked thread: the task runs once, on the replacement", async () => {
    const armed = words(1), runs = words(1);
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: arm,
      initArgs: [armed, runs],
    });
    // A first task: the thread is parked (asleep on its record) once its
    // result is here (it pushes the outcome after it parks).
    const first = await within(pool.submit(() => currentThread().ident!));
    Atomics.store(armed, 0, 1);
    // One task at a time, a parked thread: handed over, not queued.
    const ranOn = await within(pool.submit(countedIdent), 60_000);
    assert.equal(Atomics.load(runs, 0), 1);
    assert.notEqual(ranOn, first);
    assert.ok(Atomics.load(armed, 0) <= 0);
  });

  it("stress: 8 deaths at takes among 2,000 tasks, 64 in flight on 2 threads: each runs exactly once with its result", async () => {
    const n = 2_000, deaths = 8;
    const armed = words(1), runs = words(n);
    Atomics.store(armed, 0, deaths);
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: arm,
      initArgs: [armed, runs],
    });
    const inFlight: Promise<void>[] = [];
    const results = new Array<number>(n).fill(-1);
    for (let i = 0; i < n; i++) {
      inFlight.push(
        Promise.resolve(pool.submit(counted, i)).then((y) => {
          results[i] = y;
        }),
      );
      if (inFlight.length >= 64) await within(inFlight.shift()!, 60_000);
    }
    await within(Promise.all(inFlight), 60_000);
    const wrong = results.flatMap((y, i) => y === i * 2 + 1 ? [] : [i]);
    assert.deepEqual(wrong, []);
    const notOnce = Array.from(runs).flatMap((c, i) => c === 1 ? [] : [[i, c]]);
    assert.deepEqual(notOnce, []);
    assert.ok(Atomics.load(armed, 0) <= 0, "every armed death happened");
  });
});
