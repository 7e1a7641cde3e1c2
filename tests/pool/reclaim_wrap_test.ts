// Copyright 2026 the threadkit authors. MIT license.
// A reclaim of a dead thread T's record takes T's name of slot s (T claimed
// s's task a and stalls before it clears the name) and stalls there, holding
// TAKER. Meanwhile T runs a, and the owner runs one task at a time on the
// same slot by hand-offs to the parked thread P (TAKER stops takes from the
// queue, not hand-offs), until the slot's task is QUEUED again at a tag
// whose low bits equal a's (the name's tag bits wrap: 2^tb tasks), handed
// to P, which stalls at its take. The reclaim then goes on: it must not
// move that task, whose index is in P's PARK word, nor queue the index.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";
import type { Queue } from "../../queue/bounded.ts";
import {
  Barrier,
  moduleTarget,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import {
  Block,
  R_IDENT,
  R_PARK,
  R_TAKE,
  S_STATE,
  TAG,
  tagOf,
} from "../../pool/_layout.ts";
import { PARKED } from "../../pool/_park.ts";
import { mailSlot, takeName } from "../../pool/_names.ts";
import type * as claimProbe from "../_workers/reclaim_stall.ts";
import type * as probe from "../_workers/reclaim_pair.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

const CLAIM = new URL("../_workers/reclaim_stall.ts", import.meta.url);
const PROBE = new URL("../_workers/reclaim_pair.ts", import.meta.url);

describe("pool: a reclaim stalled after its take of a name", () => {
  it("does not requeue the slot's task 2^tb tasks later (handed to another thread)", async () => {
    const claim = new Int32Array(new SharedArrayBuffer(32));
    const mail = new Int32Array(new SharedArrayBuffer(128));
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: moduleTarget<typeof claimProbe.armClaim>(CLAIM, "armClaim"),
      initArgs: [claim, mail],
    });
    const d = pool[TO_DESCRIPTOR]();
    const buffer = d.buffer as SharedArrayBuffer;
    const b = new Block(buffer), v = b.v;
    const extra = d.extra as { tasks: unknown; free: unknown };
    const tasks = reviveDescriptor(extra.tasks) as Queue<number>;
    const free = reviveDescriptor(extra.free) as Queue<number>;
    const r0 = b.record(0), r1 = b.record(1);
    const w = new Int32Array(new SharedArrayBuffer(32));
    let x: Thread<typeof probe.reclaimBy> | undefined;
    const nb = 32 - Math.clz32(b.l.slots);
    const gb = Math.min(10, (31 - nb) >> 1), period = 1 << (31 - nb - gb);
    try {
      const bar = new Barrier(2);
      const meet = (y: Barrier) => y.wait({ timeout: 30_000 });
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
      const T = Atomics.load(v, r0 + R_IDENT);
      // a: handed to T; T's claim wins and T stalls before its clear.
      Atomics.store(claim, 0, 1);
      const fa = pool.submit((y: string) => y, "a");
      await until(() => Atomics.load(claim, 1) !== 0, "T's claim", 30_000);
      assert.equal(Atomics.load(claim, 1), T);
      const sa = takeName(b.l.slots, Atomics.load(v, r0 + R_TAKE)) - 1;
      assert.ok(sa >= 0, "T's name of a");
      const tagA = tagOf(Atomics.load(v, b.slot(sa) + S_STATE));
      // The reclaim X (T declared dead in X's thread, right before) takes
      // the name and stalls.
      x = new Thread({
        target: moduleTarget<typeof probe.reclaimBy>(PROBE, "reclaimBy"),
        args: [buffer, tasks, free, r0, T, w, "stall-name"],
      });
      x.start();
      await until(() => Atomics.load(w, 0) !== 0, "X ready", 30_000);
      Atomics.store(w, 1, 1);
      Atomics.notify(w, 1);
      await until(() => Atomics.load(w, 2) !== 0, "X's take", 30_000);
      assert.equal(
        takeName(b.l.slots, Atomics.load(w, 2) - 1),
        sa + 1,
        "X took T's name of a",
      );
      // T goes on and runs a (or the owner's scan fails it first).
      Atomics.store(claim, 2, 1);
      Atomics.notify(claim, 2);
      await within(fa.then(() => 0, () => 0));
      // One task at a time on the slot until its next task's tag has a's
      // low bits again.
      const step = (s: number) => (tagOf(s) - tagA) / TAG;
      let k = 0;
      for (let i = 0; i < 4 * period; i++) {
        k = step(Atomics.load(v, b.slot(sa) + S_STATE));
        if ((k + 1) % period === 0) break;
        assert.equal(await within(pool.submit((y: number) => y, i)), i);
      }
      k = step(Atomics.load(v, b.slot(sa) + S_STATE));
      assert.equal((k + 1) % period, 0, `the slot's tag moved ${k} steps`);
      // That task: handed to P, which stalls at its take.
      Atomics.store(mail, 0, 1);
      const fz = pool.submit((y: string) => y, "z");
      await until(() => Atomics.load(mail, 8) > 0, "P's take", 30_000);
      const mailed = Atomics.load(v, r1 + R_PARK);
      assert.equal(mailSlot(b.l.slots, mailed), sa, "z on a's slot");
      // X goes on.
      Atomics.store(w, 3, 1);
      Atomics.notify(w, 3);
      const qAfter = await within(x.joinAsync({ timeout: 30_000 }));
      x = undefined;
      Atomics.store(mail, 5, 1000);
      Atomics.notify(mail, 5);
      assert.equal(await within(fz), "z");
      assert.equal(qAfter, 0, "z's index queued while it is in P's PARK word");
    } finally {
      for (const i of [1, 3]) {
        Atomics.store(w, i, 1);
        Atomics.notify(w, i);
      }
      Atomics.store(claim, 2, 1);
      Atomics.notify(claim, 2);
      Atomics.store(mail, 5, 1000);
      Atomics.notify(mail, 5);
      if (x !== undefined) await x.joinAsync({ timeout: 30_000 });
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});
