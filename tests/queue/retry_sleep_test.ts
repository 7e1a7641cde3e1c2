// Copyright 2026 the threadkit authors. MIT license.
// A registered getter whose re-try sleeps on the store's lock is off
// GET_WAITERS while it sleeps there (queue/_registered.ts), so a put
// meanwhile notifies nobody in vain; and a release that leaves a retired
// segment of an unbounded queue empty lets every getter waiting for its
// turn go at once (queue/_head.ts). The getter
// thread stops at its registration (tests/queue/_gated.ts) while the test
// takes the lock, so no race decides what is tested.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, PriorityQueue, Queue, Thread } from "../../mod.ts";
import { lockAt } from "../../sync/_lock_at.ts";
import { releaseHead } from "../../queue/_head.ts";
import { OFFSET } from "../../queue/_chain_memory.ts";
import { until } from "../_helpers.ts";
import { gatedGet } from "./_gated.ts";
import { notifiesOf } from "./_flagged.ts";

const GET_WAITERS = 3;
const HEAD = 32;
const NOT_EMPTY = 64;
const LOCK = 80;
const LOCKED = 1 << 28;
const JOIN = { timeout: 60_000 };
const BIG = 0x7fffffff;

type Region = { buffer: SharedArrayBuffer; byteOffset: number };

function header(r: Region): Int32Array {
  return new Int32Array(r.buffer, r.byteOffset, 96);
}

function gated(
  q: Parameters<typeof gatedGet>[0],
  at: number,
  slot: number,
  gateAt = GET_WAITERS,
  timeout = -1,
): { t: Thread; gate: Int32Array } {
  const gate = new Int32Array(new SharedArrayBuffer(16));
  gate[3] = BIG;
  const t = new Thread({
    target: gatedGet,
    args: [q, gate, gateAt, at, slot, timeout],
  });
  t.start();
  return { t, gate };
}

describe("A registered getter's re-try asleep on the store's lock", () => {
  it("Queue (structured ring): off GET_WAITERS while asleep on HEAD; a put meanwhile notifies nobody", async () => {
    const q = new Queue<number>({ capacity: 8 });
    const h = header(q.region);
    const { t, gate } = gated(q, q.region.byteOffset, HEAD);
    let free = -1;
    try {
      await until(() => Atomics.load(gate, 0) === 1, "registering", 60_000);
      // An item for the re-try to see (so it takes HEAD), then HEAD held.
      q.put(0);
      free = Atomics.load(h, HEAD);
      assert.equal(Atomics.compareExchange(h, HEAD, free, free | LOCKED), free);
      Atomics.store(gate, 0, 2);
      Atomics.notify(gate, 0);
      await until(
        () => Atomics.load(gate, 1) === 1 && Atomics.load(h, GET_WAITERS) === 0,
        "the getter asleep on HEAD, off GET_WAITERS",
        20_000,
      );
      const before = Atomics.load(gate, 2);
      const seen = notifiesOf(NOT_EMPTY, () => q.put(1));
      await until(() => Atomics.load(gate, 1) === 1, "asleep again", 20_000);
      // A notify needs GET_WAITERS > 0, which needs a slice end of the
      // getter's (it sleeps again after one: gate[2] grows).
      assert.ok(
        seen.calls <= Atomics.load(gate, 2) - before,
        `${JSON.stringify(seen)}, slices ${Atomics.load(gate, 2) - before}`,
      );
      assert.equal(seen.woke, 0);
      releaseHead(h, free | LOCKED, free);
      free = -1;
      assert.equal(await t.joinAsync(JOIN), 0);
      assert.equal(q.get({ timeout: 1_000 }), 1);
      assert.equal(Atomics.load(h, GET_WAITERS), 0);
    } finally {
      if (free !== -1) {
        Atomics.store(h, HEAD, free);
        Atomics.notify(h, HEAD);
      }
      Atomics.store(gate, 0, 2);
      Atomics.notify(gate, 0);
      try {
        q.putNowait(-1); // stops the get of a failed run
      } catch { /* full */ }
      await t.joinAsync(JOIN);
    }
  });

  for (
    const [name, make] of [
      ["LifoQueue", () => new LifoQueue<number>({ capacity: 8 })],
      ["PriorityQueue", () => new PriorityQueue<number>({ capacity: 8 })],
    ] as const
  ) {
    it(`${name} (locked store): off GET_WAITERS while asleep on the store's Lock, back on it after`, async () => {
      const q = make();
      const h = header(q.region);
      const lock = lockAt(
        q.region.buffer,
        q.region.byteOffset + LOCK * 4,
        true,
      );
      // The Lock's own view starts at its word (sync/lock.ts): slot 0 there.
      const { t, gate } = gated(q, q.region.byteOffset + LOCK * 4, 0);
      let held = false;
      try {
        await until(() => Atomics.load(gate, 0) === 1, "registering", 60_000);
        assert.equal(lock.acquire({ timeout: 10_000 }), true);
        held = true;
        Atomics.store(gate, 0, 2);
        Atomics.notify(gate, 0);
        await until(
          () =>
            Atomics.load(gate, 1) === 1 &&
            Atomics.load(h, GET_WAITERS) === 0,
          "the getter asleep on the Lock, off GET_WAITERS",
          20_000,
        );
        lock.release();
        held = false;
        // Its re-try found nothing: it sleeps on NOT_EMPTY, counted again.
        await until(
          () => Atomics.load(h, GET_WAITERS) === 1,
          "registered again",
          20_000,
        );
        const seen = notifiesOf(NOT_EMPTY, () => q.put(7));
        assert.equal(await t.joinAsync(JOIN), 7);
        assert.ok(seen.calls === 1 && seen.woke <= 1, JSON.stringify(seen));
        assert.equal(Atomics.load(h, GET_WAITERS), 0);
        assert.equal(q.qsize(), 0);
      } finally {
        if (held) lock.release();
        Atomics.store(gate, 0, 2);
        Atomics.notify(gate, 0);
        try {
          q.putNowait(-1);
        } catch { /* full */ }
        await t.joinAsync(JOIN);
      }
    });
  }
});

describe("Queue (unbounded): a drained older segment behind a held turn", () => {
  it("a release that leaves the retired segment empty wakes every getter asleep on its HEAD", async () => {
    const q = new Queue<number>({ initialCapacity: 2 });
    for (let i = 0; i < 3; i++) q.put(i); // the third grows segment 1
    assert.deepEqual(
      [q.get({ timeout: 1_000 }), q.get({ timeout: 1_000 })],
      [0, 1],
    ); // segment 0 retired and empty; FRONT still on it
    const ch = new Int32Array(q.region.buffer, q.region.byteOffset, 32);
    const at = Atomics.load(ch, OFFSET) >>> 0;
    const h = header({ buffer: q.region.buffer, byteOffset: at });
    const free = Atomics.load(h, HEAD);
    assert.equal(Atomics.compareExchange(h, HEAD, free, free | LOCKED), free);
    let held = true;
    // Fresh handles in the threads have not seen segment 0 empty: their
    // gets take its turn, and sleep behind the test's hold.
    const getters = [0, 1, 2].map(() => gated(q, at, HEAD, -1, 30_000));
    try {
      await until(
        () => getters.every(({ gate }) => Atomics.load(gate, 1) === 1),
        "3 gets asleep on segment 0's HEAD",
        60_000,
      );
      const notify = Atomics.notify;
      let asked = -1;
      Atomics.notify = function (v: Int32Array, i: number, n?: number) {
        if (i === HEAD && v.byteOffset === at) asked = n ?? Infinity;
        return notify(v, i, n);
      } as typeof Atomics.notify;
      try {
        releaseHead(h, Atomics.load(h, HEAD), free); // nothing taken
        held = false;
      } finally {
        Atomics.notify = notify;
      }
      // All, not one: each can only find the segment empty and move on.
      assert.equal(asked, Infinity);
      q.put(3);
      q.put(4);
      const got = await Promise.all(getters.map(({ t }) => t.joinAsync(JOIN)));
      assert.deepEqual((got as number[]).sort((a, b) => a - b), [2, 3, 4]);
    } finally {
      if (held) releaseHead(h, Atomics.load(h, HEAD), free);
      for (let i = 0; i < 3; i++) q.put(-1); // stops the gets of a failed run
      await Promise.all(getters.map(({ t }) => t.joinAsync(JOIN)));
    }
  });
});
