// Copyright 2026 the threadkit authors. MIT license.
// Two reclaims of one dead pool thread's record at once. The thread S was
// handed slot s (its PARK word: MAIL s) and stalls in its take after it
// named s in its record (R_TAKE) and before its CAS of PARK. Reclaim X1
// exchanges PARK (finds MAIL s: s is its to requeue) and stalls before it
// clears R_TAKE; reclaim X2 then finds PARK empty and S's name of s in
// R_TAKE. The index must go back to the task queue once: a second copy
// runs the task twice, or names a slot freed and reused meanwhile.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent } from "../../_core/runtime.ts";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";
import type { Queue } from "../../queue/bounded.ts";
import { HEAD, POSITION } from "../../queue/_layout.ts";
import { moduleTarget, Thread, ThreadPoolExecutor } from "../../mod.ts";
import { Block, R_IDENT, R_PARK, R_TAKE } from "../../pool/_layout.ts";
import { MAIL, PARKED } from "../../pool/_park.ts";
import { mailSlot, takeName } from "../../pool/_names.ts";
import { reclaimTake, taskView } from "../../pool/_take.ts";
import type * as probe from "../_workers/reclaim_stall.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

const PROBE = new URL("../_workers/reclaim_stall.ts", import.meta.url);

describe("pool: two reclaims of one record", () => {
  it("a hand-off named but not taken goes back to the queue once", async () => {
    const mail = new Int32Array(new SharedArrayBuffer(128));
    const w = new Int32Array(new SharedArrayBuffer(32));
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: moduleTarget<typeof probe.armMail>(PROBE, "armMail"),
      initArgs: [mail],
    });
    const d = pool[TO_DESCRIPTOR]();
    const buffer = d.buffer as SharedArrayBuffer;
    const b = new Block(buffer), v = b.v;
    const extra = d.extra as { tasks: unknown; free: unknown };
    const tasks = reviveDescriptor(extra.tasks) as Queue<number>;
    const free = reviveDescriptor(extra.free) as Queue<number>;
    const r0 = b.record(0);
    let t: Thread<typeof probe.reclaimParkStalled> | undefined;
    try {
      assert.equal(await within(pool.submit((x: number) => x, 1)), 1);
      await until(
        () => Atomics.load(v, r0 + R_PARK) === PARKED,
        "S parked",
        30_000,
      );
      const S = Atomics.load(v, r0 + R_IDENT);
      // a: handed to S, which names it and stalls before its CAS of PARK.
      Atomics.store(mail, 1, 1);
      const fa = pool.submit((x: string) => x, "a");
      await until(() => Atomics.load(mail, 8) > 0, "S's take", 30_000);
      assert.equal(Atomics.load(mail, 9), S);
      const was = Atomics.load(v, r0 + R_PARK);
      assert.ok(was >= MAIL, "a in S's PARK word");
      const s = mailSlot(b.l.slots, was);
      assert.equal(takeName(b.l.slots, Atomics.load(v, r0 + R_TAKE)), s + 1);
      // X1, in its own thread, stalls right after its exchange of PARK.
      t = new Thread({
        target: moduleTarget<typeof probe.reclaimParkStalled>(
          PROBE,
          "reclaimParkStalled",
        ),
        args: [buffer, tasks, free, r0, S, w],
      });
      t.start();
      await until(() => Atomics.load(w, 6) !== 0, "X1's thread", 30_000);
      assert.ok(endIdent(S));
      Atomics.store(w, 5, 1);
      Atomics.notify(w, 5);
      await until(() => Atomics.load(w, 3) !== 0, "X1's exchange", 30_000);
      // X1 found a's mail unless another reclaim (the owner's own
      // maintain) took it first: then the case did not arise.
      const found = Atomics.load(w, 3) - 1;
      if (found === was) {
        // X2, here, while X1 stalls.
        reclaimTake(b, taskView(tasks), tasks, free, r0, S);
      } else {console.log(
          "X1 found",
          found,
          "not a's mail: the case did not arise",
        );}
      Atomics.store(w, 4, 1);
      Atomics.notify(w, 4);
      const [, q] = await within(t.joinAsync({ timeout: 30_000 }));
      t = undefined;
      let copies = 0;
      const h = taskView(tasks);
      // Nothing takes from the queue now (S stalls; its record is not
      // freed, so no replacement starts): count s's copies in it.
      assert.equal(tasks.qsize(), q);
      for (let i = 0; i < q; i++) {
        const head = Atomics.load(h.h, HEAD) & POSITION;
        if (h.data[(head + i) % h.cap] === s) copies++;
      }
      if (found === was) {
        assert.equal(copies, 1, `slot ${s} queued ${copies} times`);
      }
      Atomics.store(mail, 5, 1000);
      Atomics.notify(mail, 5);
      assert.equal(await within(fa), "a");
    } finally {
      Atomics.store(w, 4, 1);
      Atomics.store(w, 5, 1);
      Atomics.notify(w, 4);
      Atomics.notify(w, 5);
      Atomics.store(mail, 5, 1000);
      Atomics.notify(mail, 5);
      if (t !== undefined) await t.joinAsync({ timeout: 30_000 });
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});
