// Copyright 2026 the threadkit authors. MIT license.
// Same-process A/B of limit rows (bench/_rows.ts) between this tree and a
// baseline tree: each row's threadkit side (its first) from both trees,
// timed in alternating rounds (bench/_ab.ts), as bench/limits.ts times a
// row's sides. Prints per row both medians (ns per item), the ratio of the
// medians and the median of the per-round ratios (this / base: below 1 is
// faster), and the load average.
//
//   deno run -A bench/rows_ab.ts --base=<tree> [--rows=int-t2t,obj-t2t]
//     [--pin]
//   node npm/bench/rows_ab.js --base=<tree>/npm [...]   (both trees built:
//   deno task build:npm && deno run -A bench/_node_build.ts, in each)
// The baseline's sides come from its own bench/_rows.ts, over its own copy
// of the package (its threads load its modules).
//
// --pin runs every thread of the process on CPU 0 (bench/_pin.ts), for the
// ping-pong rows (event, event-async, condition): unpinned, each side's pair
// of threads is placed on one vCPU or two by the scheduler, and a pair on
// two wakes 10-70x slower on this VM, so a tree against itself read
// 0.73-1.78x. Pinned, the rows measure the one-vCPU round trip; base against
// base the condition row then read 0.80-0.98x, per-round 0.82-1.07x, over 7
// processes (unpinned in the same minutes 0.84-1.59x, 0.87-1.09x): tighter,
// but leaning to the first side (BENCHMARKS.md, "Condition's slow rounds").
// Without --pin, a row with a `pin` option (bench/_rows.ts) runs in its
// placement, as bench/limits.ts runs it.
import process from "node:process";
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { abLine, compare } from "./_ab.ts";
import { pinApart, pinProcess } from "./_pin.ts";
import { ROWS } from "./_rows.ts";

const args = process.argv.slice(2);
const base = args.find((a) => a.startsWith("--base="))?.slice(7);
if (base === undefined) throw new Error("rows_ab: --base=<tree> is required");
const ids = (args.find((a) => a.startsWith("--rows="))?.slice(7) ??
  "int-t2t,obj-t2t").split(",");
const pin = args.includes("--pin");
// Built for Node (bench/_node_build.ts), `base` is the baseline's npm/.
const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const old = await import(pathToFileURL(`${base}/bench/_rows${ext}`).href) as {
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
  const unpin = pin ? pinProcess(0) : undefined;
  let timings, placed: string | false = unpin === undefined ? false : "one";
  try {
    timings = await compare(
      [{ ...a, name: "this" }, { ...b, name: "base" }],
      mine.n,
      mine.reps,
      mine.warm,
      // Without --pin, a row's own placement (its `pin`, as limits.ts).
      unpin === undefined && mine.pin !== undefined
        ? () => {
          const undo = mine.pin === "one" ? pinProcess(0) : pinApart(0, 1);
          if (undo !== undefined) placed = mine.pin!;
          return undo;
        }
        : undefined,
    );
  } finally {
    unpin?.();
  }
  const line = JSON.parse(abLine(id, timings[0], timings[1], load0));
  console.log(
    JSON.stringify({
      ...line,
      pinned: placed, // what took: false where nothing could be pinned
    }),
  );
}
clearInterval(keepAlive);
process.exit(0);
