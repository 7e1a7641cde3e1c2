// Copyright 2026 the threadkit authors. MIT license.
// Values arrive as they were put when a program replaced the string and
// number built-ins after threadkit loaded, in the thread that puts and in
// the one that gets: String.prototype.charCodeAt and slice and
// String.fromCharCode that read "a" as "b", BigInt.prototype.toString and
// the String, Number and BigInt globals that give 7, Number.isFinite that
// says true (tests/_replace_text.ts). The threads run
// the worker module, whose loading replaces them there; this thread
// replaces them around each synchronous put, get and submit. Paths: a Queue
// between threads both ways (one by one and by putMany/getMany), an
// executor's args, result and error, a Thread's args and result, and a
// spare thread's result.

import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Lock,
  moduleTarget,
  prestartThreads,
  Queue,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { assertCloneEqual } from "../_clone_equal.ts";
import { spares, startOnSpare } from "../_helpers.ts";
import { replaceText } from "../_replace_text.ts";
import type * as targets from "../_workers/replaced_text.ts";

const TARGETS = new URL("../_workers/replaced_text.ts", import.meta.url);
const target = <K extends keyof typeof targets>(name: K) =>
  moduleTarget<(typeof targets)[K]>(TARGETS, name);
const JOIN = { timeout: 60_000 };

// Strings of each width holding "a", numbers and bigints the codecs write
// as text, flat objects (the shape path) and nested ones (JSON, tagged).
const VALUES: unknown[] = [
  "aaaa",
  "caf\u00e9 aaaa",
  "\u4e2d\u6587 aaaa",
  'a "q"\n',
  12n,
  -(2n ** 70n),
  NaN,
  -0,
  Infinity,
  1.5,
  { a: "aaaa", b: "caf\u00e9", n: 1.5 },
  { a: "aaaa", w: "\u4e2d", ok: true },
  { a: ["aaaa", 12n, NaN], m: new Map([["aaaa", -0]]) },
  ["aaaa", { "aa\n": "aaaa" }],
];
const WANT = VALUES.map((v) => structuredClone(v));

function check(got: unknown[], want: unknown[] = WANT): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assertCloneEqual(got[i], want[i]);
}

// Runs `f` with this thread's built-ins replaced.
function replaced<T>(f: () => T): T {
  const restore = replaceText();
  try {
    return f();
  } finally {
    restore();
  }
}

describe("String and number built-ins replaced after load", () => {
  afterEach(() => void prestartThreads(0));

  it("the replacements give wrong answers (so a codec that read one would fail)", () => {
    replaced(() => {
      // A string made at run time: Bun folds charCodeAt of a literal.
      assert.equal("a".repeat(4).charCodeAt(0), 0x62);
      assert.equal(String.fromCharCode(0x61), "b");
      assert.equal((12n).toString(), "7");
      assert.equal(String(12n), "7");
      assert.equal(Number("12"), 7);
      assert.equal(BigInt("12"), 7n);
    });
    assert.equal(String(12n), "12");
  });

  it("a Queue in this thread, one by one and by putMany/getMany", () => {
    const q = new Queue<unknown>({ capacity: 64, bytes: 1 << 16 });
    const got: unknown[] = [];
    for (const v of VALUES) {
      replaced(() => q.put(v));
      got.push(replaced(() => q.get({ timeout: 1000 })));
    }
    check(got);
    replaced(() => q.putMany(VALUES));
    check(replaced(() => q.getMany(VALUES.length, { timeout: 1000 })));
  });

  it("a Queue between threads, both ways", async () => {
    const n = VALUES.length;
    const q = new Queue<unknown>({ capacity: 2 * n, bytes: 1 << 18 });
    for (const v of VALUES) replaced(() => q.put(v));
    replaced(() => q.putMany(VALUES));
    const reader = new Thread({ target: target("getAll"), args: [q, n, n] });
    reader.start();
    check(await reader.joinAsync(JOIN) as unknown[], [...WANT, ...WANT]);
    const writer = new Thread({ target: target("putAll"), args: [q, VALUES] });
    writer.start();
    assert.equal(await writer.joinAsync(JOIN), n);
    const got: unknown[] = [];
    for (let i = 0; i < n; i++) {
      got.push(replaced(() => q.get({ timeout: 1000 })));
    }
    check(got);
    check(replaced(() => q.getMany(n, { timeout: 1000 })));
  });

  it("an executor's args, result and error", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    // The pool thread loads the module (its built-ins replaced) first.
    assert.equal(await pool.submit(target("replaced")), true);
    const f = replaced(() => pool.submit(target("echo"), ...VALUES));
    check(await f as unknown[]);
    for (let i = 0; i < VALUES.length; i++) {
      const g = replaced(() => pool.submit(target("echo"), VALUES[i]));
      check(await g as unknown[], [WANT[i]]);
      const e = await replaced(() =>
        pool.submit(target("throwWith"), VALUES[i])
      )
        .then(() => undefined, (e: unknown) => e);
      assert.ok(e instanceof RangeError, String(e));
      assert.equal(e.message, "aaaa");
      assertCloneEqual(e.cause, WANT[i]);
    }
  });

  it("a Thread's args (with a primitive: decoded there) and result", async () => {
    const lock = new Lock();
    const t = replaced(() =>
      new Thread({ target: target("echo"), args: [...VALUES, lock] })
    );
    replaced(() => t.start());
    const got = await t.joinAsync(JOIN) as unknown[];
    assert.ok(got.pop() instanceof Lock);
    check(got);
  });

  it("a spare thread's result", async () => {
    await spares(1);
    for (const v of ["aaaa", "caf\u00e9 aaaa", 12n, -0, NaN, Infinity]) {
      const s = new Thread({ target: target("echo"), args: [v] });
      replaced(() => startOnSpare(s));
      check(await s.joinAsync(JOIN) as unknown[], [v]);
      await spares(1);
    }
  });
});
