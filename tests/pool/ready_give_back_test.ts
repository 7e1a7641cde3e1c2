// Copyright 2026 the threadkit authors. MIT license.
// A pool thread T claims a task and stalls right after the claim's CAS; T
// is declared dead (its entry ended), its task fails with ThreadDiedError,
// its record is freed and serves a new thread N (READY 1). T goes on: its
// READY CAS from 1 meets N's 1 and moves it to T's value; T stalls there,
// before it clears its name from TAKE. Meanwhile N claims a task (its own
// CAS from 1 fails: READY holds T's value) and runs it. Then T goes on: its
// TAKE clear fails (the reclaim took its name), and it gives READY back to
// 1 by CAS from its own value, while N runs its task. N must not read as
// ready while it runs, and must keep serving after its task (not take its
// failed end CAS for a stale mark and leave the pool).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent, identStopped } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import {
  Event,
  moduleTarget,
  ThreadDiedError,
  ThreadPoolExecutor,
} from "../../mod.ts";
import {
  Block,
  LIVE,
  R_IDENT,
  R_PARK,
  R_READY,
  STALES,
} from "../../pool/_layout.ts";
import { PARKED } from "../../pool/_park.ts";
import type * as probe from "../_workers/ready_stall.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

const PROBE = new URL("../_workers/ready_stall.ts", import.meta.url);

describe("pool: a thread declared dead, stalled between its READY CAS and its TAKE clear", () => {
  it("ThreadPoolExecutor: the next thread on its record neither reads as ready in its task nor leaves after it", async () => {
    const w = new Int32Array(new SharedArrayBuffer(64));
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: moduleTarget<typeof probe.armReady>(PROBE, "armReady"),
      initArgs: [w],
    });
    const b = new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);
    const v = b.v, r0 = b.record(0);
    const ev = new Event(), started = new Event();
    const release = () => {
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
      Atomics.store(w, 5, 1);
      Atomics.notify(w, 5);
    };
    try {
      assert.equal(await within(pool.submit((x: number) => x, 1)), 1);
      await until(
        () => Atomics.load(v, r0 + R_PARK) === PARKED,
        "T parked",
        30_000,
      );
      const T = Atomics.load(v, r0 + R_IDENT);
      // T claims "a" and stalls after the claim's CAS.
      Atomics.store(w, 0, 1);
      const fa = pool.submit((x: string) => x, "a");
      await until(() => Atomics.load(w, 1) !== 0, "T's claim", 30_000);
      assert.equal(Atomics.load(w, 1), T);
      assert.ok(endIdent(T));
      const ra = await within(fa.then((x) => x, (e: unknown) => e), 60_000);
      assert.ok(ra instanceof ThreadDiedError, String(ra));
      await until(
        () => Atomics.load(v, r0 + R_IDENT) !== T,
        "T's record freed",
        30_000,
      );
      // N on record 0, idle.
      assert.equal(await within(pool.submit((x: number) => x, 2)), 2);
      const N = Atomics.load(v, r0 + R_IDENT);
      assert.ok(N > 0 && N !== T, `N on record 0 (${N})`);
      await until(
        () => Atomics.load(v, r0 + R_PARK) === PARKED,
        "N parked",
        30_000,
      );
      assert.equal(Atomics.load(v, r0 + R_READY), 1);
      // T goes on to its READY CAS (from N's 1) and stalls after it.
      Atomics.store(w, 3, 1);
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
      await until(() => Atomics.load(w, 4) !== 0, "T's READY CAS", 30_000);
      assert.equal(Atomics.load(w, 4), T);
      const tValue = Atomics.load(v, r0 + R_READY);
      // N claims and runs a task meanwhile.
      const fb = pool.submit(
        (e: Event, s: Event) => {
          s.set();
          return e.wait({ timeout: 60_000 }) ? "b" : "timeout";
        },
        ev,
        started,
      );
      assert.equal(await started.waitAsync({ timeout: 30_000 }), true);
      assert.equal(Atomics.load(v, r0 + R_IDENT), N, "b runs on N");
      // T goes on and ends.
      Atomics.store(w, 5, 1);
      Atomics.notify(w, 5);
      await until(() => identStopped(T) !== undefined, "T's stop", 60_000);
      const during = Atomics.load(v, r0 + R_READY);
      ev.set();
      assert.equal(await within(fb), "b");
      assert.equal(await within(pool.submit((x: number) => x, 3)), 3);
      const after = {
        tValue,
        readyWhileNRuns: during,
        ident: Atomics.load(v, r0 + R_IDENT),
        N,
        live: Atomics.load(v, LIVE),
        stales: Atomics.load(v, STALES),
      };
      assert.ok(
        during !== 1,
        `N read as ready in its task: ${JSON.stringify(after)}`,
      );
      assert.equal(after.ident, N, `N left the pool: ${JSON.stringify(after)}`);
      assert.equal(after.stales, 0);
    } finally {
      release();
      ev.set();
      await within(pool.shutdownAsync({ cancelFutures: true }), 60_000);
    }
  });
});
