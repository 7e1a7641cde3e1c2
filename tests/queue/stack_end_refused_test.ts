// Copyright 2026 the threadkit authors. MIT license.
// A refused put (the queue full) made at every depth near the end of the
// stack: its release of the heap references it took may itself overflow
// the stack (queue/_held.ts). No reference may be lost: each refused put's
// references are released, at the latest by the thread's next put, so
// every Lock's count is back to 1 + the items held once a put ran after.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  Lock,
  Queue,
  QueueFullError,
  SimpleQueue,
} from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { held, unreleased } from "../../queue/_held.ts";
import { sweep } from "./_stack_end.ts";

type Described = { [TO_DESCRIPTOR](): { byteOffset: number } };
const refs = (p: object) =>
  blockRefs((p as unknown as Described)[TO_DESCRIPTOR]().byteOffset);

describe("refused puts at the end of the stack", () => {
  const kinds = [
    ["Queue", () => new Queue<unknown>({ capacity: 1 })],
    ["LifoQueue", () => new LifoQueue<unknown>({ capacity: 1 })],
  ] as const;
  for (const [name, make] of kinds) {
    for (const form of ["putNowait", "putMany"] as const) {
      it(`${name}.${form} into a full queue: every Lock's references = 1 + items held after the next put`, () => {
        const q = make() as Queue<unknown>;
        const a = new Lock(), b = new Lock();
        const item = { a, inner: [b, "x\n", { y: [1, 2, 3] }] };
        q.put(item); // warm, and full
        const before = [refs(a), refs(b)];
        const h0 = held.length;
        let full = 0, other: unknown;
        const tries = sweep(() => {
          try {
            if (form === "putNowait") q.putNowait(item);
            else q.putMany([item, item], { block: false });
          } catch (error) {
            if (error instanceof QueueFullError) full++;
            // An overflow in a handle's descriptor is reported as the
            // TypeError of an unplaceable primitive, the RangeError its
            // cause (seen on Bun): an overflow all the same.
            else if (
              !(error instanceof RangeError) &&
              !((error as Error).cause instanceof RangeError)
            ) other = error;
            throw error;
          }
        });
        assert.equal(other, undefined);
        assert.ok(full > 0 && tries > full, `${tries} tries, ${full} full`);
        // The next put (refused too) releases what overflows kept.
        assert.throws(() => q.putNowait(item), QueueFullError);
        assert.equal(unreleased.length, 0, "nothing left unreleased");
        assert.equal(held.length, h0, "held as before");
        assert.equal(q.qsize(), 1);
        assert.deepEqual([refs(a), refs(b)], before);
        const got = q.get() as typeof item; // its references go to its handles
        assert.ok(got.a instanceof Lock && got.inner[0] instanceof Lock);
      });
    }
  }
});

// An unbounded queue whose newest segment is full: the put grows it, and its
// item's references are taken before it knows which segment takes it.
describe("puts into an unbounded queue that grows, at the end of the stack", () => {
  const kinds = [
    ["Queue", () => new Queue<unknown>({ initialCapacity: 2 })],
    ["SimpleQueue", () => new SimpleQueue<unknown>()],
  ] as const;
  for (const [name, make] of kinds) {
    for (const form of ["put", "putNowait"] as const) {
      it(`${name}.${form}: every Lock's references = 1 + items held after the next put`, () => {
        const a = new Lock(), b = new Lock();
        const item = { a, inner: [b, "x\n", { y: [1, 2, 3] }] };
        for (let round = 0; round < 3; round++) {
          const q = make() as Queue<unknown>;
          q.put(item);
          q.put(item); // a first segment of 2 full: the next put grows
          // Handles from earlier rounds' gets hold references too.
          const base = [refs(a) - 2, refs(b) - 2];
          const h0 = held.length;
          let other: unknown;
          const tries = sweep(() => {
            try {
              if (form === "put") q.put(item);
              else q.putNowait(item);
            } catch (error) {
              if (
                !(error instanceof RangeError) &&
                !((error as Error).cause instanceof RangeError)
              ) other = error;
              throw error;
            }
          });
          assert.equal(other, undefined);
          assert.ok(tries > 0);
          q.put(item); // releases what an overflowing release left
          const n = q.qsize();
          assert.equal(unreleased.length, 0, "nothing left unreleased");
          assert.equal(held.length, h0, "held as before");
          assert.deepEqual(
            [refs(a), refs(b)],
            [base[0] + n, base[1] + n],
            `round ${round}: ${n} items held`,
          );
          const got = q.getMany() as (typeof item)[];
          assert.equal(got.length, n);
          assert.ok(got.every((x) => x.a instanceof Lock));
        }
      });
    }
  }
});
