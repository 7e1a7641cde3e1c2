// Copyright 2026 the threadkit authors. MIT license.
// Taking a task named in the taker's record (pool/_take.ts), word by word:
// the take from the queue's head under TAKER, the take of a hand-off, and
// each decision of the reclaim of a dead thread's record.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { recordStop } from "../../_core/runtime.ts";
import { HEAD, MODULUS, TAIL } from "../../queue/_layout.ts";
import { POSITION } from "../../queue/_turn.ts";
import { Pool } from "../../pool/_pool.ts";
import { BUSY, MAIL, PARKED, takeMail, WOKEN } from "../../pool/_park.ts";
import {
  BUSY_Q,
  EMPTY_Q,
  peek,
  reclaimTake,
  SHUT_Q,
  takeQueued,
  taskView,
} from "../../pool/_take.ts";
import {
  CANCELLED,
  FREE,
  QUEUED,
  R_PARK,
  R_TAG,
  R_TAKE,
  RUNNING,
  S_STATE,
  S_WIDENT,
  TAG,
  TAKER,
} from "../../pool/_layout.ts";

// Idents no thread has (their entries are not alive): DEAD ended (not in
// the stop ring: it may still run), and stopped ones, recorded per test.
const DEAD = 1 << 29;
let nextStopped = (1 << 29) + 1;
function stopped(): number {
  const ident = nextStopped++;
  recordStop(ident, true);
  return ident;
}

// A pool with slot `s` in use (taken from the free queue, as a submit
// does), holding a task of tag `tag` in phase `phase`; record `rec`'s
// thread is the taker: name() names that task in it (R_TAG, R_TAKE, as a
// take does first), reclaim(dead) runs the reclaim of it.
function setup(tag: number, phase: number) {
  const p = Pool.create({ maxWorkers: 2, maxQueue: 4, taskBytes: 8 });
  const { b } = p, { v } = b;
  const s = p.free.getNowait();
  Atomics.store(v, b.slot(s) + S_STATE, tag | phase);
  const q = taskView(p.tasks), rec = b.record(1);
  const name = () => {
    Atomics.store(v, rec + R_TAG, tag);
    Atomics.store(v, rec + R_TAKE, s + 1);
  };
  const reclaim = (dead: number) =>
    reclaimTake(b, q, p.tasks, p.free, rec, dead);
  return { p, b, v, s, q, rec, name, reclaim };
}

describe("pool take (TAKER, R_TAKE, R_TAG)", () => {
  it("takeQueued names the slot at the queue's head in the record, then takes it", () => {
    const { p, b, v, s, q, rec } = setup(5 * TAG, QUEUED);
    assert.equal(takeQueued(b, q, p.tasks, rec, 77), EMPTY_Q);
    p.tasks.put(s);
    assert.equal(peek(q), s);
    Atomics.store(v, TAKER, 55); // another thread takes
    assert.equal(takeQueued(b, q, p.tasks, rec, 77), BUSY_Q);
    Atomics.store(v, TAKER, 0);
    assert.equal(takeQueued(b, q, p.tasks, rec, 77), s);
    assert.deepEqual(
      [v[rec + R_TAKE], v[rec + R_TAG], v[TAKER], p.tasks.qsize()],
      [s + 1, 5 * TAG, 0, 0],
    );
    p.tasks.shutdown();
    assert.equal(takeQueued(b, q, p.tasks, rec, 77), SHUT_Q);
  });

  it("takeMail names the mailed slot, then takes it; a mail taken back first is not taken", () => {
    const { b, v, s, rec } = setup(9 * TAG, QUEUED);
    Atomics.store(v, rec + R_PARK, s + MAIL);
    assert.equal(takeMail(b, rec, s + MAIL), s);
    assert.deepEqual(
      [v[rec + R_PARK], v[rec + R_TAKE], v[rec + R_TAG]],
      [BUSY, s + 1, 9 * TAG],
    );
    Atomics.store(v, rec + R_TAKE, 0);
    Atomics.store(v, rec + R_PARK, WOKEN); // a draining close took it back
    assert.equal(takeMail(b, rec, s + MAIL), -1);
    assert.deepEqual([v[rec + R_PARK], v[rec + R_TAKE]], [WOKEN, 0]);
  });

  it("reclaim: died holding TAKER before its get, the slot still at the head: left queued, once", () => {
    const { p, b, v, s, rec, name, reclaim } = setup(5 * TAG, QUEUED);
    const dead = stopped();
    p.tasks.put(s);
    Atomics.store(v, TAKER, dead);
    name();
    assert.equal(reclaim(dead), true);
    assert.deepEqual(
      [v[TAKER], v[rec + R_TAKE], v[b.slot(s) + S_STATE], p.tasks.qsize()],
      [0, 0, 5 * TAG | QUEUED, 1],
    );
  });

  it("reclaim: died holding TAKER after its get: the task moves to the next tag and back to the queue", () => {
    const { p, b, v, s, rec, name, reclaim } = setup(5 * TAG, QUEUED);
    const dead = stopped();
    Atomics.store(v, TAKER, dead);
    name();
    Atomics.store(v, b.slot(s) + S_WIDENT, dead);
    assert.equal(reclaim(dead), true);
    assert.deepEqual(
      [
        v[TAKER],
        v[rec + R_TAKE],
        v[b.slot(s) + S_STATE],
        v[b.slot(s) + S_WIDENT],
      ],
      [0, 0, 6 * TAG | QUEUED, 0],
    );
    assert.equal(p.tasks.getNowait(), s);
    assert.equal(p.tasks.qsize(), 0);
  });

  it("reclaim: a claimed task (RUNNING) is left to the owner's scan; a cancelled one is freed", () => {
    const { p, b, v, s, rec, name, reclaim } = setup(5 * TAG, RUNNING);
    name();
    assert.equal(reclaim(DEAD), true);
    assert.deepEqual(
      [v[rec + R_TAKE], v[b.slot(s) + S_STATE], p.tasks.qsize()],
      [0, 5 * TAG | RUNNING, 0],
    );
    const free = p.free.qsize();
    Atomics.store(v, b.slot(s) + S_STATE, 5 * TAG | CANCELLED);
    Atomics.store(v, rec + R_TAKE, s + 1);
    assert.equal(reclaim(DEAD), true);
    assert.deepEqual(
      [v[b.slot(s) + S_STATE], p.free.qsize(), p.tasks.qsize()],
      [5 * TAG | FREE, free + 1, 0],
    );
  });

  it("reclaim: a mail the dead thread named but never took goes back once", () => {
    const { p, b, v, s, rec, name, reclaim } = setup(5 * TAG, QUEUED);
    Atomics.store(v, rec + R_PARK, s + MAIL);
    name();
    assert.equal(reclaim(DEAD), true);
    assert.deepEqual(
      [v[rec + R_PARK], v[rec + R_TAKE], v[b.slot(s) + S_STATE]],
      [BUSY, 0, 5 * TAG | QUEUED],
    );
    assert.equal(p.tasks.getNowait(), s);
    assert.equal(p.tasks.qsize(), 0);
  });

  it("reclaim: another reclaim or a close holds TAKER: the named record is left for later", () => {
    const { b, v, s, rec, name, reclaim } = setup(5 * TAG, QUEUED);
    Atomics.store(v, TAKER, -1);
    name();
    assert.equal(reclaim(DEAD), false);
    assert.deepEqual(
      [v[TAKER], v[rec + R_TAKE], v[b.slot(s) + S_STATE]],
      [-1, s + 1, 5 * TAG | QUEUED],
    );
  });

  it("reclaim: TAKER held by a thread that ended but has not stopped (it may still run): not taken over, the record waits", () => {
    const { p, b, v, s, rec, name, reclaim } = setup(5 * TAG, QUEUED);
    p.tasks.put(s);
    Atomics.store(v, TAKER, DEAD);
    name();
    assert.equal(reclaim(DEAD), false);
    assert.deepEqual(
      [v[TAKER], v[rec + R_TAKE], v[b.slot(s) + S_STATE], p.tasks.qsize()],
      [DEAD, s + 1, 5 * TAG | QUEUED, 1],
    );
    // It gives TAKER back itself: then the record is reclaimed.
    Atomics.store(v, TAKER, 0);
    Atomics.store(v, rec + R_TAKE, 0);
    assert.equal(reclaim(DEAD), true);
  });

  it("takeQueued: its release wakes a parked thread when the queue is not empty", () => {
    const { p, b, v, s, q, rec } = setup(5 * TAG, QUEUED);
    const other = b.record(0);
    const s2 = p.free.getNowait();
    Atomics.store(v, b.slot(s2) + S_STATE, 5 * TAG | QUEUED);
    p.tasks.put(s);
    p.tasks.put(s2);
    Atomics.store(v, other + R_PARK, PARKED);
    assert.equal(takeQueued(b, q, p.tasks, rec, 77), s);
    assert.equal(Atomics.load(v, other + R_PARK), WOKEN);
    assert.equal(takeQueued(b, q, p.tasks, rec, 77), s2);
    Atomics.store(v, other + R_PARK, PARKED);
    assert.equal(takeQueued(b, q, p.tasks, rec, 77), EMPTY_Q);
    assert.equal(Atomics.load(v, other + R_PARK), PARKED); // nothing left
  });

  it("peek reads what getNowait then takes, across the ring's wrap (the int32 ring's layout, queue/_ring.ts)", () => {
    const { p, q } = setup(0, QUEUED);
    const cap = q.cap;
    let next = 0;
    for (let round = 0; round < 4 * cap; round++) {
      const n = 1 + (round % 3);
      for (let i = 0; i < n; i++) p.tasks.put((next + i) % cap);
      for (let i = 0; i < n; i++) {
        const seen = peek(q);
        assert.equal(p.tasks.getNowait(), seen);
        assert.equal(seen, (next + i) % cap);
      }
      next = (next + n) % cap;
      assert.equal(peek(q), EMPTY_Q);
    }
  });

  it("takeQueued keeps FIFO order with the queue's own gets and puts, across the ring's wrap and the counters' wrap at M", () => {
    const { p, b, v, q, rec } = setup(0, QUEUED);
    const cap = q.cap;
    // An empty ring whose counters are 5 short of M (as after that many
    // items went through): the puts and takes below cross M -> 0.
    const m = q.h[MODULUS];
    Atomics.store(q.h, HEAD, m - 5);
    Atomics.store(q.h, TAIL, m - 5);
    let next = 0, taken = 0;
    for (let round = 0; round < 4 * cap; round++) {
      const n = 1 + (round % 3);
      for (let i = 0; i < n; i++) p.tasks.put((next + i) % cap);
      for (let i = 0; i < n; i++) {
        // Every other item through a plain get (as a draining close's).
        const x = (taken++ & 1) === 0
          ? takeQueued(b, q, p.tasks, rec, 77)
          : p.tasks.getNowait();
        assert.equal(x, (next + i) % cap);
      }
      next = (next + n) % cap;
      assert.equal(takeQueued(b, q, p.tasks, rec, 77), EMPTY_Q);
      assert.equal(p.tasks.qsize(), 0);
      assert.equal(v[TAKER], 0);
    }
    // The counters went past M and back to the start.
    assert.ok((Atomics.load(q.h, HEAD) & POSITION) < 4 * cap * 2);
  });
});
