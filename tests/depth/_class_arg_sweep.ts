// Copyright 2026 the threadkit authors. MIT license.
// A program: the first Thread.start of the process with a class instance in
// its args, made at every depth from the end of the stack up (the args'
// encode looks up the runtime's platform classes once, on first need:
// _core/platform.ts). Prints one JSON line: errors that are not a
// RangeError (as String, with their type), threads started and joined.
import { Thread } from "../../mod.ts";
import { sweep } from "../queue/_stack_end.ts";

class Point {
  constructor(public x: number, public y: number) {}
}
const g = globalThis as unknown as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const argv = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const sweeps = Number(argv[0] ?? 3);
const daemon = argv[1] !== "plain";
const others: string[] = new Array(8).fill("");
let nOthers = 0, k = 0, refused = 0, joined = 0;
const started: Thread[] = new Array(64).fill(undefined);
for (let s = 0; s < sweeps; s++) {
  sweep(() => {
    try {
      const t = new Thread({
        target: (p: { x: number; y: number }) => p.x + p.y,
        args: [new Point(1, 2)],
        daemon,
      });
      t.start();
      started[k++] = t;
    } catch (e) {
      refused++;
      if (!(e instanceof RangeError) && nOthers < 8) {
        others[nOthers++] = `${typeof e}: ${String(e).slice(0, 100)}`;
      }
      throw e;
    }
  });
}
for (let i = 0; i < k; i++) {
  started[i].join({ timeout: 30_000 });
  if (started[i].result === 3) joined++;
}
console.log(
  JSON.stringify({ k, joined, refused, others: others.slice(0, nOthers) }),
);
