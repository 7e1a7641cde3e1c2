// Copyright 2026 the threadkit authors. MIT license.
// The direct hand-off to a parked pool thread (pool/_park.ts), word by word:
// a slot is handed only to a PARKED record, taken exactly once by the
// thread's park() or by the reclaim of a dead thread's record, and a parked
// thread is woken by a put that raced its parking.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runtime } from "../../_core/runtime.ts";
import { Pool } from "../../pool/_pool.ts";
import {
  handOff,
  MAIL,
  NOBODY,
  ownValue,
  park,
  PARKED,
  wakeParked,
  WOKEN,
} from "../../pool/_park.ts";
import { reclaimTake, taskView } from "../../pool/_take.ts";
import { takeEmpty } from "../../pool/_names.ts";
import {
  ABORT,
  BROKEN,
  CANCELLED,
  DONE,
  EMPTY,
  FREE,
  K_BROKEN,
  QUEUED,
  R_PARK,
  R_TAKE,
  S_KIND,
  S_OENTRY,
  S_STATE,
  STATE,
  TAG,
} from "../../pool/_layout.ts";

function pool(): Pool {
  return Pool.create({ maxWorkers: 2, maxQueue: 4, taskBytes: 8 });
}

// The reclaim of record `w` of a thread that died (an ident no thread has).
function reclaim(
  b: Pool["b"],
  w: number,
  tasks: Pool["tasks"],
  free: Pool["free"],
): void {
  assert.equal(
    reclaimTake(b, taskView(tasks), tasks, free, b.record(w), 1 << 29),
    true,
  );
}

describe("pool hand-off (PARK words)", () => {
  it("handOff gives a slot only to a parked record, once", () => {
    const p = pool(), { b } = p, { v } = b;
    const w1 = b.record(1) + R_PARK;
    assert.equal(handOff(b, 3, 0), false); // nobody parked
    Atomics.store(v, w1, PARKED);
    assert.equal(handOff(b, 3, 0), true);
    assert.equal(Atomics.load(v, w1), 3 + MAIL);
    assert.equal(handOff(b, 4, 0), false); // record 1 holds mail, not PARKED
    assert.equal(Atomics.load(v, b.record(0) + R_PARK), NOBODY);
  });

  it("wakeParked marks one parked record WOKEN (all: every one)", () => {
    const p = pool(), { b } = p, { v } = b;
    const w0 = b.record(0) + R_PARK, w1 = b.record(1) + R_PARK;
    Atomics.store(v, w0, PARKED);
    Atomics.store(v, w1, PARKED);
    wakeParked(b, false);
    assert.deepEqual([v[w0], v[w1]], [WOKEN, PARKED]);
    Atomics.store(v, w0, PARKED);
    wakeParked(b, true);
    assert.deepEqual([v[w0], v[w1]], [WOKEN, WOKEN]);
  });

  it("ownValue: one per start, below NOBODY, also once NAMES wraps", () => {
    const vs = [0, 1, 0x3fffffff, 0x7fffffff, -0x80000000, -1].map(ownValue);
    assert.ok(
      vs.every((x) => Number.isInteger(x) && x < NOBODY && x >= -(2 ** 30)),
    );
    assert.notEqual(ownValue(0), ownValue(1));
  });

  it("park returns at once when the recheck finds work, and after its deadline; the word is the thread's own value after", () => {
    const p = pool(), { b } = p, { v } = b;
    const at = b.record(0) + R_PARK, own = ownValue(0);
    Atomics.store(v, at, own); // as a start stores it (_start.ts)
    let saw = -1;
    const r1 = park(b, 0, own, Infinity, () => {
      saw = Atomics.load(v, at); // PARKED is stored before the recheck
      return true;
    }, () => {});
    assert.deepEqual([r1, saw, Atomics.load(v, at)], [-1, PARKED, own]);
    const r2 = park(b, 0, own, performance.now() + 5, () => false, () => {});
    assert.deepEqual([r2, Atomics.load(v, at)], [-1, own]);
  });

  it("park takes a slot handed over while it parks", () => {
    const p = pool(), { b } = p, { v } = b;
    const at = b.record(0) + R_PARK, own = ownValue(0);
    Atomics.store(v, at, own);
    Atomics.store(v, b.record(0) + R_TAKE, takeEmpty(b.l.slots, own)); // as its start
    // The hand-off lands between PARKED and the sleep (in the recheck).
    const got = park(b, 0, own, performance.now() + 20_000, () => {
      assert.equal(handOff(b, 2, 0), true);
      return false;
    }, () => {});
    assert.deepEqual([got, Atomics.load(v, at)], [2, own]);
  });

  it("reclaim: a dead thread's untaken slot goes back to the queue, or is cancelled to its owner once the queue is shut down", () => {
    const p = pool(), { b } = p, { v } = b;
    const at = b.record(1) + R_PARK;
    Atomics.store(v, at, 2 + MAIL);
    reclaim(b, 1, p.tasks, p.free);
    assert.equal(Atomics.load(v, at), NOBODY);
    assert.equal(p.tasks.getNowait(), 2);
    reclaim(b, 1, p.tasks, p.free); // nothing handed: nothing happens
    assert.equal(p.tasks.qsize(), 0);
    // Shut down: the slot is cancelled and pushed to its owner's stack.
    const s = 1, base = b.slot(s);
    v[base + S_OENTRY] = runtime().entry;
    Atomics.store(v, base + S_STATE, QUEUED);
    p.tasks.shutdown();
    Atomics.store(v, at, s + MAIL);
    reclaim(b, 1, p.tasks, p.free);
    assert.equal(Atomics.load(v, base + S_STATE), TAG | CANCELLED | ABORT); // next tag, marked
    const head = b.head(runtime().entry);
    assert.equal(Atomics.load(v, head), s);
    Atomics.store(v, head, EMPTY);
  });

  it("reclaim: a WOKEN on the dead thread's word is passed on to a parked thread", () => {
    const p = pool(), { b } = p, { v } = b;
    const dead = b.record(1) + R_PARK, other = b.record(0) + R_PARK;
    Atomics.store(v, dead, WOKEN); // a put's wake, landed on it
    Atomics.store(v, other, PARKED);
    reclaim(b, 1, p.tasks, p.free);
    assert.deepEqual([v[dead], v[other]], [NOBODY, WOKEN]);
  });

  it("reclaim in a broken executor: a dead thread's untaken slot fails with BrokenExecutorError (DONE, kind BROKEN), one its owner cancelled is freed", () => {
    const p = pool(), { b } = p, { v } = b;
    const at = b.record(0) + R_PARK;
    Atomics.store(v, STATE, BROKEN);
    p.tasks.shutdown();
    const s = p.free.getNowait(), base = b.slot(s); // a slot in use
    v[base + S_OENTRY] = runtime().entry;
    Atomics.store(v, base + S_STATE, QUEUED);
    Atomics.store(v, at, s + MAIL);
    reclaim(b, 0, p.tasks, p.free);
    assert.equal(Atomics.load(v, at), NOBODY);
    assert.equal(Atomics.load(v, base + S_STATE), TAG | DONE); // next tag
    assert.equal(v[base + S_KIND], K_BROKEN);
    const head = b.head(runtime().entry);
    assert.equal(Atomics.load(v, head), s);
    Atomics.store(v, head, EMPTY);
    // Cancelled by its owner while handed over: the index is ours to free.
    const before = p.free.qsize();
    Atomics.store(v, base + S_STATE, CANCELLED);
    Atomics.store(v, at, s + MAIL);
    reclaim(b, 0, p.tasks, p.free);
    assert.equal(Atomics.load(v, base + S_STATE), FREE);
    assert.equal(p.free.qsize(), before + 1);
    assert.equal(Atomics.load(v, head), EMPTY);
  });
});
