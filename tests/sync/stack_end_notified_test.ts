// Copyright 2026 the threadkit authors. MIT license.
// Condition.wait at every depth near the end of the stack while another
// thread notifies (or notifies all) in a loop, over a Lock and an RLock
// (one and three deep): every attempt returns true, or throws a RangeError
// with the lock held as before, no waiter counted and no permit untaken (a
// permit taken by a waiter that then overflowed is handed on). Before, the
// first overflow after the release left the lock released or an RLock's
// inner lock taken with no owner (failed in the first round, every run).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Condition, Thread } from "../../mod.ts";
import { until } from "../_helpers.ts";
import {
  hold,
  letGo,
  OWNER,
  subject,
  SUBJECTS,
  sweepWait,
} from "./_stack_end_wait.ts";

describe("Condition waits at the end of the stack, notified", () => {
  for (const [label, kind, depth] of SUBJECTS) {
    for (const all of [false, true]) {
      it(`Condition(${label}).wait() against a thread that ${all ? "notifyAll" : "notify"}s in a loop: every attempt returns true or throws with the lock held as before`, async () => {
        const s = subject(kind, depth);
        const ctl = new Int32Array(new SharedArrayBuffer(8)); // [stop, turns]
        const notifier = new Thread({
          target: (cond: Condition, ctl: Int32Array, all: boolean) => {
            while (Atomics.load(ctl, 0) === 0) {
              if (!cond.acquire({ timeout: 10_000 })) throw new Error("stuck");
              if (all) cond.notifyAll();
              else cond.notify();
              cond.release();
              Atomics.add(ctl, 1, 1);
            }
          },
          args: [s.cond, ctl, all],
        });
        notifier.start();
        let tries = 0, left = 0, woken = 0;
        const other: unknown[] = [];
        try {
          await until(() => Atomics.load(ctl, 1) > 0, "the notifier's turns");
          hold(s);
          for (let round = 0; round < 20 && left === 0; round++) {
            const r = sweepWait(
              s,
              () => s.cond.wait({ timeout: 10_000 }),
              false,
              true,
            );
            tries += r.tries;
            left += r.left;
            other.push(...r.other);
            if (r.result === true) woken++;
          }
          if (left === 0) letGo(s);
        } finally {
          Atomics.store(ctl, 0, 1);
          if (left !== 0) {
            // The state a faulty wait left: freed by hand, so the notifier
            // ends and the assertions below report.
            Atomics.store(s.lw, 0, 0);
            Atomics.store(s.lw, OWNER, 0);
            Atomics.notify(s.lw, 0);
          }
          await notifier.joinAsync({ timeout: 30_000 });
        }
        assert.deepEqual(other.map(String), []);
        assert.ok(tries > 20, `tries ${tries}`);
        assert.equal(left, 0, `${left} attempts left the state changed`);
        assert.equal(woken, 20, `woken ${woken}`);
        assert.equal(notifier.isAlive(), false);
      });
    }
  }
});
