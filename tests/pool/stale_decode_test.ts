// Copyright 2026 the threadkit authors. MIT license.
// A pool thread T declared dead between its claim and its decode (its entry
// ended) that still runs. Its task is failed as its death, the slot goes to
// the owner's next task b, handed to another thread X that is held at its
// take. T then goes on to its decode: it must decode nothing of b (b is not
// its task), and b must run once, on X, with its own result.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent, identStopped } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import {
  Barrier,
  Event,
  moduleTarget,
  Semaphore,
  ThreadDiedError,
  ThreadPoolExecutor,
} from "../../mod.ts";
import {
  Block,
  PHASE,
  R_PARK,
  R_TAKE,
  RUNNING,
  S_STATE,
  S_WIDENT,
  tagOf,
} from "../../pool/_layout.ts";
import { PARKED } from "../../pool/_park.ts";
import { mailSlot, takeName } from "../../pool/_names.ts";
import type * as probe from "../_workers/reclaim_stall.ts";
import type * as read from "../_workers/read_stall.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

const PROBE = new URL("../_workers/reclaim_stall.ts", import.meta.url);
const READ = new URL("../_workers/read_stall.ts", import.meta.url);

describe("pool: a runner declared dead between its claim and its decode", () => {
  it("does not decode or run the slot's next task", async () => {
    const claim = new Int32Array(new SharedArrayBuffer(32));
    const mail = new Int32Array(new SharedArrayBuffer(128));
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: moduleTarget<typeof probe.armClaim>(PROBE, "armClaim"),
      initArgs: [claim, mail],
    });
    const b = new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);
    const v = b.v;
    const r0 = b.record(0), r1 = b.record(1);
    const release = () => {
      Atomics.store(claim, 2, 1);
      Atomics.notify(claim, 2);
    };
    try {
      const bar = new Barrier(2);
      const meet = (x: Barrier) => x.wait({ timeout: 30_000 });
      await within(
        Promise.all([pool.submit(meet, bar), pool.submit(meet, bar)]),
      );
      await until(
        () =>
          Atomics.load(v, r0 + R_PARK) === PARKED &&
          Atomics.load(v, r1 + R_PARK) === PARKED,
        "both parked",
        30_000,
      );
      // a: T claims it and stalls right after its claim's CAS.
      Atomics.store(claim, 0, 1);
      const fa = pool.submit((x: string) => x, "a");
      await until(() => Atomics.load(claim, 1) !== 0, "T's claim", 30_000);
      const T = Atomics.load(claim, 1);
      let sa = -1;
      for (const r of [r0, r1]) {
        const t = takeName(b.l.slots, Atomics.load(v, r + R_TAKE));
        if (t > 0) sa = t - 1;
      }
      assert.ok(sa >= 0, "T's name of a");
      // T declared dead: the owner's scan fails a.
      assert.ok(endIdent(T));
      const ra = await within(fa.then((x) => x, (e: unknown) => e));
      assert.ok(ra instanceof ThreadDiedError, String(ra));
      // b, handed to a parked thread X, which stalls at its take.
      Atomics.store(mail, 0, 1);
      const sem = new Semaphore(0);
      const fb = pool.submit((s: Semaphore) => {
        s.release();
        return "b";
      }, sem);
      await until(() => Atomics.load(mail, 8) > 0, "X's take", 30_000);
      let sb = -1;
      for (let w = 0; w < b.l.records; w++) {
        const p = Atomics.load(v, b.record(w) + R_PARK);
        if (p >= 3) sb = mailSlot(b.l.slots, p);
      }
      if (sb !== sa) {
        // b did not reuse a's slot: the case did not arise.
        release();
        Atomics.store(mail, 5, 1000);
        Atomics.notify(mail, 5);
        assert.equal(await within(fb), "b");
        return;
      }
      // T goes on to its decode, and ends.
      release();
      await until(() => identStopped(T) !== undefined, "T's stop", 30_000);
      // X goes on.
      Atomics.store(mail, 5, 1000);
      Atomics.notify(mail, 5);
      const rb = await within(fb.then((x) => x, (e: unknown) => e));
      assert.equal(rb, "b", `b settled with ${String(rb)}`);
      assert.equal(sem.acquire({ blocking: false }), true, "b ran");
      assert.equal(sem.acquire({ blocking: false }), false, "b ran twice");
    } finally {
      release();
      Atomics.store(mail, 5, 1000);
      Atomics.notify(mail, 5);
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});

describe("pool: a runner declared dead inside its decode", () => {
  it("does not decode the args of the slot's next task", async () => {
    const w = new Int32Array(new SharedArrayBuffer(16));
    const mail = new Int32Array(new SharedArrayBuffer(128));
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: moduleTarget<typeof read.armRead>(READ, "armRead"),
      initArgs: [w, mail],
    });
    const b = new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);
    const v = b.v;
    const release = () => {
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
    };
    const go = () => {
      Atomics.store(mail, 5, 1000);
      Atomics.notify(mail, 5);
    };
    try {
      const bar = new Barrier(2);
      const meet = (x: Barrier) => x.wait({ timeout: 30_000 });
      await within(
        Promise.all([pool.submit(meet, bar), pool.submit(meet, bar)]),
      );
      // a (a number: no heap references) on T, which stalls right after
      // its CAS of READ, before it reads the payload. a's target sets
      // whatever it is given that can be set.
      Atomics.store(w, 0, 1);
      const fa = pool.submit((x: unknown) => {
        const e = x as { set?: () => void };
        if (typeof e?.set === "function") e.set();
        return 0;
      }, 1);
      await until(() => Atomics.load(w, 1) !== 0, "T's decode", 30_000);
      const T = Atomics.load(w, 1);
      let sa = -1;
      for (let s = 0; s < b.l.slots; s++) {
        const base = b.slot(s);
        if (
          Atomics.load(v, base + S_WIDENT) === T &&
          (Atomics.load(v, base + S_STATE) & PHASE) === RUNNING
        ) sa = s;
      }
      assert.ok(sa >= 0, "a's slot");
      const tagA = tagOf(Atomics.load(v, b.slot(sa) + S_STATE));
      // T declared dead: the owner's scan fails a.
      assert.ok(endIdent(T));
      const ra = await within(fa.then((x) => x, (e: unknown) => e));
      assert.ok(ra instanceof ThreadDiedError, String(ra));
      // b: an Event, on a's slot, handed to another thread X, which
      // stalls at its take.
      Atomics.store(mail, 0, 1);
      const ev = new Event();
      const fb = pool.submit((e: Event) => e.isSet() ? "set" : "b", ev);
      await until(() => Atomics.load(mail, 8) > 0, "X's take", 30_000);
      if (tagOf(Atomics.load(v, b.slot(sa) + S_STATE)) === tagA) {
        go();
        assert.equal(await within(fb), "b");
        return; // b did not reuse a's slot: the case did not arise
      }
      // T goes on: it must not decode b's args (and set b's Event).
      release();
      await until(() => identStopped(T) !== undefined, "T's stop", 30_000);
      assert.equal(ev.isSet(), false, "T decoded and ran b's args");
      go();
      assert.equal(await within(fb), "b");
    } finally {
      release();
      go();
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});
