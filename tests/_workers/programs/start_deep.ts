// Copyright 2026 the threadkit authors. MIT license.
// A program that starts non-daemon threads at every depth from the end of
// the stack up, SWEEPS times (each sweep ends at the first start that fits),
// on fresh workers or, with the argument "spare", on spares started ahead
// (a sweep waits until one is ready). Every attempt either starts its
// thread, which is joined, or throws a RangeError. Prints one JSON line;
// the process must then exit by itself: a worker made by a start that threw
// would keep it alive.
import { prestartThreads, Thread } from "../../../mod.ts";
import { readySpares } from "../../../_core/adapter.ts";
import { sparesTaken } from "../../../_core/spare.ts";

const SWEEPS = 6;
const spare = Deno.args[0] === "spare";
const started: Thread[] = new Array(SWEEPS).fill(undefined);
let k = 0, tries = 0, refused = 0;
const other: unknown[] = [];
const deep = (): void => {
  try {
    deep();
  } catch {
    tries++;
    try {
      const t = new Thread({ target: (x: number) => x + 1, args: [k] });
      t.start();
      started[k] = t;
      k++;
    } catch (e) {
      // No call here (instanceof is one): the handler runs where a call may
      // overflow again.
      if ((e as Error).constructor === RangeError) refused++;
      else other[other.length] = e as string;
      throw e;
    }
  }
};
if (spare) prestartThreads(1);
const taken0 = sparesTaken();
let spareWaits = 0;
for (let i = 0; i < SWEEPS; i++) {
  if (spare) {
    const end = performance.now() + 60_000;
    while (readySpares() < 1 && performance.now() < end) {
      spareWaits++;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  const before = k;
  try {
    deep();
  } catch {
    // the outermost attempt overflowed too (never, in practice)
  }
  if (k !== before + 1) other.push(`sweep ${i} started ${k - before}`);
}
const taken = sparesTaken() - taken0;
if (spare) prestartThreads(0);
const results: unknown[] = [];
for (let i = 0; i < k; i++) {
  try {
    started[i].join({ timeout: 20_000 });
    results.push(started[i].result);
  } catch (e) {
    results.push(String(e));
  }
}
console.log(
  JSON.stringify({
    tries,
    refused,
    k,
    results,
    other: other.map(String),
    taken,
  }),
);
