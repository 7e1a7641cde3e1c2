// Copyright 2026 the threadkit authors. MIT license.
// Same-process A/B of limit rows (bench/_rows.ts) between this tree and a
// baseline tree: each row's threadkit side (its first) from both trees,
// timed in alternating rounds (bench/_ab.ts), as bench/limits.ts times a
// row's sides. Prints per row both medians (ns per item), the ratio of the
// medians and the median of the per-round ratios (this / base: below 1 is
// faster), and the load average.
//
//   deno run -A bench/rows_ab.ts --base=<tree> [--rows=int-t2t,obj-t2t]
// The baseline's sides come from its own bench/_rows.ts, over its own copy
// of the package (its threads load its modules).
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
  const load0 = loadavg()[0];
  const [ta, tb] = await compare(
    [{ ...a, name: "this" }, { ...b, name: "base" }],
    mine.n,
    mine.reps,
    mine.warm,
  );
  console.log(abLine(id, ta, tb, load0));
}
clearInterval(keepAlive);
process.exit(0);
