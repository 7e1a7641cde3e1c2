// Copyright 2026 the threadkit authors. MIT license.
// How Condition.wait (sync/condition.ts) lets go of its lock and takes it
// back: the full release of an RLock (its depth saved), the reacquire that
// Python makes unconditionally, and the end of a wait, also when the lock's
// holder died meanwhile. Every function takes the Condition's view and lock.
//
// Balance: wait() returns and throws with the lock held, as the caller held
// it before (an RLock at its old depth), so a `using _ = cond.guard()`
// around it releases a lock this thread holds. That includes the two ways a
// dead holder reaches a waiter (sync/_holder.ts): its sleep's death check
// took the lock over (it holds it already and must not acquire again: a
// Lock would deadlock on itself), or its reacquire did; both throw
// OwnerDiedError holding the lock. The one throw that leaves without the
// lock is a reacquire that fails otherwise, which an uninterruptible
// acquire does not do.
//
// The woken path: what a woken waiter runs until wait() returns, and what
// its notifier runs from its notify to the release in its own wait() that
// issues the wake (sync/_handoff.ts), runs with cold caches after a sleep,
// so Condition.wait keeps it short: its options fill the handle's own
// Sleep (sleepOptions' `into`: no allocation; a wait() inside a wait(),
// from a slice hook, gets a fresh one), the woken waiter takes its permit
// with one compareExchange (sync/_tickets.ts), and a plain Lock is retaken
// with one uninterruptible try (TRY_ACQUIRE: Lock.acquire's fast path, one
// compareExchange; a try never takes a lock over, so it throws nothing)
// before restoreSync's whole reacquire, which runs only when the try fails
// or the sleep threw. Calls from the wake to the answer's notify in a
// Condition ping-pong (bench/_pingpong.ts), counted in the source: 25
// before, 15 now.

import { MUST_ACQUIRE } from "../_core/wait.ts";
import { tookOver } from "./_holder.ts";
import type { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";
import { leave, WAITERS } from "./_tickets.ts";

/** What wait() saved when it released the lock: the RLock's depth. */
export type Saved = number;

/** A wait's throw, kept until the lock is back. */
export interface Failure {
  readonly error: unknown;
}

/**
 * Releases the lock after the waiter registered. Registration comes first
 * (while the lock is held, so a notify cannot miss us), so a release that
 * throws (a plain Lock unlocked by another thread meanwhile: misuse) takes
 * the registration back, or a phantom waiter would swallow a later permit.
 */
export function saveRegistered(view: Int32Array, lock: Lock | RLock): Saved {
  try {
    if (lock instanceof RLock) return lock.releaseAll();
    lock.release();
    return 1;
  } catch (error) {
    Atomics.sub(view, WAITERS, 1);
    throw error;
  }
}

/**
 * Takes the lock back after the sleep (which threw `failure`, if given),
 * uninterruptibly: a cancelled thread sleeps until the lock is free instead
 * of throwing, as Python restores the lock after an interrupted wait.
 * Returns what the wait must throw: an OwnerDiedError of a takeover
 * replaces the sleep's error (the lock's state is the bigger news).
 */
export function restoreSync(
  lock: Lock | RLock,
  saved: Saved,
  failure: Failure | undefined,
): Failure | undefined {
  if (failure === undefined || !tookOver(failure.error)) {
    try {
      lock.acquire(MUST_ACQUIRE);
    } catch (error) {
      if (!tookOver(error)) return { error }; // not held: nothing to restore
      failure = { error };
    }
  }
  if (lock instanceof RLock) lock.restoreCount(saved);
  return failure;
}

/** restoreSync without blocking the event loop. */
export async function restoreAsync(
  lock: Lock | RLock,
  saved: Saved,
  failure: Failure | undefined,
): Promise<Failure | undefined> {
  if (failure === undefined || !tookOver(failure.error)) {
    try {
      await lock.acquireAsync(MUST_ACQUIRE);
    } catch (error) {
      if (!tookOver(error)) return { error };
      failure = { error };
    }
  }
  if (lock instanceof RLock) lock.restoreCount(saved);
  return failure;
}

/**
 * Lock held again: ends the wait of `ticket`. A ticket not granted is
 * still counted in WAITERS: a wait that throws leaves and hands on a permit
 * that came late (as an interrupted waiter does), one that timed out leaves
 * and returns whether a permit was its after all.
 */
export function settle(
  view: Int32Array,
  ticket: number,
  granted: boolean,
  failure: Failure | undefined,
): boolean {
  if (failure !== undefined) {
    if (!granted) leave(view, ticket, true);
    throw failure.error;
  }
  return granted || leave(view, ticket, false);
}
