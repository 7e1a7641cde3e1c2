// Copyright 2026 the threadkit authors. MIT license.
// A non-daemon thread outlives the main thread's code: the process exits
// only after it ends, by itself, with no live worker left.
import { Thread } from "../../../mod.ts";

const t = new Thread({
  target: () => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
    console.log("thread done");
  },
  daemon: false,
});
t.start();
console.log("main done");
