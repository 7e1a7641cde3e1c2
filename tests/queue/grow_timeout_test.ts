// Copyright 2026 the threadkit authors. MIT license.
// A timed blocking put on an unbounded queue whose newest segment is held
// (its TAIL turn, as by a put stopped inside its copy) and so cannot grow:
// the segment try waits for the holder until the call's deadline at most,
// not IDLE_GRACE (500 ms) whatever the timeout. What the try waits until is
// checked (queue/_decoding.ts turnIdle), and a put whose timeout is far
// below the grace ends QueueFullError before the grace.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, QueueFullError } from "../../mod.ts";
import { OFFSET } from "../../queue/_chain_memory.ts";
import { IDLE_GRACE, turnIdle } from "../../queue/_decoding.ts";
import { GRACE_END, graced } from "../../queue/_held_turn.ts";
import { queueOptions } from "../../queue/_init.ts";
import { TAIL } from "../../queue/_layout.ts";
import { LOCKED } from "../../queue/_turn.ts";
import { nowaitOf } from "../../queue/_unbounded_put.ts";

// The newest (only) segment's words up to TAIL.
function segment0(q: Queue<unknown>): Int32Array {
  const r = q.region;
  const chain = new Int32Array(r.buffer, r.byteOffset, OFFSET + 1);
  return new Int32Array(r.buffer, Atomics.load(chain, OFFSET) >>> 0, TAIL + 1);
}

describe("a timed put whose unbounded segment cannot grow", () => {
  it("turnIdle: a nowait segment try made for a timed call waits until the call's deadline at most; a plain nowait try IDLE_GRACE", () => {
    const o = queueOptions({ timeout: 10 });
    const seg = nowaitOf(o) as unknown as { [GRACE_END]: number };
    assert.equal(seg[GRACE_END], o.deadline);
    const w = graced(queueOptions({ block: false }), seg);
    const now = performance.now();
    assert.ok(turnIdle(w) <= o.deadline, "bounded by the deadline");
    assert.ok(turnIdle(queueOptions({ block: false })) >= now + IDLE_GRACE);
    const timed = queueOptions({ timeout: 10 });
    assert.equal(turnIdle(timed), timed.deadline);
  });

  for (const form of ["put", "putMany"] as const) {
    it(`Queue.${form} with timeout 10 behind a held TAIL ends QueueFullError before IDLE_GRACE`, () => {
      const q = new Queue<unknown>({ initialCapacity: 2 });
      q.putMany(["a", "b"]); // full: the next put grows
      const h = segment0(q);
      Atomics.or(h, TAIL, LOCKED); // held, as by a stopped put
      let ms = 0;
      try {
        const t0 = performance.now();
        assert.throws(
          () =>
            form === "put"
              ? q.put("c", { timeout: 10 })
              : q.putMany(["c"], { timeout: 10 }),
          QueueFullError,
        );
        ms = performance.now() - t0;
      } finally {
        Atomics.and(h, TAIL, ~LOCKED);
      }
      assert.ok(ms < IDLE_GRACE, `ended after ${ms.toFixed(0)} ms`);
      q.put("c", { timeout: 5_000 }); // grows now
      assert.deepEqual(q.getMany(), ["a", "b", "c"]);
    });
  }
});
