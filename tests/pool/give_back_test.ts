// Copyright 2026 the threadkit authors. MIT license.
// A pool thread S declared dead (its entry ended) that passed its last look
// while its record was still its own, then stalled through the reclaim, the
// start of the next thread N there, N's park and a submit's hand-off to N
// (pool/_give_back.ts): S's take loop and N's both read the one MAIL.
// Before park16, S's took it, N's named it, failed and cleared TAKE, and
// S's give-back (an exchange of TAKE) found 0: the task stayed QUEUED in
// no queue, PARK word or TAKE. Now S's name's CAS fails on N's record (its
// generation, pool/_names.ts): S takes nothing, and N runs the task. Each
// thread is held at its step by a test-only hook it reads at its start
// (pool/_hooks.ts stallInTakeMail at takeMail's start, stallBeforeGiveBack),
// released by a shared word. Below, the give-back and the reclaim's return
// word by word.
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
  R_TAKE,
  S_STATE,
  TAG,
} from "../../pool/_layout.ts";
import { ownValue, park } from "../../pool/_park.ts";
import { Pool } from "../../pool/_pool.ts";
import { reclaimTake, taskView } from "../../pool/_take.ts";
import { giveBack, giveBackTaken } from "../../pool/_give_back.ts";
import { takeEmpty, takeNameOf } from "../../pool/_names.ts";
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

describe("ThreadPoolExecutor: a stale pool thread that loaded the next thread's hand-off", () => {
  it("takes nothing: the task runs once, on the next thread, with no other submit", async () => {
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
      // S goes on: its name's CAS fails (the record is N's), it takes
      // nothing and leaves: no give-back.
      const named = Atomics.load(v, rec + R_TAKE);
      release(take, 5, 1);
      await until(
        () => identStopped(stale) !== undefined,
        "S's stop",
        30_000,
      );
      assert.deepEqual(
        [Atomics.load(v, rec + R_TAKE), Atomics.load(give, 1)],
        [named, 0],
        "N's words as they were; S made no give-back",
      );
      // N goes on: it takes the task and runs it.
      release(take, 5, 2);
      assert.equal(await within(c), "c");
      await within(pool.shutdownAsync());
      assert.equal(Atomics.load(runs, 0), 1);
    } finally {
      release(take, 5, 1000);
      release(give, 2, 1);
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});

// The give-back word by word (pool/_give_back.ts), on this thread: slot s
// holds a task of tag T that a stale thread (own PARK value OWN) took and
// named in record `rec`.
const T = 7 * TAG, OWN = ownValue(6), E = takeEmpty(5, OWN); // 5 slots
function words(phase: number) {
  const p = Pool.create({ maxWorkers: 1, maxQueue: 4, taskBytes: 8 });
  const { b } = p, { v } = b, rec = b.record(0);
  const s = p.free.getNowait();
  Atomics.store(v, b.slot(s) + S_STATE, T | phase);
  const name = takeNameOf(b.l.slots, E, s, T);
  Atomics.store(v, rec + R_TAKE, name);
  const back = () => giveBack(b, p.tasks, p.free, rec, s, E, T);
  const reclaim = () =>
    reclaimTake(b, taskView(p.tasks), p.tasks, p.free, rec, 1 << 29);
  const state = () => Atomics.load(v, b.slot(s) + S_STATE);
  return { p, b, v, rec, s, name, back, reclaim, state };
}

describe("pool give-back of a stale thread's take (giveBack, giveBackTaken)", () => {
  it("against a reclaim that found its name in R_TAKE: one of them returns the task, in either order", () => {
    for (const first of ["giveBack", "reclaim"] as const) {
      const { p, v, rec, s, back, reclaim, state } = words(QUEUED);
      if (first === "giveBack") {
        back();
        assert.equal(v[rec + R_TAKE], E, "its own name withdrawn");
        assert.equal(reclaim(), true);
      } else {
        assert.equal(reclaim(), true);
        back();
      }
      assert.deepEqual(
        [state(), p.tasks.qsize(), p.tasks.getNowait()],
        [first === "giveBack" ? T | QUEUED : (T + TAG) | QUEUED, 1, s],
        first,
      );
      back();
      assert.equal(p.tasks.qsize(), 0, "once");
    }
  });

  it("on a record that is not its own (reclaimed: 0; the next thread's words) it writes and returns nothing", () => {
    for (
      const other of [
        0,
        takeEmpty(5, ownValue(7)),
        takeEmpty(5, ownValue(7)) + 2,
      ]
    ) {
      const { p, v, rec, back, state } = words(QUEUED);
      Atomics.store(v, rec + R_TAKE, other);
      back();
      assert.deepEqual(
        [v[rec + R_TAKE], state(), p.tasks.qsize()],
        [other, T | QUEUED, 0],
      );
    }
  });

  it("the reclaim's return: a task its owner cancelled is freed once; after a shutdown a queued one is settled unrun", () => {
    const a = words(CANCELLED);
    const free = a.p.free.qsize();
    giveBackTaken(a.b, a.p.tasks, a.p.free, a.s, a.name);
    giveBackTaken(a.b, a.p.tasks, a.p.free, a.s, a.name);
    assert.deepEqual(
      [a.state(), a.p.free.qsize(), a.p.tasks.qsize()],
      [T | FREE, free + 1, 0],
    );
    const b = words(QUEUED);
    b.p.tasks.shutdown();
    b.back();
    assert.equal(b.state() & PHASE, CANCELLED);
    assert.equal(b.p.tasks.qsize(), 0);
  });
});

describe("pool leaveIdle: a take-back stores the thread's own PARK and R_TAKE values", () => {
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
        Atomics.store(v, rec + R_TAKE, 0); // its reclaim's
      },
      claimed: () => {},
    });
    assert.deepEqual(
      [back, v[rec + R_IDENT], v[at], v[rec + R_TAKE]],
      [true, ident, own, takeEmpty(5, own)],
    );
    // Its park (the recheck finds the task): its own word, not GONE.
    const r = park(b, 0, own, performance.now() + 5_000, () => true, () => {});
    assert.deepEqual([r, v[at]], [-1, own]);
  });
});
