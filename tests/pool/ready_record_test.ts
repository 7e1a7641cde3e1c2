// Copyright 2026 the threadkit authors. MIT license.
// A pool thread S claims a task (its slot's CAS QUEUED -> RUNNING) and
// stalls right after, before it writes its record's READY (the task's
// value, _stale.ts). S is declared dead (its entry ended); the reclaim of
// its record takes its name (R_TAKE), the record is freed and claimed for
// the next start (READY 1: a thread that runs no task). Then S goes on and
// runs the task. S's READY write must not land on the record's next thread:
// there it made an idle thread look busy (readyThreads one short) for as
// long as S's task ran, and home's stale mark could take that value for the
// next thread's task, marking an idle thread stale (STALES up, a
// replacement started) with nothing to end its mark: one thread above
// maxWorkers for good. Before, S stored READY with a plain store.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent, identStopped } from "../../_core/runtime.ts";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";
import type { Queue } from "../../queue/bounded.ts";
import { Event, moduleTarget, ThreadPoolExecutor } from "../../mod.ts";
import { Block, LIVE, R_IDENT, R_PARK, R_READY } from "../../pool/_layout.ts";
import { PARKED } from "../../pool/_park.ts";
import { claim, giveBack } from "../../pool/_stale.ts";
import { reclaimTake } from "../../pool/_take.ts";
import { taskView } from "../../pool/_task_view.ts";
import type * as probe from "../_workers/claim_stall.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

const PROBE = new URL("../_workers/claim_stall.ts", import.meta.url);

// One run of the interleaving. "settled": the owner's scan (its tick, on
// this thread) settled the task as S's death before S read its args, so S
// ran nothing and ended the task at once (its end CAS puts READY back even
// before the fix): nothing to see, the run is repeated.
async function once(): Promise<"checked" | "settled"> {
  const w = new Int32Array(new SharedArrayBuffer(64));
  const ran = new Int32Array(new SharedArrayBuffer(4));
  const pool = new ThreadPoolExecutor({
    maxWorkers: 1,
    initializer: moduleTarget<typeof probe.armClaims>(PROBE, "armClaims"),
    initArgs: [w],
  });
  const d = pool[TO_DESCRIPTOR]();
  const b = new Block(d.buffer as SharedArrayBuffer), v = b.v;
  const extra = d.extra as { tasks: unknown; free: unknown };
  const tasks = reviveDescriptor(extra.tasks) as Queue<number>;
  const free = reviveDescriptor(extra.free) as Queue<number>;
  const ev = new Event();
  let rec = -1, claimed = false;
  try {
    // The pool's thread S, started and parked.
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
    await until(
      () => Atomics.load(v, b.record(0) + R_PARK) === PARKED,
      "S parked",
      30_000,
    );
    // One stall, at S's next claim: before its READY write.
    Atomics.store(w, 0, 1);
    pool.submit(
      (ran: Int32Array, e: Event) => {
        Atomics.store(ran, 0, 1);
        return e.wait({ timeout: 30_000 });
      },
      ran,
      ev,
    );
    await until(() => Atomics.load(w, 8) !== 0, "S's claim", 30_000);
    const S = Atomics.load(w, 8);
    for (let r = 0; r < b.l.records; r++) {
      if (Atomics.load(v, b.record(r) + R_IDENT) === S) rec = b.record(r);
    }
    assert.ok(rec >= 0, "S's record");
    assert.equal(Atomics.load(v, rec + R_READY), 1);
    // S declared dead, and its record reclaimed and freed as a maintain
    // does (_pool.ts), then claimed for the next start (_stale.ts claim:
    // READY 1), all in this turn: no maintain of the pool runs between.
    assert.ok(endIdent(S));
    assert.equal(
      reclaimTake(b, taskView(tasks), tasks, free, rec, S),
      true,
      "the reclaim of S's record",
    );
    assert.equal(Atomics.compareExchange(v, rec + R_IDENT, S, 0), S);
    Atomics.sub(v, LIVE, 1);
    assert.ok(claim(v, rec), "the record claimed for the next start");
    claimed = true;
    assert.equal(Atomics.load(v, rec + R_READY), 1);
    // S goes on: it writes READY, and runs the task (or ends it unrun).
    Atomics.store(w, 2, 1);
    Atomics.notify(w, 2);
    await until(
      () => Atomics.load(ran, 0) === 1 || identStopped(S) !== undefined,
      "S in its task, or its end",
      30_000,
    );
    if (Atomics.load(ran, 0) !== 1) return "settled";
    assert.equal(
      Atomics.load(v, rec + R_READY),
      1,
      "the next thread's READY (1: it runs no task)",
    );
    return "checked";
  } finally {
    if (claimed) giveBack(v, rec);
    ev.set();
    Atomics.store(w, 2, 1);
    Atomics.notify(w, 2);
    await within(pool.shutdownAsync({ cancelFutures: true }));
  }
}

describe("pool: a thread declared dead between its claim and its READY write", () => {
  it("ReadyThreads: its READY write does not land on the record's next thread", async () => {
    const runs: string[] = [];
    while (runs.length < 6 && runs.at(-1) !== "checked") {
      runs.push(await once());
    }
    assert.equal(runs.at(-1), "checked", `runs: ${runs}`);
  });
});
