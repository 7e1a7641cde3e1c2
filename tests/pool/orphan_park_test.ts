// Copyright 2026 the threadkit authors. MIT license.
// A PARKED on a free record, made here by hand on a record freed by an idle
// timeout: a submit's hand-off then mails its task to that word. No pool
// thread leaves one there (pool/_park.ts "GONE": PARKED is stored only by
// a CAS from the thread's own value, which a reclaim takes; tests/pool/
// stale_park_test.ts drives a stale thread to it); should one be there, the
// record's next start takes the mail back to the queue before it stores
// the new thread's own value (_take.ts clearPark), so the task runs and is
// not overwritten (its Future waiting for good).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { Block, LIVE, R_IDENT, R_PARK } from "../../pool/_layout.ts";
import { MAIL, PARKED } from "../../pool/_park.ts";
import { ThreadPoolExecutor } from "../../mod.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

describe("ThreadPoolExecutor: a PARKED left on a free record (a stale thread's late store)", () => {
  it("the record's next thread takes the task handed to it", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1, idleTimeout: 100 });
    const { buffer } = pool[TO_DESCRIPTOR]();
    const b = new Block(buffer as SharedArrayBuffer);
    const { v } = b;
    try {
      assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
      await until(() => Atomics.load(v, LIVE) === 0, "the idle leave", 30_000);
      const rec = b.record(0);
      assert.equal(Atomics.load(v, rec + R_IDENT), 0);
      // A PARKED no thread serves.
      Atomics.store(v, rec + R_PARK, PARKED);
      // Handed to the orphaned word: no thread serves it yet.
      const orphaned = pool.submit((x: number) => x + 1, 2);
      assert.ok(Atomics.load(v, rec + R_PARK) >= MAIL, "the hand-off");
      // Queued: starts the record's next thread, which runs it, then parks.
      const queued = pool.submit((x: number) => x + 1, 3);
      assert.equal(await within(queued), 4);
      assert.equal(await within(orphaned), 3);
    } finally {
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});
