// Copyright 2026 the threadkit authors. MIT license.
// Same-process A/B of limit rows (bench/_rows.ts) between this tree and a
// baseline tree: each row's threadkit side (its first) from both trees,
// timed in alternating rounds (bench/_ab.ts), as bench/limits.ts times a
// row's sides. Prints per row both medians (ns per item), the ratio of the
// medians and the median of the per-round ratios (this / base: below 1 is
// faster), and the load average.
//
//   deno run -A bench/rows_ab.ts --base=<tree> [--rows=int-t2t,obj-t2t]
//     [--split=k]
// The baseline's sides come from its own bench/_rows.ts, over its own copy
// of the package (its threads load its modules).
//
// --split=k times k times as many rounds of n / k operations (the row's n
// and reps otherwise). The ping-pong rows (those printed with a raw round
// trip: event, event-async, condition) default to 8: their rounds of 4,000
// round trips take 15-60 ms, and this machine's slow spells (a round trip
// 2-15x slower for 100 ms or more, the same work counted in both threads:
// BENCHMARKS.md, "Condition's slow rounds") hit one side's rounds and not
// the other's, so with 9 rounds a side the row read 0.73-1.78x this tree
// against itself over 10 processes (median per-round ratio 0.73-1.38x);
// with rounds 8 times shorter and 8 times as many, 0.71-1.09x (0.97-1.02x).
import process from "node:process";
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { abLine, compare } from "./_ab.ts";
import { ROWS } from "./_rows.ts";

const args = process.argv.slice(2);
const base = args.find((a) => a.startsWith("--base="))?.slice(7);
if (base === undefined) throw new Error("rows_ab: --base=<tree> is required");
const ids = (args.find((a) => a.startsWith("--rows="))?.slice(7) ??
  "int-t2t,obj-t2t").split(",");
const splitArg = args.find((a) => a.startsWith("--split="))?.slice(8);
const old = await import(pathToFileURL(`${base}/bench/_rows.ts`).href) as {
  ROWS: typeof ROWS;
};
const keepAlive = setInterval(() => {}, 1 << 30);
for (const id of ids) {
  const mine = ROWS.find((r) => r.id === id);
  const theirs = old.ROWS.find((r) => r.id === id);
  if (mine === undefined || theirs === undefined) {
    throw new Error(`rows_ab: no row ${id} in both trees`);
  }
  const a = mine.sides()[0], b = theirs.sides()[0];
  const split = Number(splitArg ?? (mine.rawRoundTrip === true ? 8 : 1));
  const load0 = loadavg()[0];
  const [ta, tb] = await compare(
    [{ ...a, name: "this" }, { ...b, name: "base" }],
    Math.max(1, Math.round(mine.n / split)),
    mine.reps * split,
    mine.warm ?? Math.max(1, Math.floor(mine.n / 10)),
  );
  console.log(abLine(id, ta, tb, load0));
}
clearInterval(keepAlive);
process.exit(0);
