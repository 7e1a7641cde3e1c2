// Copyright 2026 the threadkit authors. MIT license.
// A pool thread S declared dead (its entry ended) that passed its last look
// while its record was still its own, then stalled through the reclaim, the
// start of the next thread N there, N's park and a submit's hand-off to N
// (pool/_park.ts "Left"): S's take loop and N's both read the one MAIL;
// S's takes it, N's take names it in N's TAKE, fails and clears TAKE. Then
// S gives the task back. Before, its give-back was an exchange of TAKE that
// had to find the slot: it found 0, and the task stayed QUEUED in no queue,
// PARK word or TAKE; its Future never completed. Each thread is held at its
// step by a test-only hook it reads at its start (pool/_hooks.ts
// stallInTakeMail at takeMail's start, stallBeforeGiveBack), released by a
// shared word.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { endIdent, identStopped, runtime } from "../../_core/runtime.ts";
import {
  Block,
  CANCELLED,
  FREE,
  PHASE,
  QUEUED,
  R_IDENT,
  R_PARK,
  R_TAG,
  R_TAKE,
  S_STATE,
  TAG,
} from "../../pool/_layout.ts";
import { ownValue, park, PARKED } from "../../pool/_park.ts";
import { Pool } from "../../pool/_pool.ts";
import { reclaimTake, taskView } from "../../pool/_take.ts";
import { giveBackTaken } from "../../pool/_give_back.ts";
import { leaveIdle } from "../../pool/_leave.ts";
import { ThreadPoolExecutor } from "../../mod.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

// The initializer: arms both hooks.
function arm(take: Int32Array, give: Int32Array): void {
  const g = globalThis as Record<symbol, unknown>;
  g[Symbol.for("threadkit.test.stallInTakeMail")] = take;
  g[Symbol.for("threadkit.test.stallBeforeGiveBack")] = give;
}

function release(w: Int32Array, i: number, value: number): void {
  Atomics.store(w, i, value);
  Atomics.notify(w, i);
}

describe("ThreadPoolExecutor: a stale pool thread's give-back after the next thread's take cleared TAKE", () => {
  it("the task it took from the next thread's PARK word runs once, with no other submit", async () => {
    // stallInTakeMail: stalls left at each point (0: takeMail's start),
    // the release count (5), stalls begun (8), idents (9 + k);
    // stallBeforeGiveBack: stalls left, ident, release.
    const take = new Int32Array(new SharedArrayBuffer(64));
    const give = new Int32Array(new SharedArrayBuffer(12));
    const runs = new Int32Array(new SharedArrayBuffer(4));
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: arm,
      initArgs: [take, give],
    });
    const { buffer } = pool[TO_DESCRIPTOR]();
    const { v, rec } = (() => {
      const b = new Block(buffer as SharedArrayBuffer);
      return { v: b.v, rec: b.record(0) };
    })();
    try {
      // S runs the first task, which arms two stalls of a take loop that
      // read a MAIL and one of a give-back, then parks.
      assert.equal(
        await within(pool.submit(
          (take: Int32Array, give: Int32Array) => {
            Atomics.store(give, 0, 1);
            Atomics.store(take, 0, 2);
            return 1;
          },
          take,
          give,
        )),
        1,
      );
      // A hand-off to S: its record is its own at its last look; it read
      // the MAIL and stalls.
      const b = pool.submit((x: number) => x, 2);
      await until(() => Atomics.load(take, 8) >= 1, "S's stall", 30_000);
      const stale = Atomics.load(take, 9);
      assert.equal(Atomics.load(v, rec + R_IDENT), stale);
      // Its entry ends; it runs on. A maintain reclaims its record (the
      // mail back to the queue) and starts N there, which runs it and
      // parks.
      assert.ok(endIdent(stale));
      assert.equal(await within(b), 2);
      const next = Atomics.load(v, rec + R_IDENT);
      assert.ok(next > 0 && next !== stale, "the next thread's record");
      // The one submit: handed off to N, which read the MAIL and stalls.
      const c = pool.submit((runs: Int32Array) => {
        Atomics.add(runs, 0, 1);
        return "c";
      }, runs);
      await until(() => Atomics.load(take, 8) >= 2, "N's stall", 30_000);
      assert.equal(Atomics.load(take, 10), next);
      // S goes on: it takes the word's MAIL (its loaded value: the same
      // slot, kept by this thread, mailed again; its tag read now) and
      // stalls before its give-back (its entry ended).
      release(take, 5, 1);
      await until(
        () => Atomics.load(give, 1) === stale,
        "S's give-back",
        30_000,
      );
      assert.notEqual(Atomics.load(v, rec + R_TAKE), 0, "S's name");
      // N goes on: its take names the slot, fails (S's CAS won) and
      // clears TAKE; it finds S's own value, adopts the word and parks.
      release(take, 5, 2);
      await until(
        () => Atomics.load(v, rec + R_PARK) === PARKED,
        "N's park",
        30_000,
      );
      assert.equal(Atomics.load(v, rec + R_TAKE), 0, "N's failed take");
      // S gives the task back and leaves.
      release(give, 2, 1);
      assert.equal(await within(c, 10_000), "c");
      await until(
        () => identStopped(stale) !== undefined,
        "S's stop",
        30_000,
      );
      await within(pool.shutdownAsync());
      assert.equal(Atomics.load(runs, 0), 1);
    } finally {
      release(take, 5, 1000);
      release(give, 2, 1);
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});

// The give-back word by word (pool/_take.ts giveBackTaken), on this
// thread: slot s holds a task of tag T that a stale thread took.
const T = 7 * TAG;
function words(phase: number) {
  const p = Pool.create({ maxWorkers: 1, maxQueue: 4, taskBytes: 8 });
  const { b } = p, { v } = b, rec = b.record(0);
  const s = p.free.getNowait();
  Atomics.store(v, b.slot(s) + S_STATE, T | phase);
  const giveBack = (tag = T) => giveBackTaken(b, p.tasks, p.free, rec, s, tag);
  const reclaim = () =>
    reclaimTake(b, taskView(p.tasks), p.tasks, p.free, rec, 1 << 29);
  const state = () => Atomics.load(v, b.slot(s) + S_STATE);
  return { p, v, rec, s, giveBack, reclaim, state };
}

describe("pool give-back of a stale thread's take (giveBackTaken)", () => {
  it("leaves another task's name in the record (the next thread's take) and returns its own task once", () => {
    const { p, v, rec, s, giveBack, state } = words(QUEUED);
    const other = s + 2; // the next thread names its own take
    Atomics.store(v, rec + R_TAKE, other);
    giveBack();
    assert.deepEqual(
      [v[rec + R_TAKE], state(), p.tasks.qsize()],
      [other, (T + TAG) | QUEUED, 1],
    );
    assert.equal(p.tasks.getNowait(), s);
    giveBack(); // a second try (its tag is old now): nothing
    assert.equal(p.tasks.qsize(), 0);
  });

  it("against a reclaim that found its name in R_TAKE: one of them returns the task, in either order", () => {
    for (const first of ["giveBack", "reclaim"] as const) {
      const { p, v, rec, s, giveBack, reclaim, state } = words(QUEUED);
      Atomics.store(v, rec + R_TAG, T);
      Atomics.store(v, rec + R_TAKE, s + 1);
      if (first === "giveBack") {
        giveBack();
        assert.equal(v[rec + R_TAKE], 0, "its own name withdrawn");
        assert.equal(reclaim(), true);
      } else {
        assert.equal(reclaim(), true);
        giveBack();
      }
      assert.deepEqual(
        [state(), p.tasks.qsize(), p.tasks.getNowait()],
        [(T + TAG) | QUEUED, 1, s],
        first,
      );
    }
  });

  it("a task its owner cancelled meanwhile is freed once; after a shutdown a queued one is settled unrun", () => {
    const a = words(CANCELLED);
    const free = a.p.free.qsize();
    a.giveBack();
    a.giveBack();
    assert.deepEqual(
      [a.state(), a.p.free.qsize(), a.p.tasks.qsize()],
      [T | FREE, free + 1, 0],
    );
    const b = words(QUEUED);
    b.p.tasks.shutdown();
    b.giveBack();
    assert.equal(b.state() & PHASE, CANCELLED);
    assert.equal(b.p.tasks.qsize(), 0);
  });
});

describe("pool leaveIdle: a take-back stores the thread's own PARK value", () => {
  it("over what a thread started on the record meanwhile left there: its next park is its own", () => {
    const p = Pool.create({ maxWorkers: 1, maxQueue: 4, taskBytes: 8 });
    const { b } = p, { v } = b, rec = b.record(0), at = rec + R_PARK;
    const { ident, entry } = runtime();
    const own = ownValue(4);
    Atomics.store(v, rec + R_IDENT, ident);
    Atomics.store(v, at, own);
    p.tasks.put(p.free.getNowait()); // a task came: it takes the record back
    const back = !leaveIdle(v, rec, ident, entry, own, p.tasks, {
      // Its leave, then a whole other thread on the record (started,
      // parked, idled out): IDENT 0, that thread's own value on the word.
      before: () => {
        Atomics.store(v, rec + R_IDENT, 0);
        Atomics.store(v, at, ownValue(5));
      },
      claimed: () => {},
    });
    assert.deepEqual([back, v[rec + R_IDENT], v[at]], [true, ident, own]);
    // Its park (the recheck finds the task): its own word, not GONE.
    const r = park(b, 0, own, performance.now() + 5_000, () => true, () => {});
    assert.deepEqual([r, v[at]], [-1, own]);
  });
});
