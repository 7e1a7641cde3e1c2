// Copyright 2026 the threadkit authors. MIT license.
// The shared heap reclaims: primitives no thread can name any more give
// their blocks back, a primitive inside a queue item or a thread's args
// keeps its block while in flight, and after millions of primitives created
// and dropped a new one still lives in the heap and travels in an item.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Condition,
  Event,
  Lock,
  Queue,
  SimpleQueue,
  Thread,
} from "../../mod.ts";
import { runtime } from "../../_core/runtime.ts";
import {
  blockAlloc,
  blockRefs,
  blockRelease,
  blockRetain,
  heapLiveBytes,
  heapQueueBytes,
} from "../../_core/heap.ts";
import { chunkStates } from "../../_core/heap_chunks.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { stressSize } from "../_helpers.ts";

const HEAP_TOP = 2;

function offsetOf(p: object): number {
  return (p as { [TO_DESCRIPTOR](): { byteOffset: number } })
    [TO_DESCRIPTOR]().byteOffset;
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

// A full collection where the runtime offers one: Bun always, Deno and
// Node only with --expose-gc (their test runners here have none).
const g = globalThis as {
  gc?: () => void;
  Bun?: { gc(force: boolean): void };
};
const forceGc = g.gc ?? (g.Bun ? () => g.Bun!.gc(true) : undefined);

describe("shared heap", () => {
  // 2 million Locks under Deno, 1 million on Node and Bun (stressSize). Not
  // fewer: Node without a forced gc grew 4.16 MB at 500,000 (bound 4 MB),
  // 5.4-5.6 MB at 1 million (bound 8 MB).
  const LOCKS = stressSize(2_000_000, 1_000_000);
  it(`Lock: ${LOCKS.toLocaleString("en-US")} created and dropped reuse their blocks, then a new one crosses to a thread in a queue item`, async () => {
    const rt = runtime();
    const top0 = Atomics.load(rt.view, HEAP_TOP);
    const live0 = heapLiveBytes();
    const BATCH = 10_000;
    for (let i = 0; i < LOCKS; i++) {
      new Lock();
      // Finalizers run between tasks: let them (after a collection, where
      // the runtime offers one).
      if (i % BATCH === BATCH - 1) {
        forceGc?.();
        await tick();
      }
    }
    const grew = Atomics.load(rt.view, HEAP_TOP) - top0;
    // The heap grows only by the Locks alive or awaiting their finalizer at
    // the worst moment, 16 bytes each: a freed block serves the next Lock.
    // With a collection at each batch's end, a batch's Locks are found dead
    // before the next batch starts, and the finalizers run in the tasks
    // that follow: a batch or two wait at a time, 160 KB each; 4 MiB allows
    // 26 batches of finalizers behind (a loaded machine). Without one, the
    // collector runs when the engine decides (how late finalizers come is
    // the engine's business, not the design's): the bound is then half of
    // what no reuse would take (LOCKS blocks of 16 bytes: 32 MB for 2e6),
    // and the reclaim check below is what shows reuse.
    const bound = forceGc !== undefined ? 4 * 1024 * 1024 : LOCKS * 8;
    assert.ok(grew < bound, `heap grew by ${grew} bytes (bound ${bound})`);
    // Everything the loop made is reclaimable: once collected, the live
    // bytes are back where they were (a batch of slack for other threads'
    // primitives coming and going meanwhile).
    if (forceGc !== undefined) {
      for (let i = 0; i < 50 && heapLiveBytes() > live0 + 16 * BATCH; i++) {
        forceGc();
        await tick();
      }
      const kept = heapLiveBytes() - live0;
      assert.ok(kept <= 16 * BATCH, `${kept} bytes still live after gc`);
    }
    const lock = new Lock();
    const ready = new Event();
    const q = new Queue<{ lock: Lock; ready: Event }>({ capacity: 1 });
    lock.acquire();
    q.put({ lock, ready });
    const t = new Thread({
      target: (inbox: Queue<{ lock: Lock; ready: Event }>) => {
        const { lock, ready } = inbox.get({ timeout: 20_000 });
        const whileHeld = lock.acquire({ blocking: false });
        ready.set();
        const afterRelease = lock.acquire({ timeout: 20_000 });
        if (afterRelease) lock.release();
        return [whileHeld, afterRelease];
      },
      args: [q],
    });
    t.start();
    try {
      assert.equal(ready.wait({ timeout: 20_000 }), true);
    } finally {
      lock.release();
    }
    assert.deepEqual(await t.joinAsync({ timeout: 20_000 }), [false, true]);
  });

  it("a freed block is reused, zeroed, and counted out of the live bytes", () => {
    const live = heapLiveBytes();
    const a = blockAlloc(12);
    assert.ok(a > 0 && a % 8 === 0);
    assert.equal(blockRefs(a), 1);
    assert.equal(heapLiveBytes(), live + 32);
    new Int32Array(runtime().buffer, a, 3).fill(7);
    blockRelease(a);
    assert.equal(heapLiveBytes(), live);
    const b = blockAlloc(12); // the same class: the top of its free list
    assert.equal(b, a);
    assert.deepEqual([...new Int32Array(runtime().buffer, b, 3)], [0, 0, 0]);
    blockRelease(b);
    assert.equal(blockAlloc(2 ** 31), -1, "past the largest block");
  });

  it("a queue block over 8 MiB is a run of queue chunks: freed, its chunks serve blocks of any size, and free chunks side by side serve a large block again, zeroed", () => {
    const MiB = 1 << 20;
    const runs = () => chunkStates().filter(([k]) => k === 24).length;
    const free = () => chunkStates().filter(([k]) => k === 0).length;
    const before = runs();
    const big = blockAlloc(16 * MiB - 8, true); // class 24: two chunks
    assert.ok(big > 0);
    assert.equal(runs(), before + 2, "two chunks of class 24");
    const words = () => new Int32Array(runtime().buffer);
    const last = (at: number) => (at + 16 * MiB - 8) / 4 - 1;
    words()[big / 4] = 7;
    words()[last(big)] = 7;
    const freeBefore = free();
    blockRelease(big);
    assert.equal(runs(), before, "freed: no chunk of class 24 left");
    assert.equal(free(), freeBefore + 2, "both chunks are free");
    // Blocks of 8 MiB (one chunk each) take free chunks: none is cut.
    const used = heapQueueBytes().used;
    const small = [
      blockAlloc(8 * MiB - 8, true),
      blockAlloc(8 * MiB - 8, true),
    ];
    assert.ok(small.every((at) => at > 0));
    assert.equal(heapQueueBytes().used, used, "no new chunk cut");
    for (const at of small) blockRelease(at);
    // Two free chunks side by side (the run's own) serve a large block.
    const again = blockAlloc(16 * MiB - 8, true);
    assert.ok(again > 0);
    assert.equal(heapQueueBytes().used, used, "no new chunk cut");
    assert.equal(words()[again / 4], 0, "zeroed");
    assert.equal(words()[last(again)], 0, "zeroed");
    blockRelease(again);
    assert.equal(runs(), before);
  });

  it("a primitive in a queue item holds its block until a get hands it to a handle", () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    const at = offsetOf(lock);
    assert.equal(blockRefs(at), 1);
    const q = new Queue<unknown>({ capacity: 1 });
    q.put({ lock, again: lock });
    assert.equal(blockRefs(at), 2, "one in-flight reference per item");
    // Refused puts leave the count as it was: full, too large, not cloneable.
    assert.throws(() => q.putNowait({ lock }));
    assert.throws(() => q.put({ lock }, { timeout: 1 }));
    assert.throws(() => q.put({ lock, f: () => 1 }), TypeError);
    const big = new Queue<unknown>({ capacity: 4, bytes: 256 });
    assert.throws(() => big.put({ lock, pad: "x".repeat(1000) }), RangeError);
    assert.equal(blockRefs(at), 2);
    const got = q.get({ timeout: 1000 }) as { lock: Lock; again: Lock };
    assert.ok(got.lock instanceof Lock && got.again === got.lock);
    // The in-flight reference became the new handle's.
    assert.equal(blockRefs(at), 2);
    // A batch that puts one of two items releases the second's reference.
    assert.equal(q.putMany([{ lock }, { lock }], { timeout: 1 }), 1);
    assert.equal(blockRefs(at), 3);
    q.get({ timeout: 1000 });
    // A Condition's descriptor names its lock: balanced too, and describing
    // a primitive takes no reference.
    const c = offsetOf(cond);
    const before = blockRefs(at);
    assert.equal(blockRefs(c), 1);
    q.put(cond);
    assert.equal(blockRefs(c), 2);
    assert.equal(blockRefs(at), before + 1, "the lock in flight");
    const back = q.get({ timeout: 1000 }) as Condition;
    assert.ok(back instanceof Condition);
    assert.equal(blockRefs(c), 2);
    assert.equal(blockRefs(at), before + 1, "now the new lock handle's");
    assert.equal(offsetOf(back), c);
  });

  it("a put made while another put encodes its item takes only its own references", () => {
    const lock = new Lock();
    const at = offsetOf(lock);
    const outer = new Queue<unknown>({ capacity: 4 });
    const full = new Queue<unknown>({ capacity: 1 });
    full.put(0);
    const other = new Queue<unknown>({ capacity: 4 });
    // A getter whose inner put is refused (full): it releases its own
    // reference, not the outer put's.
    let refused = 0;
    outer.put({
      lock,
      get side() {
        assert.throws(() => full.putNowait({ lock }));
        refused++;
        return 1;
      },
    });
    assert.ok(refused > 0);
    assert.equal(blockRefs(at), 2, "the handle and the outer item");
    // A getter that puts (accepted) into another queue while the outer put
    // encodes: both items hold a reference. (A Proxy is refused before its
    // traps run: queue/_tagged.ts.)
    outer.put({
      lock,
      get n() {
        other.put({ lock });
        return 1;
      },
    });
    const inOther = other.qsize();
    assert.ok(inOther > 0);
    assert.equal(blockRefs(at), 3 + inOther);
    // A batch whose second item's getter puts a refused item, then the
    // batch puts one of its two items: one reference kept, one released.
    const one = new Queue<unknown>({ capacity: 1 });
    const n = one.putMany([{ lock }, {
      lock,
      get side() {
        assert.throws(() => full.putNowait({ lock }));
        return 1;
      },
    }], { timeout: 1 });
    assert.equal(n, 1);
    assert.equal(blockRefs(at), 4 + inOther);
    // Everything drains to handles: each get hands its reference over.
    for (const q of [outer, other, one]) {
      while (!q.empty()) q.get({ timeout: 1000 });
    }
    assert.equal(blockRefs(at), 4 + inOther);
  });

  it("a block's release hook releases the blocks it owns: a chain header (kind 1) its segments, the unpublished one included", () => {
    const live = heapLiveBytes();
    const header = blockAlloc(504, true, 1); // queue/_chain_memory.ts
    const a = blockAlloc(400, true);
    const b = blockAlloc(5000, true);
    const c = blockAlloc(400, true);
    assert.ok(header > 0 && a > 0 && b > 0 && c > 0);
    // SEGMENTS 2 (a, b); c at OFFSET[2], as a grow that stopped leaves it.
    const h = new Int32Array(runtime().buffer, header, 62);
    Atomics.store(h, 1, 2);
    Atomics.store(h, 16, a);
    Atomics.store(h, 17, b);
    Atomics.store(h, 18, c);
    blockRetain(a); // a second reference: a stays live
    blockRetain(header);
    blockRelease(header);
    assert.deepEqual([blockRefs(a), blockRefs(b), blockRefs(c)], [2, 1, 1]);
    blockRelease(header); // the last reference
    assert.deepEqual(
      [blockRefs(header), blockRefs(a), blockRefs(b), blockRefs(c)],
      [0, 1, 0, 0],
    );
    blockRelease(a);
    assert.equal(heapLiveBytes(), live);
    // A kind with no hook in this thread (a thread that never loaded the
    // owner's module): the last release leaves the block and what it owns
    // in place (a leak, never a free without the hook).
    const orphan = blockAlloc(504, true, 200);
    const owned = blockAlloc(400, true);
    Atomics.store(new Int32Array(runtime().buffer, orphan, 62), 16, owned);
    const before = heapLiveBytes();
    blockRelease(orphan);
    assert.deepEqual([blockRefs(orphan), blockRefs(owned)], [1, 1]);
    assert.equal(heapLiveBytes(), before);
    // A block without a kind runs no hook: its words are not read.
    const plain = blockAlloc(504, true);
    new Int32Array(runtime().buffer, plain, 62).fill(a);
    blockRelease(plain);
    assert.equal(heapLiveBytes(), before);
  });

  it("an unbounded Queue and a SimpleQueue in a queue item hold their chain block until a get hands it to a handle", () => {
    const u = new Queue<number>({ type: "int32" });
    const s = new SimpleQueue<number>();
    const [au, as] = [offsetOf(u), offsetOf(s)];
    assert.deepEqual([blockRefs(au), blockRefs(as)], [1, 1]);
    const q = new Queue<unknown>({ capacity: 2 });
    q.put({ u, s });
    assert.deepEqual([blockRefs(au), blockRefs(as)], [2, 2]);
    // A refused put leaves the counts as they were.
    assert.throws(() => q.put({ u, f: () => 1 }), TypeError);
    assert.deepEqual([blockRefs(au), blockRefs(as)], [2, 2]);
    const got = q.get({ timeout: 1000 }) as { u: Queue<number>; s: unknown };
    assert.ok(got.u instanceof Queue && got.s instanceof SimpleQueue);
    assert.deepEqual([blockRefs(au), blockRefs(as)], [2, 2]);
    got.u.put(7);
    assert.equal(u.get({ timeout: 1000 }), 7);
  });

  it("a primitive in a thread's args holds its block until the thread revives it", async () => {
    const lock = new Lock();
    const at = offsetOf(lock);
    const t = new Thread({ target: (l: Lock) => l.locked(), args: [lock] });
    t.start();
    assert.equal(await t.joinAsync({ timeout: 20_000 }), false);
    // The thread's handle took the in-flight reference; that thread ended,
    // so it never releases it (a leak, never a premature free).
    assert.ok(blockRefs(at) >= 2);
  });
});
