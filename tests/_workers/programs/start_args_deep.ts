// Copyright 2026 the threadkit authors. MIT license.
// A program: a daemon Thread.start with object args at every depth from the
// end of the stack up, 10 sweeps; records every error of a type other than
// RangeError (the overflow) and joins the threads started. Prints one JSON
// line: { others, k } (k: threads started and joined).
import { Thread } from "../../../mod.ts";
import { sweep } from "../../queue/_stack_end.ts";

const others: string[] = [];
let k = 0;
for (let round = 0; round < 10; round++) {
  const started: Thread[] = [];
  sweep(() => {
    const t = new Thread({
      target: (o: { a: unknown[] }) => o.a.length,
      args: [{ a: [1, { b: "x" }, [2, 3]] }],
      daemon: true,
    });
    try {
      t.start();
    } catch (e) {
      if (!(e instanceof RangeError)) others[others.length] = String(e);
      throw e;
    }
    started[started.length] = t;
  });
  for (const t of started) {
    t.join({ timeout: 30_000 });
    if (t.result === 3) k++;
  }
}
console.log(JSON.stringify({ others: others.slice(0, 3), k }));
