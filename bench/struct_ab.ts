// Copyright 2026 the threadkit authors. MIT license.
// The structured Queue of this tree against another copy of the package (a
// checkout of the baseline), in one process, timed in alternating rounds
// (bench/_ab.ts), beside the rows' own baselines (postMessage, the JSON-text
// byte ring) in the same rounds, so every ratio is taken in one run:
// - t2t: a producer thread puts N { id, payload } items one by one, a
//   consumer thread gets them;
// - m2t: this thread puts, a consumer thread gets;
// - many: putMany/getMany in batches of 1000, thread -> thread.
// Each round checks the consumer's checksum. Runs on Deno from the sources
// and on Node from the npm build (bench/_node_build.ts lists this file):
//
//   deno run -A bench/struct_ab.ts BASE_MOD [REPS] [ROWS]
//   node npm/bench/struct_ab.js BASE_MOD [REPS] [ROWS]
// BASE_MOD is the baseline's mod.ts (Deno) or npm/mod.js (Node), for
// example after `git archive <base> | tar -x -C /tmp/base` (and, for Node,
// `deno task build:npm` there); ROWS a comma list of t2t, m2t, many.
import process from "node:process";
import { pathToFileURL } from "node:url";
import { compare, median, type Runner, type Side } from "./_ab.ts";
import * as here from "../mod.ts";
import { pipe, postFromMain, postPipe, textRing } from "./_sides.ts";
import { objSum, PAYLOAD } from "./_workers/limits.ts";

type Mod = typeof here;
const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
const args = deno?.args ?? process.argv.slice(2);
const base = args[0];
if (base === undefined) throw new Error("usage: struct_ab BASE_MOD [REPS]");
const REPS = Number(args[1] ?? 9);
const ROWS = (args[2] ?? "t2t,m2t,many").split(",");
// The transfer registry lives on globalThis so that two copies of one
// version share it; two versions must not (each revives its own classes):
// the baseline gets a registry of its own (as bench/unbounded_ab.ts).
const KEY = Symbol.for("threadkit.transfer.registry.v1");
const g = globalThis as Record<symbol, unknown>;
const ours = g[KEY];
delete g[KEY];
const there = await import(pathToFileURL(base).href) as Mod;
g[KEY] = ours;

type Item = { id: number; payload: string };
type Q<T> = {
  get(o?: { timeout?: number }): T;
  put(x: T): void;
  putMany(xs: T[]): number;
  getMany(n: number): T[];
};

// The threads' targets: sent as source, so each runs on its side's copy.
const producer = (q: Q<Item>, ctl: Q<number>, batch: number, p: string) => {
  for (;;) {
    const n = ctl.get();
    if (n < 0) return;
    if (batch === 1) {
      for (let i = 0; i < n; i++) q.put({ id: i, payload: p });
      continue;
    }
    for (let i = 0; i < n; i += batch) {
      const items: Item[] = [];
      for (let j = i; j < Math.min(i + batch, n); j++) {
        items.push({ id: j, payload: p });
      }
      q.putMany(items);
    }
  }
};
const consumer = (q: Q<Item>, ctl: Q<number>, done: Q<number>, b: number) => {
  for (;;) {
    const n = ctl.get();
    if (n < 0) return;
    let sum = 0;
    if (b === 1) {
      for (let i = 0; i < n; i++) {
        const x = q.get();
        sum = (sum + x.id + x.payload.length) | 0;
      }
    } else {
      for (let got = 0; got < n;) {
        const xs = q.getMany(Math.min(b, n - got));
        for (const x of xs) sum = (sum + x.id + x.payload.length) | 0;
        got += xs.length;
      }
    }
    done.put(sum);
  }
};

// A side on package copy `m`: thread -> thread (fromMain false) or this
// thread -> thread, batch 1 (put/get) or `batch` (putMany/getMany).
function side(name: string, m: Mod, batch: number, fromMain: boolean): Side {
  return {
    name,
    start(): Promise<Runner> {
      const cap = batch === 1 ? 1024 : 4 * batch;
      const q = new m.Queue<Item>({ capacity: cap, bytes: cap * 128 });
      const pctl = new m.Queue<number>({ capacity: 4, type: "int32" });
      const cctl = new m.Queue<number>({ capacity: 4, type: "int32" });
      const done = new m.Queue<number>({ capacity: 4, type: "int32" });
      const threads = [
        new m.Thread({
          target: consumer as never,
          args: [q, cctl, done, batch] as never,
        }),
      ];
      if (!fromMain) {
        threads.push(
          new m.Thread({
            target: producer as never,
            args: [q, pctl, batch, PAYLOAD] as never,
          }),
        );
      }
      for (const t of threads) t.start();
      return Promise.resolve({
        round(n: number) {
          cctl.put(n);
          if (fromMain) {
            for (let i = 0; i < n; i++) q.put({ id: i, payload: PAYLOAD });
          } else pctl.put(n);
          const sum = done.get({ timeout: 120_000 });
          if (sum !== objSum(n)) {
            throw new Error(`${name}: checksum ${sum}, want ${objSum(n)}`);
          }
          return n;
        },
        async stop() {
          cctl.put(-1);
          pctl.put(-1);
          for (const t of threads) await t.joinAsync({ timeout: 60_000 });
        },
      });
    },
  };
}

const rows: [string, string, Side[], number][] = [
  ["t2t", "Queue structured put/get, thread -> thread", [
    side("this tree", here, 1, false),
    side("base", there, 1, false),
    postPipe("postMessage per item, worker -> worker", 1),
    pipe("JSON-text byte ring", textRing, objSum),
  ], 50_000],
  ["m2t", "Queue structured put/get, main -> thread", [
    side("this tree", here, 1, true),
    side("base", there, 1, true),
    postFromMain("postMessage per item, main -> worker"),
  ], 50_000],
  ["many", "Queue structured putMany/getMany x1000, thread -> thread", [
    side("this tree", here, 1000, false),
    side("base", there, 1000, false),
    postPipe("postMessage x1000, worker -> worker", 1000),
  ], 100_000],
];
const runtime = deno ? "deno" : "node";
for (const [id, what, sides, n] of rows) {
  if (!ROWS.includes(id)) continue;
  const ts = await compare(sides, n, REPS);
  const a = ts[0];
  const parts = ts.slice(1).map((b, i) => {
    // Paired: each repetition times every side back to back.
    const paired = median(a.rounds.map((ns, r) => ts[i + 1].rounds[r] / ns));
    return `${b.name} ${(1e6 / b.nsPerOp).toFixed(0)} k/s (${
      b.cpuPerOp.toFixed(0)
    } ns CPU): ${(b.nsPerOp / a.nsPerOp).toFixed(2)}x (paired ${
      paired.toFixed(2)
    }x, CPU ${(b.cpuPerOp / a.cpuPerOp).toFixed(2)}x)`;
  });
  console.log(
    `${runtime} ${id} ${what}: this tree ${(1e6 / a.nsPerOp).toFixed(0)} k/s (${
      a.cpuPerOp.toFixed(0)
    } ns CPU an item, all threads); ` +
      `this tree / ` + parts.join("; "),
  );
}
process.exit(0);
