// Copyright 2026 the threadkit authors. MIT license.
// A get made at every depth near the end of the stack (a real RangeError:
// stack overflow, at whatever step of the get it lands, the item's decode
// included): each one that throws leaves the queue as it was (the item
// first, the consumer turn free), and the first one that returns gets the
// first item; every later call works and the items come out once, in order.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from "../../mod.ts";
import { sweep } from "./_stack_end.ts";

type Getter = {
  put(x: unknown): void;
  getNowait(): unknown;
  get(o?: { timeout?: number }): unknown;
  getMany?(max?: number, o?: { block?: boolean }): unknown[];
  qsize(): number;
};

const N = 6;
const item = (i: number) => ({ i, inner: [i, "x\n", { y: [1, 2, 3] }] });

describe("gets at the end of the stack", () => {
  const kinds = [
    ["Queue", () => new Queue<unknown>({ capacity: 64 }), false],
    ["unbounded Queue", () => new Queue<unknown>(), false],
    ["LifoQueue", () => new LifoQueue<unknown>({ capacity: 64 }), true],
    [
      "PriorityQueue",
      () => new PriorityQueue<unknown>({ capacity: 64 }),
      false,
    ],
    ["SimpleQueue", () => new SimpleQueue<unknown>(), false],
  ] as const;
  for (const [name, make, lifo] of kinds) {
    for (const form of ["getNowait", "get", "getMany"] as const) {
      if (form === "getMany" && name === "SimpleQueue") continue;
      it(`${name}.${form}: a get that overflows leaves the item and the turn; the next ones work`, () => {
        const q = make() as unknown as Getter;
        q.put(name === "PriorityQueue" ? [-1, item(-1)] : item(-1)); // warm
        q.getNowait();
        const items = Array.from(
          { length: N },
          (_, i) => name === "PriorityQueue" ? [i, item(i)] : item(i),
        );
        for (const x of items) q.put(x);
        const order = lifo ? [...items].reverse() : items;
        let got: unknown[] | undefined, other: unknown;
        let tries = 0;
        sweep(() => {
          tries++;
          try {
            got = form === "getNowait"
              ? [q.getNowait()]
              : form === "get"
              ? [q.get({ timeout: 5_000 })]
              : q.getMany!(1, { block: false });
          } catch (error) {
            // Not an overflow (the queue busy, say): stop here. No call.
            if (!(error instanceof RangeError)) other = error;
            else throw error;
          }
        });
        assert.equal(other, undefined, `after ${tries} tries`);
        assert.deepEqual(got, [order[0]]);
        assert.equal(q.qsize(), N - 1);
        for (let k = 1; k < N; k++) assert.deepEqual(q.getNowait(), order[k]);
        assert.equal(q.qsize(), 0);
        q.put(order[0]);
        assert.deepEqual(q.get({ timeout: 5_000 }), order[0]);
      });
    }
  }
});
