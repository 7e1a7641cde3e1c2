// Copyright 2026 the threadkit authors. MIT license.
// A thread starts a non-daemon thread and returns at once; the grandchild
// still runs to its end before the process exits (Python semantics).
import { Thread } from "../../../mod.ts";

const t = new Thread({
  target: () => {
    const inner = new Thread({
      target: () => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
        console.log("grandchild done");
      },
    });
    inner.start();
    return "child returned";
  },
});
t.start();
console.log(await t.joinAsync({ timeout: 10_000 }));
