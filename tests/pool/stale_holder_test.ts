// Copyright 2026 the threadkit authors. MIT license.
// A holder's adds and the stale mark (pool/_stale.ts holderMark): a thread
// the executor was passed to (pool/_mesh.ts) registers its own buffers
// while a pool thread runs one long task and home registers nothing. The
// holder marks that thread at DRAIN_AT + STALE_ALLOW unread, as home
// would; home posts it nothing from then on and starts its replacement on
// demand (NEED, its tick); the holder may end mid-burst. Real threads,
// exact counts (unread posts, thread starts), bounded waits; threads
// ordered by Events and Barriers.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  Event,
  type ModuleTarget,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import {
  Block,
  LIVE,
  NAMES,
  R_READY,
  STALE_MARK,
  STALES,
} from "../../pool/_layout.ts";
import { DRAIN_AT } from "../../pool/_park.ts";
import { STALE_ALLOW } from "../../pool/_stale.ts";
import { until } from "../_helpers.ts";
import { drainOf, inTask, staleLeft, twoWarm, within } from "./_fixtures.ts";

const LONG: ModuleTarget<
  (release: Event, started: Event, how: "return") => [number, number, number]
> = {
  module: new URL("../_workers/stale_long.ts", import.meta.url),
  export: "long",
};
const BURST = new URL("../_workers/stale_holder.ts", import.meta.url);
const N = 150;

// Two tasks from home that meet at a Barrier of 2: two threads serve.
async function twoServe(pool: ThreadPoolExecutor) {
  const both = new Barrier(2);
  const fs = [0, 1].map(() =>
    pool.submit((b: Barrier) => b.wait({ timeout: 30_000 }), both)
  );
  await within(Promise.all(fs), 60_000);
}

async function holderBurst(wait: boolean) {
  const [pool, b] = await twoWarm();
  await using _ = pool;
  const count = new Int32Array(new SharedArrayBuffer(4));
  const ready = new Event(), go = new Event();
  const holder = new Thread({
    target: { module: BURST, export: "burst" },
    args: [pool, count, ready, go, N, wait],
  });
  holder.start();
  const release = new Event(), started = new Event();
  try {
    await within(ready.waitAsync({ timeout: 30_000 }));
    const long = pool.submit(LONG, release, started, "return");
    await within(started.waitAsync({ timeout: 30_000 }));
    const x = inTask(b);
    // Its claim read every post before it.
    assert.equal(drainOf(b, x), 0);
    go.set();
    const [marks, bad] = await within(
      holder.joinAsync({ timeout: 60_000 }),
      60_000,
    ) as [number, number];
    assert.equal(bad, 0);
    // All N adds came from the holder: it marked at exactly the bound
    // (the other thread may be marked too: a task of its own that spanned
    // that many adds).
    assert.equal(drainOf(b, x), DRAIN_AT + STALE_ALLOW);
    assert.equal(Atomics.load(b.v, b.record(x) + R_READY), STALE_MARK);
    assert.ok(marks >= 1, `${marks}`);
    await until(() => count[0] === N + 1, "the burst's tasks", 60_000);
    // Home's own add posts nothing to it.
    const mine = new Int32Array(new SharedArrayBuffer(8));
    assert.equal(
      await within(pool.submit((w) => Atomics.add(w, 0, 1), mine)),
      0,
    );
    assert.equal(drainOf(b, x), DRAIN_AT + STALE_ALLOW);
    // Two serve again: home started one replacement per mark, no more.
    await twoServe(pool);
    assert.equal(b.v[NAMES], 2 + marks);
    release.set();
    // Its result port: home posted it nothing during the task.
    assert.equal((await within(long))[0], 0);
    await staleLeft(b, 2);
    assert.equal(b.v[NAMES], 2 + marks);
  } finally {
    release.set();
    go.set();
  }
}

describe("ThreadPoolExecutor: a holder's adds and the stale mark", () => {
  it("a holder's burst in flight during a long task (home registers nothing): the holder marks at DRAIN_AT + STALE_ALLOW unread, home skips it and starts one replacement per mark", async () => {
    await holderBurst(true);
  });

  it("the holder ends mid-burst (its tasks in flight): the same bound, every task runs once, the replacement starts on home's demand", async () => {
    await holderBurst(false);
  });

  it("maxWorkers 1: a holder marks the one thread, then home shuts down (wait) with the holder's tasks queued: the replacement (started at home's tick) runs them, each once, one start", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const b = new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);
    const count = new Int32Array(new SharedArrayBuffer(4));
    const ready = new Event(), go = new Event(), sent = new Event();
    const release = new Event(), started = new Event();
    const holder = new Thread({
      target: { module: BURST, export: "burst" },
      args: [pool, count, ready, go, N, true, sent, release],
    });
    holder.start();
    try {
      await within(ready.waitAsync({ timeout: 30_000 }));
      const long = pool.submit(LONG, release, started, "return");
      await within(started.waitAsync({ timeout: 30_000 }));
      const x = inTask(b);
      go.set();
      await within(sent.waitAsync({ timeout: 30_000 }));
      // Marked at the bound (the replacement starts at home's tick, so
      // it may run some of them from now on).
      assert.equal(drainOf(b, x), DRAIN_AT + STALE_ALLOW);
      assert.equal(Atomics.load(b.v, b.record(x) + R_READY), STALE_MARK);
      await within(pool.shutdownAsync(), 60_000);
      const [marks, bad] = await within(
        holder.joinAsync({ timeout: 60_000 }),
        60_000,
      ) as [number, number];
      assert.deepEqual([marks, bad], [1, 0]);
      assert.equal(count[0], N + 1);
      assert.equal((await within(long))[0], 0);
      assert.equal(b.v[NAMES], 2);
      assert.equal(Atomics.load(b.v, LIVE), 0);
      assert.equal(Atomics.load(b.v, STALES), 0);
    } finally {
      release.set();
      go.set();
      await pool.shutdownAsync();
    }
  });
});
