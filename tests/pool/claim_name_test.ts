// Copyright 2026 the threadkit authors. MIT license.
// A pool thread S took a task (its index handed to it), loaded the slot's
// STATE (QUEUED, the task's tag) and stalls right before it names itself
// in the slot (WIDENT). S is declared dead (its entry ended); the reclaim
// of its record moves the task to the next tag and queues it again, and
// another pool thread R takes and claims it. Then S goes on. S's name must
// not land over R's: an owner's scan that found S's ended ident in WIDENT
// (or R's ident beside S's entry in WENTRY) would fail the task with
// ThreadDiedError while R runs it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent, entryAlive, identStopped } from "../../_core/runtime.ts";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";
import type { Queue } from "../../queue/bounded.ts";
import { Barrier, Event, moduleTarget, ThreadPoolExecutor } from "../../mod.ts";
import {
  Block,
  PHASE,
  R_IDENT,
  R_PARK,
  RUNNING,
  S_STATE,
  S_WENTRY,
  S_WIDENT,
} from "../../pool/_layout.ts";
import { PARKED } from "../../pool/_park.ts";
import { reclaimTake } from "../../pool/_take.ts";
import { taskView } from "../../pool/_task_view.ts";
import type * as probe from "../_workers/name_stall.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

const PROBE = new URL("../_workers/name_stall.ts", import.meta.url);

describe("pool: a take declared dead before it names itself in the slot", () => {
  it("leaves the task's next runner named, and the task its outcome", async () => {
    const w = new Int32Array(new SharedArrayBuffer(16));
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: moduleTarget<typeof probe.armName>(PROBE, "armName"),
      initArgs: [w],
    });
    const d = pool[TO_DESCRIPTOR]();
    const buffer = d.buffer as SharedArrayBuffer;
    const b = new Block(buffer), v = b.v;
    const extra = d.extra as { tasks: unknown; free: unknown };
    const tasks = reviveDescriptor(extra.tasks) as Queue<number>;
    const free = reviveDescriptor(extra.free) as Queue<number>;
    const ev = new Event();
    try {
      // Two pool threads, both parked.
      const bar = new Barrier(2);
      const meet = (x: Barrier) => x.wait({ timeout: 30_000 });
      await within(
        Promise.all([pool.submit(meet, bar), pool.submit(meet, bar)]),
      );
      await until(
        () =>
          Atomics.load(v, b.record(0) + R_PARK) === PARKED &&
          Atomics.load(v, b.record(1) + R_PARK) === PARKED,
        "both parked",
        30_000,
      );
      // a, handed to S, which stalls before its write of WIDENT.
      Atomics.store(w, 0, 1);
      const fa = pool.submit(
        (e: Event) => e.wait({ timeout: 30_000 }),
        ev,
      );
      await until(() => Atomics.load(w, 1) !== 0, "S's name", 30_000);
      const S = Atomics.load(w, 1), base = Atomics.load(w, 3) - S_WIDENT;
      let rec = -1;
      for (let r = 0; r < b.l.records; r++) {
        if (Atomics.load(v, b.record(r) + R_IDENT) === S) rec = b.record(r);
      }
      assert.ok(rec >= 0, "S's record");
      // S declared dead; the reclaim of its record (here, or the owner's
      // own maintain first) moves a to its next tag and queues it again.
      assert.ok(endIdent(S));
      reclaimTake(b, taskView(tasks), tasks, free, rec, S);
      // Another thread R takes a and claims it.
      await until(
        () => {
          const id = Atomics.load(v, base + S_WIDENT);
          return (Atomics.load(v, base + S_STATE) & PHASE) === RUNNING &&
            id > 0 && id !== S;
        },
        "a claimed by another thread",
        30_000,
      );
      const R = Atomics.load(v, base + S_WIDENT);
      // S goes on, and ends.
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
      await until(() => identStopped(S) !== undefined, "S's stop", 30_000);
      assert.equal(Atomics.load(v, base + S_WIDENT), R, "a's runner (WIDENT)");
      assert.ok(
        entryAlive(Atomics.load(v, base + S_WENTRY), R),
        "a's runner's entry (WENTRY)",
      );
      ev.set();
      assert.equal(await within(fa), true);
    } finally {
      ev.set();
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});
