// Copyright 2026 the threadkit authors. MIT license.
// Every put and get form of every queue kind, swept over the end of the
// stack (a real RangeError at whichever step of the call meets it:
// tests/queue/_turn_sweep.ts), leaves no turn held by its own thread: TAIL's
// or HEAD's lock bit, the store Lock (queue/_turn.ts "Given back"). Then the
// queue works from the same thread (a put and a get now; every item
// accepted out once, a call that threw took or put nothing) and from
// another thread (it takes what this one put and puts back, timed).
// Before, an int32 Queue's put, putNowait and putMany that overflowed under
// TAIL's turn left it held: the next put waited for good and putNowait
// threw QueueFullError ("holding its turn after it stopped").
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Thread } from "../../mod.ts";
import { FORMS, KINDS, sweepCase, type Swept } from "./_turn_sweep.ts";

const JOIN = { timeout: 60_000 };

// The other thread: takes `n` items (timed), then puts 11, 12, 13 (timed);
// returns what it took.
function takeAndPut(q: Swept, n: number): number[] {
  const got: number[] = [];
  for (let i = 0; i < n; i++) got.push(q.get({ timeout: 30_000 }));
  for (const v of [11, 12, 13]) q.put(v, { timeout: 30_000 });
  return got;
}

describe("queue calls at the end of the stack leave no turn held", () => {
  for (const [kind] of KINDS) {
    for (const form of FORMS) {
      it(`${kind}.${form} swept: no turn held, items exact, the queue works from this thread and another`, async () => {
        const [found, q] = sweepCase(kind, form);
        console.log(JSON.stringify(found));
        assert.deepEqual(found.faults, [], `after ${found.tries} tries`);
        // Skipped forms (a kind without putMany) make no attempt at all.
        if (
          (form === "putMany" && q.putMany === undefined) ||
          (form === "getMany" && q.getMany === undefined)
        ) return;
        assert.ok(found.threw > 0, "some attempts overflowed");
        assert.equal(found.accepted, 1, "the last attempt returned");
        assert.equal(q.qsize(), 0);
        for (const v of [1, 2, 3]) q.put(v, { timeout: 5_000 });
        const t = new Thread({ target: takeAndPut, args: [q, 3] });
        t.start();
        const took = await t.joinAsync(JOIN) as number[];
        assert.deepEqual([...took].sort(), [1, 2, 3]);
        const back = [1, 2, 3].map(() => q.get({ timeout: 5_000 }));
        assert.deepEqual(back.sort(), [11, 12, 13]);
        assert.equal(q.qsize(), 0);
      });
    }
  }
});
