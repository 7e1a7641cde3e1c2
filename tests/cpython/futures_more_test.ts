// Copyright 2026 the threadkit authors. MIT license.
// Cases of CPython's Lib/test/test_concurrent_futures (test_future.py,
// test_wait.py, test_as_completed.py, executor.py, test_init.py) that
// tests/pool/futures_test.ts and concurrent_futures_test.ts do not port
// yet; each `it` names its CPython case. The futures in each state are real
// tasks' (tests/pool/_fixtures.ts). Not ported: set_result/set_exception and
// their InvalidStateError (test_multiple_set_result: only executors make
// Futures here), _get_snapshot (internal), test_class_str (Python's module
// paths), test_map_exception (futures_test.ts), the weakref cases (test_free_reference_yielded_future), and
// CANCELLED versus CANCELLED_AND_NOTIFIED in test_first_completed (a
// cancelled future counts as done here: futures_test.ts's header).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  ALL_COMPLETED,
  asCompleted,
  CancelledError,
  Event,
  type Future,
  Thread,
  ThreadPoolExecutor,
  TimeoutError,
  wait,
} from "../../mod.ts";
import { runProgram, until } from "../_helpers.ts";
import { blocker, fixtures, within } from "../pool/_fixtures.ts";
import { JOIN } from "./_bunch.ts";

const mul = (x: number, y: number) => x * y;

describe("test_future.FutureTests (outside)", () => {
  it("test_repr: inspect shows pending, running, cancelled, finished returned and finished raised", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    try {
      const busy = pool.submit(blocker, release, started);
      const queued = pool.submit(mul, 1, 1);
      assert.equal(await within(started.waitAsync({ timeout: 120_000 })), true);
      assert.match(inspect(queued), /^Future \{ state: 'pending' \}$/);
      assert.match(inspect(busy), /^Future \{ state: 'running' \}$/);
      assert.match(inspect(fx.pending), /state: 'running'/);
      assert.match(inspect(fx.cancelled), /^Future \{ state: 'cancelled' \}$/);
      assert.match(
        inspect(fx.successful),
        /^Future \{ state: 'finished', returned: 'number' \}$/,
      );
      assert.match(
        inspect(fx.failed),
        /^Future \{ state: 'finished', raised: 'RangeError' \}$/,
      );
      release.set();
      assert.equal(await within(queued), 1);
      assert.match(inspect(queued), /returned: 'number'/);
    } finally {
      release.set();
      await fx.close();
    }
  });

  it("test_repr: a raised class this thread lacks shows its name; a result's own constructor key does not fool it", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const raised = pool.submit((): number => {
      class MyError extends Error {
        constructor(message: string) {
          super(message);
          this.name = "MyError";
        }
      }
      throw new MyError("mine");
    });
    await within(raised).catch(() => {});
    assert.equal((raised.exception() as Error).name, "MyError");
    assert.match(inspect(raised), /raised: 'MyError'/);
    const lying = pool.submit(() => ({ constructor: { name: "Lies" } }));
    await within(lying);
    assert.match(inspect(lying), /returned: 'Object'/);
    const bare = pool.submit(() => Object.create(null));
    await within(bare);
    assert.match(inspect(bare), /returned: 'Object'/);
  });

  it("test_repr: inspect settles nothing and runs no done callback (it reads the state)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ran = new Event();
    const f = pool.submit((ran: Event) => {
      ran.set();
      return 42;
    }, ran);
    let calls = 0;
    f.addDoneCallback(() => calls++);
    // Polled without turning the event loop, so nothing else drains: while
    // the task runs and for 200 ms after, inspect shows it unsettled here
    // and no inspect runs the callback (a draining one would, once the
    // pool thread has pushed the completion).
    const end = performance.now() + 120_000;
    let windowEnd = Infinity;
    while (performance.now() < windowEnd) {
      assert.ok(performance.now() < end, "the task never ran");
      ran.wait({ timeout: 1 }); // a 1 ms slice once it ran
      if (windowEnd === Infinity && ran.isSet()) {
        windowEnd = performance.now() + 200;
      }
      const text = inspect(f);
      assert.match(text, /state: '(pending|running)'/);
      assert.equal(calls, 0, `inspect ran a callback: ${text}`);
    }
    await until(() => f.done(), "the Future's settling"); // drains
    assert.equal(calls, 1);
    assert.match(inspect(f), /returned: 'number'/);
  });

  it("test_cancel, test_cancelled, test_done, test_running over every state", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    try {
      pool.submit(blocker, release, started);
      const queued = pool.submit(mul, 1, 1);
      assert.equal(await within(started.waitAsync({ timeout: 120_000 })), true);
      const table: [string, Future<unknown>, boolean, boolean, boolean][] = [
        // name, cancel(), then cancelled(), done(), running()
        ["pending", queued, true, true, true],
        ["running", fx.pending, false, false, false],
        ["cancelled", fx.cancelled, true, true, true],
        ["raised", fx.failed, false, false, true],
        ["returned", fx.successful, false, false, true],
      ];
      for (const [name, f, cancel, cancelled, done] of table) {
        assert.equal(f.cancel(), cancel, `${name}.cancel()`);
        assert.equal(f.cancelled(), cancelled, `${name}.cancelled()`);
        assert.equal(f.done(), done, `${name}.done()`);
        assert.equal(f.running(), name === "running", `${name}.running()`);
      }
    } finally {
      release.set();
      await fx.close();
    }
  });

  it("test_result_with_timeout and test_exception_with_timeout: timeout 0 in every state", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    try {
      pool.submit(blocker, release, started);
      const queued = pool.submit(mul, 1, 1);
      assert.equal(await within(started.waitAsync({ timeout: 120_000 })), true);
      const T0 = { timeout: 0 };
      for (const f of [queued, fx.pending]) {
        assert.throws(() => f.result(T0), TimeoutError);
        assert.throws(() => f.exception(T0), TimeoutError);
      }
      assert.throws(() => fx.cancelled.result(T0), CancelledError);
      assert.throws(() => fx.cancelled.exception(T0), CancelledError);
      assert.throws(() => fx.failed.result(T0), RangeError);
      assert.ok(fx.failed.exception(T0) instanceof RangeError);
      assert.equal(fx.successful.result(T0), 42);
      assert.equal(fx.successful.exception(T0), undefined);
    } finally {
      release.set();
      await fx.close();
    }
  });

  it("test_result_with_cancel: a result() blocked on a queued task throws CancelledError when another thread's shutdown({ cancelFutures }) cancels it", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    const busy = pool.submit(blocker, release, started);
    const queued = pool.submit(mul, 2, 3);
    assert.equal(await within(started.waitAsync({ timeout: 120_000 })), true);
    // CPython's notification thread cancels f1 while the main thread waits in
    // result(); a Future stays in its thread here, so the other thread
    // cancels through the executor. Either order ends the wait the same way.
    const t = new Thread({
      target: (pool: ThreadPoolExecutor, release: Event) => {
        pool.shutdown({ cancelFutures: true, wait: false });
        release.set();
      },
      args: [pool, release],
    });
    t.start();
    assert.throws(() => queued.result({ timeout: 120_000 }), CancelledError);
    assert.equal(queued.cancelled(), true);
    await t.joinAsync(JOIN);
    assert.equal(await within(busy), "released");
    await pool.shutdownAsync();
  });

  it("test_exception_with_success: exception() blocked on a running task returns its error", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const go = new Event();
    const f = pool.submit((go: Event) => {
      go.wait({ timeout: 120_000 });
      throw new URIError("late");
    }, go);
    const t = new Thread({ target: (go: Event) => go.set(), args: [go] });
    t.start();
    const error = f.exception({ timeout: 120_000 });
    assert.ok(error instanceof URIError, String(error));
    await t.joinAsync(JOIN);
  });

  it("test_done_callback_with_exception and test_done_callback_already_failed: the callback sees the error", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const seen: unknown[] = [];
      fx.failed.addDoneCallback((f) => seen.push(f.exception()));
      const go = new Event();
      const late = pool.submit((go: Event): number => {
        go.wait({ timeout: 120_000 });
        throw new EvalError("test");
      }, go);
      late.addDoneCallback((f) => seen.push(f.exception()));
      go.set();
      await within(late).catch(() => {});
      await until(() => seen.length === 2, "both callbacks");
      assert.deepEqual(
        seen.map((e) => [(e as Error).name, (e as Error).message]),
        [["RangeError", "this is an exception"], ["EvalError", "test"]],
      );
    } finally {
      await fx.close();
    }
  });

  it("test_done_callback_raises_already_succeeded: a callback that throws on a done future is reported, not thrown", async () => {
    const fx = await fixtures();
    const lines: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => {
      lines.push(a.map((x) => String(x)).join(" "));
    };
    try {
      fx.successful.addDoneCallback(() => {
        throw new Error("doh!");
      });
    } finally {
      console.error = original;
      await fx.close();
    }
    assert.match(lines.join("\n"), /done callback/);
    assert.match(lines.join("\n"), /doh!/);
  });
});

describe("test_wait.ThreadPoolWaitTests (outside)", () => {
  it("test_pending_calls_race: wait(ALL_COMPLETED) on 100 tasks released at once", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });
    const event = new Event();
    const fs = Array.from(
      { length: 100 },
      () => pool.submit((e: Event) => e.wait({ timeout: 120_000 }), event),
    );
    event.set();
    const { done, notDone } = wait(fs, {
      returnWhen: ALL_COMPLETED,
      timeout: 60_000,
    });
    assert.equal(done.size, 100);
    assert.equal(notDone.size, 0);
    for (const f of fs) assert.equal(f.result({ timeout: 0 }), true);
  });
});

describe("test_as_completed.AsCompletedTests (outside)", () => {
  it("test_no_timeout: every future, done before or not, is yielded once", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    try {
      const f1 = pool.submit(mul, 2, 21), f2 = pool.submit(mul, 7, 6);
      const all = [fx.cancelled, fx.failed, fx.successful, f1, f2];
      const seen: unknown[] = []; // see asCompleted's note on TypeScript
      for await (const f of asCompleted(all, { timeout: 120_000 })) {
        seen.push(f);
      }
      assert.equal(seen.length, 5);
      assert.deepEqual(new Set(seen), new Set(all));
    } finally {
      await fx.close();
    }
  });

  it("test_future_times_out: timeout 0 and 100 yield the completed futures, then TimeoutError", async () => {
    const fx = await fixtures();
    try {
      const already: Future<unknown>[] = [
        fx.cancelled,
        fx.failed,
        fx.successful,
      ];
      for (const timeout of [0, 100]) {
        const seen = new Set<unknown>(); // asCompleted's note on TypeScript
        await assert.rejects(async () => {
          for await (
            const f of asCompleted([...already, fx.pending], { timeout })
          ) {
            seen.add(f);
          }
        }, TimeoutError);
        assert.deepEqual(seen, new Set(already));
        // The blocking form in the main thread, too.
        seen.clear();
        assert.throws(() => {
          for (const f of asCompleted([...already, fx.pending], { timeout })) {
            seen.add(f);
          }
        }, TimeoutError);
        assert.deepEqual(seen, new Set(already));
      }
    } finally {
      await fx.close();
    }
  });

  it("test_duplicate_futures: one future given three times (any iterable) is yielded once", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const go = new Event();
    const f = pool.submit((go: Event) => go.wait({ timeout: 120_000 }), go);
    function* repeat() {
      for (let i = 0; i < 3; i++) yield f;
    }
    const seen: unknown[] = []; // asCompleted's note on TypeScript
    const iteration = (async () => {
      for await (const x of asCompleted(repeat(), { timeout: 120_000 })) {
        seen.push(x);
      }
    })();
    go.set();
    await within(iteration);
    assert.deepEqual(seen, [f]);
  });
});

describe("executor.ExecutorTest (outside)", () => {
  it("test_max_workers_negative: maxWorkers 0 and -1 are RangeErrors (CPython: ValueError) naming maxWorkers", () => {
    for (const n of [0, -1]) {
      assert.throws(
        () => new ThreadPoolExecutor({ maxWorkers: n }),
        (e: Error) => e instanceof RangeError && /maxWorkers/.test(e.message),
      );
    }
  });
});

describe("test_init.FailingInitializerMixin (outside)", () => {
  it("test_initializer: a failing initializer is logged on stderr, its Future and later submits throw BrokenExecutorError", async () => {
    const run = await runProgram(
      new URL("../_workers/programs/pool_init_fail.ts", import.meta.url),
      60_000,
    );
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [
      "future: true",
      "submit: true",
    ]);
    // CPython's _assert_logged('ValueError: error in initializer').
    assert.match(run.stderr, /Exception in initializer:/);
    assert.match(run.stderr, /URIError: error in initializer/);
  });
});
