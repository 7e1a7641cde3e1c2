// Copyright 2026 the threadkit authors. MIT license.
// Twenty threads fail and each is awaited with joinAsync() right after its
// start: every error reaches its join, and none is also reported by the
// excepthook (on Node the worker's "done" message used to collect some
// first). Then one thread fails with nobody joining it: reported once.
import { Thread } from "../../../mod.ts";

let caught = 0;
const threads = Array.from({ length: 20 }, (_, i) =>
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
    await t.joinAsync({ timeout: 20_000 });
  } catch (e) {
    if (e instanceof RangeError) caught++;
  }
}));
const lone = new Thread({
  target: () => {
    throw new TypeError("unjoined failure");
  },
  name: "unjoined",
});
lone.start();
console.log(`caught ${caught}`);
