// Copyright 2026 the threadkit authors. MIT license.
// Encodes under a program that replaced built-ins (Array[Symbol.species],
// Array.prototype.constructor, the iterators, map, push, toString, ...):
// the encoders (Thread args: _core/transfer.ts; queue items and task args:
// queue/_codec.ts, _tagged.ts) call none of them, as structured clone calls
// none (_core/primordials.ts). Each replacement counts its calls and
// throws, so an encode that calls one fails (a hanging one would hang it);
// each is armed only around the synchronous call that encodes, and put back
// before anything else runs. toJSON, which JSON.stringify calls, makes a put
// refuse with a TypeError, the queue as it was.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { decodeTransfer, encodeTransfer } from "../../_core/transfer.ts";
import { blockRefs } from "../../_core/heap.ts";
import { assertCloneEqual } from "../_clone_equal.ts";
import { decodeValue, encodeValue } from "../../queue/_codec.ts";
import { decodeError, encodeError } from "../../_core/outcome.ts";
import * as block from "../../_core/spare_block.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
let calls = 0;
let where = "";
let flats = 0;
// The trap's own built-ins, as at load (it may replace any of them).
const E = Error, call = Reflect.apply, split = String.prototype.split;
const join = Array.prototype.join, cut = Array.prototype.slice;
function trap(): never {
  if (calls++ === 0) {
    const lines = call(split, new E().stack ?? "", ["\n"]);
    where = call(join, call(cut, lines, [2, 5]), [" <- "]);
  }
  throw new E("a replaced built-in was called");
}

// Each: replaces one built-in; returns what puts it back.
const REPLACED: [string, () => () => void][] = [
  ["Array[Symbol.species]", () => swapGetter(Array, Symbol.species)],
  [
    "Array.prototype.constructor",
    () => swapGetter(Array.prototype, "constructor"),
  ],
  [
    "Array.prototype[Symbol.iterator]",
    () => swap(Array.prototype, Symbol.iterator),
  ],
  [
    "%ArrayIteratorPrototype%.next",
    () => swap(Object.getPrototypeOf([][Symbol.iterator]()), "next"),
  ],
  ["Array.prototype.map", () => swap(Array.prototype, "map")],
  ["Array.prototype.push", () => swap(Array.prototype, "push")],
  ["Array.prototype.every", () => swap(Array.prototype, "every")],
  ["Array.prototype.concat", () => swap(Array.prototype, "concat")],
  [
    "Map.prototype[Symbol.iterator]",
    () => swap(Map.prototype, Symbol.iterator),
  ],
  ["Map.prototype.forEach", () => swap(Map.prototype, "forEach")],
  [
    "Set.prototype[Symbol.iterator]",
    () => swap(Set.prototype, Symbol.iterator),
  ],
  ["Map[Symbol.hasInstance]", () => define(Map, Symbol.hasInstance)],
  ["Date.prototype.getTime", () => swap(Date.prototype, "getTime")],
  ["Number.prototype.valueOf", () => swap(Number.prototype, "valueOf")],
  ["RegExp.prototype.flags", () => swapGetter(RegExp.prototype, "flags")],
  ["RegExp.prototype.source", () => swapGetter(RegExp.prototype, "source")],
  ["Object.prototype.toString", () => swap(Object.prototype, "toString")],
  ["Function.prototype.call", () => swap(Function.prototype, "call")],
  ["globalThis.btoa", () => swap(globalThis, "btoa")],
  // subarray's species lookup on the codec's own scratch views.
  [
    "Uint8Array.prototype.constructor",
    () => swapGetter(Uint8Array.prototype, "constructor"),
  ],
  [
    "%TypedArray%.prototype.subarray",
    () => swap(Object.getPrototypeOf(Uint8Array.prototype), "subarray"),
  ],
  ["globalThis.Date", () => swapGetter(globalThis, "Date")],
  // The walks' own bookkeeping (seen, ids, copies): Map and Set methods.
  ["Map.prototype.get", () => swap(Map.prototype, "get")],
  ["Map.prototype.set", () => swap(Map.prototype, "set")],
  ["Map.prototype.has", () => swap(Map.prototype, "has")],
  ["Set.prototype.has", () => swap(Set.prototype, "has")],
  ["Set.prototype.add", () => swap(Set.prototype, "add")],
  ["globalThis.Error", () => swapGetter(globalThis, "Error")],
  // Read at call time, they would be the program's: a copy or a decode's
  // Map and Set are made from the constructors as they were at load.
  ["globalThis.Map", () => swapGetter(globalThis, "Map")],
  ["globalThis.Set", () => swapGetter(globalThis, "Set")],
  // A class instance's platform check (_core/platform.ts).
  ["globalThis.MessagePort", () => swapGetter(globalThis, "MessagePort")],
  // The JSON codec's own calls (queue/_codec.ts, _tagged.ts, _core/json.ts)
  // and the marker keys' check (_core/transfer_keys.ts: RegExp test looks
  // up exec).
  ["JSON.stringify", () => swap(JSON, "stringify")],
  ["JSON.parse", () => swap(JSON, "parse")],
  ["Object.keys", () => swap(Object, "keys")],
  ["Array.isArray", () => swap(Array, "isArray")],
  ["RegExp.prototype.exec", () => swap(RegExp.prototype, "exec")],
  // The text loops (shape records, region text, base64, the spare block)
  // and the number and bigint forms of the tagged codec.
  [
    "String.prototype.charCodeAt",
    () => swap(String.prototype, "charCodeAt"),
  ],
  // A getter (whose read is a call), and none at all with a Proxy as
  // String.prototype's prototype (a lookup of charCodeAt past
  // String.prototype would run its traps): the text loops read neither.
  [
    "String.prototype.charCodeAt as a getter",
    () => swapGetter(String.prototype, "charCodeAt"),
  ],
  [
    "String.prototype.charCodeAt deleted, a Proxy as String.prototype's prototype",
    () => proxyBelow(String.prototype, "charCodeAt"),
  ],
  ["String.prototype.slice", () => swap(String.prototype, "slice")],
  ["String.fromCharCode", () => swap(String, "fromCharCode")],
  ["BigInt.prototype.toString", () => swap(BigInt.prototype, "toString")],
  ["globalThis.String", () => swapGetter(globalThis, "String")],
  ["globalThis.Number", () => swapGetter(globalThis, "Number")],
  ["globalThis.BigInt", () => swapGetter(globalThis, "BigInt")],
  ["Number.isFinite", () => swap(Number, "isFinite")],
  ["Number.isInteger", () => swap(Number, "isInteger")],
  ["Object.is", () => swap(Object, "is")],
  ["Math.max", () => swap(Math, "max")],
  ["Math.min", () => swap(Math, "min")],
  ["Array.prototype.join", () => swap(Array.prototype, "join")],
  ["Object.getPrototypeOf", () => swap(Object, "getPrototypeOf")],
  ["Object.defineProperty", () => swap(Object, "defineProperty")],
  ["Object.create", () => swap(Object, "create")],
  ["Object.hasOwn", () => swap(Object, "hasOwn")],
  [
    "Object.getOwnPropertyNames",
    () => swap(Object, "getOwnPropertyNames"),
  ],
  ["Object.entries", () => swap(Object, "entries")],
  ["Object.values", () => swap(Object, "values")],
  ["globalThis.structuredClone", () => swap(globalThis, "structuredClone")],
  // A boxed primitive's decode (Object(v)), and the byte stores' gets.
  ["globalThis.Object", () => swapGetter(globalThis, "Object")],
  ["globalThis.Array", () => swapGetter(globalThis, "Array")],
  ["Array.prototype.fill", () => swap(Array.prototype, "fill")],
  [
    "%TypedArray%.prototype.slice",
    () => swap(Object.getPrototypeOf(Uint8Array.prototype), "slice"),
  ],
];

const WALKS_ONLY = [
  "Map.prototype.get",
  "Map.prototype.set",
  "Map.prototype.has",
  "Set.prototype.has",
  "Set.prototype.add",
];

// As at load: the replacements and their undoing use none of the built-ins
// replaced (Object.defineProperty among them).
const defineProp = Object.defineProperty,
  getDesc = Object.getOwnPropertyDescriptor;

function swap(o: object, k: PropertyKey): () => void {
  const d = getDesc(o, k)!;
  defineProp(o, k, {
    value: trap,
    writable: true,
    enumerable: d.enumerable,
    configurable: true,
  });
  return () => defineProp(o, k, d);
}
function swapGetter(o: object, k: PropertyKey): () => void {
  const d = getDesc(o, k)!;
  defineProp(o, k, { get: trap, configurable: true });
  return () => defineProp(o, k, d);
}
const setProto = Object.setPrototypeOf, protoOf = Object.getPrototypeOf;
const Proxy_ = Proxy;
// Deletes o[k] and puts a Proxy of o's prototype, whose traps are the
// trap, between o and it.
function proxyBelow(o: object, k: PropertyKey): () => void {
  const d = getDesc(o, k)!, p = protoOf(o);
  delete (o as Any)[k];
  setProto(
    o,
    new Proxy_(p, { get: trap, has: trap, getOwnPropertyDescriptor: trap }),
  );
  return () => {
    setProto(o, p);
    defineProp(o, k, d);
  };
}
function define(o: object, k: PropertyKey): () => void {
  defineProp(o, k, { value: trap, configurable: true });
  return () => delete (o as Any)[k];
}

// Runs `f` with one built-in replaced; throws (after putting it back) if
// `f` called it.
function armed<T>(make: () => () => void, f: () => T): T {
  calls = 0;
  where = "";
  const restore = make();
  let out: T;
  try {
    out = f();
  } catch (error) {
    if (calls === 0) throw error;
  } finally {
    restore();
  }
  assert.equal(calls, 0, `called at ${where}`);
  return out!;
}

// A class instance: goes as its own properties (structured clone's
// ordinary object), after the platform class check (_core/platform.ts).
class Point {
  constructor(readonly x: number, readonly y: unknown) {}
}

// Every kind the encoders walk: nested arrays (holes, an extra key), a
// Map, a Set, a Date, a RegExp, a boxed number, a view, undefined, a class
// instance.
// Whether the runtime itself reads globalThis.Error when an error's stack
// is set (Node's prepareStackTrace hook does): then any decode that makes an
// Error reads it, whatever threadkit does, and that entry's items hold none.
const RUNTIME_READS_ERROR = (() => {
  let read = false;
  const d = getDesc(globalThis, "Error")!;
  defineProp(globalThis, "Error", {
    get: () => (read = true, d.value),
    configurable: true,
  });
  try {
    defineProp(new RangeError("x"), "stack", { value: "s" });
  } finally {
    defineProp(globalThis, "Error", d);
  }
  return read;
})();
const makesNoError = (name: string) =>
  name === "globalThis.Error" && RUNTIME_READS_ERROR;

function item(withError = true): unknown {
  const arr: unknown[] = [1, , "x", { y: [2, 3] }];
  (arr as Any).extra = "e";
  const out = {
    arr,
    map: new Map<unknown, unknown>([["k", [1, { z: 2 }]], [{ o: 1 }, "v"]]),
    set: new Set([[4], "s"]),
    date: new Date(5),
    re: /a+b/gimsuy,
    boxed: [Object(6), Object(12n), Object("aaaa"), Object(false)],
    bytes: new Uint8Array([7, 8, 9]),
    u: undefined,
    point: new Point(1, [new Map([[2, 3]])]),
    "\u0000threadkit": "marker-like key",
    "\x7f": "the tagged form's marker key",
    // Numbers and bigints the tagged form writes as text, and strings of
    // each width (Latin-1, UTF-16 units, an escape).
    nums: [12n, -(2n ** 70n), NaN, -0, Infinity, -Infinity, 0.5],
    text: ["aaaa", "caf\u00e9 aaaa", "\u4e2d\u6587 aaaa", 'a "q"\n'],
    error: Object.assign(new RangeError("aaaa", { cause: 12n }), { n: 7n }),
  };
  // Its stack is made now: the engine makes it at the first read, and
  // Deno's formatting of it reads globalThis.Error.
  void (out.error as Error).stack;
  if (!withError) delete (out as Partial<typeof out>).error;
  return out;
}

describe("encodes under replaced built-ins", () => {
  // The first encode in a process loads what the runtime loads lazily
  // (Deno's node:process, the platform classes: _core/host.ts isProxy,
  // _core/platform.ts), running the runtime's own code once: done here,
  // before any replacement.
  encodeTransfer([item()]);
  new Queue<unknown>({ capacity: 1, bytes: 1 << 16 }).put(item());

  for (const [name, make] of REPLACED) {
    it(`${name}: Thread args encode without calling it`, () => {
      const lock = new Lock();
      const value = [item(!makesNoError(name)), lock, [lock]];
      const encoded = armed(make, () => encodeTransfer(value));
      // What the thread would decode (from a clone), as the value.
      const cloned = structuredClone(encoded);
      const back = armed(make, () => decodeTransfer(cloned)) as unknown[];
      assert.ok(back[1] instanceof Lock);
      assert.equal((back[2] as unknown[])[0], back[1]);
      assertCloneEqual(back[0], structuredClone(value[0]));
    });

    it(`${name}: a Queue put encodes without calling it`, () => {
      const q = new Queue<unknown>({ capacity: 4, bytes: 1 << 16 });
      const value = item(!makesNoError(name));
      armed(make, () => q.put(value));
      armed(make, () => q.putMany([value, [value]]));
      // The decode too: a get makes the item's Maps, Sets and Dates.
      const want = structuredClone(value);
      assertCloneEqual(armed(make, () => q.get({ timeout: 1_000 })), want);
      assertCloneEqual(armed(make, () => q.get({ timeout: 1_000 })), want);
      assertCloneEqual(armed(make, () => q.get({ timeout: 1_000 })), [want]);
      // A batch both ways: tagged items, and plain ones (read as one run).
      armed(make, () => q.putMany([value, "aaaa", { a: "aaaa" }]));
      assertCloneEqual(armed(make, () => q.getMany(3, { timeout: 1_000 })), [
        want,
        "aaaa",
        { a: "aaaa" },
      ]);
      armed(make, () => q.putMany(["aaaa", { a: ["aaaa", 1.5] }]));
      assert.deepEqual(armed(make, () => q.getMany(2, { timeout: 1_000 })), [
        "aaaa",
        { a: ["aaaa", 1.5] },
      ]);
      // A flat object (the shape path) of a byte length not met before
      // (its view of the scratch is made then).
      const flat = { s: "x".repeat(300 + ++flats), ok: true, n: 1 };
      // Flat objects of each string width (the shape path's text loops).
      const flats2 = [
        { a: "aaaa", b: "caf\u00e9", n: 1.5 },
        { a: "aaaa", w: "\u4e2d\u6587", ok: false },
      ];
      for (const f of flats2) {
        armed(make, () => q.put(f));
        assert.deepEqual(armed(make, () => q.get({ timeout: 1_000 })), f);
      }
      armed(make, () => q.put(flat));
      assert.deepEqual(q.get({ timeout: 1_000 }), flat);
      // The byte stores (LifoQueue, PriorityQueue): put, get and getMany.
      const lifo = new LifoQueue<unknown>({ capacity: 4, bytes: 1 << 16 });
      const prio = new PriorityQueue<unknown>({ capacity: 4, bytes: 1 << 16 });
      armed(make, () => lifo.put(value));
      armed(make, () => prio.put([1, value]));
      assertCloneEqual(armed(make, () => lifo.get({ timeout: 1_000 })), want);
      assertCloneEqual(armed(make, () => prio.get({ timeout: 1_000 })), [
        1,
        want,
      ]);
      armed(make, () => lifo.putMany([value, "aaaa"]));
      armed(make, () => prio.putMany([[2, "aaaa"], [1, value]]));
      assertCloneEqual(armed(make, () => lifo.getMany(2, { timeout: 1_000 })), [
        "aaaa",
        want,
      ]);
      assertCloneEqual(armed(make, () => prio.getMany(2, { timeout: 1_000 })), [
        [1, want],
        [2, "aaaa"],
      ]);
      // A primitive of the shared heap: its reference taken and handed over
      // (queue/_held.ts, _tagged.ts).
      const lock = new Lock();
      armed(make, () => q.put([lock, { lock }]));
      const got = armed(make, () => q.get({ timeout: 1_000 })) as Any;
      assert.equal(got[0], got[1].lock);
      assert.ok(got[0] instanceof Lock);
    });
  }

  for (const [name, make] of REPLACED) {
    it(
      `${name}: an error's encode and decode (an executor's, a Thread's) call it not`,
      {
        // (a decode makes an Error: see RUNTIME_READS_ERROR)
        skip: makesNoError(name) ? "the runtime reads globalThis.Error" : false,
      },
      () => {
        const error = (item() as Any).error as RangeError;
        // An Error arrives with its class, message, cause and own properties.
        const same = (got: Any) => {
          assert.ok(got instanceof RangeError);
          assert.equal(got.message, "aaaa");
          assert.equal(got.cause, 12n);
          assert.equal((got as Any).n, 7n);
          assert.equal(got.stack, error.stack);
        };
        const lookalike = { "\u0000threadkit.error": true, name: "RangeError" };
        const aggregate = new AggregateError([error, 12n], "aaaa");
        void aggregate.stack; // (made now: see item())
        const thrown: [unknown, (got: Any) => void][] = [
          [error, same],
          [aggregate, (got) => {
            assert.ok(got instanceof AggregateError);
            assert.equal(got.message, "aaaa");
            same(got.errors[0]);
            assert.equal(got.errors[1], 12n);
          }],
          [
            lookalike,
            (got) => assertCloneEqual(got, structuredClone(lookalike)),
          ],
          [12n, (got) => assert.equal(got, 12n)],
        ];
        for (const [e, check] of thrown) {
          // An executor's: bytes in the task's slot (pool/_payload.ts).
          const bytes = armed(make, () => encodeValue(encodeError(e)));
          check(armed(make, () => decodeError(decodeValue(bytes))));
          // A Thread's: posted (structured clone) and decoded.
          const posted = structuredClone(armed(make, () => encodeError(e)));
          check(armed(make, () => decodeError(posted)));
        }
      },
    );

    it(`${name}: a spare thread's start record and result call it not`, () => {
      const b = block.newBlock();
      const args = ["aaaa", "caf\u00e9", "\u4e2d", 12n, -0, NaN, undefined];
      const target = { kind: "source" as const, source: "(x) => x", name: "a" };
      const record = { ident: 1, entry: 2, nameSeq: 3, target, args };
      assert.ok(armed(make, () => block.writeRecord(b, record)));
      assert.deepEqual(armed(make, () => block.readRecord(b)), record);
      for (const v of args) {
        const r = block.newBlock();
        assert.ok(armed(make, () => block.writeResult(r, v)));
        assert.deepEqual(armed(make, () => block.readResult(r)), { value: v });
      }
    });
  }

  it("a pool task's args encode without calling any of them", {
    timeout: 120_000,
  }, () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      // A started pool thread: submit then only writes a slot.
      assert.equal(pool.submit(() => 1).result({ timeout: 60_000 }), 1);
      for (const [name, make] of REPLACED) {
        // (the pool's own tables are Maps: only the walks' are covered)
        if (WALKS_ONLY.includes(name)) continue;
        const value = item(!makesNoError(name));
        const f = armed(make, () => pool.submit((v: unknown) => v, value));
        // A primitive of the shared heap in the args (queue/_held.ts).
        const lock = new Lock();
        const g = armed(make, () => pool.submit((l: Lock) => l, lock));
        assert.ok(g.result({ timeout: 60_000 }) instanceof Lock);
        assertCloneEqual(f.result({ timeout: 60_000 }), structuredClone(value));
      }
    } finally {
      pool.shutdown({ wait: true });
    }
  });

  it("a view's own buffer, byteOffset, length and constructor getters are not run (structured clone reads slots)", () => {
    let runs = 0;
    const view = new Uint8Array([1, 2, 3]);
    for (const k of ["buffer", "byteOffset", "length", "constructor"]) {
      Object.defineProperty(view, k, {
        get() {
          runs++;
          throw new Error(`${k} getter ran`);
        },
      });
    }
    const q = new Queue<unknown>({ capacity: 2, bytes: 1 << 16 });
    q.put({ view });
    encodeTransfer([{ view }]);
    assert.equal(runs, 0);
    assert.deepEqual(q.get({ timeout: 1_000 }), {
      view: new Uint8Array([1, 2, 3]),
    });
  });

  it("ArrayBuffer.isView replaced: a view's put and Thread args call it not", () => {
    const value = {
      u: new Uint8Array([1, 2]),
      d: new DataView(new ArrayBuffer(2)),
    };
    const q = new Queue<unknown>({ capacity: 2, bytes: 1 << 16 });
    armed(() => swap(ArrayBuffer, "isView"), () => q.put(value));
    armed(() => swap(ArrayBuffer, "isView"), () => encodeTransfer([value]));
    assert.deepEqual(q.get({ timeout: 1_000 }), value);
  });

  it("a getter that replaces Array[Symbol.species] mid-walk runs no species", () => {
    const restore: (() => void)[] = [];
    const value = {
      get first() {
        restore.push(swapGetter(Array, Symbol.species));
        return 1;
      },
      later: [[1, 2], new Map([[1, [3]]])],
    };
    calls = 0;
    const q = new Queue<unknown>({ capacity: 2, bytes: 1 << 16 });
    try {
      encodeTransfer(value);
      q.put(value);
    } finally {
      for (const r of restore.reverse()) r();
    }
    assert.equal(calls, 0);
    assert.deepEqual(q.get({ timeout: 1_000 }), {
      first: 1,
      later: [[1, 2], new Map([[1, [3]]])],
    });
  });
});

describe("toJSON on Object.prototype or Array.prototype", () => {
  it("a pool submit refuses before any toJSON runs (the target table entry is JSON too)", () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    let ran = 0;
    Object.defineProperty(Object.prototype, "toJSON", {
      value() {
        ran++;
        return this;
      },
      configurable: true,
      writable: true,
    });
    try {
      assert.throws(
        () => pool.submit(() => 1),
        /Object\.prototype has a toJSON/,
      );
      assert.throws(() => pool.submit((x: unknown) => x, { a: 1 }), TypeError);
    } finally {
      delete (Object.prototype as Any).toJSON;
      pool.shutdown({ wait: true });
    }
    assert.equal(ran, 0);
  });

  for (const on of [Object.prototype, Array.prototype]) {
    const where = on === Object.prototype ? "Object" : "Array";
    it(`${where}.prototype.toJSON: a put refuses with a TypeError naming it, nothing held, the queue as it was; toJSON never runs`, () => {
      const q = new Queue<unknown>({ capacity: 4, bytes: 1 << 16 });
      q.put("before");
      const lock = new Lock();
      const at = (lock as Any)[Symbol.for("threadkit.toDescriptor")]()
        .byteOffset;
      const refs = blockRefs(at);
      let ran = 0;
      Object.defineProperty(on, "toJSON", {
        value() {
          ran++;
          return "changed";
        },
        configurable: true,
        writable: true,
      });
      try {
        for (const v of [{ a: [1, lock] }, [{ a: 1 }], undefined, new Map()]) {
          assert.throws(() => q.put(v), (e: unknown) => {
            assert.ok(e instanceof TypeError);
            assert.match(
              e.message,
              new RegExp(`${where}\\.prototype has a toJSON`),
            );
            return true;
          });
          assert.throws(() => q.putMany(["x", v]), TypeError);
        }
      } finally {
        delete (on as Any).toJSON;
      }
      assert.equal(ran, 0);
      assert.equal(blockRefs(at), refs);
      assert.equal(q.qsize(), 1);
      assert.equal(q.get({ timeout: 1_000 }), "before");
      q.put({ a: [1] });
      assert.deepEqual(q.get({ timeout: 1_000 }), { a: [1] });
    });
  }
});
