// Copyright 2026 the threadkit authors. MIT license.
// An unbounded queue's grow near the end of the stack. The grow closes the
// full segment (CLOSED in its TAIL) and then retires it (its shutdown); a
// shutdown that throws there (a stack overflow at any of its steps) opens
// the segment again (queue/_grow_wait.ts retireClosed): both CLOSED and
// SHUTDOWN, so the newest segment is never left refusing gets as shut down
// while the queue is open. And a sweep of real grows: every item put comes
// out once, in order.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, QueueEmptyError } from "../../mod.ts";
import { OPEN, SHUTDOWN, TAIL } from "../../queue/_layout.ts";
import { CLOSED } from "../../queue/_turn.ts";
import { retireClosed, tailWords } from "../../queue/_grow_wait.ts";
import { sweep } from "./_stack_end.ts";

describe("unbounded grows at the end of the stack", () => {
  it("retireClosed: a segment whose retirement overflows the stack at any step is open again (SHUTDOWN and CLOSED), and takes and gives items", () => {
    // One fresh segment-like queue per depth, made at a shallow depth.
    const qs = Array.from(
      { length: 4000 },
      () => new Queue<number>({ capacity: 4 }),
    );
    for (const q of qs.slice(0, 3)) { // warm: lazy loads at a shallow depth
      const h = tailWords(q.region);
      Atomics.or(h, TAIL, CLOSED);
      retireClosed(h, () => q.shutdown());
    }
    let i = 3;
    const failed: Queue<number>[] = [];
    sweep(() => {
      const q = qs[i++];
      const h = tailWords(q.region);
      Atomics.or(h, TAIL, CLOSED); // as closeOrDrop
      try {
        retireClosed(h, () => q.shutdown());
      } catch (error) {
        failed[failed.length] = q; // no call here: the stack is at its end
        throw error;
      }
    });
    assert.ok(i < qs.length, "the sweep ran out of queues");
    // (Where no overflow lands inside the retirement on this runtime, as on
    // Bun, whose frames differ, `failed` is empty: the test below injects
    // one.)
    const shut: number[] = [];
    for (let k = 0; k < failed.length; k++) {
      const h = tailWords(failed[k].region);
      if (
        Atomics.load(h, SHUTDOWN) !== OPEN ||
        (Atomics.load(h, TAIL) & CLOSED) !== 0 || failed[k].isShutdown
      ) shut.push(k);
    }
    assert.deepEqual(shut, [], `${shut.length} of ${failed.length} left shut`);
    for (const q of failed) {
      q.put(7);
      assert.equal(q.getNowait(), 7);
      assert.throws(() => q.getNowait(), QueueEmptyError);
    }
  });

  it("retireClosed: a retirement that throws after its shutdown published SHUTDOWN (an overflow in its wakes) leaves the segment open", () => {
    const q = new Queue<number>({ capacity: 4 });
    const h = tailWords(q.region);
    Atomics.or(h, TAIL, CLOSED); // as closeOrDrop
    const overflow = new RangeError("Maximum call stack size exceeded");
    assert.throws(
      () =>
        retireClosed(h, () => {
          q.shutdown(); // SHUTDOWN published, then the throw
          throw overflow;
        }),
      (e) => e === overflow,
    );
    assert.equal(Atomics.load(h, SHUTDOWN), OPEN);
    assert.equal(Atomics.load(h, TAIL) & CLOSED, 0);
    assert.equal(q.isShutdown, false);
    q.put(7);
    assert.equal(q.getNowait(), 7);
    assert.throws(() => q.getNowait(), QueueEmptyError);
    assert.throws(() => q.get({ timeout: 20 }), QueueEmptyError);
  });

  for (const form of ["put", "putMany"] as const) {
    it(`Queue.${form} that grows, at every depth: the newest segment open, every item out once, in order`, () => {
      const q = new Queue<unknown>({ initialCapacity: 1 });
      q.put({ i: -1 }); // warm: lazy loads done at a shallow depth
      assert.deepEqual(q.get(), { i: -1 });
      q.put({ i: 0 }); // full: the next put grows
      let next = 1;
      for (let round = 0; round < 4; round++) {
        sweep(() => {
          if (form === "put") q.put({ i: next });
          else q.putMany([{ i: next }]);
          next++; // reached only when the item was put
        });
      }
      assert.equal(q.isShutdown, false);
      for (let i = 0; i < next; i++) assert.deepEqual(q.getNowait(), { i });
      assert.throws(() => q.getNowait(), QueueEmptyError);
      assert.throws(() => q.get({ timeout: 20 }), QueueEmptyError);
      q.put({ i: next });
      assert.deepEqual(q.getNowait(), { i: next });
    });
  }
});
