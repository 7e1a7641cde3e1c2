// Copyright 2026 the threadkit authors. MIT license.
// The JSON path's snapshot (queue/_codec.ts, "Read once") keeps every own
// enumerable key of a nested object or array as an own data property, as
// structuredClone does, even where Object.prototype or Array.prototype has
// an accessor or a read-only property of that name (the "override
// mistake": `c[key] = e` runs the inherited setter, or throws on a
// read-only one).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, Queue } from "../../mod.ts";

function roundTrip(item: unknown): unknown[] {
  const out: unknown[] = [];
  const q = new Queue<unknown>({ capacity: 4, bytes: 1 << 16 });
  q.put(item);
  out.push(q.get({ timeout: 1_000 }));
  assert.equal(q.putMany([item]), 1);
  out.push(q.getMany(1)[0]);
  const l = new LifoQueue<unknown>({ capacity: 4, bytes: 1 << 16 });
  l.put(item);
  out.push(l.get({ timeout: 1_000 }));
  return out;
}

// Runs `body` with `name` defined on `proto` as `desc` (not enumerable),
// then removes it.
function inherited(
  proto: object,
  name: string,
  desc: PropertyDescriptor,
  body: () => void,
): void {
  Object.defineProperty(proto, name, {
    ...desc,
    enumerable: false,
    configurable: true,
  });
  try {
    body();
  } finally {
    delete (proto as Record<string, unknown>)[name];
  }
}

// Gives `obj` an own enumerable data property.
function own<T extends object>(obj: T, name: string, value: unknown): T {
  return Object.defineProperty(obj, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

// A setter that counts its calls, and a read-only value.
function counting(): { desc: PropertyDescriptor; sets: () => number } {
  let n = 0;
  return {
    desc: {
      get: () => undefined,
      set: (_v: unknown) => {
        n++;
      },
    },
    sets: () => n,
  };
}
const READ_ONLY: PropertyDescriptor = { value: 0, writable: false };

describe("JSON path snapshot vs Object.prototype", () => {
  it("a nested key shadowing an inherited setter arrives (structuredClone keeps it)", () => {
    const c = counting();
    inherited(Object.prototype, "kind", c.desc, () => {
      const item = { inner: own({}, "kind", "a") };
      assert.equal(Object.hasOwn(structuredClone(item).inner, "kind"), true);
      for (const got of roundTrip(item)) {
        const g = (got as { inner: Record<string, unknown> }).inner;
        assert.equal(Object.hasOwn(g, "kind"), true, "kind lost");
        assert.equal(g.kind, "a");
      }
    });
    assert.equal(c.sets(), 0, "the inherited setter ran during a put");
  });

  it("a nested key shadowing a read-only inherited property arrives", () => {
    inherited(Object.prototype, "fixed", READ_ONLY, () => {
      for (const got of roundTrip({ inner: own({}, "fixed", 5) })) {
        const g = (got as { inner: object }).inner;
        assert.equal(Object.getOwnPropertyDescriptor(g, "fixed")?.value, 5);
      }
    });
  });

  it("an array's own non-index key shadowing an inherited setter arrives", () => {
    const c = counting();
    inherited(Array.prototype, "extra", c.desc, () => {
      const list = own([1, 2], "extra", "x");
      assert.equal(
        Object.hasOwn(structuredClone({ list }).list, "extra"),
        true,
      );
      for (const got of roundTrip({ list })) {
        const g = (got as { list: unknown[] }).list;
        assert.deepEqual([...g], [1, 2]);
        assert.equal(Object.hasOwn(g, "extra"), true, "extra lost");
      }
    });
    assert.equal(c.sets(), 0, "the inherited setter ran during a put");
  });

  it("an array's own non-index key shadowing a read-only inherited property arrives (no TypeError)", () => {
    inherited(Array.prototype, "fixed", READ_ONLY, () => {
      for (const got of roundTrip({ list: own([1], "fixed", 5) })) {
        const g = (got as { list: unknown[] }).list;
        assert.equal(Object.getOwnPropertyDescriptor(g, "fixed")?.value, 5);
      }
    });
  });
});
