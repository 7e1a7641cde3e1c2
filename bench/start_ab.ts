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
//   deno run -A bench/start_ab.ts [N]
import { Worker as NodeWorker } from "node:worker_threads";
import { moduleTarget, prestartThreads, Thread } from "../mod.ts";
import type * as addOne from "./_workers/add_one.ts";
const RAW = new URL("./_workers/raw_add_one.ts", import.meta.url);
const RAW_NODE = new URL("./_workers/raw_add_one_node.mjs", import.meta.url);
const TASK = new URL("./_workers/add_one.ts", import.meta.url);
const N = Number(Deno.args[0] ?? 8);
async function raw() {
  const t0 = performance.now();
  const w = new Worker(RAW, { type: "module" });
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
  const t0 = performance.now();
  const t = new Thread({
    target: source
      ? (n: number) => n + 1
      : moduleTarget<typeof addOne.addOne>(TASK, "addOne"),
    args: [41],
    daemon,
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
  await new Promise((r) => setTimeout(r, 20));
}
const pause = () => new Promise((r) => setTimeout(r, 20));
const res: Record<string, number[]> = {
  raw: [],
  coldModule: [],
  coldSource: [],
  rawNode: [],
  daemonCold: [],
  spareModule: [],
  spareSource: [],
};
// warm the module cache / type check once
await raw();
await rawNode();
prestartThreads(0);
await thread(false);
await thread(true);
await thread(false, true);
for (let i = 0; i < N; i++) {
  prestartThreads(0);
  await pause();
  res.raw.push(await raw());
  await pause();
  res.coldModule.push(await thread(false));
  await pause();
  res.coldSource.push(await thread(true));
  await pause();
  res.rawNode.push(await rawNode());
  await pause();
  res.daemonCold.push(await thread(false, true));
  await ready();
  res.spareModule.push(await thread(false));
  await ready();
  res.spareSource.push(await thread(true));
}
prestartThreads(0);
const med = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
};
const base: Record<string, string> = {
  coldModule: "raw",
  coldSource: "raw",
  daemonCold: "rawNode",
  spareModule: "raw",
  spareSource: "raw",
};
console.log(
  Object.entries(res).map(([k, v]) =>
    `${k} ${med(v).toFixed(2)}ms` +
    (base[k] ? ` (${(med(v) / med(res[base[k]])).toFixed(2)}x ${base[k]})` : "")
  ).join(" | "),
);
