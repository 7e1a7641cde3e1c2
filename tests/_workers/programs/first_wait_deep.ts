// Copyright 2026 the threadkit authors. MIT license.
// A program that starts async waits at every depth from the end of the
// stack up (Queue.getAsync on an empty queue, with a timeout): its first
// async wait, and so its keep-alive timer's first setInterval, is made
// there. It lets them all settle, then awaits one more at a shallow depth,
// which must settle (a QueueEmptyError after its timeout), and exits.
// With "warm", one async wait settles first, at a shallow depth. Prints
// one JSON line at the end.
import { Queue } from "../../../mod.ts";

// Rejections are read below, after the sweep.
const g = globalThis as unknown as {
  addEventListener?: (t: string, f: (e: Event) => void) => void;
  process?: { on(t: string, f: () => void): void; argv: string[] };
};
if (typeof g.addEventListener === "function") {
  g.addEventListener("unhandledrejection", (e) => e.preventDefault());
}
if (!("Deno" in globalThis)) g.process?.on("unhandledRejection", () => {});
const q = new Queue<number>({ capacity: 8 });
const args = "Deno" in globalThis
  ? (globalThis as unknown as { Deno: { args: string[] } }).Deno.args
  : g.process?.argv ?? [];
if (args.includes("warm")) await q.getAsync({ timeout: 1 }).catch(() => {});
const pend: Promise<unknown>[] = new Array(4096).fill(undefined);
let k = 0, tries = 0;
const deep = (): void => {
  try {
    deep();
  } catch {
    tries++;
    if (k < 4000) {
      pend[k] = q.getAsync({ timeout: 20 });
      k++;
      throw 0; // one frame up: another attempt
    }
  }
};
try {
  deep();
} catch {
  // a marker from the outermost attempt
}
let overflowed = 0, empty = 0, other = "";
for (let i = 0; i < k; i++) {
  try {
    await pend[i];
  } catch (e) {
    if (e instanceof RangeError) overflowed++;
    else if ((e as Error).name === "QueueEmptyError") empty++;
    else other ||= String(e).slice(0, 200);
  }
}
let last = "pending";
try {
  await q.getAsync({ timeout: 300 });
  last = "got";
} catch (e) {
  last = (e as Error).name;
}
console.log(JSON.stringify({ tries, k, overflowed, empty, other, last }));
