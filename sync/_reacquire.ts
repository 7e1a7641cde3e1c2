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
// lock is waitAsync's reacquire failing otherwise, which an uninterruptible
// acquire does not do (the sync wait tries again until it holds it).
//
// At the end of the stack any call may throw a RangeError (a stack
// overflow), and wait() keeps its contract there too: it returns, or throws
// with the lock held as before and the Condition's words as before (not
// counted as a waiter, any permit it took handed on). waitHeld, the sync
// wait from its registration to its answer, makes a call only where an
// overflow changes nothing or is absorbed in its own frame: the
// registration is written out; the release (Lock.release, RLock.releaseAll)
// throws only before it changes anything, and the registration is taken
// back; the sleep's throw is kept as the wait's; the lock comes back in a
// loop whose first step is one compareExchange and whose acquire call, when
// it overflows (an acquire that throws a RangeError has not taken the lock:
// tests/sync/stack_end_acquire_test.ts), is not made again: the loop takes
// the lock itself with Atomics built-ins, as Lock's waiter does (mark the
// held word CONTENDED, sleep on it a slice at a time, take it marked), so
// at a depth where every acquire overflows and another thread holds the
// lock, the waiter sleeps until the release wakes it instead of spinning
// (tests/sync/reacquire_park_test.ts; no holder-death check there: such a
// waiter waits as Python's does); an RLock's owner and depth and the
// waiter's leave are written out. So a wait notified before
// an overflow returns true, and one stopped by an overflow in its sleep
// leaves as an interrupted waiter: a permit it took is handed on (Python's
// waiter consumes the notify and raises). waitAsync restores from a fresh
// microtask (a shallow stack): its sleep's call, if it overflows, is
// followed by an await before the restore.
//
// The woken path: what a woken waiter runs until wait() returns, and what
// its notifier runs from its notify to the release in its own wait() that
// issues the wake (sync/_handoff.ts), runs with cold caches after a sleep,
// so Condition.wait keeps it short: its options fill the handle's own
// Sleep (sleepOptions' `into`: no allocation; a wait() inside a wait(),
// from a slice hook, gets a fresh one), the woken waiter takes its permit
// with one compareExchange (sync/_tickets.ts), and a plain Lock is retaken
// (or an RLock's inner lock) with one compareExchange on its word
// before the whole reacquire, which runs only when the try fails or the
// sleep threw. The try, an RLock's owner and depth and the leave are
// written out in waitHeld, no call.

import { CAN_BLOCK } from "../_core/host.ts";
import { SLICE_MS } from "../_core/keep_alive.ts";
import { currentIdent } from "../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../_core/transfer.ts";
import { type DeferredSleep, MUST_ACQUIRE } from "../_core/wait.ts";
import { CONTENDED, COUNT, HOLDER, OWNER, tookOver } from "./_holder.ts";
import type { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";
import {
  leave,
  PERMITS,
  SEQ,
  sleepSync,
  tooMany,
  WAITERS,
} from "./_tickets.ts";

/** What wait() saved when it released the lock: the RLock's depth. */
export type Saved = number;

/** A wait's throw, kept until the lock is back. */
export interface Failure {
  readonly error: unknown;
}

// This thread's ident, read once (module state is per thread), as
// sync/lock.ts keeps it.
let ident = 0;

// waitHeld's room (see there): ROOM slots of arguments, then one Atomics
// call. Load-time Reflect.apply (a program may replace the global).
const apply = Reflect.apply;
// Packed (not holey, as new Array(64) is): the call takes the fast path.
const ROOM: readonly number[] = Array.from({ length: 64 }, () => 0);
const ROOM_WORD = new Int32Array(1);
function roomed(): number {
  return Atomics.load(ROOM_WORD, 0);
}

/**
 * Condition.wait from the registration on (the caller holds `lock` and
 * checked it; `words` are the lock's words: its lock word, and an RLock's
 * OWNER and COUNT). Returns and throws with the lock held as before; see
 * the top of the file for the stack's end.
 */
export function waitHeld(
  view: Int32Array,
  lock: Lock | RLock,
  words: Int32Array,
  s: DeferredSleep,
): boolean {
  // Before the registration: from there to the release's try, nothing but
  // Atomics (an accessor, such as a typed array's length, may overflow).
  const me = ident || (ident = currentIdent());
  const rlock = words.length === 3 ? lock as RLock : undefined;
  // Room for what follows, shown by doing before anything changes: a call
  // that pushes ROOM slots and makes an Atomics call (a RangeError here
  // refuses the wait as it was). Past it, the steps this frame makes
  // itself are Atomics calls (in unoptimized code a builtin call with its
  // stack check, which can overflow) and handlers; they need one builtin
  // frame at this depth, which the room covers with ROOM slots to spare
  // for a change of this frame's tier (a deopt makes it larger).
  apply(roomed, undefined, ROOM);
  // Registered while the lock is held, so a notify cannot miss us.
  if (Atomics.add(view, WAITERS, 1) === 0x7fffffff) {
    Atomics.sub(view, WAITERS, 1);
    throw tooMany("wait");
  }
  const ticket = Atomics.load(view, SEQ);
  let saved = 1;
  try {
    if (rlock !== undefined) saved = rlock.releaseAll();
    else lock.release();
  } catch (error) {
    // Not released (a stack overflow, or a plain Lock released by another
    // thread meanwhile: misuse): the registration is taken back, or a
    // phantom waiter would swallow a later permit.
    Atomics.sub(view, WAITERS, 1);
    throw error;
  }
  // No allocation past here (a handler that allocates may call the
  // runtime): a throw is kept as `failed` and `error`.
  let granted = false, failed = false, error: unknown;
  try {
    granted = sleepSync(view, ticket, s);
  } catch (e) {
    failed = true;
    error = e;
  }
  // The lock back, uninterruptibly (a cancelled thread waits until it is
  // free, as Python restores the lock after an interrupted wait). A lock
  // word that names this thread is ours: the sleep's death check took it
  // over (its OwnerDiedError is the failure), or an acquire below did.
  // Each look is the compareExchange that takes a free word (no load
  // first): it fails on a held word, and returns it.
  for (let parked = false;;) {
    const w = Atomics.compareExchange(
      words,
      0,
      0,
      parked ? me | CONTENDED : me,
    );
    if (w === 0 || (w & HOLDER) === me) break;
    if (!parked) {
      try {
        lock.acquire(MUST_ACQUIRE);
        break;
      } catch (e) {
        // Held after the throw: taken over, and its OwnerDiedError replaces
        // the sleep's error (the lock's state is the bigger news). Not
        // held: a stack overflow (an uninterruptible acquire throws nothing
        // else). At this depth the call would overflow again: the lock is
        // taken from here on in this loop, Atomics only (see below).
        if ((Atomics.load(words, 0) & HOLDER) === me) {
          failed = true;
          error = e;
          break;
        }
        parked = true;
      }
      continue;
    }
    // Parked: Lock's waiter (sync/lock.ts), written out. Mark the held word
    // CONTENDED and sleep on it for a slice; take a free word marked (the
    // acquire that overflowed may have slept on the word and been woken, and
    // other sleepers may remain, as for any woken waiter). Why no lost
    // wakeup: this thread sleeps only while the word holds the mark it saw
    // or put there, so the holder's release (exchange 0) either comes first
    // (the wait returns "not-equal") or sees the mark and notifies; a wake
    // that went to another sleeper is passed on at that one's release (it
    // takes the lock marked). The slice is every wait's bound. No
    // holder-death check here (it is a call): such a waiter waits as
    // Python's does. A thread that may not block (a browser page's main
    // thread) looks again at once, as before.
    const marked = w | CONTENDED;
    if (
      CAN_BLOCK &&
      (w === marked || Atomics.compareExchange(words, 0, w, marked) === w)
    ) {
      try {
        Atomics.wait(words, 0, marked, SLICE_MS);
      } catch {
        // an overflow at the call: look again
      }
    }
  }
  if (rlock !== undefined) {
    words[OWNER] = me;
    words[COUNT] = saved;
  }
  if (granted) {
    if (failed) throw error;
    return true;
  }
  // Not granted: leave (sync/_tickets.ts leave, written out: no call). Take
  // a permit we may take, or uncount ourselves from WAITERS.
  let took = false;
  for (;;) {
    if (Atomics.load(view, SEQ) !== ticket) {
      let p = 1, seen = Atomics.compareExchange(view, PERMITS, 1, 0);
      while (seen !== p && seen > 0) {
        p = seen;
        seen = Atomics.compareExchange(view, PERMITS, p, p - 1);
      }
      if (seen === p) {
        took = true;
        break;
      }
    }
    const w = Atomics.load(view, WAITERS);
    if (w > 0 && Atomics.compareExchange(view, WAITERS, w, w - 1) === w) {
      break;
    }
  }
  if (!failed) return took;
  if (took) {
    // An interrupted waiter cannot use the permit: handed on (grant 1,
    // written out). Why no lost wakeup: as in grant.
    for (let w = Atomics.load(view, WAITERS); w > 0;) {
      const seen = Atomics.compareExchange(view, WAITERS, w, w - 1);
      if (seen === w) {
        Atomics.add(view, PERMITS, 1);
        Atomics.add(view, SEQ, 1);
        Atomics.notify(view, SEQ, 1);
        break;
      }
      w = seen;
    }
  }
  throw error;
}

/** A lock's words, where its descriptor places them (its lock word first). */
export function lockWords(lock: Lock | RLock): Int32Array {
  const d = lock[TO_DESCRIPTOR]();
  return new Int32Array(d.buffer, d.byteOffset, lock instanceof RLock ? 3 : 1);
}

/**
 * Releases the lock after the waiter registered (waitAsync), saving an
 * RLock's depth. Throws only before it changes anything: the caller takes
 * the registration back.
 */
export function saveRegistered(lock: Lock | RLock): Saved {
  if (lock instanceof RLock) return lock.releaseAll();
  lock.release();
  return 1;
}

/**
 * Takes the lock back after waitAsync's sleep (which threw `failure`, if
 * given), uninterruptibly, and puts an RLock's depth back. Returns what the
 * wait must throw: an OwnerDiedError of a takeover replaces the sleep's
 * error (the lock's state is the bigger news).
 */
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
