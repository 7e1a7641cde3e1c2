// Copyright 2026 the threadkit authors. MIT license.
// A port of the ThreadPoolExecutor cases of CPython's
// Lib/test/test_concurrent_futures (test_shutdown, test_map, test_wait,
// test_as_completed, test_future, test_init), from their documented
// semantics. Differences: futures come from real tasks (fixtures), a
// cancelled future counts as done for wait() (CPython's CANCELLED versus
// CANCELLED_AND_NOTIFIED distinction has no twin here), and sleeps become
// Events so no test orders threads by time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ALL_COMPLETED,
  asCompleted,
  BrokenExecutorError,
  CancelledError,
  Event,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  RuntimeError,
  ThreadPoolExecutor,
  TimeoutError,
  wait,
  waitAsync,
} from "../../mod.ts";
import { blocker, fixtures, within } from "./_fixtures.ts";

const mul = (x: number, y: number) => x * y;

describe("ThreadPoolExecutor shutdown (test_shutdown)", () => {
  it("ThreadPoolExecutor.submit() after shutdown() throws RuntimeError", () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    pool.shutdown();
    assert.throws(() => pool.submit(mul, 2, 5), RuntimeError);
  });

  it("ThreadPoolExecutor.shutdown() waits for the queued tasks", () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const fs = Array.from({ length: 10 }, (_, i) => pool.submit(mul, i, 2));
    pool.shutdown({ wait: true });
    assert.deepEqual(
      fs.map((f) => f.result({ timeout: 0 })),
      Array.from({ length: 10 }, (_, i) => i * 2),
    );
  });

  it("ThreadPoolExecutor with `using`: leaving the block shuts down and waits", () => {
    let f;
    {
      using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      f = pool.submit(mul, 3, 4);
    }
    assert.equal(f.done(), true);
    assert.equal(f.result(), 12);
  });

  it("ThreadPoolExecutor with `await using` shuts down without blocking", async () => {
    let f;
    {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      f = pool.submit(mul, 3, 5);
    }
    assert.equal(f.done(), true);
    assert.equal(await f, 15);
  });

  it("ThreadPoolExecutor.shutdown({ cancelFutures }) cancels queued tasks; the running one finishes", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    const running = pool.submit(blocker, release, started);
    await within(started.waitAsync({ timeout: 30_000 }));
    const queued = Array.from({ length: 20 }, (_, i) => pool.submit(mul, i, 1));
    pool.shutdown({ wait: false, cancelFutures: true });
    release.set();
    assert.equal(await within(running), "released");
    await within(pool.shutdownAsync());
    for (const f of queued) {
      assert.equal(f.cancelled(), true);
      await assert.rejects(within(f), CancelledError);
    }
  });

  it("ThreadPoolExecutor.shutdown({ wait: false }) returns at once; queued tasks still run", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event();
    const a = pool.submit(blocker, release);
    const b = pool.submit(mul, 7, 6);
    pool.shutdown({ wait: false });
    assert.equal(b.done(), false);
    release.set();
    assert.equal(await within(a), "released");
    assert.equal(await within(b), 42);
    await within(pool.shutdownAsync());
  });

  it("ThreadPoolExecutor refuses Python's positional forms: shutdown(false), result(5), ThreadPoolExecutor(5)", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit((x: number) => x, 1);
    assert.equal(await within(f), 1);
    // Done or not, the options are checked.
    assert.throws(() => f.result(5 as never), TypeError);
    assert.throws(() => f.exception(5 as never), TypeError);
    assert.throws(() => f.result({ timeout: -1 }), RangeError);
    assert.throws(() => pool.map((x: number) => x, [1], 5 as never), TypeError);
    assert.throws(
      () => pool.shutdown(false as never),
      (e: Error) =>
        e instanceof TypeError && /\{ wait: false \}/.test(e.message),
    );
    assert.throws(() => pool.shutdown(true as never), TypeError);
    assert.throws(
      () => new ThreadPoolExecutor(5 as never),
      (e: Error) =>
        e instanceof TypeError && /\{ maxWorkers: 5 \}/.test(e.message),
    );
    // Nothing was shut down by the refused calls.
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
    await within(pool.shutdownAsync({ wait: true }));
  });

  it("ThreadPoolExecutor refuses bad options", () => {
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: 0 }), RangeError);
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: -1 }), RangeError);
    assert.throws(() => new ThreadPoolExecutor({ maxQueue: 0 }), RangeError);
    assert.throws(
      () => new ThreadPoolExecutor({ idleTimeout: -1 }),
      RangeError,
    );
    assert.throws(
      () => new ThreadPoolExecutor({ initArgs: 1 as never }),
      TypeError,
    );
  });
});

describe("ThreadPoolExecutor.map (test_map)", () => {
  it("ThreadPoolExecutor.map() over no items yields nothing (async and blocking)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const out: number[] = [];
    for await (const y of pool.map((x: number) => x, [])) out.push(y);
    for (const y of pool.map((x: number) => x, [], { chunksize: 5 })) {
      out.push(y);
    }
    assert.deepEqual(out, []);
  });

  it("ThreadPoolExecutor.map() yields the results in order (chunksize 1 and 3)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const items = Array.from({ length: 50 }, (_, i) => i);
    for (const chunksize of [1, 3]) {
      const out: number[] = [];
      for await (
        const y of pool.map((x: number) => x * x, items, {
          chunksize,
          timeout: 30_000,
        })
      ) out.push(y);
      assert.deepEqual(out, items.map((x) => x * x));
    }
  });

  it("ThreadPoolExecutor.map() ends with the first task's error", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const out: number[] = [];
    const it = pool.map(
      (x: number) => {
        if (x === 0) throw new RangeError("division by zero");
        return 10 / x;
      },
      [5, 1, 0, 2],
      { timeout: 30_000 },
    );
    await assert.rejects(async () => {
      for await (const y of it) out.push(y);
    }, { name: "RangeError", message: "division by zero" });
    assert.deepEqual(out, [2, 10]);
  });

  it("ThreadPoolExecutor.map({ timeout }) throws TimeoutError for a late result", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    // Warm: the deadline counts from the map call, thread start included.
    await within(Promise.all([pool.submit(mul, 1, 1), pool.submit(mul, 1, 1)]));
    const release = new Event();
    const out: unknown[] = [];
    await assert.rejects(async () => {
      for await (
        const y of pool.map(
          (x: number | Event) =>
            typeof x === "number" ? x : (x.wait({ timeout: 30_000 }), -1),
          [0, 0, release],
          { timeout: 1000 },
        )
      ) out.push(y);
    }, TimeoutError);
    release.set();
    assert.deepEqual(out, [0, 0]);
  });

  it("ThreadPoolExecutor.map() blocking iteration works in the main thread", () => {
    using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const out = [
      ...pool.map((x: number) => x + 1, [1, 2, 3], {
        chunksize: 2,
        timeout: 30_000,
      }),
    ];
    assert.deepEqual(out, [2, 3, 4]);
  });

  it("ThreadPoolExecutor.map({ signal }) ends the iteration when aborted", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ac = new AbortController();
    const out: number[] = [];
    await assert.rejects(async () => {
      for await (
        const y of pool.map((x: number) => x, [1, 2, 3, 4], {
          signal: ac.signal,
        })
      ) {
        out.push(y);
        if (y === 2) ac.abort(new RangeError("stop"));
      }
    }, RangeError);
    assert.deepEqual(out, [1, 2]);
  });
});

describe("wait (test_wait)", () => {
  it("wait() counts a future given twice once (bpo-20369)", () => {
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit(mul, 1, 2);
    const { done, notDone } = wait([f, f], {
      returnWhen: ALL_COMPLETED,
      timeout: 30_000,
    });
    assert.deepEqual(done, new Set([f]));
    assert.equal(notDone.size, 0);
  });

  it("wait({ returnWhen: FIRST_COMPLETED }) returns with the first finished", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    try {
      const f1 = pool.submit(mul, 21, 2);
      const { done, notDone } = await waitAsync([fx.pending, f1], {
        returnWhen: FIRST_COMPLETED,
        timeout: 30_000,
      });
      assert.deepEqual(done, new Set([f1]));
      assert.deepEqual(notDone, new Set([fx.pending]));
    } finally {
      await fx.close();
    }
  });

  it("wait({ returnWhen: FIRST_COMPLETED }) with some already completed returns at once", async () => {
    const fx = await fixtures();
    try {
      const { done, notDone } = wait(
        [fx.successful, fx.cancelled, fx.pending],
        {
          returnWhen: FIRST_COMPLETED,
          timeout: 30_000,
        },
      );
      assert.deepEqual(done, new Set([fx.successful, fx.cancelled]));
      assert.deepEqual(notDone, new Set([fx.pending]));
    } finally {
      await fx.close();
    }
  });

  it("wait({ returnWhen: FIRST_EXCEPTION }) returns when a task fails", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    try {
      const go = new Event();
      const f1 = pool.submit(mul, 21, 2);
      await within(f1);
      const f2 = pool.submit((go: Event): number => {
        go.wait({ timeout: 30_000 });
        throw new Error("this is an exception");
      }, go);
      go.set();
      const { done, notDone } = wait([f1, f2, fx.pending], {
        returnWhen: FIRST_EXCEPTION,
        timeout: 30_000,
      });
      assert.deepEqual(done, new Set([f1, f2]));
      assert.deepEqual(notDone, new Set([fx.pending]));
    } finally {
      await fx.close();
    }
  });

  it("wait({ returnWhen: FIRST_EXCEPTION }) with one already failed returns at once", async () => {
    const fx = await fixtures();
    try {
      const { done, notDone } = wait([fx.failed, fx.pending], {
        returnWhen: FIRST_EXCEPTION,
        timeout: 30_000,
      });
      assert.deepEqual(done, new Set([fx.failed]));
      assert.deepEqual(notDone, new Set([fx.pending]));
    } finally {
      await fx.close();
    }
  });

  it("wait({ returnWhen: ALL_COMPLETED }) waits for every future", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    try {
      const f1 = pool.submit(mul, 2, 21), f2 = pool.submit(mul, 2, 22);
      const all = [fx.successful, fx.cancelled, fx.failed, f1, f2];
      const { done, notDone } = wait(all, {
        returnWhen: ALL_COMPLETED,
        timeout: 30_000,
      });
      assert.deepEqual(done, new Set(all));
      assert.equal(notDone.size, 0);
    } finally {
      await fx.close();
    }
  });

  it("wait({ timeout }) returns the unfinished as notDone, without throwing", async () => {
    const fx = await fixtures();
    try {
      for (const form of [wait, waitAsync]) {
        const { done, notDone } = await form([
          fx.successful,
          fx.failed,
          fx.pending,
        ], {
          returnWhen: ALL_COMPLETED,
          timeout: 200,
        });
        assert.deepEqual(done, new Set([fx.successful, fx.failed]));
        assert.deepEqual(notDone, new Set([fx.pending]));
      }
    } finally {
      await fx.close();
    }
  });

  it("wait() refuses an unknown returnWhen", () => {
    assert.throws(
      () => wait([], { returnWhen: "SOMETIME" as never }),
      TypeError,
    );
  });
});

describe("asCompleted (test_as_completed)", () => {
  it("asCompleted() yields every future once, done ones first", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    try {
      const f1 = pool.submit(mul, 2, 3);
      const all = [fx.successful, fx.cancelled, fx.failed, f1, f1];
      const seen: unknown[] = [];
      for await (const f of asCompleted(all, { timeout: 30_000 })) seen.push(f);
      assert.equal(seen.length, 4);
      assert.deepEqual(new Set(seen), new Set(all));
    } finally {
      await fx.close();
    }
  });

  it("asCompleted() timeout error names how many futures are unfinished (test_correct_timeout_exception_msg)", async () => {
    const fx = await fixtures();
    try {
      const all = [fx.successful, fx.failed, fx.cancelled, fx.pending];
      const seen: unknown[] = [];
      await assert.rejects(
        async () => {
          for await (const f of asCompleted(all, { timeout: 0 })) seen.push(f);
        },
        (e: Error) =>
          e instanceof TimeoutError && /^1 \(of 4\) futures unfinished/.test(
            e.message,
          ),
      );
      assert.equal(seen.length, 3);
    } finally {
      await fx.close();
    }
  });

  it("asCompleted({ timeout: 0 }) yields the done futures, then throws TimeoutError", async () => {
    const fx = await fixtures();
    try {
      for (const mode of ["sync", "async"]) {
        const seen = new Set<unknown>();
        const iterable = asCompleted([fx.successful, fx.failed, fx.pending], {
          timeout: 0,
        });
        await assert.rejects(async () => {
          if (mode === "sync") { for (const f of iterable) seen.add(f); }
          else for await (const f of iterable) seen.add(f);
        }, TimeoutError);
        assert.deepEqual(seen, new Set([fx.successful, fx.failed]));
      }
    } finally {
      await fx.close();
    }
  });
});

describe("Future (test_future)", () => {
  it("Future states: pending, running, cancelled, finished", async () => {
    const fx = await fixtures();
    try {
      assert.equal(fx.pending.running(), true);
      assert.equal(fx.pending.done(), false);
      assert.equal(fx.pending.cancel(), false);
      assert.equal(fx.cancelled.cancelled(), true);
      assert.equal(fx.cancelled.done(), true);
      assert.equal(fx.cancelled.running(), false);
      assert.equal(fx.cancelled.cancel(), true);
      assert.equal(fx.successful.cancel(), false);
      assert.equal(fx.successful.done(), true);
      assert.equal(fx.successful.running(), false);
      assert.equal(fx.successful.cancelled(), false);
      assert.throws(() => fx.cancelled.result(), CancelledError);
      assert.throws(() => fx.cancelled.exception(), CancelledError);
      await assert.rejects(within(fx.cancelled), CancelledError);
    } finally {
      await fx.close();
    }
  });

  it("Future.result({ timeout }) and exception({ timeout }) throw TimeoutError", async () => {
    const fx = await fixtures();
    try {
      assert.throws(() => fx.pending.result({ timeout: 50 }), TimeoutError);
      assert.throws(() => fx.pending.exception({ timeout: 50 }), TimeoutError);
      assert.equal(fx.successful.exception({ timeout: 0 }), undefined);
      assert.equal(fx.successful.result({ timeout: 0 }), 42);
    } finally {
      await fx.close();
    }
  });

  it("Future.exception() is the task's error with its class, message, stack and cause", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit(() => {
      class CustomError extends Error {
        code = 7;
        constructor(message: string, options?: ErrorOptions) {
          super(message, options);
          this.name = "CustomError";
        }
      }
      throw new CustomError("custom", { cause: new TypeError("inner") });
    });
    const error = await within(f).then(() => undefined, (e) => e);
    assert.equal(error.name, "CustomError");
    assert.equal(error.message, "custom");
    assert.equal(error.code, 7);
    assert.match(error.stack, /custom/);
    assert.ok(error.cause instanceof TypeError);
    assert.equal(f.exception(), error);
    assert.throws(() => f.result(), { name: "CustomError" });
  });

  it("Future.addDoneCallback() runs on finish, at once when done, and on cancel", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const calls: string[] = [];
      const f = pool.submit(mul, 5, 5);
      f.addDoneCallback((g) => calls.push(`finished ${g === f}`));
      await within(f);
      fx.successful.addDoneCallback(() => calls.push("already"));
      fx.cancelled.addDoneCallback((g) =>
        calls.push(`cancelled ${g.cancelled()}`)
      );
      const release = new Event();
      const busy = pool.submit(blocker, release);
      const queued = pool.submit(mul, 1, 1);
      queued.addDoneCallback((g) =>
        calls.push(`queued cancelled ${g.cancelled()}`)
      );
      assert.equal(queued.cancel(), true);
      release.set();
      await within(busy);
      assert.deepEqual(calls, [
        "finished true",
        "already",
        "cancelled true",
        "queued cancelled true",
      ]);
    } finally {
      await fx.close();
    }
  });

  it("Future.addDoneCallback(): a callback that throws is reported and the others still run (test_done_callback_raises)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const calls: string[] = [];
    const reported: unknown[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => reported.push(args[1]);
    try {
      const f = pool.submit(mul, 2, 2);
      f.addDoneCallback(() => calls.push("first"));
      f.addDoneCallback(() => {
        throw new Error("doh!");
      });
      f.addDoneCallback(() => calls.push("third"));
      assert.equal(await within(f), 4);
    } finally {
      console.error = error;
    }
    assert.deepEqual(calls, ["first", "third"]);
    assert.equal(reported.length, 1);
    assert.equal((reported[0] as Error).message, "doh!");
  });

  it("Future cannot be sent to another thread", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit(mul, 1, 1);
    assert.throws(() => pool.submit((x: unknown) => x, f as never), TypeError);
    await within(f);
  });
});

describe("ThreadPoolExecutor initializer (test_init)", () => {
  it("ThreadPoolExecutor initializer runs first in every pool thread", async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: (x: string) => {
        (globalThis as Record<string, unknown>).INIT_STATUS = x;
      },
      initArgs: ["initialized"],
    });
    const fs = Array.from(
      { length: 6 },
      () =>
        pool.submit(() => (globalThis as Record<string, unknown>).INIT_STATUS),
    );
    for (const f of fs) assert.equal(await within(f), "initialized");
  });

  it("ThreadPoolExecutor initializer failure breaks the pool (BrokenExecutorError)", async () => {
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: () => {
        throw new Error("error in initializer");
      },
    });
    const f = pool.submit(() => 1);
    await assert.rejects(within(f), BrokenExecutorError);
    assert.throws(() => pool.submit(() => 1), BrokenExecutorError);
    await within(pool.shutdownAsync());
  });
});
