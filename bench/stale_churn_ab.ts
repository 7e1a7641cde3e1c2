// Copyright 2026 the threadkit authors. MIT license.
// Two builds of the executor in one process (A baseline, B subject): rounds
// of 100 tasks in flight, each over a fresh SharedArrayBuffer and `ms` of
// work (default 0.3), with 2 pool threads, in alternating rounds. Every
// task registers its buffer (an add posted to each pool thread); a task
// that spans DRAIN_AT of them (a slow one, or one preempted at load) is
// marked stale where the build has the mark (pool/_stale.ts), and costs a
// thread start. Prints B/A (the median of per-round ratios), both medians
// in ms per round, and the pool-thread starts each side made.
//
//   deno run -A bench/stale_churn_ab.ts A/mod.ts B/mod.ts [ms]
import process from "node:process";
import { pathToFileURL } from "node:url";

type Executor = {
  submit(fn: (w: Int32Array) => number, w: Int32Array): PromiseLike<number>;
  shutdownAsync(): Promise<void>;
  [k: symbol]: () => { buffer: SharedArrayBuffer };
};
type Package = {
  ThreadPoolExecutor: new (o: { maxWorkers: number }) => Executor;
};

const [aPath, bPath, msArg] = process.argv.slice(2);
const ms = Number(msArg ?? 0.3);
const load = async (p: string) =>
  await import(pathToFileURL(p).href) as Package;
const sides = [await load(aPath), await load(bPath)];
// TO_DESCRIPTOR of each build, for its block's NAMES word (header word 7).
const symbols = await Promise.all(
  [aPath, bPath].map(async (p) =>
    (await import(
      pathToFileURL(p.replace(/mod\.ts$/, "_core/transfer.ts")).href
    )).TO_DESCRIPTOR as symbol
  ),
);
const NAMES = 7;
const work = new Function(
  "w",
  `const end = performance.now() + ${ms};
   while (performance.now() < end);
   return Atomics.add(w, 0, 1);`,
) as (w: Int32Array) => number;
const med = (a: number[]) =>
  [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const pools = sides.map((m) => new m.ThreadPoolExecutor({ maxWorkers: 2 }));
const fresh = () => new Int32Array(new SharedArrayBuffer(4));
for (const p of pools) {
  await Promise.all([p.submit(work, fresh()), p.submit(work, fresh())]);
}
const t: number[][] = [[], []];
for (let round = 0; round < 14; round++) {
  for (const side of round % 2 ? [1, 0] : [0, 1]) {
    const t0 = performance.now();
    const fs = [];
    for (let i = 0; i < 100; i++) fs.push(pools[side].submit(work, fresh()));
    await Promise.all(fs);
    if (round > 1) t[side].push(performance.now() - t0);
  }
}
const starts = pools.map((p, i) =>
  new Int32Array(p[symbols[i]]().buffer)[NAMES]
);
const ratios = t[0].map((a, i) => t[1][i] / a);
console.log(
  `B/A ${med(ratios).toFixed(2)} (A ${med(t[0]).toFixed(1)} ms, B ${
    med(t[1]).toFixed(1)
  } ms per round of 100); pool-thread starts A ${starts[0]}, B ${starts[1]}`,
);
for (const p of pools) await p.shutdownAsync();
