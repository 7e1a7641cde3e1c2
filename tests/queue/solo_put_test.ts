// Copyright 2026 the threadkit authors. MIT license.
// A single-writer queue's put goes through its own function (queue/_core.ts
// soloPut, an own property `put`; queue/_solo.ts "The put's call site"):
// which handles get it, that it keeps put's semantics, and real threads
// with exact counts where one thread puts to both kinds of queue (the call
// sites that used to be one).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  Queue,
  QueueFullError,
  QueueShutDownError,
  Thread,
} from "../../mod.ts";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";

const JOIN = { timeout: 120_000 };
const SOLO = { singleWriter: true, singleReader: true } as const;

function solo(capacity: number): Queue<number> {
  return new Queue<number>({ capacity, type: "int32", ...SOLO });
}

// A consumer thread: n gets, in order 0..n-1 (FIFO, one writer), summed.
const consume = (q: Queue<number>, n: number) => {
  let sum = 0, ordered = true;
  for (let i = 0; i < n; i++) {
    const x = q.get({ timeout: 60_000 });
    if (x !== i) ordered = false;
    sum += x;
  }
  return { sum, ordered, left: q.qsize() };
};

describe("Queue singleWriter put (its own call site)", () => {
  it("only a single writer's handle has it, not enumerable; a subclass's put stays", () => {
    const q = solo(4);
    const own = Object.getOwnPropertyDescriptor(q, "put");
    assert.ok(own !== undefined && typeof own.value === "function");
    assert.equal(own.enumerable, false);
    assert.notEqual(q.put, Queue.prototype.put);
    assert.deepEqual(Object.keys(q), []);
    const reader = new Queue<number>({
      capacity: 4,
      type: "int32",
      singleReader: true,
    });
    for (
      const other of [
        new Queue<number>({ capacity: 4, type: "int32" }),
        reader,
        new LifoQueue<number>({ capacity: 4, type: "int32" }),
      ]
    ) {
      assert.equal(Object.getOwnPropertyDescriptor(other, "put"), undefined);
    }
    // A revived handle (what a thread receives) has it too.
    const again = reviveDescriptor(q[TO_DESCRIPTOR]()) as Queue<number>;
    assert.notEqual(Object.getOwnPropertyDescriptor(again, "put"), undefined);
    again.put(7);
    assert.equal(q.get(), 7);
    // A subclass that overrides put keeps its override.
    const calls: number[] = [];
    class Counting extends Queue<number> {
      override put(x: number): void {
        calls.push(x);
        super.put(x);
      }
    }
    const c = new Counting({ capacity: 4, type: "int32", ...SOLO });
    c.put(1);
    c.put(2);
    assert.deepEqual(calls, [1, 2]);
    assert.deepEqual([c.get(), c.get()], [1, 2]);
  });

  it("keeps put's semantics: full, timeout, options, bad items, shutdown", () => {
    const q = solo(2);
    q.put(1);
    q.put(2, { timeout: 10 });
    assert.throws(() => q.put(3, { block: false }), QueueFullError);
    assert.throws(() => q.put(3, { timeout: 5 }), QueueFullError);
    assert.throws(() => q.put(1.5), RangeError);
    assert.throws(() => q.put("x" as unknown as number), TypeError);
    assert.equal(q.qsize(), 2);
    assert.deepEqual([q.get(), q.get()], [1, 2]);
    q.put(2 ** 31 - 1);
    assert.equal(q.get(), 2 ** 31 - 1);
    q.shutdown();
    assert.throws(() => q.put(4), QueueShutDownError);
    assert.equal(q.qsize(), 0);
  });

  it("one thread puts to a default and a single-writer queue (both in its put loop): every item once, in order", async () => {
    const n = 200_000;
    const plain = new Queue<number>({ capacity: 16, type: "int32" });
    const single = solo(16);
    const threads = [plain, single].map((q) =>
      new Thread({ target: consume, args: [q, 2 * n] })
    );
    for (const t of threads) t.start();
    // One loop, both kinds at each call site, in rounds, so each queue
    // fills, its consumer sleeps and is woken many times over.
    const put = (q: Queue<number>, from: number, k: number) => {
      for (let i = from; i < from + k; i++) q.put(i);
    };
    for (let i = 0; i < 2 * n; i += 1000) {
      put(plain, i, 1000);
      put(single, i, 1000);
    }
    const want = (2 * n) * (2 * n - 1) / 2;
    for (const t of threads) {
      assert.deepEqual(await t.joinAsync(JOIN), {
        sum: want,
        ordered: true,
        left: 0,
      });
    }
  });

  it("a thread that received the queue puts through its own handle: every item once, in order", async () => {
    const n = 200_000;
    const q = solo(8);
    const writer = new Thread({
      target: (q: Queue<number>, n: number) => {
        const other = new Queue<number>({ capacity: 4, type: "int32" });
        for (let i = 0; i < n; i++) {
          q.put(i);
          if (i % 4096 === 0) { // the default put's site, in the same thread
            other.put(i);
            other.get();
          }
        }
        return Object.getOwnPropertyDescriptor(q, "put") !== undefined;
      },
      args: [q, n],
    });
    writer.start();
    assert.deepEqual(consume(q, n), {
      sum: n * (n - 1) / 2,
      ordered: true,
      left: 0,
    });
    assert.equal(await writer.joinAsync(JOIN), true);
  });
});
