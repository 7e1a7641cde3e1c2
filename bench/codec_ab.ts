// Copyright 2026 the threadkit authors. MIT license.
// What encoding a structured queue item or task arg costs (queue/_codec.ts
// encodeValue: the snapshot walk, the tag walk when the item needs it,
// JSON.stringify and the UTF-8 write), this checkout against another
// checkout's codec module, in alternating rounds in one process
// (bench/_ab.ts): a small nested object, a tagged item (a Map, a Date,
// undefined), 1,000 numbers, 1,000 small objects, and an array with holes.
//
//   deno run -A bench/codec_ab.ts <other checkout>/queue/_codec.ts [reps]
import process from "node:process";
import { encodeValue } from "../queue/_codec.ts";
import { compare, type Side } from "./_ab.ts";

const other = process.argv[2];
if (other === undefined) throw new TypeError("Usage: codec_ab.ts <path>");
const reps = Number(process.argv[3] ?? 7);
const base = (await import(new URL(other, `file://${process.cwd()}/`).href))
  .encodeValue as typeof encodeValue;

const holes: unknown[] = Array.from({ length: 1000 }, (_, i) => i);
for (let i = 0; i < 1000; i += 3) delete holes[i];
const CASES: [string, unknown, number][] = [
  ["small nested", { id: 7, tags: ["a", "b"], meta: { n: 1, s: "x" } }, 20_000],
  ["tagged", {
    m: new Map([[1, "a"]]),
    d: new Date(0),
    u: undefined,
    a: [1, 2],
  }, 20_000],
  ["1,000 numbers", Array.from({ length: 1000 }, (_, i) => i * 1.5), 2_000],
  [
    "1,000 small objects",
    Array.from({ length: 1000 }, (_, i) => ({ i, s: "x" + i })),
    200,
  ],
  ["1,000 with holes", holes, 2_000],
];

function side(name: string, encode: typeof encodeValue, item: unknown): Side {
  return {
    name,
    start: () =>
      Promise.resolve({
        round(n: number) {
          for (let i = 0; i < n; i++) encode(item);
          return n;
        },
        stop: () => Promise.resolve(),
      }),
  };
}

for (const [label, item, n] of CASES) {
  const [a, b] = await compare(
    [side("this", encodeValue, item), side("other", base, item)],
    n,
    reps,
  );
  console.log(
    `${label}: this ${(a.nsPerOp / 1e3).toFixed(2)} us, other ${
      (b.nsPerOp / 1e3).toFixed(2)
    } us, this/other ${(a.nsPerOp / b.nsPerOp).toFixed(2)}`,
  );
}
process.exit(0);
