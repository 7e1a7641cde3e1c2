// Copyright 2026 the threadkit authors. MIT license.
// A thread starts a non-daemon thread and returns at once; the grandchild
// still runs to its end before the process exits (Python semantics).
import { Thread } from "../../../mod.ts";

// The grandchild goes on once the main thread has printed the child's
// result (a bounded wait on a word, not a sleep long enough for the join),
// then works on past the main thread's code.
const go = new Int32Array(new SharedArrayBuffer(4));
const t = new Thread({
  target: (go: Int32Array) => {
    const inner = new Thread({
      target: (go: Int32Array) => {
        Atomics.wait(go, 0, 0, 20_000);
        Atomics.wait(go, 0, 1, 300); // its work (a length, not an order)
        console.log("grandchild done");
      },
      args: [go],
    });
    inner.start();
    return "child returned";
  },
  args: [go],
});
t.start();
console.log(await t.joinAsync({ timeout: 10_000 }));
Atomics.store(go, 0, 1);
Atomics.notify(go, 0);
