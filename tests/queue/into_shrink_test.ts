// Copyright 2026 the threadkit authors. MIT license.
// getManyIntoAsync on every queue kind that has it, when the caller shrinks
// or detaches the target while the call waits: the room is checked right
// before the claim, at most what fits is taken, and with no room the call
// rejects with RangeError having taken nothing. Items come from a producer
// thread; each is counted exactly once (in the target or still queued).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  SimpleQueue,
  Thread,
} from "../../mod.ts";

const JOIN = { timeout: 30_000 };
const WAIT = { timeout: 30_000 };

interface IntoQueue {
  getManyIntoAsync(
    target: Int32Array,
    options?: { timeout?: number },
  ): Promise<number>;
  getManyInto(target: Int32Array, options?: { block?: boolean }): number;
  qsize(): number;
}

const kinds: [string, () => IntoQueue, boolean][] = [
  ["Queue", () => new Queue<number>({ capacity: 8, type: "int32" }), true],
  [
    "Queue (unbounded)",
    () => new Queue<number>({ type: "int32", initialCapacity: 2 }),
    true,
  ],
  [
    "LifoQueue",
    () => new LifoQueue<number>({ capacity: 8, type: "int32" }),
    false,
  ],
  [
    "PriorityQueue",
    () => new PriorityQueue<number>({ capacity: 8, type: "int32" }),
    false,
  ],
  ["SimpleQueue", () => new SimpleQueue<number>({ type: "int32" }), true],
];

// A resizable ArrayBuffer (ES2024) of `bytes`, built without the two-argument
// constructor's types (the npm build's lib may lack them).
function resizable(bytes: number): ArrayBuffer & {
  resize(n: number): void;
} {
  return Reflect.construct(ArrayBuffer, [bytes, { maxByteLength: bytes }]);
}

// Starts a thread that puts `items` one by one, joined by the caller.
function producer(q: IntoQueue, items: number[]): Thread {
  const t = new Thread({
    target: (q: SimpleQueue<number>, items: number[]) => {
      for (const x of items) q.put(x);
    },
    args: [q as SimpleQueue<number>, items],
  });
  t.start();
  return t;
}

// Everything still queued (without waiting).
function rest(q: IntoQueue): number[] {
  const out: number[] = [];
  const into = new Int32Array(16);
  while (q.qsize() > 0) {
    const n = q.getManyInto(into, { block: false });
    out.push(...into.subarray(0, n));
  }
  return out;
}

describe("getManyIntoAsync: a target shrunk or detached while the call waits", () => {
  for (const [name, make, fifo] of kinds) {
    it(`${name}: shrunk to nothing, it rejects with RangeError and takes nothing`, async () => {
      const q = make();
      const ab = resizable(16);
      const into = new Int32Array(ab); // tracks the buffer's length
      const pending = q.getManyIntoAsync(into, WAIT);
      ab.resize(0);
      const t = producer(q, [7]);
      await assert.rejects(pending, RangeError);
      await t.joinAsync(JOIN);
      assert.deepEqual(rest(q), [7]);
    });

    it(`${name}: detached (transferred), it rejects with RangeError and takes nothing`, async () => {
      const q = make();
      const ab = new ArrayBuffer(16);
      const into = new Int32Array(ab);
      const pending = q.getManyIntoAsync(into, WAIT);
      structuredClone(ab, { transfer: [ab] });
      assert.equal(into.length, 0);
      const t = producer(q, [8, 9]);
      await assert.rejects(pending, RangeError);
      await t.joinAsync(JOIN);
      assert.deepEqual(rest(q).sort(), [8, 9]);
    });

    it(`${name}: shrunk from 4 to 2, it takes at most 2; the rest stays queued`, async () => {
      const q = make();
      const ab = resizable(16);
      const into = new Int32Array(ab);
      const pending = q.getManyIntoAsync(into, WAIT);
      ab.resize(8);
      const t = producer(q, [1, 2, 3, 4]);
      const n = await pending;
      await t.joinAsync(JOIN);
      assert.ok(n >= 1 && n <= 2, `took ${n}`);
      const all = [...into.subarray(0, n), ...rest(q)];
      if (fifo) assert.deepEqual(all, [1, 2, 3, 4]);
      else assert.deepEqual(all.sort(), [1, 2, 3, 4]);
    });
  }
});
