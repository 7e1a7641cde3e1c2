// Copyright 2026 the threadkit authors. MIT license.
// The executor's sides for bench/limits.ts (rows in bench/_pool_rows.ts):
// ThreadPoolExecutor beside piscina (Deno and Node) and `multithreading`'s
// warm pool (Deno only), each started and warmed untimed, then timed in
// rounds that check every result. Runtime-neutral: Deno runs this file, Node
// its build (piscina copied next to it by bench/_node_build.ts).
import { Piscina } from "piscina";
import { ThreadPoolExecutor } from "../mod.ts";
import type { Runner, Side } from "./_ab.ts";
import { EXT } from "./_team.ts";

/** Trivial tasks in flight at once in the throughput rows. */
export const IN_FLIGHT = 256;
/** Items per chunk in the map rows. */
export const CHUNK = 1000;
const TASK = new URL(`./_workers/add_one${EXT}`, import.meta.url);
const CHUNK_TASK = new URL(`./_workers/add_one_chunk${EXT}`, import.meta.url);
const addOne = (x: number) => x + 1;

/** Runs `n` tasks through `submit`, `window` in flight; checks the sum. */
async function windowed(
  n: number,
  window: number,
  submit: (x: number) => PromiseLike<number>,
): Promise<number> {
  const inFlight: PromiseLike<number>[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    inFlight.push(submit(i));
    if (inFlight.length >= window) sum += await inFlight.shift()!;
  }
  for (const p of inFlight) sum += await p;
  if (sum !== (n * (n + 1)) / 2) throw new Error(`Bad sum ${sum}`);
  return n;
}

async function warmExecutor(workers: number): Promise<ThreadPoolExecutor> {
  const pool = new ThreadPoolExecutor({ maxWorkers: workers });
  await Promise.all(
    Array.from({ length: 64 }, (_, i) => pool.submit(addOne, i)),
  );
  return pool;
}

async function warmPiscina(file: URL, threads: number): Promise<Piscina> {
  const pool = new Piscina({
    filename: file.href,
    minThreads: threads,
    maxThreads: threads,
  });
  const warm = file === TASK ? (i: number) => i : (i: number) => [i];
  await Promise.all(Array.from({ length: 64 }, (_, i) => pool.run(warm(i))));
  return pool;
}

/** Trivial tasks `(x) => x + 1`, IN_FLIGHT in flight, 2 pool threads. */
export const executorTasks: Side = {
  name: `ThreadPoolExecutor submit, ${IN_FLIGHT} in flight`,
  async start(): Promise<Runner> {
    const pool = await warmExecutor(2);
    return {
      round: (n) => windowed(n, IN_FLIGHT, (x) => pool.submit(addOne, x)),
      stop: () => pool.shutdownAsync(),
    };
  },
};

/** piscina's run, the same tasks. */
export const piscinaTasks: Side = {
  name: `piscina run, ${IN_FLIGHT} in flight`,
  async start(): Promise<Runner> {
    const pool = await warmPiscina(TASK, 2);
    return {
      round: (n) => windowed(n, IN_FLIGHT, (x) => pool.run(x)),
      stop: () => pool.destroy(),
    };
  },
};

/** `multithreading`'s warm pool (spawn + join), the same tasks (Deno). */
export const mtTasks: Side = {
  name: `multithreading spawn/join, ${IN_FLIGHT} in flight`,
  async start(): Promise<Runner> {
    // Loaded here only: bench/_peers.ts loads the package (Deno only).
    const { move, mtJoin, mtPool, mtShutdown, spawn } = await import(
      "./_peers.ts"
    );
    const mtAddOne = (n: number) => n + 1;
    mtPool(2);
    // Its workers learn a function from the first spawn each one runs: a
    // task reaching a worker by id before that fails, so warm both.
    for (let i = 0; i < 50; i++) {
      await Promise.all([
        mtJoin(spawn(move(0), mtAddOne)),
        mtJoin(spawn(move(0), mtAddOne)),
      ]);
    }
    return {
      round: (n) =>
        windowed(n, IN_FLIGHT, (x) => mtJoin(spawn(move(x), mtAddOne))),
      stop: () => Promise.resolve(mtShutdown()),
    };
  },
};

/** One task at a time: submit, then await (or `result()`, blocking). */
export function executorOneByOne(blocking: boolean): Side {
  return {
    name: blocking
      ? "ThreadPoolExecutor submit + result(), one at a time"
      : "ThreadPoolExecutor submit + await, one at a time",
    async start(): Promise<Runner> {
      const pool = await warmExecutor(2);
      return {
        async round(n) {
          for (let i = 0; i < n; i++) {
            const f = pool.submit(addOne, i);
            const y = blocking ? f.result({ timeout: 60_000 }) : await f;
            if (y !== i + 1) throw new Error(`Bad result ${y} for ${i}`);
          }
          return n;
        },
        stop: () => pool.shutdownAsync(),
      };
    },
  };
}

/** piscina, one task at a time (run + await), one thread. */
export const piscinaOneByOne: Side = {
  name: "piscina run + await, one at a time",
  async start(): Promise<Runner> {
    const pool = await warmPiscina(TASK, 1);
    return {
      async round(n) {
        for (let i = 0; i < n; i++) {
          const y = await pool.run(i);
          if (y !== i + 1) throw new Error(`Bad result ${y} for ${i}`);
        }
        return n;
      },
      stop: () => pool.destroy(),
    };
  },
};

// The items of the map rows (made once per process, sliced per round).
let items: number[] = [];
function itemsOf(n: number): number[] {
  if (items.length < n) items = Array.from({ length: n }, (_, i) => i);
  return items;
}

/** ThreadPoolExecutor.map over n items in chunks of CHUNK (async form). */
export const executorMap: Side = {
  name: `ThreadPoolExecutor.map, chunks of ${CHUNK}`,
  async start(): Promise<Runner> {
    const pool = await warmExecutor(2);
    return {
      async round(n) {
        const xs = itemsOf(n);
        let expect = 1;
        for await (
          const y of pool.map(addOne, xs.slice(0, n), { chunksize: CHUNK })
        ) {
          if (y !== expect++) throw new Error(`Bad item ${y}`);
        }
        if (expect !== n + 1) throw new Error(`Got ${expect - 1} of ${n}`);
        return n;
      },
      stop: () => pool.shutdownAsync(),
    };
  },
};

/** piscina running the same chunks, one task per chunk, all in flight. */
export const piscinaMap: Side = {
  name: `piscina run per chunk of ${CHUNK}`,
  async start(): Promise<Runner> {
    const pool = await warmPiscina(CHUNK_TASK, 2);
    return {
      async round(n) {
        const xs = itemsOf(n);
        const runs: Promise<number[]>[] = [];
        for (let i = 0; i < n; i += CHUNK) {
          runs.push(pool.run(xs.slice(i, Math.min(n, i + CHUNK))));
        }
        let expect = 1;
        for (const r of runs) {
          for (const y of await r) {
            if (y !== expect++) throw new Error(`Bad item ${y}`);
          }
        }
        if (expect !== n + 1) throw new Error(`Got ${expect - 1} of ${n}`);
        return n;
      },
      stop: () => pool.destroy(),
    };
  },
};
