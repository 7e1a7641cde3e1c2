// Copyright 2026 the threadkit authors. MIT license.
// A program: Thread.start (daemon) at every depth from the end of the stack
// up, `sweeps` times (arg 0); then counts the thread-table entries left
// reserved (TID -1: taken by a start that neither started nor gave it
// back) and starts and joins one thread at a shallow depth. Prints one
// JSON line.
import { Thread } from "../../mod.ts";
import { runtime } from "../../_core/runtime.ts";
import { sweep } from "../queue/_stack_end.ts";

const g = globalThis as unknown as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const argv = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const sweeps = Number(argv[0] ?? 50);
const daemon = argv[1] !== "plain";
const TABLE = 16, ENTRY_SLOTS = 32; // _core/runtime.ts
let k = 0, refused = 0;
const started: Thread[] = [];
for (let s = 0; s < sweeps; s++) {
  sweep(() => {
    try {
      const t = new Thread({ target: (x: number) => x + 1, args: [1], daemon });
      t.start();
      started[started.length] = t;
      k++;
    } catch (e) {
      refused++;
      throw e;
    }
  });
  // join as we go, so live threads do not fill the table
  for (const t of started.splice(0)) t.join({ timeout: 30_000 });
}
const view = runtime().view;
let reserved = 0, live = 0;
for (let i = 1; i < 256; i++) {
  const tid = Atomics.load(view, TABLE + i * ENTRY_SLOTS);
  if (tid === -1) reserved++;
  else if (tid !== 0) live++;
}
let after: unknown;
try {
  const t = new Thread({ target: (x: number) => x + 1, args: [41], daemon });
  t.start();
  t.join({ timeout: 30_000 });
  after = t.result;
} catch (e) {
  after = String(e).slice(0, 120);
}
console.log(JSON.stringify({ sweeps, k, refused, reserved, live, after }));
