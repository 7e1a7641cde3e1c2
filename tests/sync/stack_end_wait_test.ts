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
import { Condition, Lock, RLock, Thread } from "../../mod.ts";
import { HOLDER } from "../../sync/_holder.ts";
import { currentIdent } from "../../_core/runtime.ts";
import { sweep } from "../queue/_stack_end.ts";
import { until } from "../_helpers.ts";

// Condition words (sync/_tickets.ts): SEQ, WAITERS, PERMITS.
const WAITERS = 1, PERMITS = 2;
// RLock words (sync/rlock.ts): the inner lock's word, OWNER, COUNT.
const OWNER = 1, COUNT = 2;

interface Subject {
  kind: "Lock" | "RLock";
  depth: number; // levels held around the wait (an RLock: 1 or 3)
  lock: Lock | RLock;
  cond: Condition;
  lw: Int32Array; // the lock's words
  cw: Int32Array; // the condition's words
}

function subject(kind: "Lock" | "RLock", depth: number): Subject {
  const buffer = new SharedArrayBuffer(64);
  const lock = kind === "Lock"
    ? new Lock({ buffer, byteOffset: 0 })
    : new RLock({ buffer, byteOffset: 0 });
  const cond = new Condition(lock, { buffer, byteOffset: 32 });
  return {
    kind,
    depth,
    lock,
    cond,
    lw: new Int32Array(buffer, 0, 3),
    cw: new Int32Array(buffer, 32, 3),
  };
}

/**
 * Whether the state is the one before the wait: the lock held by this
 * thread (an RLock owned at its depth), no waiter counted, no permit
 * pending. Element reads and Atomics built-ins only: it runs where a call
 * may overflow.
 */
function intact(s: Subject, me: number): boolean {
  if ((Atomics.load(s.lw, 0) & HOLDER) !== me) return false;
  if (s.kind === "RLock" && (s.lw[OWNER] !== me || s.lw[COUNT] !== s.depth)) {
    return false;
  }
  return Atomics.load(s.cw, WAITERS) === 0 && Atomics.load(s.cw, PERMITS) === 0;
}

// Puts the state back by hand (no call): held by this thread at its depth.
function repair(s: Subject, me: number): void {
  Atomics.store(s.lw, 0, me);
  if (s.kind === "RLock") {
    s.lw[OWNER] = me;
    s.lw[COUNT] = s.depth;
  }
  Atomics.store(s.cw, WAITERS, 0);
  Atomics.store(s.cw, PERMITS, 0);
}

function hold(s: Subject): void {
  for (let i = 0; i < s.depth; i++) s.lock.acquire();
}

function letGo(s: Subject): void {
  for (let i = 0; i < s.depth; i++) s.lock.release();
  assert.equal(s.lock.locked(), false);
}

/**
 * Sweeps `wait` over the stack's end, the lock held. Returns the attempts,
 * those that left the state changed (counted, then repaired; with `shared`,
 * where another thread uses the lock, not repaired: the sweep ends there),
 * what the attempt that fit returned, and errors other than RangeError.
 */
function sweepWait(
  s: Subject,
  wait: () => unknown,
  isAsync = false,
  shared = false,
): { tries: number; left: number; result: unknown; other: unknown[] } {
  const me = currentIdent();
  let left = 0, result: unknown;
  const other: unknown[] = [];
  const tries = sweep(() => {
    if (left > 0) return;
    if (!intact(s, me)) {
      left++;
      if (shared) return;
      repair(s, me);
    }
    try {
      result = wait();
    } catch (e) {
      if (!(e instanceof RangeError)) other[other.length] = e;
      throw e;
    }
  });
  // An async wait that returned is still pending: the caller checks it.
  if (left === 0 && !isAsync && !intact(s, me)) left++;
  return { tries, left, result, other };
}

const SUBJECTS: [string, "Lock" | "RLock", number][] = [
  ["Lock", "Lock", 1],
  ["RLock", "RLock", 1],
  ["RLock held 3 deep", "RLock", 3],
];

type Form = [string, (c: Condition) => unknown, boolean];
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
    (c) => c.waitAsync({ signal: AbortSignal.timeout(1) }),
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
          const r = sweepWait(s, () => wait(s.cond), isAsync);
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
