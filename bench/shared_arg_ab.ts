// Copyright 2026 the threadkit authors. MIT license.
// What a shared view costs as a task arg (pool/_shared.ts), one task at a
// time (submit + result()), in alternating rounds in one process
// (bench/_ab.ts): args (w, 0, 1) where w is a plain Int32Array (the codec's
// tagged JSON, the baseline), a view over one shared buffer (registered
// once, then kept: the encode tries the codec, is refused, encodes again
// with the buffer named) and a view over a new shared buffer each task
// (registered, posted to the pool thread and read off its port, per task).
//
//   deno run -A bench/shared_arg_ab.ts [reps]
import process from "node:process";
import { ThreadPoolExecutor } from "../mod.ts";
import { compare, type Side } from "./_ab.ts";

const reps = Number(process.argv[2] ?? 9);
const N = 2000;
const store = (w: Int32Array, i: number, x: number) => (w[i] = x, i);

function side(name: string, arg: () => Int32Array): Side {
  return {
    name,
    start() {
      const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      return Promise.resolve({
        round: (n: number) => {
          for (let i = 0; i < n; i++) {
            const w = arg();
            if (pool.submit(store, w, 0, 1).result({ timeout: 60_000 }) !== 0) {
              throw new Error("bad");
            }
          }
          return n;
        },
        stop: () => pool.shutdownAsync(),
      });
    },
  };
}

const plain = new Int32Array(4);
const one = new Int32Array(new SharedArrayBuffer(16));
const [a, b, c] = await compare(
  [
    side("plain Int32Array (codec)", () => plain),
    side("view, one shared buffer", () => one),
    side(
      "view, a new shared buffer each task",
      () => new Int32Array(new SharedArrayBuffer(16)),
    ),
  ],
  N,
  reps,
);
const us = (ns: number) => (ns / 1000).toFixed(2);
console.log(
  `${a.name} ${us(a.nsPerOp)} us; ${b.name} ${us(b.nsPerOp)} us (${
    (b.nsPerOp / a.nsPerOp).toFixed(2)
  }x); ${c.name} ${us(c.nsPerOp)} us (${(c.nsPerOp / a.nsPerOp).toFixed(2)}x)`,
);
