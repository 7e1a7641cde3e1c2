// Copyright 2026 the threadkit authors. MIT license.
// Same-process A/B of queue wake-ups (bench/_wake_probe.ts) between this
// tree and a baseline tree: for each kind and consumer count, rounds of the
// two trees alternate (this, base, base, this, ...), each round with fresh
// threads. Prints one JSON line per round (side, kind, consumers, ms, and
// per header word the notifies, those that woke nobody, the threads woken
// and the waits by outcome), then per configuration the medians of the
// rounds' times and their ratio (this / base). An untimed round of each
// side comes first.
//
//   cp bench/_wake_probe.ts <base>/bench/   (the baseline needs the probe)
//   deno run -A bench/wake_count_ab.ts --base=<tree> [--kinds=simple,queue]
//     [--consumers=1,2,8,50] [--producers=4] [--total=20000] [--reps=3]
// --producers=0 means as many producers as consumers.
import process from "node:process";
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { type WakeRound, wakeRound } from "./_wake_probe.ts";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ??
    fallback;
const base = arg("base", "");
const kinds = arg("kinds", "queue,queue-int32,unbounded,simple,lifo,priority")
  .split(",");
const consumers = arg("consumers", "1,2,8,50").split(",").map(Number);
const producers = Number(arg("producers", "1"));
const total = Number(arg("total", "20000"));
const reps = Number(arg("reps", "2"));

const sides: [string, typeof wakeRound][] = [["this", wakeRound]];
if (base !== "") {
  const old = await import(
    pathToFileURL(`${base}/bench/_wake_probe.ts`).href
  ) as { wakeRound: typeof wakeRound };
  sides.push(["base", old.wakeRound]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// One untimed round of each side first: its code warmed, as the timed
// rounds of both sides will be (each tree's modules are its own).
for (const [, round] of sides) await round(kinds[0], 2, 1, 2_000);

let config = 0; // which side goes first flips from one configuration to the next
for (const kind of kinds) {
  for (const c of consumers) {
    config++;
    const p = producers === 0 ? c : producers;
    const ms: number[][] = sides.map(() => []);
    const ne: number[][] = sides.map(() => []);
    for (let rep = 0; rep < reps; rep++) {
      const order = sides.map((_, i) => i);
      if ((rep + config) % 2 === 1) order.reverse();
      for (const i of order) {
        const r: WakeRound = await sides[i][1](kind, c, p, total);
        ms[i].push(r.ms);
        ne[i].push(r.words.NOT_EMPTY?.nobody ?? 0);
        console.log(JSON.stringify({
          side: sides[i][0],
          kind,
          c,
          p,
          total,
          ms: Math.round(r.ms),
          load: Number(loadavg()[0].toFixed(1)),
          words: r.words,
        }));
      }
    }
    const summary: Record<string, unknown> = { kind, c, p, total };
    sides.forEach(([name], i) => {
      summary[`${name}Ms`] = Math.round(median(ms[i]));
      summary[`${name}NotEmptyNobody`] = median(ne[i]);
    });
    if (sides.length === 2) {
      summary.ratio = Number((median(ms[0]) / median(ms[1])).toFixed(3));
    }
    console.log("SUMMARY " + JSON.stringify(summary));
  }
}
process.exit(0);
