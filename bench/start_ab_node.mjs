// Copyright 2026 the threadkit authors. MIT license.
// bench/start_ab.ts on Node, against the npm build (deno task build:npm
// makes npm/): thread start to first result in one process, interleaved, a
// raw node:worker_threads Worker (the bare worker a Thread starts on Node),
// a Thread with no spare (module and source target), a Thread on a ready
// spare (the wait for the spare is untimed). Medians of N of each, and each
// one's ratio to the raw Worker.
//
//   node bench/start_ab_node.mjs [N]
import { Worker } from "node:worker_threads";
// The npm build, loaded by URL: `deno task check` runs before it exists.
const { moduleTarget, prestartThreads, Thread } = await import(
  new URL("../npm/mod.js", import.meta.url).href
);

const RAW = new URL("./_workers/raw_add_one_node.mjs", import.meta.url);
const TASK = new URL("./_workers/add_one.mjs", import.meta.url);
const N = Number(process.argv[2] ?? 8);
const pause = () => new Promise((r) => setTimeout(r, 20));

async function raw() {
  const t0 = performance.now();
  const w = new Worker(RAW);
  const got = await new Promise((res) => {
    w.once("message", res);
    w.postMessage(41);
  });
  const dt = performance.now() - t0;
  await w.terminate();
  if (got !== 42) throw new Error("bad");
  return dt;
}
async function thread(source) {
  const t0 = performance.now();
  const t = new Thread({
    target: source ? (n) => n + 1 : moduleTarget(TASK, "addOne"),
    args: [41],
  });
  t.start();
  const v = await t.joinAsync({ timeout: 60000 });
  const dt = performance.now() - t0;
  if (v !== 42) throw new Error("bad");
  return dt;
}
async function ready() {
  const until = performance.now() + 30000;
  while (prestartThreads(1) < 1) {
    if (performance.now() > until) throw new Error("no spare within 30 s");
    await new Promise((r) => setTimeout(r, 2));
  }
  await pause();
}
const res = {
  raw: [],
  coldModule: [],
  coldSource: [],
  spareModule: [],
  spareSource: [],
};
await raw();
prestartThreads(0);
await thread(false);
await thread(true);
for (let i = 0; i < N; i++) {
  prestartThreads(0);
  await pause();
  res.raw.push(await raw());
  await pause();
  res.coldModule.push(await thread(false));
  await pause();
  res.coldSource.push(await thread(true));
  await ready();
  res.spareModule.push(await thread(false));
  await ready();
  res.spareSource.push(await thread(true));
}
prestartThreads(0);
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const r = med(res.raw);
console.log(
  Object.entries(res).map(([k, v]) =>
    `${k} ${med(v).toFixed(2)}ms (${(med(v) / r).toFixed(2)}x raw)`
  ).join(" | "),
);
