// Copyright 2026 the threadkit authors. MIT license.
// Shared memory in tasks submitted from a thread other than the executor's
// home (pool/_mesh.ts): a thread the executor reached in a Thread's args
// (a holder) submits tasks over its own buffers. Real threads, exact
// counts, bounded waits.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  Event,
  type ModuleTarget,
  Queue,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { Block, IDS, LIVE } from "../../pool/_layout.ts";
import { meshHolders } from "../../pool/_mesh.ts";
import { stressSize, until } from "../_helpers.ts";
import { within } from "./_fixtures.ts";

const JOIN = { timeout: 60_000 };
const PROBE = new URL("../_workers/mesh_probe.ts", import.meta.url);
const HOOK = new URL("../_workers/mesh_hook.ts", import.meta.url);
const HOLDERS: ModuleTarget<(w: Int32Array) => number> = {
  module: PROBE,
  export: "holders",
};

function words(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

const blockOf = (pool: ThreadPoolExecutor) =>
  new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);

// Spins (this thread runs no event loop turn, so home reads no port
// meanwhile) until `check()`, at most 20 s.
function spin(check: () => boolean, what: string): void {
  const end = performance.now() + 20_000;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out: ${what}`);
  }
}

describe("ThreadPoolExecutor: shared memory from a thread the executor was passed to", () => {
  it("a holder submits 1000 tasks over its own 3 buffers with 2 pool threads: each add lands once", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const t = new Thread({
      target: async (pool: ThreadPoolExecutor) => {
        const bufs = [0, 1, 2].map(() =>
          new Int32Array(new SharedArrayBuffer(8))
        );
        const fs = [];
        for (let i = 0; i < 1000; i++) {
          fs.push(pool.submit(
            (w: Int32Array, i: number) => Atomics.add(w, i, 1),
            bufs[i % 3],
            (i >> 2) & 1,
          ));
        }
        await Promise.all(fs);
        return bufs.map((w) => [...w]);
      },
      args: [pool],
    });
    t.start();
    const got = await t.joinAsync(JOIN) as number[][];
    // i % 3 picks the buffer, (i >> 2) & 1 the word: counted here.
    const want = [0, 1, 2].map(() => [0, 0]);
    for (let i = 0; i < 1000; i++) want[i % 3][(i >> 2) & 1]++;
    assert.deepEqual(got, want);
  });

  it("pool threads started after the holder registered (grown again after idling out) see its buffers", async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      idleTimeout: 50,
    });
    const b = blockOf(pool);
    const registered = new Event(), go = new Event(), both = new Barrier(2);
    const t = new Thread({
      target: async (
        pool: ThreadPoolExecutor,
        registered: Event,
        go: Event,
        both: Barrier,
      ) => {
        const w = new Int32Array(new SharedArrayBuffer(8));
        await pool.submit((w: Int32Array) => Atomics.add(w, 0, 1), w);
        registered.set();
        if (!go.wait({ timeout: 30_000 })) return "no go";
        // Two at once, each waiting for the other: two new threads.
        const run = (w: Int32Array, both: Barrier) => {
          Atomics.add(w, 0, 1);
          both.wait({ timeout: 30_000 });
          return Atomics.add(w, 1, 1);
        };
        const fs = [pool.submit(run, w, both), pool.submit(run, w, both)];
        await Promise.all(fs);
        return [...w];
      },
      args: [pool, registered, go, both],
    });
    t.start();
    assert.ok(await registered.waitAsync({ timeout: 30_000 }));
    // Every pool thread idled out: the next two start after the register.
    await until(() => Atomics.load(b.v, LIVE) === 0, "idle out", 30_000);
    go.set();
    assert.deepEqual(await t.joinAsync(JOIN), [3, 2]);
  });

  it("a replacement for a pool thread that exits mid-task sees the holder's buffers", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const t = new Thread({
      target: async (
        pool: ThreadPoolExecutor,
        dies: ModuleTarget<(w: Int32Array) => never>,
      ) => {
        const w = new Int32Array(new SharedArrayBuffer(8));
        await pool.submit((w: Int32Array) => Atomics.add(w, 0, 1), w);
        // Ends its thread mid-task (which held the buffer's port); the
        // next task runs on its replacement, which gets it from home.
        await Promise.resolve(pool.submit(dies, w)).catch(() => {});
        await pool.submit((w: Int32Array) => Atomics.add(w, 0, 1), w);
        return [...w];
      },
      args: [pool, { module: PROBE.href, export: "dies" }],
    });
    t.start();
    assert.deepEqual(await t.joinAsync(JOIN), [2, 1]);
  });

  it("a holder passes the executor on to its own child, which submits over its own buffers", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const t = new Thread({
      target: { module: PROBE, export: "parent" },
      args: [pool, PROBE.href],
    });
    t.start();
    assert.deepEqual(await t.joinAsync(JOIN), [[2], [50, 50], [50, 50]]);
  });

  it("a holder that ends with its tasks still queued: they run over its buffers (kept while its tasks are queued or running)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    const blocked = pool.submit(
      (release: Event, started: Event) => {
        started.set();
        return release.wait({ timeout: 30_000 });
      },
      release,
      started,
    );
    assert.ok(await started.waitAsync({ timeout: 30_000 }));
    const t = new Thread({
      target: (pool: ThreadPoolExecutor) => {
        const w = new Int32Array(new SharedArrayBuffer(4));
        for (let i = 0; i < 20; i++) {
          pool.submit((w: Int32Array) => Atomics.add(w, 0, 1), w);
        }
        return w; // ends with all 20 queued behind the blocker
      },
      args: [pool],
    });
    t.start();
    const w = await t.joinAsync(JOIN) as Int32Array;
    assert.equal(w[0], 0);
    release.set();
    assert.equal(await within(blocked), true);
    await until(() => Atomics.load(w, 0) === 20, "the ended holder's tasks");
    assert.equal(Atomics.load(w, 0), 20);
  });

  it("shutdown while a holder submits over fresh buffers: each accepted task runs once, the rest are refused", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const first = new Event();
    const t = new Thread({
      target: async (pool: ThreadPoolExecutor, first: Event) => {
        const accepted: [Int32Array, PromiseLike<unknown>][] = [];
        let refused = 0;
        for (let i = 0; i < 400; i++) {
          const w = new Int32Array(new SharedArrayBuffer(4));
          try {
            accepted.push([
              w,
              pool.submit((w: Int32Array) => Atomics.add(w, 0, 1), w),
            ]);
          } catch (e) {
            if ((e as Error).name !== "RuntimeError") throw e;
            refused++;
          }
          if (i === 10) first.set();
          if (i % 16 === 0) await new Promise((r) => setTimeout(r, 0));
        }
        for (const [, f] of accepted) await f;
        const ran = accepted.filter(([w]) => w[0] === 1).length;
        return [accepted.length, ran, refused];
      },
      args: [pool, first],
    });
    t.start();
    assert.ok(await first.waitAsync({ timeout: 30_000 }));
    await pool.shutdownAsync();
    const [accepted, ran, refused] = await t.joinAsync(JOIN) as number[];
    assert.equal(ran, accepted);
    assert.equal(accepted + refused, 400);
  });

  it("a nested holder home finds in the same read that drops an ended holder gets the pool thread started then", async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      idleTimeout: 50,
    });
    const b = blockOf(pool), w = words(8);
    // Home's holders, in order: the ender, the linker.
    const ender = new Thread({
      target: { module: PROBE, export: "ender" },
      args: [pool, w],
    });
    ender.start();
    const linker = new Thread({
      target: { module: PROBE, export: "linker" },
      args: [pool, w, PROBE.href],
    });
    linker.start();
    // The pool thread idles out: the next task starts one (beforeStart).
    await until(() => Atomics.load(b.v, LIVE) === 0, "idle out", 30_000);
    // From here to the submit, home runs no event loop turn (no tick).
    Atomics.store(w, 4, 1), Atomics.notify(w, 4); // the ender returns
    spin(() => !ender.isAlive(), "the ender's end");
    Atomics.store(w, 0, 1), Atomics.notify(w, 0); // the linker's child
    spin(() => Atomics.load(w, 1) === 1, "the child's start");
    // beforeStart posts { thread } to both, then reads them: drops the
    // ender (ended) and finds the child (one out, one in).
    const release = new Event(), started = new Event();
    const held = pool.submit(
      (release: Event, started: Event) => {
        started.set();
        return release.wait({ timeout: 30_000 });
      },
      release,
      started,
    );
    assert.ok(await started.waitAsync({ timeout: 30_000 }));
    Atomics.store(w, 2, 1), Atomics.notify(w, 2); // the child submits
    await until(() => Atomics.load(w, 5) === 1, "the child's submit");
    release.set();
    assert.equal(await within(held), true);
    await until(() => Atomics.load(w, 3) !== 0, "the child's task", 30_000);
    assert.equal(w[3], 2, "the child's task ran over its own buffer");
    await linker.joinAsync(JOIN);
    await ender.joinAsync(JOIN);
  });

  it("registered numbers do not repeat: past 2^32 registrations a fresh buffer does not take a kept one's number", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const b = blockOf(pool);
    const kept = words(2), fresh = words(2);
    const add = (w: Int32Array) => Atomics.add(w, 0, 1);
    await within(pool.submit(add, kept)); // registered (number 0), kept idle
    // As after 2^32 registrations by home and holders together.
    Atomics.store(new BigInt64Array(b.buffer, IDS * 4, 1), 0, 2n ** 32n);
    await within(pool.submit(add, fresh));
    await within(pool.submit(add, kept));
    assert.deepEqual([kept[0], fresh[0]], [2, 1]);
  });

  // 30 pool-thread starts under Deno, 20 on Node and Bun (stressSize): each
  // start takes a thread's idle end and a new thread's start, so the run
  // still spans several reads (LEARN_MS) on a fast machine.
  const STARTS = stressSize(30, 20);
  it(`a holder that registers nothing reads home's { thread } posts on its own (${STARTS} pool-thread starts leave few unread)`, async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      idleTimeout: 20,
    });
    const b = blockOf(pool), w = words(4);
    const t = new Thread({
      target: { module: HOOK, export: "idle" },
      args: [pool, w],
    });
    t.start();
    await until(() => Atomics.load(w, 1) !== 0, "the holder's start", 30_000);
    assert.equal(w[1], 1, "the hook saw the mesh");
    for (let i = 0; i < STARTS; i++) {
      await until(() => Atomics.load(b.v, LIVE) === 0, "idle out", 30_000);
      await within(pool.submit((x: number) => x, i)); // a start
    }
    Atomics.store(w, 0, 1), Atomics.notify(w, 0);
    // Read every LEARN_MS (500): at most the starts of that long remain.
    const unread = await t.joinAsync(JOIN) as number;
    assert.ok(unread < STARTS, `unread ${unread}`);
  });

  // 50 holders under Deno, 15 on Node and Bun (stressSize).
  const HOLDERS_N = stressSize(50, 15);
  it(`${HOLDERS_N} holders started and ended one after another: pool threads and home keep none once they ended`, async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const w = words(1);
    for (let i = 0; i < HOLDERS_N; i++) {
      const t = new Thread({
        target: { module: PROBE, export: "holder" },
        args: [pool],
      });
      t.start();
      assert.equal(await t.joinAsync(JOIN), 1);
    }
    // The view task's begin reads every port: the ended holders go.
    assert.equal(await within(pool.submit(HOLDERS, w)), 0);
    await until(() => meshHolders().home === 0, "home's holders", 20_000);
  });

  it("an executor in another executor's initArgs reaches each of its pool threads in that thread's start args: they submit over their own buffers", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    await using outer = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: (pool: ThreadPoolExecutor) => {
        (globalThis as { meshPool?: unknown }).meshPool = pool;
      },
      initArgs: [pool],
    });
    const got = await within(outer.submit(async () => {
      const pool = (globalThis as { meshPool?: ThreadPoolExecutor }).meshPool!;
      const w = new Int32Array(new SharedArrayBuffer(8));
      const fs = [];
      for (let i = 0; i < 100; i++) {
        fs.push(pool.submit((w: Int32Array) => Atomics.add(w, 0, 1), w));
      }
      await Promise.all(fs);
      return [...w];
    }));
    assert.deepEqual(got, [100, 0]);
  });

  it("a queue item cannot carry the executor at all (so no queue-delivered executor exists): a TypeError that says to pass it as a Thread arg", () => {
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const q = new Queue<ThreadPoolExecutor>();
    assert.throws(() => q.put(pool), (e: Error) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /as a thread arg/);
      return true;
    });
    assert.equal(q.qsize(), 0);
  });
});
