// Copyright 2026 the threadkit authors. MIT license.
// Builtins across threads, as CPython's tests use them: native functions
// (Math.abs, String, JSON.stringify...) as Thread, Timer and executor
// targets (a global or a global's property travels by its path,
// _core/target.ts), and DOMExceptions (AbortError, TimeoutError,
// DataCloneError) thrown in a thread or a task arriving as DOMExceptions
// with their name, message and code (_core/outcome.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Barrier, Thread, ThreadPoolExecutor, Timer } from "../../mod.ts";
import { within } from "../pool/_fixtures.ts";

const JOIN = { timeout: 30_000 };

// deno-lint-ignore no-explicit-any
async function run(target: any, ...args: unknown[]): Promise<unknown> {
  const t = new Thread({ target, args });
  t.start();
  return await t.joinAsync(JOIN);
}

describe("native functions as targets", () => {
  it("a Thread runs a global or a global's property: Math.abs, String, JSON.stringify, Number.isInteger, parseInt", async () => {
    assert.equal(await run(Math.abs, -3), 3);
    assert.equal(await run(String, 5), "5");
    assert.equal(await run(JSON.stringify, { a: [1, 2] }), '{"a":[1,2]}');
    assert.equal(await run(Number.isInteger, 2.5), false);
    assert.equal(await run(parseInt, "ff", 16), 255);
    assert.deepEqual(await run(Object.keys, { x: 1, y: 2 }), ["x", "y"]);
  });

  it("called with its holder as this, as written: Promise.resolve, Array.of", async () => {
    assert.equal(await run(Promise.resolve, 4), 4);
    assert.deepEqual(await run(Array.of, 1, 2), [1, 2]);
  });

  it("the executor: submit and map with Math.max, Math.abs, String (CPython's pow/abs/str)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    assert.equal(await within(pool.submit(Math.max, 1, 5, 3)), 5);
    assert.equal(await within(pool.submit(Math.pow, 2, 8)), 256);
    const out: unknown[] = [];
    for await (const y of pool.map(Math.abs, [-1, 2, -3], { chunksize: 2 })) {
      out.push(y);
    }
    assert.deepEqual(out, [1, 2, 3]);
    const strs: unknown[] = [];
    for await (const y of pool.map(String, [1, 2])) strs.push(y);
    assert.deepEqual(strs, ["1", "2"]);
  });

  it("a global this thread added as an alias of a builtin (globalThis.myMax = Math.max) does not hide the builtin's own path", async () => {
    const g = globalThis as Record<string, unknown>;
    g.myMax = Math.max;
    try {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      assert.equal(await within(pool.submit(Math.max, 1, 2)), 2);
      assert.equal(await run(Math.max, 3, 9), 9);
    } finally {
      delete g.myMax;
    }
  });

  it("a Barrier's action: Atomics.add on a shared word, run once per crossing", () => {
    const w = new Int32Array(new SharedArrayBuffer(4));
    const barrier = new Barrier(1, {
      action: Atomics.add as never,
      actionArgs: [w, 0, 5],
    });
    barrier.wait({ timeout: 10_000 });
    barrier.wait({ timeout: 10_000 });
    assert.equal(Atomics.load(w, 0), 10);
  });

  it("a Timer's target: Atomics.store into a shared word", async () => {
    const w = new Int32Array(new SharedArrayBuffer(4));
    const t = new Timer(0, Atomics.store as never, [w, 0, 7] as never);
    t.start();
    await within(t.joinAsync(JOIN));
    assert.equal(Atomics.load(w, 0), 7);
  });

  it("refused at the call with a TypeError: a bound function, a prototype's method, a getter", () => {
    const getter = Object.getOwnPropertyDescriptor(
      Map.prototype,
      "size",
    )!.get!;
    for (
      const fn of [Math.abs.bind(null), Array.prototype.map, getter, [].push]
    ) {
      assert.throws(() => new Thread({ target: fn as never }), {
        name: "TypeError",
        message: /native one that is not a global or a global's property/,
      });
    }
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      assert.throws(
        () => pool.submit(Math.abs.bind(null) as (x: number) => number, -1),
        TypeError,
      );
    } finally {
      pool.shutdown();
    }
  });
});

describe("DOMException across threads", () => {
  it("thrown in a thread: the join rejects with a DOMException, name, message and code kept", async () => {
    for (
      const [name, code] of [
        ["AbortError", 20],
        ["TimeoutError", 23],
        ["DataCloneError", 25],
        ["NotSupportedError", 9],
      ] as const
    ) {
      const t = new Thread({
        target: (name: string) => {
          throw new DOMException(`thrown as ${name}`, name);
        },
        args: [name],
      });
      t.start();
      const error = await t.joinAsync(JOIN).then(
        () => assert.fail("no error"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof DOMException, String(error));
      assert.equal(error.name, name);
      assert.equal(error.message, `thrown as ${name}`);
      assert.equal(error.code, code);
    }
  });

  it("a task's: an aborted signal's reason and a DataCloneError from structuredClone, a DOMException as a cause", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const aborted = pool.submit(() => AbortSignal.abort().throwIfAborted());
    await assert.rejects(within(aborted), (e: unknown) => {
      assert.ok(e instanceof DOMException);
      assert.deepEqual([e.name, e.code], ["AbortError", 20]);
      return true;
    });
    const clone = pool.submit(() => structuredClone(() => 1));
    await assert.rejects(within(clone), (e: unknown) => {
      assert.ok(e instanceof DOMException);
      assert.deepEqual([e.name, e.code], ["DataCloneError", 25]);
      return true;
    });
    const caused = pool.submit(() => {
      throw new Error("outer", {
        cause: new DOMException("inner", "TimeoutError"),
      });
    });
    await assert.rejects(within(caused), (e: unknown) => {
      const cause = (e as Error).cause;
      assert.ok(cause instanceof DOMException);
      assert.deepEqual([cause.name, cause.message, cause.code], [
        "TimeoutError",
        "inner",
        23,
      ]);
      return true;
    });
  });
});
