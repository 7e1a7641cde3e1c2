// Copyright 2026 the threadkit authors. MIT license.
// getManyInto / getManyIntoAsync: a numeric queue's batch get into a
// caller's typed array.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  type NumericType,
  PriorityQueue,
  Queue,
  QueueEmptyError,
  QueueShutDownError,
  Thread,
} from "../../mod.ts";
import { sleepers } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };
const NOT_EMPTY = 64; // the getters' wake word (queue/_layout.ts)

function header(
  q: { region: { buffer: SharedArrayBuffer; byteOffset: number } },
) {
  return new Int32Array(q.region.buffer, q.region.byteOffset, 96);
}

describe("Queue.getManyInto", () => {
  it("fills the target from index 0 in FIFO order and returns the count", () => {
    const q = new Queue<number>({ capacity: 8, type: "int32" });
    q.putMany([1, 2, 3, 4, 5]);
    const into = new Int32Array(3).fill(-1);
    assert.equal(q.getManyInto(into), 3);
    assert.deepEqual([...into], [1, 2, 3]);
    assert.equal(q.getManyInto(into), 2);
    assert.deepEqual([...into.subarray(0, 2)], [4, 5]);
    assert.equal(q.qsize(), 0);
    assert.throws(() => q.getManyInto(into, { block: false }), QueueEmptyError);
    assert.throws(() => q.getManyInto(into, { timeout: 1 }), QueueEmptyError);
  });

  it("copies across the ring's end, lap after lap, for a capacity that is not a power of two", () => {
    for (const capacity of [4, 5]) {
      const q = new Queue<number>({ capacity, type: "int32" });
      const into = new Int32Array(8);
      let next = 0, expect = 0;
      for (let lap = 0; lap < 50; lap++) {
        const n = 1 + (lap % capacity);
        for (let i = 0; i < n; i++) q.put(next++);
        const got = q.getManyInto(into.subarray(0, 1 + (lap % 3)));
        for (let i = 0; i < got; i++) assert.equal(into[i], expect++);
        const rest = q.empty() ? [] : q.getMany(undefined, { block: false });
        for (const x of rest) assert.equal(x, expect++);
      }
      assert.equal(expect, next);
    }
  });

  it("takes every numeric element type into its own typed array", () => {
    const cases: [NumericType, (number | bigint)[], () => unknown][] = [
      ["int8", [-128, 0, 127], () => new Int8Array(4)],
      ["uint8", [0, 200, 255], () => new Uint8Array(4)],
      ["int16", [-32768, 5, 32767], () => new Int16Array(4)],
      ["uint16", [0, 65535, 7], () => new Uint16Array(4)],
      ["int32", [-(2 ** 31), 0, 2 ** 31 - 1], () => new Int32Array(4)],
      ["uint32", [0, 2 ** 32 - 1, 9], () => new Uint32Array(4)],
      ["float32", [0.5, -0, Infinity], () => new Float32Array(4)],
      ["float64", [Math.PI, NaN, -1e300], () => new Float64Array(4)],
      [
        "bigint64",
        [-(2n ** 63n), 0n, 2n ** 63n - 1n],
        () => new BigInt64Array(4),
      ],
      ["biguint64", [0n, 2n ** 64n - 1n, 3n], () => new BigUint64Array(4)],
    ];
    for (const [type, items, make] of cases) {
      const q = new Queue<number | bigint>({ capacity: 4, type });
      q.putMany(items);
      const into = make() as Int32Array;
      assert.equal(q.getManyInto(into), 3, type);
      assert.deepEqual([...into.subarray(0, 3)], [...items], type);
    }
  });

  it("refuses a typed array of another element type, a structured queue and an empty target, taking nothing", () => {
    const q = new Queue<number>({ capacity: 4, type: "int32" });
    q.put(1);
    assert.throws(
      () => q.getManyInto(new Float64Array(4) as never),
      (e: unknown) =>
        e instanceof TypeError &&
        /Float64Array: the queue holds int32 items, which go into a Int32Array/
          .test(e.message),
    );
    assert.throws(() => q.getManyInto([0, 0] as never), TypeError);
    assert.throws(() => q.getManyInto(new Int32Array(0)), RangeError);
    const s = new Queue<unknown>({ capacity: 4 });
    s.put(1);
    assert.throws(() => s.getManyInto(new Int32Array(4)), TypeError);
    assert.deepEqual([q.qsize(), s.qsize()], [1, 1]);
  });

  it("works on numeric LifoQueue and PriorityQueue in their order", () => {
    const lifo = new LifoQueue<number>({ capacity: 8, type: "float64" });
    lifo.putMany([1, 2, 3]);
    const into = new Float64Array(8);
    assert.equal(lifo.getManyInto(into), 3);
    assert.deepEqual([...into.subarray(0, 3)], [3, 2, 1]);
    const prio = new PriorityQueue<number>({ capacity: 8, type: "int16" });
    prio.putMany([5, -1, 3]);
    const small = new Int16Array(2);
    assert.equal(prio.getManyInto(small), 2);
    assert.deepEqual([...small], [-1, 3]);
    assert.equal(prio.get(), 5);
  });

  it("throws QueueShutDownError once the queue is shut down and empty", async () => {
    const q = new Queue<number>({ capacity: 4, type: "int32" });
    q.put(7);
    q.shutdown();
    const into = new Int32Array(4);
    assert.equal(q.getManyInto(into), 1);
    assert.equal(into[0], 7);
    assert.throws(() => q.getManyInto(into), QueueShutDownError);
    await assert.rejects(q.getManyIntoAsync(into), QueueShutDownError);
  });
});

describe("Queue.getManyIntoAsync", () => {
  it("rejects at once with block: false on an empty queue, and waits for a put otherwise", async () => {
    const q = new Queue<number>({ capacity: 4, type: "int32" });
    const into = new Int32Array(4);
    await assert.rejects(
      q.getManyIntoAsync(into, { block: false }),
      QueueEmptyError,
    );
    const pending = q.getManyIntoAsync(into, { timeout: 10_000 });
    await sleepers(header(q), NOT_EMPTY, 1); // it waits for an item
    q.putMany([4, 5]);
    const n = await pending;
    assert.ok(n >= 1 && n <= 2);
    const rest = n === 2 ? [] : q.getMany(4, { block: false });
    const all = [...into.subarray(0, n), ...rest];
    assert.deepEqual(all, [4, 5]);
  });

  it("a blocking getManyInto in a thread wakes for a put from this thread", async () => {
    const q = new Queue<number>({ capacity: 4, type: "int32" });
    const t = new Thread({
      target: (q: Queue<number>) => {
        const into = new Int32Array(4);
        const n = q.getManyInto(into, { timeout: 20_000 });
        return [...into.subarray(0, n)];
      },
      args: [q],
    });
    t.start();
    await sleepers(header(q), NOT_EMPTY, 1);
    q.put(42);
    assert.deepEqual(await t.joinAsync(JOIN), [42]);
  });
});

describe("Queue.getManyInto across threads", () => {
  it("every item of a producer thread's putMany arrives once and in order", async () => {
    const total = 200_000;
    const q = new Queue<number>({ capacity: 1000, type: "int32" });
    const t = new Thread({
      target: (q: Queue<number>, total: number) => {
        const chunk = new Int32Array(777);
        for (let i = 0; i < total;) {
          const n = Math.min(chunk.length, total - i);
          for (let k = 0; k < n; k++) chunk[k] = i + k;
          i += q.putMany(chunk.subarray(0, n), { timeout: 20_000 });
        }
      },
      args: [q, total],
    });
    t.start();
    const into = new Int32Array(1000);
    let expect = 0;
    while (expect < total) {
      const n = await q.getManyIntoAsync(into, { timeout: 20_000 });
      for (let i = 0; i < n; i++) {
        if (into[i] !== expect) assert.equal(into[i], expect);
        expect++;
      }
    }
    await t.joinAsync(JOIN);
    assert.equal(q.qsize(), 0);
  });
});
