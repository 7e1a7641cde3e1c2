// Copyright 2026 the threadkit authors. MIT license.
// A put encodes its item once, at the call: an unbounded queue that grows
// (its newest segment full, or too small for the item) puts the encoding it
// made, in every kind and put form. A codec's encode runs once per item,
// and an item changed after the call goes in as it was at the call.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from "../../mod.ts";
import type { Codec } from "../../mod.ts";

type Item = [number, string];
let encodes = 0;
const codec: Codec<Item> = {
  encode: (v) => {
    encodes++;
    return new TextEncoder().encode(JSON.stringify(v));
  },
  decode: (b) => JSON.parse(new TextDecoder().decode(b)),
};

interface Putter {
  put(item: Item): void;
  putNowait?(item: Item): void;
  putAsync?(item: Item): Promise<void>;
  getNowait(): Item;
}
const KINDS: [string, () => Putter][] = [
  ["Queue", () => new Queue<Item>({ codec, initialCapacity: 2 })],
  ["LifoQueue", () => new LifoQueue<Item>({ codec, initialCapacity: 2 })],
  [
    "PriorityQueue",
    () => new PriorityQueue<Item>({ codec, initialCapacity: 2 }),
  ],
  ["SimpleQueue", () => new SimpleQueue<Item>({ codec, initialCapacity: 2 })],
];
const N = 40; // from 2 items: several grows

describe("a put encodes its item once", () => {
  for (const [kind, make] of KINDS) {
    for (const form of ["put", "putNowait", "putAsync"] as const) {
      const q0 = make();
      if (q0[form] === undefined) continue;
      it(`${kind}.${form}: ${N} items into a queue that grows from 2, one encode each`, async () => {
        const q = make();
        encodes = 0;
        for (let i = 0; i < N; i++) await q[form]!([i, "x"]);
        assert.equal(encodes, N);
        const got = [];
        for (let i = 0; i < N; i++) got.push(q.getNowait()[0]);
        assert.deepEqual(
          got.sort((a, b) => a - b),
          Array.from({ length: N }, (_, i) => i),
        );
      });
    }
  }

  it("Queue.putAsync: an item too large for the newest segment is encoded once; changed after the call, it goes in as it was", async () => {
    const q = new Queue<Item>({ codec, initialCapacity: 2 });
    q.put([0, "a"]);
    encodes = 0;
    const item: Item = [1, "y".repeat(300_000)];
    const put = q.putAsync(item);
    item[1] = "changed";
    await put;
    assert.equal(encodes, 1);
    assert.deepEqual(q.getNowait(), [0, "a"]);
    assert.equal(q.getNowait()[1].length, 300_000);
  });
});
