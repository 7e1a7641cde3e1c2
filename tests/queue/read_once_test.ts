// Copyright 2026 the threadkit authors. MIT license.
// The JSON path reads every value of an item once (queue/_codec.ts, "Read
// once"): a getter anywhere in the item, nested included, runs once per put
// on every path (put, putMany, LifoQueue, PriorityQueue, SimpleQueue), the
// item holds the value it read, and a put that throws keeps nothing the
// walk read.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from "../../mod.ts";
import { walkHeld } from "../../queue/_codec.ts";

// An object whose getter `x` counts its reads and gives 1 the first time,
// NaN after: read twice, the exactness walk passes 1 and JSON.stringify
// writes NaN as null.
function counted(): { obj: object; reads: () => number } {
  let n = 0;
  const obj = {
    get x() {
      return n++ === 0 ? 1 : NaN;
    },
  };
  return { obj, reads: () => n };
}

type Put = (item: unknown) => unknown;

// Each path, as a put + get of one item (PriorityQueue's item is an array
// with its priority first, so the item there is [0, value]).
const paths: [string, Put][] = [
  ["Queue put", (v) => {
    const q = new Queue<unknown>({ capacity: 2, bytes: 1 << 16 });
    q.put(v);
    return q.get({ timeout: 1_000 });
  }],
  ["Queue putMany", (v) => {
    const q = new Queue<unknown>({ capacity: 4, bytes: 1 << 16 });
    assert.equal(q.putMany([v, { y: 2 }]), 2);
    const got = q.getMany(2);
    assert.deepEqual(got[1], { y: 2 });
    return got[0];
  }],
  ["LifoQueue put", (v) => {
    const q = new LifoQueue<unknown>({ capacity: 2, bytes: 1 << 16 });
    q.put(v);
    return q.get({ timeout: 1_000 });
  }],
  ["PriorityQueue put", (v) => {
    const q = new PriorityQueue<unknown>({ capacity: 2, bytes: 1 << 16 });
    q.put([0, v]);
    return (q.get({ timeout: 1_000 }) as unknown[])[1];
  }],
  ["SimpleQueue put", (v) => {
    const q = new SimpleQueue<unknown>();
    q.put(v);
    return q.get({ timeout: 1_000 });
  }],
];

describe("queue items: every value read once on the JSON path", () => {
  for (const [name, put] of paths) {
    it(`${name}: a nested getter runs once and the item has what it read`, () => {
      const a = counted();
      assert.deepEqual(put({ id: 1, inner: a.obj }), {
        id: 1,
        inner: { x: 1 },
      });
      assert.equal(a.reads(), 1);
      // Deeper, in an array.
      const b = counted();
      assert.deepEqual(put([[b.obj], "s"]), [[{ x: 1 }], "s"]);
      assert.equal(b.reads(), 1);
      // The top itself (putMany, LIFO, priority: no shape walk first).
      const c = counted();
      assert.deepEqual(put(c.obj), { x: 1 });
      assert.equal(c.reads(), 1);
    });

    it(`${name}: tagged items too (a getter read before the walk finds a value JSON changes)`, () => {
      const a = counted();
      const got = put({ inner: a.obj, gone: undefined, when: new Date(7) }) as {
        inner: { x: number };
        gone: undefined;
        when: Date;
      };
      assert.equal(a.reads(), 1);
      assert.deepEqual(got.inner, { x: 1 });
      assert.ok("gone" in got && got.gone === undefined);
      assert.equal(got.when.getTime(), 7);
    });
  }

  it("sharing is kept between what the walk copied and what it left to tag (under a class instance)", () => {
    class Box {
      constructor(readonly held: object) {}
    }
    const a = counted();
    const shared = { a: a.obj };
    const got = paths[0][1]({ plain: shared, box: new Box(shared) }) as {
      plain: object;
      box: { held: object };
    };
    assert.equal(a.reads(), 1);
    assert.equal(got.box.held, got.plain, "one object, as structuredClone");
    assert.deepEqual(got.plain, { a: { x: 1 } });
    // A cycle through a nested object back to the top, and a shared array.
    const c = counted();
    const top: Record<string, unknown> = { c: c.obj };
    const list = [1, 2];
    top.inner = { up: top, list, again: list };
    const back = paths[2][1](top) as Record<string, Record<string, unknown>>;
    assert.equal(c.reads(), 1);
    assert.equal(back.inner.up, back);
    assert.equal(back.inner.list, back.inner.again);
    assert.deepEqual(back.c, { x: 1 });
  });

  it("a Proxy is refused on every path, its traps not run (structured clone refuses one)", () => {
    let traps = 0;
    const p = new Proxy({ a: 1, b: "s" }, {
      get(t, k, r) {
        traps++;
        return Reflect.get(t, k, r);
      },
      ownKeys(t) {
        traps++;
        return Reflect.ownKeys(t);
      },
      getPrototypeOf(t) {
        traps++;
        return Reflect.getPrototypeOf(t);
      },
    });
    const q = new Queue<unknown>({ capacity: 2, bytes: 1 << 16 });
    assert.throws(() => q.putMany([{ p }]), { name: "TypeError" });
    assert.equal(q.qsize(), 0);
    for (const [name, put] of paths) {
      for (const item of [p, { p }]) {
        assert.throws(() => put(item), {
          name: "TypeError",
          message: /is a Proxy/,
        }, name);
      }
    }
    assert.equal(traps, 0);
  });

  it("a put whose walk throws keeps nothing it read (every path)", () => {
    for (const [name, put] of paths) {
      const big: Record<string, unknown> = {};
      for (let i = 0; i < 1_000; i++) big[`k${i}`] = { i, list: [i] };
      Object.defineProperty(big, "late", {
        enumerable: true,
        get() {
          throw new RangeError("late getter");
        },
      });
      assert.throws(() => put({ nested: big }), { name: "RangeError" }, name);
      assert.equal(walkHeld(), false, name);
      assert.throws(() => put(big), { name: "RangeError" }, name);
      assert.equal(walkHeld(), false, name);
      // A tagged walk that throws in tag (a function deep inside).
      assert.throws(
        () => put({ a: [{ d: new Date(1) }], f: { g: () => 1 } }),
        { name: "TypeError" },
        name,
      );
      assert.equal(walkHeld(), false, name);
    }
  });

  it("a put from inside a getter (a walk inside a walk) leaves the outer walk whole", () => {
    const q = new Queue<unknown>({ capacity: 8, bytes: 1 << 16 });
    const shared = { s: 1 };
    const item = {
      first: shared,
      get mid() {
        q.putMany([{ inner: { deep: [1] } }]);
        return 2;
      },
      again: shared,
    };
    q.putMany([item]);
    const inner = q.get({ timeout: 1_000 });
    const outer = q.get({ timeout: 1_000 }) as typeof item;
    assert.deepEqual(inner, { inner: { deep: [1] } });
    assert.equal(outer.mid, 2);
    assert.equal(
      outer.first,
      outer.again,
      "the sharing seen before the getter",
    );
    assert.equal(walkHeld(), false);
  });
});

describe("queue items: the snapshot keeps own keys as own data", () => {
  it("an array's own __proto__ key stays a key (every path), not the copy's prototype", () => {
    for (const [name, put] of paths) {
      const a = [1, 2] as unknown[] & Record<string, unknown>;
      Object.defineProperty(a, "__proto__", {
        value: { z: 1 },
        writable: true,
        enumerable: true,
        configurable: true,
      });
      const want = structuredClone(a);
      const got = put(a) as unknown[];
      assert.ok(Array.isArray(got), name);
      assert.equal(Object.getPrototypeOf(got), Array.prototype, name);
      assert.deepEqual(Object.keys(got), Object.keys(want), name);
      assert.deepEqual(
        Object.getOwnPropertyDescriptor(got, "__proto__")?.value,
        { z: 1 },
        name,
      );
      // Inside an object, and an object's own __proto__ key under an array.
      const o = JSON.parse('{"__proto__": [3]}');
      const nested = put({ list: [o], a }) as { list: unknown[] };
      assert.deepEqual(Object.keys(nested.list[0] as object), ["__proto__"]);
    }
  });
});

describe("queue items: read once where the put reads before the walk", () => {
  it("PriorityQueue.put reads the priority once: the item comes out with the priority it was ordered by", () => {
    let reads = 0;
    const item: unknown[] = [];
    Object.defineProperty(item, "0", {
      get() {
        return reads++ === 0 ? 1 : 5;
      },
      enumerable: true,
      configurable: true,
    });
    item[1] = "a";
    const q = new PriorityQueue<unknown[]>({ capacity: 4, bytes: 1 << 12 });
    q.put(item);
    q.put([3, "b"]);
    const first = q.get({ timeout: 1_000 });
    // Ordered by 1 (first read): it must come out first, holding 1.
    assert.deepEqual(first, [1, "a"]);
    assert.equal(reads, 1, "the priority getter ran more than once");
  });

  it("Queue.put of a flat object whose shape record does not fit but its JSON does reads each property once", () => {
    let reads = 0;
    const item: Record<string, number> = {};
    for (let i = 0; i < 20; i++) item[String.fromCharCode(97 + i)] = 0.5;
    Object.defineProperty(item, "z", {
      get() {
        return reads++ === 0 ? 1 : NaN;
      },
      enumerable: true,
      configurable: true,
    });
    // Shape record: 4 + 21 * (2 + 9) = 235 bytes (float64s); JSON about 170.
    const q = new Queue<unknown>({ capacity: 2, bytes: 200 });
    q.put(item);
    const got = q.get({ timeout: 1_000 }) as Record<string, number>;
    assert.equal(reads, 1, "the getter ran more than once");
    assert.equal(got.z, 1);
  });
});
