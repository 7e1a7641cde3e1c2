// Copyright 2026 the threadkit authors. MIT license.
// A Lock's holder (sync/lock.ts): the bits of the lock word that name it,
// the takeover from a holder that died, the internal method name a waiter
// outside the Lock calls for it (RLock, Condition), and the mark of an
// RLock's inner lock. Not exported by the package; kept here so that lock.ts
// exports nothing internal and has no import cycle with the files that use
// them (sync/_lock_at.ts, RLock, Condition).

import { OwnerDiedError } from "../_core/errors.ts";
import {
  identAlive,
  identStopped,
  NEXT_IDENT,
  runtime,
} from "../_core/runtime.ts";

/** The lock word's CONTENDED bit: someone may sleep on it (sync/lock.ts). */
export const CONTENDED = 0x40000000;
/** The lock word's ident bits: the holder's ident, 0 when free. */
export const HOLDER: number = CONTENDED - 1;
/** An RLock's owner and depth slots (sync/rlock.ts, its layout). */
export const OWNER = 1;
export const COUNT = 2;

/**
 * Lock's (and RLock's) death check of its holder, for a waiter that must
 * take the lock: takes it over from a dead holder and throws
 * OwnerDiedError, the lock held by the caller (see takeOver).
 */
export const TAKE_OVER: unique symbol = Symbol("threadkit.takeOver");

/**
 * Lock's internal check "this thread acquired the lock and still holds it"
 * (the ident bits of its word name this thread), for Condition's wake
 * hand-off (sync/_handoff.ts).
 */
export const HELD_HERE: unique symbol = Symbol("threadkit.heldHere");
// HELD_HERE reads the lock word plainly: Condition's notify and wait each
// make the check, and an Atomics call costs 10-40 ns here. Aligned
// Int32Array reads do not tear, a thread sees its own last write, and any
// acquire or release that happens-before the call (an atomic that read
// from it, a wait that its notify ended, the lock's own words included) is
// seen; a stale value is one written by an acquire or a release racing the
// call. (Sequential consistency alone orders less: in a Dekker pattern, a
// release then an Atomics.load of a flag against an Atomics.store of that
// flag then this check, the plain read may still see the ident on ARM64,
// where Atomics.load would not; reachable only by another thread's release
// of a plain Lock this thread acquired, and then the wake is only deferred,
// as below.) So the ident bits read name this thread only if it wrote
// them (its acquire or takeover: only the thread they name writes them)
// and holds the lock, or another thread's release of it races the call.

/** A revived Lock's descriptor extra: an RLock's inner, owned lock. */
export const OWNED = "threadkit.owned";

// Holder death: a waiter looks at the holder only at the end of each wait
// slice (50 ms, _core/wait.ts), never on the fast path. The holder is dead
// when it has stopped: the stop ring (_core/runtime.ts) names it, which is
// recorded only where the thread certainly runs no more JavaScript
// (thread/_worker.ts lists the sites). A thread that has merely ended
// (isAlive() false: its target ended while its event loop runs on, or its
// starter died and presumed it ended) may still be inside the lock, so it
// is never taken over. For a plain Lock the stop must also be a failure: a
// Lock's acquirer whose target returned may have meant another thread to
// release it (any thread may), so its waiters keep waiting, as in Python.
// An RLock's inner lock is "owned" (lockAt's last argument): there any stop
// of the holder is a death, since only the owner may release.
// T(dead)   -a waiter U's slice-end check (CAS T->U|C, or T|C->U|C)-> U|C,
//            and U's acquire throws OwnerDiedError holding the lock
// The waiter that sees the dead holder takes the lock over, as a robust
// pthread mutex's EOWNERDEAD does: exactly one waiter wins the CAS from the
// dead holder's word (after it the word names a live thread). A stale
// "dead" look cannot take a later holder's lock: the ident bits of the word
// are written only by the thread they name (its acquire, or its takeover)
// and cleared by a release; other threads only add the CONTENDED bit to
// the ident already there (#mark in sync/lock.ts), and idents are never
// reused, so a word whose ident bits still name the dead thread was left by
// it. The others' checks find a live holder and they keep
// waiting for it as for any holder (no crowd of errors). The taker keeps
// the CONTENDED mark, so its release wakes them. Why no lost wakeup: the
// others sleep on the dead holder's word, which the takeover changed; their
// slice ends, their next wait returns "not-equal", and they mark and sleep
// on the new word as in any acquire.
//
// Recovery model (the simple one, not pthread's consistent()): the
// OwnerDiedError is thrown to the taker while it holds the lock; it repairs
// (or discards) what the lock guards and releases, and the lock is then as
// good as new. pthread needs pthread_mutex_consistent() because EOWNERDEAD
// is a return code that a caller can ignore, and a mutex unlocked without
// it becomes unusable. Here the news is a thrown error: a taker that does
// not catch it ends with it (its target throws, a failure), so it too dies
// holding the lock and the next waiter takes it over and hears of it again,
// naming the new dead thread. Catching the error is the acknowledgement; a
// separate markConsistent() would add a state (a bit of the word, checked
// by every release) for no further protection.

// Corrupt words: every value an acquire, a release or a takeover writes is
// 0 or an issued ident, with or without CONTENDED (bit 30); bit 31 is never
// set, and CONTENDED never stands alone. Any other value was written over
// the lock (a placement over it, a stray store into a shared buffer): no
// thread will ever release it, so the waiter's death check, which runs at
// each slice end (never on the fast path), throws a RangeError instead of
// waiting for good. A word that names an issued ident looks like a held
// lock and is waited for as one (or taken over, once its thread stopped).
// Idents are this runtime block's (main thread 1): a lock shared with a
// worker that runs a runtime block of its own (a worker the program
// started itself) is outside this model already, since both number their
// threads from 1.

/**
 * Whether `ident` was ever issued to a thread of this runtime block (main
 * thread 1, then one per start, NEXT_IDENT in _core/runtime.ts). A word that
 * names a thread names an issued one unless the memory is corrupt: a thread
 * gets its ident before it can write it anywhere, and NEXT_IDENT only grows.
 * One load: for slow paths.
 */
export function identIssued(ident: number): boolean {
  return ident >= 1 && ident < Atomics.load(runtime().view, NEXT_IDENT);
}

/** The RangeError of a lock word no thread could have written. */
export function corruptLock(state: number): RangeError {
  return new RangeError(
    `Cannot acquire lock: its shared word is corrupt (0x${
      (state >>> 0).toString(16)
    } names no thread this process has started)`,
  );
}

/**
 * A waiter's death check of the lock word `view[0]`, run by the wait helper
 * at slice ends: returns while the holder lives (or when the word changed
 * hands); takes a dead holder's lock for `id` (with the CONTENDED mark),
 * runs `onAcquired` (an RLock records its owner there) and throws
 * OwnerDiedError naming the dead thread. `owned`: any end of the holder is
 * a death (an RLock's inner lock).
 */
export function takeOver(
  view: Int32Array,
  id: number,
  owned: boolean,
  onAcquired: (() => void) | undefined,
): void {
  let state = Atomics.load(view, 0);
  if (state === 0) return;
  const holder = state & HOLDER;
  // A word no acquire or takeover writes (see "Corrupt words" above).
  if (state < 0 || !identIssued(holder)) throw corruptLock(state);
  if (identAlive(holder)) return;
  const stop = identStopped(holder);
  if (stop === undefined || (!owned && stop !== "failed")) return;
  // The holder may have released the lock and then ended between the load
  // above and the liveness check: it died holding the lock only if the word
  // still names it (idents are never reused). A CAS that fails on a
  // CONTENDED mark added meanwhile is retried; a word that names another
  // thread (or none) means the lock changed hands: nothing to take over.
  // The error is made before the CAS: at the end of the stack its making
  // may overflow, and after the CAS that would leave the lock held by a
  // thread that gets a RangeError. Past the CAS only the hook runs, in a
  // try whose handler (Atomics only: a call may overflow again) puts the
  // dead holder's word back, so a later waiter takes it over.
  const error = ownerDied(
    `Lock taken over from a dead holder: thread ${holder} stopped while holding it; this thread holds the lock now (release it once the data it guards is consistent)`,
    holder,
  );
  for (;;) {
    const seen = Atomics.compareExchange(view, 0, state, id | CONTENDED);
    if (seen === state) break;
    if ((seen & HOLDER) !== holder) return;
    state = seen;
  }
  try {
    onAcquired?.();
  } catch (overflow) {
    Atomics.compareExchange(view, 0, id | CONTENDED, state);
    throw overflow;
  }
  throw error;
}

// The errors of takeovers: how a caller up the stack (RLock, Condition,
// Barrier, a queue) tells a takeover, after which it holds the lock, from
// any other throw (an AbortSignal's reason may be any value, an
// OwnerDiedError too).
const takeovers = new WeakSet<object>();

/** The OwnerDiedError of a takeover from `holder` (see tookOver). */
export function ownerDied(message: string, holder: number): OwnerDiedError {
  const error = new OwnerDiedError(message, holder);
  takeovers.add(error);
  return error;
}

/** Whether `error` was thrown by a takeover (the thrower holds the lock). */
export function tookOver(error: unknown): boolean {
  return error instanceof OwnerDiedError && takeovers.has(error);
}

/**
 * One step of a Lock's waiting acquirer (sync/lock.ts) on the lock word
 * `view[0]`, from the value it last read: takes a free lock with the
 * CONTENDED mark (returns 0: acquired), or puts the mark on a held one and
 * returns the marked value to sleep on.
 */
export function mark(view: Int32Array, state: number, id: number): number {
  for (;;) {
    if (state === 0) {
      const seen = Atomics.compareExchange(view, 0, 0, id | CONTENDED);
      if (seen === 0) return 0;
      state = seen;
    } else if (state >= CONTENDED) {
      return state;
    } else {
      const marked = state | CONTENDED;
      const seen = Atomics.compareExchange(view, 0, state, marked);
      if (seen === state) return marked;
      state = seen;
    }
  }
}
