// Copyright 2026 the threadkit authors. MIT license.
// A program: non-daemon Thread.start at every depth from the end of the
// stack up (with spares ready, or none), its threads never joined: the
// program's code ends at once after the sweep, and the process must wait
// for every non-daemon thread that started (Python's rule), each of which
// works `ms` and then records its tag in the file `path` (arg 0). Prints
// the number started and their tags on stdout; the caller counts the lines
// of `path` once the process has exited.
// Args: path, spares, sweeps, ms.
import { prestartThreads, Thread } from "../../mod.ts";
import { sweep } from "../queue/_stack_end.ts";

const g = globalThis as unknown as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const argv = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const path = argv[0];
const nSpares = Number(argv[1] ?? 4);
const sweeps = Number(argv[2] ?? 4);
const ms = Number(argv[3] ?? 1500);
const target = {
  module: new URL("./_late.ts", import.meta.url),
  export: "late",
};
if (nSpares > 0) {
  const until = performance.now() + 90_000;
  while (prestartThreads(nSpares) < nSpares && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
  }
}
const tags: number[] = new Array(256).fill(0);
let k = 0, refused = 0, nextTag = 1;
for (let s = 0; s < sweeps; s++) {
  sweep(() => {
    const t = nextTag++;
    try {
      new Thread({
        target: target as unknown as (...a: unknown[]) => unknown,
        args: [path, t, ms],
      }).start();
      tags[k++] = t;
    } catch (e) {
      refused++;
      throw e;
    }
  });
}
console.log(JSON.stringify({ k, refused, tags: tags.slice(0, k) }));
