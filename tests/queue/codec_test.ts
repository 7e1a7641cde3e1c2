// Copyright 2026 the threadkit authors. MIT license.
// Structured items: every value structured clone carries comes back equal to
// structuredClone(value), with -0, NaN, sharing and cycles kept; values that
// cannot be copied are refused with a TypeError that names where they are.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  QueueEmptyError,
} from "../../mod.ts";

function roundTrip(value: unknown): unknown {
  const q = new Queue<unknown>({ capacity: 1, bytes: 1 << 16 });
  q.put(value);
  return q.get();
}

class Point {
  constructor(public x: number, public y: number) {}
  get sum(): number {
    return this.x + this.y;
  }
}

describe("Queue structured codec", () => {
  it("Queue<structured> round-trips what JSON cannot carry exactly, as structuredClone does", () => {
    const buf = new ArrayBuffer(8);
    const values: unknown[] = [
      null,
      undefined,
      true,
      0,
      -0,
      NaN,
      Infinity,
      -Infinity,
      2 ** 53 + 2,
      1e-310,
      "",
      "\u0000 \ud800 lone surrogate \u{1f600}",
      12345678901234567890n,
      -1n,
      { a: undefined, b: [undefined, null], c: -0 },
      [1, , 3],
      Object.assign([1, 2], { length: 5 }),
      new Date(0),
      new Date(NaN),
      /a+b/gi,
      new Map<unknown, unknown>([[{ k: 1 }, new Set([1n])], [NaN, "nan"]]),
      new Set(["a", undefined]),
      new Uint8Array([1, 2, 3]),
      new Float64Array([-0, NaN]),
      new BigInt64Array([-5n]),
      { view: new Int16Array(buf, 2, 2), whole: buf },
      new DataView(new ArrayBuffer(4)),
      new Error("boom", { cause: new RangeError("inner") }),
      Object(5),
      Object("s"),
      { "\u0000": "marker key", nested: { "\u0000": 1 } },
      { __proto__: null, x: 1 },
      { deep: { deeper: { deepest: [1, { x: "y" }] } } },
      new Point(1, 2),
    ];
    for (const v of values) {
      const got = roundTrip(v);
      if (v instanceof Date && Number.isNaN(v.getTime())) {
        // Node 20's deepStrictEqual finds two Invalid Dates unequal (NaN
        // times), Deno's does not: compare what matters directly.
        assert.ok(got instanceof Date && Number.isNaN(got.getTime()));
        continue;
      }
      if (v instanceof Error) {
        // The cause travels on every runtime, as V8's structuredClone
        // carries it (Bun's drops it): compare with the expected value.
        const e = got as Error;
        assert.ok(e instanceof Error && e.message === "boom");
        assert.ok(e.cause instanceof RangeError);
        assert.equal(e.cause.message, "inner");
        continue;
      }
      assert.deepStrictEqual(
        got,
        structuredClone(v),
        Object.prototype.toString.call(v),
      );
      if (typeof v === "number") assert.ok(Object.is(got, v));
    }
  });

  it("Queue<structured> keeps shared references and cycles", () => {
    const shared = { s: 1 };
    const cyclic: Record<string, unknown> = { name: "c" };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, shared, shared];
    const got = roundTrip(cyclic) as typeof cyclic;
    assert.equal(got.self, got);
    const list = got.list as unknown[];
    assert.equal(list[0], got);
    assert.equal(list[1], list[2]);
    const buf = new ArrayBuffer(4);
    const views = roundTrip([new Uint8Array(buf), new Uint16Array(buf)]) as [
      Uint8Array,
      Uint16Array,
    ];
    views[0][0] = 7;
    assert.equal(views[1][0], 7); // still one buffer
  });

  it("Queue<structured> delivers class instances as plain objects, like structuredClone", () => {
    const got = roundTrip(new Point(3, 4));
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
    assert.deepEqual(got, { x: 3, y: 4 });
  });

  it("Queue<structured> revives threadkit primitives from the shared heap as themselves", () => {
    const lock = new Lock();
    const got = roundTrip(new Map([["lock", lock]])) as Map<string, Lock>;
    const same = got.get("lock")!;
    assert.ok(same instanceof Lock);
    same.acquire();
    assert.equal(lock.locked(), true);
    lock.release();
  });

  it("Queue<structured> refuses functions, symbols, WeakMaps and shared memory with a path", () => {
    const q = new Queue<unknown>({ capacity: 2 });
    const cases: [unknown, RegExp][] = [
      [{ a: [1, { f: () => 1 }] }, /item\.a\[1\]\.f is a function/],
      [new Map([["k", Symbol("x")]]), /value 0> is a symbol/],
      [{ w: new WeakSet() }, /item\.w is a WeakSet/],
      [{ s: new SharedArrayBuffer(8) }, /SharedArrayBuffer.*thread arg/],
      [
        new Set([new Float32Array(new SharedArrayBuffer(8))]),
        /over a SharedArrayBuffer/,
      ],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => q.put(value), (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, message);
        return true;
      });
    }
    assert.equal(q.qsize(), 0);
  });

  it("Queue.get() with a codec whose decode throws leaves the item first in the queue (FIFO, LIFO, priority)", () => {
    let failing = true;
    const text = {
      encode: (x: unknown) => new TextEncoder().encode(JSON.stringify(x)),
      decode: (b: Uint8Array) => {
        const x = JSON.parse(new TextDecoder().decode(b));
        if (failing && JSON.stringify(x).includes("bad")) {
          throw new SyntaxError(`cannot decode ${JSON.stringify(x)}`);
        }
        return x;
      },
    };
    const queues = [
      new Queue<unknown>({ capacity: 4, codec: text }),
      new LifoQueue<unknown>({ capacity: 4, codec: text }),
      new PriorityQueue<unknown>({ capacity: 4, bytes: 256, codec: text }),
    ];
    for (const q of queues) {
      failing = true;
      const lifo = q instanceof LifoQueue;
      const order = [[1, "bad"], [2, "ok"], [3, "ok"]];
      for (const x of lifo ? order.toReversed() : order) q.put(x);
      for (let i = 0; i < 2; i++) {
        assert.throws(() => q.get(), SyntaxError);
        assert.throws(() => q.getNowait(), SyntaxError);
        assert.throws(() => q.getMany(3), SyntaxError);
        assert.equal(q.qsize(), 3);
      }
      failing = false; // a fixed codec gets the same item first
      assert.deepEqual(q.get(), [1, "bad"]);
      failing = true;
      if (lifo) {
        assert.deepEqual(q.getMany(10), [[2, "ok"], [3, "ok"]]);
        continue;
      }
      // A later item that fails: getMany returns the ones before it.
      q.put([4, "bad"]);
      assert.deepEqual(q.getMany(10), [[2, "ok"], [3, "ok"]]);
      assert.equal(q.qsize(), 1);
      assert.throws(() => q.get(), SyntaxError);
      failing = false;
      assert.deepEqual(q.getMany(10), [[4, "bad"]]);
      assert.throws(() => q.getNowait(), QueueEmptyError);
    }
  });
});
