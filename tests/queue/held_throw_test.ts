// Copyright 2026 the threadkit authors. MIT license.
// A put whose encode throws after the tag walk (a stack overflow while it
// writes the item's bytes, where even a catch handler's call overflows)
// must leave no heap reference behind: the walk notes the blocks of the
// threadkit primitives it meets on `held` (queue/_held.ts) and the put
// retains them only once the encode has succeeded, so a throw anywhere in
// the encode forgets the offsets (no call needed) and retains nothing.
// Before, the walk retained each block and the throw after it left the
// references on `held` (and the blocks retained for good). Here the throw
// after the walk is made by the bytes' writer (TextEncoder's encodeInto,
// replaced for one call: a LifoQueue's and a PriorityQueue's items are
// bytes).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, Lock, PriorityQueue, type Queue } from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { held } from "../../queue/_held.ts";

type Described = { [TO_DESCRIPTOR](): { byteOffset: number } };
const refs = (p: object) =>
  blockRefs((p as unknown as Described)[TO_DESCRIPTOR]().byteOffset);

// Runs `f` with TextEncoder's encodeInto throwing a RangeError once.
function overflowOnce(f: () => void): unknown {
  const proto = TextEncoder.prototype;
  const real = proto.encodeInto;
  let thrown = false;
  proto.encodeInto = function (this: TextEncoder, s: string, d: Uint8Array) {
    if (!thrown) {
      thrown = true;
      throw new RangeError("Maximum call stack size exceeded");
    }
    return real.call(this, s, d);
  };
  try {
    f();
  } catch (error) {
    return error;
  } finally {
    proto.encodeInto = real;
  }
  return undefined;
}

describe("a put whose encode throws after the tag walk leaves no heap reference", () => {
  const kinds = [
    ["LifoQueue", () => new LifoQueue<unknown>({ capacity: 4 })],
    ["PriorityQueue", () => new PriorityQueue<unknown>({ capacity: 4 })],
  ] as const;
  for (const [name, make] of kinds) {
    for (const form of ["put", "putMany"] as const) {
      it(`${name}.${form}: the item refused, its Locks' references as before, held empty`, () => {
        const q = make() as Queue<unknown>;
        const a = new Lock(), b = new Lock();
        const item = name === "PriorityQueue"
          ? [1, { a, inner: [b, "x\n"] }]
          : { a, inner: [b, "x\n"] };
        const before = [refs(a), refs(b)];
        const start = held.length; // (Bun: earlier files share the stack)
        const error = overflowOnce(() =>
          form === "put" ? q.put(item) : q.putMany([item, item])
        );
        assert.ok(error instanceof RangeError, String(error));
        assert.equal(held.length, start, "held as before");
        assert.deepEqual([refs(a), refs(b)], before, "references as before");
        assert.equal(q.qsize(), 0);
        // The queue and the Locks work on: an accepted item holds one more.
        q.put(item);
        assert.deepEqual([refs(a), refs(b)], [before[0] + 1, before[1] + 1]);
        const got = q.get() as { a: Lock };
        assert.equal(held.length, start);
        assert.ok(got !== undefined);
      });
    }
  }
});
