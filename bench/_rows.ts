// Copyright 2026 the threadkit authors. MIT license.
// The rows of the process-per-ratio benchmark (bench/limits.ts runs them,
// bench/main.ts aggregates them over processes and runtimes): each row
// names its sides (threadkit first, then the baselines), the ratios it
// reports with the targets, and what limits the figure, as measured.
import { Lock } from "../mod.ts";
import type { Side } from "./_ab.ts";
import { IntRing, ringStorage } from "./_ring.ts";
import { conditionPair, eventPair, rawPair } from "./_pingpong.ts";
import {
  contended,
  fromMain,
  intQueue,
  intQueueInto,
  intQueueMany,
  intRing,
  intSolo,
  intSum,
  objQueue,
  objSum,
  pingPong,
  pipe,
  postFromMain,
  postPipe,
  ringbuf,
  textRing,
} from "./_sides.ts";
import { Queue } from "../mod.ts";
import { PAYLOAD } from "./_workers/limits.ts";
import { POOL_ROWS } from "./_pool_rows.ts";

/** One reported ratio of a row: threadkit against side `vs`. */
export interface Ratio {
  /** Index of the baseline in the row's sides (1 or more). */
  vs: number;
  /** Index of the threadkit side (default 0). */
  of?: number;
  /** Appended to the row's figure in the tables (which side this is). */
  label?: string;
  /**
   * "throughput": ratio = baseline time / threadkit time (higher is better);
   * "time": ratio = threadkit time / baseline time (lower is better).
   */
  measure: "throughput" | "time";
  target: { op: "<=" | ">="; ratio: number };
  /** Judge this ratio on this runtime only (default: every runtime). */
  runtime?: "deno" | "node";
  /**
   * Also judge this extra figure (handoffs): the median over processes of
   * each process's subject / baseline ratio, within [1/factor, factor]
   * (bench/_verdict.ts says why the median).
   */
  extraWithin?: { key: string; factor: number };
  /**
   * Context, not a verdict: a baseline the issue does not name (a
   * like-for-like side the suite added). Shown in the table and the chart,
   * never met or not met; `target` is then not judged.
   */
  context?: true;
}

/** A row of the benchmark. */
export interface LimitRow {
  id: string;
  figure: string;
  sides: () => Side[];
  ratios: Ratio[];
  /** Operations per timed round, full and quick mode. */
  n: number;
  quickN: number;
  /** Timed rounds per side. */
  reps: number;
  /**
   * Operations of the untimed warm-up round per side (default n / 10): a
   * side whose path is long may need more to reach its optimised code.
   */
  warm?: number;
  /**
   * Judge each process by the median of its per-round ratios (round r of
   * the subject against round r of the baseline, taken next to each other
   * in the alternation) rather than by the ratio of the two sides' medians.
   */
  paired?: boolean;
  /** The baseline is the raw wake-up round trip: print it beside the row. */
  rawRoundTrip?: boolean;
  /** What limits the figure (measured; see BENCHMARKS.md). */
  limits: string;
  /** Run the row on these runtimes only (default: every runtime). */
  runtimes?: readonly ("deno" | "node")[];
  /**
   * Where the row's threads run once its sides started (bench/_pin.ts):
   * "one", every thread on CPU 0; "apart", the main thread on CPU 0 and
   * every other on CPU 1. A ping-pong's round trip has two modes on this
   * VM, its two threads on one vCPU (a few µs) or on two (hundreds of µs),
   * and unpinned the scheduler picks one per pair, so two pairs timed in
   * alternating rounds could each be in either: pinned, both sides of a
   * row are in the same one (BENCHMARKS.md, "One task at a time, like with
   * like"). Unpinned where the process cannot pin (not Linux, no taskset).
   */
  pin?: "one" | "apart";
}

const intProducerQueue = () => {
  const q = new Queue<number>({ capacity: 1024, type: "int32" });
  return { member: { fn: "queueConsume", args: [q] }, producer: q };
};
const intProducerSolo = () => {
  const q = new Queue<number>({
    capacity: 1024,
    type: "int32",
    singleWriter: true,
    singleReader: true,
  });
  return { member: { fn: "queueConsume", args: [q] }, producer: q };
};
const intProducerRing = () => {
  const s = ringStorage(4096);
  return { member: { fn: "ringConsume", args: [s] }, producer: new IntRing(s) };
};
const objProducerQueue = () => {
  const q = new Queue<{ id: number; payload: string }>({
    capacity: 1024,
    bytes: 1024 * 128,
  });
  return { member: { fn: "objQueueConsume", args: [q, 1] }, producer: q };
};

// The single-item int32 rows' rounds (BENCHMARKS.md, method), and the
// int32 rows' target: at least 0.8x the throughput of side 1 (the careful
// ring, ringbuf.js).
const INT_ROUNDS = {
  n: 250_000,
  quickN: 20_000,
  reps: 16,
  warm: 1_000_000,
  paired: true,
} as const;
const AT_08 = {
  vs: 1,
  measure: "throughput",
  target: { op: ">=", ratio: 0.8 },
} as const;

// The main -> thread sides of the single-side queue and the careful ring
// (rows int-m2t-solo and int-m2t). Each put loop is one function literal
// for both rows, so its q.put site sees one kind of handle (int-m2t's
// default Queue side has a loop of its own).
const m2tSolo = () =>
  fromMain(
    "Queue int32 put/get, singleWriter+singleReader (main producer)",
    intProducerSolo,
    (q, n) => {
      for (let i = 0; i < n; i++) q.put(i);
    },
    intSum,
  );
const m2tRing = () =>
  fromMain(
    "careful SPSC int32 ring (main producer)",
    intProducerRing,
    (r, n) => {
      for (let i = 0; i < n; i++) r.put(i);
    },
    intSum,
  );

/** Every row, in report order. */
export const ROWS: readonly LimitRow[] = [
  {
    id: "int-t2t",
    figure: "Queue int32 put/get, thread → thread",
    sides: () => [
      pipe("Queue int32 put/get", intQueue, intSum),
      pipe("careful SPSC int32 ring", intRing, intSum),
      pipe("Queue int32 put/get, singleWriter+singleReader", intSolo, intSum),
    ],
    ratios: [{
      ...AT_08,
    }, {
      of: 2,
      label: "singleWriter+singleReader",
      ...AT_08,
    }],
    ...INT_ROUNDS,
    limits:
      "default line: the producers' turn on TAIL, two compareExchanges a put where the careful ring stores once; the careful ring with only that pair added ran at 0.41-0.61x itself, and no MPMC put that claims with an atomic reached 0.8x in the prototypes (BENCHMARKS.md, \"Where the time goes\"). singleWriter+singleReader line: one compareExchange a put and one a get against the ring's one exchange each, plus the role, lap and cache tests around them; on one thread a put + get costs 1.1-1.35x the ring's (CPU profile: the compareExchange builtin about 1.1x the exchange's a call, the code around it the rest), and across threads each process's ratio follows that cost: within 0.1 of its CPU-per-item ratio in 79 of 84 process lines (BENCHMARKS.md, \"The single-side line against the ring, 2026-11-29\")",
  },
  // Keep int-m2t-solo before every row that puts from the main thread
  // (BENCHMARKS.md, method; bench/_limits_test.ts checks).
  {
    id: "int-m2t-solo",
    figure: "Queue int32 put/get, main → thread, singleWriter+singleReader",
    sides: () => [
      m2tSolo(),
      m2tRing(),
    ],
    ratios: [AT_08],
    ...INT_ROUNDS,
    limits:
      "as thread → thread. The main thread puts to no other kind of queue before or during this row (it runs before int-m2t), as in a program that uses one kind: every call of the ring's tryPut it makes sees one class",
  },
  {
    id: "int-m2t",
    figure: "Queue int32 put/get, main → thread",
    sides: () => [
      fromMain(
        "Queue int32 put/get (main producer)",
        intProducerQueue,
        (q, n) => {
          for (let i = 0; i < n; i++) q.put(i);
        },
        intSum,
      ),
      m2tRing(),
      m2tSolo(),
    ],
    ratios: [{
      ...AT_08,
    }, {
      of: 2,
      label: "singleWriter+singleReader, beside a default Queue",
      ...AT_08,
    }],
    ...INT_ROUNDS,
    limits:
      "as thread → thread. The main thread here puts to both Queue lines, as a program that uses both kinds of queue from one thread does: a full queue's retries (queue/_put.ts) then call the ring's tryPut at a polymorphic site that V8 does not inline. The single-side line alone is row int-m2t-solo; measured side by side the two read the same within the spread (BENCHMARKS.md, \"The single-side line against the ring, 2026-11-29\")",
  },
  {
    id: "int-many",
    figure: "Queue int32 putMany/getMany ×1024, thread → thread",
    sides: () => [
      pipe("Queue int32 putMany/getMany x1024", intQueueMany(1024), intSum),
      pipe("ringbuf.js push/pop x1024", ringbuf(1024), intSum),
      pipe(
        "ringbuf.js push/pop x1024, then a fresh array a batch",
        ringbuf(1024, true),
        intSum,
      ),
    ],
    ratios: [{
      ...AT_08,
    }, {
      vs: 2,
      label: "context: vs ringbuf.js that also makes a fresh array",
      measure: "throughput",
      target: { op: ">=", ratio: 0.8 },
      context: true,
    }],
    n: 1_000_000,
    quickN: 100_000,
    reps: 16,
    warm: 4_000_000,
    paired: true,
    limits:
      'the fresh JS array getMany must return (1024 slots, about 8 KiB a batch on both runtimes), where ringbuf.js pops into a typed array it reuses: in the same Node processes ringbuf.js that makes the same array ran 0.42-0.76x itself (15 processes, load 5-12), so no get that returns a fresh array reaches 0.8x there; what Queue\'s transfer costs is the getManyInto row and the context line (BENCHMARKS.md, "putMany/getMany ×1024 on Node")',
  },
  {
    id: "int-into",
    figure: "Queue int32 putMany/getManyInto ×1024, thread → thread",
    sides: () => [
      pipe("Queue int32 putMany/getManyInto x1024", intQueueInto(1024), intSum),
      pipe("ringbuf.js push/pop x1024", ringbuf(1024), intSum),
    ],
    ratios: [{
      ...AT_08,
    }],
    n: 1_000_000,
    quickN: 100_000,
    reps: 16,
    warm: 4_000_000,
    paired: true,
    limits:
      "per-round ratios (a slow first round hit both sides even after a 4M-item warm-up); on one thread 0.76-0.95x ringbuf.js's CPU per item (TypedArray.set in and out, a few atomics a batch); between threads both sides sleep 0.25-0.36 times a batch, as often as the baseline parks (0.23-0.33), and the spread is the loaded machine's scheduling of the two sides",
  },
  {
    id: "obj-t2t",
    figure: "Queue structured put/get, thread → thread",
    sides: () => [
      pipe("Queue structured put/get", objQueue(1), objSum),
      postPipe("postMessage per item, worker → worker (MessageChannel)", 1),
      pipe("JSON-text byte ring, copy-out", textRing, objSum),
    ],
    ratios: [
      { vs: 1, measure: "throughput", target: { op: ">=", ratio: 4 } },
      { vs: 2, measure: "throughput", target: { op: ">=", ratio: 0.8 } },
    ],
    n: 100_000,
    quickN: 2_000,
    reps: 5,
    limits:
      "on Node (the line not met): the producer, as the consumer waits for items: its codec and turns, and its notify of a consumer that slept (one thread, put + get 355-385 ns; across threads 409-576 ns of process CPU an item against postMessage's 1433-1721, so above 4x needs the two sides' work to overlap); the last full run's 3.56x process (load 1-2) is not located; not the empty get's TAIL load: a get that polls a word only the producer writes ran 0.98-1.02x the code (BENCHMARKS.md, \"Structured put/get on Node\")",
  },
  {
    id: "obj-m2t",
    figure: "Queue structured put/get, main → thread",
    sides: () => [
      fromMain(
        "Queue structured put/get (main producer)",
        objProducerQueue,
        (q, n) => {
          for (let i = 0; i < n; i++) q.put({ id: i, payload: PAYLOAD });
        },
        objSum,
      ),
      postFromMain("postMessage per item, main → worker"),
    ],
    ratios: [{ vs: 1, measure: "throughput", target: { op: ">=", ratio: 4 } }],
    n: 100_000,
    quickN: 2_000,
    reps: 5,
    limits: "as thread → thread",
  },
  {
    id: "obj-many",
    figure: "Queue structured putMany/getMany ×1000, thread → thread",
    sides: () => [
      pipe("Queue structured putMany/getMany x1000", objQueue(1000), objSum),
      postPipe("postMessage x1000, worker → worker (MessageChannel)", 1000),
    ],
    ratios: [{
      vs: 1,
      measure: "throughput",
      target: { op: ">=", ratio: 1.2 },
    }],
    n: 200_000,
    quickN: 4_000,
    reps: 5,
    limits:
      'JSON.stringify on the producer and JSON.parse of the batch on the consumer; structuredClone costs 1.38-1.51x them on Node, so 1.2x leaves about 15-25% of the JSON\'s cost for the rest (BENCHMARKS.md, "Structured putMany/getMany ×1000")',
  },
  {
    id: "lock-2",
    figure: "Lock, 2 contending threads, long rounds",
    sides: () => [
      contended("Lock contended, 2 threads", "lockCrew", () => [new Lock()]),
      contended("futex mutex contended, 2 threads", "futexCrew", () => []),
    ],
    ratios: [{
      vs: 1,
      measure: "throughput",
      target: { op: ">=", ratio: 0.9 },
      extraWithin: { key: "handoffsPer1k", factor: 2 },
    }],
    n: 1_000_000,
    quickN: 20_000,
    reps: 3,
    limits:
      'judged only with two free cores; the handoff band on the median over processes of each process\'s ratio to its own futex mutex, whose handoffs move 4x between processes; a waiter whose wait returns at once pauses 160 loop turns before it marks the lock again (sync/_spin.ts), which trades handoffs for speed, and no pause length stayed in the band in every Node process (BENCHMARKS.md, "Lock, 2 threads")',
  },
  {
    id: "event",
    pin: "one",
    figure: "Event ping-pong, blocking (one CPU)",
    sides: () => [
      pingPong("Event set/wait ping-pong", eventPair, false),
      pingPong("raw Atomics.wait/notify ping-pong", rawPair, false),
    ],
    ratios: [{ vs: 1, measure: "time", target: { op: "<=", ratio: 1.2 } }],
    n: 4_000,
    quickN: 200,
    reps: 9,
    rawRoundTrip: true,
    limits:
      "per round trip and side Event adds a clear (load + compareExchange), an Atomics.or and one load; a blocking sleep reads no clock before it sleeps (0.58 reads a round trip before). The spread is the loaded machine's scheduling",
  },
  {
    id: "event-async",
    pin: "one",
    figure: "Event.waitAsync ping-pong (one CPU)",
    sides: () => [
      pingPong("Event set/waitAsync ping-pong", eventPair, true),
      // Untimed: the strongest raw baseline (see pool-await).
      pingPong("raw Atomics.waitAsync ping-pong", () => rawPair(true), true),
    ],
    ratios: [{ vs: 1, measure: "time", target: { op: "<=", ratio: 1.2 } }],
    n: 4_000,
    quickN: 200,
    reps: 9,
    rawRoundTrip: true,
    limits:
      'the event-loop task that resolves a waitAsync dominates; Event adds one promise hop on the woken path and the keep-alive timer\'s unref (BENCHMARKS.md, "Event.waitAsync")',
  },
  {
    id: "condition",
    pin: "one",
    figure: "Condition ping-pong, blocking (one CPU)",
    sides: () => [
      pingPong("Condition notify/wait ping-pong", conditionPair, false),
      pingPong("raw Atomics.wait/notify ping-pong", rawPair, false),
    ],
    ratios: [{ vs: 1, measure: "time", target: { op: "<=", ratio: 1.5 } }],
    n: 4_000,
    quickN: 200,
    reps: 9,
    rawRoundTrip: true,
    limits:
      "a round trip makes 1 notify and 0.6 waits a side, as the raw one; left: 15-16 atomics a side against the raw side's 4-6, and 15 calls between a wake and the answer's notify (BENCHMARKS.md, \"Condition\")",
  },
  ...POOL_ROWS,
];
