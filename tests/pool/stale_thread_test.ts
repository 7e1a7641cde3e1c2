// Copyright 2026 the threadkit authors. MIT license.
// A pool thread inside one long task while home registers buffers
// (pool/_stale.ts): home stops posting to it once it holds DRAIN_AT unread
// posts, marks it stale and starts its replacement; the stale thread takes
// no further task and leaves when its task ends, however it ends. Real
// threads, exact counts, bounded waits; the long task waits on an Event
// the test sets.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  CancelledError,
  enumerate,
  Event,
  type ModuleTarget,
  moduleTarget,
  Thread,
  ThreadDiedError,
  type ThreadPoolExecutor,
  type ThreadPoolExecutorOptions,
} from "../../mod.ts";
import {
  type Block,
  LIVE,
  NAMES,
  R_IDENT,
  STALES,
} from "../../pool/_layout.ts";
import { DRAIN_AT } from "../../pool/_park.ts";
import { staleMarks } from "../../pool/_stale.ts";
import { isBun, limitedLoaded, until } from "../_helpers.ts";
import { twoWarm, within } from "./_fixtures.ts";

type How = "return" | "throw" | "exit" | "oom";
const LONG: ModuleTarget<
  (release: Event, started: Event, how: How) => [number, number, number]
> = {
  module: new URL("../_workers/stale_long.ts", import.meta.url),
  export: "long",
};

const add = (w: Int32Array, i: number, n: number) => Atomics.add(w, i, n);
const MB = 1 << 20;

// Two warm pool threads (both started: NAMES 2), one held by the long task
// (`how`), then `n` tasks one at a time, each over a fresh buffer of
// `bytes`, which the other thread (and the replacement) run.
async function staleRun(
  how: How,
  n = 200,
  bytes = MB,
  options: ThreadPoolExecutorOptions = {},
) {
  const [pool, b] = await twoWarm(options);
  assert.equal(b.v[NAMES], 2);
  const before = staleMarks();
  const release = new Event(), started = new Event();
  const long = pool.submit(LONG, release, started, how);
  await within(started.waitAsync({ timeout: 30_000 }));
  const ws: Int32Array[] = [];
  const got: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Int32Array(new SharedArrayBuffer(bytes));
    ws.push(w);
    got.push(await within(pool.submit(add, w, 0, 1)));
  }
  const after = staleMarks();
  // Each ran once: its Future settled with the word's old value, 0, and
  // the word reads 1.
  assert.deepEqual(got, ws.map(() => 0));
  assert.deepEqual(ws.map((w) => w[0]), ws.map(() => 1));
  return {
    pool,
    b,
    long,
    release,
    marked: after.marked - before.marked,
    unread: after.unread,
  };
}

const idents = (b: Block) =>
  Array.from({ length: b.l.records }, (_, w) => b.v[b.record(w) + R_IDENT]);

// The stale thread has left (its record freed), its replacement serves:
// maxWorkers (2) records in use, none stale, and 3 starts in all (the
// replacement was started once).
async function replaced(b: Block) {
  await until(
    () => Atomics.load(b.v, LIVE) === 2 && Atomics.load(b.v, STALES) === 0,
    "the stale thread's leave",
    30_000,
  );
  assert.equal(b.v[NAMES], 3);
}

// A task over a new buffer runs after it all (the table reached the
// replacement in its start args, and later adds by post).
async function goesOn(pool: ThreadPoolExecutor) {
  const ws = Array.from(
    { length: 4 },
    () => new Int32Array(new SharedArrayBuffer(8)),
  );
  const got = await within(
    Promise.all(ws.map((w) => pool.submit(add, w, 1, 5))),
  );
  assert.deepEqual(got, [0, 0, 0, 0]);
  assert.deepEqual(ws.map((w) => w[1]), [5, 5, 5, 5]);
}

describe("ThreadPoolExecutor: a pool thread inside one long task while home registers buffers", () => {
  it("is marked stale at DRAIN_AT unread posts, holds no more, and is replaced once its task returns", async () => {
    const { pool, b, long, release, marked, unread } = await staleRun("return");
    await using _ = pool;
    assert.equal(marked, 1);
    assert.equal(unread, DRAIN_AT);
    // Marked, not yet gone: its record and its replacement's.
    assert.equal(Atomics.load(b.v, STALES), 1);
    assert.equal(Atomics.load(b.v, LIVE), 3);
    release.set();
    const [messages, buffers, ident] = await within(long);
    // What its port held when its task ended: the posts before the mark.
    assert.equal(messages, DRAIN_AT);
    assert.ok(buffers <= messages);
    await replaced(b);
    assert.ok(!idents(b).includes(ident), `${ident} still holds a record`);
    await goesOn(pool);
  });

  it("a stale thread whose task throws fails that Future only, and leaves", async () => {
    const { pool, b, long, release, marked } = await staleRun("throw", 60, 64);
    await using _ = pool;
    assert.equal(marked, 1);
    release.set();
    await assert.rejects(within(long), {
      name: "RangeError",
      message: "long task failed",
    });
    await replaced(b);
    await goesOn(pool);
  });

  it("a stale thread that exits mid-task fails that Future with ThreadDiedError; its replacement is not started twice", async () => {
    const { pool, b, long, release, marked } = await staleRun("exit", 60, 64);
    await using _ = pool;
    assert.equal(marked, 1);
    release.set();
    await assert.rejects(within(long), ThreadDiedError);
    await replaced(b);
    await goesOn(pool);
    assert.equal(b.v[NAMES], 3);
  });

  it(
    "a stale thread that runs out of memory (resourceLimits) fails that Future with ThreadDiedError; replaced once",
    { skip: isBun && "Bun does not enforce resourceLimits per worker" },
    async () => {
      // The first limited thread of the process loads the watcher, which
      // deno test type-checks on a cold cache (tests/_helpers.ts COLD_MS),
      // twice at once here (the pool's two threads): 16.8 s of twoWarm and
      // the 60 tasks at load 17 against 1.3-1.9 s warm, past the 30 s of
      // their waits at load 32. Loaded first, with its own bound. The out of
      // memory itself, from release to the failed Future, took 0.6-0.9 s.
      await limitedLoaded();
      const { pool, b, long, release, marked } = await staleRun(
        "oom",
        60,
        64,
        { resourceLimits: { maxOldGenerationSizeMb: 32 } },
      );
      await using _ = pool;
      assert.equal(marked, 1);
      release.set();
      await assert.rejects(within(long), ThreadDiedError);
      await replaced(b);
      await goesOn(pool);
      assert.equal(b.v[NAMES], 3);
    },
  );

  it("shutdown({ wait: true }) while a thread is stale waits for its task, then every thread has left", async () => {
    const { pool, b, long, release } = await staleRun("return", 60, 64);
    const done = pool.shutdownAsync();
    release.set();
    await within(done);
    const [messages] = await within(long);
    assert.equal(messages, DRAIN_AT);
    assert.equal(Atomics.load(b.v, LIVE), 0);
    assert.equal(Atomics.load(b.v, STALES), 0);
    assert.equal(b.v[NAMES], 3);
  });

  it("shutdown({ cancelFutures: true }) while a thread is stale cancels what is queued; its task finishes", async () => {
    const { pool, b, long, release } = await staleRun("return", 60, 64);
    // Both serving threads held too: these stay queued, then cancelled.
    const hold = new Event(), both = new Barrier(3);
    const held = [0, 1].map(() =>
      pool.submit(
        (
          b: Barrier,
          e: Event,
        ) => (b.wait({ timeout: 30_000 }), e.wait({ timeout: 30_000 })),
        both,
        hold,
      )
    );
    await within(both.waitAsync({ timeout: 30_000 }));
    const queued = Array.from(
      { length: 5 },
      (_, i) => pool.submit((x: number) => x, i),
    );
    const done = pool.shutdownAsync({ cancelFutures: true });
    hold.set();
    release.set();
    await within(done);
    assert.deepEqual(await within(Promise.all(held)), [true, true]);
    for (const f of queued) await assert.rejects(within(f), CancelledError);
    assert.equal((await within(long))[0], DRAIN_AT);
    assert.equal(Atomics.load(b.v, LIVE), 0);
    assert.equal(Atomics.load(b.v, STALES), 0);
  });

  it("the home thread ends while a thread is stale: every pool thread ends once the stale task does", async () => {
    const prefix = "stale-home-ends";
    const mine = () =>
      enumerate().filter((t) => t.name.startsWith(prefix)).length;
    const release = new Event();
    const home = new Thread({
      target: moduleTarget(
        new URL("../_workers/stale_long.ts", import.meta.url),
        "homeEnds",
      ),
      args: [release, prefix],
    });
    home.start();
    assert.equal(await within(home.joinAsync({ timeout: 60_000 })), 1);
    release.set();
    await until(() => mine() === 0, `no ${prefix} thread left`, 30_000);
  });

  it("home submitting through a copy of its executor that came back to it: the replacement starts (the registry's own pool starts it)", async () => {
    const [pool, b] = await twoWarm();
    const t = new Thread({
      target: (p: ThreadPoolExecutor) => p,
      args: [pool],
    });
    t.start();
    const copy = await within(
      t.joinAsync({ timeout: 30_000 }),
    ) as ThreadPoolExecutor;
    assert.notEqual(copy, pool);
    const release = new Event(), started = new Event();
    try {
      const long = copy.submit(LONG, release, started, "return");
      await within(started.waitAsync({ timeout: 30_000 }));
      for (let i = 0; i < 48; i++) {
        const w = new Int32Array(new SharedArrayBuffer(8));
        assert.equal(await within(copy.submit(add, w, 0, 1)), 0);
      }
      release.set();
      // (t was a holder, pool/_mesh.ts: its { holder } post was read at the
      // long task's claim.)
      assert.equal((await within(long))[0], DRAIN_AT);
      await replaced(b);
      await goesOn(copy);
    } finally {
      release.set();
      await within(pool.shutdownAsync());
    }
    assert.equal(Atomics.load(b.v, LIVE), 0);
  });

  it("short tasks over fresh buffers, many in flight, mark no thread (their buffers are named by tasks in flight)", async () => {
    const [pool, b] = await twoWarm();
    await using _ = pool;
    const before = staleMarks().marked;
    const work = (w: Int32Array) => {
      const end = performance.now() + 0.3; // a short task: 0.3 ms of work
      while (performance.now() < end);
      return Atomics.add(w, 0, 1);
    };
    for (let round = 0; round < 10; round++) {
      const fs = [];
      for (let i = 0; i < 100; i++) {
        fs.push(pool.submit(work, new Int32Array(new SharedArrayBuffer(4))));
      }
      assert.deepEqual(await within(Promise.all(fs)), fs.map(() => 0));
    }
    // Their buffers are named by tasks in flight: the mark allows that
    // many unread adds, up to STALE_ALLOW (pool/_stale.ts).
    assert.equal(staleMarks().marked - before, 0);
    assert.equal(Atomics.load(b.v, NAMES), 2);
  });

  it("bursts of 40 view tasks over fresh buffers, 5 ms each (slower than the submits), mark no thread", async () => {
    const [pool, b] = await twoWarm();
    await using _ = pool;
    const before = staleMarks().marked;
    const work = (w: Int32Array) => {
      const end = performance.now() + 5;
      while (performance.now() < end);
      return Atomics.add(w, 0, 1);
    };
    for (let round = 0; round < 10; round++) {
      const fs = [];
      for (let i = 0; i < 40; i++) {
        fs.push(pool.submit(work, new Int32Array(new SharedArrayBuffer(4))));
      }
      assert.deepEqual(await within(Promise.all(fs)), fs.map(() => 0));
    }
    assert.equal(staleMarks().marked - before, 0);
    assert.equal(Atomics.load(b.v, NAMES), 2);
  });
});
