// Copyright 2026 the threadkit authors. MIT license.
// A put made at every depth near the end of the stack
// (a real RangeError: stack overflow, at whatever step of the put it lands)
// must leave each Lock's reference count at 1 + the items accepted.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, Lock, Queue } from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { held } from "../../queue/_held.ts";

type Described = { [TO_DESCRIPTOR](): { byteOffset: number } };
const refs = (p: object) =>
  blockRefs((p as unknown as Described)[TO_DESCRIPTOR]().byteOffset);

// Calls `attempt` at every depth from the end of the stack up: at the
// deepest frame the call overflows; its catch calls attempt, which may
// overflow at any of its steps, and so on one frame up each time.
function sweep(attempt: () => void): number {
  let tries = 0;
  const deep = (): void => {
    try {
      deep();
    } catch {
      tries++;
      attempt();
    }
  };
  try {
    deep();
  } catch {
    // the outermost attempt overflowed too (never, in practice)
  }
  return tries;
}

describe("puts at the end of the stack", () => {
  const kinds = [
    ["Queue", () => new Queue<unknown>({ capacity: 100_000 })],
    ["unbounded Queue", () => new Queue<unknown>()],
    ["LifoQueue", () => new LifoQueue<unknown>({ capacity: 100_000 })],
  ] as const;
  for (const [name, make] of kinds) {
    for (const form of ["put", "putMany"] as const) {
      it(`${name}.${form}: every Lock's references = 1 + items held`, () => {
        const q = make() as Queue<unknown>;
        const a = new Lock(), b = new Lock();
        const item = { a, inner: [b, "x\n", { y: [1, 2, 3] }] };
        q.put(item); // warm: lazy loads (node:util) done at a shallow depth
        q.get();
        const before = [refs(a), refs(b)];
        const h0 = held.length;
        const tries = sweep(() => {
          if (form === "put") q.put(item);
          else q.putMany([item, item]);
        });
        const n = q.qsize();
        const after = [refs(a), refs(b)];
        console.log(name, form, {
          tries,
          n,
          before,
          after,
          held: held.length - h0,
        });
        assert.deepEqual(
          after,
          [before[0] + n, before[1] + n],
          `${n} items held`,
        );
        assert.equal(held.length, h0, "held as before");
      });
    }
  }
});
