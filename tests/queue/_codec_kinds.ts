// Copyright 2026 the threadkit authors. MIT license.
// The queue kinds the death and takeover tests run over, with one custom
// codec: items are [priority, text] so that one shape fits all three kinds.
import { LifoQueue, PriorityQueue, Queue } from "../../mod.ts";

export type Item = [number, string];

/** A custom codec (JSON as bytes), so gets run a decode under the lock. */
export const plain = {
  encode: (x: Item) => new TextEncoder().encode(JSON.stringify(x)),
  decode: (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Item,
};

export type AnyQueue = Queue<Item> | LifoQueue<Item> | PriorityQueue<Item>;

/** Each kind's name and a maker of a small queue of it with `plain`. */
export const KINDS: [string, () => AnyQueue][] = [
  ["Queue", () => new Queue<Item>({ capacity: 8, codec: plain })],
  ["Queue (unbounded)", () => new Queue<Item>({ codec: plain })],
  ["LifoQueue", () => new LifoQueue<Item>({ capacity: 8, codec: plain })],
  [
    "PriorityQueue",
    () => new PriorityQueue<Item>({ capacity: 8, codec: plain }),
  ],
];
