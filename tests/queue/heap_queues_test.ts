// Copyright 2026 the threadkit authors. MIT license.
// Queues in the shared heap travel inside queue items: an unbounded Queue
// and a SimpleQueue (a chain of segment blocks, queue/_chain.ts) and bounded
// queues of any size the queues' share of the heap allows. A thread that
// receives one inside an item puts and gets through it while it grows.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, Queue, SimpleQueue, Thread } from "../../mod.ts";
import { runtime } from "../../_core/runtime.ts";
import { Segment } from "../../queue/_chain.ts";
import { blockRefs } from "../../_core/heap.ts";
import { reviveBytesForm, TO_DESCRIPTOR } from "../../_core/transfer.ts";

const JOIN = { timeout: 60_000 };
const MiB = 1024 * 1024;

type Described = {
  [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
};
const describeOf = (p: object) => (p as Described)[TO_DESCRIPTOR]();
const inHeap = (p: object) => describeOf(p).buffer === runtime().buffer;
// Segments a chain has made (its header's SEGMENTS word).
function segmentsOf(p: object): number {
  const { buffer, byteOffset } = describeOf(p);
  return Atomics.load(new Int32Array(buffer, byteOffset, 2), 1);
}

describe("queues in the shared heap inside queue items", () => {
  it("an unbounded Queue and a SimpleQueue inside an item reach a thread as themselves; each side grows them past several segments", async () => {
    const u = new Queue<number>({ type: "int32", initialCapacity: 4 });
    const s = new SimpleQueue<string>({ initialCapacity: 2 });
    assert.ok(inHeap(u) && inHeap(s), "both in the heap");
    // This side grows both first: 4..512 items (8 segments), 2..256 (8).
    for (let i = 0; i < 1000; i++) u.put(i);
    for (let i = 0; i < 300; i++) s.put(`m${i}`);
    assert.equal(segmentsOf(u), 8);
    assert.equal(segmentsOf(s), 8);
    const carrier = new Queue<{ u: Queue<number>; s: SimpleQueue<string> }>(
      { capacity: 1 },
    );
    const at = describeOf(u).byteOffset;
    const refs = blockRefs(at);
    carrier.put({ u, s });
    assert.equal(blockRefs(at), refs + 1, "the item holds a reference");
    const N = 5000;
    const t = new Thread({
      target: (
        carrier: Queue<{ u: Queue<number>; s: SimpleQueue<string> }>,
        n: number,
      ) => {
        const { u, s } = carrier.get({ timeout: 30_000 });
        const kinds = [u instanceof Queue, s instanceof SimpleQueue];
        // What the main thread put, across its segments, in order.
        let inOrder = 0;
        for (let i = 0; i < 1000; i++) {
          if (u.get({ timeout: 30_000 }) === i) inOrder++;
        }
        for (let i = 0; i < 300; i++) {
          if (s.get({ timeout: 30_000 }) === `m${i}`) inOrder++;
        }
        const empty = [u.empty(), s.empty()];
        // This side grows them further.
        for (let i = 0; i < n; i++) u.put(1000 + i);
        for (let i = 0; i < n; i++) s.put(`t${i}`);
        return { kinds, inOrder, empty };
      },
      args: [carrier, N],
    });
    t.start();
    const r = await t.joinAsync(JOIN) as {
      kinds: boolean[];
      inOrder: number;
      empty: boolean[];
    };
    assert.deepEqual(r, {
      kinds: [true, true],
      inOrder: 1300,
      empty: [true, true],
    });
    // 512 of the 5000 went into the drained newest segment; then 1024,
    // 2048, 4096.
    assert.equal(segmentsOf(u), 11);
    assert.equal(u.qsize(), N);
    const got = u.getMany();
    assert.equal(got.length, N);
    for (let i = 0; i < N; i++) assert.equal(got[i], 1000 + i);
    for (let i = 0; i < N; i++) assert.equal(s.getNowait(), `t${i}`);
    assert.ok(u.empty() && s.empty());
    assert.ok(segmentsOf(s) > 8, `${segmentsOf(s)} segments`);
  });

  it("a thread grows an unbounded Queue it received inside an item while the main thread takes from it, and takes from a SimpleQueue the main thread grows: each item once, in order", async () => {
    const u = new Queue<number>({ type: "int32", initialCapacity: 8 });
    const s = new SimpleQueue<number>({ type: "int32", initialCapacity: 8 });
    const carrier = new Queue<[Queue<number>, SimpleQueue<number>]>({
      capacity: 1,
    });
    carrier.put([u, s]);
    const N = 20_000;
    const t = new Thread({
      target: (
        carrier: Queue<[Queue<number>, SimpleQueue<number>]>,
        n: number,
      ) => {
        const [u, s] = carrier.get({ timeout: 30_000 });
        for (let i = 0; i < n; i++) u.put(i);
        let inOrder = 0;
        for (let i = 0; i < n; i++) {
          if (s.get({ timeout: 30_000 }) === i) inOrder++;
        }
        return inOrder;
      },
      args: [carrier, N],
    });
    t.start();
    for (let i = 0; i < N; i++) s.put(i);
    let inOrder = 0;
    for (let i = 0; i < N; i++) {
      if ((await u.getAsync({ timeout: 30_000 })) === i) inOrder++;
    }
    assert.equal(inOrder, N);
    assert.equal(await t.joinAsync(JOIN), N);
    assert.ok(u.empty() && s.empty());
    assert.ok(segmentsOf(u) > 1 && segmentsOf(s) > 1, "both grew");
  });

  const LIFO = 2 ** 20 + 16; // over 4 MiB of int32 slots: an 8 MiB block
  it("bounded queues of up to 8 MiB live in the heap and travel inside items: a thread puts a 6 MB item in one; a larger one has a buffer of its own, refused inside an item naming the limit", async () => {
    const big = new Queue<string>({ capacity: 4, bytes: 8 * MiB - 4096 });
    const lifo = new LifoQueue<number>({ capacity: LIFO, type: "int32" });
    assert.ok(inHeap(big) && inHeap(lifo), "both in the heap");
    const carrier = new Queue<[Queue<string>, LifoQueue<number>]>({
      capacity: 1,
    });
    carrier.put([big, lifo]);
    const t = new Thread({
      target: (
        carrier: Queue<[Queue<string>, LifoQueue<number>]>,
        n: number,
      ) => {
        const [big, lifo] = carrier.get({ timeout: 30_000 });
        big.put("x".repeat(6_000_000), { timeout: 30_000 });
        for (let i = 0; i < n; i++) lifo.put(i, { block: false });
        return [big instanceof Queue, lifo instanceof LifoQueue];
      },
      args: [carrier, LIFO],
    });
    t.start();
    assert.deepEqual(await t.joinAsync(JOIN), [true, true]);
    const item = big.get({ timeout: 1000 });
    assert.equal(item.length, 6_000_000);
    assert.equal(lifo.qsize(), LIFO);
    assert.equal(lifo.getNowait(), LIFO - 1);
    const larger = new Queue<string>({ capacity: 4, bytes: 8 * MiB });
    assert.equal(inHeap(larger), false);
    assert.throws(() => carrier.put([larger as never, lifo]), {
      name: "TypeError",
      message:
        /SharedArrayBuffer of its own \(it is larger than the 8 MiB a queue may take in threadkit's shared heap\)/,
    });
    assert.equal(carrier.qsize(), 0);
  });

  it("a bytes form that names no unbounded queue is refused with a TypeError", () => {
    const q = new Queue<number>({ capacity: 4, type: "int32" });
    const { byteOffset } = describeOf(q);
    for (const tag of ["threadkit.Queue.unbounded", "threadkit.SimpleQueue"]) {
      assert.throws(
        () => reviveBytesForm({ tag, byteOffset }),
        { name: "TypeError", message: /does not hold an unbounded queue/ },
      );
    }
  });

  // A regression test (the grow's retirement throws, as a stack overflow or
  // a corrupt TAIL's RangeError would): a handle must not keep a segment
  // that was never published.
  it("a grow whose retirement throws leaves no handle over its unpublished segment: another handle's grow frees that block, and later puts go to the published one", () => {
    const a = new Queue<string>({ initialCapacity: 2 });
    const carrier = new Queue<Queue<string>>({ capacity: 1 });
    carrier.put(a);
    const b = carrier.get({ timeout: 1000 });
    assert.notEqual(a, b);
    a.put("x");
    const orig = Segment.prototype.shutdown;
    Segment.prototype.shutdown = function () {
      throw new RangeError("injected");
    };
    try {
      assert.throws(() => a.put("z".repeat(200_000)), /injected/);
    } finally {
      Segment.prototype.shutdown = orig;
    }
    const { buffer, byteOffset } = describeOf(a);
    const h = new Int32Array(buffer, byteOffset, 62);
    const b1 = h[16 + 1] >>> 0;
    assert.equal(Atomics.load(h, 1), 1, "segment 1 unpublished");
    assert.ok(b1 !== 0, "OFFSET[1] names the stale block");
    b.put("y"); // seg 0 full now
    b.put("w"); // b grows: releases b1 (stale), allocates a default segment
    assert.equal(Atomics.load(h, 1), 2);
    const b2 = h[16 + 1] >>> 0;
    assert.notEqual(b2, b1, "a different block");
    // Another primitive of b1's size class takes b1 back.
    const victim = new Queue<string>({ capacity: 1500 });
    const vAt = describeOf(victim).byteOffset;
    assert.ok(vAt > 0);
    victim.put("victim");
    a.put("evil"); // through a's cached segment 1
    assert.equal(victim.qsize(), 1, "victim untouched");
    assert.deepEqual(
      [1, 2, 3, 4].map(() => b.get({ timeout: 500 })),
      ["x", "y", "w", "evil"],
    );
  });
});
