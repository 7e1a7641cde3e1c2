// Copyright 2026 the threadkit authors. MIT license.
// One task at a time against the raw round trip, like with like: the
// executor's submit + result() against a raw Atomics.wait/notify ping-pong,
// and submit + await against a raw (untimed) Atomics.waitAsync one, each
// pair timed in alternating rounds (bench/_ab.ts's order) in three
// placements: "free" (the scheduler's; each round's placement read from
// /proc, bench/_place.ts), "one" (every thread on CPU 0) and "apart" (the
// main thread on CPU 0, every other thread on CPU 1; bench/_pin.ts). Prints
// one JSON line per pair and placement: both sides' median ns per round
// trip, the median of the per-round ratios (executor / raw), and for
// "free" each round's placement and the ratio over the rounds whose two
// sides ran in the same placement.
//
//   deno run -A bench/rt_place.ts [--modes=free,one,apart] [--n=2000]
//     [--reps=9] [--pairs=result,await]
//   node npm/bench/rt_place.js [...]   (after deno task bench's Node build)
import process from "node:process";
import { loadavg } from "node:os";
import { median, type Runner, type Side } from "./_ab.ts";
import { executorOneByOne } from "./_pool_sides.ts";
import { pingPong } from "./_sides.ts";
import { rawPair } from "./_pingpong.ts";
import { pinApart, pinProcess } from "./_pin.ts";
import { type Placement, placement, snapshot } from "./_place.ts";

const args = process.argv.slice(2);
const opt = (k: string, d: string) =>
  args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const modes = opt("modes", "free,one,apart").split(",");
const n = Number(opt("n", "2000"));
const reps = Number(opt("reps", "9"));
const pairs = opt("pairs", "result,await").split(",");
const runtime = (globalThis as { Deno?: unknown }).Deno ? "deno" : "node";
const self = String(process.pid);

function sidesOf(pair: string): [Side, Side] {
  return pair === "result"
    ? [
      executorOneByOne(true),
      pingPong("raw Atomics.wait/notify ping-pong", rawPair, false),
    ]
    : [
      executorOneByOne(false),
      pingPong("raw Atomics.waitAsync ping-pong", () => rawPair(true), true),
    ];
}

function pin(mode: string): (() => void) | undefined {
  if (mode === "one") return pinProcess(0);
  if (mode === "apart") return pinApart(0, 1);
  return undefined;
}

const keepAlive = setInterval(() => {}, 1 << 30);
for (const mode of modes) {
  for (const pair of pairs) {
    const sides = sidesOf(pair);
    const runners: Runner[] = [];
    const ns: number[][] = [[], []];
    const at: Placement[][] = [[], []];
    const load0 = loadavg()[0];
    let unpin: (() => void) | undefined;
    try {
      for (const s of sides) runners.push(await s.start());
      unpin = pin(mode);
      if (mode !== "free" && unpin === undefined) {
        throw new Error(`rt_place: cannot pin (${mode}) here`);
      }
      for (const r of runners) await r.round(n);
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? [0, 1] : [1, 0];
        for (const i of order) {
          const s0 = snapshot();
          const t0 = performance.now();
          const ops = await runners[i].round(n);
          const t = (performance.now() - t0) * 1e6 / ops;
          at[i].push(placement(s0, snapshot(), self));
          ns[i].push(t);
        }
      }
    } finally {
      unpin?.();
      for (const r of runners) await r.stop();
    }
    const per = ns[0].map((x, i) => x / ns[1][i]);
    const same = per.filter((_, i) =>
      at[0][i] === at[1][i] && (at[0][i] === "1" || at[0][i] === "2")
    );
    console.log(JSON.stringify({
      runtime,
      pair,
      mode,
      execNs: Math.round(median(ns[0])),
      rawNs: Math.round(median(ns[1])),
      roundRatio: Number(median(per).toFixed(3)),
      ...(mode === "free"
        ? {
          placed: at.map((a) => a.join("")),
          sameRatio: Number(median(same).toFixed(3)),
          sameRounds: same.length,
        }
        : {}),
      load: [Number(load0.toFixed(1)), Number(loadavg()[0].toFixed(1))],
    }));
  }
}
clearInterval(keepAlive);
process.exit(0);
