// Copyright 2026 the threadkit authors. MIT license.
// putAsync({ block: false }) behind a held TAIL awaits (retryHeld) after
// encoding its item, which pushes the heap references the item retains
// onto this thread's `held` stack (queue/_held.ts, "one thread; all of it
// synchronous"): the put takes them off the stack before that await, so
// two such puts pending at once on one thread do not interleave there.
// Here the first is refused while the second is still pending, ordered by
// shared words, not by time: the second starts once the first's mark is on
// its TAIL (it waits), the first's holder lets go once the second's mark is
// on its own TAIL, into a full queue (refused at its retry), and the
// second's holder lets go once the first was refused. A Lock inside an
// accepted item must hold one reference more, a refused one none, and
// `held` must be empty before and after (a submit, a refused put, any
// encode leaves nothing there: tests/pool/held_refs_test.ts). An
// unbounded queue's putAsync tries its segment with block: false: the
// same path.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lock, Queue, QueueFullError, Thread } from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import { runtime } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { held } from "../../queue/_held.ts";
import { OFFSET } from "../../queue/_chain_memory.ts";
import { TAIL } from "../../queue/_layout.ts";
import { CONTENDED } from "../../queue/_turn.ts";
import { wordChanged } from "../_helpers.ts";
import type * as holderModule from "../_workers/store_holder.ts";

const JOIN = { timeout: 60_000 };
const holderUrl = new URL("../_workers/store_holder.ts", import.meta.url);

type Described = {
  [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
};
const at = (p: object) => (p as unknown as Described)[TO_DESCRIPTOR]();

function holdTail(q: Queue<unknown>, maxMs: number, unbounded = false) {
  const flag = new Int32Array(new SharedArrayBuffer(12));
  const r = q.region;
  const ch = new Int32Array(r.buffer, r.byteOffset, 32);
  const region = unbounded
    ? { buffer: r.buffer, byteOffset: Atomics.load(ch, OFFSET) >>> 0 }
    : q;
  const t = new Thread<typeof holderModule.holdTurn>({
    target: { module: holderUrl, export: "holdTurn" },
    args: [region as never, flag, false, maxMs],
  });
  t.start();
  return { t, flag };
}

// The header words of a bounded queue (its region).
function tailOf(q: Queue<unknown>): Int32Array {
  const r = q.region;
  return new Int32Array(r.buffer, r.byteOffset, TAIL + 1);
}

function letGo(flag: Int32Array): void {
  Atomics.store(flag, 1, 1);
  Atomics.notify(flag, 1);
}

describe("putAsync({ block: false }) and the held-references stack", () => {
  it("two pending on one thread: each item's Lock holds exactly its reference", async () => {
    const q1 = new Queue<unknown>({ capacity: 4 });
    const q2 = new Queue<unknown>({ capacity: 4 });
    for (let i = 0; i < 4; i++) q1.put(i); // full: a's retry is refused
    const a = new Lock(), b = new Lock();
    assert.equal(at(a).buffer, runtime().buffer, "a Lock in the shared heap");
    const ra = blockRefs(at(a).byteOffset), rb = blockRefs(at(b).byteOffset);
    const h1 = holdTail(q1, 30_000); // until let go
    const h2 = holdTail(q2, 30_000);
    try {
      assert.equal(await wordChanged(h1.flag, 0, 0, 30_000), true);
      assert.equal(await wordChanged(h2.flag, 0, 0, 30_000), true);
      assert.equal(held.length, 0, "held stack empty before the puts");
      const pa = q1.putAsync({ l: a }, { block: false }).then(
        () => "put",
        (e) => e instanceof QueueFullError ? "full" : e,
      );
      // a waits (its mark on q1's TAIL, set before its first await) ...
      assert.notEqual(Atomics.load(tailOf(q1), TAIL) & CONTENDED, 0);
      const pb = q2.putAsync({ l: b }, { block: false }).then(
        () => "put",
        (e) => e instanceof QueueFullError ? "full" : e,
      );
      // ... and so does b: both pending at once, nothing of theirs on the
      // stack. a is let in, to a full queue, and refused while b waits.
      assert.notEqual(Atomics.load(tailOf(q2), TAIL) & CONTENDED, 0);
      assert.equal(held.length, 0, "held stack empty while both wait");
      letGo(h1.flag);
      const oa = await pa;
      letGo(h2.flag);
      const ob = await pb;
      assert.equal(oa, "full", "a: its retry found q1 full");
      // b: "put", unless its IDLE_GRACE ended before its holder let go (a
      // stall of the machine past 500 ms): counted either way.
      assert.equal(
        blockRefs(at(a).byteOffset),
        ra,
        "a: refused, its reference released",
      );
      assert.equal(
        blockRefs(at(b).byteOffset),
        rb + (ob === "put" ? 1 : 0),
        `b: ${ob}`,
      );
      assert.equal(held.length, 0, "held stack empty after both settled");
    } finally {
      letGo(h1.flag);
      letGo(h2.flag);
      await h1.t.joinAsync(JOIN).catch(() => {});
      await h2.t.joinAsync(JOIN).catch(() => {});
    }
  });

  it("unbounded Queue.putAsync() (no options): two pending on one thread, each Lock holds exactly its reference", async () => {
    // An unbounded queue's putAsync tries its segment with block: false
    // (queue/_unbounded_put.ts putOneAsync, holdTry): the same path.
    const u1 = new Queue<unknown>({ initialCapacity: 4 });
    const u2 = new Queue<unknown>({ initialCapacity: 4 });
    const a = new Lock(), b = new Lock();
    const ra = blockRefs(at(a).byteOffset), rb = blockRefs(at(b).byteOffset);
    const h1 = holdTail(u1, 300, true); // let go at once (or after 300 ms)
    const h2 = holdTail(u2, 1_500, true); // past IDLE_GRACE
    try {
      assert.equal(await wordChanged(h1.flag, 0, 0, 30_000), true);
      assert.equal(await wordChanged(h2.flag, 0, 0, 30_000), true);
      assert.equal(held.length, 0, "held stack empty before the puts");
      const pa = u1.putAsync({ l: a }, { timeout: 30_000 });
      const pb = u2.putAsync({ l: b }, { timeout: 30_000 });
      letGo(h1.flag);
      await pa;
      await pb;
      assert.equal(held.length, 0, "held stack empty after");
      assert.equal(blockRefs(at(a).byteOffset), ra + 1, "a: one item");
      assert.equal(blockRefs(at(b).byteOffset), rb + 1, "b: one item");
    } finally {
      letGo(h1.flag);
      letGo(h2.flag);
      await h1.t.joinAsync(JOIN).catch(() => {});
      await h2.t.joinAsync(JOIN).catch(() => {});
    }
  });
});
