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
      vs: 1,
      measure: "throughput",
      target: { op: ">=", ratio: 0.8 },
    }, {
      of: 2,
      label: "singleWriter+singleReader",
      vs: 1,
      measure: "throughput",
      target: { op: ">=", ratio: 0.8 },
    }],
    n: 250_000,
    quickN: 20_000,
    reps: 16,
    warm: 1_000_000,
    paired: true,
    limits:
      "the producers' turn on TAIL: a put takes and releases it with two compareExchanges, so TAIL's line can cross cores twice an item where the careful ring stores once. Since the put's fast path was split off and inlined (queue/_ring.ts), A/B against the tree before: 0.87-1.19x thread → thread, 0.78-1.48x main → thread (paired medians, 3 processes per runtime, load 9-17); a put with one read-modify-write is bounded by the single writer's put below (BENCHMARKS.md: not built). The careful ring with only that turn pair added to its producer measured 0.41-0.61x the careful ring (idle machine, 3 processes, same process each): what Queue gets, so the multi-producer lock is the limit, not the code around it (a get: a PHASE load and a compareExchange of HEAD). Second line (singleWriter+singleReader; queue/_solo.ts): one atomic a put and one a get, where the careful ring then paid two each (a store and a flag load; it now publishes with one exchange a side, BENCHMARKS.md method): the put reads its role word, TAIL and LAPS without Atomics (only the writer role writes them), stores the slot and publishes with one compareExchange that also reads the getters' SLEEPER and shutdown's CLOSED; the get reads its role word, takes from a cache current for its thread (no PHASE load; TAIL loaded only when the cache says empty) and publishes with one compareExchange of HEAD, which an immediate shutdown's discard makes fail. On one thread (put 250, get 250; the previous tree's npm/Deno build, this one and the careful ring in one process, alternating rounds, median of 7; load 14-27, 3 processes per runtime) the previous single-side put+get ran at 0.38-0.62x the careful ring on Deno and 0.19-0.47x on Node, this one at 0.90-0.98x and 0.74-1.02x (1.5-2.4x and 1.8-3.9x the previous in each process). Across threads the rows were taken only at load 17-27, where every side is bound by the scheduler (the careful ring parks and runs at 0.8-1.8M/s, not 8-14M/s) and both Queue lines measure 0.9-6x it, before and after alike; the idle-machine figure is the next full run's. Part of that collapse is the ring's own: it notifies on every item while its peer's flag is up (BENCHMARKS.md, method). Bounded MPMC rings, prototyped beside the careful ring (bench/_mpmc_proto.ts; one process, paired rounds, 3 processes per runtime, load 12-17; one thread CPU, Deno | Node): Vyukov's per-slot sequences 0.46-0.56x | 0.42-0.55x, with local cursors 0.58-0.84x | 0.52-0.62x, with the consumer caching TAIL 0.56-0.58x (Deno), a one-word BigInt64 slot 0.31-0.38x | 0.27-0.31x; a hybrid (claim TAIL, publish the slot's sequence word, room from a cached HEAD, sleeper bits in the sequence word and HEAD: four atomics a put + get) 0.84-0.91x | 0.84-0.94x, where the default Queue measured 0.67-0.71x | 0.60-0.65x; across threads that hybrid ran 0.97-1.74x the default Queue in the same process (load 13-19). Not built: per-slot sequence words cost a batch one atomic per item (putMany, getManyInto: 12-24 ns an item where TypedArray.set costs 0.2-0.7 ns), and TAIL would count claims rather than publications (qsize, join counts, the immediate drain and the pool's peek read it as published: work a build needs); a put that stops between claim and publish would block its slot's consumers for good, as one that stops holding TAIL's turn blocks producers today (BENCHMARKS.md). Against the careful ring as it is now (one exchange a side; load 19-25, 3 processes per runtime, paired rounds, same process) the default line ran 0.53-0.65x (Deno) and 0.54-0.87x (Node) thread → thread, 0.42-0.59x main → thread, and the singleWriter+singleReader line 0.50-0.75x thread → thread, 0.50-1.03x main → thread. A put that claims with one compareExchange of a CLAIM word only producers touch and publishes with one exchange of TAIL (TAIL stays the published cursor; bench/_mpmc_proto.ts kind claim, BENCHMARKS.md \"The claim ring\") ran 1.02-1.57x the default Queue and 0.40-0.69x the exchange ring across threads in 33 of 36 processes (0.80-0.92x in three; load 3-24, 3 processes per runtime per set, three sets), 0.63-0.74x on one thread: the exchange ring with only that one compareExchange added to its put measured the same (0.54-0.78x; the claim ring 0.91-1.22x of it), so no MPMC put that claims with an atomic reaches 0.8x; not built.",
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
      fromMain(
        "careful SPSC int32 ring (main producer)",
        intProducerRing,
        (r, n) => {
          for (let i = 0; i < n; i++) r.put(i);
        },
        intSum,
      ),
      fromMain(
        "Queue int32 put/get, singleWriter+singleReader (main producer)",
        intProducerSolo,
        (q, n) => {
          for (let i = 0; i < n; i++) q.put(i);
        },
        intSum,
      ),
    ],
    ratios: [{
      vs: 1,
      measure: "throughput",
      target: { op: ">=", ratio: 0.8 },
    }, {
      of: 2,
      label: "singleWriter+singleReader",
      vs: 1,
      measure: "throughput",
      target: { op: ">=", ratio: 0.8 },
    }],
    n: 250_000,
    quickN: 20_000,
    reps: 16,
    warm: 1_000_000,
    paired: true,
    limits:
      "as thread → thread. The main thread here puts to both Queue lines, the default one first; until the single writer's put got a call site of its own (queue/_solo_calls.ts, now a closure per handle; queue/_solo.ts, \"The call sites\"; a single reader's get likewise) QueueBase.put's one call of the ring's tryPut was polymorphic there (in each worker it is not), and Deno's V8 counts for each target of a polymorphic call its bytecode plus what its own optimised code inlined (Ring.tryPut 339 + 396, SoloRing's 266): over the 920-byte budget, so every put was a call. That, not Deno's main thread, was the single-writer line's gap on Deno (0.43x where Node read 1.16x): in one process, single-writer main → thread over the same queue thread → thread read 0.68-0.93x with the default queue put to first and 0.90-1.25x with the single-writer one first (paired rounds, 7 processes each, load 5-6); with soloPut, default first, 0.83-0.96x (3 processes), and over the exchange ring 0.67-0.78x where it read 0.54-0.58x. Same-process A/B against the tree before (bench/batch_ab.mjs, paired medians, 3 processes, Deno, load 6-7): singleWriter+singleReader main → thread with the other kind put to first 1.24, 1.11, 1.12, without 1.21, 1.03, 1.15; the default line 1.02, 0.99, 0.98 (unchanged code). Node (load 9-10), where both were inlined before: singleWriter+singleReader main → thread 0.93, 0.94, 0.93, with the other kind first 0.85, 0.87, 1.09, against 0.92, 0.91, 0.97 for the unchanged default line in the same processes; one thread 0.85-0.98x, the default line 0.85-1.01x: no change beyond that spread. The rows after (3 processes, load 5-8): this line 0.75x (0.73-0.80) the exchange ring, the thread → thread one 0.79x (0.75-0.80); before (load 5.5) 0.57-0.67x and 0.67-0.78x. Otherwise the put is a worker's (no event-loop check, keep-alive or async step; a full queue spins, then blocks in Atomics.wait). The row is bound by CPU an item more than the thread → thread row: the code around the one atomic a side (role word, TAIL, LAPS and hint compares, the Queue method) cost the single-side line a put + get about 1.4x the exchange ring's on one thread after the last cuts (a StrictEqual builtin call a get, module-cell reads of the header indexes, boolean flags, three wrap/stride/writer tests: queue/_solo.ts), which gained 1.14-1.21x main → thread on Deno and 0.91-1.39x on Node in same-process A/B (BENCHMARKS.md). Per 1000 items (load 12-13) Queue's consumer sleeps 1.9-2.7 times (128 tries first) and the ring's 1.0 (256 loads), the ring's producer 3.3-3.5 and Queue's 1.0-1.1; a Queue sleep costs its waker one notify, a ring sleep hundreds (counted while the ring still notified on every item while the peer's flag was up; it now wakes once per park)",
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
      vs: 1,
      measure: "throughput",
      target: { op: ">=", ratio: 0.8 },
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
      vs: 1,
      measure: "throughput",
      target: { op: ">=", ratio: 0.8 },
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
    figure: "Event ping-pong, blocking",
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
    figure: "Event.waitAsync ping-pong",
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
    figure: "Condition ping-pong, blocking",
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
