// Copyright 2026 the threadkit authors. MIT license.
// Unsplit runs in the structured ring (queue/_text_run.ts): a putMany of
// plain items stored as one record, split only when a get takes part of it.
// Exact items back in order where a run's head or its count word sits at
// the side table's wrap, where a get takes one item, part of a run or the
// whole of it, where an immediate shutdown's drain cuts a run, where a
// batch does not fit whole (put split), with tagged items among plain ones;
// and with real threads, mixed single and batch consumers, exact counts,
// across the byte region's wrap and a shutdown mid-batch.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Queue,
  QueueFullError,
  QueueShutDownError,
  Thread,
} from "../../mod.ts";
import { until } from "../_helpers.ts";
import { acceptedOnce, deliveredOnce, JOIN, start } from "./_stress.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { setSliceHook } from "../../_core/wait.ts";
import { GET_WAITERS, HEADER_BYTES, PUT_WAITERS } from "../../queue/_layout.ts";

const WAIT = { timeout: 10_000 };

type Item = { id: number; s: string; u?: undefined };
const items = (from: number, n: number): Item[] =>
  Array.from(
    { length: n },
    (_, k) => ({ id: from + k, s: "v,}]" + (from + k) }),
  );

// `length` words of a Queue's memory from byte `at` (its descriptor's).
function words(q: Queue<unknown>, at: number, length: number): Int32Array {
  const d = (q as unknown as {
    [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
  })[TO_DESCRIPTOR]();
  return new Int32Array(d.buffer, d.byteOffset + at, length);
}

// The side table of a structured Queue (queue/_text.ts: SIDE after the
// header, two words a position).
const sideOf = (q: Queue<unknown>, capacity: number) =>
  words(q, HEADER_BYTES, 2 * capacity);

// The header words of a Queue (queue/_layout.ts).
const headerOf = (q: Queue<unknown>) => words(q, 0, HEADER_BYTES / 4);

// Four items of 7 bytes each ('{"a":1}'): one run "t1,t2,t3,t4," at 0.
const FOUR = [{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }];

describe("Queue unsplit runs (putMany of plain items)", () => {
  it("a run whose head or count word sits at the side table's wrap comes back whole, in part, or one by one", () => {
    for (let skew = 0; skew < 5; skew++) {
      for (const take of ["whole", "part", "one"]) {
        const q = new Queue<Item>({ capacity: 5, bytes: 4096 });
        // Move HEAD to position `skew` (the run's head at side slot skew).
        if (skew > 0) {
          q.putMany(items(-skew, skew));
          assert.equal(q.getMany(skew).length, skew);
        }
        assert.equal(q.putMany(items(0, 5)), 5);
        const got: Item[] = [];
        if (take === "whole") got.push(...q.getMany(5));
        else if (take === "part") {
          got.push(...q.getMany(2));
          got.push(...q.getMany(5));
        } else for (let k = 0; k < 5; k++) got.push(q.get());
        assert.deepEqual(got, items(0, 5), `skew ${skew}, ${take}`);
        assert.equal(q.qsize(), 0);
        // The ring goes on as before after the run.
        q.putMany(items(5, 3));
        q.put({ id: 8, s: "x" });
        assert.deepEqual(q.getMany(10), [...items(5, 3), { id: 8, s: "x" }]);
      }
    }
  });

  it("runs beside single puts and tagged items: getMany of any size takes them in order", () => {
    for (const size of [1, 2, 3, 7, 16, 40]) {
      const q = new Queue<Item>({ capacity: 40, bytes: 1 << 14 });
      const want: Item[] = [];
      let id = 0;
      const put = (xs: Item[]) => {
        assert.equal(q.putMany(xs), xs.length);
        want.push(...xs);
      };
      put(items(id, 10)); // a run
      id += 10;
      q.put({ id: id, s: "single" });
      want.push({ id: id++, s: "single" });
      const tagged = items(id, 9);
      tagged[4].u = undefined; // a tagged item: this batch is put split
      put(tagged);
      id += 9;
      put(items(id, 12)); // a run again
      const got: Item[] = [];
      while (got.length < want.length) got.push(...q.getMany(size));
      assert.deepEqual(got, want, `getMany(${size})`);
      assert.equal("u" in got[15], true, "the tagged item keeps its field");
    }
  });

  it("a batch that does not fit whole goes in split, as room allows", async () => {
    const q = new Queue<Item>({ capacity: 8, bytes: 4096 });
    q.putMany(items(0, 5));
    assert.equal(q.getMany(2).length, 2); // HEAD inside nothing: run split
    // 3 held; 8 more fit 5 now: a timed putMany puts 5, then waits.
    const t = new Thread({
      target: (q: Queue<Item>) => {
        const out: Item[] = [];
        while (out.length < 11) out.push(...q.getMany(4, { timeout: 10_000 }));
        return out.map((x) => x.id);
      },
      args: [q],
    });
    t.start();
    assert.equal(q.putMany(items(5, 8), WAIT), 8);
    assert.deepEqual(await t.joinAsync(JOIN), [
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      10,
      11,
      12,
    ]);
  });

  it("a run whose bytes do not fit before the region's end wraps to offset 0, or goes in split", () => {
    // Each item is about 30 bytes: 10 of them never fit 200 bytes whole
    // after the first records, and fit from offset 0 once the queue drains.
    const q = new Queue<Item>({ capacity: 64, bytes: 400 });
    const want: number[] = [];
    const got: number[] = [];
    let id = 0;
    for (let round = 0; round < 50; round++) {
      const n = 1 + (round * 7) % 11;
      const xs = items(id, n);
      id += n;
      let done = 0;
      while (done < n) {
        try {
          done += q.putMany(xs.slice(done), { block: false });
        } catch (error) {
          if (!(error instanceof QueueFullError)) throw error;
        }
        if (done < n) got.push(...q.getMany(1 + round % 4).map((x) => x.id));
      }
      want.push(...xs.map((x) => x.id));
      if (round % 3 === 0) got.push(q.get().id);
    }
    while (q.qsize() > 0) got.push(...q.getMany(5).map((x) => x.id));
    assert.deepEqual(got, want);
  });

  it("an immediate shutdown's drain that cuts a run (1024 at a time) discards every item and lets join() return", async () => {
    const q = new Queue<Item>({ capacity: 3000, bytes: 3000 * 64 });
    for (let k = 0; k < 3; k++) {
      assert.equal(q.putMany(items(k * 1000, 1000)), 1000);
    }
    assert.equal(q.get().id, 0); // splits the first run
    q.taskDone();
    q.shutdown({ immediate: true });
    assert.equal(q.qsize(), 0);
    assert.throws(() => q.get(), QueueShutDownError);
    assert.equal(await q.joinAsync(WAIT), true);
  });

  it("real threads: 3 putMany producers (chunks 1-60, tagged items among them) and one put producer to get, getMany(7), getMany(200) and async consumers, over a small wrapping region, deliver every item exactly once, FIFO per producer", async () => {
    const N = 20_000, P = 4;
    const q = new Queue<unknown>({ capacity: 97, bytes: 2500 });
    const seen = new Uint8Array(new SharedArrayBuffer(P * N));
    const producers = [
      start("produceChunks", [q, 0, N, [60, 1, 17, 33], false]),
      start("produceChunks", [q, 1, N, [5, 60, 2], true]),
      start("produceChunks", [q, 2, N, [97], false]),
      start("produce", [q, 3, N, true, 1]),
    ];
    const consumers = [
      start("consume", [q, seen, N, P, 1]),
      start("consume", [q, seen, N, P, 7]),
      start("consume", [q, seen, N, P, 200]),
      start("consumeAsync", [q, seen, N, P]),
    ];
    await deliveredOnce(q, producers, consumers, seen, N);
  });

  it("real threads: a shutdown mid-batch delivers exactly the items the putMany calls accepted", async () => {
    const N = 1_000_000, P = 2;
    const q = new Queue<unknown>({ capacity: 500, bytes: 500 * 40 });
    const seen = new Uint8Array(new SharedArrayBuffer(P * N));
    const producers = [
      start("produceChunks", [q, 0, N, [300, 7, 150], false]),
      start("produceChunks", [q, 1, N, [64], true]),
    ];
    const consumers = [
      start("consume", [q, seen, N, P, 1]),
      start("consume", [q, seen, N, P, 100]),
    ];
    // Shut down once some items went through (a shared word, not a sleep).
    await until(
      () => Atomics.load(seen, 5) !== 0 && Atomics.load(seen, N + 5) !== 0,
      "items through both consumers",
    );
    q.shutdown();
    const accepted = await acceptedOnce(producers, consumers, seen, N);
    for (let p = 0; p < P; p++) {
      assert.ok(accepted[p] < N, "the shutdown came before the end");
    }
  });

  it("a getMany or getManyAsync that waited on an empty queue takes the putMany that woke it whole: its run is not split", async () => {
    for (const form of ["getMany", "getManyAsync"]) {
      const q = new Queue<unknown>({ capacity: 64, bytes: 4096 });
      const t = new Thread({
        args: [q, form],
        target: async (q: Queue<unknown>, form: string) => {
          const got = form === "getMany"
            ? q.getMany(1000, { timeout: 60_000 })
            : await q.getManyAsync(1000, { timeout: 60_000 });
          return got.map((x) => (x as { id: number }).id).join(",");
        },
      });
      t.start();
      // The getter found the queue empty and registered (a shared word).
      const h = headerOf(q);
      await until(() => Atomics.load(h, GET_WAITERS) === 1, "a waiting getter");
      const batch = items(0, 50);
      assert.equal(q.putMany(batch), 50);
      const ids = batch.map((x) => x.id).join(",");
      assert.equal(await t.joinAsync(JOIN), ids, form);
      // A run taken whole keeps its count word (~50); a split run has the
      // second item's offset there (_text_run.ts).
      assert.equal(sideOf(q, 64)[2], ~50, `${form}: the run was split`);
      assert.equal(q.qsize(), 0);
    }
  });

  it("a putMany that waited on a full queue goes in as an unsplit run once room for it is freed", async () => {
    const q = new Queue<unknown>({ capacity: 8, bytes: 1024 });
    assert.equal(q.putMany([...FOUR, ...FOUR]), 8); // full
    const t = new Thread({
      args: [q, FOUR],
      target: (q: Queue<unknown>, four: unknown[]) =>
        q.putMany(four, { timeout: 60_000 }),
    });
    t.start();
    // The putter tried the full queue and registered (a shared word).
    const h = headerOf(q);
    await until(() => Atomics.load(h, PUT_WAITERS) === 1, "a waiting putter");
    assert.deepEqual(q.getMany(8), [...FOUR, ...FOUR]);
    assert.equal(await t.joinAsync(JOIN), 4);
    // Position 8 is slot 0: the run's head and its count word (a batch cut
    // up by a try that found no room has an offset there instead).
    const side = sideOf(q, 8);
    assert.equal(side[0], ~0, "the run's head");
    assert.equal(side[2], ~4, "the run was split");
    assert.deepEqual(q.getMany(8), FOUR);
  });

  it("a putMany whose wait for room ran past a slice end (its look for room ran on the full queue) goes in as an unsplit run once room is freed", () => {
    const q = new Queue<unknown>({ capacity: 8, bytes: 1024 });
    assert.equal(q.putMany([...FOUR, ...FOUR]), 8); // full
    // The wait's first slice end: its look for room (the putter's check)
    // has run and found none; then the slice hook frees all 8 places, and
    // the wait ends on the NOT_FULL bump. One thread: no schedule matters.
    let ends = 0;
    let freed: unknown[] = [];
    setSliceHook(() => {
      if (ends++ === 0) freed = q.getMany(8);
    });
    try {
      assert.equal(q.putMany(FOUR, { timeout: 60_000 }), 4);
    } finally {
      setSliceHook(undefined);
    }
    assert.equal(ends, 1, "one slice end");
    assert.deepEqual(freed, [...FOUR, ...FOUR]);
    const side = sideOf(q, 8);
    assert.equal(side[0], ~0, "the run's head");
    assert.equal(side[2], ~4, "the run was split");
    assert.deepEqual(q.getMany(8), FOUR);
  });

  it("real threads: putMany producers of whole runs to getMany(1000), getManyAsync(300), getMany(5) and get consumers that keep finding the queue empty, across the region's wrap, deliver every item exactly once, FIFO per producer", async () => {
    const N = 30_000, P = 3;
    const q = new Queue<unknown>({ capacity: 700, bytes: 700 * 24 });
    const seen = new Uint8Array(new SharedArrayBuffer(P * N));
    const producers = [
      start("produceChunks", [q, 0, N, [400, 1, 250], false]),
      start("produceChunks", [q, 1, N, [100, 333], false]),
      start("produceChunks", [q, 2, N, [700, 64], true]),
    ];
    const consumers = [
      start("consume", [q, seen, N, P, 1000]),
      start("consumeManyAsync", [q, seen, N, P, 300]),
      start("consume", [q, seen, N, P, 5]),
      start("consume", [q, seen, N, P, 1]),
    ];
    await deliveredOnce(q, producers, consumers, seen, N);
  });

  it("real threads: a shutdown mid-batch with getMany(1000) and getManyAsync(400) consumers delivers exactly the items the putMany calls accepted", async () => {
    const N = 1_000_000, P = 2;
    const q = new Queue<unknown>({ capacity: 1500, bytes: 1500 * 24 });
    const seen = new Uint8Array(new SharedArrayBuffer(P * N));
    const producers = [
      start("produceChunks", [q, 0, N, [1000], false]),
      start("produceChunks", [q, 1, N, [400, 9], true]),
    ];
    const consumers = [
      start("consume", [q, seen, N, P, 1000]),
      start("consumeManyAsync", [q, seen, N, P, 400]),
    ];
    await until(
      () => Atomics.load(seen, 5) !== 0 && Atomics.load(seen, N + 5) !== 0,
      "items through the consumers",
    );
    q.shutdown();
    const accepted = await acceptedOnce(producers, consumers, seen, N);
    // A stalled main thread could let one producer finish (1,000,000
    // items) before the shutdown; both, it would have to stall for seconds.
    assert.ok(accepted.some((a) => a < N), "the shutdown came before the end");
  });

  it("a split cut short at any of its steps (a holder stopped mid-split) is read as the run or finished by the next get: every item once, in order", () => {
    // splitRun writes position 3, 2, 1 (length word, then offset word), then
    // position 0's length word and its offset word last (_text_run.ts).
    const steps: [number, number][] = [];
    for (let j = 3; j >= 0; j--) steps.push([2 * j + 1, 7], [2 * j, 8 * j]);
    for (let cut = 0; cut <= steps.length; cut++) {
      for (const take of ["get", "getMany"]) {
        const q = new Queue<unknown>({ capacity: 8, bytes: 1024 });
        assert.equal(q.putMany(FOUR), 4);
        const side = sideOf(q, 8);
        assert.equal(side[0], ~0, "the run's head marks its offset");
        assert.equal(side[2], ~4, "the count word");
        for (const [i, v] of steps.slice(0, cut)) side[i] = v;
        const got: unknown[] = [];
        if (take === "get") { while (got.length < 4) got.push(q.get(WAIT)); }
        else while (got.length < 4) got.push(...q.getMany(10, WAIT));
        assert.deepEqual(got, FOUR, `cut after ${cut} stores, ${take}`);
        assert.equal(q.qsize(), 0);
      }
    }
  });

  it("a count word no put writes ends a get in a RangeError with the queue unchanged, never a loop under HEAD's turn", async () => {
    for (const bad of [0, -1, ~1, ~9, 3, 40]) {
      const q = new Queue<unknown>({ capacity: 8, bytes: 1024 });
      q.putMany(FOUR);
      const side = sideOf(q, 8);
      side[2] = bad;
      // In a thread of its own, so a loop shows as a join timeout.
      const t = new Thread({
        daemon: true,
        args: [q],
        target: (q: Queue<unknown>) => {
          const errors: string[] = [];
          for (const f of [() => q.getMany(10), () => q.get({ timeout: 1 })]) {
            try {
              f();
              errors.push("no error");
            } catch (error) {
              errors.push((error as Error).name);
            }
          }
          return errors.join(",");
        },
      });
      t.start();
      assert.equal(await t.joinAsync(JOIN), "RangeError,RangeError", `${bad}`);
      assert.equal(q.qsize(), 4, "nothing taken");
      side[2] = ~4; // repaired: the items come back
      assert.deepEqual(q.getMany(10), FOUR);
    }
  });
});
