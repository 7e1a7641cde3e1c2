// Copyright 2026 the threadkit authors. MIT license.
// A non-daemon thread outlives the main thread's code: the process exits
// only after it ends, by itself, with no live worker left.
import { Thread } from "../../../mod.ts";

// The thread goes on once the main thread's code has printed its last line
// (a bounded wait on a word, not a sleep long enough for the main thread to
// get there), then works on past the main thread's code.
const go = new Int32Array(new SharedArrayBuffer(4));
const t = new Thread({
  target: (go: Int32Array) => {
    Atomics.wait(go, 0, 0, 20_000);
    Atomics.wait(go, 0, 1, 400); // its work (a length, not an order)
    console.log("thread done");
  },
  args: [go],
  daemon: false,
});
t.start();
console.log("main done");
Atomics.store(go, 0, 1);
Atomics.notify(go, 0);
