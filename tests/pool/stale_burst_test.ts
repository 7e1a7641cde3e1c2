// Copyright 2026 the threadkit authors. MIT license.
// The stale mark's rule (pool/_stale.ts): a thread still in the task it was
// in at home's previous add, with DRAIN_AT posts unread, is marked; one
// that ended that task and took the next is not. A burst of adds in flight
// during a long task stops at DRAIN_AT; a holder (a thread the executor
// reached in a Thread's args, pool/_mesh.ts) posts nothing to a marked
// thread, and its replacement gets the holder's channel. Real threads,
// exact counts, bounded waits; tasks meet at Barriers and wait on Events.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  Event,
  type ModuleTarget,
  Thread,
  type ThreadPoolExecutor,
} from "../../mod.ts";
import { NAMES, R_READY, STALE_MARK, STALES } from "../../pool/_layout.ts";
import { DRAIN_AT } from "../../pool/_park.ts";
import { STALE_ALLOW, staleMarks } from "../../pool/_stale.ts";
import {
  blocker,
  drainOf,
  inTask,
  staleLeft,
  twoWarm,
  within,
} from "./_fixtures.ts";

const add = (w: Int32Array) => Atomics.add(w, 0, 1);
const fresh = (bytes = 8) => new Int32Array(new SharedArrayBuffer(bytes));
const LONG: ModuleTarget<
  (release: Event, started: Event, how: "return") => [number, number, number]
> = {
  module: new URL("../_workers/stale_long.ts", import.meta.url),
  export: "long",
};

// Submits `n` tasks over fresh buffers one at a time (each awaited).
async function oneAtATime(pool: ThreadPoolExecutor, n: number) {
  for (let i = 0; i < n; i++) {
    assert.equal(await within(pool.submit(add, fresh())), 0);
  }
}

describe("ThreadPoolExecutor: the stale mark's rule (a task's own READY value)", () => {
  it("a burst in flight during a long task: its port holds exactly DRAIN_AT + STALE_ALLOW posts, after the burst settled too", async () => {
    const [pool, b] = await twoWarm();
    await using _ = pool;
    const before = staleMarks().marked;
    const release = new Event(), started = new Event();
    const long = pool.submit(LONG, release, started, "return");
    try {
      await within(started.waitAsync({ timeout: 30_000 }));
      const w = inTask(b);
      const ws = Array.from({ length: 150 }, () => fresh(1 << 16));
      const fs = ws.map((x) => pool.submit(add, x));
      assert.deepEqual(await within(Promise.all(fs)), ws.map(() => 0));
      assert.deepEqual(ws.map((x) => x[0]), ws.map(() => 1));
      // DRAIN_AT, and STALE_ALLOW more for buffers tasks in flight name.
      const bound = DRAIN_AT + STALE_ALLOW;
      assert.equal(drainOf(b, w), bound);
      assert.equal(Atomics.load(b.v, b.record(w) + R_READY), STALE_MARK);
      // The other thread may be marked too: a task of its own that spanned
      // that many of the burst's adds (_stale.ts: a count cannot tell it
      // from a long one). Each mark started one replacement.
      const marked = staleMarks().marked - before;
      assert.ok(marked >= 1, `${marked}`);
      release.set();
      // What the port held at the task's end: those, no more.
      assert.equal((await within(long))[0], bound);
      await staleLeft(b, 2);
      assert.equal(b.v[NAMES], 2 + marked);
    } finally {
      release.set();
    }
  });

  it("a thread that ended the task home saw at DRAIN_AT - 1 and took the next is not marked at the next adds", async () => {
    const [pool, b] = await twoWarm();
    await using _ = pool;
    const before = staleMarks().marked;
    const releases = [new Event(), new Event(), new Event()];
    const starts = [new Event(), new Event(), new Event()];
    const held: PromiseLike<string>[] = [];
    try {
      // A on one thread (X); DRAIN_AT adds to it meanwhile, in flight at
      // once (no drop among them; the other thread, Y, runs them): home's
      // last add found DRAIN_AT - 1 and kept A's value. Their drops follow
      // as they settle (a drop marks nothing).
      held.push(pool.submit(blocker, releases[0], starts[0]));
      await within(starts[0].waitAsync({ timeout: 30_000 }));
      const x = inTask(b);
      const first = Array.from({ length: DRAIN_AT }, () => fresh());
      assert.deepEqual(
        await within(Promise.all(first.map((w) => pool.submit(add, w)))),
        first.map(() => 0),
      );
      assert.ok(drainOf(b, x) >= DRAIN_AT, `${drainOf(b, x)}`);
      assert.equal(staleMarks().marked - before, 0);
      // C holds Y; B waits in the queue until A ends: X takes it.
      held.push(pool.submit(blocker, releases[1], starts[1]));
      await within(starts[1].waitAsync({ timeout: 30_000 }));
      held.push(pool.submit(blocker, releases[2], starts[2]));
      releases[0].set();
      await within(starts[2].waitAsync({ timeout: 30_000 }));
      // X read its port at B's claim. 20 adds now (their tasks queue):
      // the first finds B's value, not A's; none finds DRAIN_AT.
      const ws = Array.from({ length: 20 }, () => fresh());
      const fs = ws.map((x) => pool.submit(add, x));
      assert.equal(drainOf(b, x), 20);
      assert.equal(staleMarks().marked - before, 0);
      releases[1].set();
      releases[2].set();
      assert.deepEqual(await within(Promise.all(fs)), ws.map(() => 0));
      assert.deepEqual(await within(Promise.all(held)), [
        "released",
        "released",
        "released",
      ]);
      assert.equal(b.v[NAMES], 2);
      assert.equal(Atomics.load(b.v, STALES), 0);
    } finally {
      for (const e of releases) e.set();
    }
  });

  it("a holder submits view tasks while a pool thread is stale: it posts nothing to it, the replacement has its channel, each Future settles once", async () => {
    const [pool, b] = await twoWarm();
    await using _ = pool;
    const go = new Event(), ready = new Event();
    const rounds = 8;
    const holder = new Thread({
      target: async (
        pool: ThreadPoolExecutor,
        go: Event,
        ready: Event,
        rounds: number,
      ) => {
        const inc = (w: Int32Array) => Atomics.add(w, 0, 1);
        // Registered before the mark: the replacement gets it in this
        // holder's table at its start.
        const early = new Int32Array(new SharedArrayBuffer(8));
        await pool.submit(inc, early);
        ready.set();
        if (!await go.waitAsync({ timeout: 30_000 })) throw new Error("no go");
        // Two tasks at a time, met at a Barrier of 2: one on each thread
        // that takes tasks (the stale one takes none), so the replacement
        // runs one per round, over this holder's buffers.
        const got: number[] = [];
        const ws: Int32Array[] = [];
        for (let r = 0; r < rounds; r++) {
          const both = new Barrier(2);
          const fs = [0, 1].map(() => {
            const w = new Int32Array(new SharedArrayBuffer(8));
            ws.push(w);
            return pool.submit(
              (both: Barrier, w: Int32Array, early: Int32Array) => {
                both.wait({ timeout: 30_000 });
                Atomics.add(early, 0, 1);
                return Atomics.add(w, 0, 1);
              },
              both,
              w,
              early,
            );
          });
          got.push(...await Promise.all(fs));
        }
        return [got, ws.map((w) => w[0]), early[0]];
      },
      args: [pool, go, ready, rounds],
    });
    holder.start();
    const release = new Event(), started = new Event();
    const long = pool.submit(LONG, release, started, "return");
    try {
      await within(ready.waitAsync({ timeout: 30_000 }));
      await within(started.waitAsync({ timeout: 30_000 }));
      const x = inTask(b);
      const before = staleMarks().marked;
      await oneAtATime(pool, DRAIN_AT + 1); // the last one marks
      assert.equal(staleMarks().marked - before, 1);
      assert.equal(Atomics.load(b.v, STALES), 1);
      const unread = drainOf(b, x);
      go.set();
      const [got, words, early] = await within(
        holder.joinAsync({ timeout: 60_000 }),
        60_000,
      ) as [number[], number[], number];
      assert.deepEqual(got, got.map(() => 0));
      assert.deepEqual(words, words.map(() => 1));
      assert.equal(early, 1 + 2 * rounds);
      // The holder posted nothing to the stale thread (its adds went to
      // home and the two serving threads).
      assert.equal(drainOf(b, x), unread);
      release.set();
      // (DRAIN counts the holder's posts on its own channel too: the
      // result port holds the rest.)
      assert.ok((await within(long))[0] <= unread);
      await staleLeft(b, 2);
      assert.equal(b.v[NAMES], 3);
    } finally {
      release.set();
      go.set();
    }
  });
});
