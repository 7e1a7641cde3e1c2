// Copyright 2026 the threadkit authors. MIT license.
// Two builds of the executor in one process (A baseline, B subject), tasks
// one at a time with a shared view arg, in alternating rounds of 340 tasks:
// round robin over 16 buffers (all kept registered) and over 17 (KEEP + 1:
// every task registers its buffer again and drops one, posting an add and a
// drop to every pool thread, pool/_shared.ts). Prints B/A per row (the
// per-round median) with both medians in us per task, for 2 and 8 workers.
//
//   deno run -A bench/shared_keep_ab.ts A/mod.ts B/mod.ts
import process from "node:process";
import { pathToFileURL } from "node:url";

type Executor = {
  submit(
    fn: (w: Int32Array, i: number, n: number) => number,
    ...args: [Int32Array, number, number]
  ): PromiseLike<number>;
  shutdownAsync(): Promise<void>;
};
type Package = {
  ThreadPoolExecutor: new (o: { maxWorkers: number }) => Executor;
};

const [aPath, bPath] = process.argv.slice(2);
const load = async (p: string) =>
  await import(pathToFileURL(p).href) as Package;
const sides = [await load(aPath), await load(bPath)];
const add = (w: Int32Array, i: number, n: number) => Atomics.add(w, i, n);
const words = () => new Int32Array(new SharedArrayBuffer(4));
const med = (a: number[]) =>
  [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

for (const workers of [2, 8]) {
  const pools = sides.map((m) =>
    new m.ThreadPoolExecutor({ maxWorkers: workers })
  );
  // Every pool thread started: as many tasks in flight as threads.
  const spin = words();
  for (const p of pools) {
    await Promise.all(
      Array.from({ length: workers }, () => p.submit(add, spin, 0, 0)),
    );
  }
  const sets = {
    b16: Array.from({ length: 16 }, words),
    b17: Array.from({ length: 17 }, words),
  };
  const r: Record<string, number[][]> = { b16: [[], []], b17: [[], []] };
  for (let round = 0; round < 8; round++) {
    for (const k of ["b16", "b17"] as const) {
      for (const side of round % 2 ? [1, 0] : [0, 1]) {
        const ws = sets[k], n = 340;
        const t0 = performance.now();
        for (let i = 0; i < n; i++) {
          await pools[side].submit(add, ws[i % ws.length], 0, 1);
        }
        if (round > 0) r[k][side].push((performance.now() - t0) / n * 1000);
      }
    }
  }
  for (const k of ["b16", "b17"]) {
    const ratios = r[k][0].map((a, i) => r[k][1][i] / a);
    console.log(
      `workers=${workers} ${k}: B/A ${med(ratios).toFixed(3)} (A ${
        med(r[k][0]).toFixed(1)
      } us, B ${med(r[k][1]).toFixed(1)} us per task)`,
    );
  }
  for (const p of pools) await p.shutdownAsync();
}
