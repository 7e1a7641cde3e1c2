// Copyright 2026 the threadkit authors. MIT license.
// What threadkit's executor adds to Python's: faults (a task that throws, a
// pool thread that dies), cancellation by AbortSignal, backpressure
// (maxQueue), an executor that travels to a thread, primitives in args and
// results, module targets, and idle pool threads that end.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CancelledError,
  currentThread,
  enumerate,
  Event,
  Lock,
  moduleTarget,
  RuntimeError,
  Thread,
  ThreadDiedError,
  ThreadPoolExecutor,
} from "../../mod.ts";
import type * as tasks from "../_workers/pool_tasks.ts";
import { isBun, until } from "../_helpers.ts";
import { blocker, within } from "./_fixtures.ts";

const TASKS = new URL("../_workers/pool_tasks.ts", import.meta.url);

describe("ThreadPoolExecutor faults", () => {
  it("ThreadPoolExecutor: a task that throws fails its Future only; the thread goes on", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const before = pool.submit(() => currentThread().ident);
    const bad = pool.submit((): number => {
      throw new TypeError("bad task");
    });
    const after = pool.submit(() => currentThread().ident);
    await assert.rejects(within(bad), {
      name: "TypeError",
      message: "bad task",
    });
    assert.equal(await within(after), await within(before));
  });

  it("ThreadPoolExecutor: a pool thread that exits mid-task fails exactly that Future and is replaced", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const ok1 = Array.from(
      { length: 20 },
      (_, i) => pool.submit((x: number) => x + 1, i),
    );
    const dying = pool.submit(() => {
      (globalThis as unknown as { process: { exit(c: number): void } })
        .process.exit(3);
      return -1;
    });
    const ok2 = Array.from(
      { length: 20 },
      (_, i) => pool.submit((x: number) => x * 2, i),
    );
    await assert.rejects(within(dying), ThreadDiedError);
    assert.deepEqual(await within(Promise.all(ok1)), ok1.map((_, i) => i + 1));
    assert.deepEqual(await within(Promise.all(ok2)), ok2.map((_, i) => i * 2));
    // A replacement runs later tasks.
    const later = Array.from(
      { length: 4 },
      (_, i) => pool.submit((x: number) => x, i),
    );
    assert.deepEqual(await within(Promise.all(later)), [0, 1, 2, 3]);
  });
});

describe("ThreadPoolExecutor resourceLimits", () => {
  // Bun 1.4 does not enforce resourceLimits per worker (measured by the
  // thread-death tests): the task's allocation is capped for such a runtime.
  it(
    "ThreadPoolExecutor({ resourceLimits }): a task that runs its thread out of memory fails with ThreadDiedError; the pool goes on",
    {
      skip: isBun && "Bun does not enforce resourceLimits per worker",
    },
    async () => {
      await using pool = new ThreadPoolExecutor({
        maxWorkers: 1,
        resourceLimits: { maxOldGenerationSizeMb: 32 },
      });
      assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
      const hog = pool.submit(() => {
        const keep: number[][] = [];
        // About 320 MB at most, ten times the limit.
        for (let i = 0; i < 40; i++) keep.push(new Array(1 << 20).fill(i));
        return keep.length;
      });
      await assert.rejects(within(hog), ThreadDiedError);
      assert.equal(await within(pool.submit((x: number) => x * 3, 3)), 9);
    },
  );
});

describe("ThreadPoolExecutor.submitWith({ signal })", () => {
  it("ThreadPoolExecutor.submitWith(): aborting a queued task cancels it", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    const busy = pool.submit(blocker, release, started);
    await within(started.waitAsync({ timeout: 30_000 }));
    const ac = new AbortController();
    const ran = new Event();
    const f = pool.submitWith((ran: Event) => ran.set(), [ran], {
      signal: ac.signal,
    });
    ac.abort();
    assert.equal(f.cancelled(), true);
    release.set();
    await within(busy);
    await assert.rejects(within(f), CancelledError);
    // The pool ran everything after it and never this one.
    assert.equal(await within(pool.submit(() => 1)), 1);
    assert.equal(ran.isSet(), false);
  });

  it("ThreadPoolExecutor.submitWith(): aborting a running task cancels its thread's waits; the next task is not cancelled", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const started = new Event();
    const ac = new AbortController();
    const f = pool.submitWith(
      (started: Event) => {
        started.set();
        try {
          new Event().wait({ timeout: 30_000 });
          return "not cancelled";
        } catch (e) {
          return `${(e as Error).name} ${currentThread().cancelled}`;
        }
      },
      [started],
      { signal: ac.signal },
    );
    await within(started.waitAsync({ timeout: 30_000 }));
    ac.abort();
    assert.equal(await within(f), "CancelledError true");
    const next = pool.submit(() => {
      new Event().wait({ timeout: 10 });
      return currentThread().cancelled;
    });
    assert.equal(await within(next), false);
  });
});

describe("ThreadPoolExecutor backpressure (maxQueue)", () => {
  it("ThreadPoolExecutor: submitWith({ timeout }) throws when the queue stays full; submitAsync waits for room", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 1 });
    const release = new Event(), started = new Event();
    const busy = pool.submit(blocker, release, started);
    await within(started.waitAsync({ timeout: 30_000 }));
    const queued = pool.submit((x: number) => x, 1);
    assert.throws(
      () => pool.submitWith((x: number) => x, [2], { timeout: 50 }),
      RuntimeError,
    );
    const later = pool.submitAsync((x: number) => x, 3);
    release.set();
    const { future } = await within(later);
    assert.equal(await within(future), 3);
    assert.equal(await within(queued), 1);
    assert.equal(await within(busy), "released");
  });
});

describe("ThreadPoolExecutor across threads", () => {
  it("ThreadPoolExecutor passed to a thread arrives as itself; the thread submits and maps (blocking forms)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const t = new Thread({
      target: (pool: ThreadPoolExecutor) => {
        const f = pool.submit((x: number) => x * 10, 4);
        let sum = 0;
        for (
          const y of pool.map((x: number) => x + 1, [1, 2, 3], {
            timeout: 30_000,
          })
        ) sum += y;
        return [f.result({ timeout: 30_000 }), sum, pool.maxWorkers];
      },
      args: [pool],
    });
    t.start();
    assert.deepEqual(await within(t.joinAsync({ timeout: 30_000 })), [
      40,
      9,
      2,
    ]);
  });

  it("ThreadPoolExecutor that came back from a thread is the same executor (two handles, one set of Futures)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const t = new Thread({
      target: (p: ThreadPoolExecutor) => p,
      args: [pool],
    });
    t.start();
    const back = await within(t.joinAsync({ timeout: 30_000 }));
    assert.ok(back instanceof ThreadPoolExecutor);
    const fs = [
      pool.submit((x: number) => x, 1),
      back.submit((x: number) => x, 2),
    ];
    assert.deepEqual(await within(Promise.all(fs)), [1, 2]);
  });

  it("ThreadPoolExecutor: primitives in args and results arrive as themselves", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const lock = new Lock();
    const back = await within(pool.submit((lock: Lock) => {
      lock.acquire();
      return { lock, held: lock.locked() };
    }, lock));
    assert.equal(back.held, true);
    assert.ok(back.lock instanceof Lock);
    assert.equal(lock.locked(), true);
    back.lock.release();
    assert.equal(lock.locked(), false);
  });

  it("ThreadPoolExecutor: values keep their structured-clone meaning; module targets are typed", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const value = {
      d: new Date(0),
      m: new Map([[1, "a"]]),
      big: 10n,
      u: undefined,
      s: "é",
    };
    assert.deepEqual(
      await within(pool.submit((x: unknown) => x, value)),
      value,
    );
    const addOne = moduleTarget<typeof tasks.addOne>(TASKS, "addOne");
    const asyncDouble = moduleTarget<typeof tasks.asyncDouble>(
      TASKS,
      "asyncDouble",
    );
    const f = pool.submit(addOne, 41); // Future<number>
    assert.equal(await within(f), 42);
    assert.equal(await within(pool.submit(asyncDouble, 21)), 42);
    const out: number[] = [];
    for await (const y of pool.map(addOne, [1, 2], { timeout: 30_000 })) {
      out.push(y);
    }
    assert.deepEqual(out, [2, 3]);
  });

  it("ThreadPoolExecutor: arrays of numbers (copied as float64) and arrays that are not only numbers keep their structured-clone meaning", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const echo = (x: unknown) => x;
    const withKey = Object.assign([1, 2], { x: 3 });
    const holey = [1, , 3];
    const mixed = [1, "2", 3];
    const big = new Array(3000).fill(0); // over taskBytes as float64, not as JSON
    const odd = [-0, NaN, Infinity, -Infinity, 5e-324, 2 ** 53 + 2, -1.5];
    for (const value of [[], odd, withKey, holey, mixed, big]) {
      const back = await within(pool.submit(echo, value));
      assert.deepEqual(back, structuredClone(value));
      assert.equal(Array.isArray(back), true);
    }
    const negZero = await within(pool.submit((x: number[]) => x, [-0]));
    assert.ok(Object.is(negZero[0], -0));
    // Two arrays: the codec; a number array beside other args too.
    assert.deepEqual(
      await within(pool.submit((a: number[], b: number[]) => [b, a], [1], [2])),
      [[2], [1]],
    );
    // Items of map chunks, and results, of every kind.
    const items = [0, -0, NaN, 1.5, "s", null, [1, 2], { a: 1 }];
    const out: unknown[] = [];
    for await (const y of pool.map(echo, items, { chunksize: 3 })) out.push(y);
    assert.deepEqual(out, structuredClone(items));
    assert.ok(Object.is(out[1], -0));
    // Arrays are cut into chunks with slice: holes reach the target as
    // undefined, as the iterator gives them; other iterables as before.
    const seen: unknown[] = [];
    const kind = (x: unknown) => x === undefined ? "undefined" : typeof x;
    for await (const y of pool.map(kind, [1, , 3, , "x"], { chunksize: 2 })) {
      seen.push(y);
    }
    assert.deepEqual(seen, [
      "number",
      "undefined",
      "number",
      "undefined",
      "string",
    ]);
    const fromSet: number[] = [];
    const double = (x: number) => x * 2;
    for await (
      const y of pool.map(double, new Set([1, 2, 3]), { chunksize: 2 })
    ) {
      fromSet.push(y);
    }
    assert.deepEqual(fromSet, [2, 4, 6]);
    // Index getters: an array of numbers is read once (the float64 path);
    // one that throws runs once and the submit is the codec's TypeError.
    let reads = 0, throws = 0;
    const getters = [0, 0];
    Object.defineProperty(getters, 0, {
      get: () => ++reads,
      enumerable: true,
    });
    assert.deepEqual(await within(pool.submit(echo, getters)), [1, 0]);
    assert.equal(reads, 1);
    const trap = [1, 2];
    Object.defineProperty(trap, 1, {
      get() {
        throws++;
        throw new Error("no");
      },
      enumerable: true,
    });
    assert.throws(() => pool.submit(echo, trap), {
      name: "TypeError",
      message: /its args cannot be sent to a thread \(no\)/,
    });
    assert.equal(throws, 1);
    assert.equal(await within(pool.submit(echo, 7)), 7);
  });

  it("ThreadPoolExecutor: args over taskBytes are a RangeError at submit", () => {
    using pool = new ThreadPoolExecutor({ maxWorkers: 1, taskBytes: 64 });
    assert.throws(
      () => pool.submit((s: string) => s.length, "x".repeat(100)),
      RangeError,
    );
  });
});

describe("ThreadPoolExecutor idle threads", () => {
  it("ThreadPoolExecutor({ idleTimeout }): idle pool threads end, and come back for new tasks", async () => {
    // This pool's own threads, by name: a count of all threads would also
    // include an earlier test's pool threads still ending (a shutdown waits
    // for LIVE 0, which comes before a thread's end), and could reach its
    // starting value with this pool's threads alive.
    const prefix = "idle-end-test";
    const mine = () =>
      enumerate().filter((t) => t.name.startsWith(prefix)).length;
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      idleTimeout: 100,
      threadNamePrefix: prefix,
    });
    const fs = Array.from(
      { length: 4 },
      (_, i) => pool.submit((x: number) => x, i),
    );
    await within(Promise.all(fs));
    await until(() => mine() === 0, "this pool's threads to end", 30_000);
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
  });
});
