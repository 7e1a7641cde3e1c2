// Copyright 2026 the threadkit authors. MIT license.
// Objects whose keys JSON escapes arrive with their own keys, in order,
// through every path that carries them as JSON text, even when the parser
// of both threads was poisoned first (V8's misreading of escaped keys,
// _core/json.ts; tests/_json_keys.ts): Queue put/get and putMany/getMany
// (the FIFO ring, one item and a run), the LIFO and priority byte stores,
// a queue between threads both ways, an executor's args, result and error,
// a Thread's args and result, and a spare thread's start and result.

import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  moduleTarget,
  prestartThreads,
  PriorityQueue,
  Queue,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { parseJson, renameRead } from "../../_core/json.ts";
import { decodeError, encodeError } from "../../_core/outcome.ts";
import { decodeValue, encodeValue } from "../../queue/_codec.ts";
import { assertCloneEqual } from "../_clone_equal.ts";
import { ESCAPED_KEYS, poisonJson } from "../_json_keys.ts";
import { spares, startOnSpare } from "../_helpers.ts";
import type * as targets from "../_workers/json_keys.ts";

const TARGETS = new URL("../_workers/json_keys.ts", import.meta.url);
const target = <K extends keyof typeof targets>(name: K) =>
  moduleTarget<(typeof targets)[K]>(TARGETS, name);
const JOIN = { timeout: 60_000 };

class Fields {
  x = 1;
  constructor(key: string) {
    (this as unknown as Record<string, unknown>)[key] = 2;
  }
  y = 3; // (defined before the constructor body: key order x, y, key)
}

function define(o: object, key: string, value: unknown): object {
  Object.defineProperty(o, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return o;
}

/** Each escaped key as first key, after another, nested, in a Map value,
 * in an array of objects, as a class instance's field, beside a value
 * that makes the item tagged (undefined), and all keys in one object. */
function samples(): unknown[] {
  const out: unknown[] = [];
  for (const k of ESCAPED_KEYS) {
    const first = define({}, k, 1);
    (first as Record<string, unknown>).x = 2;
    const after = define({ x: 1 }, k, 2);
    (after as Record<string, unknown>).y = 3;
    out.push(
      first,
      after,
      { x: 1, o: define({ x: 1 }, k, { x: 1, y: [k] }) },
      new Map([["m", define({ x: 1 }, k, 2)]]),
      [define({ x: 1 }, k, 1), define({ x: 2 }, k, 2), define({ k: 3 }, k, 3)],
      new Fields(k),
      define({ x: undefined }, k, [undefined, -0]),
    );
  }
  const all = { x: 0 };
  for (const k of ESCAPED_KEYS) define(all, k, k);
  out.push(all, [all, { x: 1 }]);
  return out;
}

const SAMPLES = samples();
const WANT = SAMPLES.map((v) => structuredClone(v));

function check(got: unknown[], want: unknown[] = WANT): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assertCloneEqual(got[i], want[i]);
}

describe("Escaped object keys, after the parser was poisoned", () => {
  beforeEach(() => void poisonJson());
  afterEach(() => prestartThreads(0));

  it("parseJson reads escaped keys exactly, and a text that is not JSON throws SyntaxError", () => {
    for (const k of ESCAPED_KEYS) {
      const text = JSON.stringify({ x: 1, [k]: { x: 1, [k]: [k] }, y: 2 });
      const got = parseJson(text) as Record<string, Record<string, unknown>>;
      assert.deepEqual(Object.keys(got), ["x", k, "y"]);
      assert.deepEqual(Object.keys(got[k]), ["x", k]);
      assert.deepEqual(got[k][k], [k]);
    }
    // A "__proto__" key written with an escape is an own data property.
    const p = parseJson('{"x":1,"\\u005f_proto__":{"a":1},"\\n":2}');
    assert.deepEqual(Object.keys(p as object), ["x", "__proto__", "\n"]);
    assert.equal(Object.getPrototypeOf(p), Object.prototype);
    for (
      const bad of [
        '{"x":1,"\\q":1}',
        '{"x":1,"\\n":1',
        '{"x":1,"\\n" 1}',
        '{"x":1,"\\n\u0001":1}',
        '{"x":1,"\\u12":1}',
        "[1,]",
      ]
    ) assert.throws(() => parseJson(bad), SyntaxError, bad);
  });

  it("parseJson gives what JSON.stringify wrote, and throws where JSON.parse throws (generated texts)", () => {
    // Keys and values of the characters that matter to the scan: quotes,
    // backslashes, controls, surrogates, and JSON's own punctuation.
    const units = [
      '"',
      "\\",
      "\n",
      "\u0000",
      "\ud800",
      "a",
      ":",
      ",",
      "{",
      "u",
    ];
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const str = () => {
      let s = "";
      for (let n = rnd(5); n > 0; n--) s += units[rnd(units.length)];
      return s;
    };
    const val = (d: number): unknown => {
      const r = rnd(d > 3 ? 2 : 4);
      if (r === 0) return str();
      if (r === 1) return rnd(100);
      if (r === 2) return Array.from({ length: rnd(4) }, () => val(d + 1));
      const o = {};
      for (let n = rnd(4); n > 0; n--) define(o, str(), val(d + 1));
      return o;
    };
    for (let i = 0; i < 20_000; i++) {
      const v = val(0), text = JSON.stringify(v);
      const spaced = i % 3 === 0 ? JSON.stringify(v, null, 1) : text;
      assert.equal(JSON.stringify(parseJson(spaced)), text, spaced);
      // One character changed: a SyntaxError exactly when JSON.parse's.
      const k = rnd(text.length + 1);
      const bad = text.slice(0, k) + units[rnd(units.length)] +
        text.slice(k + rnd(2));
      let want = "", got = "";
      try {
        JSON.parse(bad);
      } catch (e) {
        want = (e as Error).name;
      }
      try {
        parseJson(bad);
      } catch (e) {
        got = (e as Error).name;
      }
      assert.equal(got, want, bad);
    }
  });

  it("parseJson keeps the last of duplicate keys, as JSON.parse does, when one is escaped", () => {
    // Texts from elsewhere may repeat a key; an index key ("0") is ordered
    // before the others whatever its place in the text. The answers are
    // written out (this parser is poisoned: no reference from it).
    const cases: [string, [string, unknown][]][] = [
      ['{"\\u0030":1,"0":2}', [["0", 2]]],
      ['{"0":1,"\\u0030":2}', [["0", 2]]],
      ['{"\\u0030":1,"x":0,"0":2}', [["0", 2], ["x", 0]]],
      ['{"\\n":1,"\\u0031":2,"1":3,"\\n":4}', [["1", 3], ["\n", 4]]],
      ['{"a\\u0062":1,"ab":2}', [["ab", 2]]],
      ['{"ab":1,"a\\u0062":2}', [["ab", 2]]],
      ['{"\u00e9":1,"\\u00e9":2,"\u00e9":3}', [["\u00e9", 3]]],
      ['{"\u65e5":1,"\\u65e5":2,"\u65e5":3}', [["\u65e5", 3]]],
      ['{"a\u00e9":1,"a\\u00e9":2,"a\u00e9":3,"\\n":4}', [
        ["a\u00e9", 3],
        ["\n", 4],
      ]],
      ['{"\\u007f#0":1,"\\n":2,"\\u007f":3}', [
        ["\x7f#0", 1],
        ["\n", 2],
        ["\x7f", 3],
      ]],
    ];
    for (const [text, want] of cases) {
      const got = parseJson(text) as Record<string, unknown>;
      assert.deepEqual(Object.entries(got), want, text);
    }
    const nested = parseJson(
      '[{"x":1,"\\u0032":{"\\u0030":1,"0":[2]},"2":3}]',
    ) as Record<string, Record<string, unknown>>[];
    assert.deepEqual(Object.entries(nested[0]), [["2", 3], ["x", 1]]);
  });

  it("a long run with one escaped key is read in one pass (each backslash searched for once)", () => {
    const items: unknown[] = [];
    for (let i = 0; i < 20_000; i++) items.push({ id: i, s: "a\\b" });
    items.push({ x: 1, "\n": 1 });
    const text = JSON.stringify(items), before = renameRead();
    const got = parseJson(text) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(got[20_000]), ["x", "\n"]);
    // Searched to the next backslash once per string before: the text's
    // length times the strings (quadratic).
    assert.ok(renameRead() - before <= text.length, `${renameRead() - before}`);
  });

  it("an executor's error is read without the renaming pass: its text has no escaped key", () => {
    const errors = [
      new RangeError("m", { cause: new TypeError("c") }),
      Object.assign(new Error("p"), { code: 7, list: [1, "x"] }),
      new AggregateError([new Error("a"), 1], "agg"),
    ];
    for (const e of errors) {
      const before = renameRead();
      const back = decodeError(decodeValue(encodeValue(encodeError(e))));
      assert.equal(renameRead(), before, String(e));
      assert.ok(back instanceof Error && back.constructor === e.constructor);
      assert.equal(back.message, e.message);
    }
  });

  it("Queue put/get, one item at a time and by putMany/getMany", () => {
    const q = new Queue<unknown>({ capacity: 512, bytes: 1 << 20 });
    const got: unknown[] = [];
    for (const v of SAMPLES) {
      q.put(v);
      got.push(q.get({ timeout: 1000 }));
    }
    check(got);
    q.putMany(SAMPLES);
    check(q.getMany(SAMPLES.length, { timeout: 1000 }));
    for (const v of SAMPLES) q.put(v); // a run of one-by-one puts
    check(q.getMany(SAMPLES.length, { timeout: 1000 }));
  });

  it("LifoQueue and PriorityQueue put/get (the byte stores)", () => {
    const lifo = new LifoQueue<unknown>({ capacity: 4, bytes: 1 << 20 });
    const prio = new PriorityQueue<unknown>({ capacity: 4, bytes: 1 << 20 });
    const a: unknown[] = [], b: unknown[] = [];
    for (const v of SAMPLES) {
      lifo.put(v);
      a.push(lifo.get({ timeout: 1000 }));
      prio.put([1, v]);
      b.push((prio.get({ timeout: 1000 }) as unknown[])[1]);
    }
    check(a);
    check(b);
  });

  it("a Queue between threads, both ways (each thread's parser poisoned)", async () => {
    const n = SAMPLES.length;
    const q = new Queue<unknown>({ capacity: 2 * n, bytes: 1 << 21 });
    for (const v of SAMPLES) q.put(v);
    q.putMany(SAMPLES);
    const reader = new Thread({ target: target("getAll"), args: [q, n, n] });
    reader.start();
    check(await reader.joinAsync(JOIN) as unknown[], [...WANT, ...WANT]);
    const writer = new Thread({ target: target("putAll"), args: [q, SAMPLES] });
    writer.start();
    assert.equal(await writer.joinAsync(JOIN), n);
    check(q.getMany(2 * n, { timeout: 1000 }), [...WANT, ...WANT]);
  });

  it("an executor's args, result and error", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    await pool.submit(target("poison")); // the pool thread's parser
    check(await pool.submit(target("echo"), ...SAMPLES) as unknown[]);
    const results = await Promise.all(
      SAMPLES.map((v) => pool.submit(target("echo"), v)),
    );
    check(results.map((r) => (r as unknown[])[0]));
    for (let i = 0; i < SAMPLES.length; i++) {
      const e = await pool.submit(target("throwWith"), SAMPLES[i]).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(e instanceof Error, String(e));
      assertCloneEqual(e.cause, WANT[i]);
    }
  });

  it("a Thread's args and result, and a spare thread's start and result", async () => {
    const t = new Thread({ target: target("echo"), args: SAMPLES });
    t.start();
    check(await t.joinAsync(JOIN) as unknown[]);
    // A spare's start record and result carry primitives: strings that
    // JSON escapes.
    await spares(1);
    const s = new Thread({
      target: (...keys: string[]) => keys.join("|"),
      args: [...ESCAPED_KEYS],
    });
    startOnSpare(s);
    assert.equal(await s.joinAsync(JOIN), ESCAPED_KEYS.join("|"));
  });
});
