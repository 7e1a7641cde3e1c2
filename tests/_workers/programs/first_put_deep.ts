// Copyright 2026 the threadkit authors. MIT license.
// The program's first put of an object, made at every depth near the end of
// the stack (a real RangeError: stack overflow, wherever it lands, the
// first load of the runtime's slot tests included: node:util types, loaded
// on first use on Deno); then puts and gets at a shallow depth must work.
// Prints "ok <tries>"; a wrong result throws.
import { Queue } from "../../../mod.ts";

const q = new Queue<unknown>({ capacity: 64 });
const item = { a: [1, 2, { b: "x" }], s: "hello" };
let tries = 0, other: unknown;
const deep = (): void => {
  try {
    deep();
  } catch {
    tries++;
    try {
      q.put(item);
    } catch (error) {
      if (error instanceof RangeError) throw error;
      other = error; // not an overflow: stop here (no call)
    }
  }
};
try {
  deep();
} catch {
  // the outermost attempt overflowed too (never, in practice)
}
if (other !== undefined) throw other;
if (q.qsize() !== 1) throw new Error(`${q.qsize()} items after the sweep`);
q.put(new Map([[1, item]]));
q.put(item);
const got = [q.get(), q.get(), q.get()];
if (JSON.stringify(got[0]) !== JSON.stringify(item)) throw new Error("item");
if (!(got[1] instanceof Map) || got[1].size !== 1) throw new Error("map");
console.log(`ok ${tries}`);
