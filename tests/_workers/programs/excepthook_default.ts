// Copyright 2026 the threadkit authors. MIT license.
// A thread fails and nobody joins it: the default excepthook reports it once
// on stderr, and the process still exits by itself.
import { Thread } from "../../../mod.ts";

const t = new Thread({
  target: () => {
    throw new RangeError("unjoined failure");
  },
  name: "failing",
});
t.start();
console.log("main done");
