// Copyright 2026 the threadkit authors. MIT license.
// Taking a task named in the taker's record (pool/_take.ts), word by word:
// the take from the queue's head under TAKER, the take of a hand-off, and
// each decision of the reclaim of a dead thread's record.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { recordStop, runtime } from "../../_core/runtime.ts";
import { HEAD, MODULUS, TAIL } from "../../queue/_layout.ts";
import { POSITION } from "../../queue/_turn.ts";
import { Pool } from "../../pool/_pool.ts";
import {
  GONE,
  MAIL,
  NOBODY,
  ownValue,
  PARKED,
  settleUnrun,
  takeMail,
  took,
  WOKEN,
} from "../../pool/_park.ts";
import { takeEmpty, takeNameOf } from "../../pool/_names.ts";
import {
  BUSY_Q,
  EMPTY_Q,
  peek,
  reclaimTake,
  SHUT_Q,
  STOLEN,
  takeQueued,
  taskView,
} from "../../pool/_take.ts";
import { holdTaker, releaseTaker } from "../../pool/_hold_taker.ts";
import type { Queue } from "../../queue/bounded.ts";
import {
  ABORT,
  CANCELLED,
  EMPTY,
  FREE,
  PHASE,
  QUEUED,
  R_ENTRY,
  R_IDENT,
  R_PARK,
  R_TAKE,
  RUNNING,
  S_NEXT,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  S_WENTRY,
  S_WIDENT,
  TAG,
  TAKER,
  unnamed,
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
// thread is the taker (own PARK value OWN, R_TAKE without a name E, as
// its start stores them): name() names that task in it (R_TAKE, as a take
// does first), reclaim(dead) runs the reclaim of it.
const OWN = ownValue(3), E = takeEmpty(6, OWN); // 6 slots: maxQueue 4 + 2
// Its name of slot s, tag `tag` (5 * TAG in most cases below).
const nameOf = (s: number, tag = 5 * TAG) => takeNameOf(6, E, s, tag);
function setup(tag: number, phase: number) {
  const p = Pool.create({ maxWorkers: 2, maxQueue: 4, taskBytes: 8 });
  const { b } = p, { v } = b;
  const s = p.free.getNowait();
  Atomics.store(v, b.slot(s) + S_STATE, tag | phase);
  const q = taskView(p.tasks), rec = b.record(1);
  Atomics.store(v, rec + R_TAKE, E);
  const name = () => Atomics.store(v, rec + R_TAKE, nameOf(s, tag));
  const reclaim = (dead: number) =>
    reclaimTake(b, q, p.tasks, p.free, rec, dead);
  return { p, b, v, s, q, rec, name, reclaim };
}

describe("pool take (TAKER, R_TAKE)", () => {
  it("takeQueued names the slot at the queue's head in the record, then takes it", () => {
    const { p, b, v, s, q, rec } = setup(5 * TAG, QUEUED);
    assert.equal(takeQueued(b, q, p.tasks, rec, 77, p.free, E), EMPTY_Q);
    p.tasks.put(s);
    assert.equal(peek(q), s);
    Atomics.store(v, TAKER, 55); // another thread takes
    assert.equal(takeQueued(b, q, p.tasks, rec, 77, p.free, E), BUSY_Q);
    Atomics.store(v, TAKER, 0);
    assert.equal(takeQueued(b, q, p.tasks, rec, 77, p.free, E), s);
    assert.deepEqual(
      [v[rec + R_TAKE], took.tag, v[TAKER], p.tasks.qsize()],
      [nameOf(s), 5 * TAG, 0, 0],
    );
    p.tasks.shutdown();
    assert.equal(takeQueued(b, q, p.tasks, rec, 77, p.free, E), SHUT_Q);
  });

  it("takeMail names the mailed slot, then takes it; a mail taken back first is not taken", () => {
    const { b, v, s, rec } = setup(9 * TAG, QUEUED);
    Atomics.store(v, rec + R_PARK, s + MAIL);
    assert.equal(takeMail(b, rec, s + MAIL, OWN), s);
    assert.deepEqual(
      [v[rec + R_PARK], v[rec + R_TAKE], took.tag],
      [OWN, nameOf(s, 9 * TAG), 9 * TAG],
    );
    Atomics.store(v, rec + R_TAKE, E);
    Atomics.store(v, rec + R_PARK, WOKEN); // a draining close took it back
    assert.equal(takeMail(b, rec, s + MAIL, OWN), -1);
    assert.deepEqual([v[rec + R_PARK], v[rec + R_TAKE]], [WOKEN, E]);
  });

  it("takeMail and takeQueued on a record that is not the taker's (reclaimed: 0; the next thread's: its generation) name and take nothing", () => {
    const { p, b, v, s, q, rec } = setup(9 * TAG, QUEUED);
    const next = takeEmpty(6, ownValue(4));
    assert.notEqual(next, E);
    for (const word of [0, next, takeNameOf(6, next, s, 9 * TAG)]) {
      Atomics.store(v, rec + R_TAKE, word);
      Atomics.store(v, rec + R_PARK, s + MAIL);
      assert.equal(takeMail(b, rec, s + MAIL, OWN), GONE);
      assert.deepEqual([v[rec + R_PARK], v[rec + R_TAKE]], [s + MAIL, word]);
      Atomics.store(v, rec + R_PARK, OWN);
      p.tasks.put(s);
      assert.equal(takeQueued(b, q, p.tasks, rec, 77, p.free, E), STOLEN);
      assert.deepEqual(
        [v[rec + R_TAKE], v[TAKER], p.tasks.qsize(), peek(q)],
        [word, 0, 1, s],
      );
      assert.equal(p.tasks.getNowait(), s);
    }
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
        v[b.slot(s) + S_WENTRY],
      ],
      // No runner named under the new tag (_thread.ts "NAME").
      [0, 0, 6 * TAG | QUEUED, -7, -7],
    );
    assert.equal(unnamed(6 * TAG | QUEUED), -7);
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
    name();
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
      [NOBODY, 0, 5 * TAG | QUEUED],
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
      [-1, nameOf(s), 5 * TAG | QUEUED],
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
      [DEAD, nameOf(s), 5 * TAG | QUEUED, 1],
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
    assert.equal(takeQueued(b, q, p.tasks, rec, 77, p.free, E), s);
    assert.equal(Atomics.load(v, other + R_PARK), WOKEN);
    Atomics.store(v, rec + R_TAKE, E); // its claim's clear
    assert.equal(takeQueued(b, q, p.tasks, rec, 77, p.free, E), s2);
    Atomics.store(v, rec + R_TAKE, E);
    Atomics.store(v, other + R_PARK, PARKED);
    assert.equal(takeQueued(b, q, p.tasks, rec, 77, p.free, E), EMPTY_Q);
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
          ? takeQueued(b, q, p.tasks, rec, 77, p.free, E)
          : p.tasks.getNowait();
        Atomics.store(v, rec + R_TAKE, E); // its claim's clear
        assert.equal(x, (next + i) % cap);
      }
      next = (next + n) % cap;
      assert.equal(takeQueued(b, q, p.tasks, rec, 77, p.free, E), EMPTY_Q);
      assert.equal(p.tasks.qsize(), 0);
      assert.equal(v[TAKER], 0);
    }
    // The counters went past M and back to the start.
    assert.ok((Atomics.load(q.h, HEAD) & POSITION) < 4 * cap * 2);
  });
});

// The task queue as takeQueued sees it, with `before` (and `after`) run
// around its get: what another thread does in that window, in order.
function around(
  tasks: Queue<number>,
  before: () => void,
  after: (x: number) => number = (x) => x,
): Queue<number> {
  return new Proxy(tasks, {
    get(t, k) {
      if (k === "getNowait") {
        return () => {
          before();
          return after(t.getNowait());
        };
      }
      const x = Reflect.get(t, k, t);
      return typeof x === "function" ? x.bind(t) : x;
    },
  });
}

describe("pool take: TAKER taken over by a draining close from a holder that ended and still runs", () => {
  it("holdTaker takes TAKER over from a holder whose entry ended (not in the stop ring), and keeps it", () => {
    const { p, b, v, s, rec, name } = setup(5 * TAG, QUEUED);
    p.tasks.put(s);
    Atomics.store(v, rec + R_IDENT, DEAD);
    Atomics.store(v, rec + R_ENTRY, 200); // no thread is DEAD there
    Atomics.store(v, TAKER, DEAD);
    name(); // it peeked s; its get has not happened (s still at the head)
    holdTaker(b, p.tasks, p.free);
    // The name is left to the holder (its get may still come; its
    // hand-back withdraws it), the index to the close's drain.
    assert.deepEqual(
      [v[TAKER], v[rec + R_TAKE], v[b.slot(s) + S_STATE], p.tasks.qsize()],
      [-1, nameOf(s), 5 * TAG | QUEUED, 1],
    );
    releaseTaker(b);
    assert.equal(v[TAKER], 0);
  });

  it("its get after the takeover (the reclaim found the index at the head and left the name): the index goes back once", () => {
    const { p, b, v, s, q, rec } = setup(5 * TAG, QUEUED);
    p.tasks.put(s);
    const tasks = around(p.tasks, () => {
      // The close's takeover and its reclaim's step 2 (holdTaker): s is
      // still at the head, so not taken: the name is left to the holder.
      assert.equal(Atomics.compareExchange(v, TAKER, DEAD, -1), DEAD);
      assert.equal(peek(q), s);
    });
    assert.equal(takeQueued(b, q, tasks, rec, DEAD, p.free, E), STOLEN);
    assert.deepEqual(
      [v[TAKER], v[rec + R_TAKE], v[b.slot(s) + S_STATE], p.tasks.qsize()],
      [-1, E, 5 * TAG | QUEUED, 1],
    );
    assert.equal(p.tasks.getNowait(), s);
  });

  it("its get after the close's drain took its index: the next index it takes is settled unrun (the queue is shut), not dropped", () => {
    const { p, b, v, s, q, rec } = setup(5 * TAG, QUEUED);
    const s2 = p.free.getNowait();
    Atomics.store(v, b.slot(s2) + S_STATE, 7 * TAG | QUEUED);
    p.tasks.put(s);
    p.tasks.put(s2);
    const tasks = around(p.tasks, () => {
      // Taken over; the queue shut; the drain takes s (as close() does).
      assert.equal(Atomics.compareExchange(v, TAKER, DEAD, -1), DEAD);
      p.tasks.shutdown();
      assert.equal(p.tasks.getNowait(), s);
      Atomics.store(v, b.slot(s) + S_STATE, 5 * TAG | CANCELLED);
    });
    assert.equal(takeQueued(b, q, tasks, rec, DEAD, p.free, E), STOLEN);
    assert.deepEqual(
      [v[b.slot(s2) + S_STATE], p.tasks.qsize()],
      [8 * TAG | CANCELLED | ABORT, 0], // settled unrun: the next tag, marked
    );
  });

  it("its get before the takeover (the reclaim moved the task to the next tag): the index stays the reclaim's, queued once", () => {
    const { p, b, v, s, q, rec } = setup(5 * TAG, QUEUED);
    p.tasks.put(s);
    const tasks = around(p.tasks, () => {}, (x) => {
      // The close's takeover and its reclaim's step 3 (s gone from the
      // head: taken; R_TAKE is the reclaim's): next tag, back to the queue.
      assert.equal(Atomics.compareExchange(v, TAKER, DEAD, -1), DEAD);
      assert.equal(Atomics.exchange(v, rec + R_TAKE, 0), nameOf(s));
      Atomics.store(v, b.slot(s) + S_STATE, 6 * TAG | QUEUED);
      p.tasks.put(s);
      return x;
    });
    assert.equal(takeQueued(b, q, tasks, rec, DEAD, p.free, E), STOLEN);
    assert.deepEqual(
      [v[b.slot(s) + S_STATE], p.tasks.qsize()],
      [6 * TAG | QUEUED, 1],
    );
  });

  it("a cancelled task its get took after the takeover goes back once (the queue shut: freed)", () => {
    const { p, b, v, s, q, rec } = setup(5 * TAG, QUEUED);
    p.tasks.put(s);
    const free = p.free.qsize();
    const tasks = around(p.tasks, () => {
      assert.equal(Atomics.compareExchange(v, TAKER, DEAD, -1), DEAD);
      p.tasks.shutdown(); // the close's, before its drain
      Atomics.store(v, b.slot(s) + S_STATE, 5 * TAG | CANCELLED); // owner
    });
    assert.equal(takeQueued(b, q, tasks, rec, DEAD, p.free, E), STOLEN);
    assert.deepEqual(
      [v[b.slot(s) + S_STATE] & PHASE, p.free.qsize(), p.tasks.qsize()],
      [FREE, free + 1, 0],
    );
  });
  it("a takeover between its peek and its name: its name's CAS fails (nothing named), and a later reclaim of its record does not free the drained slot (on its owner's stack)", () => {
    const p = Pool.create({ maxWorkers: 2, maxQueue: 4, taskBytes: 8 });
    const { b } = p, { v } = b;
    const { entry, ident } = runtime();
    const q = taskView(p.tasks);
    const s = p.free.getNowait(), s2 = p.free.getNowait();
    for (const x of [s, s2]) {
      const base = b.slot(x);
      v[base + S_OENTRY] = entry;
      v[base + S_OIDENT] = ident;
      Atomics.store(v, base + S_STATE, 5 * TAG | QUEUED);
      p.tasks.put(x);
    }
    const rec = b.record(1);
    Atomics.store(v, rec + R_TAKE, E);
    v[rec + R_ENTRY] = 200; // no thread is DEAD there
    Atomics.store(v, rec + R_IDENT, DEAD);
    // The draining close runs while the holder is inside its peek (the
    // view's `cap` is read there, after HEAD and TAIL): shut, take TAKER
    // over from the holder (ended), drain s.
    let closed = false;
    const view = {
      h: q.h,
      data: q.data,
      get cap() {
        if (!closed) {
          closed = true;
          p.tasks.shutdown();
          holdTaker(b, p.tasks, p.free);
          assert.equal(p.tasks.getNowait(), s);
          settleUnrun(b, s, p.free, false);
        }
        return q.cap;
      },
    };
    assert.equal(takeQueued(b, view, p.tasks, rec, DEAD, p.free, E), STOLEN);
    assert.equal(v[rec + R_TAKE], 0, "no late name");
    assert.equal(p.tasks.qsize(), 1, "the holder took nothing");
    // The close's drain goes on (s2), then gives TAKER back.
    assert.equal(p.tasks.getNowait(), s2);
    settleUnrun(b, s2, p.free, false);
    releaseTaker(b);
    const head = b.head(entry);
    assert.deepEqual([Atomics.load(v, head), v[b.slot(s2) + S_NEXT]], [s2, s]);
    const free = p.free.qsize();
    // A maintain reclaims the record (its entry ended, TAKER free).
    assert.equal(reclaimTake(b, q, p.tasks, p.free, rec, DEAD), true);
    assert.deepEqual(
      [Atomics.load(v, b.slot(s) + S_STATE) & PHASE, p.free.qsize()],
      [CANCELLED, free],
      "slot s freed while it is on its owner's completion stack",
    );
    Atomics.store(v, head, EMPTY); // nothing else refers to this block
  });

  it("a drain settles a task unrun under the next tag: a record naming it under the old one (a takeMail's R_TAKE before the drain of its mail) cannot free it", () => {
    const { p, b, v, s, name, reclaim } = setup(5 * TAG, QUEUED);
    name(); // R_TAKE names s, as takeMail's before its CAS
    settleUnrun(b, s, p.free, false); // the close's drainMail
    assert.equal(v[b.slot(s) + S_STATE], 6 * TAG | CANCELLED | ABORT);
    const free = p.free.qsize();
    assert.equal(reclaim(DEAD), true);
    assert.deepEqual(
      [v[b.slot(s) + S_STATE], p.free.qsize()],
      [6 * TAG | CANCELLED | ABORT, free],
    );
    Atomics.store(v, b.head(v[b.slot(s) + S_OENTRY]), EMPTY);
  });
});
