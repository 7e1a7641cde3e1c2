// Copyright 2026 the threadkit authors. MIT license.
// Threads fail and each is awaited with joinAsync() right after its start:
// every error reaches its join, and none is also reported by the excepthook
// (on Node the worker's "done" message used to collect some first). Then one
// thread fails with nobody joining it: reported once.
// Run as: excepthook_race.ts [COUNT] [SPINNERS]: COUNT joined threads (20),
// started while SPINNERS threads (0) keep the cores busy until the end.
import process from "node:process";
import { Thread } from "../../../mod.ts";

const count = Number(process.argv[2] ?? 20);
const spinners = Number(process.argv[3] ?? 0);
const stop = new Int32Array(new SharedArrayBuffer(4));
const load = Array.from({ length: spinners }, (_, i) =>
  new Thread({
    target: (stop: Int32Array) => {
      let n = 0;
      while (Atomics.load(stop, 0) === 0) n++;
      return n;
    },
    args: [stop],
    name: `spinner-${i}`,
  }));
for (const t of load) t.start();

let caught = 0;
const threads = Array.from({ length: count }, (_, i) =>
  new Thread({
    target: (i: number) => {
      throw new RangeError(`joined failure ${i}`);
    },
    args: [i],
    name: `joined-${i}`,
  }));
await Promise.all(threads.map(async (t) => {
  t.start();
  try {
    await t.joinAsync({ timeout: 60_000 });
  } catch (e) {
    if (e instanceof RangeError) caught++;
  }
}));
Atomics.store(stop, 0, 1);
for (const t of load) await t.joinAsync({ timeout: 60_000 });
const lone = new Thread({
  target: () => {
    throw new TypeError("unjoined failure");
  },
  name: "unjoined",
});
lone.start();
console.log(`caught ${caught}`);
