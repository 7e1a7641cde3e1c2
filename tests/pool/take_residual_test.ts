// Copyright 2026 the threadkit authors. MIT license.
// The draining close's takeover of TAKER from an ended holder that still
// runs (pool/_take.ts holdTaker), word by word: a name of the drained
// task lands in the holder's record after the whole close (takeover,
// drain, release; the holder's own CAS from its generation fails there
// now, pool/_names.ts, but a name written before the close's reclaim
// stays), and a maintain reclaims its record. The drain's settle is marked
// (CANCELLED | ABORT, pool/_park.ts settleUnrun), so the reclaim's exact
// `tag|CANCELLED -> FREE` cannot match it: the slot stays on its owner's
// completion stack, and the owner's drain settles the Future once.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runtime } from "../../_core/runtime.ts";
import { Pool } from "../../pool/_pool.ts";
import { settleUnrun } from "../../pool/_park.ts";
import { peek, reclaimTake, takeQueued, taskView } from "../../pool/_take.ts";
import { holdTaker, releaseTaker } from "../../pool/_hold_taker.ts";
import {
  ABORT,
  CANCELLED,
  EMPTY,
  PHASE,
  QUEUED,
  R_ENTRY,
  R_IDENT,
  R_TAKE,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  TAG,
  TAKER,
} from "../../pool/_layout.ts";

const DEAD = 1 << 29; // an ident no thread has: its entry is not alive

function setup() {
  const p = Pool.create({ maxWorkers: 2, maxQueue: 4, taskBytes: 8 });
  const { b } = p, { v } = b;
  const { entry, ident } = runtime();
  const s = p.free.getNowait();
  const base = b.slot(s);
  v[base + S_OENTRY] = entry;
  v[base + S_OIDENT] = ident;
  Atomics.store(v, base + S_STATE, 5 * TAG | QUEUED);
  p.tasks.put(s);
  // Pool thread H (ident DEAD, record 1, its entry ended) holds TAKER.
  const rec = b.record(1);
  v[rec + R_ENTRY] = 7;
  Atomics.store(v, rec + R_IDENT, DEAD);
  return { p, b, v, s, base, rec, entry, q: taskView(p.tasks) };
}

// The close, whole: takeover from H, the drain of s, the release.
function close(p: Pool, s: number): void {
  p.tasks.shutdown();
  holdTaker(p.b, p.tasks, p.free);
  assert.equal(p.tasks.getNowait(), s);
  settleUnrun(p.b, s, p.free, false);
  assert.throws(() => p.tasks.getNowait());
  releaseTaker(p.b);
}

describe("pool/_take.ts: a holder's late name after the close's drain", () => {
  it("a reclaim between the holder's R_TAKE store and its reload of TAKER does not free the drained slot", () => {
    const { p, b, v, s, base, rec, entry, q } = setup();
    // H: CAS TAKER, peek (s); stalls before its name.
    assert.equal(Atomics.compareExchange(v, TAKER, 0, DEAD), 0);
    assert.equal(peek(q), s);
    close(p, s);
    // A name of s lands ...
    Atomics.store(v, rec + R_TAKE, s + 1);
    // ... and before its reload of TAKER, a maintain reclaims its record.
    const freeBefore = p.free.qsize();
    assert.equal(reclaimTake(b, q, p.tasks, p.free, rec, DEAD), true);
    // H: reload TAKER (not ours): withdraws the name (too late).
    assert.notEqual(Atomics.load(v, TAKER), DEAD);
    Atomics.store(v, rec + R_TAKE, 0);
    assert.equal(
      Atomics.load(v, base + S_STATE) & PHASE,
      CANCELLED,
      "slot s freed while it is on its owner's completion stack",
    );
    assert.equal(p.free.qsize(), freeBefore, "slot s put in the free queue");
    assert.equal(Atomics.load(v, b.head(entry)), s, "s on its owner's stack");
    // The drain's settle: the next tag, CANCELLED, marked (ABORT).
    assert.equal(Atomics.load(v, base + S_STATE), 6 * TAG | CANCELLED | ABORT);
    Atomics.store(v, b.head(entry), EMPTY);
  });

  it("the same late name kept (no withdrawal): any number of later reclaims leave the slot alone", () => {
    const { p, b, v, s, base, rec, entry, q } = setup();
    assert.equal(Atomics.compareExchange(v, TAKER, 0, DEAD), 0);
    assert.equal(peek(q), s);
    close(p, s);
    Atomics.store(v, rec + R_TAKE, s + 1);
    const before = Atomics.load(v, base + S_STATE);
    const freeBefore = p.free.qsize();
    for (let i = 0; i < 3; i++) {
      Atomics.store(v, rec + R_TAKE, s + 1); // named again each time
      assert.equal(reclaimTake(b, q, p.tasks, p.free, rec, DEAD), true);
      assert.equal(Atomics.load(v, base + S_STATE), before);
    }
    assert.equal(p.free.qsize(), freeBefore, "slot s put in the free queue");
    Atomics.store(v, b.head(entry), EMPTY);
  });

  it("the holder's own take after the close (TAKER free again) finds the queue shut and names nothing", () => {
    const { p, b, v, s, rec, entry, q } = setup();
    close(p, s);
    // TAKER is free: a take by a live pool thread of this record.
    Atomics.store(v, rec + R_IDENT, runtime().ident);
    assert.ok(
      takeQueued(b, q, p.tasks, rec, runtime().ident, p.free, 1 << 21) < 0,
      "nothing taken",
    );
    assert.equal(Atomics.load(v, rec + R_TAKE), 0);
    Atomics.store(v, b.head(entry), EMPTY);
  });
});
