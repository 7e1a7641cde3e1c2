// Copyright 2026 the threadkit authors. MIT license.
// bench/start_ab.ts on Node, against the npm build (deno task build:npm
// makes npm/): thread start to first result in one process, interleaved, a
// raw node:worker_threads Worker (the bare worker a Thread starts on Node),
// a Thread with no spare (module and source target), a Thread on a ready
// spare (the wait for the spare is untimed). Medians of N of each, and each
// one's ratio to the raw Worker; a module-target row also its ratio to
// rawModule, a raw Worker whose script imports the module the Thread's target
// names (bench/_workers/add_one.mjs) and runs its addOne (what a worker
// written by hand to run a module's exported function pays).
//
// With --base=<dir> (another checkout whose npm/ is built, say main's),
// every Thread row also runs on that build in the same process, in
// alternating order (a same-process A/B).
//
// With --base it also prints, per Thread row, the median of the per-round
// ratios of this build's time to the base's; --rows=<names> (coldModule,
// coldSource, spareModule, spareSource) runs only those rows.
//
//   node bench/start_ab_node.mjs [N] [--base=<dir>] [--rows=<names>]
import { Worker } from "node:worker_threads";
// The npm build, loaded by URL: `deno task check` runs before it exists.
const here = await import(new URL("../npm/mod.js", import.meta.url).href);
const baseDir = process.argv.find((a) => a.startsWith("--base="))?.slice(7);
const only = process.argv.find((a) => a.startsWith("--rows="))?.slice(7)
  .split(",");
const base = baseDir === undefined
  ? undefined
  : await import(new URL(`file://${baseDir}/npm/mod.js`).href);
let pkg = here;

const RAW = new URL("./_workers/raw_add_one_node.mjs", import.meta.url);
const RAW_MODULE = new URL(
  "./_workers/raw_module_add_one_node.mjs",
  import.meta.url,
);
const TASK = new URL("./_workers/add_one.mjs", import.meta.url);
const N = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 8);
const pause = () => new Promise((r) => setTimeout(r, 20));

async function raw(url = RAW) {
  const t0 = performance.now();
  const w = new Worker(url);
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
  const { moduleTarget, Thread } = pkg;
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
  while (pkg.prestartThreads(1) < 1) {
    if (performance.now() > until) throw new Error("no spare within 30 s");
    await new Promise((r) => setTimeout(r, 2));
  }
  await pause();
}
const res = {
  raw: [],
  rawModule: [],
  coldModule: [],
  coldSource: [],
  spareModule: [],
  spareSource: [],
};
const packages = [["", here]];
if (base !== undefined) {
  packages.push(["base:", base]);
  for (const k of Object.keys(res)) {
    if (!k.startsWith("raw")) res["base:" + k] = [];
  }
}
const stopSpares = () => packages.forEach(([, p]) => p.prestartThreads(0));
await raw();
await raw(RAW_MODULE);
stopSpares();
for (const [, p] of packages) {
  pkg = p;
  await thread(false);
  await thread(true);
}
// Each row in turn for each package, their order alternating by round.
async function row(name, run, spare) {
  if (only !== undefined && !only.includes(name)) return;
  const order = res.raw.length % 2 === 0 ? packages : [...packages].reverse();
  for (const [prefix, p] of order) {
    pkg = p;
    stopSpares();
    if (spare) await ready();
    else await pause();
    res[prefix + name].push(await run());
    stopSpares();
  }
}
for (let i = 0; i < N; i++) {
  // The two raw baselines back to back, their order alternating, so the
  // rawModule/raw ratio compares workers started under the same load.
  const both = only === undefined || only.some((r) => r.endsWith("Module"));
  if (both && i % 2 === 1) res.rawModule.push(await raw(RAW_MODULE));
  const rawNow = await raw();
  if (both && i % 2 === 0) res.rawModule.push(await raw(RAW_MODULE));
  await row("coldModule", () => thread(false), false);
  await row("coldSource", () => thread(true), false);
  await row("spareModule", () => thread(false), true);
  await row("spareSource", () => thread(true), true);
  res.raw.push(rawNow);
}
stopSpares();
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const r = med(res.raw);
console.log(
  Object.entries(res).filter(([, v]) => v.length > 0).map(([k, v]) =>
    `${k} ${med(v).toFixed(2)}ms (${(med(v) / r).toFixed(2)}x raw` +
    (/(cold|spare)Module$/.test(k) && res.rawModule.length > 0
      ? `, ${(med(v) / med(res.rawModule)).toFixed(2)}x rawModule)`
      : ")")
  ).join(" | "),
);
if (base !== undefined) {
  const paired = Object.keys(res).filter((k) =>
    !k.startsWith("raw") && !k.startsWith("base:") && res[k].length > 0
  ).map((k) => {
    const r = res[k].map((v, i) => v / res["base:" + k][i]);
    return `${k} ${med(r).toFixed(2)}x (${Math.min(...r).toFixed(2)}-${
      Math.max(...r).toFixed(2)
    })`;
  });
  console.log(`this / base, median of per-round ratios: ${paired.join(" | ")}`);
}
