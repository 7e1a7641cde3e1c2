// Copyright 2026 the threadkit authors. MIT license.
// The executor's rows of the process-per-ratio benchmark (bench/_rows.ts
// lists them after the others): ThreadPoolExecutor against piscina on Deno
// and on Node, against `multithreading`'s warm pool (Deno), and its one
// task at a time against the raw Atomics round trips (bench/_pingpong.ts).
import type { LimitRow } from "./_rows.ts";
import { pingPong } from "./_sides.ts";
import { rawPair } from "./_pingpong.ts";
import {
  CHUNK,
  executorMap,
  executorOneByOne,
  executorTasks,
  IN_FLIGHT,
  mtTasks,
  piscinaMap,
  piscinaOneByOne,
  piscinaTasks,
} from "./_pool_sides.ts";

/** The executor's rows, in report order. */
export const POOL_ROWS: readonly LimitRow[] = [
  {
    id: "pool-tasks",
    figure:
      `ThreadPoolExecutor trivial tasks, ${IN_FLIGHT} in flight, 2 threads`,
    sides: () => [executorTasks, piscinaTasks],
    ratios: [
      {
        vs: 1,
        measure: "throughput",
        target: { op: ">=", ratio: 10 },
        runtime: "deno",
      },
      {
        vs: 1,
        measure: "throughput",
        target: { op: ">=", ratio: 4 },
        runtime: "node",
      },
    ],
    n: 20_000,
    quickN: 2_000,
    reps: 5,
    limits:
      "the submitting thread: 1.3-2.8 µs CPU a task at load 10-24 (slot, args, queue put, Future, settle; a futex wake of a parked pool thread on about 6% of submits, 11-14% of its profile) while the two pool threads share the same 2 cores, and under load a run-queue wait larger than that CPU; absolute target 300 k tasks/s",
  },
  {
    id: "pool-tasks-mt",
    figure: `ThreadPoolExecutor vs multithreading, ${IN_FLIGHT} in flight`,
    runtimes: ["deno"],
    sides: () => [executorTasks, mtTasks],
    ratios: [{ vs: 1, measure: "throughput", target: { op: ">=", ratio: 1 } }],
    n: 20_000,
    quickN: 2_000,
    reps: 3,
    limits: "as above; multithreading posts a message per task",
  },
  {
    id: "pool-await",
    figure: "ThreadPoolExecutor one task at a time, submit + await (one CPU)",
    pin: "one",
    sides: () => [
      executorOneByOne(false),
      // Untimed: the strongest raw baseline (a waitAsync with a timeout
      // costs V8 a delayed task, 1.06-1.20x the round trip on Node).
      pingPong("raw Atomics.waitAsync ping-pong", () => rawPair(true), true),
    ],
    ratios: [{ vs: 1, measure: "time", target: { op: "<=", ratio: 1.3 } }],
    n: 2_000,
    quickN: 200,
    reps: 9,
    // The executor's path is long: n / 10 round trips left its first timed
    // rounds in unoptimised code (BENCHMARKS.md, pool-await).
    warm: 2_000,
    rawRoundTrip: true,
    limits:
      'the raw peer answers before this thread\'s event loop sleeps; a task answered 1-2 µs later finds it asleep and pays a full event-loop wake (BENCHMARKS.md, "One task at a time")',
  },
  {
    id: "pool-await-piscina",
    figure: "ThreadPoolExecutor one task at a time vs piscina",
    sides: () => [executorOneByOne(false), piscinaOneByOne],
    ratios: [{ vs: 1, measure: "time", target: { op: "<=", ratio: 1 } }],
    n: 1_000,
    quickN: 100,
    reps: 5,
    limits: "piscina posts a message each way per task",
  },
  {
    id: "pool-result",
    figure:
      "ThreadPoolExecutor one task at a time, submit + result() (one CPU)",
    pin: "one",
    sides: () => [
      executorOneByOne(true),
      pingPong("raw Atomics.wait/notify ping-pong", rawPair, false),
    ],
    ratios: [{ vs: 1, measure: "time", target: { op: "<=", ratio: 1.3 } }],
    n: 2_000,
    quickN: 200,
    reps: 9,
    // The executor's path is long: n / 10 round trips left its first timed
    // rounds in unoptimised code (BENCHMARKS.md, pool-await).
    warm: 2_000,
    rawRoundTrip: true,
    limits:
      'on one CPU the round trip is both threads\' work end to end: the same one notify and at most one wait a side as the raw pair, but about 50 Atomics calls a round trip against its 9 (each a call into the runtime on Deno, 15-40 ns), the Future, the slot and the outcome; the raw pair does nothing else (BENCHMARKS.md, "One task at a time, like with like")',
  },
  {
    id: "pool-result-apart",
    figure:
      "ThreadPoolExecutor one task at a time, submit + result() (two CPUs)",
    pin: "apart",
    sides: () => [
      executorOneByOne(true),
      pingPong("raw Atomics.wait/notify ping-pong", rawPair, false),
    ],
    ratios: [{ vs: 1, measure: "time", target: { op: "<=", ratio: 1.3 } }],
    n: 300,
    quickN: 50,
    reps: 9,
    warm: 1_000,
    rawRoundTrip: true,
    limits:
      'each wake crosses vCPUs, which costs this VM hundreds of µs: the two futex wakes of both sides dominate (BENCHMARKS.md, "One task at a time, like with like")',
  },
  {
    id: "pool-await-apart",
    figure: "ThreadPoolExecutor one task at a time, submit + await (two CPUs)",
    pin: "apart",
    sides: () => [
      executorOneByOne(false),
      pingPong("raw Atomics.waitAsync ping-pong", () => rawPair(true), true),
    ],
    ratios: [{ vs: 1, measure: "time", target: { op: "<=", ratio: 1.3 } }],
    n: 300,
    quickN: 50,
    reps: 9,
    warm: 1_000,
    rawRoundTrip: true,
    limits: "as submit + result() on two CPUs",
  },
  {
    id: "pool-map",
    figure: `ThreadPoolExecutor.map, 1,000,000 items, chunks of ${CHUNK}`,
    sides: () => [executorMap, piscinaMap],
    // The target, 3 M items/s where postMessage batches of 1000 made
    // 3.5 M/s, as a ratio to piscina running the same chunks (a message
    // each way per chunk): 3 / 3.5.
    ratios: [{
      vs: 1,
      measure: "throughput",
      target: { op: ">=", ratio: 0.86 },
    }],
    n: 1_000_000,
    quickN: 100_000,
    reps: 3,
    limits:
      "per item, on the submitting thread: one promise of the in-order async iteration (70-180 ns); numbers travel as float64 (1-2 ns an item each way; other items take the JSON codec, about 30 ns to encode and 15 to decode on Deno); on Node also a futex wake of a parked pool thread per chunk; absolute target 3 M items/s",
  },
];
