// Copyright 2026 the threadkit authors. MIT license.
// The loops that read a string's UTF-16 units as they encode (a queue
// item's JSON text into the byte region: queue/_text_io.ts ascii, short
// texts by a loop and longer ones by encodeInto; a flat object's strings
// and keys: queue/_shape.ts; an ArrayBuffer's base64: queue/_base64.ts),
// with the charCodeAt of load time (_core/primordials_text.ts): strings of
// every length around the loops' bounds, all ASCII or holding 0x7f, 0x80,
// Latin-1, other BMP units, pairs, lone surrogates and the units JSON
// escapes come back exactly (what JSON.parse(JSON.stringify(x)) gives for
// them, and structured clone), also with charCodeAt replaced by one that
// reads "a" as "b" around every put and get.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { LifoQueue, Queue } from "../../mod.ts";
import { assertCloneEqual, checkProperty } from "../_clone_equal.ts";
import { replaceText } from "../_replace_text.ts";

const WAIT = { timeout: 10_000 };
const fromCodes = (units: number[]) => {
  let s = "";
  for (const u of units) s += String.fromCharCode(u);
  return s;
};

// Units a codec treats apart: the ASCII bound, JSON's escapes, Latin-1's
// bound, surrogates (paired or lone), a BOM.
const SPECIAL = [
  0x00,
  0x08,
  0x0a,
  0x1f,
  0x20,
  0x22,
  0x2c,
  0x3a,
  0x5b,
  0x5c,
  0x5d,
  0x61,
  0x7b,
  0x7d,
  0x7e,
  0x7f,
  0x80,
  0xa0,
  0xe9,
  0xff,
  0x100,
  0x2028,
  0x4e2d,
  0xd800,
  0xdbff,
  0xdc00,
  0xdfff,
  0xfeff,
  0xfffd,
  0xffff,
];
const ascii = fc.integer({ min: 0x20, max: 0x7e });
const unit = fc.oneof(
  { arbitrary: ascii, weight: 6 },
  { arbitrary: fc.constantFrom(...SPECIAL), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 0xffff }), weight: 1 },
);
// Lengths up to 300: the loop's bound (80 units of JSON text), the shape
// path's (64), the text decode's (256) and a wrap of a small region.
const length = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.constantFrom(31, 32, 33, 62, 63, 64, 65, 78, 79, 80, 81, 82, 254, 256),
);
/** A string all ASCII (half the time) or of any units, of any length. */
const text = fc.oneof(
  length.chain((n) => fc.array(ascii, { minLength: n, maxLength: n })),
  length.chain((n) => fc.array(unit, { minLength: n, maxLength: n })),
).map(fromCodes);
// Keys of a flat object (the shape path writes keys of Latin-1 units).
const key = fc.oneof(
  fc.array(ascii, { minLength: 1, maxLength: 12 }).map(fromCodes),
  fc.array(unit, { minLength: 1, maxLength: 12 }).map(fromCodes),
);

/** The items each string goes in: itself, in JSON nests, a flat object. */
function itemsOf(s: string, k: string): unknown[] {
  return [s, [s], { o: { [k]: s } }, { [k]: s, n: s.length }, { s, t: s }];
}

function roundTrip(
  q: Queue<unknown>,
  items: unknown[],
  around = <T>(f: () => T) => f(),
) {
  for (const x of items) {
    around(() => q.put(x, WAIT));
    const got = around(() => q.get(WAIT));
    assertCloneEqual(got, structuredClone(x));
    assert.deepEqual(got, JSON.parse(JSON.stringify(x)));
  }
  around(() => q.putMany(items, WAIT));
  const all = around(() => q.getMany(items.length, WAIT));
  assert.deepEqual(all, JSON.parse(JSON.stringify(items)));
}

describe("the encoders' unit loops", () => {
  it("Queue put/get and putMany/getMany give back strings of every length and unit exactly, alone, nested and in flat objects (property)", () => {
    const q = new Queue<unknown>({ capacity: 16, bytes: 1 << 16 });
    checkProperty(
      "unit loops",
      fc.property(text, key, (s, k) => roundTrip(q, itemsOf(s, k))),
      400,
    );
    assert.equal(q.qsize(), 0);
  });

  it("a LifoQueue (items as codec bytes) gives them back exactly (property)", () => {
    const q = new LifoQueue<unknown>({ capacity: 8, bytes: 1 << 16 });
    checkProperty(
      "byte store",
      fc.property(text, key, (s, k) => {
        for (const x of itemsOf(s, k)) {
          q.put(x, WAIT);
          assertCloneEqual(q.get(WAIT), structuredClone(x));
        }
      }),
      200,
    );
  });

  it("an ArrayBuffer's bytes come back exactly (base64 in the tagged form; property)", () => {
    const q = new Queue<unknown>({ capacity: 4, bytes: 1 << 16 });
    checkProperty(
      "base64",
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const item = {
          b: bytes.slice().buffer,
          m: new Map([[1, bytes.length]]),
        };
        q.put(item, WAIT);
        const got = q.get(WAIT) as typeof item;
        assert.ok(got.b instanceof ArrayBuffer);
        assert.deepEqual(new Uint8Array(got.b), bytes);
        assert.equal(got.m.get(1), bytes.length);
      }),
      200,
    );
  });

  it("with String.prototype.charCodeAt (and the other text built-ins) replaced around each put and get, strings of every length come back exactly (property)", () => {
    const q = new Queue<unknown>({ capacity: 16, bytes: 1 << 16 });
    const replaced = <T>(f: () => T): T => {
      const restore = replaceText();
      try {
        return f();
      } finally {
        restore();
      }
    };
    // Strings rich in "a" (which the replacements read as "b").
    const withA = fc.tuple(text, fc.nat({ max: 300 })).map(([s, n]) =>
      ("a".repeat(n % 90) + s).slice(0, 300)
    );
    checkProperty(
      "replaced",
      fc.property(withA, key, (s, k) => roundTrip(q, itemsOf(s, k), replaced)),
      200,
    );
    // Buffers too: the base64 decode's loop.
    const bytes = new Uint8Array(300).map((_, i) => (i * 97) & 0xff);
    replaced(() => q.put({ b: bytes.buffer, u: undefined }, WAIT));
    const got = replaced(() => q.get(WAIT)) as { b: ArrayBuffer };
    assert.deepEqual(new Uint8Array(got.b), bytes);
  });
});
