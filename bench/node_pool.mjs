// Copyright 2026 the threadkit authors. MIT license.
// The executor on Node (the npm build) beside piscina on Node, in one mitata
// run: TASKS trivial tasks `(x) => x + 1` with IN_FLIGHT in flight on 2 pool
// threads, and one task at a time. Needs the npm build (deno task build:npm)
// and piscina + mitata where Node resolves them (NODE_PATH or a node_modules
// beside; see BENCHMARKS.md):
//
//   node bench/node_pool.mjs
import { bench, run, summary } from "mitata";
import { Piscina } from "piscina";
// The build, by a computed URL: `deno check bench/` runs before it exists.
const { ThreadPoolExecutor } = await import(
  new URL("../npm/mod.js", import.meta.url).href
);

const TASK = new URL("./_workers/add_one.mjs", import.meta.url);
const TASKS = 20_000;
const IN_FLIGHT = 256;
const ROUND_TRIPS = 200;
const addOne = (x) => x + 1;

async function windowed(n, window, submit) {
  const inFlight = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    inFlight.push(submit(i));
    if (inFlight.length >= window) sum += await inFlight.shift();
  }
  for (const p of inFlight) sum += await p;
  if (sum !== (n * (n + 1)) / 2) throw new Error(`Bad sum ${sum}`);
}

summary(() => {
  bench(
    `node: piscina ${TASKS} tasks, ${IN_FLIGHT} in flight`,
    async function* () {
      const pool = new Piscina({
        filename: TASK.href,
        minThreads: 2,
        maxThreads: 2,
      });
      await Promise.all(Array.from({ length: 64 }, (_, i) => pool.run(i)));
      yield () => windowed(TASKS, IN_FLIGHT, (x) => pool.run(x));
      await pool.destroy();
    },
  ).baseline(true);
  bench(
    `node: ThreadPoolExecutor ${TASKS} tasks, ${IN_FLIGHT} in flight`,
    async function* () {
      const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
      await Promise.all(
        Array.from({ length: 64 }, (_, i) => pool.submit(addOne, i)),
      );
      yield () => windowed(TASKS, IN_FLIGHT, (x) => pool.submit(addOne, x));
      await pool.shutdownAsync();
    },
  );
});

summary(() => {
  bench(`node: piscina run+await x${ROUND_TRIPS}`, async function* () {
    const pool = new Piscina({
      filename: TASK.href,
      minThreads: 1,
      maxThreads: 1,
    });
    await pool.run(0);
    yield async () => {
      for (let i = 0; i < ROUND_TRIPS; i++) await pool.run(i);
    };
    await pool.destroy();
  }).baseline(true);
  bench(
    `node: ThreadPoolExecutor submit+await x${ROUND_TRIPS}`,
    async function* () {
      const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      await pool.submit(addOne, 0);
      yield async () => {
        for (let i = 0; i < ROUND_TRIPS; i++) await pool.submit(addOne, i);
      };
      await pool.shutdownAsync();
    },
  );
});

const { benchmarks } = await run();
// Tasks per second, for BENCHMARKS.md.
for (const b of benchmarks) {
  const stats = b.runs[0]?.stats;
  if (!stats) continue;
  const ops = b.alias.includes("tasks") ? TASKS : ROUND_TRIPS;
  console.log(`${b.alias}: ${Math.round(ops / (stats.avg / 1e9))} tasks/s`);
}
process.exit(0);
