// Copyright 2026 the threadkit authors. MIT license.
// The mitata suite (`deno task bench:suite`): every bench/ script registers
// its groups, then one mitata run measures them all in this process, and a
// summary table puts each figure beside its baseline from the same run.
// The ratios against the strongest baselines, over several processes and on
// Node too, are `deno task bench` (bench/main.ts); this suite keeps the
// figures that answer other questions: uncontended Lock/RLock against a raw
// compareExchange+store (the fast path's cost), the contention sweep over
// 1, 2 and 4 threads in short rounds, RWLock against Lock, thread start,
// the unbounded queue against the fixed one, the peer packages users pick
// instead (multithreading, piscina), and the ThreadPoolExecutor (bench/pool.ts:
// against piscina and multithreading at 256 in flight, its round trips
// against raw waitAsync and wait/notify ping-pongs, map). Its hand SPSC ring (no cached
// cursor, no parking) and main -> worker postMessage stay as the suite's
// older baselines; bench/limits.ts has the careful ones.
//
//   deno task bench:suite                all benchmarks, then the summary
//   deno task bench:suite --json[=FILE]  also write results as JSON (default
//                                        bench/results.json, git-ignored)
//   deno task bench:suite --filter=REGEX only the benchmarks whose name matches
import { run } from "mitata";
import process from "node:process";
import { mtShutdown } from "./_peers.ts";
import {
  collect,
  contentionTable,
  cpuMeter,
  evaluate,
  type Row,
  summaryTable,
} from "./_summary.ts";
import { register as event } from "./event.ts";
import { contendedName, register as lock, THREADS } from "./lock.ts";
import { NAMES as PEER, register as peers } from "./peers.ts";
import { GROWN, register as queue } from "./queue.ts";
import { readMostlyName, register as rwLock } from "./rw_lock.ts";
import { NAMES as POOL, register as pool } from "./pool.ts";
import { NAMES, register as thread } from "./thread.ts";

const DEFAULT_JSON = new URL("./results.json", import.meta.url);
const { json, filter } = parseArgs(Deno.args);

const RAW_PAIR = "raw compareExchange+store pair";
// Item counts in bench/queue.ts's names.
const INT_ITEMS = 200_000;
const OBJ_ITEMS = 20_000;
const ROWS: Row[] = [
  {
    figure: "Lock acquire+release, uncontended",
    subject: "Lock acquire+release (uncontended)",
    baseline: RAW_PAIR,
    measure: "time",
    target: { op: "<=", ratio: 1.3 },
  },
  {
    figure: "RLock acquire+release, uncontended",
    subject: "RLock acquire+release (uncontended)",
    baseline: RAW_PAIR,
    measure: "time",
  },
  ...THREADS.map((n): Row => ({
    figure: `Lock, ${n} contending thread${n > 1 ? "s" : ""}`,
    subject: contendedName("Lock", n),
    baseline: contendedName("futex mutex", n),
    measure: "throughput",
    target: n === 2 ? { op: ">=", ratio: 0.8 } : undefined,
  })),
  {
    figure: "RWLock read+release, uncontended",
    subject: "RWLock acquireRead+releaseRead (uncontended)",
    baseline: "Lock acquire+release (uncontended, rw group)",
    measure: "time",
  },
  ...THREADS.map((n): Row => ({
    figure: `RWLock vs Lock, read-mostly, ${n} thread${n > 1 ? "s" : ""}`,
    subject: readMostlyName("RWLock", n),
    baseline: readMostlyName("Lock", n),
    measure: "throughput",
  })),
  {
    figure: "Event ping-pong, blocking",
    subject: "Event set/wait ping-pong (blocking)",
    baseline: "raw Atomics.wait/notify ping-pong",
    measure: "time",
    target: { op: "<=", ratio: 1.2 },
    maxCores: 1.5,
  },
  {
    figure: "Event ping-pong, async",
    subject: "Event set/waitAsync ping-pong (async)",
    baseline: "raw Atomics.waitAsync ping-pong",
    measure: "time",
    target: { op: "<=", ratio: 1.2 },
    maxCores: 1.5,
  },
  {
    figure: "Queue int32 SPSC put/get",
    subject: `Queue int32 put/get, ${INT_ITEMS} items`,
    baseline: `hand SPSC int32 ring, ${INT_ITEMS} items`,
    measure: "throughput",
    target: { op: ">=", ratio: 0.7 },
  },
  {
    figure: "Queue int32 putMany/getMany (batches of 1024)",
    subject: `Queue int32 putMany/getMany x1024, ${INT_ITEMS} items`,
    baseline: "",
    measure: "throughput",
    perSec: 100e6,
  },
  {
    figure: "Queue structured objects put/get",
    subject: `Queue structured put/get, ${OBJ_ITEMS} objects`,
    baseline: `postMessage per item, ${OBJ_ITEMS} objects`,
    measure: "throughput",
    target: { op: ">=", ratio: 4 },
  },
  {
    figure: "Queue structured putMany/getMany (batches of 1000)",
    subject: `Queue structured putMany/getMany x1000, ${OBJ_ITEMS} objects`,
    baseline: `postMessage x1000, ${OBJ_ITEMS} objects`,
    measure: "throughput",
  },
  {
    figure: "Unbounded Queue int32 put/get, SPSC",
    subject: GROWN.unboundedInt,
    baseline: GROWN.fixedInt,
    measure: "throughput",
  },
  {
    figure: "Unbounded Queue structured put/get, SPSC",
    subject: GROWN.unboundedObj,
    baseline: GROWN.fixedObj,
    measure: "throughput",
  },
  {
    figure: "Thread start to first result, module target",
    subject: NAMES.module,
    baseline: NAMES.raw,
    measure: "time",
    target: { op: "<=", ratio: 1.1 },
  },
  {
    figure: "Thread start to first result, source target",
    subject: NAMES.source,
    baseline: NAMES.raw,
    measure: "time",
    target: { op: "<=", ratio: 1.1 },
  },
  // Ahead of `multithreading` on the same task (ratio <= 1x time or >= 1x
  // throughput), and piscina for scale.
  {
    figure: "Lock vs multithreading Mutex, uncontended",
    subject: "Lock acquire+release (uncontended)",
    baseline: "multithreading Mutex blockingLock+dispose (uncontended)",
    measure: "time",
    target: { op: "<=", ratio: 1 },
  },
  ...THREADS.map((n): Row => ({
    figure: `Lock vs multithreading Mutex, ${n} thread${n > 1 ? "s" : ""}`,
    subject: contendedName("Lock", n),
    baseline: contendedName("multithreading Mutex", n),
    measure: "throughput",
    target: { op: ">=", ratio: 1 },
  })),
  {
    figure: "Thread start vs multithreading spawn/join (new pool)",
    subject: NAMES.module,
    baseline: NAMES.mtCold,
    measure: "time",
    target: { op: "<=", ratio: 1 },
  },
  {
    figure: "Queue vs multithreading channel, small objects",
    subject: PEER.queue,
    baseline: PEER.channel,
    measure: "throughput",
    target: { op: ">=", ratio: 1 },
  },
  {
    figure: "Thread start to first result, daemon, spare ready (<= 1 ms)",
    subject: NAMES.daemonSpare,
    baseline: "",
    measure: "throughput",
    perSec: 1000,
  },
  {
    figure: "Thread start to first result, daemon, spare ready vs raw Worker",
    subject: NAMES.daemonSpare,
    baseline: NAMES.raw,
    measure: "time",
  },
  {
    figure: "Thread start to first result, daemon, no spare",
    subject: NAMES.daemonCold,
    baseline: NAMES.raw,
    measure: "time",
    target: { op: "<=", ratio: 1.15 },
  },
  {
    figure: "Thread start vs piscina run (new pool)",
    subject: NAMES.module,
    baseline: NAMES.piscinaCold,
    measure: "time",
  },
  // The executor (bench/pool.ts): 2 pool threads, trivial tasks.
  {
    figure: "Executor trivial tasks, 256 in flight, vs piscina",
    subject: POOL.executor,
    baseline: POOL.piscina,
    measure: "throughput",
    target: { op: ">=", ratio: 10 },
  },
  {
    figure: "Executor trivial tasks, 256 in flight (absolute)",
    subject: POOL.executor,
    baseline: "",
    measure: "throughput",
    perSec: 300e3,
  },
  {
    figure: "Executor vs multithreading warm pool, 256 in flight",
    subject: POOL.executor,
    baseline: POOL.mt,
    measure: "throughput",
    target: { op: ">=", ratio: 1 },
  },
  {
    figure: "Executor round trip (submit, await)",
    subject: POOL.roundTrip,
    baseline: POOL.rawAsync,
    measure: "time",
    target: { op: "<=", ratio: 1.3 },
  },
  {
    figure: "Executor round trip (submit, result())",
    subject: POOL.roundTripSync,
    baseline: POOL.rawSync,
    measure: "time",
  },
  {
    figure: "Executor round trip vs piscina",
    subject: POOL.roundTrip,
    baseline: POOL.piscinaRoundTrip,
    measure: "time",
    target: { op: "<=", ratio: 1 },
  },
  {
    figure: "Executor map, 1M items in chunks of 1000 (absolute)",
    subject: POOL.map,
    baseline: "",
    measure: "throughput",
    perSec: 3e6,
  },
  {
    figure: "Executor map vs piscina running the same chunks",
    subject: POOL.map,
    baseline: POOL.piscinaMap,
    measure: "throughput",
  },
];

lock();
rwLock();
event();
queue();
peers();
thread();
pool();

const loadBefore = Deno.loadavg();
const machineBefore = machineCpuSeconds();
const processBefore = process.cpuUsage();
const meter = cpuMeter();
const coresBusy = new Map<string, number>();
const started = performance.now();
const { benchmarks, context } = await run({
  filter,
  observe(trial) {
    const busy = meter.mark();
    for (const r of trial.runs) coresBusy.set(r.name, busy);
    return trial;
  },
});
mtShutdown();
const seconds = (performance.now() - started) / 1000;
const loadAfter = Deno.loadavg();
// Cores that other processes kept busy, on average, while the suite ran
// (Linux: /proc/stat minus this process's CPU time); undefined elsewhere.
const machineAfter = machineCpuSeconds();
const ownCpu = process.cpuUsage(processBefore);
const othersCores = machineBefore === undefined || machineAfter === undefined
  ? undefined
  : Math.max(
    0,
    (machineAfter - machineBefore -
      (ownCpu.user + ownCpu.system) / 1e6) / seconds,
  );

const results = collect(benchmarks, coresBusy);
const outcomes = evaluate(ROWS, results);
const cpus = navigator.hardwareConcurrency;
const machine = {
  cpu: context.cpu.name,
  cores: cpus,
  runtime:
    `deno ${Deno.version.deno} (V8 ${Deno.version.v8}, ${Deno.build.target})`,
  loadAverage: { before: loadBefore, after: loadAfter },
  othersCores,
  seconds,
};

const out = [
  "",
  "## Summary: threadkit vs baselines (ratios within this run)",
  "",
  `Machine: ${machine.cpu}, ${cpus} cores, ${machine.runtime}; ` +
  `load average ${loadBefore.map((x) => x.toFixed(2)).join(" ")} before, ` +
  `${loadAfter.map((x) => x.toFixed(2)).join(" ")} after; ${
    seconds.toFixed(0)
  } s; other processes kept ${
    othersCores === undefined ? "?" : othersCores.toFixed(2)
  } cores busy on average meanwhile.`,
  "",
  ...summaryTable(outcomes, results),
  "",
  `## Lock contention: acquire/increment/release pairs per second (ownership handoffs per 1000 pairs)`,
  "",
  ...contentionTable(
    THREADS,
    ["futex mutex", "Lock", "multithreading Mutex"],
    contendedName,
    results,
    cpus,
  ),
  "",
];
// Two contending threads that never hand the lock over ran one at a time:
// something else held a core, and every figure that needs two threads
// running at once (contention, SPSC rings, ping-pong) is not meaningful.
const pair = results.get(contendedName("futex mutex", 2));
if (pair?.handoffsPerOp !== undefined && pair.handoffsPerOp < 0.01) {
  out.push(
    `WARNING: 2 contending threads handed the lock over ${
      (pair.handoffsPerOp * 1000).toFixed(2)
    } times per 1000 pairs: they did not run at the same time, so this run ` +
      "did not get 2 free cores; rerun on an idle machine.",
    "",
  );
}
console.log(out.join("\n"));

const failed = [...results.values()].filter((r) => r.error !== undefined);
for (const r of failed) console.log(`FAILED: ${r.name}: ${r.error}`);

if (json !== undefined) {
  const doc = {
    when: new Date().toISOString(),
    command: ["deno task bench", ...Deno.args].join(" "),
    machine,
    summary: outcomes,
    results: [...results.values()],
  };
  await Deno.writeTextFile(json, JSON.stringify(doc, null, 2) + "\n");
  console.log(`JSON results written to ${await Deno.realPath(json)}`);
}

/** Busy CPU seconds of the whole machine so far (Linux), else undefined. */
function machineCpuSeconds(): number | undefined {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(
      /\s+/,
    ).slice(1).map(Number);
    // USER_HZ is 100 on every Linux Deno supports.
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return undefined;
  }
}

/** Reads --json[=FILE] / --json FILE and --filter=REGEX; ignores "--". */
function parseArgs(args: readonly string[]): {
  json?: string | URL;
  filter?: RegExp;
} {
  let json: string | URL | undefined;
  let filter: RegExp | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") continue;
    if (a === "--json") {
      const next = args[i + 1];
      json = next !== undefined && !next.startsWith("-")
        ? (i++, next)
        : DEFAULT_JSON;
    } else if (a.startsWith("--json=")) json = a.slice(7);
    else if (a === "--filter") filter = new RegExp(args[++i]);
    else if (a.startsWith("--filter=")) filter = new RegExp(a.slice(9));
    else {
      throw new TypeError(
        `Unknown argument ${a}: use --json[=FILE] or --filter=REGEX`,
      );
    }
  }
  return { json, filter };
}

// A failed bench may leave a peer's worker blocked (terminate() does not stop
// a blocked worker on this Deno), which would keep the process alive: exit
// explicitly. Exit 1 when a threadkit figure or a baseline failed; a peer
// package failing its own task is a result, reported above.
const peer = /^(multithreading|piscina)/;
Deno.exit(failed.some((r) => !peer.test(r.name)) ? 1 : 0);
