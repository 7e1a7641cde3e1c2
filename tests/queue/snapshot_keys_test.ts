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

describe("JSON path snapshot vs Object.prototype", () => {
  it("a nested key shadowing an inherited setter arrives (structuredClone keeps it)", () => {
    let sets = 0;
    Object.defineProperty(Object.prototype, "kind", {
      get() {
        return undefined;
      },
      set(_v) {
        sets++;
      },
      enumerable: false,
      configurable: true,
    });
    try {
      const item = { inner: {} as Record<string, unknown> };
      Object.defineProperty(item.inner, "kind", {
        value: "a",
        enumerable: true,
        writable: true,
        configurable: true,
      });
      const want = structuredClone(item);
      assert.equal(Object.hasOwn(want.inner, "kind"), true);
      for (const got of roundTrip(item)) {
        const g = got as { inner: object };
        assert.equal(Object.hasOwn(g.inner, "kind"), true, "kind lost");
        assert.equal((g.inner as { kind: string }).kind, "a");
      }
      assert.equal(sets, 0, "the inherited setter ran during a put");
    } finally {
      delete (Object.prototype as Record<string, unknown>).kind;
    }
  });

  it("a nested key shadowing a read-only inherited property arrives", () => {
    Object.defineProperty(Object.prototype, "fixed", {
      value: 0,
      writable: false,
      enumerable: false,
      configurable: true,
    });
    try {
      const inner = {} as Record<string, unknown>;
      Object.defineProperty(inner, "fixed", {
        value: 5,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      for (const got of roundTrip({ inner })) {
        assert.deepEqual(
          Object.getOwnPropertyDescriptor(
            (got as { inner: object }).inner,
            "fixed",
          )?.value,
          5,
        );
      }
    } finally {
      delete (Object.prototype as Record<string, unknown>).fixed;
    }
  });

  it("an array's own non-index key shadowing an inherited setter arrives", () => {
    let sets = 0;
    Object.defineProperty(Array.prototype, "extra", {
      get() {
        return undefined;
      },
      set(_v) {
        sets++;
      },
      enumerable: false,
      configurable: true,
    });
    try {
      const list = [1, 2];
      Object.defineProperty(list, "extra", {
        value: "x",
        enumerable: true,
        writable: true,
        configurable: true,
      });
      const want = structuredClone({ list });
      assert.equal(Object.hasOwn(want.list, "extra"), true);
      for (const got of roundTrip({ list })) {
        const g = (got as { list: unknown[] }).list;
        assert.deepEqual([...g], [1, 2]);
        assert.equal(Object.hasOwn(g, "extra"), true, "extra lost");
      }
      assert.equal(sets, 0, "the inherited setter ran during a put");
    } finally {
      delete (Array.prototype as unknown as Record<string, unknown>).extra;
    }
  });

  it("an array's own non-index key shadowing a read-only inherited property arrives (no TypeError)", () => {
    Object.defineProperty(Array.prototype, "fixed", {
      value: 0,
      writable: false,
      enumerable: false,
      configurable: true,
    });
    try {
      const list = [1];
      Object.defineProperty(list, "fixed", {
        value: 5,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      for (const got of roundTrip({ list })) {
        const g = (got as { list: unknown[] }).list;
        assert.equal(Object.getOwnPropertyDescriptor(g, "fixed")?.value, 5);
      }
    } finally {
      delete (Array.prototype as unknown as Record<string, unknown>).fixed;
    }
  });
});
