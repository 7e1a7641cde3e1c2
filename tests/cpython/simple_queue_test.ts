// Copyright 2026 the threadkit authors. MIT license.
// CPython's Lib/test/test_queue.py BaseSimpleQueueTest (what the port changes
// from CPython: queue_test.ts's header).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { QueueEmptyError, SimpleQueue } from "../../mod.ts";
import { bunch, joinAll, words } from "./_bunch.ts";
describe("test_queue.BaseSimpleQueueTest (SimpleQueue)", () => {
  /**
   * CPython's run_threads: n feeders put the numbers 0..total-1 (taken from
   * a shared counter), each then its sentinel (-1); n consumers take until
   * a sentinel. Returns what each consumer got, in order.
   */
  async function runThreads(
    n: number,
    total: number,
    consume: "block" | "nonblock" | "timeout",
  ): Promise<number[][]> {
    const q = new SimpleQueue<number>();
    const next = words(1);
    const feeders = bunch(
      (q: SimpleQueue<number>, next: Int32Array, total: number) => {
        for (;;) {
          const i = Atomics.add(next, 0, 1);
          if (i >= total) {
            q.put(-1);
            return;
          }
          q.put(i);
        }
      },
      n,
      [q, next, total],
    );
    const consumers = bunch(
      (q: SimpleQueue<number>, how: string) => {
        const got: number[] = [];
        const end = performance.now() + 60_000;
        for (;;) {
          let val: number;
          if (how === "block") val = q.get({ timeout: 30_000 });
          else {
            for (;;) {
              try {
                val = how === "nonblock"
                  ? q.get({ block: false })
                  : q.get({ timeout: 0.01 });
                break;
              } catch (e) {
                if (!(e instanceof QueueEmptyError)) throw e;
                if (performance.now() > end) throw e;
              }
            }
          }
          if (val === -1) return got;
          got.push(val);
        }
      },
      n,
      [q, consume],
    );
    await joinAll(feeders);
    const results = await joinAll(consumers) as number[][];
    assert.equal(q.empty(), true);
    assert.equal(q.qsize(), 0);
    return results;
  }

  it("test_basic", () => {
    const q = new SimpleQueue<number>();
    assert.equal(q.empty(), true);
    assert.equal(q.qsize(), 0);
    q.put(1);
    assert.equal(q.empty(), false);
    assert.equal(q.qsize(), 1);
    q.put(2);
    q.putNowait(3);
    q.put(4);
    assert.equal(q.qsize(), 4);
    assert.equal(q.get(), 1);
    assert.equal(q.qsize(), 3);
    assert.equal(q.getNowait(), 2);
    assert.equal(q.qsize(), 2);
    assert.equal(q.get({ block: false }), 3);
    assert.equal(q.qsize(), 1);
    assert.equal(q.get({ timeout: 100 }), 4);
    assert.equal(q.empty(), true);
    assert.throws(() => q.get({ block: false }), QueueEmptyError);
    assert.throws(() => q.get({ timeout: 1 }), QueueEmptyError);
    assert.throws(() => q.getNowait(), QueueEmptyError);
    assert.equal(q.qsize(), 0);
  });

  it("get with block: false ignores a timeout, as Python's SimpleQueue.get does", async () => {
    const t0 = performance.now();
    const q = new SimpleQueue<number>();
    q.put(1);
    assert.equal(q.get({ block: false, timeout: -1 }), 1);
    assert.throws(
      () => q.get({ block: false, timeout: 60_000 }),
      QueueEmptyError,
    );
    await assert.rejects(
      q.getAsync({ block: false, timeout: 60_000 }),
      QueueEmptyError,
    );
    assert.ok(performance.now() - t0 < 30_000, "a block: false get waited");
  });

  it("test_negative_timeout_raises_exception (CPython: ValueError)", () => {
    const q = new SimpleQueue<number>();
    q.put(1);
    assert.throws(() => q.get({ timeout: -1 }), RangeError);
    assert.equal(q.qsize(), 1);
  });

  it("test_order: one feeder, one consumer: the order is kept", async () => {
    const [got] = await runThreads(1, 100, "block");
    assert.deepEqual(got, [...Array(100).keys()]);
  });

  for (const how of ["block", "nonblock", "timeout"] as const) {
    const total = how === "timeout" ? 1000 : 10_000;
    it(`test_many_threads${how === "block" ? "" : "_" + how}: 4 feeders, 4 consumers, ${total} items, each once`, async () => {
      const got = (await runThreads(4, total, how)).flat().sort((a, b) =>
        a - b
      );
      assert.deepEqual(got, [...Array(total).keys()]);
    });
  }
});
