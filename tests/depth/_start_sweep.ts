// Copyright 2026 the threadkit authors. MIT license.
// A program that makes Thread.start calls at every depth from the end of the
// stack up, several sweeps, and reports what became of each attempt: started
// (then joined) or refused (a RangeError). Each thread counts its run in a
// shared word, so a thread that runs although its start threw shows as one
// run too many. With spares ready, every spare taken must have started a
// thread or be ready again in the list (or stopped): none lost.
// Args: daemon|plain, source|module, the number of spares, sweeps.
// Prints one JSON line; must exit by itself.
import { prestartThreads, Thread } from "../../mod.ts";
import { spareBlocks, sparesTaken } from "../../_core/spare.ts";
import { runtime } from "../../_core/runtime.ts";
import { sweep } from "../queue/_stack_end.ts";

// Thread-table entries now reserved (TID -1: taken by a start that neither
// started its thread nor gave the entry back) and live (_core/runtime.ts).
const TABLE = 16, ENTRY_SLOTS = 32;
function table(): { reserved: number; live: number } {
  const view = runtime().view;
  let reserved = 0, live = 0;
  for (let i = 1; i < 256; i++) {
    const tid = Atomics.load(view, TABLE + i * ENTRY_SLOTS);
    if (tid === -1) reserved++;
    else if (tid !== 0 && tid !== 1) live++;
  }
  return { reserved, live };
}

const g = globalThis as unknown as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const argv = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const daemon = argv[0] === "daemon";
const kind = argv[1] ?? "source";
// "~N": N spares asked for, the sweep started at once (spares still loading).
const loading = (argv[2] ?? "").startsWith("~");
const nSpares = Number((argv[2] ?? "0").replace("~", ""));
const sweeps = Number(argv[3] ?? 3);

const counter = new Int32Array(new SharedArrayBuffer(4));
const target = kind === "module"
  ? { module: new URL("./_bump.ts", import.meta.url), export: "bump" }
  : (c: Int32Array, x: number) => {
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
    return x + 1;
  };

if (nSpares > 0 && loading) prestartThreads(nSpares);
else if (nSpares > 0) {
  const until = performance.now() + 90_000;
  while (prestartThreads(nSpares) < nSpares && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
  }
}
const tableBefore = table();
const before = spareBlocks().slice();
const takenBefore = sparesTaken();

const started: Thread[] = new Array(4096).fill(undefined);
let k = 0, refused = 0;
const others: string[] = [];
for (let s = 0; s < sweeps; s++) {
  sweep(() => {
    try {
      const t = new Thread({
        // deno-lint-ignore no-explicit-any
        target: target as any,
        args: [counter, 1],
        daemon,
      });
      t.start();
      started[k] = t;
      k++;
    } catch (e) {
      // Every refusal is counted; one that is not a RangeError (the
      // overflow reported as something else) is listed too.
      refused++;
      if (!(e instanceof RangeError) && others.length < 8) {
        others[others.length] = String(e).slice(0, 120);
      }
      throw e;
    }
  });
}
const t0 = performance.now();
const log = (what: string) =>
  console.error(`${what} at ${Math.round(performance.now() - t0)} ms`);
log("swept");
const results: unknown[] = [];
for (let i = 0; i < k; i++) {
  try {
    started[i].join({ timeout: 30_000 });
    results.push(started[i].result);
  } catch (e) {
    results.push(String(e));
  }
}
log("joined");
// A thread whose start was refused but runs anyway counts one run more:
// wait (bounded) for such a run after the joined ones.
Atomics.wait(counter, 0, k, 1500);
const runs = Atomics.load(counter, 0);
const STATES = ["LOADING", "READY", "TAKEN", "TAKEN_SHARED", "STOP", "STOPPED"];
const now = new Set(spareBlocks());
const fate: Record<string, number> = {};
for (const b of before) {
  const st = STATES[Atomics.load(b, 0)] ?? String(Atomics.load(b, 0));
  const key = now.has(b) ? `listed-${st}` : `out-${st}`;
  fate[key] = (fate[key] ?? 0) + 1;
}
log("counted");
globalThis.addEventListener?.("unload", () => log("unload"));
console.log(JSON.stringify({
  daemon,
  kind,
  spares: before.length,
  k,
  refused,
  runs,
  taken: sparesTaken() - takenBefore,
  fate,
  tableBefore,
  tableAfter: table(),
  results: [...new Set(results.map(String))],
  others,
}));
