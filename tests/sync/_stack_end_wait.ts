// Copyright 2026 the threadkit authors. MIT license.
// Condition waits swept over the end of the stack (tests/sync/stack_end_wait*).
import assert from "node:assert/strict";
import { Condition, Lock, RLock } from "../../mod.ts";
import { HOLDER } from "../../sync/_holder.ts";
import { currentIdent } from "../../_core/runtime.ts";
import { sweep } from "../queue/_stack_end.ts";

// Condition words (sync/_tickets.ts): SEQ, WAITERS, PERMITS.
const WAITERS = 1, PERMITS = 2;
// RLock words (sync/rlock.ts): the inner lock's word, OWNER, COUNT.
export const OWNER = 1;
const COUNT = 2;

export interface Subject {
  kind: "Lock" | "RLock";
  depth: number; // levels held around the wait (an RLock: 1 or 3)
  lock: Lock | RLock;
  cond: Condition;
  lw: Int32Array; // the lock's words
  cw: Int32Array; // the condition's words
}

export function subject(kind: "Lock" | "RLock", depth: number): Subject {
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
export function intact(s: Subject, me: number): boolean {
  if ((Atomics.load(s.lw, 0) & HOLDER) !== me) return false;
  if (s.kind === "RLock" && (s.lw[OWNER] !== me || s.lw[COUNT] !== s.depth)) {
    return false;
  }
  return Atomics.load(s.cw, WAITERS) === 0 && Atomics.load(s.cw, PERMITS) === 0;
}

// Puts the state back by hand (no call): held by this thread at its depth.
export function repair(s: Subject, me: number): void {
  Atomics.store(s.lw, 0, me);
  if (s.kind === "RLock") {
    s.lw[OWNER] = me;
    s.lw[COUNT] = s.depth;
  }
  Atomics.store(s.cw, WAITERS, 0);
  Atomics.store(s.cw, PERMITS, 0);
}

export function hold(s: Subject): void {
  for (let i = 0; i < s.depth; i++) s.lock.acquire();
}

// Releases the lock `depth` times; then this thread no longer holds it
// (another thread may have taken it at once: not `locked()`).
export function letGo(s: Subject): void {
  for (let i = 0; i < s.depth; i++) s.lock.release();
  assert.notEqual(Atomics.load(s.lw, 0) & HOLDER, currentIdent(), "held here");
}

/**
 * Sweeps `wait` over the stack's end, the lock held. Returns the attempts,
 * those that left the state changed (counted, then repaired; with `shared`,
 * where another thread uses the lock, not repaired: the sweep ends there),
 * what the attempt that fit returned, and errors other than RangeError.
 */
export function sweepWait(
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

export const SUBJECTS: [string, "Lock" | "RLock", number][] = [
  ["Lock", "Lock", 1],
  ["RLock", "RLock", 1],
  ["RLock held 3 deep", "RLock", 3],
];
