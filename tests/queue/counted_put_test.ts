// Copyright 2026 the threadkit authors. MIT license.
// Putters' counted wakes (queue/_state.ts, "Counted wakes"): PUT_WAITERS
// counts the putters registered that no wake has reached; a get's wake
// takes the putters its notify woke off the count, so gets after it do not
// notify putters that are awake but not yet run. The tests read the header
// word (slot 4, queue/_layout.ts) and count the main thread's notifies of
// NOT_FULL (slot 65) with Atomics.notify wrapped, restored in a finally.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, Queue } from "../../mod.ts";
import { until } from "../_helpers.ts";
import { notifiesOf, othersOff, startFlaggedPutters } from "./_flagged.ts";

const PUT_WAITERS = 4;
const NOT_FULL = 65;
const JOIN = { timeout: 60_000 };
// Most rounds of a test (see there).
const ROUNDS = 5;

type Q = Queue<number> | LifoQueue<number>;

function header(q: Q): Int32Array {
  return new Int32Array(q.region.buffer, q.region.byteOffset, 96);
}

// [name, make, wakes all putters at once]
const KINDS: [string, () => Q, boolean][] = [
  [
    "Queue int32 (numeric ring)",
    () => new Queue<number>({ capacity: 4, type: "int32" }),
    false,
  ],
  [
    "LifoQueue int32 (locked store)",
    () => new LifoQueue<number>({ capacity: 4, type: "int32" }),
    false,
  ],
  ["Queue (structured ring)", () => new Queue<number>({ capacity: 4 }), true],
  [
    "LifoQueue (byte store)",
    () => new LifoQueue<number>({ capacity: 4 }),
    true,
  ],
];

describe("Counted wakes of putters", () => {
  for (const [name, make, all] of KINDS) {
    it(`${name}: C putters asleep on a full queue; the gets wake each once and take the woken off PUT_WAITERS`, async () => {
      const C = 4;
      // Rounds whose first get's notify woke a putter: the first get can
      // show its effect on PUT_WAITERS only there. A raised flag is a
      // putter about to sleep, not asleep yet (tests/queue/_flagged.ts), so
      // a round may find none asleep; it is then done again (each round's
      // other checks hold under any schedule).
      let measured = 0;
      for (let round = 0; round < ROUNDS && measured === 0; round++) {
        const q = make();
        for (let i = 0; i < C; i++) q.put(i); // full
        const h = header(q);
        const { threads, flags, ends } = startFlaggedPutters(
          q,
          C,
          NOT_FULL,
          C,
        );
        try {
          await until(
            () => {
              if (Atomics.load(h, PUT_WAITERS) !== C) return false;
              for (let i = 0; i < C; i++) {
                if (Atomics.load(flags, 2 * i) !== 1) return false;
              }
              return true;
            },
            `${C} putters asleep`,
            60_000,
          );
          let first = -1;
          let firstWoke = 0;
          const got: number[] = [];
          const seen = notifiesOf(NOT_FULL, () => {
            const one = notifiesOf(
              NOT_FULL,
              () => got.push(q.get({ timeout: 30_000 })),
            );
            first = Atomics.load(h, PUT_WAITERS);
            firstWoke = one.woke;
            for (let i = 1; i < 2 * C; i++) {
              got.push(q.get({ timeout: 30_000 }));
            }
          });
          await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
          // Every item exactly once.
          assert.deepEqual(
            got.sort((a, b) => a - b),
            Array.from({ length: 2 * C }, (_, i) => i),
          );
          // The other ways off PUT_WAITERS than this thread's wakes.
          const others = othersOff(ends, C, seen.woke);
          const state = JSON.stringify({ first, firstWoke, others, seen });
          if (firstWoke >= 1) {
            measured++;
            // The first get's notify took the putters it woke off the count
            // before it returned (before: they stayed counted until they
            // ran).
            if (all) {
              // All woken; those that found the queue full again
              // registered anew, and one of them put its item.
              assert.ok(first < C, state);
            }
          }
          if (!all) {
            // Less those that took themselves off: a putter whose look
            // found the room between the get's publish and its notify.
            assert.ok(
              first <= C - firstWoke && first >= C - firstWoke - others,
              state,
            );
            // One wake a putter, none for putters awake but not yet run.
            assert.ok(seen.calls <= C, state);
            // A putter whose slice-end look saw room first is not woken.
            assert.ok(seen.woke <= C, state);
          }
          assert.equal(Atomics.load(h, PUT_WAITERS), 0);
        } finally {
          for (let i = 0; i < 2 * C; i++) {
            try {
              q.getNowait(); // frees the putters of a failed run
            } catch { /* empty */ }
          }
          await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
        }
      }
      assert.equal(
        measured,
        1,
        `no putter asleep at the first get in ${ROUNDS} rounds`,
      );
    });
  }
});
