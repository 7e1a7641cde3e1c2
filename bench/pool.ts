// Copyright 2026 the threadkit authors. MIT license.
// Executor benchmarks, each beside what users use instead in the same run:
// - throughput: TASKS trivial tasks `(x) => x + 1` with IN_FLIGHT in flight
//   on 2 pool threads (a window: submit, and once IN_FLIGHT are pending,
//   await the oldest): ThreadPoolExecutor, piscina (the baseline),
//   `multithreading`'s warm pool;
// - round trip: one task at a time (submit, await, repeat) beside a raw
//   Atomics.waitAsync ping-pong with a blocked peer (the platform limit);
//   the blocking form (submit, result()) beside the raw blocking ping-pong;
// - map: MAP_ITEMS items in chunks of 1000, ThreadPoolExecutor.map beside
//   piscina running the same chunks (one task per chunk).
// Pools are started and warmed in the untimed setup and closed after.
import { bench, run, summary } from "mitata";
import { Piscina } from "piscina";
import { Thread, ThreadPoolExecutor } from "../mod.ts";
import { move, mtJoin, mtPool, mtShutdown, spawn } from "./_peers.ts";
import { note } from "./_report.ts";

const TASK = new URL("./_workers/add_one.ts", import.meta.url);
const CHUNK_TASK = new URL("./_workers/add_one_chunk.ts", import.meta.url);
const TASKS = 20_000;
const IN_FLIGHT = 256;
const ROUND_TRIPS = 200;
const MAP_ITEMS = 1_000_000;
const CHUNK = 1000;

/** Names the summary looks up. */
export const NAMES = {
  executor: `ThreadPoolExecutor ${TASKS} tasks, ${IN_FLIGHT} in flight`,
  piscina: `piscina ${TASKS} tasks, ${IN_FLIGHT} in flight`,
  mt: `multithreading ${TASKS} tasks, ${IN_FLIGHT} in flight`,
  roundTrip: `ThreadPoolExecutor submit+await x${ROUND_TRIPS}`,
  rawAsync: `raw waitAsync round trip x${ROUND_TRIPS}`,
  roundTripSync: `ThreadPoolExecutor submit+result() x${ROUND_TRIPS}`,
  rawSync: `raw wait/notify round trip x${ROUND_TRIPS}`,
  piscinaRoundTrip: `piscina run+await x${ROUND_TRIPS}`,
  map: `ThreadPoolExecutor.map ${MAP_ITEMS} items x${CHUNK}`,
  piscinaMap: `piscina ${MAP_ITEMS} items in chunks of ${CHUNK}`,
} as const;

const addOne = (x: number) => x + 1;
const mtAddOne = (n: number) => n + 1;

/** Runs `n` tasks through `submit` with `window` in flight; checks the sum. */
async function windowed(
  n: number,
  window: number,
  submit: (x: number) => PromiseLike<number>,
): Promise<void> {
  const inFlight: PromiseLike<number>[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    inFlight.push(submit(i));
    if (inFlight.length >= window) sum += await inFlight.shift()!;
  }
  for (const p of inFlight) sum += await p;
  if (sum !== (n * (n + 1)) / 2) throw new Error(`Bad sum ${sum}`);
}

/** A raw ping-pong peer: answers each PING seq in PONG until STOP. */
function rawPeer(a: Int32Array): number {
  let seen = 0;
  for (;;) {
    while (Atomics.load(a, 0) === seen) Atomics.wait(a, 0, seen, 1000);
    seen = Atomics.load(a, 0);
    if (Atomics.load(a, 2) === 1) return seen;
    Atomics.store(a, 1, seen);
    Atomics.notify(a, 1);
  }
}

async function rawPair() {
  const a = new Int32Array(new SharedArrayBuffer(12));
  const peer = new Thread({ target: rawPeer, args: [a], name: "raw peer" });
  peer.start();
  let sent = 0;
  const ping = () => {
    const i = ++sent;
    Atomics.store(a, 0, i);
    Atomics.notify(a, 0);
    return i;
  };
  const pair = {
    sync(): void {
      const i = ping();
      while (Atomics.load(a, 1) !== i) Atomics.wait(a, 1, i - 1, 60_000);
    },
    async async(): Promise<void> {
      const i = ping();
      while (Atomics.load(a, 1) !== i) {
        const r = Atomics.waitAsync(a, 1, i - 1, 60_000);
        if (r.async) await r.value;
      }
    },
    async stop(): Promise<void> {
      Atomics.store(a, 2, 1);
      ping();
      await peer.joinAsync({ timeout: 60_000 });
    },
  };
  await pair.async();
  return pair;
}

async function warmExecutor(): Promise<ThreadPoolExecutor> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  await Promise.all(
    Array.from({ length: 64 }, (_, i) => pool.submit(addOne, i)),
  );
  return pool;
}

/** Registers the executor benchmarks with mitata. */
export function register(): void {
  summary(() => {
    bench(NAMES.piscina, async function* () {
      const pool = new Piscina({
        filename: TASK.href,
        minThreads: 2,
        maxThreads: 2,
      });
      await Promise.all(Array.from({ length: 64 }, (_, i) => pool.run(i)));
      yield () => windowed(TASKS, IN_FLIGHT, (x) => pool.run(x));
      await pool.destroy();
    }).baseline(true);

    bench(NAMES.executor, async function* () {
      const pool = await warmExecutor();
      yield () => windowed(TASKS, IN_FLIGHT, (x) => pool.submit(addOne, x));
      await pool.shutdownAsync();
    });

    bench(NAMES.mt, async function* () {
      mtPool(2);
      // Its workers learn a function's code from the first spawn each one
      // runs; a task arriving at a worker by id only, before that, fails
      // ("Function ID 0 not found in worker registry"): warm both first.
      for (let i = 0; i < 50; i++) {
        await Promise.all([
          mtJoin(spawn(move(0), mtAddOne)),
          mtJoin(spawn(move(0), mtAddOne)),
        ]);
      }
      yield () =>
        windowed(TASKS, IN_FLIGHT, (x) => mtJoin(spawn(move(x), mtAddOne)));
      mtShutdown();
    });
  });

  summary(() => {
    bench(NAMES.rawAsync, async function* () {
      const pair = await rawPair();
      yield async () => {
        for (let i = 0; i < ROUND_TRIPS; i++) await pair.async();
      };
      await pair.stop();
    }).baseline(true);

    bench(NAMES.roundTrip, async function* () {
      const pool = await warmExecutor();
      yield async () => {
        for (let i = 0; i < ROUND_TRIPS; i++) {
          if (await pool.submit(addOne, i) !== i + 1) throw new Error("bad");
        }
      };
      await pool.shutdownAsync();
    });

    bench(NAMES.piscinaRoundTrip, async function* () {
      const pool = new Piscina({
        filename: TASK.href,
        minThreads: 1,
        maxThreads: 1,
      });
      await pool.run(0);
      yield async () => {
        for (let i = 0; i < ROUND_TRIPS; i++) {
          if (await pool.run(i) !== i + 1) throw new Error("bad");
        }
      };
      await pool.destroy();
    });
  });

  summary(() => {
    bench(NAMES.rawSync, async function* () {
      const pair = await rawPair();
      yield () => {
        for (let i = 0; i < ROUND_TRIPS; i++) pair.sync();
      };
      await pair.stop();
    }).baseline(true);

    bench(NAMES.roundTripSync, async function* () {
      const pool = await warmExecutor();
      yield () => {
        for (let i = 0; i < ROUND_TRIPS; i++) {
          if (pool.submit(addOne, i).result({ timeout: 60_000 }) !== i + 1) {
            throw new Error("bad");
          }
        }
      };
      await pool.shutdownAsync();
    });
  });

  const items = Array.from({ length: MAP_ITEMS }, (_, i) => i);
  summary(() => {
    bench(NAMES.piscinaMap, async function* () {
      const pool = new Piscina({
        filename: CHUNK_TASK.href,
        minThreads: 2,
        maxThreads: 2,
      });
      await pool.run([0]);
      yield async () => {
        const runs = [];
        for (let i = 0; i < MAP_ITEMS; i += CHUNK) {
          runs.push(pool.run(items.slice(i, i + CHUNK)));
        }
        let n = 0;
        for (const r of runs) n += (await r).length;
        if (n !== MAP_ITEMS) throw new Error("bad count");
      };
      await pool.destroy();
    }).baseline(true);

    bench(NAMES.map, async function* () {
      const pool = await warmExecutor();
      yield async () => {
        let n = 0, expect = 1;
        for await (const y of pool.map(addOne, items, { chunksize: CHUNK })) {
          if (y !== expect++) throw new Error("bad item");
          n++;
        }
        if (n !== MAP_ITEMS) throw new Error("bad count");
      };
      await pool.shutdownAsync();
    });
  });

  for (const name of [NAMES.executor, NAMES.piscina, NAMES.mt]) {
    note(name, { ops: TASKS });
  }
  for (
    const name of [
      NAMES.roundTrip,
      NAMES.rawAsync,
      NAMES.roundTripSync,
      NAMES.rawSync,
      NAMES.piscinaRoundTrip,
    ]
  ) {
    note(name, { ops: ROUND_TRIPS });
  }
  for (const name of [NAMES.map, NAMES.piscinaMap]) {
    note(name, { ops: MAP_ITEMS });
  }
}

if (import.meta.main) {
  register();
  const { benchmarks } = await run();
  void benchmarks;
  mtShutdown();
  Deno.exit(0);
}
