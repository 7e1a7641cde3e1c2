// Copyright 2026 the threadkit authors. MIT license.
// The default numeric ring's single put (queue/_ring.ts, "The put's fast
// path") with real threads and exact counts: several producers on a small
// ring started just before the counters' wrap (the fast path hands the
// wrapping put and every stride crossing to the full path), join/taskDone
// counts, and an immediate shutdown racing the puts and gets. Header
// slots: queue/_layout.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, QueueShutDownError, Thread } from "../../mod.ts";
import { until } from "../_helpers.ts";

const JOIN = { timeout: 120_000 };
const MODULUS = 8;
const PHASE = 9;
const TAIL = 16;
const LAPS = 17;
const HEAD = 32;
const DONE = 48;
const PRODUCERS = 4;
const CONSUMERS = 2;
const N = 20_000;

// A ring of `capacity` whose counters start `before` positions short of
// the modulus M (white box: an empty ring may start at any position).
function nearWrap(capacity: number, before: number): Queue<number> {
  const q = new Queue<number>({ capacity, type: "int32" });
  const h = new Int32Array(q.region.buffer, q.region.byteOffset, 96);
  const m = h[MODULUS];
  h[TAIL] = h[HEAD] = h[DONE] = m - before;
  return q;
}

// Producer `id` puts id * 2^20 + i for i < n with put() (blocking; the fast
// path when there is room); returns how many it put before a shutdown.
const produce = (q: Queue<number>, id: number, n: number): number => {
  for (let i = 0; i < n; i++) {
    try {
      q.put(id * 2 ** 20 + i);
    } catch (e) {
      if ((e as Error).name === "QueueShutDownError") return i;
      throw e;
    }
  }
  return n;
};

// A consumer: get() until shut down, marking seen[item] and checking that
// each producer's items come in order; taskDone for each.
const consume = (
  q: Queue<number>,
  seen: Uint8Array,
  n: number,
  producers: number,
): { count: number; ordered: boolean } => {
  const last = new Array(producers).fill(-1);
  let count = 0, ordered = true;
  for (;;) {
    let x: number;
    try {
      x = q.get({ timeout: 60_000 });
    } catch (e) {
      if ((e as Error).name === "QueueShutDownError") break;
      throw e;
    }
    const id = x >>> 20, i = x & (2 ** 20 - 1);
    if (i <= last[id]) ordered = false;
    last[id] = i;
    seen[id * n + i]++;
    count++;
    q.taskDone();
  }
  return { count, ordered };
};

function start(target: unknown, args: unknown[]): Thread {
  const t = new Thread({ target: target as never, args: args as never });
  t.start();
  return t;
}

describe("Queue<int32>.put() fast path, one thread", () => {
  for (const capacity of [3, 4]) {
    it(`capacity ${capacity}: the put at position M - 1 wraps TAIL to 0 and counts the lap`, () => {
      // The first put (a fresh handle: the full path) leaves a hint with
      // room, so the second, at M - 1, would take the fast path.
      const q = nearWrap(capacity, 2);
      const h = new Int32Array(q.region.buffer, q.region.byteOffset, 96);
      const m = h[MODULUS];
      q.put(1);
      assert.equal(Atomics.load(h, TAIL), m - 1);
      q.put(2);
      assert.equal(Atomics.load(h, TAIL), 0);
      assert.equal(h[LAPS], 1);
      q.put(3);
      assert.equal(Atomics.load(h, TAIL), 1);
      assert.deepEqual([q.get(), q.get(), q.get()], [1, 2, 3]);
      for (let i = 0; i < capacity; i++) q.put(i);
      assert.throws(() => q.putNowait(99));
      assert.equal(q.qsize(), capacity);
    });
  }
});

describe("Queue<int32>.put() fast path, real threads", () => {
  for (const capacity of [4, 3]) {
    it(`${PRODUCERS} producers, ${CONSUMERS} consumers, capacity ${capacity}, across the counter wrap: every item once, in order, join after taskDone`, async () => {
      const q = nearWrap(capacity, 2 * N);
      const h = new Int32Array(q.region.buffer, q.region.byteOffset, 96);
      const phase0 = h[PHASE];
      const seen = new Uint8Array(new SharedArrayBuffer(PRODUCERS * N));
      const consumers = Array.from(
        { length: CONSUMERS },
        () => start(consume, [q, seen, N, PRODUCERS]),
      );
      const producers = Array.from(
        { length: PRODUCERS },
        (_, id) => start(produce, [q, id, N]),
      );
      for (const p of producers) assert.equal(await p.joinAsync(JOIN), N);
      assert.equal(q.join({ timeout: 60_000 }), true);
      q.shutdown();
      let total = 0;
      for (const c of consumers) {
        const r = await c.joinAsync(JOIN) as {
          count: number;
          ordered: boolean;
        };
        assert.equal(
          r.ordered,
          true,
          "a producer's items arrived out of order",
        );
        total += r.count;
      }
      assert.equal(total, PRODUCERS * N);
      const bad = seen.findIndex((x) => x !== 1);
      assert.equal(bad, -1, `item ${bad} delivered ${seen[bad]} times`);
      // The puts crossed the wrap (TAIL restarted below the start) and the
      // strides on the way (PHASE moved).
      assert.equal(Atomics.load(h, TAIL) & (2 ** 28 - 1), 2 * N);
      assert.notEqual(Atomics.load(h, PHASE), phase0);
      assert.equal(q.qsize(), 0);
    });
  }

  it("shutdown({ immediate: true }) racing fast puts and gets: each accepted item is taken or discarded once, join returns", async () => {
    for (let round = 0; round < 4; round++) {
      const q = nearWrap(8, N);
      const seen = new Uint8Array(new SharedArrayBuffer(PRODUCERS * N));
      const consumers = Array.from(
        { length: CONSUMERS },
        () => start(consume, [q, seen, N, PRODUCERS]),
      );
      const producers = Array.from(
        { length: PRODUCERS },
        (_, id) => start(produce, [q, id, N]),
      );
      // Shut down once the consumers took some items (the race is live).
      await until(() => seen.indexOf(1) >= 0, "a first item taken", 60_000);
      q.shutdown({ immediate: true });
      const accepted: number[] = [];
      for (const p of producers) {
        accepted.push(await p.joinAsync(JOIN) as number);
      }
      let taken = 0;
      for (const c of consumers) {
        const r = await c.joinAsync(JOIN) as {
          count: number;
          ordered: boolean;
        };
        assert.equal(r.ordered, true);
        taken += r.count;
      }
      // Every taken item was accepted, none twice; the rest were discarded
      // and credited, so join() returns.
      for (let id = 0; id < PRODUCERS; id++) {
        for (let i = 0; i < N; i++) {
          const v = seen[id * N + i];
          assert.ok(v <= 1, `item ${id}/${i} taken ${v} times`);
          assert.ok(v === 0 || i < accepted[id], `item ${id}/${i} not put`);
        }
      }
      const put = accepted.reduce((a, b) => a + b, 0);
      assert.ok(taken <= put);
      assert.equal(q.join({ timeout: 10_000 }), true);
      assert.equal(q.qsize(), 0);
      assert.throws(() => q.put(1), QueueShutDownError);
    }
  });
});
