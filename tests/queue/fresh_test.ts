// Copyright 2026 the threadkit authors. MIT license.
// getMany and getManyAsync on a numeric FIFO ring through this thread's scratch typed array
// into a fresh array of exactly the items taken (queue/_fresh.ts): values
// of every kind of element type, scratch per type, batches past FRESH_MAX
// (the general path), arrays that never alias one another; stress with real
// threads and exact counts across the counters' wrap and against an
// immediate shutdown. Header slots: queue/_layout.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moduleTarget, Queue, Thread } from "../../mod.ts";
import { FRESH_MAX } from "../../queue/_fresh.ts";
import type { NumericType } from "../../queue/_layout.ts";
import type * as work from "../_workers/queue_stress.ts";
import { until } from "../_helpers.ts";

const MODULUS = 8;
const TAIL = 16;
const HEAD = 32;
const DONE = 48;
const JOIN = { timeout: 120_000 };

function header(q: Queue<unknown>): Int32Array {
  return new Int32Array(q.region.buffer, q.region.byteOffset, 96);
}

describe("Queue getMany into a fresh array (numeric FIFO)", () => {
  it("returns exactly the items, as a fresh dense array, for each element type, switching scratch between types", () => {
    const qi = new Queue<number>({ capacity: 20, type: "int32" });
    const qf = new Queue<number>({ capacity: 20, type: "float64" });
    const qb = new Queue<bigint>({ capacity: 20, type: "bigint64" });
    const qu = new Queue<number>({ capacity: 20, type: "uint8" });
    const ints = [-(2 ** 31), -1, 0, 1, 2 ** 30, 2 ** 31 - 1, 7, 8, 9, 10, 11];
    const floats = [-0.5, 1.5, Number.MAX_VALUE, -Infinity, NaN, 3];
    const bigs = [-(2n ** 63n), 0n, 2n ** 63n - 1n, 5n];
    const bytes = [0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    for (let round = 0; round < 3; round++) {
      qi.putMany(ints);
      qf.putMany(floats);
      qb.putMany(bigs);
      qu.putMany(bytes);
      const a = qi.getMany(4), b = qf.getMany(), c = qb.getMany(3);
      const d = qu.getMany(), e = qi.getMany(), f = qb.getMany();
      assert.deepEqual(a, ints.slice(0, 4));
      assert.deepEqual(e, ints.slice(4));
      assert.deepEqual(b, floats);
      assert.deepEqual([...c, ...f], bigs);
      assert.deepEqual(d, bytes);
      for (const xs of [a, b, c, d, e, f]) {
        assert.ok(Array.isArray(xs));
        assert.equal(Object.keys(xs).length, xs.length, "a hole");
      }
      assert.equal(qi.qsize() + qf.qsize() + qb.qsize() + qu.qsize(), 0);
    }
  });

  it("every element type's extreme values come out exactly, also after a result was written to", () => {
    const cases: [NumericType, unknown[]][] = [
      ["int8", [-128, 127, 0, -1]],
      ["uint8", [0, 255]],
      ["int16", [-32768, 32767]],
      ["uint16", [0, 65535]],
      ["int32", [-(2 ** 31), 2 ** 31 - 1, 2 ** 30, -(2 ** 30) - 1]],
      ["uint32", [0, 2 ** 32 - 1, 2 ** 31, 2 ** 30]],
      ["float32", [0.5, -0, Infinity, -Infinity, NaN, 3]],
      ["float64", [-0, 0.1, Number.MIN_VALUE, 2 ** 53, NaN]],
      ["bigint64", [-(2n ** 63n), 2n ** 63n - 1n]],
      ["biguint64", [0n, 2n ** 64n - 1n]],
    ];
    for (const [type, xs] of cases) {
      const q = new Queue<unknown>({ capacity: 16, type });
      for (let round = 0; round < 2; round++) {
        q.putMany(xs);
        const got = q.getMany();
        assert.deepEqual(got, xs, type);
        assert.equal(Object.keys(got).length, xs.length, "a hole");
        got.fill("written"); // a result is the caller's; the next is not it
      }
    }
  });

  it("results never share memory: a later getMany leaves an earlier result as it was", () => {
    const q = new Queue<number>({ capacity: 8, type: "int32" });
    q.putMany([1, 2, 3]);
    const a = q.getMany();
    q.putMany([4, 5, 6, 7]);
    const b = q.getMany(2);
    a[0] = 99;
    assert.deepEqual([a, b, q.getMany()], [[99, 2, 3], [4, 5], [6, 7]]);
  });

  it("getManyAsync takes the same way, at once and after a wait: exactly the items, fresh arrays that share nothing", async () => {
    for (const modes of [{}, { singleReader: true }]) {
      const q = new Queue<number>({ capacity: 8, type: "int32", ...modes });
      const qf = new Queue<number>({ capacity: 8, type: "float64" });
      q.putMany([1, 2, 3]);
      qf.putMany([0.5, -1.5]);
      const a = await q.getManyAsync();
      const f = await qf.getManyAsync(1);
      const waiting = q.getManyAsync(2, { timeout: 10_000 }); // empty: waits
      const t = new Thread({
        target: (q: Queue<number>) => q.putMany([4, 5, 6]),
        args: [q],
      });
      t.start();
      const b = await waiting;
      await t.joinAsync(JOIN);
      a[0] = 99;
      assert.deepEqual([a, f, b], [[99, 2, 3], [0.5], [4, 5]]);
      assert.deepEqual(await q.getManyAsync(), [6]);
      assert.deepEqual(await qf.getManyAsync(), [-1.5]);
      for (const xs of [a, b, f]) {
        assert.ok(Array.isArray(xs));
        assert.equal(Object.keys(xs).length, xs.length, "a hole");
      }
    }
  });

  it(`a batch past FRESH_MAX (${FRESH_MAX}) takes the general path, with the same result`, () => {
    const n = FRESH_MAX + 5;
    const q = new Queue<number>({ capacity: n + 3, type: "int32" });
    const items = Int32Array.from({ length: n + 3 }, (_, i) => i * 3 - 7);
    q.putMany(items);
    const xs = q.getMany(n);
    assert.equal(xs.length, n);
    assert.deepEqual(xs, Array.from(items.subarray(0, n)));
    assert.deepEqual(q.getMany(FRESH_MAX), Array.from(items.subarray(n)));
  });
});

const WORK = new URL("../_workers/queue_stress.ts", import.meta.url);

function start(name: keyof typeof work, args: unknown[]): Thread {
  const t = new Thread({
    target: moduleTarget<(...a: never[]) => unknown>(WORK, name),
    args: args as never,
    name,
  });
  t.start();
  return t;
}

describe("Queue getMany into a fresh array: stress", () => {
  // Counters started just below the wrap of M; a writer puts 0, 1, 2, ...
  // until an immediate shutdown; getters take with getMany (batches below
  // and past the capacity, blocking and not) and get, and mark each item.
  for (
    const [name, modes, batches] of [
      ["default", {}, [[1, true], [7, false], [64, true], [5000, true], [
        9,
        "async",
      ]]],
      ["singleReader", { singleReader: true }, [[48, true]]],
      ["singleReader, getManyAsync", { singleReader: true }, [[48, "async"]]],
    ] as const
  ) {
    it(`${name}, capacity 64: getters (getMany or getManyAsync batches ${batches.map((b) => b[0]).join(", ")}) race a writer across the wrap and an immediate shutdown: each accepted item taken at most once, in order per getter, the rest discarded, join() returns`, async () => {
      for (let round = 0; round < 4; round++) {
        const q = new Queue<number>({ capacity: 64, type: "int32", ...modes });
        const h = header(q as Queue<unknown>);
        const at0 = h[MODULUS] - 20_000 - round * 7;
        for (const i of [TAIL, HEAD, DONE]) Atomics.store(h, i, at0);
        const n = 1 << 20;
        const seen = new Uint8Array(new SharedArrayBuffer(n));
        const progress = new Int32Array(new SharedArrayBuffer(4));
        const w = start("produceUntilShut", [q, n]);
        const getters = batches.map(([batch, block]) =>
          block === "async"
            ? start("takeUntilShutAsync", [q, seen, progress, batch])
            : start("takeUntilShut", [q, seen, progress, batch, block])
        );
        const at = 30_000 + round * 5_000; // past the wrap (20,000 on)
        try { // a nowait getter ends only at the shutdown
          await until(() => Atomics.load(progress, 0) >= at, "getters");
        } finally {
          q.shutdown({ immediate: true });
        }
        const accepted = await w.joinAsync(JOIN) as number;
        let taken = 0;
        for (const g of getters) taken += await g.joinAsync(JOIN) as number;
        assert.ok(taken >= at && taken <= accepted, `${taken} of ${accepted}`);
        assert.equal(q.qsize(), 0);
        const twice = seen.findIndex((x) => x > 1);
        assert.equal(twice, -1, `item ${twice} taken ${seen[twice]} times`);
        const late = seen.findIndex((x, i) => x !== 0 && i >= accepted);
        assert.equal(late, -1, `item ${late} taken but never accepted`);
        if (getters.length === 1) { // one reader: exactly a prefix
          assert.equal(seen.findIndex((x, i) => x !== (i < taken ? 1 : 0)), -1);
        }
        assert.equal(q.join({ timeout: 10_000 }), true);
      }
    });
  }
});
