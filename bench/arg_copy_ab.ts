// Copyright 2026 the threadkit authors. MIT license.
// What reading Thread args once costs (_core/transfer.ts encodeTransfer and
// the trial clone of thread/_types.ts after it, as Thread start does them),
// this checkout against another checkout's transfer module, in alternating
// rounds in one process (bench/_ab.ts): small args, 10,000 small objects,
// 10,000 class instances, 1e6 numbers, 1e6 strings, and 1e6 numbers with one object among them.
//
//   deno run -A bench/arg_copy_ab.ts <other checkout>/_core/transfer.ts [reps]
import process from "node:process";
import { encodeTransfer } from "../_core/transfer.ts";
import { compare, type Side } from "./_ab.ts";

const other = process.argv[2];
if (other === undefined) throw new TypeError("Usage: arg_copy_ab.ts <path>");
const reps = Number(process.argv[3] ?? 7);
const base = (await import(new URL(other, `file://${process.cwd()}/`).href))
  .encodeTransfer as typeof encodeTransfer;

const numbers = Array.from({ length: 1e6 }, (_, i) => i * 1.5);
const mixed: unknown[] = numbers.slice();
mixed[500_000] = { at: 500_000 };
class K {
  a = 1;
  b = "x";
  c = true;
}
const CASES: [string, unknown[], number][] = [
  ["small args", [1, "two", { three: 3 }, [4, 5]], 20_000],
  ["10,000 small objects", [
    Array.from({ length: 1e4 }, (_, i) => ({ i, s: "x" + i, ok: true })),
  ], 20],
  ["10,000 class instances", [Array.from({ length: 1e4 }, () => new K())], 20],
  ["1e6 numbers", [numbers], 4],
  ["1e6 strings", [Array.from({ length: 1e6 }, (_, i) => "s" + i)], 4],
  ["1e6 numbers, one object", [mixed], 4],
];

function side(
  name: string,
  encode: typeof encodeTransfer,
  args: unknown[],
): Side {
  return {
    name,
    start: () =>
      Promise.resolve({
        round(n: number) {
          for (let i = 0; i < n; i++) structuredClone(encode(args));
          return n;
        },
        stop: () => Promise.resolve(),
      }),
  };
}

for (const [label, args, n] of CASES) {
  const [a, b] = await compare(
    [side("this", encodeTransfer, args), side("other", base, args)],
    n,
    reps,
  );
  console.log(
    `${label}: this ${(a.nsPerOp / 1e6).toFixed(3)} ms, other ${
      (b.nsPerOp / 1e6).toFixed(3)
    } ms, this/other ${(a.nsPerOp / b.nsPerOp).toFixed(2)}`,
  );
}
