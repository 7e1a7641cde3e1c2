// Copyright 2026 the threadkit authors. MIT license.
// Executor.map submits at the call, as Python's does (pool/_map.ts), and a
// timeout or an abort cancels every task not yet run, the awaited one too;
// a submit reuses an idle pool thread before it starts one (pool/_pool.ts
// replenish), and a waiting shutdown joins the pool threads.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  currentThread,
  enumerate,
  Event,
  Queue,
  RuntimeError,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { blocker, within } from "./_fixtures.ts";

// Records each item it runs in `ran`, then returns it.
function record([ran, n]: [Queue<number>, number]): number {
  ran.put(n, { timeout: 30_000 });
  return n;
}

function drain(q: Queue<number>): number[] {
  const out: number[] = [];
  while (q.qsize() > 0) out.push(q.getNowait());
  return out.sort((a, b) => a - b);
}

function poolThreads(prefix: string) {
  return enumerate().filter((t) => t.name.startsWith(`${prefix}_`));
}

describe("ThreadPoolExecutor.map submits at the call", () => {
  it("a map never iterated runs every item; one made before shutdown yields after it", async () => {
    const ran = new Queue<number>({ capacity: 64, type: "int32" });
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const items = Array.from({ length: 20 }, (_, n) => [ran, n]);
    pool.map(record, items as [Queue<number>, number][]);
    const kept = pool.map(
      record,
      items.slice(0, 5) as [Queue<number>, number][],
    );
    await within(pool.shutdownAsync());
    const out: number[] = [];
    for await (const y of kept) out.push(y);
    assert.deepEqual(out, [0, 1, 2, 3, 4]);
    const seen = drain(ran);
    assert.equal(seen.length, 25);
    assert.deepEqual(
      seen,
      [...Array.from({ length: 20 }, (_, n) => n), 0, 1, 2, 3, 4].sort(
        (a, b) => a - b,
      ),
    );
  });

  it("map after shutdown: RuntimeError at the call when there are items, nothing when there are none", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    await within(pool.shutdownAsync());
    assert.throws(() => pool.map((x: number) => x, [1]), RuntimeError);
    const out: number[] = [];
    for await (const y of pool.map((x: number) => x, [])) out.push(y);
    assert.deepEqual(out, []);
  });

  it("more chunks than free slots: the call submits what fits, the iteration the rest, in order", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2, maxQueue: 3 });
    const items = Array.from({ length: 500 }, (_, n) => n);
    const results = pool.map((x: number) => x * 3, items, { chunksize: 7 });
    const out: number[] = [];
    for await (const y of results) out.push(y);
    assert.deepEqual(out, items.map((x) => x * 3));
  });

  it("an abort before the iteration cancels the queued tasks and ends the iteration with its reason", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    const busy = pool.submit(blocker, release, started);
    await within(started.waitAsync({ timeout: 30_000 }));
    const ran = new Queue<number>({ capacity: 16, type: "int32" });
    const abort = new AbortController();
    const results = pool.map(
      record,
      [[ran, 1], [ran, 2], [ran, 3]] as [Queue<number>, number][],
      { signal: abort.signal },
    );
    abort.abort(new Error("stop"));
    release.set();
    assert.equal(await within(busy), "released");
    await assert.rejects(
      async () => {
        for await (const _ of results) { /* nothing comes */ }
      },
      { message: "stop" },
    );
    await within(pool.shutdownAsync());
    assert.deepEqual(drain(ran), []);
  });

  it("a timeout cancels the task it awaited (blocking form, in a thread)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    const busy = pool.submit(blocker, release, started);
    await within(started.waitAsync({ timeout: 30_000 }));
    const ran = new Queue<number>({ capacity: 16, type: "int32" });
    let error: unknown;
    try {
      for (
        const _ of pool.map(
          record,
          [[ran, 1], [ran, 2]] as [Queue<number>, number][],
          { timeout: 0 },
        )
      ) { /* times out first */ }
    } catch (e) {
      error = e;
    }
    assert.equal((error as Error)?.name, "TimeoutError");
    release.set();
    assert.equal(await within(busy), "released");
    await within(pool.shutdownAsync());
    assert.deepEqual(drain(ran), []);
  });
});

describe("ThreadPoolExecutor starts a thread only when none is idle", () => {
  it("tasks one after another run on one thread; a waiting shutdown joins it", async () => {
    const prefix = `reuse${Math.random().toString(36).slice(2)}`;
    const pool = new ThreadPoolExecutor({
      maxWorkers: 4,
      threadNamePrefix: prefix,
    });
    const idents = new Set<number | undefined>();
    for (let i = 0; i < 5; i++) {
      idents.add(await within(pool.submit(() => currentThread().ident)));
    }
    assert.equal(idents.size, 1);
    assert.equal(poolThreads(prefix).length, 1);
    await within(pool.shutdownAsync());
    assert.deepEqual(poolThreads(prefix).map((t) => t.name), []);
  });

  it("three blocked tasks at once start three threads, not maxWorkers", async () => {
    const prefix = `three${Math.random().toString(36).slice(2)}`;
    const pool = new ThreadPoolExecutor({
      maxWorkers: 6,
      threadNamePrefix: prefix,
    });
    const release = new Event();
    const started = [new Event(), new Event(), new Event()];
    const fs = started.map((s) => pool.submit(blocker, release, s));
    for (const s of started) await within(s.waitAsync({ timeout: 30_000 }));
    assert.equal(poolThreads(prefix).length, 3);
    release.set();
    for (const f of fs) assert.equal(await within(f), "released");
    pool.shutdown();
    assert.deepEqual(poolThreads(prefix).map((t) => t.name), []);
  });
});

describe("ThreadPoolExecutor: a thread holding a task is not idle", () => {
  it("a task queued behind one handed to the only thread gets a thread at its submit (home busy, in no threadkit wait)", async () => {
    const waitFor = (e: Event) => e.wait({ timeout: 30_000 });
    const setIt = (e: Event) => {
      e.set();
      return 1;
    };
    for (let trial = 0; trial < 3; trial++) {
      const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
      await within(pool.submit((x: number) => x, 1)); // one thread, idle now
      const e = new Event();
      const a = pool.submit(waitFor, e); // handed to it, or queued for it
      const b = pool.submit(setIt, e); // needs a second thread
      // Busy outside threadkit's waits (no owner scan, no supervisor tick):
      // only a start at b's submit can run it. Bounded (a failure ends).
      const end = performance.now() + 20_000;
      while (!e.isSet() && performance.now() < end) { /* spin */ }
      assert.equal(e.isSet(), true, `trial ${trial}: b never ran`);
      assert.equal(await within(a), true);
      assert.equal(await within(b), 1);
      await within(pool.shutdownAsync());
    }
  });
});

describe("ThreadPoolExecutor.map's async iterator", () => {
  it("two next() calls at once yield two different items, in order", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const it = pool.map((x: number) => x, [1, 2, 3])[Symbol.asyncIterator]();
    const [a, b] = await within(Promise.all([it.next(), it.next()]));
    const c = await within(it.next()), d = await within(it.next());
    assert.deepEqual([a.value, b.value, c.value, d.done], [1, 2, 3, true]);
  });

  it("a next() pending at return() yields nothing after it", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const go = new Event(), started = new Event();
    const gated = ([go, started, x]: [Event, Event, number]) => {
      started.set();
      go.wait({ timeout: 30_000 });
      return x;
    };
    const it = pool.map(
      gated,
      [[go, started, 1], [go, started, 2]] as [Event, Event, number][],
      { chunksize: 2 },
    )[Symbol.asyncIterator]();
    await within(started.waitAsync({ timeout: 30_000 })); // running: kept
    const pending = it.next();
    assert.equal((await it.return!()).done, true);
    go.set();
    assert.deepEqual(await within(pending), { done: true, value: undefined });
    assert.deepEqual(await within(it.next()), { done: true, value: undefined });
  });
});

// Python 3.14's Executor.map(buffersize=) (CPython's
// test_map_buffersize_* cases): the call pulls `buffersize` items, each
// result taken one more, so an endless iterable works.
describe("ThreadPoolExecutor.map buffersize", () => {
  it("validates as Python does: TypeError unless an integer or null, RangeError (ValueError) below 1", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const map = (buffersize: unknown) =>
      pool.map((x: number) => x, [], { buffersize } as never);
    for (const bad of [1.5, "2", NaN, Infinity, {}, true, 2n]) {
      assert.throws(() => map(bad), {
        name: "TypeError",
        message: /buffersize must be an integer or null/,
      }, String(bad));
    }
    for (const bad of [0, -1]) {
      assert.throws(() => map(bad), {
        name: "RangeError",
        message: /buffersize must be null or > 0/,
      });
    }
    for (const ok of [undefined, null, 1, 300]) {
      const out = [];
      for await (const y of map(ok)) out.push(y);
      assert.deepEqual(out, []);
    }
  });

  it("the call pulls buffersize items from the iterable, and a map never iterated runs only those", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const ints = [0, 1, 2, 3][Symbol.iterator]();
    pool.map((x: number) => String(x), { [Symbol.iterator]: () => ints }, {
      buffersize: 2,
    });
    await within(pool.shutdownAsync());
    assert.equal(ints.next().value, 2, "only buffersize items were pulled");
  });

  it("an endless iterable: each result taken pulls one more (buffersize + k after k), in order", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    let pulled = 0;
    function* count() {
      for (;;) yield ++pulled;
    }
    for (const chunksize of [1, 3]) {
      pulled = 0;
      const results = pool.map((x: number) => String(x), count(), {
        buffersize: 2,
        chunksize,
      });
      assert.equal(pulled, 2 * chunksize);
      const out: string[] = [];
      for await (const y of results) {
        out.push(y);
        if (out.length === 3 * chunksize) break;
      }
      assert.deepEqual(
        out,
        Array.from({ length: 3 * chunksize }, (_, i) => String(i + 1)),
      );
      // Three chunks yielded: two then one more per chunk taken (Python's
      // order: the next chunk is submitted before the oldest is awaited).
      assert.equal(pulled, (2 + 3) * chunksize);
    }
  });

  it("in a thread, the blocking form keeps the same bound", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const t = new Thread({
      target: (pool: ThreadPoolExecutor) => {
        let pulled = 0;
        function* count() {
          for (;;) yield ++pulled;
        }
        const results = pool.map((x: number) => x * 2, count(), {
          buffersize: 3,
        });
        const before = pulled;
        const out: number[] = [];
        for (const y of results) {
          out.push(y);
          if (out.length === 10) break;
        }
        return [before, out, pulled];
      },
      args: [pool],
    });
    t.start();
    assert.deepEqual(await within(t.joinAsync({ timeout: 30_000 })), [
      3,
      [2, 4, 6, 8, 10, 12, 14, 16, 18, 20],
      13,
    ]);
  });
});
