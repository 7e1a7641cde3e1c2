// Copyright 2026 the threadkit authors. MIT license.
// What a LifoQueue and a PriorityQueue put and get cost (the locked stores,
// queue/_locked.ts), this checkout against another checkout's package root,
// in alternating rounds in one process (bench/_ab.ts): bounded queues of
// int32 and of structured items, and (with --unbounded) this checkout's
// unbounded queues against its own bounded ones, as grown to their size.
//
//   deno run -A bench/locked_ab.ts <other checkout>/mod.ts [reps] [n]
//   deno run -A bench/locked_ab.ts --unbounded [reps] [n]
import process from "node:process";
import { LifoQueue, PriorityQueue } from "../mod.ts";
import { compare, type Side } from "./_ab.ts";

const other = process.argv[2];
if (other === undefined) {
  throw new TypeError("Usage: locked_ab.ts <path>|--unbounded [reps] [n]");
}
const reps = Number(process.argv[3] ?? 7);
const N = Number(process.argv[4] ?? 64_000);
const unbounded = other === "--unbounded";
const base = unbounded
  ? { LifoQueue, PriorityQueue }
  : await import(new URL(other, `file://${process.cwd()}/`).href) as {
    LifoQueue: typeof LifoQueue;
    PriorityQueue: typeof PriorityQueue;
  };

type Q = LifoQueue<unknown> | PriorityQueue<unknown>;
function side(name: string, q: Q, item: (i: number) => unknown): Side {
  for (let j = 0; j < 64; j++) q.put(item(j)); // grown to size (unbounded)
  q.getMany();
  return {
    name,
    start: () =>
      Promise.resolve({
        round(n: number) {
          for (let i = 0; i < n; i += 64) {
            for (let j = 0; j < 64; j++) q.put(item(j));
            for (let j = 0; j < 64; j++) q.getNowait();
          }
          return n;
        },
        stop: () => Promise.resolve(),
      }),
  };
}

const ITEMS: [string, "int32" | "structured", (i: number) => unknown][] = [
  ["int32", "int32", (i) => i],
  ["structured", "structured", (i) => [i, "payload"]],
];
for (const cls of ["LifoQueue", "PriorityQueue"] as const) {
  for (const [label, type, item] of ITEMS) {
    const This = cls === "LifoQueue" ? LifoQueue : PriorityQueue;
    const That = base[cls];
    const mine = unbounded
      ? new This<unknown>({ type })
      : new This<unknown>({ capacity: 128, type });
    const theirs = new That<unknown>({ capacity: 128, type });
    const [a, b] = await compare(
      [side("this", mine, item), side("other", theirs, item)],
      N,
      reps,
      2 * N,
    );
    console.log(
      `${cls} ${label}${unbounded ? " unbounded/bounded" : ""}: this ${
        (a.nsPerOp / 1e3).toFixed(3)
      } us, other ${(b.nsPerOp / 1e3).toFixed(3)} us, this/other ${
        (a.nsPerOp / b.nsPerOp).toFixed(2)
      } (CPU ${(a.cpuPerOp / b.cpuPerOp).toFixed(2)})`,
    );
  }
}
process.exit(0);
