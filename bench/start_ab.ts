// Copyright 2026 the threadkit authors. MIT license.
// Thread start to first result in one process, interleaved, each against a
// bare worker started the same way: a raw web Worker for a Thread with no
// spare (module and source target: a non-daemon thread starts on a web
// Worker on Deno), a raw node:worker_threads Worker for a daemon Thread with
// no spare (its worker on Deno), and a Thread on a ready spare (module and
// source target; the wait for the spare is untimed, and the event loop runs
// meanwhile, so replacements are built between starts). Medians of N of
// each, and each one's ratio to its baseline. bench/start_ab_node.mjs is the
// same on Node.
//
// A module-target row has two baselines: the raw Worker above, whose script
// holds the function it runs (what threadkit adds over a worker at all), and
// rawModule, a raw web Worker whose script imports the same module the
// Thread's target names (bench/_workers/add_one.ts) and runs its addOne (what
// a worker written by hand to run a module's exported function pays: the
// module's own load is in both).
// The two are started back to back at the start of each round (their order
// alternating), so their ratio is taken under one load.
//
// With --base=<dir> (another checkout of the package, say main's), every
// Thread row also runs on that package in the same process, in alternating
// order, and prints its medians beside this one's (a same-process A/B).
//
// It then prints, per Thread row, the median of the per-round ratios of this
// package's time to the base's (the pair of each round ran back to back).
// --rows=<names> (comma-separated: coldModule, coldSource, daemonCold,
// spareModule, spareSource) runs only those rows (and their baselines).
// --called makes each Thread's target return the time it was called (the
// worker's clock, performance.timeOrigin + now) instead of n + 1, and prints
// also the time from start() returning to that call, per row and (with
// --base) as per-round ratios: the worker's side of a start, without the
// joiner's wake.
//
//   deno run -A bench/start_ab.ts [N] [--base=<dir>] [--rows=<names>] [--called]
import { Worker as NodeWorker } from "node:worker_threads";
import * as here from "../mod.ts";
import type * as addOne from "./_workers/add_one.ts";
const RAW = new URL("./_workers/raw_add_one.ts", import.meta.url);
const RAW_MODULE = new URL("./_workers/raw_module_add_one.ts", import.meta.url);
const RAW_NODE = new URL("./_workers/raw_add_one_node.mjs", import.meta.url);
const TASK = new URL("./_workers/add_one.ts", import.meta.url);
const N = Number(Deno.args.find((a) => !a.startsWith("--")) ?? 8);
const baseDir = Deno.args.find((a) => a.startsWith("--base="))?.slice(7);
const only = Deno.args.find((a) => a.startsWith("--rows="))?.slice(7)
  .split(",");
const wanted = (name: string) => only === undefined || only.includes(name);
const CALLED = Deno.args.includes("--called");
let lastCall = NaN; // with --called: ms from start() returning to the call
type Package = Pick<typeof here, "moduleTarget" | "prestartThreads" | "Thread">;
const base: Package | undefined = baseDir === undefined
  ? undefined
  : await import(new URL(`file://${baseDir}/mod.ts`).href);
let pkg: Package = here;
async function raw(url = RAW) {
  const t0 = performance.now();
  const w = new Worker(url, { type: "module" });
  const got = await new Promise<number>((res) => {
    w.onmessage = (e) => res(e.data);
    w.postMessage(41);
  });
  const dt = performance.now() - t0;
  w.terminate();
  if (got !== 42) throw new Error("bad");
  return dt;
}
async function rawNode() {
  const t0 = performance.now();
  const w = new NodeWorker(RAW_NODE);
  const got = await new Promise<number>((res) => {
    w.once("message", res);
    w.postMessage(41);
  });
  const dt = performance.now() - t0;
  await w.terminate();
  if (got !== 42) throw new Error("bad");
  return dt;
}
async function thread(source: boolean, daemon = false) {
  const { moduleTarget, Thread } = pkg;
  const t0 = performance.now();
  const t = new Thread<(n: number) => number>({
    target: CALLED
      ? (source
        ? () => performance.timeOrigin + performance.now()
        : moduleTarget<typeof addOne.calledAt>(TASK, "calledAt"))
      : source
      ? (n: number) => n + 1
      : moduleTarget<typeof addOne.addOne>(TASK, "addOne"),
    args: [41],
    daemon,
  });
  t.start();
  const started = performance.timeOrigin + performance.now();
  const v = await t.joinAsync({ timeout: 60000 });
  const dt = performance.now() - t0;
  if (CALLED) lastCall = v - started;
  else if (v !== 42) throw new Error("bad");
  return dt;
}
async function ready() {
  const until = performance.now() + 30000;
  while (pkg.prestartThreads(1) < 1) {
    if (performance.now() > until) throw new Error("no spare within 30 s");
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, 20));
}
const pause = () => new Promise((r) => setTimeout(r, 20));
const res: Record<string, number[]> = {
  raw: [],
  rawModule: [],
  coldModule: [],
  coldSource: [],
  rawNode: [],
  daemonCold: [],
  spareModule: [],
  spareSource: [],
};
const calls: Record<string, number[]> = {};
const packages: [string, Package][] = [["", here]];
if (base !== undefined) {
  packages.push(["base:", base]);
  for (const k of Object.keys(res)) {
    if (!k.startsWith("raw")) {
      res["base:" + k] = [];
    }
  }
}
const stopSpares = () => packages.forEach(([, p]) => p.prestartThreads(0));
// warm the module cache / type check once
await raw();
await raw(RAW_MODULE);
await rawNode();
stopSpares();
for (const [, p] of packages) {
  pkg = p;
  await thread(false);
  await thread(true);
  await thread(false, true);
}
// Each row in turn for each package, their order alternating by round.
async function row(name: string, run: () => Promise<number>, spare: boolean) {
  if (!wanted(name)) return;
  const order = res.raw.length % 2 === 0 ? packages : [...packages].reverse();
  for (const [prefix, p] of order) {
    pkg = p;
    stopSpares();
    if (spare) await ready();
    else await pause();
    res[prefix + name].push(await run());
    (calls[prefix + name] ??= []).push(lastCall);
    stopSpares();
  }
}
for (let i = 0; i < N; i++) {
  stopSpares();
  await pause();
  // The two raw baselines back to back, their order alternating, so the
  // rawModule/raw ratio compares workers started under the same load.
  const both = wanted("coldModule") || wanted("spareModule");
  if (both && i % 2 === 1) res.rawModule.push(await raw(RAW_MODULE));
  const rawNow = await raw();
  if (both && i % 2 === 0) res.rawModule.push(await raw(RAW_MODULE));
  await row("coldModule", () => thread(false), false);
  await row("coldSource", () => thread(true), false);
  await pause();
  if (wanted("daemonCold")) res.rawNode.push(await rawNode());
  await row("daemonCold", () => thread(false, true), false);
  await row("spareModule", () => thread(false), true);
  await row("spareSource", () => thread(true), true);
  res.raw.push(rawNow);
}
stopSpares();
const med = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
};
const baseline: Record<string, string> = {
  coldModule: "raw",
  coldSource: "raw",
  daemonCold: "rawNode",
  spareModule: "raw",
  spareSource: "raw",
};
console.log(
  Object.entries(res).filter(([, v]) => v.length > 0).map(([k, v]) => {
    const of = baseline[k.replace("base:", "")];
    const also = /(cold|spare)Module$/.test(k) && res.rawModule.length > 0
      ? "rawModule"
      : undefined;
    return `${k} ${med(v).toFixed(2)}ms` +
      (of ? ` (${(med(v) / med(res[of])).toFixed(2)}x ${of}` : "") +
      (also
        ? `, ${(med(v) / med(res[also])).toFixed(2)}x ${also})`
        : of
        ? ")"
        : "");
  }).join(" | "),
);
if (base !== undefined) {
  const paired = Object.keys(baseline).filter((k) => res[k].length > 0).map(
    (k) => {
      const r = res[k].map((v, i) => v / res["base:" + k][i]);
      const lo = Math.min(...r).toFixed(2), hi = Math.max(...r).toFixed(2);
      return `${k} ${med(r).toFixed(2)}x (${lo}-${hi})`;
    },
  );
  console.log(`this / base, median of per-round ratios: ${paired.join(" | ")}`);
}
if (CALLED) {
  console.log(
    "start() to the target's call: " +
      Object.entries(calls).map(([k, v]) => `${k} ${med(v).toFixed(2)}ms`).join(
        " | ",
      ),
  );
  if (base !== undefined) {
    const paired = Object.keys(baseline).filter((k) => calls[k]).map((k) => {
      const r = calls[k].map((v, i) => v / calls["base:" + k][i]);
      return `${k} ${med(r).toFixed(2)}x`;
    });
    console.log(`to the call, this / base: ${paired.join(" | ")}`);
  }
}
