// Copyright 2026 the threadkit authors. MIT license.
// A park by a pool thread whose record is no longer its own (pool/_park.ts
// "GONE"), look by look. Each case runs park() on this thread and plays
// the others' steps inside its callbacks, in the order the case names: the
// reclaim (PARK to NOBODY, then IDENT 0), the record's next thread (its
// own value, then its PARKED) and a submit's hand-off (MAIL). The stale
// thread must write none of the record's words and must not sleep on the
// next thread's PARKED, and when it leaves after a sleep it passes on
// every wake there (the next thread may sleep on that word too).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Pool } from "../../pool/_pool.ts";
import {
  DRAIN_AT,
  GONE,
  MAIL,
  NOBODY,
  ownValue,
  park,
  PARKED,
} from "../../pool/_park.ts";
import { R_DRAIN, R_PARK, R_TAKE } from "../../pool/_layout.ts";

const S = ownValue(0), N = ownValue(1); // the stale thread's, the next's

function setup() {
  const p = Pool.create({ maxWorkers: 1, maxQueue: 4, taskBytes: 8 });
  const { b } = p, { v } = b, rec = b.record(0), at = rec + R_PARK;
  Atomics.store(v, at, S);
  let gone = false;
  return {
    v,
    at,
    rec,
    /** park() by the stale thread, its gone() reading `gone`. */
    park: (hooks: {
      beforeSleep?: () => void;
      drain?: () => void;
      deadline?: number;
    }) =>
      park(
        p.b,
        0,
        S,
        hooks.deadline ?? performance.now() + 20_000,
        () => false,
        () => {},
        hooks.beforeSleep,
        hooks.drain,
        () => gone,
      ),
    /** Another stale thread of the record, before its reuse. */
    again: () => {
      Atomics.store(v, at, S);
      gone = false;
    },
    /** The reclaim, the next thread's start and park: its PARKED. */
    reuse: () => {
      Atomics.exchange(v, at, NOBODY);
      gone = true; // IDENT 0, its entry ended
      Atomics.store(v, at, N);
      Atomics.store(v, at, PARKED);
    },
  };
}

// Counts Atomics.notify calls on `at` that wake every waiter, while `f` runs.
function wakeAlls(v: Int32Array, at: number, f: () => void): number {
  const notify = Atomics.notify;
  let n = 0;
  Atomics.notify = ((a: Int32Array, i: number, count?: number) => {
    if (a === v && i === at && (count === undefined || count === Infinity)) {
      n++;
    }
    return notify(a, i, count);
  }) as typeof notify;
  try {
    f();
  } finally {
    Atomics.notify = notify;
  }
  return n;
}

describe("pool park() of a thread whose record was reused (GONE)", () => {
  it("its CAS from its own value: after the reclaim it parks nowhere", () => {
    const { v, at, park } = setup();
    Atomics.store(v, at, NOBODY); // the reclaim, before its first write
    let slept = false;
    const r = park({ beforeSleep: () => (slept = true) });
    assert.deepEqual([r, slept, Atomics.load(v, at)], [GONE, false, NOBODY]);
  });

  it("the look after its push: it neither drains nor sleeps on the next thread's PARKED", () => {
    const { v, at, rec, park, reuse } = setup();
    Atomics.store(v, rec + R_DRAIN, DRAIN_AT);
    let drained = 0;
    const r = park({ beforeSleep: reuse, drain: () => drained++ });
    assert.deepEqual([r, drained, Atomics.load(v, at)], [GONE, 0, PARKED]);
  });

  it("the look at each slice end: asleep on the next thread's PARKED, it leaves before its deadline", () => {
    const { v, at, rec, park, reuse } = setup();
    Atomics.store(v, rec + R_DRAIN, DRAIN_AT);
    // Reused after its look after the push (in its drain): the word reads
    // PARKED again, the next thread's, and nobody notifies.
    const deadline = performance.now() + 20_000;
    const r = park({ drain: reuse, deadline });
    assert.ok(performance.now() < deadline, "left at its deadline");
    assert.deepEqual([r, Atomics.load(v, at)], [GONE, PARKED]);
  });

  it("the look before the take loop: it does not take the next thread's hand-off", () => {
    const { v, at, rec, park, reuse } = setup();
    Atomics.store(v, rec + R_DRAIN, DRAIN_AT);
    const words = () => v[rec + R_TAKE];
    const before = words();
    const r = park({
      drain: () => {
        reuse();
        Atomics.store(v, at, 2 + MAIL); // a submit's hand-off to it
      },
    });
    assert.deepEqual([r, Atomics.load(v, at)], [GONE, 2 + MAIL]);
    assert.deepEqual(words(), before);
  });

  it("leaving after a sleep, each of two stale threads wakes every waiter there, and the next thread's PARKED stays", () => {
    const { v, at, rec, park, reuse, again } = setup();
    // Two stale threads of one record leave in turn after a sleep on the
    // next thread's PARKED (each woke at a slice end or took a wake):
    // each passes the wake on to every waiter.
    const n = wakeAlls(v, at, () => {
      for (let i = 0; i < 2; i++) {
        again();
        Atomics.store(v, rec + R_DRAIN, DRAIN_AT);
        assert.equal(park({ drain: reuse }), GONE);
      }
    });
    assert.deepEqual([n, Atomics.load(v, at)], [2, PARKED]);
  });

  // The reclaim past its last look (G3, IDENT still its own) and before
  // the take loop's load: its own value written back over NOBODY would let
  // its next park store PARKED on a reclaimed record; over the next
  // thread's own value, that thread's next park would fail and leave.
  function pastG3(atG3: (v: Int32Array, at: number) => void, after: boolean) {
    const p = Pool.create({ maxWorkers: 1, maxQueue: 4, taskBytes: 8 });
    const { v } = p.b, at = p.b.record(0) + R_PARK;
    Atomics.store(v, at, S);
    let looks = 0;
    // The recheck finds work: no sleep; the first look is G3.
    const r = park(
      p.b,
      0,
      S,
      performance.now() + 5_000,
      () => true,
      () => {},
      undefined,
      undefined,
      () => {
        if (looks++ > 0) return after;
        atG3(v, at);
        return false; // IDENT still its own at this look
      },
    );
    return [r, Atomics.load(v, at)];
  }

  it("the take loop after a reclaim past its last look finds NOBODY: leaves it", () => {
    assert.deepEqual(
      pastG3((v, at) => Atomics.store(v, at, NOBODY), false),
      [GONE, NOBODY],
    );
  });

  it("the take loop after a reclaim, a free and a start past its last look finds the next thread's own value: leaves it", () => {
    assert.deepEqual(
      pastG3((v, at) => Atomics.store(v, at, N), true),
      [GONE, N],
    );
  });
});
