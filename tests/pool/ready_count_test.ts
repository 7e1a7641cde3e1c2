// Copyright 2026 the threadkit authors. MIT license.
// Home's count of pool threads that will take a queued task without a start
// (pool/_started.ts readyThreads), word by word: a thread in the middle of
// its take from the queue (TAKE names the index at the queue's head, its
// get not made yet) covers that queued task, so a submit that counts then
// starts no second thread (Python: a submit reuses an idle thread). Seen
// under load as tests/pool/map_submit_test.ts "tasks one after another run
// on one thread" starting a second thread.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runtime } from "../../_core/runtime.ts";
import { Pool } from "../../pool/_pool.ts";
import { readyThreads } from "../../pool/_started.ts";
import { MAIL, ownValue } from "../../pool/_park.ts";
import { takeEmpty, takeNameOf } from "../../pool/_names.ts";
import { taskView } from "../../pool/_take.ts";
import {
  QUEUED,
  R_IDENT,
  R_PARK,
  R_READY,
  R_TAKE,
  S_STATE,
  TAG,
} from "../../pool/_layout.ts";

function setup() {
  const p = Pool.create({ maxWorkers: 2, maxQueue: 4, taskBytes: 8 });
  const { b } = p, { v } = b;
  // Record 0: a live pool thread (this thread's ident stands in), between
  // tasks (READY 1).
  const rec = b.record(0);
  Atomics.store(v, rec + R_READY, 1);
  Atomics.store(v, rec + R_IDENT, runtime().ident);
  const s = p.free.getNowait();
  Atomics.store(v, b.slot(s) + S_STATE, 3 * TAG | QUEUED);
  return { p, b, v, rec, s, q: taskView(p.tasks) };
}

describe("pool/_started.ts readyThreads", () => {
  it("a thread between tasks counts; one taking the queue's head (TAKE named, get not made) still counts: it covers that task", () => {
    const { p, b, v, rec, s, q } = setup();
    assert.equal(readyThreads(b, q), 1);
    p.tasks.put(s);
    // takeQueued: TAKER, peek (s), R_TAKE (a generation's name); then it
    // stalls.
    Atomics.store(
      v,
      rec + R_TAKE,
      takeNameOf(b.l.slots, takeEmpty(b.l.slots, ownValue(2)), s, 3 * TAG),
    );
    // A submit's replenish now: 1 queued, 1 thread about to take it.
    assert.equal(p.tasks.qsize() - readyThreads(b, q), 0, "no start needed");
    // Its get: the index left the queue; it holds a task not yet claimed.
    assert.equal(p.tasks.getNowait(), s);
    assert.equal(readyThreads(b, q), 0);
  });

  it("a thread holding a task the queue does not count (a hand-off, or a get made) does not count", () => {
    const { p, b, v, rec, s, q } = setup();
    const s2 = p.free.getNowait();
    p.tasks.put(s2); // another task at the head, not the one it names
    Atomics.store(
      v,
      rec + R_TAKE,
      takeNameOf(b.l.slots, takeEmpty(b.l.slots, ownValue(2)), s, 3 * TAG),
    );
    assert.equal(readyThreads(b, q), 0, "TAKE names an index not at the head");
    Atomics.store(v, rec + R_TAKE, takeEmpty(b.l.slots, ownValue(2)));
    Atomics.store(v, rec + R_PARK, MAIL + s);
    assert.equal(readyThreads(b, q), 0, "a hand-off in PARK");
    Atomics.store(v, rec + R_PARK, 0);
    assert.equal(readyThreads(b, q), 1);
    Atomics.store(v, rec + R_READY, 0); // claimed: running
    assert.equal(readyThreads(b, q), 0);
  });
});
