// Copyright 2026 the threadkit authors. MIT license.
// What an idle pool thread's port holds (pool/_shared.ts "Lifetime",
// pool/_park.ts posted): home posts each registered buffer's add and drop
// to every pool thread; one that runs no task that names a buffer is woken
// to read them once DRAIN_AT are unread, so its port stays bounded. Real
// threads, exact counts (each thread's unread posts against its DRAIN
// word), bounded waits.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  Event,
  type ModuleTarget,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { Block, R_DRAIN, R_IDENT } from "../../pool/_layout.ts";
import { DRAIN_AT } from "../../pool/_park.ts";
import { KEEP } from "../../pool/_shared.ts";
import { until } from "../_helpers.ts";
import { blocker, twoWarm, within } from "./_fixtures.ts";

const worker = new URL("../_workers/port_backlog.ts", import.meta.url);
const BACKLOG: ModuleTarget<(all: Barrier) => [number, number, number]> = {
  module: worker,
  export: "backlog",
};
const ADD_BOTH: ModuleTarget<
  (w: Int32Array, x: Int32Array) => [number, number, number]
> = { module: worker, export: "addBoth" };

function words(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}
const add = (w: Int32Array, i: number, n: number) => Atomics.add(w, i, n);

const unread = (b: Block, w: number) =>
  Atomics.load(b.v, b.record(w) + R_DRAIN);

// The records whose thread runs (a thread marked stale inside a held task,
// pool/_stale.ts, leaves its record once that task ends, and its
// replacement holds another).
const live = (b: Block) =>
  Array.from({ length: b.l.records }, (_, w) => w).filter((w) =>
    Atomics.load(b.v, b.record(w) + R_IDENT) > 0
  );

// Both pool threads have read their ports down below DRAIN_AT (a parked
// one is woken for it; a busy one reads at its next park). Each thread got
// every post (hundreds), so this is what fails (a timeout) when a parked
// thread does not read its port.
const drained = (b: Block) =>
  until(
    () => {
      const ws = live(b);
      return ws.length === 2 && ws.every((w) => unread(b, w) < DRAIN_AT);
    },
    "both pool threads below DRAIN_AT unread posts",
    30_000,
  );

// Each pool thread's unread posts, taken by a task on each: the count
// equals its record's DRAIN word, and is below DRAIN_AT.
async function checkBacklogs(pool: ThreadPoolExecutor, b: Block) {
  await drained(b);
  const all = new Barrier(2);
  const got = await within(
    Promise.all([0, 1].map(() => pool.submit(BACKLOG, all))),
  );
  const ws = live(b);
  const idents = ws.map((w) => Atomics.load(b.v, b.record(w) + R_IDENT));
  for (const [messages, buffers, ident] of got) {
    const w = ws[idents.indexOf(ident)];
    assert.ok(w !== undefined, `thread ${ident} holds no record (${idents})`);
    assert.equal(messages, unread(b, w), `record ${w}: port vs DRAIN word`);
    assert.ok(
      messages < Math.min(DRAIN_AT, 64),
      `record ${w}: ${messages} unread posts`,
    );
    assert.ok(buffers <= messages);
  }
  return got;
}

describe("ThreadPoolExecutor: an idle pool thread's port is bounded", () => {
  it("an idle pool thread does not keep every buffer home ever registered", async () => {
    const [pool, b] = await twoWarm();
    await using _ = pool;
    // One at a time: each goes to the first parked thread (pool/_park.ts
    // handOff), so the other stays idle; 300 adds and 284 drops are posted
    // to each (KEEP idle entries are kept).
    for (let i = 0; i < 300; i++) {
      assert.equal(await within(pool.submit(add, words(1), 0, 1)), 0);
    }
    await checkBacklogs(pool, b);
  });

  it("a parked pool thread woken to drain then runs a view task over a buffer registered after the drain", async () => {
    const [pool, b] = await twoWarm();
    await using _ = pool;
    // 60 adds and 60 - KEEP drops posted to each thread: an idle one is
    // woken to read them at least 3 times.
    let last = words(1);
    for (let i = 0; i < 60; i++) {
      last = words(1);
      assert.equal(await within(pool.submit(add, last, 0, 1)), 0);
    }
    await drained(b);
    // One thread held; the other, drained while parked, takes the task
    // over `last` (registered before the drain, still kept) and `x`
    // (registered now, posted after the drain).
    const release = new Event(), started = new Event();
    const held = pool.submit(blocker, release, started);
    try {
      await within(started.waitAsync({ timeout: 30_000 }));
      const x = words(1);
      const [ident, lastWas, xWas] = await within(
        pool.submit(ADD_BOTH, last, x),
      );
      assert.deepEqual([lastWas, xWas, last[0], x[0]], [1, 0, 2, 1]);
      const idents = live(b).map((w) => b.v[b.record(w) + R_IDENT]);
      assert.ok(idents.includes(ident), `ran on ${ident}, not ${idents}`);
    } finally {
      release.set();
    }
    assert.equal(await within(held), "released");
  });

  it("adds and drops posted while an idle thread drains: its DRAIN word stays exact and its table right", async () => {
    const [pool, b] = await twoWarm();
    await using _ = pool;
    // Round robin over KEEP + 1 buffers: each task registers its buffer
    // again and drops the least recently named, so every task posts an add
    // and a drop to the idle thread while it is woken to drain.
    const ws = Array.from({ length: KEEP + 1 }, () => words(1));
    const ROUNDS = 20;
    for (let r = 0; r < ROUNDS; r++) {
      for (const w of ws) await within(pool.submit(add, w, 0, 1));
    }
    await drained(b);
    // Each thread in turn runs a task over every buffer (the other held):
    // the buffers it read in drains, and those posted since.
    for (let turn = 0; turn < 2; turn++) {
      const release = new Event(), started = new Event();
      const held = pool.submit(blocker, release, started);
      try {
        await within(started.waitAsync({ timeout: 30_000 }));
        for (const w of ws) {
          await within(pool.submit(ADD_BOTH, w, ws[0]));
        }
      } finally {
        release.set();
      }
      assert.equal(await within(held), "released");
    }
    const n = ROUNDS + 2;
    assert.deepEqual(
      ws.map((w) => w[0]),
      ws.map((_, i) => i === 0 ? n + 2 * ws.length : n),
    );
    await checkBacklogs(pool, b);
  });

  it("a pool thread fed from the queue, running tasks that name no buffer, reads its port", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    await using _ = pool;
    assert.equal(await within(pool.submit((x: number) => x, 1)), 1);
    const b = new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);
    // The one thread held while home queues N view tasks it cancels (each
    // posts an add; each cancel past KEEP idle a drop) and N tasks that
    // name no buffer, then the backlog read: once released, the thread
    // takes all of them from the queue without a park. N leaves it
    // DRAIN_AT unread posts, the last add posted at DRAIN_AT - 2: one more
    // add would mark it stale (pool/_stale.ts, tests/pool/stale_thread_test.ts).
    const N = (DRAIN_AT + KEEP) / 2;
    const release = new Event(), started = new Event();
    const held = pool.submit(blocker, release, started);
    const plain = [];
    try {
      await within(started.waitAsync({ timeout: 30_000 }));
      for (let i = 0; i < N; i++) {
        assert.equal(pool.submit(add, words(1), 0, 1).cancel(), true);
        plain.push(pool.submit((x: number) => x, i));
      }
      assert.equal(unread(b, 0), 2 * N - KEEP);
    } finally {
      release.set();
    }
    const last = pool.submit(BACKLOG, new Barrier(1));
    assert.equal(await within(held), "released");
    assert.deepEqual(
      await within(Promise.all(plain)),
      plain.map((_, i) => i),
    );
    // Without the drain at the take, the backlog task finds all 2N - KEEP
    // posts unread (the thread never parked).
    const [messages, buffers] = await within(last);
    assert.equal(messages, unread(b, 0));
    assert.ok(messages < DRAIN_AT, `${messages} unread posts`);
    assert.ok(buffers <= messages);
  });
});
