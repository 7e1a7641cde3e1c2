// Copyright 2026 the threadkit authors. MIT license.
// A non-daemon thread started on a spare worker outlives the main thread's
// code as one on a fresh worker does: the process exits only after it ends,
// by itself (the spare is ref'd when it takes the thread; the other spare
// stays unref'd).
import { prestartThreads, Thread } from "../../../mod.ts";

prestartThreads(2);
const until = performance.now() + 20_000;
while (prestartThreads(2) < 2 && performance.now() < until) {
  await new Promise((r) => setTimeout(r, 5));
}
console.log(`spares ${prestartThreads(2) === 2 ? "ready" : "missing"}`);
const t = new Thread({
  target: () => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
    console.log("thread done");
  },
  daemon: false,
});
t.start();
// Both spares were ready and none is replaced yet: the thread took one.
console.log(`ready after start ${prestartThreads(2)}`);
console.log("main done");
