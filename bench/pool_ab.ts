// Copyright 2026 the threadkit authors. MIT license.
// Two builds of the executor in one process, timed in alternating rounds
// (bench/_ab.ts): a baseline package (A) and the subject (B), each imported
// by its mod file. Rows: one task at a time with submit + result() and with
// submit + await, trivial tasks 256 in flight (2 pool threads), and map over
// numbers in chunks of 1000. Prints B's time per operation over A's for each
// row (below 1: B is faster), with both medians, and on Linux the submitting
// thread's own CPU per operation (/proc/thread-self/schedstat).
//
//   deno run -A bench/pool_ab.ts A/mod.ts B/mod.ts [rows] [reps] [--pin]
//   node npm-build/bench/pool_ab.js A/mod.js B/mod.js [rows] [reps] [--pin]
// --pin runs every thread of the process on CPU 0 (bench/_pin.ts; threads
// started later inherit it): one task at a time then measures the one-vCPU
// round trip, where the two threads' work is serial and the wake is cheap,
// instead of whichever placement the scheduler picked for each side's
// threads (BENCHMARKS.md, "One task at a time, like with like").
import process from "node:process";
import { pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";
import { compare, median, type Runner, type Side, type Timing } from "./_ab.ts";
import { pinProcess } from "./_pin.ts";

type Executor = {
  submit(fn: (x: number) => number, x: number): PromiseLike<number> & {
    result(o: { timeout: number }): number;
  };
  map(
    fn: (x: number) => number,
    items: Iterable<number>,
    o: { chunksize: number },
  ): AsyncIterable<number>;
  shutdownAsync(): Promise<void>;
};
type Package = {
  ThreadPoolExecutor: new (o: { maxWorkers: number }) => Executor;
};

const argv = process.argv.slice(2);
const pinned = argv.includes("--pin") ? pinProcess(0) !== undefined : false;
const [aPath, bPath, rowList, repList] = argv.filter((a) => a !== "--pin");
const load = async (p: string) =>
  await import(pathToFileURL(p).href) as Package;
const A = await load(aPath), B = await load(bPath);
const addOne = (x: number) => x + 1;

async function warm(pkg: Package): Promise<Executor> {
  const pool = new pkg.ThreadPoolExecutor({ maxWorkers: 2 });
  await Promise.all(
    Array.from({ length: 64 }, (_, i) => pool.submit(addOne, i)),
  );
  return pool;
}

type Round = (pool: Executor, n: number) => Promise<number>;
const rounds: Record<string, { n: number; round: Round }> = {
  result: {
    n: 2000,
    round: (pool, n) => {
      for (let i = 0; i < n; i++) {
        const y = pool.submit(addOne, i).result({ timeout: 60_000 });
        if (y !== i + 1) throw new Error(`bad ${y}`);
      }
      return Promise.resolve(n);
    },
  },
  await: {
    n: 2000,
    round: async (pool, n) => {
      for (let i = 0; i < n; i++) {
        const y = await pool.submit(addOne, i);
        if (y !== i + 1) throw new Error(`bad ${y}`);
      }
      return n;
    },
  },
  tasks: {
    n: 20_000,
    round: async (pool, n) => {
      const inFlight: PromiseLike<number>[] = [];
      let sum = 0;
      for (let i = 0; i < n; i++) {
        inFlight.push(pool.submit(addOne, i));
        if (inFlight.length >= 256) sum += await inFlight.shift()!;
      }
      for (const p of inFlight) sum += await p;
      if (sum !== (n * (n + 1)) / 2) throw new Error(`bad sum ${sum}`);
      return n;
    },
  },
  map: {
    n: 200_000,
    round: async (pool, n) => {
      const xs = Array.from({ length: n }, (_, i) => i);
      let expect = 1;
      for await (const y of pool.map(addOne, xs, { chunksize: 1000 })) {
        if (y !== expect++) throw new Error(`bad item ${y}`);
      }
      if (expect !== n + 1) throw new Error(`got ${expect - 1} of ${n}`);
      return n;
    },
  },
};

// The calling thread's CPU time and run-queue wait in ns (Linux
// /proc/thread-self/schedstat), or undefined elsewhere: the submitting
// thread is the limit with many tasks in flight, and its own CPU per task
// moves less with the machine's load than the wall time or the process's.
function threadTimes(): [number, number] | undefined {
  try {
    const [cpu, wait] = readFileSync("/proc/thread-self/schedstat", "utf8")
      .split(" ").map(Number);
    return [cpu, wait];
  } catch {
    return undefined;
  }
}

function side(name: string, pkg: Package, round: Round): Side {
  return {
    name,
    async start(): Promise<Runner> {
      const pool = await warm(pkg);
      const cpu: number[] = [], wait: number[] = [];
      return {
        round: async (n) => {
          const t0 = threadTimes();
          const ops = await round(pool, n);
          const t1 = threadTimes();
          if (t0 !== undefined && t1 !== undefined) {
            cpu.push((t1[0] - t0[0]) / ops);
            wait.push((t1[1] - t0[1]) / ops);
          }
          return ops;
        },
        stop: () => pool.shutdownAsync(),
        extra: () => ({ mainCpu: median(cpu), mainWait: median(wait) }),
      };
    },
  };
}

// The submitting thread's own CPU per op (and its run-queue wait), when
// the platform tells: " main CPU A x B y (B/A r) wait A x B y us".
function mainCpu(a: Timing, b: Timing): string {
  const ca = a.extra?.mainCpu, cb = b.extra?.mainCpu;
  if (ca === undefined || cb === undefined || !(ca > 0)) return "";
  const us = (x: number) => (x / 1000).toFixed(2);
  return `; main CPU A ${us(ca)} B ${us(cb)} (B/A ${(cb / ca).toFixed(3)}),` +
    ` run-queue wait A ${us(a.extra!.mainWait)} B ${us(b.extra!.mainWait)}`;
}

const keep = setInterval(() => {}, 1 << 30);
const reps = Number(repList ?? 9);
for (const row of (rowList ?? "result,await,tasks,map").split(",")) {
  const { n, round } = rounds[row];
  const [b, a] = await compare(
    [side("B", B, round), side("A", A, round)],
    n,
    reps,
  );
  const per = b.rounds.map((t, i) => t / a.rounds[i]);
  const med = [...per].sort((x, y) => x - y)[per.length >> 1];
  console.log(
    `${row}: B/A ${med.toFixed(3)} (per-round median; A ${
      (a.nsPerOp / 1000).toFixed(2)
    } us, B ${(b.nsPerOp / 1000).toFixed(2)} us per op; CPU A ${
      (a.cpuPerOp / 1000).toFixed(2)
    } B ${(b.cpuPerOp / 1000).toFixed(2)} us${mainCpu(a, b)}${
      pinned ? "; pinned to CPU 0" : ""
    })`,
  );
}
clearInterval(keep);
process.exit(0);
