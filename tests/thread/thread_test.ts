// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  activeCount,
  CancelledError,
  currentThread,
  enumerate,
  getIdent,
  Lock,
  mainThread,
  moduleTarget,
  RLock,
  RuntimeError,
  setExcepthook,
  spawn,
  Thread,
  TimeoutError,
} from "../../mod.ts";
import type * as counterModule from "../_workers/counter.ts";
import type * as reportModule from "../_workers/report.ts";
import { isBun, sleep, sleepers, until } from "../_helpers.ts";

const counter = new URL("../_workers/counter.ts", import.meta.url);
const reportUrl = new URL("../_workers/report.ts", import.meta.url);
const JOIN = { timeout: 30_000 };

describe("Thread", () => {
  it("Thread returns its value to the main thread (result, join, joinAsync)", async () => {
    const t = new Thread({
      target: (a: number, b: string) => `${b}${a * 2}`,
      args: [21, "n="],
    });
    assert.equal(t.ident, undefined);
    assert.equal(t.isAlive(), false);
    t.start();
    assert.equal(typeof t.ident, "number");
    assert.equal(t.join({ timeout: 30_000 }), true);
    assert.equal(t.isAlive(), false);
    assert.equal(t.result, "n=42");
    assert.equal(t.error, undefined);
    assert.equal(await t.joinAsync(JOIN), "n=42");
    // Async targets: the thread ends when the promise settles.
    const a = spawn(async (ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
      return { done: true, big: 2n ** 70n, when: new Date(0) };
    }, 20);
    assert.deepEqual(await a.joinAsync(JOIN), {
      done: true,
      big: 2n ** 70n,
      when: new Date(0),
    });
  });

  it("Thread with an empty name gets the default name, as in Python", async () => {
    const t = new Thread({ target: function named() {}, name: "" });
    assert.match(t.name, /^Thread-\d+ \(named\)$/);
    t.start();
    await t.joinAsync(JOIN);
  });

  it("Thread module targets run an exported function with typed args", async () => {
    const t = new Thread({
      target: moduleTarget<typeof counterModule.sum>(counter, "sum"),
      args: [40, 2],
      name: "summer",
    });
    t.start();
    const result: number = await t.joinAsync(JOIN);
    assert.equal(result, 42);
    assert.equal(t.name, "summer");
    const missing = new Thread({ target: { module: counter, export: "nope" } });
    missing.start();
    await assert.rejects(missing.joinAsync(JOIN), {
      name: "TypeError",
      message: /has no exported function "nope"/,
    });
  });

  it("Thread error reaches joinAsync with its class name, message, stack, cause and properties", async () => {
    const hooked: unknown[] = [];
    setExcepthook(({ error }) => hooked.push(error));
    try {
      const t = new Thread({
        target: { module: counter, export: "failParse" },
        args: ["x+"],
      });
      t.start();
      await assert.rejects(t.joinAsync(JOIN), (error: unknown) => {
        const e = error as Error & { line: number };
        assert.ok(e instanceof Error);
        assert.equal(e.name, "ParseError");
        assert.equal(e.message, 'cannot parse "x+"');
        assert.match(e.stack ?? "", /failParse/);
        assert.ok(e.cause instanceof TypeError);
        assert.equal((e.cause as Error).message, "bad token");
        assert.equal(e.line, 7);
        return true;
      });
      assert.equal((t.error as Error).name, "ParseError");
      assert.equal(t.result, undefined);
      assert.equal(
        t.join({ timeout: 1000 }),
        true,
        "join of an ended thread returns true",
      );
      // Joined, so it was handled: the hook saw nothing.
      assert.deepEqual(hooked, []);
      // A thrown non-Error value arrives as it was thrown.
      const s = spawn(() => {
        throw { code: 42 };
      });
      await assert.rejects(s.joinAsync(JOIN), (e: unknown) => {
        assert.deepEqual(e, { code: 42 });
        return true;
      });
    } finally {
      setExcepthook(undefined);
    }
  });

  it("Thread excepthook reports an unjoined thread's error once", async () => {
    const hooked: { error: unknown; name: string }[] = [];
    setExcepthook(({ error, thread }) =>
      hooked.push({ error, name: thread.name })
    );
    try {
      const t = new Thread({
        target: () => {
          throw new RangeError("nobody joins me");
        },
        name: "lonely",
      });
      t.start();
      await until(() => hooked.length > 0, "the hook to run");
      assert.equal(hooked.length, 1);
      assert.equal(hooked[0].name, "lonely");
      assert.ok(hooked[0].error instanceof RangeError);
      await assert.rejects(t.joinAsync(JOIN), RangeError);
      await sleep(20); // a quiet period: no second report
      assert.equal(hooked.length, 1, "reported more than once");
    } finally {
      setExcepthook(undefined);
    }
  });

  it("Thread source target that captured a closure variable fails naming the identifier", async () => {
    // Not a literal: no transpiler can fold it into the function's source.
    const factor = Number("3");
    const t = new Thread({
      target: (n: number) => n * factor,
      args: [2],
      name: "closure",
    });
    t.start();
    await assert.rejects(t.joinAsync(JOIN), (error: unknown) => {
      assert.ok(error instanceof ReferenceError);
      assert.match(
        (error as Error).message,
        /uses "factor", which is not defined in the thread/,
      );
      assert.match((error as Error).message, /Pass "factor" in args/);
      return true;
    });
  });

  it("Thread source target capturing a literal const: refused on Deno and Node, inlined by Bun", async () => {
    // Bun's transpiler folds a local const with a literal value into the
    // function's source text (`n * factor` is sent as `n * 3`), so the
    // target runs there; Deno and Node send the name and the thread fails.
    // Pinned here and in the README's support matrix.
    const factor = 3;
    const t = new Thread({ target: (n: number) => n * factor, args: [2] });
    t.start();
    if (isBun) {
      assert.equal(await t.joinAsync(JOIN), 6);
    } else {
      await assert.rejects(t.joinAsync(JOIN), /uses "factor"/);
    }
  });

  it("Thread source targets can use threadkit's exports and method shorthand", async () => {
    const t = new Thread({
      target: () => {
        const lock = new Lock();
        return [lock.acquire(), currentThread().name, getIdent() > 1];
      },
      name: "uses-exports",
    });
    t.start();
    assert.deepEqual(await t.joinAsync(JOIN), [true, "uses-exports", true]);
    const obj = {
      triple(n: number) {
        return n * 3;
      },
    };
    assert.equal(await spawn(obj.triple, 5).joinAsync(JOIN), 15);
  });

  it("Thread args and results carry threadkit primitives as themselves, at any depth", async () => {
    const lock = new Lock();
    const rlock = new RLock();
    const t = new Thread({
      target: (box: { inner: [Lock, Map<string, RLock>] }) => {
        const [l, m] = box.inner;
        const r = m.get("r")!;
        const ok = l instanceof Lock && r instanceof RLock;
        l.acquire(); // stays locked: the main thread sees it
        const made = new Lock();
        made.acquire();
        return { ok, made, same: [l, l] };
      },
      args: [{ inner: [lock, new Map([["r", rlock]])] }],
    });
    t.start();
    const { ok, made, same } = await t.joinAsync(JOIN);
    assert.equal(ok, true);
    assert.equal(
      lock.locked(),
      true,
      "the thread's acquire is visible here: same memory",
    );
    assert.ok(made instanceof Lock);
    assert.equal(made.locked(), true);
    made.release();
    assert.ok(same[0] instanceof Lock);
    same[0].release();
    assert.equal(lock.locked(), false);
  });

  it("Thread.start() refuses args that cannot be sent, leaving no thread behind", () => {
    const before = activeCount();
    const t = new Thread({ target: (f: () => void) => f, args: [() => {}] });
    assert.throws(
      () => t.start(),
      (e: unknown) =>
        e instanceof TypeError && /cannot be sent/.test((e as Error).message),
    );
    assert.equal(activeCount(), before);
    assert.equal(t.ident, undefined);
  });

  it("Thread rejects bad options and misuse with typed errors", async () => {
    assert.throws(() => new Thread({ target: 42 as never }), TypeError);
    assert.throws(
      () => new Thread({ target: { module: "./x.ts", export: "f" } }),
      TypeError,
    );
    assert.throws(
      () => new Thread({ target: () => 1, args: 5 as never }),
      TypeError,
    );
    // A builtin reachable from globalThis (Math.max) is a target
    // (tests/probes/builtins_test.ts); a bound function or a prototype's
    // method is not.
    assert.throws(() => new Thread({ target: Math.max.bind(Math) }), TypeError);
    assert.throws(
      () => new Thread({ target: Array.prototype.join as never }),
      TypeError,
    );
    const t = new Thread({ target: () => 1 });
    assert.throws(() => t.join(), RuntimeError);
    await assert.rejects(() => t.joinAsync(), RuntimeError);
    t.start();
    assert.throws(() => t.start(), RuntimeError);
    assert.throws(() => t.join({ timeout: -1 }), RangeError);
    assert.throws(() => t.join({ timeout: NaN }), RangeError);
    assert.equal(await t.joinAsync(JOIN), 1);
  });

  it("Thread.join({ timeout }) returns false while the thread runs; joinAsync rejects with TimeoutError", async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const t = new Thread({
      target: (flag: Int32Array) => {
        Atomics.wait(flag, 0, 0, 20_000); // until the main thread says stop
      },
      args: [flag],
    });
    t.start();
    const start = performance.now();
    assert.equal(t.join({ timeout: 50 }), false);
    assert.ok(performance.now() - start >= 49);
    assert.equal(t.isAlive(), true);
    await assert.rejects(t.joinAsync({ timeout: 30 }), TimeoutError);
    const aborted = t.joinAsync({ signal: AbortSignal.timeout(30) });
    await assert.rejects(aborted, { name: "TimeoutError" });
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    await t.joinAsync(JOIN);
    assert.equal(t.isAlive(), false);
  });

  it("Thread.cancel() interrupts a blocked threadkit wait with CancelledError", async () => {
    const buffer = new SharedArrayBuffer(Lock.byteLength);
    const lock = new Lock({ buffer, byteOffset: 0 });
    lock.acquire();
    const t = new Thread({
      target: (lock: Lock) => {
        lock.acquire(); // blocks: the main thread holds it
      },
      args: [lock],
    });
    const a = new Thread({
      target: async (lock: Lock) => {
        await lock.acquireAsync();
      },
      args: [lock],
    });
    t.start();
    a.start();
    await sleepers(new Int32Array(buffer), 0, 2); // both asleep on the lock
    assert.equal(t.cancelled, false);
    t.cancel();
    a.cancel();
    assert.equal(t.cancelled, true);
    await assert.rejects(t.joinAsync({ timeout: 5_000 }), CancelledError);
    await assert.rejects(a.joinAsync({ timeout: 5_000 }), CancelledError);
    assert.equal(
      lock.locked(),
      true,
      "the cancelled acquire did not take the lock",
    );
    lock.release();
    assert.throws(() => new Thread({ target: () => 1 }).cancel(), RuntimeError);
  });

  it("currentThread, mainThread, getIdent, enumerate, activeCount agree from every thread", async () => {
    assert.equal(getIdent(), 1);
    assert.equal(mainThread().ident, 1);
    assert.equal(mainThread().name, "MainThread");
    assert.equal(currentThread(), mainThread());
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const outer = new Thread({
      name: "outer",
      target: moduleTarget<typeof reportModule.outer>(reportUrl, "outer"),
      args: [gate],
    });
    outer.start();
    // Wait until both threads are in the table.
    await until(() => activeCount() >= 3, "both threads in the table");
    const here = enumerate();
    assert.deepEqual(here.map((t) => t.name), ["MainThread", "outer", "inner"]);
    assert.equal(
      here[1],
      outer,
      "threads this thread started appear as themselves",
    );
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    const { mine, theirs } = await outer.joinAsync(JOIN);
    assert.equal(mine.ident, outer.ident);
    assert.equal(mine.current, outer.ident);
    assert.equal(mine.name, "outer");
    assert.equal(mine.main, 1);
    assert.deepEqual(mine.names, ["MainThread", "outer", "inner"]);
    assert.equal(mine.count, 3);
    assert.equal(theirs.name, "inner");
    assert.equal(theirs.main, 1);
    assert.ok(theirs.ident > outer.ident!);
    assert.deepEqual(theirs.names, ["MainThread", "outer", "inner"]);
  });

  it("Thread daemon flag defaults to the creating thread's, and names default to Thread-N (target)", async () => {
    function work() {
      return currentThread().daemon;
    }
    const t = new Thread({ target: work });
    assert.equal(t.daemon, false);
    assert.match(t.name, /^Thread-\d+ \(work\)$/);
    const d = new Thread({
      target: () => new Thread({ target: () => 0 }).daemon,
      daemon: true,
    });
    d.start();
    assert.equal(
      await d.joinAsync(JOIN),
      true,
      "a daemon's thread is a daemon by default",
    );
  });
});
