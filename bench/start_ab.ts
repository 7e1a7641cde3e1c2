// Copyright 2026 the threadkit authors. MIT license.
// Thread start to first result in one process, interleaved: a raw Worker, a
// Thread with no spare (module and source target), a Thread on a ready spare
// (the wait for the spare is untimed, and the event loop runs meanwhile, so
// replacements are built between starts). Medians of N of each, and each
// one's ratio to the raw Worker.
//
//   deno run -A bench/start_ab.ts [N]
import { moduleTarget, prestartThreads, Thread } from "../mod.ts";
import type * as addOne from "./_workers/add_one.ts";
const RAW = new URL("./_workers/raw_add_one.ts", import.meta.url);
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
const res: Record<string, number[]> = {
  raw: [],
  coldModule: [],
  coldSource: [],
  spareModule: [],
  spareSource: [],
};
// warm the module cache / type check once
await raw();
prestartThreads(0);
await thread(false);
await thread(true);
for (let i = 0; i < N; i++) {
  prestartThreads(0);
  await new Promise((r) => setTimeout(r, 20));
  res.raw.push(await raw());
  await new Promise((r) => setTimeout(r, 20));
  res.coldModule.push(await thread(false));
  await new Promise((r) => setTimeout(r, 20));
  res.coldSource.push(await thread(true));
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
const r = med(res.raw);
console.log(
  Object.entries(res).map(([k, v]) =>
    `${k} ${med(v).toFixed(2)}ms (${(med(v) / r).toFixed(2)}x)`
  ).join(" | "),
);
