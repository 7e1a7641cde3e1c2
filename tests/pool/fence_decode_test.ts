// Copyright 2026 the threadkit authors. MIT license.
// the owner's scan settles a RUNNING task whose runner T was
// declared dead (it runs on): it fences READ (FRESH -> GONE), then CASes
// RUNNING -> DONE|K_DIED. T, stalled right after its claim, goes on between
// the two: its decode's CAS fails on GONE, it writes that error and wins
// FINISHING, so the scan's CAS fails. The Future should fail as the
// runner's death (ThreadDiedError), not with the fence's internal error.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent, identStopped } from "../../_core/runtime.ts";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";
import type { Queue } from "../../queue/bounded.ts";
import {
  moduleTarget,
  ThreadDiedError,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { Block, PHASE, R_IDENT, S_STATE } from "../../pool/_layout.ts";
import { S_READ } from "../../pool/_args_held.ts";
import { ownerFor } from "../../pool/_owner.ts";
import type * as probe from "../_workers/reclaim_stall.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

const PROBE = new URL("../_workers/reclaim_stall.ts", import.meta.url);

describe("pool: the scan's fence and its settle, a declared-dead runner between them", () => {
  it("the task fails with ThreadDiedError", async () => {
    const claim = new Int32Array(new SharedArrayBuffer(32));
    const mail = new Int32Array(new SharedArrayBuffer(128));
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: moduleTarget<typeof probe.armClaim>(PROBE, "armClaim"),
      initArgs: [claim, mail],
    });
    const d = pool[TO_DESCRIPTOR]();
    const b = new Block(d.buffer as SharedArrayBuffer), v = b.v;
    const free = reviveDescriptor((d.extra as { free: unknown }).free) as Queue<
      number
    >;
    const A = Atomics as unknown as Record<string, unknown>;
    const cas = Atomics.compareExchange;
    try {
      assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
      const T = Atomics.load(v, b.record(0) + R_IDENT);
      Atomics.store(claim, 0, 1);
      const fa = pool.submit((x: string) => x, "a");
      const ra = Promise.resolve(fa).then((x) => x, (e: unknown) => e);
      await until(() => Atomics.load(claim, 1) !== 0, "T's claim", 30_000);
      assert.equal(Atomics.load(claim, 1), T);
      let slot = -1;
      for (let s = 0; s < b.l.slots; s++) {
        if ((Atomics.load(v, b.slot(s) + S_STATE) & PHASE) === 2) slot = s;
      }
      assert.ok(slot >= 0);
      const base = b.slot(slot);
      let hit = 0;
      const nap = new Int32Array(new SharedArrayBuffer(4));
      // The scan's fence (READ FRESH -> GONE), in this thread: T goes on
      // and finishes before the scan's CAS.
      A.compareExchange = (a: Int32Array, i: number, e: number, x: number) => {
        const r = cas(a, i, e, x);
        if (
          a.buffer === v.buffer && i === base + S_READ && r === e &&
          (x & 7) === 4 && hit++ === 0
        ) {
          Atomics.store(claim, 2, 1);
          Atomics.notify(claim, 2);
          const end = Date.now() + 20_000;
          // Until T has finished the task (FINISHING, DONE) or, writing
          // nothing, has left and stopped.
          while (
            (Atomics.load(v, base + S_STATE) & PHASE) === 2 &&
            identStopped(T) === undefined && Date.now() < end
          ) {
            Atomics.wait(nap, 0, 0, 2);
          }
        }
        return r;
      };
      try {
        assert.ok(endIdent(T));
        ownerFor(b, free, () => {}).scan();
      } finally {
        A.compareExchange = cas;
      }
      assert.equal(hit, 1, "the scan fenced READ");
      const r = await within(ra);
      assert.ok(r instanceof ThreadDiedError, `a settled ${String(r)}`);
    } finally {
      A.compareExchange = cas;
      Atomics.store(claim, 2, 1);
      Atomics.notify(claim, 2);
      Atomics.store(mail, 5, 1000);
      Atomics.notify(mail, 5);
      await within(pool.shutdownAsync({ cancelFutures: true }));
    }
  });
});
