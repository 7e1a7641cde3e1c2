// Copyright 2026 the threadkit authors. MIT license.
// The unbounded Queue (no capacity, Python's maxsize <= 0): a chain of
// segments, each a block of the shared heap.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { wordChanged } from "../_helpers.ts";
import { inspect } from "node:util";
import { runtime } from "../../_core/runtime.ts";
import {
  Queue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  Thread,
} from "../../mod.ts";

const JOIN = { timeout: 60_000 };

// Segments the queue's chain has made (its header's SEGMENTS word).
function segmentsOf(q: Queue<unknown>): number {
  const { buffer, byteOffset } = q.region;
  return Atomics.load(new Int32Array(buffer, byteOffset, 2), 1);
}

describe("Queue (unbounded)", () => {
  it("Queue() without a capacity is unbounded: puts never wait, it grows, items come out in order", () => {
    const q = new Queue<number>({ type: "int32", initialCapacity: 16 });
    assert.equal(q instanceof Queue, true);
    assert.equal(q.capacity, 0); // Python's maxsize for an unbounded queue
    assert.equal(q.region.buffer, runtime().buffer, "in the shared heap");
    assert.equal(segmentsOf(q), 1);
    for (let i = 0; i < 5000; i++) q.putNowait(i);
    assert.equal(q.qsize(), 5000);
    // 16, 32, ..., 4096 items: 9 segments.
    assert.equal(segmentsOf(q), 9, "it grew");
    assert.equal(q.full(), false);
    for (let i = 0; i < 5000; i++) assert.equal(q.getNowait(), i);
    assert.throws(() => q.getNowait(), QueueEmptyError);
    assert.equal(q.empty(), true);
    for (const init of [undefined, {}, { capacity: 0 }, { capacity: -1 }]) {
      const u = new Queue<string>(init);
      assert.equal(u.capacity, 0);
      u.put("x");
      assert.equal(u.get({ timeout: 100 }), "x");
    }
  });

  it("Queue (unbounded) grows past its initial size across threads: a thread fills it, items exact and in order", async () => {
    const q = new Queue<number>({ type: "int32", initialCapacity: 64 });
    const N = 100_000;
    const producer = new Thread({
      target: (q: Queue<number>, n: number) => {
        // Singles and batches; nobody takes anything until we return.
        let i = 0;
        for (; i < n / 2; i++) q.put(i, { block: false });
        const batch = [];
        for (; i < n; i++) {
          batch.push(i);
          if (batch.length === 1000) q.putMany(batch.splice(0));
        }
        q.putMany(batch);
        return q.qsize();
      },
      args: [q, N],
    });
    producer.start();
    assert.equal(await producer.joinAsync(JOIN), N);
    // 64, 128, ..., 65536 items: 11 segments.
    assert.equal(segmentsOf(q), 11, `grew to ${segmentsOf(q)} segments`);
    const got = q.getMany();
    assert.equal(got.length, N);
    for (let i = 0; i < N; i++) {
      if (got[i] !== i) assert.fail(`item ${i} is ${got[i]}`);
    }
  });

  it("Queue (unbounded): 2 producer threads and 2 consumers (blocking and async) while it grows: each item exactly once, each producer's items in order", async () => {
    const q = new Queue<[number, number]>({ initialCapacity: 8 });
    const N = 5000;
    const producers = [1, 2].map((id) =>
      new Thread({
        target: (q: Queue<[number, number]>, id: number, n: number) => {
          for (let i = 0; i < n; i++) q.put([id, i]);
        },
        args: [q, id, N],
      })
    );
    const consumer = new Thread({
      target: (q: Queue<[number, number]>, n: number) => {
        const seen: [number, number][] = [];
        for (let i = 0; i < n; i++) seen.push(q.get({ timeout: 30_000 }));
        return seen;
      },
      args: [q, N],
    });
    for (const t of [...producers, consumer]) t.start();
    const mine: [number, number][] = [];
    for (let i = 0; i < N; i++) {
      mine.push(await q.getAsync({ timeout: 30_000 }));
    }
    const theirs = await consumer.joinAsync(JOIN);
    for (const p of producers) await p.joinAsync(JOIN);
    for (const seq of [mine, theirs]) {
      const last = new Map<number, number>();
      for (const [id, i] of seq) {
        assert.ok(i > (last.get(id) ?? -1), `producer ${id} out of order`);
        last.set(id, i);
      }
    }
    const all = [...mine, ...theirs].map(([id, i]) => id * N + i).sort((a, b) =>
      a - b
    );
    assert.equal(all.length, 2 * N);
    for (let k = 0; k < all.length; k++) {
      if (all[k] !== N + k) assert.fail(`item ${k} is ${all[k]}`);
    }
    assert.equal(q.empty(), true);
  });

  it("Queue (unbounded): a getter waiting in the first segment moves on when it grows", async () => {
    const q = new Queue<number>({ type: "float64", initialCapacity: 2 });
    const ready = new Int32Array(new SharedArrayBuffer(4));
    const consumer = new Thread({
      target: (q: Queue<number>, ready: Int32Array) => {
        Atomics.store(ready, 0, 1);
        Atomics.notify(ready, 0);
        const out = [];
        for (let i = 0; i < 20; i++) out.push(q.get({ timeout: 20_000 }));
        return out;
      },
      args: [q, ready],
    });
    consumer.start();
    assert.ok(await wordChanged(ready, 0, 0), "the consumer is ready");
    const values = Array.from({ length: 20 }, (_, i) => i + 0.5);
    q.putMany(values); // grows 2 -> 4 -> 8 -> 16 -> 32 while it may wait
    assert.deepEqual(await consumer.joinAsync(JOIN), values);
  });

  it("Queue (unbounded) at its stated maximum waits or refuses like a bounded queue", async () => {
    const q = new Queue<number>({
      type: "int32",
      initialCapacity: 2,
      maxCapacity: 8,
    });
    let n = 0;
    for (;;) {
      try {
        q.putNowait(n);
      } catch (error) {
        assert.ok(error instanceof QueueFullError);
        break;
      }
      n++;
      assert.ok(n < 100, "never full");
    }
    assert.equal(q.full(), true);
    assert.equal(n, 2 + 4 + 8); // every segment filled, the last at 8
    assert.throws(() => q.put(99, { timeout: 10 }), QueueFullError);
    await assert.rejects(q.putAsync(99, { timeout: 10 }), QueueFullError);
    // Draining the older segments does not make room in the newest one.
    for (let i = 0; i < 6; i++) assert.equal(q.getNowait(), i);
    assert.throws(() => q.putNowait(99), QueueFullError);
    assert.equal(q.getNowait(), 6); // the newest segment's first item
    q.putNowait(99);
    assert.deepEqual(q.getMany(), [7, 8, 9, 10, 11, 12, 13, 99]);
  });

  it("Queue (unbounded) shutdown: puts fail, gets drain every segment then fail; immediate discards; join counts across segments", async () => {
    const q = new Queue<number>({ type: "int32", initialCapacity: 4 });
    for (let i = 0; i < 20; i++) q.put(i);
    for (let i = 0; i < 10; i++) {
      q.get();
      q.taskDone();
    }
    assert.equal(q.join({ timeout: 10 }), false); // 10 tasks open
    q.shutdown();
    assert.equal(q.isShutdown, true);
    assert.throws(() => q.put(1), QueueShutDownError);
    const rest = [];
    for (;;) {
      try {
        rest.push(q.get({ timeout: 1000 }));
      } catch (error) {
        assert.ok(error instanceof QueueShutDownError);
        break;
      }
      q.taskDone();
    }
    assert.deepEqual(rest, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.equal(q.join({ timeout: 1000 }), true);
    assert.equal(await q.joinAsync({ timeout: 1000 }), true);

    const p = new Queue<string>({ initialCapacity: 2 });
    for (let i = 0; i < 9; i++) p.put(`s${i}`);
    p.shutdown({ immediate: true });
    assert.equal(p.qsize(), 0);
    assert.equal(p.join({ timeout: 1000 }), true);
    await assert.rejects(p.getAsync({ timeout: 1000 }), QueueShutDownError);
    const seen = [];
    for await (const x of p) seen.push(x);
    assert.deepEqual(seen, []);
  });

  it("Queue (unbounded) rejects bad options with TypeError/RangeError", () => {
    assert.throws(() => new Queue({ capacity: NaN }), RangeError);
    assert.throws(() => new Queue({ initialCapacity: 0 }), RangeError);
    assert.throws(
      () => new Queue({ initialCapacity: 64, maxCapacity: 8 }),
      RangeError,
    );
    assert.throws(
      () => new Queue({ buffer: new SharedArrayBuffer(1024) }),
      TypeError,
    );
    assert.throws(() => new Queue({ bytes: 1024 }), TypeError);
    assert.throws(() => Queue.byteLength({}), TypeError);
    const q = new Queue<number>({ type: "int32" });
    assert.throws(() => q.put(1, { timeout: -1 }), RangeError);
    assert.throws(() => q.put(2 ** 40), RangeError);
    assert.equal(q.qsize(), 0);
  });

  it("Queue (unbounded) shows its type, maximum and size when inspected", () => {
    const q = new Queue<number>({ type: "int32", maxCapacity: 4096 });
    q.put(1);
    assert.equal(
      inspect(q),
      `Queue { type: ${
        inspect("int32")
      }, capacity: 0, maxCapacity: 4096, size: 1 }`,
    );
    const b = new Queue<number>({ capacity: 8, type: "int32" });
    assert.equal(
      inspect(b),
      `Queue { type: ${inspect("int32")}, capacity: 8, size: 0 }`,
    );
  });
});
