// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PriorityQueue, QueueFullError, Thread } from "../../mod.ts";

const JOIN = { timeout: 30_000 };

describe("PriorityQueue", () => {
  it("PriorityQueue.get() returns the lowest number first (numeric, bigint)", () => {
    const q = new PriorityQueue<number>({ capacity: 100, type: "float64" });
    const values = Array.from(
      { length: 100 },
      (_, i) => ((i * 37) % 100) - 50.5,
    );
    q.putMany(values);
    assert.deepEqual(q.getMany(), [...values].sort((a, b) => a - b));
    const b = new PriorityQueue<bigint>({ capacity: 4, type: "bigint64" });
    b.putMany([3n, -1n, 2n]);
    assert.deepEqual(b.getMany(), [-1n, 2n, 3n]);
  });

  it("PriorityQueue<structured> orders [priority, data] items, ties in put order", () => {
    const q = new PriorityQueue<[number, string]>({ capacity: 8 });
    q.put([2, "b1"]);
    q.put([1, "a"]);
    q.put([2, "b2"]);
    q.put([-Infinity, "first"]);
    q.put([2, "b3"]);
    assert.deepEqual(q.getMany().map((x) => x[1]), [
      "first",
      "a",
      "b1",
      "b2",
      "b3",
    ]);
  });

  it("PriorityQueue refuses NaN and items without a number priority, unchanged", () => {
    const n = new PriorityQueue<number>({ capacity: 4, type: "float64" });
    n.put(1);
    assert.throws(() => n.put(NaN), RangeError);
    assert.deepEqual(n.getMany(), [1]);
    const s = new PriorityQueue<unknown>({ capacity: 4, bytes: 256 });
    s.put([1, "x"]);
    assert.throws(() => s.put({ priority: 1 }), TypeError);
    assert.throws(() => s.put(["1", "x"]), TypeError);
    assert.throws(() => s.put([NaN, "x"]), RangeError);
    assert.throws(() => s.put([2, "y".repeat(100)]), RangeError); // slot is 64 B
    assert.throws(() => s.putMany([[3, "ok"], [4, () => 1]]), TypeError);
    assert.deepEqual(s.getMany(), [[1, "x"]]);
  });

  it("PriorityQueue<structured> reuses slots: fill, drain, refill many times", () => {
    const q = new PriorityQueue<[number, number]>({
      capacity: 5,
      bytes: 5 * 32,
    });
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5; i++) q.put([(i * 3 + round) % 5, i]);
      assert.throws(() => q.putNowait([0, 0]), QueueFullError);
      const keys = q.getMany().map((x) => x[0]);
      assert.deepEqual(keys, [0, 1, 2, 3, 4]);
    }
  });

  it("PriorityQueue is shared with worker threads that put concurrently", async () => {
    const q = new PriorityQueue<number>({ capacity: 4000, type: "int32" });
    const put = (q: PriorityQueue<number>, base: number) => {
      for (let i = 0; i < 1000; i++) q.put(base + i * 4, { timeout: 10_000 });
    };
    const threads = [0, 1, 2, 3].map((b) =>
      new Thread({ target: put, args: [q, b] })
    );
    for (const t of threads) t.start();
    for (const t of threads) await t.joinAsync(JOIN);
    assert.deepEqual(q.getMany(), Array.from({ length: 4000 }, (_, i) => i));
  });
});
