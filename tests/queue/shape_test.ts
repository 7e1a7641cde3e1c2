// Copyright 2026 the threadkit authors. MIT license.
// The structured ring's shape codec (queue/_shape.ts): plain objects of
// primitives go in as shape records and arrive as structuredClone gives
// them; what it does not take goes in as JSON as before; a corrupt record
// fails the get and stays first; real threads deliver mixed shape, JSON and
// tagged items exactly once across the ring's wrap, with single and batch
// consumers, and when a shutdown cuts the producers.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue } from "../../mod.ts";
import { encodeShape, walkSlots } from "../../queue/_shape.ts";
import { HEADER_BYTES } from "../../queue/_layout.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { acceptedOnce, deliveredOnce, start } from "./_stress.ts";
import { shapeItem } from "../_workers/queue_stress.ts";

function roundTrip(x: unknown): unknown {
  const q = new Queue<unknown>({ capacity: 4, bytes: 1 << 20 });
  q.put(x);
  return q.get({ timeout: 1_000 });
}

describe("Queue shape codec", () => {
  it("takes plain objects of primitives and nothing else", () => {
    for (
      const x of [
        {},
        { a: 1 },
        { a: "x", b: null, c: undefined, d: true, e: false, f: 1.5 },
        Object.assign(Object.create(null), { a: 1 }),
      ]
    ) assert.notEqual(encodeShape(x), undefined, JSON.stringify(x));
    for (
      const x of [
        1,
        "s",
        null,
        [1],
        { a: [1] },
        { a: {} },
        { a: 1n },
        { a: () => 1 },
        { a: Symbol("s") },
        new Date(0),
        new (class C {
          a = 1;
        })(),
        JSON.parse('{"__proto__": 1}'),
        { ["k".repeat(256)]: 1 },
        { "\u0100": 1 },
        Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`k${i}`, i])),
      ]
    ) assert.equal(encodeShape(x), undefined, String(x));
  });

  it("keeps values, key order and the numbers JSON would change, as structuredClone does", () => {
    const xs = [
      { id: 7, payload: "abc" },
      { b: 1, a: 2, 10: "ten", 2: "two" },
      { z: -0, n: NaN, i: Infinity, m: -Infinity, u: undefined, v: null },
      { big: 2 ** 31, neg: -(2 ** 31), f: 0.1, e: 1e300, t: true, s: "" },
      { latin: "caf\u00e9 \u00ff", euro: "\u20ac", lone: "a\ud800b\udc00" },
      { long: "x".repeat(100_000), wide: "\u4e2d".repeat(5_000) },
      { a: "x".repeat(100) + "\u00e9", b: "y".repeat(100) + "\u20ac" },
      { a: "\u00e9" + "x".repeat(100), b: "y".repeat(65) },
      { constructor: 1, toString: "t", prototype: null, "\u0000": 2 },
      Object.assign(Object.create(null), { a: 1, b: "n" }),
    ];
    for (const x of xs) {
      const got = roundTrip(x);
      assert.deepEqual(got, structuredClone(x));
      assert.deepEqual(Object.keys(got as object), Object.keys(x));
      assert.equal(Object.getPrototypeOf(got), Object.prototype);
      for (const k of Object.keys(x)) {
        assert.ok(
          Object.is(
            (got as Record<string, unknown>)[k],
            (x as Record<string, unknown>)[k],
          ),
          k,
        );
      }
    }
  });

  it("alternating shapes and JSON items in one queue arrive in order, by get and getMany", () => {
    const q = new Queue<unknown>({ capacity: 64, bytes: 16_384 });
    const items = Array.from({ length: 600 }, (_, i) => shapeItem(i % 3, i));
    let k = 0;
    for (let round = 0; k < items.length; round++) {
      const end = Math.min(items.length, k + 40);
      for (let j = k; j < end; j++) q.put(items[j], { timeout: 1_000 });
      const got = round % 2 === 0
        ? q.getMany(end - k)
        : Array.from({ length: end - k }, () => q.get({ timeout: 1_000 }));
      assert.deepEqual(got, items.slice(k, end));
      k = end;
    }
    assert.equal(q.qsize(), 0);
  });

  it("an item that fits as JSON is not refused for its shape record's size", () => {
    const q = new Queue<unknown>({ capacity: 2, bytes: 64 });
    const item = { a: 0.1, b: 0.2, c: 0.3, d: 0.4, e: 0.5, f: 0.6 };
    assert.ok(encodeShape(item)!.length + 1 > 64, "the record is larger");
    q.put(item, { timeout: 1_000 }); // 49 bytes of JSON
    assert.deepEqual(q.get({ timeout: 1_000 }), structuredClone(item));
  });

  it("a key with an inherited setter or read-only value arrives as an own data property", () => {
    let calls = 0;
    const proto = Object.prototype as Record<string, unknown>;
    Object.defineProperty(proto, "k", {
      set(_v: unknown) {
        calls++;
      },
      get() {
        return -1;
      },
      configurable: true,
    });
    Object.defineProperty(proto, "ro", {
      value: 0,
      writable: false,
      configurable: true,
    });
    try {
      const q = new Queue<unknown>({ capacity: 4 });
      q.put({ k: 5 });
      q.put(JSON.parse('{"ro": 5, "x": 1}'));
      const got = q.get({ timeout: 1_000 }) as Record<string, unknown>;
      assert.equal(calls, 0, "no inherited setter runs in a get");
      assert.ok(Object.hasOwn(got, "k"));
      assert.equal(got.k, 5);
      const ro = q.get({ timeout: 1_000 }) as Record<string, unknown>;
      assert.ok(Object.hasOwn(ro, "ro"));
      assert.deepEqual({ ...ro }, { ro: 5, x: 1 });
    } finally {
      delete proto.k;
      delete proto.ro;
    }
  });

  it("an inherited enumerable key is not sent as an own key", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.extra = 1;
    try {
      const q = new Queue<unknown>({ capacity: 4 });
      q.put({ a: 1 });
      const got = q.get({ timeout: 1_000 }) as Record<string, unknown>;
      assert.equal(Object.hasOwn(got, "extra"), false);
      assert.deepEqual(Object.keys(got), ["a"]);
    } finally {
      delete proto.extra;
    }
  });

  it("a flat object's getter is read once after many puts of new key sets", () => {
    const q = new Queue<unknown>({ capacity: 64, bytes: 16_384 });
    for (let i = 0; i < 60; i++) {
      q.put({ ["k" + i]: i }, { timeout: 1_000 });
      assert.deepEqual(q.get({ timeout: 1_000 }), { ["k" + i]: i });
    }
    let reads = 0;
    q.put({
      get x() {
        return reads++ === 0 ? 1 : NaN;
      },
    });
    assert.equal(reads, 1);
    assert.deepEqual(q.get({ timeout: 1_000 }), { x: 1 });
  });

  it("a shape record made corrupt fails the get with a TypeError and stays first", () => {
    const q = new Queue<unknown>({ capacity: 4, bytes: 256 });
    q.put({ a: 1, b: "bb" });
    q.put({ c: 2 });
    // The first record lies at offset 0 of the byte region, after the side
    // table (8 bytes a position, 8-aligned): its magic byte goes.
    const d = (q as unknown as {
      [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
    })[TO_DESCRIPTOR]();
    const region = new Uint8Array(d.buffer, d.byteOffset + HEADER_BYTES);
    const at = 8 * 4;
    assert.equal(region[at], 0x53);
    region[at] = 0x00;
    assert.throws(() => q.get({ timeout: 100 }), TypeError);
    assert.throws(() => q.getMany(2), TypeError);
    assert.equal(q.qsize(), 2);
    region[at] = 0x53; // mended: the item comes out as it went in
    assert.deepEqual(q.getMany(2), [{ a: 1, b: "bb" }, { c: 2 }]);
  });

  it("real threads: 3 producers of mixed items, 4 mixed consumers, 3 x 30,000 items exactly once across the wrap", async () => {
    const N = 30_000, P = 3;
    const q = new Queue<unknown>({ capacity: 64, bytes: 4096 });
    const seen = new Uint8Array(new SharedArrayBuffer(P * N));
    const producers = [
      start("produceShapes", [q, 0, N, 1]),
      start("produceShapes", [q, 1, N, 1]),
      start("produceShapes", [q, 2, N, 7]),
    ];
    const consumers = [
      start("consume", [q, seen, N, P, 1]),
      start("consume", [q, seen, N, P, 33]),
      start("consumeAsync", [q, seen, N, P]),
      start("consumeManyAsync", [q, seen, N, P, 5]),
    ];
    await deliveredOnce(q, producers, consumers, seen, N);
    assert.equal(q.qsize(), 0);
  });

  it("real threads: a shutdown that cuts the producers leaves every accepted item delivered exactly once", async () => {
    const N = 200_000, P = 2;
    const q = new Queue<unknown>({ capacity: 32, bytes: 2048 });
    const seen = new Uint8Array(new SharedArrayBuffer(P * N));
    const producers = [
      start("produceShapes", [q, 0, N, 1]),
      start("produceShapes", [q, 1, N, 1]),
    ];
    const consumers = [
      start("consume", [q, seen, N, P, 1]),
      start("consume", [q, seen, N, P, 9]),
    ];
    // Shut down once the consumers took some (a shared word, no sleep).
    const end = performance.now() + 60_000;
    while (seen.reduce((a, b) => a + b, 0) < 2_000) {
      assert.ok(performance.now() < end, "the consumers took nothing");
      await new Promise((r) => setTimeout(r, 1));
    }
    q.shutdown();
    const accepted = await acceptedOnce(producers, consumers, seen, N);
    assert.ok(accepted.some((a) => a < N), "the shutdown cut no producer");
  });
  it("strings that repeat, change in one unit, or give way to a number at the same offset arrive as they went in", () => {
    // The put leaves a string's bytes in its scratch when the shape's last
    // record had it at the same offset; the get reuses a short string when
    // the bytes are equal (queue/_shape.ts). Every change must show.
    const q = new Queue<unknown>({ capacity: 64, bytes: 16_384 });
    const vals: unknown[] = [
      "same",
      7,
      "same",
      "sane",
      "same",
      -0,
      "same",
      "",
      "same",
      true,
      "same",
      "s\u00e9me",
      "same",
      null,
      "same",
      1.5,
      "same",
      "x".repeat(64),
      "x".repeat(63) + "y",
      "x".repeat(65),
      "x".repeat(65),
      "\u20ac",
      "same",
    ];
    const items: unknown[] = [];
    for (let r = 0; r < 3; r++) {
      for (const [k, v] of vals.entries()) {
        items.push({ a: v, b: "tail", c: k });
        items.push({ a: "same", b: v, c: k }); // v at a moving offset
        if (k % 5 === 0) items.push({ other: v }); // another shape between
      }
    }
    for (let i = 0; i < items.length; i += 50) {
      const part = items.slice(i, i + 50);
      for (const x of part) q.put(x, { timeout: 1_000 });
      const got = part.map(() => q.get({ timeout: 1_000 }));
      assert.deepEqual(got, part.map((x) => structuredClone(x)));
      for (const [k, x] of got.entries()) {
        assert.ok(
          Object.is((x as { a: unknown }).a, (part[k] as { a: unknown }).a),
        );
      }
    }
  });

  it("a refused item's keys and values are not kept by the walk", () => {
    // The walk reads the whole top level of an item it refuses (for the
    // copy the JSON path encodes): its arrays must not pin that item's keys.
    const q = new Queue<unknown>({ capacity: 4, bytes: 1 << 24 });
    const big: Record<string, unknown> = { nested: [1] };
    for (let i = 0; i < 100_000; i++) big[`key${i}`] = i;
    q.put(big);
    assert.equal(walkSlots(), 0);
    assert.equal(
      Object.keys(q.get({ timeout: 1_000 }) as object).length,
      100_001,
    );
    q.put({ a: 1, b: "x" });
    assert.ok(walkSlots() <= 2 * 255);
    assert.deepEqual(q.get({ timeout: 1_000 }), { a: 1, b: "x" });
    // A walk that ends in a throw (a late getter) keeps nothing it read.
    const thrower: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) thrower[`key${i}`] = [i];
    Object.defineProperty(thrower, "late", {
      enumerable: true,
      get() {
        throw new RangeError("late getter");
      },
    });
    assert.throws(() => q.put(thrower), { name: "RangeError" });
    assert.equal(walkSlots(), 0);
    assert.equal(q.qsize(), 0);
  });

  it("20 shapes in turn (more than either side's cache holds) arrive as they went in", () => {
    const q = new Queue<unknown>({ capacity: 64, bytes: 16_384 });
    const make = (i: number) => {
      const x: Record<string, unknown> = { id: i };
      x[`k${i % 20}`] = i % 3 === 0 ? "s" + i : i / 7;
      if (i % 40 < 20) x.tail = true;
      return x;
    };
    for (let i = 0; i < 400; i += 50) {
      const items = Array.from({ length: 50 }, (_, k) => make(i + k));
      for (const x of items) q.put(x, { timeout: 1_000 });
      const got = Array.from({ length: 50 }, () => q.get({ timeout: 1_000 }));
      assert.deepEqual(got, items);
      for (let k = 0; k < 50; k++) {
        assert.deepEqual(Object.keys(got[k] as object), Object.keys(items[k]));
      }
    }
  });
});
