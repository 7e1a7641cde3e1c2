// Copyright 2026 the threadkit authors. MIT license.
// What a Queue put and get of one item costs (the shape path for a flat
// object, the JSON path, the tag walk for the rest), this checkout against
// another checkout's package root, in alternating rounds in one process
// (bench/_ab.ts): a flat object, a small nested object, a tagged item (a
// Map, a Date, undefined), 100 numbers, a class instance, and one class
// instance with a Symbol.toStringTag getter (not run: _core/primordials.ts),
// an object whose values JSON escapes and one whose keys it escapes; and
// an int32 Queue's number, one at a time and as a putMany/getMany of 64
// (the numeric ring: its put's TAIL turn, queue/_ring.ts).
//
//   deno run -A bench/item_ab.ts <other checkout>/mod.ts [reps] [n]
//
// n (operations a round, default 64,000): rounds of 6,400 (5 ms) were
// shorter than the JIT's tiering, and the side that went first often read
// 1.3-1.7x the other whatever the code.
import process from "node:process";
import { Queue } from "../mod.ts";
import { compare, type Side } from "./_ab.ts";

const other = process.argv[2];
if (other === undefined) throw new TypeError("Usage: item_ab.ts <path>");
const reps = Number(process.argv[3] ?? 7);
const N = Number(process.argv[4] ?? 64_000);
const base = (await import(new URL(other, `file://${process.cwd()}/`).href))
  .Queue as typeof Queue;

class Point {
  x = 1;
  y = "two";
}
class Tagged {
  a = 1;
  get [Symbol.toStringTag]() {
    return "Tagged";
  }
}
const CASES: [string, unknown][] = [
  ["flat object", { id: 1, payload: "x".repeat(32), ok: true }],
  ["small nested", { id: 7, tags: ["a", "b"], meta: { n: 1, s: "x" } }],
  ["tagged", { m: new Map([[1, "a"]]), d: new Date(0), u: undefined }],
  ["100 numbers", Array.from({ length: 100 }, (_, i) => i * 1.5)],
  ["class instance", new Point()],
  ["class with a tag getter", [new Tagged(), new Tagged()]],
  // JSON escapes in values (a second look at the text, _core/json.ts) and
  // in a key (the reading that keeps keys apart from V8's parser).
  // (nested: a flat object of primitives takes the shape path)
  ["escaped values", { id: 1, text: 'a "quoted"\nline', o: { t: "\t" } }],
  ["escaped key", { id: 1, "a\nb": 2, o: { 'q"': "x" } }],
  ["int32", 7],
  ["int32 batch of 64", new Int32Array(64).fill(7)],
];

function side(name: string, Q: typeof Queue, item: unknown): Side {
  const batch = item instanceof Int32Array;
  const q = new Q({
    capacity: 128,
    type: typeof item === "number" || batch ? "int32" : undefined,
  });
  return {
    name,
    start: () =>
      Promise.resolve({
        round(n: number) {
          for (let i = 0; i < n; i += 64) {
            if (batch) {
              q.putMany(item as never);
              q.getMany(64);
              continue;
            }
            for (let j = 0; j < 64; j++) q.put(item);
            for (let j = 0; j < 64; j++) q.getNowait();
          }
          return n;
        },
        stop: () => Promise.resolve(),
      }),
  };
}

for (const [label, item] of CASES) {
  const [a, b] = await compare(
    [side("this", Queue, item), side("other", base, item)],
    N,
    reps,
    2 * N, // warm: both sides tiered up before the timed rounds
  );
  // CPU time too: on a loaded machine a round's wall time holds the time
  // the process waited for a core, its CPU time does not.
  console.log(
    `${label}: this ${(a.nsPerOp / 1e3).toFixed(2)} us, other ${
      (b.nsPerOp / 1e3).toFixed(2)
    } us, this/other ${(a.nsPerOp / b.nsPerOp).toFixed(2)} (CPU ${
      (a.cpuPerOp / b.cpuPerOp).toFixed(2)
    })`,
  );
}
process.exit(0);
