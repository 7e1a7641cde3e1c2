// Copyright 2026 the threadkit authors. MIT license.
// Condition waits made at every depth near the end of the stack, over a
// Lock and over an RLock held one and three deep: each attempt returns
// with the lock held as before, or throws a RangeError with the lock held
// as before and the condition's words as before (no waiter left counted, no
// permit left untaken). Python's contract: wait() reacquires before it
// returns or raises. Before, an overflow in the release, the reacquire or
// the depth's restore left an RLock's inner lock taken with no owner (no
// release could free it), the lock released (a guard around the wait then
// released what this thread did not hold), the depth at 1, or the waiter
// counted after it left (a phantom that swallows a later notify).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Condition } from "../../mod.ts";
import { currentIdent } from "../../_core/runtime.ts";
import {
  hold,
  intact,
  letGo,
  repair,
  subject,
  SUBJECTS,
  sweepWait,
} from "./_stack_end_wait.ts";

// A form gets the condition and an AbortSignal made once per sweep, before
// it (not at the stack's end).
type Form = [string, (c: Condition, signal: AbortSignal) => unknown, boolean];
const FORMS: Form[] = [
  ["wait({ timeout: 0 })", (c) => c.wait({ timeout: 0 }), false],
  [
    "waitFor(() => false, { timeout: 1 })",
    (c) => c.waitFor(() => false, { timeout: 1 }),
    false,
  ],
  ["waitAsync({ timeout: 0 })", (c) => c.waitAsync({ timeout: 0 }), true],
  ["waitAsync({ timeout: 1 })", (c) => c.waitAsync({ timeout: 1 }), true],
  [
    "waitForAsync(() => false, { timeout: 1 })",
    (c) => c.waitForAsync(() => false, { timeout: 1 }),
    true,
  ],
  [
    "waitAsync({ signal }) aborted while it waits",
    (c, signal) => c.waitAsync({ signal }),
    true,
  ],
];

describe("Condition waits at the end of the stack", () => {
  for (const [label, kind, depth] of SUBJECTS) {
    for (const [name, wait, isAsync] of FORMS) {
      it(`Condition(${label}).${name}: returns or throws with the lock held as before`, async () => {
        const s = subject(kind, depth);
        const me = currentIdent();
        hold(s);
        let tries = 0, left = 0;
        const other: unknown[] = [];
        for (let round = 0; round < 20; round++) {
          const signal = AbortSignal.timeout(1);
          const r = sweepWait(s, () => wait(s.cond, signal), isAsync);
          tries += r.tries;
          left += r.left;
          other.push(...r.other);
          if (isAsync) {
            try {
              await r.result;
            } catch (e) {
              if (!(e instanceof RangeError) && !(e instanceof DOMException)) {
                other.push(e);
              }
            }
            if (!intact(s, me)) {
              left++;
              repair(s, me);
            }
          }
        }
        assert.deepEqual(other.map(String), []);
        assert.ok(tries > 20, `tries ${tries}`);
        assert.equal(left, 0, `${left} attempts left the state changed`);
        letGo(s);
      });
    }
  }
});
