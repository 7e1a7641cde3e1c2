// Copyright 2026 the threadkit authors. MIT license.
// A put of an item that holds a Lock, made at every depth near the end of
// the stack: an attempt stopped by a stack overflow, wherever it lands (the
// Lock's encoding included), throws the RangeError and leaves the queue and
// the Lock's references as they were; the first attempt that fits puts the
// item. Before, on Bun, an overflow while the Lock was encoded was reported
// as a TypeError ("is a threadkit Lock in a SharedArrayBuffer of its own"),
// its cause the RangeError.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, Lock, Queue } from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";

type Described = { [TO_DESCRIPTOR](): { byteOffset: number } };
const refs = (p: object) =>
  blockRefs((p as unknown as Described)[TO_DESCRIPTOR]().byteOffset);

// Calls `attempt` at every depth from the end of the stack up, one frame
// up after each RangeError, until one returns; stops at the first attempt
// that throws anything else (kept in `other`).
function sweep(attempt: () => void): { tries: number; other: unknown } {
  let tries = 0, other: unknown = undefined;
  const deep = (): void => {
    try {
      deep();
    } catch {
      tries++;
      try {
        attempt();
      } catch (e) {
        if (e instanceof RangeError) throw e;
        other = e;
      }
    }
  };
  try {
    deep();
  } catch {
    // the outermost attempt overflowed too
  }
  return { tries, other };
}

type Q = {
  put(x: unknown): void;
  putMany(xs: unknown[]): void;
  getNowait(): unknown;
  qsize(): number;
};
const kinds: [string, () => Q][] = [
  ["Queue", () => new Queue<unknown>({ capacity: 8 }) as unknown as Q],
  ["unbounded Queue", () => new Queue<unknown>() as unknown as Q],
  ["LifoQueue", () => new LifoQueue<unknown>({ capacity: 8 }) as unknown as Q],
];

describe("puts of a Lock at the end of the stack", () => {
  for (const [name, make] of kinds) {
    for (const form of ["put", "putMany"] as const) {
      it(`${name}.${form} of an item holding a Lock: a RangeError or the item put, once`, () => {
        const q = make();
        const lock = new Lock();
        const before = refs(lock);
        const item = { inner: [lock], n: 1 };
        const { tries, other } = sweep(() => {
          if (form === "put") q.put(item);
          else q.putMany([item]);
        });
        assert.ok(tries > 1, `tries ${tries}`);
        assert.equal(
          other,
          undefined,
          `an attempt threw other than RangeError: ${other}`,
        );
        assert.equal(q.qsize(), 1);
        assert.equal(refs(lock), before + 1); // the one item put holds one
        const got = q.getNowait() as { inner: Lock[]; n: number };
        assert.equal(got.n, 1);
        assert.ok(got.inner[0] instanceof Lock);
        assert.equal(got.inner[0].acquire({ blocking: false }), true);
        assert.equal(lock.locked(), true); // the same Lock
      });
    }
  }
});
