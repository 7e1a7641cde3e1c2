// Copyright 2026 the threadkit authors. MIT license.
// Unbounded LifoQueue / PriorityQueue, one thread: order across every growth
// against a model (random puts, putMany, gets, getMany, getManyInto), ties in
// put order, mixed item sizes, and refused puts that leave the queue as it
// was (count, order, unfinished tasks).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  PriorityQueue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  RuntimeError,
} from "../../mod.ts";
import { type Any, drain, make, rng } from "./_stack_heap_model.ts";
import { stressSize } from "../_helpers.ts";

// The model: LIFO a stack; PRIORITY a list kept sorted by (key, seq).
class Model {
  items: { key: number; seq: number; v: unknown }[] = [];
  seq = 0;
  constructor(readonly lifo: boolean) {}
  put(key: number, v: unknown): void {
    const e = { key, seq: this.seq++, v };
    if (this.lifo) {
      this.items.push(e);
      return;
    }
    let i = this.items.length;
    while (i > 0 && this.items[i - 1].key > key) i--;
    this.items.splice(i, 0, e);
  }
  get(): unknown {
    return (this.lifo ? this.items.pop() : this.items.shift())!.v;
  }
  get size(): number {
    return this.items.length;
  }
}

function randomRun(
  lifo: boolean,
  type: "int32" | "float64" | "structured",
  seed: number,
  steps: number,
): void {
  const r = rng(seed);
  const Cls = lifo ? LifoQueue : PriorityQueue;
  const q: Any = make(Cls, { type });
  const m = new Model(lifo);
  // numeric: the item is its own key (few distinct: ties); structured:
  // [key, seq] so ties are visible.
  const item = () => {
    const key = Math.floor(r() * 8);
    if (type === "structured") {
      const v = lifo
        ? { key, s: m.seq, pad: "x".repeat(Math.floor(r() * 40)) }
        : [key, m.seq];
      return { key, v };
    }
    return { key, v: lifo ? m.seq : key };
  };
  let high = 0;
  for (let step = 0; step < steps; step++) {
    const op = r();
    // Bias to puts so the queue grows over and over, then drains.
    const phase = Math.floor(step / 2000) % 2 === 0;
    if (op < (phase ? 0.4 : 0.2)) {
      const { key, v } = item();
      q.put(v);
      m.put(key, v);
    } else if (op < (phase ? 0.7 : 0.25)) {
      const k = 1 + Math.floor(r() * 50);
      const batch = [];
      for (let i = 0; i < k; i++) {
        const { key, v } = item();
        batch.push(v);
        m.put(key, v);
      }
      assert.equal(q.putMany(batch), k);
    } else if (op < 0.85) {
      if (m.size === 0) {
        assert.throws(() => q.getNowait(), QueueEmptyError);
      } else {
        assert.deepEqual(q.getNowait(), m.get(), `step ${step}`);
      }
    } else if (op < 0.95 || type === "structured") {
      const k = 1 + Math.floor(r() * 60);
      if (m.size === 0) {
        assert.throws(() => q.getMany(k, { block: false }), QueueEmptyError);
      } else {
        const want = [];
        for (let i = 0; i < k && m.size > 0; i++) want.push(m.get());
        assert.deepEqual(q.getMany(k), want, `step ${step}`);
      }
    } else {
      const k = 1 + Math.floor(r() * 60);
      const target = type === "int32" ? new Int32Array(k) : new Float64Array(k);
      if (m.size === 0) {
        assert.throws(
          () => q.getManyInto(target, { block: false }),
          QueueEmptyError,
        );
      } else {
        const want = [];
        for (let i = 0; i < k && m.size > 0; i++) want.push(m.get());
        const n = q.getManyInto(target);
        assert.deepEqual(
          Array.from(target.subarray(0, n)),
          want,
          `step ${step}`,
        );
      }
    }
    assert.equal(q.qsize(), m.size, `qsize at step ${step}`);
    if (m.size > high) high = m.size;
  }
  assert.ok(high > 1000, `grew to ${high}`);
  const rest = [];
  while (m.size > 0) rest.push(m.get());
  if (rest.length === 0) assert.equal(q.qsize(), 0);
  else assert.deepEqual(q.getMany(1 << 20, { block: false }), rest);
}

// One thread, library code only: 12,000 steps (three cycles of growth from
// near empty to thousands of items and a drain) under Deno; on Node and Bun,
// which run the same code, 8,000 (two cycles: a growth after a drain still
// reuses the drained blocks; stressSize). Each cycle passes `high > 1000`.
const STEPS = stressSize(12_000, 8_000);

describe("unbounded LifoQueue/PriorityQueue: order across growth (model)", () => {
  for (const lifo of [true, false]) {
    for (const type of ["int32", "float64", "structured"] as const) {
      for (const seed of [1, 2]) {
        it(`${lifo ? "LifoQueue" : "PriorityQueue"}<${type}> random ops, seed ${seed}: every get as the model says`, () => {
          randomRun(lifo, type, seed, STEPS);
        });
      }
    }
  }

  it("LifoQueue: 20,000 puts one at a time come out newest first", () => {
    const q: Any = make(LifoQueue, { type: "int32" });
    for (let i = 0; i < 20_000; i++) q.put(i);
    for (let i = 19_999; i >= 0; i--) assert.equal(q.getNowait(), i);
    assert.throws(() => q.getNowait(), QueueEmptyError);
  });

  it("PriorityQueue: ties come out in put order across growth (structured, 3 keys)", () => {
    const q: Any = make(PriorityQueue);
    for (let i = 0; i < 6000; i++) q.put([i % 3, i]);
    let last = [-1, -1];
    for (let i = 0; i < 6000; i++) {
      const x = q.getNowait();
      assert.ok(
        x[0] > last[0] || (x[0] === last[0] && x[1] > last[1]),
        `${x} after ${last}`,
      );
      last = x;
    }
  });

  it("PriorityQueue<float64>: -Infinity, -0, 0, Infinity and NaN refused; order across growth", () => {
    const q: Any = make(PriorityQueue, { type: "float64" });
    for (let i = 0; i < 3000; i++) q.put((i * 7919) % 3001 - 1500);
    q.put(-Infinity);
    q.put(Infinity);
    const n0 = q.qsize();
    assert.throws(
      () => q.put(NaN),
      (e: unknown) => e instanceof RangeError || e instanceof TypeError,
    );
    assert.equal(q.qsize(), n0);
    const out = q.getMany(1 << 20);
    const sorted = [...out].sort((a, b) => a - b);
    assert.deepEqual(out, sorted);
    assert.equal(out[0], -Infinity);
    assert.equal(out.at(-1), Infinity);
  });
});

describe("unbounded PriorityQueue: structured items of mixed sizes", () => {
  it("items from 1 byte to 64 KiB (and 4 MiB) in one queue come out by priority, whole", () => {
    const q: Any = make(PriorityQueue);
    const sizes = [
      0,
      1,
      7,
      100,
      1000,
      4096,
      20_000,
      65_536,
      4 << 20,
      3,
      65_535,
    ];
    const r = rng(5);
    const put: [number, string][] = [];
    for (let round = 0; round < 30; round++) {
      for (const n of sizes) {
        if (n > 65_536 && round % 10 !== 0) continue; // the heap's share
        const key = Math.floor(r() * 1000);
        const x: [number, string] = [key, "s".repeat(n)];
        q.put(x);
        put.push(x);
      }
    }
    const want = put.map((x, i) => [x[0], i, x[1].length]).sort((a, b) =>
      a[0] - b[0] || a[1] - b[1]
    );
    for (const [key, , len] of want) {
      const x = q.getNowait();
      assert.equal(x[0], key);
      assert.equal(x[1].length, len);
    }
    assert.throws(() => q.getNowait(), QueueEmptyError);
  });

  it("LifoQueue: items of mixed sizes (to 4 MiB) come out newest first", () => {
    const q: Any = make(LifoQueue);
    const sizes = [1, 65_536, 5, 4 << 20, 300, 100_000];
    const put: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (const n of sizes) {
        if (n > 65_536 && round % 5 !== 0) continue; // the heap's share
        q.put({ n, s: "q".repeat(n) }, { timeout: 10_000 });
        put.push(n);
      }
    }
    for (const n of put.reverse()) {
      const x = q.getNowait();
      assert.equal(x.n, n);
      assert.equal(x.s.length, n);
    }
  });
});

describe("unbounded LifoQueue/PriorityQueue: a refused put changes nothing", () => {
  for (const lifo of [true, false]) {
    const name = lifo ? "LifoQueue" : "PriorityQueue";
    const Cls = lifo ? LifoQueue : PriorityQueue;

    // Puts `n` items (keys 0..n-1, one each) without taskDone.
    const filled = (n: number, init: Record<string, unknown> = {}): Any => {
      const q = make(Cls, init);
      for (let i = 0; i < n; i++) q.put(lifo ? i : [i, i]);
      return q;
    };
    const drainCheck = (q: Any, n: number): void => {
      const out = drain(q);
      assert.equal(out.length, n);
      for (let i = 0; i < n; i++) {
        const want = lifo ? n - 1 - i : [i, i];
        assert.deepEqual(out[i], want);
      }
      for (let i = 0; i < n; i++) q.taskDone();
      assert.equal(q.join({ timeout: 1000 }), true);
      assert.throws(() => q.taskDone(), RuntimeError);
    };

    for (const n of [0, 1, 2, 3, 4, 7, 8, 1023, 1024, 1025, 2048]) {
      it(`${name}: bad items refused at size ${n} (function, symbol, SharedArrayBuffer, a bad priority), nothing changes`, () => {
        const q = filled(n);
        const bad: unknown[] = [
          () => 1,
          Symbol("s"),
          new SharedArrayBuffer(8),
          { f() {} },
        ];
        if (!lifo) {
          bad.push("no priority", [NaN, 1], [], [Symbol("x")], ["1", 2], {});
        }
        for (const b of bad) {
          assert.throws(
            () => q.put(b),
            (e: unknown) => e instanceof TypeError || e instanceof RangeError,
            typeof b,
          );
          assert.throws(
            () => q.putNowait(b),
            (e: unknown) => e instanceof TypeError || e instanceof RangeError,
          );
          assert.throws(
            () => q.putMany([lifo ? -1 : [-1, -1], b]),
            (e: unknown) => e instanceof TypeError || e instanceof RangeError,
          );
          assert.equal(q.qsize(), n);
        }
        drainCheck(q, n);
      });
    }

    // Each refusal encodes 64 MiB. Under Deno every put form at every size;
    // Node and Bun (stressSize in tests/_helpers.ts: the full size is not
    // paid three times) try one form at each size, a different one at each,
    // so every size and every form is still refused there.
    const FORMS = stressSize(4, 1);
    it(`${name}: an item too large (over the stated limit) is refused with a RangeError at every size across growth, nothing changes`, async () => {
      for (const [i, n] of [0, 1, 1024, 1025].entries()) {
        const q = filled(n);
        const huge = "z".repeat(2 ** 26 + 10);
        const item = lifo ? huge : [0, huge];
        const forms = [
          () => assert.throws(() => q.put(item), RangeError),
          () => assert.throws(() => q.putNowait(item), RangeError),
          () =>
            assert.throws(
              () => q.putMany([lifo ? -1 : [-1, -1], item]),
              RangeError,
            ),
          () => assert.rejects(q.putAsync(item), RangeError),
        ];
        for (let j = 0; j < FORMS; j++) await forms[(i + j) % forms.length]();
        assert.equal(q.qsize(), n);
        drainCheck(q, n);
      }
    });

    it(`${name}: numeric queue refuses out-of-type items at every size, nothing changes`, () => {
      for (const n of [0, 1, 1024, 1025]) {
        const q = make(Cls, { type: "int32" });
        for (let i = 0; i < n; i++) q.put(i);
        for (const b of [1.5, 2 ** 31, "1", 1n, null, undefined, NaN]) {
          assert.throws(
            () => q.put(b),
            (e: unknown) => e instanceof TypeError || e instanceof RangeError,
          );
          assert.throws(
            () => q.putMany([7, b]),
            (e: unknown) => e instanceof TypeError || e instanceof RangeError,
          );
        }
        assert.equal(q.qsize(), n);
        const out = drain(q).length;
        assert.equal(out, n);
        for (let i = 0; i < n; i++) q.taskDone();
        assert.throws(() => q.taskDone(), RuntimeError);
      }
    });

    it(`${name}: after shutdown a put (at a growth boundary) is refused, nothing changes`, async () => {
      for (const n of [1, 1024, 1025]) {
        const q = filled(n);
        q.shutdown();
        const x = lifo ? 5 : [5, 5];
        assert.throws(() => q.put(x), QueueShutDownError);
        assert.throws(() => q.putNowait(x), QueueShutDownError);
        assert.throws(() => q.putMany([x, x]), QueueShutDownError);
        await assert.rejects(q.putAsync(x), QueueShutDownError);
        await assert.rejects(q.putManyAsync([x]), QueueShutDownError);
        assert.equal(q.qsize(), n);
        drainCheck(q, n);
      }
    });

    it(`${name}: Full at maxCapacity leaves the queue and the task count as they were`, async () => {
      const q = filled(6, { maxCapacity: 6 });
      const x = lifo ? 99 : [99, 99];
      assert.throws(() => q.putNowait(x), QueueFullError);
      assert.throws(() => q.put(x, { timeout: 10 }), QueueFullError);
      assert.throws(() => q.putMany([x, x], { block: false }), QueueFullError);
      await assert.rejects(q.putAsync(x, { timeout: 10 }), QueueFullError);
      assert.equal(q.full(), true);
      assert.equal(q.qsize(), 6);
      drainCheck(q, 6);
    });
  }
});
