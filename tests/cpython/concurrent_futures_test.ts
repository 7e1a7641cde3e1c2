// Copyright 2026 the threadkit authors. MIT license.
// The cases of CPython's Lib/test/test_concurrent_futures that
// tests/pool/futures_test.ts does not port yet (executor.py,
// test_thread_pool.py, test_shutdown.py, test_wait.py), camelCased: each
// `it` names its CPython case. CPython's `executor._threads` is the pool's
// threads as enumerate() lists them (by threadNamePrefix); its sleeps are
// Events or a Semaphore the tasks block on; its subprocess cases run
// tests/_workers/programs/pool_exit_modes.ts. Not ported: the cases about
// weakrefs and reference cycles (test_no_stale_references,
// test_free_reference, test_del_shutdown), keyword arguments
// (test_submit_keyword), fork and process pools, and interpreter
// finalization hooks (test_submit_after_interpreter_shutdown: atexit).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  enumerate,
  Event,
  FIRST_EXCEPTION,
  Queue,
  Semaphore,
  ThreadPoolExecutor,
  TimeoutError,
  waitAsync,
} from "../../mod.ts";
import { runProgram } from "../_helpers.ts";
import { blocker, fixtures, within } from "../pool/_fixtures.ts";
import { until } from "../_helpers.ts";

let prefixes = 0;
/** A threadNamePrefix of this file's own, so its pool threads can be counted. */
function prefix(): string {
  return `cfTest${prefixes++}x`;
}
function poolThreads(prefix: string): string[] {
  return enumerate().map((t) => t.name).filter((n) => n.startsWith(prefix));
}
const mul = (x: number, y: number) => x * y;
const acquire = (s: Semaphore) => s.acquire({ timeout: 120_000 });
const acquireNoted = (s: Semaphore, running: Semaphore) => {
  running.release();
  return s.acquire({ timeout: 120_000 });
};

describe("test_concurrent_futures.executor (ExecutorTest)", () => {
  it("test_submit: submit(pow, 2, 8)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    assert.equal(
      await within(pool.submit((x: number, y: number) => x ** y, 2, 8)),
      256,
    );
  });

  it("test_map: map over 10 items, chunksize 1 and 3, in order", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const expect = Array.from({ length: 10 }, (_, i) => i ** i);
    for (const chunksize of [1, 3]) {
      const out: number[] = [];
      for await (
        const y of pool.map((x: number) => x ** x, [...Array(10).keys()], {
          chunksize,
          timeout: 120_000,
        })
      ) out.push(y);
      assert.deepEqual(out, expect, `chunksize ${chunksize}`);
    }
  });

  it("test_shutdown_race_issue12456: shutdown() with workers + 1 tasks in flight returns, and every task ran", () => {
    const str = (x: number) => String(x);
    // CPython's map submits at once; here the tasks go in by submit, and by
    // a map whose blocking iteration has begun (its window is submitted).
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const fs = [2, 2, 2].map((x) => pool.submit(str, x));
    const it = pool.map(str, [3, 3, 3])[Symbol.iterator]();
    assert.deepEqual(it.next(), { done: false, value: "3" });
    pool.shutdown();
    assert.deepEqual(fs.map((f) => f.result({ timeout: 0 })), ["2", "2", "2"]);
    assert.deepEqual([...{ [Symbol.iterator]: () => it }], ["3", "3"]);
    assert.throws(() => pool.submit(mul, 1, 2), /after shutdown/);
  });
});

describe("test_concurrent_futures.test_thread_pool", () => {
  it("test_default_workers: min(32, cores + 4)", () => {
    const cores = (globalThis.navigator?.hardwareConcurrency ?? 1) || 1;
    using pool = new ThreadPoolExecutor();
    assert.equal(pool.maxWorkers, Math.min(32, cores + 4));
  });

  it("test_saturation: 60 blocked tasks on maxWorkers 4 run on exactly 4 pool threads", async () => {
    const name = prefix();
    const pool = new ThreadPoolExecutor({
      maxWorkers: 4,
      threadNamePrefix: name,
    });
    const sem = new Semaphore(0);
    const fs = Array.from({ length: 60 }, () => pool.submit(acquire, sem));
    await until(() => poolThreads(name).length === 4, "4 pool threads");
    assert.equal(poolThreads(name).length, 4);
    sem.release(60);
    await within(pool.shutdownAsync());
    for (const f of fs) assert.equal(f.result({ timeout: 0 }), true);
  });

  it(
    "test_executor_map_current_future_cancel: map({ timeout: 0 }) behind a busy thread times out, and its tasks never start",
    async () => {
      const started = [new Event(), new Event(), new Event()];
      const logNWait = ([started, stop, i]: [Event, Event, number]) => {
        started.set();
        stop.wait({ timeout: 120_000 });
        return i;
      };
      const stop = new Event();
      {
        await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
        const first = pool.submit(logNWait, [started[0], stop, 0]);
        try {
          const items: [Event, Event, number][] = [
            [started[1], stop, 1],
            [started[2], stop, 2],
          ];
          const gen = pool.map(logNWait, items, { timeout: 0 })
            [Symbol.asyncIterator]();
          try {
            await assert.rejects(gen.next(), TimeoutError);
          } finally {
            await gen.return?.(undefined); // contextlib.closing(gen)
          }
        } finally {
          stop.set();
        }
        assert.equal(await within(first), 0);
      }
      assert.deepEqual(started.map((e) => e.isSet()), [true, false, false]);
    },
  );

  it(
    "test_idle_thread_reuse: three tasks one after another run on one pool thread",
    async () => {
      const name = prefix();
      const pool = new ThreadPoolExecutor({
        maxWorkers: 6,
        threadNamePrefix: name,
      });
      assert.equal(await within(pool.submit(mul, 21, 2)), 42);
      assert.equal(await within(pool.submit(mul, 6, 7)), 42);
      assert.equal(await within(pool.submit(mul, 3, 14)), 42);
      assert.equal(poolThreads(name).length, 1);
      await within(pool.shutdownAsync());
    },
  );

  it(
    "test_map_submits_without_iteration: map() submits its tasks before any iteration",
    async () => {
      // CPython's record_finished appends to a list: here a Queue (an
      // executor task's args cannot hold a view of shared memory).
      const finished = new Queue<number>({ capacity: 16, type: "int32" });
      const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
      pool.map(
        ([f, n]: [Queue<number>, number]) => f.put(n, { timeout: 120_000 }),
        Array.from(
          { length: 10 },
          (_, n) => [finished, n] as [Queue<number>, number],
        ),
      );
      await within(pool.shutdownAsync());
      const seen = [];
      while (finished.qsize() > 0) seen.push(finished.getNowait());
      assert.deepEqual(seen.sort((a, b) => a - b), [
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
      ]);
    },
  );
});

describe("test_concurrent_futures.test_shutdown (ThreadPoolShutdownTest)", () => {
  it("test_hang_issue12364: shutdown() with 50 tasks queued, then every result", () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const fs = Array.from({ length: 50 }, (_, i) => pool.submit(mul, i, 1));
    pool.shutdown();
    fs.forEach((f, i) => assert.equal(f.result({ timeout: 0 }), i));
  });

  it("test_hang_gh94440: a task submitted and cancelled right before shutdown({ wait: true })", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(await within(pool.submit((s: string) => Number(s), "1")), 1);
    pool.submit((s: string) => Number(s), "2").cancel();
    await within(pool.shutdownAsync());
    assert.throws(
      () => pool.submit((s: string) => Number(s), "3"),
      /after shutdown/,
    );
  });

  it("test_threads_terminate: 3 blocked tasks run on pool threads; none is left after shutdown()", async () => {
    const name = prefix();
    const pool = new ThreadPoolExecutor({
      maxWorkers: 5,
      threadNamePrefix: name,
    });
    const sem = new Semaphore(0);
    const fs = Array.from({ length: 3 }, () => pool.submit(acquire, sem));
    await until(() => poolThreads(name).length >= 3, "3 pool threads");
    sem.release(3);
    await within(pool.shutdownAsync());
    for (const f of fs) assert.equal(f.result({ timeout: 0 }), true);
    await until(() => poolThreads(name).length === 0, "no pool thread left");
  });

  it(
    "test_threads_terminate: 3 blocked tasks start exactly 3 pool threads (maxWorkers 5)",
    async () => {
      const name = prefix();
      const pool = new ThreadPoolExecutor({
        maxWorkers: 5,
        threadNamePrefix: name,
      });
      const sem = new Semaphore(0), running = new Semaphore(0);
      const fs = [];
      for (let i = 0; i < 3; i++) {
        fs.push(pool.submit(acquireNoted, sem, running));
      }
      try {
        // Every task runs (so no task is queued and no thread is running
        // none): a start for any of them has happened, and a thread started
        // wrongly is listed from its start() on (home starts them).
        for (let i = 0; i < 3; i++) {
          assert.equal(await running.acquireAsync({ timeout: 120_000 }), true);
        }
        assert.equal(poolThreads(name).length, 3);
      } finally {
        sem.release(3);
        await within(pool.shutdownAsync());
      }
      for (const f of fs) assert.equal(f.result({ timeout: 0 }), true);
    },
  );

  it(
    "test_threads_terminate: no pool thread is alive once a blocking shutdown() returns",
    () => {
      for (let round = 0; round < 3; round++) {
        const name = prefix();
        const pool = new ThreadPoolExecutor({
          maxWorkers: 6,
          threadNamePrefix: name,
        });
        for (let i = 0; i < 3; i++) {
          pool.submit(mul, i, 2).result({
            timeout: 120_000,
          });
        }
        pool.shutdown();
        const alive = enumerate().filter((t) =>
          t.name.startsWith(name) && t.isAlive()
        );
        assert.deepEqual(alive.map((t) => t.name), [], `round ${round}`);
      }
    },
  );

  it("test_context_manager_shutdown: map(abs) inside `using`; the pool threads end with the block", async () => {
    const name = prefix();
    {
      using pool = new ThreadPoolExecutor({
        maxWorkers: 5,
        threadNamePrefix: name,
      });
      assert.deepEqual(
        [...pool.map((x: number) => Math.abs(x), [
          -5,
          -4,
          -3,
          -2,
          -1,
          0,
          1,
          2,
          3,
          4,
        ])].length,
        10,
      );
    }
    await until(() => poolThreads(name).length === 0, "no pool thread left");
  });

  it(
    "test_shutdown_no_wait: results of a map started before shutdown({ wait: false }) are all computed",
    async () => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 5 });
      const res = pool.map((x: number) => Math.abs(x), [
        -5,
        -4,
        -3,
        -2,
        -1,
        0,
        1,
        2,
        3,
        4,
      ]);
      pool.shutdown({ wait: false });
      const out: number[] = [];
      for await (const y of res) out.push(y);
      assert.deepEqual(out, [5, 4, 3, 2, 1, 0, 1, 2, 3, 4]);
    },
  );

  it("test_thread_names_assigned and test_thread_names_default", async () => {
    const named = new ThreadPoolExecutor({
      maxWorkers: 5,
      threadNamePrefix: "SpecialPool",
    });
    const plain = new ThreadPoolExecutor({ maxWorkers: 5 });
    const release = new Event();
    const fs = [named, plain].flatMap((p) =>
      Array.from({ length: 5 }, () => p.submit(blocker, release))
    );
    try {
      await until(
        () =>
          poolThreads("SpecialPool_").length === 5 &&
          enumerate().filter((t) =>
              /^ThreadPoolExecutor-\d+_[0-4]$/.test(t.name)
            )
              .length >= 5,
        "10 pool threads",
      );
      for (const n of poolThreads("SpecialPool")) {
        assert.match(n, /^SpecialPool_[0-4]$/);
      }
    } finally {
      release.set();
    }
    await within(Promise.all(fs));
    await within(Promise.all([named.shutdownAsync(), plain.shutdownAsync()]));
  });
});

describe("test_concurrent_futures.test_shutdown subprocess cases", () => {
  const program = new URL(
    "../_workers/programs/pool_exit_modes.ts",
    import.meta.url,
  );
  for (
    const [mode, name] of [
      [
        "drop",
        "test_interpreter_shutdown: a task whose Future is dropped runs, and the process exits",
      ],
      [
        "nowait",
        "test_hang_gh83386: shutdown({ wait: false }) with a running task: it finishes and the process exits",
      ],
      [
        "cancel",
        "test_cancel_futures_wait_false: shutdown({ wait: false, cancelFutures: true }): the process exits",
      ],
    ] as const
  ) {
    it(name, async () => {
      const run = await runProgram(program, 60_000, [mode]);
      assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      const out = run.stdout.trim();
      if (mode === "cancel") assert.ok(["apple", ""].includes(out), out);
      else assert.equal(out, "apple");
    });
  }
});

describe("test_concurrent_futures.test_wait", () => {
  it("test_first_exception_some_already_complete: done holds the completed and the one that failed", async () => {
    const fx = await fixtures();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const go = new Event(), hold = new Event();
    const failing = pool.submit((go: Event) => {
      go.wait({ timeout: 120_000 });
      throw new RangeError("late failure");
    }, go);
    const slow = pool.submit(blocker, hold);
    try {
      const pending = waitAsync(
        [fx.successful, fx.cancelled, failing, slow],
        { returnWhen: FIRST_EXCEPTION, timeout: 120_000 },
      );
      go.set();
      const { done, notDone } = await within(pending);
      assert.deepEqual(done, new Set([fx.successful, fx.cancelled, failing]));
      assert.deepEqual(notDone, new Set([slow]));
    } finally {
      hold.set();
      await fx.close();
    }
  });
});
