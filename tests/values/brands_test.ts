// Copyright 2026 the threadkit authors. MIT license.
// What a value is comes from its internal slots, as structured clone (the
// reference) reads them: not from its prototype chain, nor from its
// Symbol.toStringTag (a getter structured clone never runs). On every path
// (Thread args and results, Queue items on the shape, JSON and tag paths,
// a pool task's args and results) each value arrives as structuredClone on
// the same runtime makes it, or is refused with a TypeError where it
// throws, and runs none of the value's getters or a Proxy's traps.
// Not told (README: Threads), so not here: a WeakRef or a
// FinalizationRegistry given Object.prototype or null, nor an ArrayBuffer,
// a box, a Promise, ... so reparented with enumerable keys of its own.
// (Deno's own structuredClone runs three lookups on an object whose
// prototype is a Proxy, its host-object checks; Node's and Bun's run none,
// and neither does threadkit on any runtime: asserted as none here.)
// Where the runtimes' structured clones disagree, threadkit gives the same
// on all three, not asserted here: a revoked Proxy as prototype (Deno's
// throws; Node's, Bun's and threadkit's give its own properties), and
// Math, JSON, Atomics (Bun's throws; Deno's, Node's and threadkit's: {}).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  PriorityQueue,
  Queue,
  SimpleQueue,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import * as namespace from "./_namespace.ts";

type Made = { v: unknown; n: { c: number } };
const none = () => ({ c: 0 });
const reparent = <T extends object>(o: T, p: object | null): T =>
  Object.setPrototypeOf(o, p);

const CASES: Record<string, () => Made> = {
  "a Date given Object.prototype": () => ({
    v: reparent(new Date(5), Object.prototype),
    n: none(),
  }),
  "a Map given a null prototype": () => ({
    v: reparent(new Map<unknown, unknown>([[1, { a: 2 }]]), null),
    n: none(),
  }),
  "a Set given Object.prototype": () => ({
    v: reparent(new Set([1, "x"]), Object.prototype),
    n: none(),
  }),
  "a RegExp given a null prototype": () => ({
    v: reparent(/a+b/gi, null),
    n: none(),
  }),
  "a boxed number given a class's prototype": () => ({
    v: reparent(new Number(4), class K {}.prototype),
    n: none(),
  }),
  "an ArrayBuffer given a class's prototype": () => ({
    v: reparent(new Uint8Array([1, 2, 3]).buffer, class K {}.prototype),
    n: none(),
  }),
  "a typed array given Object.prototype": () => ({
    v: { u: reparent(new Uint8Array([1, 2, 3]), Object.prototype) },
    n: none(),
  }),
  "a DataView over a resizable buffer, given Object.prototype": () => ({
    v: {
      d: reparent(
        new DataView(new ArrayBuffer(8, { maxByteLength: 16 }), 2),
        Object.prototype,
      ),
    },
    n: none(),
  }),
  "a view whose resizable buffer was given a class's prototype": () => {
    const ab = new ArrayBuffer(4, { maxByteLength: 16 });
    const u = new Uint8Array(ab);
    u.set([1, 2, 3, 4]);
    reparent(ab, class K {}.prototype);
    return { v: { u }, n: none() };
  },
  "an ArrayBuffer given Object.prototype": () => ({
    v: reparent(new Uint8Array([1, 2, 3]).buffer, Object.prototype),
    n: none(),
  }),
  "a BigInt box given a null prototype": () => ({
    v: [reparent(Object(5n), null)],
    n: none(),
  }),
  "a Promise given Object.prototype (refused)": () => ({
    v: [reparent(Promise.resolve(1), Object.prototype)],
    n: none(),
  }),
  "a WeakMap, a WeakSet given a null prototype (refused)": () => ({
    v: { w: reparent(new WeakMap(), null), s: reparent(new WeakSet(), null) },
    n: none(),
  }),
  "a generator given Object.prototype (refused)": () => ({
    v: [reparent((function* () {})(), Object.prototype)],
    n: none(),
  }),
  "a Symbol box given Object.prototype (refused)": () => ({
    v: { s: reparent(Object(Symbol("s")), Object.prototype) },
    n: none(),
  }),
  "an Error given a null prototype": () => ({
    v: reparent(new RangeError("r"), null),
    n: none(),
  }),
  "an array given a null prototype": () => ({
    v: reparent([1, { b: 2 }], null),
    n: none(),
  }),
  "an object made from Map.prototype": () => ({
    v: Object.assign(Object.create(Map.prototype), { a: 1 }),
    n: none(),
  }),
  "an object made from Date.prototype": () => ({
    v: Object.assign(Object.create(Date.prototype), { a: 1 }),
    n: none(),
  }),
  "an object made from Set.prototype, in an array": () => ({
    v: [Object.assign(Object.create(Set.prototype), { s: "x" })],
    n: none(),
  }),
  "a class instance whose toStringTag getter says Promise": () => {
    const n = none();
    class C {
      a = 1;
      get [Symbol.toStringTag]() {
        n.c++;
        return "Promise";
      }
    }
    return { v: [new C(), { c: new C() }], n };
  },
  "a class instance whose toStringTag getter says Map": () => {
    const n = none();
    class C {
      a = 1;
      get [Symbol.toStringTag]() {
        n.c++;
        return "Map";
      }
    }
    return { v: new C(), n };
  },
  "a plain object whose own toStringTag says WeakMap": () => ({
    v: { a: 1, [Symbol.toStringTag]: "WeakMap" },
    n: none(),
  }),
  "an object whose prototype is a Proxy": () => {
    const n = none();
    const trap = () => (n.c++, undefined);
    const p = new Proxy({}, {
      get: trap,
      has: () => (n.c++, false),
      getPrototypeOf: () => (n.c++, Object.prototype),
      getOwnPropertyDescriptor: trap,
    });
    const v = Object.create(p);
    v.a = 1;
    return { v: [v, { w: v }], n };
  },
  "an object whose prototype's prototype is a Proxy": () => {
    const n = none();
    const p = new Proxy({}, {
      get: () => (n.c++, undefined),
      has: () => (n.c++, false),
      getPrototypeOf: () => (n.c++, null),
    });
    const v = Object.create(Object.create(p));
    v.a = 1;
    return { v, n };
  },
  "a Promise given a class's prototype (refused)": () => ({
    v: [reparent(Promise.resolve(1), class K {}.prototype)],
    n: none(),
  }),
  "a WeakMap given a class's prototype (refused)": () => ({
    v: { w: reparent(new WeakMap(), class K {}.prototype) },
    n: none(),
  }),
  // The first own key decides for an ordinary chain (_core/kinds.ts):
  "an Error with an enumerable code of its own": () => ({
    v: [Object.assign(new RangeError("r"), { code: "E_R" })],
    n: none(),
  }),
  "a Date subclass's instance with a key of its own": () => ({
    v: {
      d: new (class D extends Date {
        x = 1;
      })(7),
    },
    n: none(),
  }),
  "a Number box and a RegExp with keys of their own": () => ({
    v: [Object.assign(new Number(3), { k: 1 }), Object.assign(/x/g, { k: 2 })],
    n: none(),
  }),
  'a String box given a null prototype (its first key is "0")': () => ({
    v: [reparent(new String("ab"), null)],
    n: none(),
  }),
  'a plain object whose first key is "0"': () => ({
    v: [{ 0: "a", b: 1 }, Object.assign(Object.create(null), { 0: 1 })],
    n: none(),
  }),
  "an arguments object with a key of its own first (refused)": () => ({
    v: [(function (..._: unknown[]) {
      const a = arguments as unknown as Record<string, unknown>;
      a.extra = 1;
      return a;
    })()],
    n: none(),
  }),
  "an arguments object whose index 0 was deleted (refused)": () => ({
    v: {
      a: (function (..._: unknown[]) {
        const a = arguments as unknown as Record<string, unknown>;
        delete a[0];
        return a;
      })(1, 2),
    },
    n: none(),
  }),
  // structuredClone throws DataCloneError for one on Deno, Node and Bun.
  "a module namespace object (refused)": () => ({ v: namespace, n: none() }),
  "a module namespace object inside an array (refused)": () => ({
    v: [1, { ns: namespace }],
    n: none(),
  }),
  // Shaped as the spec shapes a namespace, but none: copied, as structured
  // clone copies it, where node:util's isModuleNamespaceObject tells (Deno,
  // Node, Bun); a host without it (browsers) refuses it (the fallback).
  "a null-prototype object shaped like a namespace": () => {
    const o = Object.assign(Object.create(null), { a: 1 });
    Object.defineProperty(o, Symbol.toStringTag, { value: "Module" });
    return { v: Object.preventExtensions(o), n: none() };
  },
  "an arguments object (refused)": () => ({
    v: [(function (..._: unknown[]) {
      return arguments;
    })(1, 2)],
    n: none(),
  }),
};

function reference(v: unknown): { ok: true; x: unknown } | { ok: false } {
  try {
    return { ok: true, x: structuredClone(v) };
  } catch {
    return { ok: false };
  }
}

describe("kinds from internal slots, on every path", () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const PATHS: Record<string, (v: unknown) => Promise<unknown>> = {
    "Thread arg and result": async (v) => {
      const t = new Thread({ target: (x: unknown) => x, args: [v] });
      t.start();
      return await t.joinAsync({ timeout: 60_000 });
    },
    "Queue item": (v) => {
      const q = new Queue({ capacity: 4 });
      q.put(v);
      return Promise.resolve(q.getNowait());
    },
    "Queue item, in a flat object": (v) => {
      const q = new SimpleQueue();
      q.put({ v });
      return Promise.resolve((q.getNowait() as { v: unknown }).v);
    },
    "SimpleQueue item": (v) => {
      const q = new SimpleQueue();
      q.put(v);
      return Promise.resolve(q.getNowait());
    },
    "PriorityQueue item": (v) => {
      const q = new PriorityQueue({ capacity: 4 });
      q.put([1, v]);
      return Promise.resolve((q.getNowait() as unknown[])[1]);
    },
    "task arg and result": async (v) => await pool.submit((x: unknown) => x, v),
  };
  for (const [cname, make] of Object.entries(CASES)) {
    it(cname, { timeout: 120_000 }, async () => {
      const want = reference(make().v);
      for (const [pname, send] of Object.entries(PATHS)) {
        const mine = make();
        let got: unknown, err: unknown, threw = false;
        try {
          got = await send(mine.v);
        } catch (e) {
          err = e;
          threw = true;
        }
        if (want.ok) {
          assert.ok(!threw, `${pname}: threw ${err}`);
          assert.deepStrictEqual(got, want.x, pname);
        } else {
          assert.ok(err instanceof TypeError, `${pname}: got ${err}`);
        }
        assert.equal(mine.n.c, 0, `${pname}: no getter or trap runs`);
      }
    });
  }
  it("teardown", () => pool.shutdown({ wait: true }));
});
