// Copyright 2026 the threadkit authors. MIT license.
// Shared memory in task args and results (pool/_shared.ts): views over a
// SharedArrayBuffer reach the pool thread over the same memory, submitted
// from the executor's home thread (registered, posted to pool threads) or
// from any thread when the buffer is in initArgs; anything else is a
// TypeError at submit. Real threads, exact counts, bounded waits.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Event,
  Lock,
  Queue,
  Semaphore,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { KEEP, registeredBuffers } from "../../pool/_shared.ts";
import { exitIn } from "../_helpers.ts";
import { within } from "./_fixtures.ts";

const JOIN = { timeout: 60_000 };

function words(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

const add = (w: Int32Array, i: number, n: number) => Atomics.add(w, i, n);

// A task that adds 1 to w[0], then blocks until `release` is set (at most
// 30 s); resolves once it runs.
async function holding(pool: ThreadPoolExecutor, w: Int32Array) {
  const release = new Event(), started = new Event();
  const held = pool.submit(addThenHold, w, release, started);
  await within(started.waitAsync({ timeout: 30_000 }));
  return { release, held };
}

function addThenHold(w: Int32Array, release: Event, started: Event): string {
  Atomics.add(w, 0, 1);
  started.set();
  return release.wait({ timeout: 30_000 }) ? "released" : "timed out";
}

describe("ThreadPoolExecutor: shared memory in task args", () => {
  it("home submits 1000 tasks over 4 buffers with 2 pool threads: every add lands once", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const bufs = [words(2), words(2), words(2), words(2)];
    const futures = [];
    for (let i = 0; i < 1000; i++) {
      futures.push(pool.submit(add, bufs[i % 4], (i >> 2) & 1, 1));
    }
    await within(Promise.all(futures), 60_000);
    for (const w of bufs) assert.deepEqual([...w], [125, 125]);
    assert.equal(registeredBuffers().named, 0, "no task names one now");
  });

  it("a SharedArrayBuffer, a DataView and views at offsets, nested in objects, arrays, Maps and Sets, arrive over the same memory", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const sab = new SharedArrayBuffer(64);
    const arg = {
      whole: sab,
      ints: new Int32Array(sab, 8, 2),
      list: [new DataView(sab, 16, 8)],
      map: new Map([["f", new Float64Array(sab, 24, 1)]]),
      set: new Set([new Uint8Array(sab, 32, 4)]),
    };
    const same = await within(pool.submit((a: typeof arg) => {
      new Int32Array(a.whole)[0] = 7;
      a.ints[1] = 8; // word 3
      a.list[0].setInt32(0, 9, true); // word 4
      a.map.get("f")![0] = 1.5; // bytes 24..31
      [...a.set][0][0] = 10; // byte 32
      return a.ints.buffer === a.whole && a.list[0].buffer === a.whole;
    }, arg));
    assert.equal(same, true, "one buffer object for all its views");
    const w = new Int32Array(sab);
    assert.deepEqual([w[0], w[3], w[4]], [7, 8, 9]);
    assert.equal(new Float64Array(sab, 24, 1)[0], 1.5);
    assert.equal(new Uint8Array(sab)[32], 10);
  });

  it("a pool thread started after the buffer was registered (maxWorkers grows) sees it", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const w = words(2);
    // The first pool thread holds the buffer and blocks; the second task
    // starts the second thread, which gets the buffer in its start args.
    const { release, held: first } = await holding(pool, w);
    const second = pool.submit(add, w, 1, 1);
    assert.equal(await within(second), 0);
    release.set();
    assert.equal(await within(first), "released");
    assert.deepEqual([...w], [1, 1]);
  });

  it("buffers registered while a pool thread is parked reach it by its port; idle ones are kept up to KEEP, older ones dropped and registered again", async () => {
    const kept = registeredBuffers().kept;
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(await within(pool.submit(() => 1)), 1); // started, idle
    const bufs = Array.from({ length: KEEP + 8 }, () => words(1));
    // Each round names every buffer once: the first KEEP + 8 - KEEP of a
    // round were dropped in the round before, so each round drops and
    // registers again.
    for (let round = 0; round < 5; round++) {
      for (const w of bufs) {
        assert.equal(await within(pool.submit(add, w, 0, 1)), round);
      }
      assert.equal(registeredBuffers().kept - kept, KEEP);
    }
    for (const w of bufs) assert.equal(w[0], 5);
    assert.equal(registeredBuffers().named, 0);
  });

  it("one buffer in many tasks in flight and one at a time, released and named again between: every add lands once", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const w = words(1);
    for (let round = 0; round < 20; round++) {
      const fs = Array.from({ length: 50 }, () => pool.submit(add, w, 0, 1));
      await within(Promise.all(fs));
      // Many other buffers push this one out of the idle entries.
      for (let i = 0; i < KEEP + 1; i++) {
        await within(pool.submit(add, words(1), 0, 1));
      }
    }
    assert.equal(w[0], 1000);
  });

  it("a replacement thread after a pool thread dies sees the buffers registered", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const w = words(2);
    const { release, held } = await holding(pool, w);
    // Queued behind it, naming the same buffer (registered, refs held).
    const queued = pool.submit(add, w, 1, 1);
    const dies = pool.submit(exitIn("EXIT"), 3);
    release.set();
    assert.equal(await within(held), "released");
    assert.equal(await within(queued), 0);
    await within(dies).catch(() => {});
    // The replacement: started after the thread died, with the registry.
    const after = pool.submit(add, w, 1, 1);
    assert.equal(await within(after), 1);
    assert.deepEqual([...w], [1, 2]);
  });

  it("from a thread the executor was sent to: a view over an initArgs buffer works, and over its own buffer (tests/pool/shared_mesh_test.ts)", async () => {
    const shared = words(4);
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initArgs: [{ counters: shared }],
    });
    const t = new Thread({
      target: async (pool: ThreadPoolExecutor, w: Int32Array) => {
        const fs = [];
        for (let i = 0; i < 200; i++) {
          fs.push(pool.submit(
            (w: Int32Array, i: number) => Atomics.add(w, i, 1),
            new Int32Array(w.buffer, 4, 2),
            i % 2,
          ));
        }
        await Promise.all(fs);
        await pool.submit((w: Int32Array) => w[0], new Int32Array(4));
        const own = new Int32Array(new SharedArrayBuffer(4));
        return await pool.submit((w: Int32Array) => Atomics.add(w, 0, 5), own) +
          own[0];
      },
      args: [pool, shared],
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), 5);
    assert.deepEqual([...shared], [0, 100, 100, 0]);
  });

  it("initArgs' buffers are found in a thread the executor was sent to as structured clone carries them: in a class instance, not under a symbol key", async () => {
    class Holder {
      constructor(readonly held: Int32Array) {}
    }
    const a = words(1), b = words(1), hidden = words(1);
    const init = [new Holder(a), { [Symbol("x")]: hidden, b }];
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initArgs: init,
    });
    const t = new Thread({
      target: async (pool: ThreadPoolExecutor, b: Int32Array) => {
        await pool.submit((w: Int32Array) => Atomics.add(w, 0, 1), b);
      },
      args: [pool, b],
    });
    t.start();
    await t.joinAsync(JOIN);
    assert.deepEqual([a[0], b[0], hidden[0]], [0, 1, 0]);
  });

  it("with resourceLimits (pool threads behind a watcher): a registered buffer reaches them", async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    assert.equal(await within(pool.submit(() => 1)), 1); // started, idle
    const w = words(1);
    assert.equal(await within(pool.submit(add, w, 0, 4)), 0);
    assert.equal(w[0], 4);
  });

  it("map with shared views in its items, and a shared arg through a closure-free target", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const w = words(8);
    const items = Array.from(
      { length: 64 },
      (_, i) => new Int32Array(w.buffer, (i % 8) * 4, 1),
    );
    let n = 0;
    for await (
      const r of pool.map((v: Int32Array) => Atomics.add(v, 0, 1), items, {
        chunksize: 5,
      })
    ) {
      assert.equal(typeof r, "number");
      n++;
    }
    assert.equal(n, 64);
    assert.deepEqual([...w], [8, 8, 8, 8, 8, 8, 8, 8]);
  });

  it("a task may return a view over a buffer its args named or one of initArgs; another is a TypeError", async () => {
    const init = words(2);
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initArgs: [init],
    });
    const w = words(4);
    const back = await within(
      pool.submit((w: Int32Array) => new Int32Array(w.buffer, 4, 2), w),
    );
    assert.ok(back instanceof Int32Array);
    assert.equal(back.buffer, w.buffer, "the submitter's own buffer object");
    assert.deepEqual([back.byteOffset, back.length], [4, 2]);
    back[0] = 5;
    assert.equal(w[1], 5);
    await assert.rejects(
      within(pool.submit(() => new Int32Array(new SharedArrayBuffer(4)))),
      (e: Error) =>
        e instanceof TypeError && /Cannot return the task's result/.test(
          e.message,
        ),
    );
  });

  it("a task's args that cannot be sent after a view was registered leave nothing registered", () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      assert.throws(
        () =>
          pool.submit((_w: Int32Array, _f: unknown) => 0, words(1), () => 0),
        (e: Error) =>
          e instanceof TypeError && /Cannot submit task/.test(e.message),
      );
      assert.equal(registeredBuffers().named, 0);
    } finally {
      pool.shutdown();
    }
  });

  it("home submits a view through a copy of its executor that came back from another thread", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const t = new Thread({
      target: (p: ThreadPoolExecutor) => p,
      args: [pool],
    });
    t.start();
    const back = await t.joinAsync(JOIN) as ThreadPoolExecutor;
    assert.notEqual(back, pool);
    const w = words(1);
    assert.equal(await within(back.submit(add, w, 0, 1)), 0);
    assert.equal(await within(pool.submit(add, w, 0, 1)), 1);
    // Its result names the buffer home registered: home's own object.
    const got = await within(back.submit((x: Int32Array) => x, w));
    assert.equal(got.buffer, w.buffer);
    assert.equal(w[0], 2);
  });
});

describe("ThreadPoolExecutor: a primitive in a SharedArrayBuffer of the program's own as a task arg", () => {
  it("from home: a Lock and a Semaphore in a buffer of their own arrive over the same memory, nested too", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const sab = new SharedArrayBuffer(64);
    const lock = new Lock({ buffer: sab, byteOffset: 0 });
    const sem = new Semaphore(0, { buffer: sab, byteOffset: 16 });
    assert.equal(
      await within(pool.submit((l: Lock) => l.locked(), lock)),
      false,
    );
    lock.acquire();
    try {
      // The task sees home's hold, and releases the Semaphore home waits on.
      const seen = pool.submit(
        (a: { lock: Lock; list: Semaphore[] }) => {
          a.list[0].release();
          return [a.lock.locked(), a.lock instanceof Lock];
        },
        { lock, list: [sem] },
      );
      assert.equal(await within(sem.acquireAsync({ timeout: 30_000 })), true);
      assert.deepEqual(await within(seen), [true, true]);
    } finally {
      lock.release();
    }
    assert.equal(registeredBuffers().named, 0, "no task names it now");
  });

  it("from a thread the executor was sent to: in an initArgs buffer it works, and in a buffer of that thread's own (pool/_mesh.ts); a queue item, a TypeError that says why", async () => {
    const sab = new SharedArrayBuffer(64);
    const lock = new Lock({ buffer: sab, byteOffset: 0 });
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initArgs: [sab],
    });
    lock.acquire();
    try {
      const t = new Thread({
        target: async (pool: ThreadPoolExecutor, lock: Lock) => {
          const held = await pool.submit((l: Lock) => l.locked(), lock);
          const own = new Lock({
            buffer: new SharedArrayBuffer(16),
            byteOffset: 0,
          });
          own.acquire();
          return [held, await pool.submit((l: Lock) => l.locked(), own)];
        },
        args: [pool, lock],
      });
      t.start();
      const [held, own] = await t.joinAsync(JOIN) as [boolean, boolean];
      assert.equal(held, true, "the initArgs buffer's Lock, held by home");
      assert.equal(own, true, "its own buffer's Lock, held by that thread");
    } finally {
      lock.release();
    }
    const q = new Queue<unknown>();
    assert.throws(() => q.put({ lock }), (e: Error) => {
      assert.equal(e.name, "TypeError");
      assert.match(
        e.message,
        /item\.lock is a threadkit Lock in a SharedArrayBuffer of its own/,
      );
      assert.match(e.message, /queue cannot carry/);
      assert.doesNotMatch(
        e.message,
        /pass it to the thread as a thread arg instead/,
      );
      return true;
    });
    assert.equal(q.qsize(), 0);
  });
});
