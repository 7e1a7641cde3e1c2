// Copyright 2026 the threadkit authors. MIT license.
// A single-writer (single-reader) queue's put and putNowait (get and
// getNowait) go through functions of its own (queue/_solo_calls.ts
// soloCalls: closures, own properties; queue/_solo.ts "The call sites"):
// which handles get them, that they keep the methods' semantics, and real
// threads with exact counts where one thread
// puts to (gets from) both kinds of queue (the call sites that used to be
// one).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  Queue,
  QueueEmptyError,
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

describe("Queue singleWriter put and singleReader get (call sites of their own)", () => {
  it("only single-side handles have them, not enumerable; a subclass's put and get stay", () => {
    const q = solo(4);
    const names = ["put", "putNowait", "get", "getNowait"];
    for (const name of names) {
      const own = Object.getOwnPropertyDescriptor(q, name);
      assert.ok(own !== undefined && typeof own.value === "function");
      assert.equal(own.enumerable, false);
    }
    assert.notEqual(q.put, Queue.prototype.put);
    assert.notEqual(q.get, Queue.prototype.get);
    assert.notEqual(q.putNowait, Queue.prototype.putNowait);
    assert.notEqual(q.getNowait, Queue.prototype.getNowait);
    assert.deepEqual(Object.keys(q), []);
    // One function literal per method: each handle has its own closure.
    assert.notEqual(solo(4).put, q.put);
    // One side only: that side's method only.
    const writer = new Queue<number>({
      capacity: 4,
      type: "int32",
      singleWriter: true,
    });
    for (const name of ["put", "putNowait"]) {
      assert.notEqual(Object.getOwnPropertyDescriptor(writer, name), undefined);
    }
    for (const name of ["get", "getNowait"]) {
      assert.equal(Object.getOwnPropertyDescriptor(writer, name), undefined);
    }
    const reader = new Queue<number>({
      capacity: 4,
      type: "int32",
      singleReader: true,
    });
    for (const name of ["put", "putNowait"]) {
      assert.equal(Object.getOwnPropertyDescriptor(reader, name), undefined);
    }
    for (const name of ["get", "getNowait"]) {
      assert.notEqual(Object.getOwnPropertyDescriptor(reader, name), undefined);
    }
    for (
      const other of [
        new Queue<number>({ capacity: 4, type: "int32" }),
        new LifoQueue<number>({ capacity: 4, type: "int32" }),
      ]
    ) {
      for (const name of names) {
        assert.equal(Object.getOwnPropertyDescriptor(other, name), undefined);
      }
    }
    // A revived handle (what a thread receives) has it too.
    const again = reviveDescriptor(q[TO_DESCRIPTOR]()) as Queue<number>;
    for (const name of names) {
      assert.notEqual(Object.getOwnPropertyDescriptor(again, name), undefined);
    }
    again.put(7);
    assert.equal(q.get(), 7);
    again.putNowait(8);
    assert.equal(q.getNowait(), 8);
    // A subclass that overrides put or get keeps its override.
    const calls: string[] = [];
    class Counting extends Queue<number> {
      override put(x: number): void {
        calls.push(`put ${x}`);
        super.put(x);
      }
      override get(): number {
        const x = super.get();
        calls.push(`get ${x}`);
        return x;
      }
      override putNowait(x: number): void {
        calls.push(`putNowait ${x}`);
        super.putNowait(x);
      }
      override getNowait(): number {
        const x = super.getNowait();
        calls.push(`getNowait ${x}`);
        return x;
      }
    }
    const c = new Counting({ capacity: 4, type: "int32", ...SOLO });
    c.put(1);
    c.putNowait(2);
    assert.deepEqual([c.get(), c.getNowait()], [1, 2]);
    assert.deepEqual(calls, [
      "put 1",
      "putNowait 2",
      "get 1",
      "getNowait 2",
    ]);
  });

  it("keep put's and get's semantics: full, empty, timeout, options, bad items, shutdown", () => {
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
    assert.throws(() => q.get({ block: false }), QueueEmptyError);
    assert.throws(() => q.get({ timeout: 5 }), QueueEmptyError);
    q.put(5);
    assert.equal(q.get({ timeout: 10 }), 5);
    q.put(6);
    q.shutdown();
    assert.throws(() => q.put(4), QueueShutDownError);
    assert.equal(q.get(), 6); // shut down, not yet empty
    assert.throws(() => q.get(), QueueShutDownError);
    assert.equal(q.qsize(), 0);
  });

  it("keep putNowait's and getNowait's semantics: full, empty, bad items, shutdown", () => {
    const q = solo(2);
    q.putNowait(1);
    q.putNowait(2);
    assert.throws(() => q.putNowait(3), QueueFullError);
    assert.throws(() => q.putNowait(1.5), RangeError);
    assert.throws(() => q.putNowait("x" as unknown as number), TypeError);
    assert.equal(q.qsize(), 2);
    assert.deepEqual([q.getNowait(), q.getNowait()], [1, 2]);
    assert.throws(() => q.getNowait(), QueueEmptyError);
    // Around the wrap of the slots: every item once, in order.
    for (let i = 0; i < 10; i++) {
      q.putNowait(i);
      q.put(i + 100);
      assert.deepEqual([q.getNowait(), q.get()], [i, i + 100]);
    }
    q.putNowait(6);
    q.shutdown();
    assert.throws(() => q.putNowait(4), QueueShutDownError);
    assert.equal(q.getNowait(), 6); // shut down, not yet empty
    assert.throws(() => q.getNowait(), QueueShutDownError);
    assert.equal(q.qsize(), 0);
  });

  it("one thread gets from a default and a single-reader queue (both in its get loop): every item once, in order", async () => {
    const n = 200_000;
    const plain = new Queue<number>({ capacity: 16, type: "int32" });
    const single = solo(16);
    const threads = [plain, single].map((q) =>
      new Thread({
        target: (q: Queue<number>, n: number) => {
          for (let i = 0; i < n; i++) q.put(i);
        },
        args: [q, 2 * n],
      })
    );
    for (const t of threads) t.start();
    // One loop, both kinds at each call site, in rounds, so each queue
    // empties, its getter sleeps and is woken many times over.
    const take = (q: Queue<number>, from: number, k: number) => {
      let ok = true;
      for (let i = from; i < from + k; i++) if (q.get({}) !== i) ok = false;
      return ok;
    };
    const fast = (q: Queue<number>, from: number, k: number) => {
      let ok = true;
      for (let i = from; i < from + k; i++) if (q.get() !== i) ok = false;
      return ok;
    };
    let ordered = true;
    for (let i = 0; i < 2 * n; i += 1000) {
      const get = i % 8000 === 0 ? take : fast; // the options path too
      ordered = get(plain, i, 1000) && get(single, i, 1000) && ordered;
    }
    assert.equal(ordered, true);
    for (const t of threads) await t.joinAsync(JOIN);
    assert.equal(plain.qsize() + single.qsize(), 0);
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
  it("across threads: a writer's putNowait (again on Full) and a reader's getNowait (again on Empty): every item once, in order", async () => {
    // 20,000 items through 8 slots: 2,500 laps of the ring. Both sides spin
    // (a QueueFullError or QueueEmptyError a miss), so the count is kept
    // small enough for a loaded machine to finish well inside the bound.
    const n = 20_000;
    const q = solo(8);
    const t = new Thread({
      target: (q: Queue<number>, n: number) => {
        const end = performance.now() + 60_000;
        for (let i = 0; i < n;) {
          try {
            q.putNowait(i);
            i++;
          } catch (e) {
            if ((e as Error).name !== "QueueFullError") throw e;
            if (performance.now() > end) throw new Error("writer timed out");
          }
        }
      },
      args: [q, n],
    });
    t.start();
    const end = performance.now() + 60_000;
    let ordered = true, sum = 0;
    for (let i = 0; i < n;) {
      try {
        const x = q.getNowait();
        if (x !== i) ordered = false;
        sum += x;
        i++;
      } catch (e) {
        if (!(e instanceof QueueEmptyError)) throw e;
        if (performance.now() > end) throw new Error("reader timed out");
      }
    }
    await t.joinAsync(JOIN);
    assert.equal(ordered, true);
    assert.equal(sum, n * (n - 1) / 2);
    assert.equal(q.qsize(), 0);
  });

  it("an immediate shutdown from another thread races getNowait: every item taken in order or discarded, join returns", async () => {
    for (let round = 0; round < 20; round++) {
      const q = solo(64);
      const k = 40;
      for (let i = 0; i < k; i++) q.put(i);
      const gate = new Int32Array(new SharedArrayBuffer(4));
      const t = new Thread({
        target: (q: Queue<number>, gate: Int32Array) => {
          Atomics.wait(gate, 0, 0, 10_000);
          q.shutdown({ immediate: true });
        },
        args: [q, gate],
      });
      t.start();
      let taken = 0, last = -1, ordered = true;
      const end = performance.now() + 30_000;
      for (;;) {
        if (taken === 5) { // the shutdown starts after 5 gets
          Atomics.store(gate, 0, 1);
          Atomics.notify(gate, 0);
        }
        try {
          const x = q.getNowait();
          if (x !== last + 1) ordered = false;
          last = x;
          taken++;
          q.taskDone();
        } catch (e) {
          if (e instanceof QueueShutDownError) break;
          if (!(e instanceof QueueEmptyError)) throw e;
          if (performance.now() > end) throw new Error("no shutdown seen");
        }
      }
      await t.joinAsync(JOIN);
      assert.equal(ordered, true);
      assert.ok(taken >= 5 && taken <= k, `taken ${taken}`);
      assert.equal(q.qsize(), 0);
      // Each item was taken (and done) or discarded (the discard credits
      // its own count): join returns at once.
      assert.equal(q.join({ timeout: 5_000 }), true);
    }
  });
});
