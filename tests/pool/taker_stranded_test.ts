// Copyright 2026 the threadkit authors. MIT license.
// TAKER held by a thread that stopped with no record naming it (a pool
// thread declared dead, its record reclaimed, stopped from outside between
// its CAS of TAKER and its release; pool/_taker.ts): before, every take
// from the task queue found TAKER held for good, and a draining close
// waited for it for good. The holder is an ident no thread has, recorded
// as stopped (the stop ring), stored in TAKER.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { recordStop, runtime } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import {
  Block,
  EMPTY,
  QUEUED,
  R_IDENT,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  TAKER,
} from "../../pool/_layout.ts";
import { Pool } from "../../pool/_pool.ts";
import { strandedTaker } from "../../pool/_taker.ts";
import { ThreadPoolExecutor } from "../../mod.ts";
import { within } from "./_fixtures.ts";

// The stop ring is process-wide (Bun runs every test file in one process):
// these idents are above any real one and take 3 of its 1024 entries.
let nextIdent = (1 << 29) + 7000;
// An ident no thread has; `stopped`: in the stop ring.
function ident(stopped: boolean): number {
  const id = nextIdent++;
  if (stopped) recordStop(id, true);
  return id;
}

describe("pool: TAKER held by a thread that stopped with no record", () => {
  it("strandedTaker: only a stopped holder that no record names (nor -ident, nor a start's -1)", () => {
    const p = Pool.create({ maxWorkers: 2, maxQueue: 4, taskBytes: 8 });
    const { b } = p, { v } = b, rec = b.record(1);
    const ended = ident(false), gone = ident(true);
    assert.equal(strandedTaker(b, ended), false, "may still run");
    assert.equal(strandedTaker(b, gone), true);
    for (const id of [gone, -gone, -1]) {
      Atomics.store(v, rec + R_IDENT, id);
      assert.equal(strandedTaker(b, gone), false, `a record reads ${id}`);
    }
    Atomics.store(v, rec + R_IDENT, 0);
    assert.equal(strandedTaker(b, 0), false);
    assert.equal(strandedTaker(b, -1), false, "a reclaim or a close");
  });

  it("the pool thread takes it over and runs the queued tasks", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      assert.equal(await within(pool.submit((x: number) => x, 0)), 0);
      const { buffer } = pool[TO_DESCRIPTOR]();
      const { v } = new Block(buffer as SharedArrayBuffer);
      Atomics.store(v, TAKER, ident(true));
      // Three at once: the first may be handed off, the rest are queued.
      const fs = [1, 2, 3].map((x) => pool.submit((y: number) => y * 2, x));
      assert.deepEqual(await within(Promise.all(fs), 10_000), [2, 4, 6]);
    } finally {
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });

  it("a draining close takes it over and settles the queued task unrun", () => {
    const p = Pool.create({ maxWorkers: 2, maxQueue: 4, taskBytes: 8 });
    const { b } = p, { v } = b;
    const s = p.free.getNowait(), base = b.slot(s);
    v[base + S_OENTRY] = runtime().entry;
    v[base + S_OIDENT] = runtime().ident;
    Atomics.store(v, base + S_STATE, QUEUED);
    p.tasks.put(s);
    Atomics.store(v, TAKER, ident(true));
    p.stop({ cancelFutures: true, wait: false });
    assert.equal(Atomics.load(v, TAKER), 0);
    assert.equal(p.tasks.qsize(), 0);
    const head = b.head(runtime().entry);
    assert.equal(Atomics.exchange(v, head, EMPTY), s, "settled to its owner");
  });
});
