// Copyright 2026 the threadkit authors. MIT license.
// A port of the cases of CPython's Lib/test/test_threading.py that translate
// (ThreadTests, ThreadingExceptionTests, ExceptHookTests, TimerTests,
// ConditionAsRLockTests) and of Lib/test/test_threading_local.py's
// isolation case. Each `it` names the CPython case it ports. Not ported:
// the cases about fork, subinterpreters, tracing/profiling hooks,
// finalization and refcycles, _thread internals and subclassing Thread,
// which have no JavaScript counterpart (README "Differences from Python").

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  BoundedSemaphore,
  Condition,
  currentThread,
  enumerate,
  Event,
  type ExceptHookArgs,
  getIdent,
  local,
  Lock,
  mainThread,
  RuntimeError,
  setExcepthook,
  Thread,
  Timer,
} from "../../mod.ts";
import { until } from "../_helpers.ts";
import { bunch, JOIN, joinAll, words } from "./_bunch.ts";

describe("test_threading.ThreadTests", () => {
  it("test_daemon_param", async () => {
    const t = new Thread({ target: () => 0, daemon: false });
    assert.equal(t.daemon, false);
    const d = new Thread({ target: () => 0, daemon: true });
    assert.equal(d.daemon, true);
    t.start();
    d.start();
    await joinAll([t, d]);
  });

  it("test_various_ops: 10 threads, at most 3 at once under a BoundedSemaphore(3)", async () => {
    const NUMTASKS = 10;
    const sema = new BoundedSemaphore(3);
    const c = words(2); // [0] running now, [1] most running at once
    const threads: Thread[] = [];
    for (let i = 0; i < NUMTASKS; i++) {
      const t = new Thread({
        name: `<thread ${i}>`,
        target: (sema: BoundedSemaphore, c: Int32Array) =>
          sema.withLock(() => {
            const n = Atomics.add(c, 0, 1) + 1;
            let max = Atomics.load(c, 1);
            while (n > max) {
              const seen = Atomics.compareExchange(c, 1, max, n);
              if (seen === max) break;
              max = seen;
            }
            // Stay a little while others may try to enter (bounded).
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
            Atomics.sub(c, 0, 1);
            return currentThread().ident;
          }, { timeout: 120_000 }),
        args: [sema, c],
      });
      assert.equal(t.ident, undefined);
      assert.match(inspect(t), /Thread/);
      t.start();
      assert.notEqual(t.ident, undefined);
      threads.push(t);
    }
    const idents = await joinAll(threads);
    for (const [i, t] of threads.entries()) {
      assert.equal(t.isAlive(), false);
      assert.equal(idents[i], t.ident);
    }
    assert.equal(new Set(idents).size, NUMTASKS, "idents are distinct");
    assert.ok(c[1] >= 1 && c[1] <= 3, `${c[1]} ran at once`);
    assert.equal(c[0], 0);
    assert.equal(sema.value, 3);
  });

  it("test_BoundedSemaphore_limit: `limit` acquiring threads, `limit` releasing ones, then release fails", async () => {
    for (const limit of [1, 2, 4]) {
      const bs = new BoundedSemaphore(limit);
      await joinAll(bunch(
        (bs: BoundedSemaphore) => bs.acquire({ timeout: 120_000 }),
        limit,
        [bs],
      ));
      assert.equal(bs.value, 0);
      await joinAll(bunch((bs: BoundedSemaphore) => bs.release(), limit, [bs]));
      assert.throws(() => bs.release(), RangeError);
      assert.equal(bs.value, limit);
    }
  });

  it("test_enumerate_after_join: a joined thread is not in enumerate()", () => {
    for (let i = 0; i < 5; i++) {
      const t = new Thread({ target: () => 0 });
      t.start();
      assert.equal(t.join(JOIN), true);
      const idents = enumerate().map((x) => x.ident);
      assert.equal(idents.includes(t.ident), false, `${t.ident} in ${idents}`);
    }
  });

  it("test_main_thread: main's name and ident, as seen from main and from a thread", async () => {
    const main = mainThread();
    assert.equal(main.name, "MainThread");
    assert.equal(main.ident, currentThread().ident);
    assert.equal(main.ident, getIdent());
    const [r] = await joinAll(bunch(
      () => [
        mainThread().ident,
        mainThread().name,
        currentThread().ident === mainThread().ident,
      ],
      1,
      [],
    ));
    assert.deepEqual(r, [main.ident, "MainThread", false]);
  });

  it("test_join_from_multiple_threads: three threads join one, all return once it ends", async () => {
    const go = new Event();
    const t = new Thread({
      target: (go: Event) => go.wait({ timeout: 120_000 }),
      args: [go],
    });
    t.start();
    const joiners = bunch(
      (t: Thread) => [t.join({ timeout: 120_000 }), t.isAlive()],
      3,
      [t],
    );
    // Joiners wait (or find it ended): both are correct outcomes.
    go.set();
    assert.equal(await t.joinAsync(JOIN), true);
    assert.deepEqual(await joinAll(joiners), [
      [true, false],
      [true, false],
      [true, false],
    ]);
  });

  it("test_join_timeout (ThreadJoinOnShutdown's timed join): join({timeout}) returns false while alive", () => {
    const go = new Event();
    const t = new Thread({
      target: (go: Event) => go.wait({ timeout: 120_000 }),
      args: [go],
    });
    t.start();
    const t1 = performance.now();
    assert.equal(t.join({ timeout: 100 }), false);
    assert.ok(performance.now() - t1 >= 99);
    assert.equal(t.isAlive(), true);
    go.set();
    assert.equal(t.join(JOIN), true);
    assert.equal(t.isAlive(), false);
    assert.equal(t.result, true);
  });

  it("test_repr_daemon and test_repr_stopped: inspect shows the name", async () => {
    const t = new Thread({ target: () => 0, name: "reprme", daemon: true });
    assert.match(inspect(t), /reprme/);
    t.start();
    await t.joinAsync(JOIN);
    assert.match(inspect(t), /reprme/);
  });

  it("test_name: explicit, default and target-derived names", async () => {
    function func() {
      return 0;
    }
    const named = new Thread({ target: func, name: "myname1" });
    assert.equal(named.name, "myname1");
    const plain = new Thread({ target: func });
    assert.match(plain.name, /^Thread-\d+ \(func\)$/);
    const other = new Thread({ target: func });
    assert.notEqual(other.name, plain.name);
    named.name = "renamed";
    assert.equal(named.name, "renamed");
    named.start();
    const [seen] = await joinAll(
      bunch((t: Thread) => t.name, 1, [named]),
    );
    assert.equal(seen, "renamed");
    await named.joinAsync(JOIN);
  });

  it("test_args_argument: args reach the target in order", async () => {
    const t = new Thread({
      target: (a: number, b: string, c: number[]) => [a, b, c],
      args: [1, "two", [3]],
    });
    t.start();
    assert.deepEqual(await t.joinAsync(JOIN), [1, "two", [3]]);
  });
});

describe("test_threading.ThreadingExceptionTests", () => {
  it("test_start_thread_again", async () => {
    const t = new Thread({ target: () => 0 });
    t.start();
    assert.throws(() => t.start(), RuntimeError);
    await t.joinAsync(JOIN);
    assert.throws(() => t.start(), RuntimeError);
  });

  it("test_joining_current_thread", async () => {
    assert.throws(() => currentThread().join({ timeout: 10 }), RuntimeError);
    const [r] = await joinAll(bunch(
      () => {
        try {
          currentThread().join({ timeout: 10 });
          return "joined";
        } catch (e) {
          return e instanceof RuntimeError ? "RuntimeError" : String(e);
        }
      },
      1,
      [],
    ));
    assert.equal(r, "RuntimeError");
  });

  it("test_joining_inactive_thread", async () => {
    const t = new Thread({ target: () => 0 });
    assert.throws(() => t.join({ timeout: 10 }), RuntimeError);
    await assert.rejects(t.joinAsync({ timeout: 10 }), RuntimeError);
  });

  it("test_daemonize_active_thread", async () => {
    const t = new Thread({ target: () => 0 });
    t.start();
    assert.throws(() => {
      t.daemon = true;
    }, RuntimeError);
    await t.joinAsync(JOIN);
  });

  it("test_releasing_unacquired_lock", () => {
    assert.throws(() => new Lock().release(), RuntimeError);
  });
});

describe("test_threading.ExceptHookTests", () => {
  it("test_custom_excepthook: the hook gets excType, excValue, excTraceback and thread", async () => {
    const seen: ExceptHookArgs[] = [];
    setExcepthook((args) => seen.push(args));
    try {
      const t = new Thread({
        target: () => {
          throw new SyntaxError("bug");
        },
        name: "excepthook thread",
      });
      t.start();
      await until(() => seen.length > 0, "the hook");
      const [args] = seen;
      assert.equal(args.excType, SyntaxError);
      assert.ok(args.excValue instanceof SyntaxError);
      assert.equal((args.excValue as Error).message, "bug");
      assert.match(args.excTraceback ?? "", /SyntaxError: bug/);
      assert.equal(args.thread.name, "excepthook thread");
      assert.equal(args.thread.ident, t.ident);
      await assert.rejects(t.joinAsync(JOIN), SyntaxError);
    } finally {
      setExcepthook(undefined);
    }
  });

  it("test_custom_excepthook_fail: a hook that throws is reported, and the program goes on", async () => {
    let calls = 0;
    setExcepthook(() => {
      calls++;
      throw new Error("threading_hook failed");
    });
    try {
      const t = new Thread({
        target: () => {
          throw new Error("the target's error");
        },
      });
      t.start();
      await until(() => calls > 0, "the hook");
      await assert.rejects(t.joinAsync(JOIN), /the target's error/);
      assert.equal(calls, 1);
    } finally {
      setExcepthook(undefined);
    }
  });

  it("setExcepthook(non-function) is a TypeError (threading.excepthook must be callable)", () => {
    assert.throws(() => setExcepthook(5 as never), TypeError);
  });
});

describe("test_threading.TimerTests", () => {
  it("test_init_immutable_default_args: each timer has its own args, and both run", async () => {
    const t1 = new Timer(1, (...a: unknown[]) => a.length);
    const t2 = new Timer(1, (...a: unknown[]) => a.length);
    assert.notEqual(t1.args, t2.args);
    (t1.args as unknown[]).push(1); // a copy: the timer is unchanged
    assert.deepEqual(t1.args, []);
    t1.start();
    t2.start();
    assert.deepEqual(await joinAll([t1, t2]), [0, 0]);
    assert.equal(t1.finished, true);
  });

  it("cancel() before the interval ends: the target never runs, join returns undefined", async () => {
    const ran = words(1);
    const t = new Timer(60_000, (r: Int32Array) => Atomics.store(r, 0, 1), [
      ran,
    ]);
    t.start();
    t.cancel();
    assert.equal(await t.joinAsync(JOIN), undefined);
    assert.equal(t.cancelled, true);
    assert.equal(t.finished, true);
    assert.equal(ran[0], 0);
    t.cancel(); // again: nothing
  });

  it("cancel() racing the interval: the target runs at most once, and exactly when not cancelled", async () => {
    const ran = words(1);
    for (let i = 0; i < 20; i++) {
      const t = new Timer(i % 3, (r: Int32Array) => Atomics.add(r, 0, 1), [
        ran,
      ]);
      const before = Atomics.load(ran, 0);
      t.start();
      if (i % 2 === 1) await Promise.resolve();
      t.cancel();
      const r = await t.joinAsync(JOIN);
      const after = Atomics.load(ran, 0);
      assert.equal(after - before, t.cancelled ? 0 : 1);
      assert.equal(r, t.cancelled ? undefined : after);
      assert.equal(t.finished, true);
    }
  });
});

describe("test_threading.ConditionAsRLockTests", () => {
  it("test_reacquire, test_release_unacquired, test_different_thread on a Condition()", async () => {
    const cond = new Condition();
    assert.throws(() => cond.release(), RuntimeError);
    cond.acquire();
    cond.acquire();
    cond.release();
    cond.acquire();
    cond.release();
    cond.release();
    assert.throws(() => cond.release(), RuntimeError);
    const go = new Event(), held = new Event();
    const t = bunch(
      (c: Condition, held: Event, go: Event) => {
        c.acquire();
        held.set();
        go.wait({ timeout: 120_000 });
        c.release();
      },
      1,
      [cond, held, go],
    );
    try {
      assert.equal(await held.waitAsync({ timeout: 120_000 }), true);
      assert.throws(() => cond.release(), RuntimeError);
    } finally {
      go.set();
    }
    await joinAll(t);
  });
});

describe("test_threading_local", () => {
  it("a local's attributes are per thread: a thread starts from the defaults", async () => {
    const mydata = local<{ number: number; colors?: string[] }>({ number: 1 });
    mydata.number = 42;
    mydata.colors = ["red"];
    const [r] = await joinAll(bunch(
      (d: { number: number; colors?: string[] }) => {
        const before = [d.number, d.colors ?? "none"];
        d.number = 11;
        return [...before, d.number];
      },
      1,
      [mydata],
    ));
    assert.deepEqual(r, [1, "none", 11]);
    assert.equal(mydata.number, 42);
    assert.deepEqual(mydata.colors, ["red"]);
  });
});
