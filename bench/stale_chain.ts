// Copyright 2026 the threadkit authors. MIT license.
// Pool-thread starts under a burst during a long task (pool/_stale.ts):
// 2 pool threads, one held in a long task; home then submits `n` tasks
// over fresh 64 KiB buffers, `inFlight` at a time (a stream: each settled
// task makes room for the next). The held thread is marked once; each
// start beyond that one is a replacement (or the other thread) marked in
// turn: a replacement's first task loads its target's module, and a chain
// of marks would start a thread per burst. Prints the starts beyond the 2
// and the stream's time, per build given (its mod.ts), alternating (RSS:
// bench/stale_rss.ts; here it would count the serving threads' garbage).
//
// `module`: the task is bench/_chain_task.ts's add (a module that loads
// the library: a replacement's first task is slow), else an inline one.
//
//   deno run -A bench/stale_chain.ts n inFlight inline|module A/mod.ts [B/mod.ts]
import process from "node:process";
import { pathToFileURL } from "node:url";

const [nArg, flightArg, kind, ...paths] = process.argv.slice(2);
const n = Number(nArg), inFlight = Number(flightArg);
const NAMES = 7;
async function run(path: string): Promise<[number, number]> {
  const url = pathToFileURL(path).href;
  const m = await import(url);
  const { TO_DESCRIPTOR } = await import(
    url.replace(/mod\.ts$/, "_core/transfer.ts")
  );
  const pool = new m.ThreadPoolExecutor({ maxWorkers: 2 });
  const warm = new m.Barrier(2);
  await Promise.all(
    [0, 1].map(() =>
      pool.submit(
        (b: { wait(o: object): boolean }) => b.wait({ timeout: 30_000 }),
        warm,
      )
    ),
  );
  const release = new m.Event(), started = new m.Event();
  const long = pool.submit(
    (r: { wait(o: object): boolean }, s: { set(): void }) => (
      s.set(), r.wait({ timeout: 120_000 })
    ),
    release,
    started,
  );
  await started.waitAsync({ timeout: 30_000 });
  const t0 = performance.now();
  const add = kind === "module"
    ? { module: new URL("./_chain_task.ts", import.meta.url), export: "add" }
    : (w: Int32Array) => Atomics.add(w, 0, 1);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      await pool.submit(add, new Int32Array(new SharedArrayBuffer(1 << 16)));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const ms = performance.now() - t0;
  release.set();
  await long;
  const starts = new Int32Array(pool[TO_DESCRIPTOR]().buffer)[NAMES] - 2;
  await pool.shutdownAsync();
  return [starts, ms];
}
for (let round = 0; round < 3; round++) {
  for (const p of round % 2 ? [...paths].reverse() : paths) {
    const [starts, ms] = await run(p);
    console.log(
      `${p}: n ${n} in flight ${inFlight} ${kind}: starts beyond 2: ${starts}, ${
        ms.toFixed(0)
      } ms`,
    );
  }
}
