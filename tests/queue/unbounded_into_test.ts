// Copyright 2026 the threadkit authors. MIT license.
// getManyInto / getManyIntoAsync of the unbounded Queue and SimpleQueue (a
// chain of segments, queue/_unbounded.ts), and their batch gets across
// segment boundaries.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Queue,
  QueueEmptyError,
  QueueShutDownError,
  SimpleQueue,
  Thread,
} from "../../mod.ts";
import { sleepers } from "../_helpers.ts";

const JOIN = { timeout: 60_000 };
const NOT_EMPTY = 64; // a segment's getters' wake word (queue/_layout.ts)

// Segments the queue's chain has made (its header's SEGMENTS word).
function segmentsOf(q: { region: { buffer: SharedArrayBuffer } }): number {
  const { buffer, byteOffset } = (q as Queue<unknown>).region;
  return Atomics.load(new Int32Array(buffer, byteOffset, 2), 1);
}

// The header of segment s (the chain header's OFFSET[s], word 16 + s).
function segmentHeader(q: Queue<unknown>, s: number): Int32Array {
  const { buffer, byteOffset } = q.region;
  const at = Atomics.load(new Int32Array(buffer, byteOffset, 17 + s), 16 + s);
  return new Int32Array(buffer, at >>> 0, 96);
}

describe("Queue (unbounded).getManyInto", () => {
  it("takes what is there across segment boundaries, in order, up to the target's length", () => {
    const q = new Queue<number>({ type: "int32", initialCapacity: 2 });
    for (let i = 0; i < 10; i++) q.put(i);
    assert.equal(segmentsOf(q), 3, "2 + 4 + 8: three segments");
    const into = new Int32Array(16).fill(-1);
    assert.equal(q.getManyInto(into), 10);
    assert.deepEqual([...into.subarray(0, 10)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(q.qsize(), 0);
    assert.throws(() => q.getManyInto(into, { block: false }), QueueEmptyError);
    assert.throws(() => q.getManyInto(into, { timeout: 1 }), QueueEmptyError);
  });

  it("a small target stops inside a segment and the next call goes on from there", () => {
    const q = new Queue<number>({ type: "float64", initialCapacity: 2 });
    const n = 100;
    for (let i = 0; i < n; i++) q.put(i + 0.5);
    const into = new Float64Array(3);
    const got: number[] = [];
    while (got.length < n) {
      const k = q.getManyInto(into, { block: false });
      assert.ok(k >= 1 && k <= 3);
      got.push(...into.subarray(0, k));
    }
    assert.deepEqual(got, Array.from({ length: n }, (_, i) => i + 0.5));
    assert.equal(q.empty(), true);
  });

  it("refuses a typed array of another element type, a structured queue and an empty target, taking nothing", async () => {
    const q = new Queue<number>({ type: "int32", initialCapacity: 2 });
    q.putMany([1, 2, 3]);
    assert.throws(
      () => q.getManyInto(new Float64Array(4) as never),
      /Float64Array: the queue holds int32 items, which go into a Int32Array/,
    );
    assert.throws(() => q.getManyInto([0, 0] as never), TypeError);
    assert.throws(() => q.getManyInto(new Int32Array(0)), RangeError);
    await assert.rejects(q.getManyIntoAsync(new Int32Array(0)), RangeError);
    const s = new Queue<unknown>(); // structured
    s.put(1);
    assert.throws(() => s.getManyInto(new Int32Array(4)), TypeError);
    await assert.rejects(s.getManyIntoAsync(new Int32Array(4)), TypeError);
    assert.deepEqual([q.qsize(), s.qsize()], [3, 1]);
  });

  it("getManyIntoAsync waits for a put without blocking, and rejects at once with block: false", async () => {
    const q = new Queue<number>({ type: "int32", initialCapacity: 4 });
    const into = new Int32Array(8);
    await assert.rejects(
      q.getManyIntoAsync(into, { block: false }),
      QueueEmptyError,
    );
    const pending = q.getManyIntoAsync(into, { timeout: 20_000 });
    // It waits in the newest (only) segment.
    await sleepers(segmentHeader(q as Queue<unknown>, 0), NOT_EMPTY, 1);
    q.putMany([7, 8, 9, 10, 11, 12]); // grows: 4 + 8
    const n = await pending;
    const rest = n === 6 ? [] : q.getMany(undefined, { block: false });
    assert.deepEqual([...into.subarray(0, n), ...rest], [7, 8, 9, 10, 11, 12]);
  });

  it("throws QueueShutDownError once the queue is shut down and drained", async () => {
    const q = new Queue<number>({ type: "int32", initialCapacity: 2 });
    q.putMany([1, 2, 3]);
    q.shutdown();
    const into = new Int32Array(8);
    assert.equal(q.getManyInto(into), 3);
    assert.deepEqual([...into.subarray(0, 3)], [1, 2, 3]);
    assert.throws(() => q.getManyInto(into), QueueShutDownError);
    await assert.rejects(q.getManyIntoAsync(into), QueueShutDownError);
  });

  it("a blocking getManyInto in a thread wakes for a put from this thread", async () => {
    const q = new Queue<number>({ type: "int32", initialCapacity: 4 });
    const t = new Thread({
      target: (q: Queue<number>) => {
        const into = new Int32Array(4);
        const n = q.getManyInto(into, { timeout: 20_000 });
        return [...into.subarray(0, n)];
      },
      args: [q],
    });
    t.start();
    await sleepers(segmentHeader(q as Queue<unknown>, 0), NOT_EMPTY, 1);
    q.put(42);
    assert.deepEqual(await t.joinAsync(JOIN), [42]);
  });

  it("every item of a producer thread arrives once and in order while the queue grows", async () => {
    const total = 300_000;
    const q = new Queue<number>({ type: "int32", initialCapacity: 16 });
    const t = new Thread({
      target: (q: Queue<number>, total: number) => {
        const chunk = new Int32Array(333);
        for (let i = 0; i < total;) {
          if (i % 2 === 0) {
            q.put(i++); // singles and batches
            continue;
          }
          const n = Math.min(chunk.length, total - i);
          for (let k = 0; k < n; k++) chunk[k] = i + k;
          i += q.putMany(chunk.subarray(0, n));
        }
      },
      args: [q, total],
    });
    t.start();
    const into = new Int32Array(1000);
    let expect = 0;
    let sync = false;
    while (expect < total) {
      sync = !sync; // alternate the blocking and the async form
      const n = sync
        ? q.getManyInto(into, { timeout: 20_000 })
        : await q.getManyIntoAsync(into, { timeout: 20_000 });
      for (let i = 0; i < n; i++) {
        if (into[i] !== expect) assert.equal(into[i], expect);
        expect++;
      }
    }
    await t.joinAsync(JOIN);
    assert.equal(expect, total);
    assert.equal(q.qsize(), 0);
    assert.ok(segmentsOf(q) > 1, "it grew while the consumer took");
  });
});

describe("SimpleQueue.getManyInto", () => {
  it("takes across segments, waits for the first item, and refuses a structured queue", async () => {
    const q = new SimpleQueue<number>({ type: "uint32", initialCapacity: 2 });
    for (let i = 0; i < 7; i++) q.put(2 ** 32 - 1 - i);
    const into = new Uint32Array(10);
    assert.equal(q.getManyInto(into), 7);
    assert.deepEqual(
      [...into.subarray(0, 7)],
      Array.from({ length: 7 }, (_, i) => 2 ** 32 - 1 - i),
    );
    assert.throws(() => q.getManyInto(into, { block: false }), QueueEmptyError);
    const pending = q.getManyIntoAsync(into, { timeout: 20_000 });
    q.put(5);
    assert.equal(await pending, 1);
    assert.equal(into[0], 5);
    const s = new SimpleQueue<string>();
    s.put("a");
    assert.throws(() => s.getManyInto(new Int32Array(2)), TypeError);
    assert.equal(s.qsize(), 1);
  });
});

describe("Queue (unbounded).getMany across segments", () => {
  it("returns the items it took when a later segment's first item fails to decode; the next get throws", () => {
    const codec = {
      encode: (v: unknown) => new TextEncoder().encode(JSON.stringify(v)),
      decode: (b: Uint8Array) => {
        const v = JSON.parse(new TextDecoder().decode(b));
        if (v === "bad") throw new Error("bad item");
        return v;
      },
    };
    const q = new Queue<unknown>({ initialCapacity: 2, codec });
    for (const x of [1, 2, "bad", 4]) q.put(x);
    assert.equal(segmentsOf(q), 2);
    // Items 1 and 2 are taken before the decode of "bad" fails: they must
    // reach the caller (they were lost with the error before).
    assert.deepEqual(q.getMany(), [1, 2]);
    assert.throws(() => q.get({ block: false }), /bad item/);
    assert.equal(q.qsize(), 2);
  });

  // A codec whose decode throws on "bad" while `failing` says so.
  function flakyCodec() {
    const state = { failing: true };
    const codec = {
      encode: (v: unknown) => new TextEncoder().encode(JSON.stringify(v)),
      decode: (b: Uint8Array) => {
        const v = JSON.parse(new TextDecoder().decode(b));
        if (state.failing && v === "bad") throw new Error("bad item");
        return v;
      },
    };
    return { state, codec };
  }

  it("keeps FIFO when a decode fails inside the batch's first segment: newer segments' items do not overtake it", () => {
    const { state, codec } = flakyCodec();
    const q = new Queue<unknown>({ initialCapacity: 2, codec });
    for (const x of [1, "bad", 3, 4]) q.put(x); // [1, bad] [3, 4]
    assert.equal(segmentsOf(q), 2);
    const first = q.getMany(10);
    state.failing = false; // a fixed codec gets the same item first
    const rest: unknown[] = [];
    while (q.qsize() > 0) rest.push(q.get({ block: false }));
    assert.deepEqual(first, [1]);
    assert.deepEqual([...first, ...rest], [1, "bad", 3, 4]);
  });

  it("keeps FIFO when a decode fails inside a later segment: the top-up stops there", () => {
    const { state, codec } = flakyCodec();
    const q = new Queue<unknown>({ initialCapacity: 2, codec });
    for (const x of [1, 2, 3, "bad", 5, 6, 7]) q.put(x); // [1, 2] [3, bad, 5, 6] [7]
    assert.equal(segmentsOf(q), 3);
    const first = q.getMany(10);
    state.failing = false;
    const rest: unknown[] = [];
    while (q.qsize() > 0) rest.push(q.get({ block: false }));
    assert.deepEqual(first, [1, 2, 3]);
    assert.deepEqual([...first, ...rest], [1, 2, 3, "bad", 5, 6, 7]);
  });

  it("keeps FIFO when a producer thread refills the first take's segment and grows the queue meanwhile", async () => {
    // The consumer's decode of item 1 (inside its first take) lets a
    // producer thread put 2 (filling segment 0, capacity 2) and 3 (which
    // grows segment 1), and waits until it has (bounded waits).
    const flags = new Int32Array(new SharedArrayBuffer(8)); // [go, done]
    const enc = {
      encode: (v: number) => new Uint8Array(new Int32Array([v]).buffer),
      decode: (b: Uint8Array) => {
        const v = new Int32Array(b.slice().buffer)[0];
        if (v === 1) {
          Atomics.store(flags, 0, 1);
          Atomics.notify(flags, 0);
          const end = performance.now() + 30_000;
          while (Atomics.load(flags, 1) === 0) {
            if (performance.now() > end) throw new Error("producer stuck");
            Atomics.wait(flags, 1, 0, 100);
          }
        }
        return v;
      },
    };
    const q = new Queue<number>({ initialCapacity: 2, codec: enc });
    q.put(1);
    const producer = new Thread({
      target: (q: Queue<number>, flags: Int32Array) => {
        q.withCodec({
          encode: (v: number) => new Uint8Array(new Int32Array([v]).buffer),
          decode: (b: Uint8Array) => new Int32Array(b.slice().buffer)[0],
        });
        const end = performance.now() + 30_000;
        while (Atomics.load(flags, 0) === 0) {
          if (performance.now() > end) throw new Error("no go");
          Atomics.wait(flags, 0, 0, 100);
        }
        q.put(2); // segment 0 is full (1 is not taken until its decode ends)
        q.put(3); // grows: segment 1
        Atomics.store(flags, 1, 1);
        Atomics.notify(flags, 1);
      },
      args: [q, flags],
    });
    producer.start();
    const batch = q.getMany(10, { timeout: 30_000 });
    await producer.joinAsync(JOIN);
    assert.equal(segmentsOf(q), 2);
    const rest: number[] = [];
    while (q.qsize() > 0) rest.push(q.get({ block: false }));
    assert.deepEqual([...batch, ...rest], [1, 2, 3], `batch ${batch}`);
  });

  it("tops a batch up from every newer segment, also when the first take came from an older one", async () => {
    const q = new Queue<number>({ type: "int32", initialCapacity: 2 });
    for (let i = 0; i < 14; i++) q.put(i); // 2 + 4 + 8
    assert.deepEqual(q.getMany(3), [0, 1, 2]);
    assert.deepEqual(q.getMany(), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    for (let i = 0; i < 30; i++) q.put(i); // 8 left in the newest, then 16
    assert.deepEqual(
      await q.getManyAsync(),
      Array.from({ length: 30 }, (_, i) => i),
    );
  });
});
