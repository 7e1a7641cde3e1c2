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
// The thread prints after main's last line: main sets `go` once it has
// printed (a shared word, not a sleep, orders them).
const go = new Int32Array(new SharedArrayBuffer(4));
const t = new Thread({
  target: (go: Int32Array) => {
    const end = performance.now() + 20_000;
    while (Atomics.load(go, 0) === 0 && performance.now() < end) {
      Atomics.wait(go, 0, 0, 1000);
    }
    console.log("thread done");
  },
  args: [go],
  daemon: false,
});
t.start();
// Both spares were ready and none is replaced yet: the thread took one.
console.log(`ready after start ${prestartThreads(2)}`);
console.log("main done");
Atomics.store(go, 0, 1);
Atomics.notify(go, 0);
