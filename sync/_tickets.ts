// Copyright 2026 the threadkit authors. MIT license.
// The ticket mechanics of Condition (sync/condition.ts): registering a
// waiter, granting permits on notify, taking one, sleeping and leaving. Kept
// apart from the public class so the argument for "at most n, and no lost
// wakeup" sits next to the only code it is about. Every function takes the
// Condition's view; callers hold the lock where a note says so.

import {
  type DeferredSleep,
  sleepAsync as sleepWordAsync,
  sleepOptions,
  sleepOptionsAsync,
  type SleepSlot,
  sleepSync as sleepWord,
  type WaitOptions,
} from "../_core/wait.ts";
import type { TAKE_OVER } from "./_holder.ts";
import { RuntimeError } from "../_core/errors.ts";
import { deferWake } from "./_handoff.ts";

// Condition shared layout: Int32Array on a SharedArrayBuffer, 3 slots (12 B).
// The lock has its own region; the Condition's descriptor names it.
// | slot | name    | values                                  | written by                          |
// |------|---------|-----------------------------------------|-------------------------------------|
// | 0    | SEQ     | grant sequence, +1 per granting notify  | notify (lock held)                  |
// | 1    | WAITERS | waiters registered and not yet granted  | +1 wait (lock held); -k notify; -1 a waiter leaving ungranted |
// | 2    | PERMITS | wakeups granted and not yet taken       | +k notify; -1 the waiter taking one |
export const SEQ = 0;
export const WAITERS = 1;
export const PERMITS = 2;
/** Words a Condition occupies. */
export const SLOTS = 3;

// A waiter's life (its "ticket" is the SEQ it read when it registered):
// holds lock -wait->                  WAITERS+1, ticket = SEQ, lock released
// sleeping   -notify(n) by another->  notify moves k = min(n, WAITERS) from
//                                     WAITERS to PERMITS, SEQ+1, wakes k (a
//                                     notifier that acquired the lock wakes
//                                     them at its release: sync/_handoff.ts)
// sleeping   -SEQ != ticket and PERMITS > 0-> takes one (CAS PERMITS-1),
//                                     reacquires the lock, returns true
// sleeping   -timeout->               takes a permit if it may (notify won the
//                                     race: returns true), else WAITERS-1 and
//                                     returns false; reacquires the lock first
// sleeping   -abort/cancel->          as timeout, but a permit it took is
//                                     handed on (grant 1), then it throws
// sleeping   -the lock's holder died (slice-end check)-> takes the lock
//                                     over (sync/_holder.ts), leaves as an
//                                     interrupted waiter, throws
//                                     OwnerDiedError holding the lock
//                                     (sync/_reacquire.ts)
//
// Why notify(n) wakes at most n: a waiter may take a permit only once SEQ
// moved past its ticket, i.e. only permits granted by a notify that saw it
// registered (registration and notify both hold the lock, so "registered
// before" is well defined). notify grants k <= WAITERS permits, so every
// granted permit has a waiter present when it was granted, and exactly k
// waiters return from wait() per notify (a waiter that wakes and finds no
// permit sleeps again: a spurious wake inside wait() that the caller never
// sees). One exception to "only waiters the notify saw": an interrupted
// waiter that had taken a permit hands it on (leave grants 1), and a waiter
// registered since may take it; Python would lose that notification instead.
// A second exception, with a holder's death: notify(1) can end two wait()
// calls. A sleeping waiter that takes the lock over from a dead holder
// leaves as an interrupted waiter (a permit it took is handed on) and
// throws OwnerDiedError, notified or not; a notified waiter whose
// reacquire takes the lock over keeps its permit (it was notified). So
// while a holder's death is being seen, a notify(1) may end the notified
// wait() and also a sleeping one that took the lock over (with
// OwnerDiedError): n notified plus at most one taker per death, since one
// CAS decides the takeover (sync/_holder.ts).
//
// Why no lost wakeup: a waiter reads SEQ, then looks at PERMITS, then sleeps
// only while SEQ still equals what it read (while SEQ equals its ticket
// there is nothing to look at: no permit is its yet); notify
// adds to PERMITS before it bumps SEQ and notifies SEQ. So a waiter either
// sees the permit, or its sleep returns "not-equal", or the notify wakes it. A notify deferred to
// the notifier's release (the hand-off, sync/_handoff.ts) has bumped SEQ
// already: a sleeper it has not woken yet finds SEQ changed at its next
// slice end at the latest (_core/wait.ts), so a deferral delays a wake
// (until the lock is free, or one slice when another thread releases it)
// and never loses one. Permits never exceed
// the eligible waiters still to take one: each grant adds k <= WAITERS
// permits and wakes k sleepers; every sleeper on SEQ at grant time is
// eligible (registration and grant both hold the lock); a woken waiter that
// finds no permit means an eligible waiter not yet asleep took it, and it
// sleeps again on the new SEQ; an interrupted waiter hands its permit on. So
// no permit is left without a taker.
//
// Fairness: the k woken waiters are any k of those registered before the
// notify (Python's are the k oldest: FIFO). Reacquiring the lock afterwards
// competes like any acquire (barging allowed).

// Lock held: count ourselves in and take the ticket.
export function register(view: Int32Array, what: string): number {
  if (Atomics.add(view, WAITERS, 1) === 0x7fffffff) {
    Atomics.sub(view, WAITERS, 1);
    throw tooMany(what);
  }
  return Atomics.load(view, SEQ);
}

/** The error of a registration past 2^31 - 1 waiters. */
export function tooMany(what: string): RuntimeError {
  return new RuntimeError(`Cannot ${what}: too many waiters`);
}

// Moves up to n waiters from WAITERS to PERMITS and wakes them, at once or,
// with `handOff`, at this thread's next Lock release (sync/_handoff.ts; the
// caller acquired the lock and holds it). Callers hold the lock (or hand on
// a permit, see leave).
export function grant(view: Int32Array, n: number, handOff = false): void {
  // WAITERS read plainly, as the compareExchange's guess only: whatever it
  // reads, the compareExchange decides, and a stale guess fails it and
  // returns the count itself. A stale value comes from a notifier that does
  // not hold a plain Lock (any thread may release one, so the registrations
  // made under it need not be seen) or from waitHeld's rollback after a
  // failed release; a holder that acquired the lock sees every registration
  // made under it. A count of 0 is read again with Atomics before the grant
  // gives up, so it wakes what the old Atomics.load path woke. One atomic
  // less on a notify.
  let waiters = view[WAITERS] || Atomics.load(view, WAITERS);
  let k: number;
  for (;;) {
    k = n < waiters ? n : waiters;
    if (k === 0) return;
    const seen = Atomics.compareExchange(view, WAITERS, waiters, waiters - k);
    if (seen === waiters) break;
    waiters = seen; // the guess was stale, or the count moved: recount
  }
  // Why no lost wakeup: PERMITS before SEQ, SEQ before the notify; see the
  // note at the top of the file. A notifier that stops here (_core/wait.ts,
  // "A waker that stops": a termination lands at a call or a loop's back
  // edge, a stack overflow at a call) stops before the PERMITS add or after
  // the SEQ add: no call comes between the two (Atomics builtins), so the
  // sleepers see SEQ changed at their next slice end, or no permit was
  // granted. A notifier holds the lock; if it stops holding it, the
  // sleepers' death check takes the lock over (sync/_holder.ts).
  Atomics.add(view, PERMITS, k);
  Atomics.add(view, SEQ, 1);
  if (handOff) {
    try {
      deferWake(view, SEQ, k);
    } catch {
      // A stack overflow at the call: the grant is made, so the notify
      // completes, waking them now instead of at the release.
      Atomics.notify(view, SEQ, k);
    }
  } else Atomics.notify(view, SEQ, k);
}

// A permit may be taken only after SEQ moved past the ticket. `seq` is a
// value of SEQ the caller has just read (one load less on a waiter's path).
export function take(
  view: Int32Array,
  ticket: number,
  seq: number = Atomics.load(view, SEQ),
): boolean {
  return seq !== ticket && takePermit(view);
}

// Takes one permit if there is one. The compareExchange guesses 1 (one
// waiter notified and not yet taken: the common case) and its result is the
// count itself when the guess is wrong, so a take costs one atomic where a
// load and a compareExchange were.
function takePermit(view: Int32Array): boolean {
  for (let p = 1;;) {
    const seen = Atomics.compareExchange(view, PERMITS, p, p - 1);
    if (seen === p) return true;
    if (seen <= 0) return false;
    p = seen;
  }
}

/** A lock that a waiter can take over from a dead holder (Lock, RLock). */
export interface Holder {
  [TAKE_OVER](): void;
}

// `s` is marked deferredWakes (Condition builds it with ticketSleep): a grant's wake may be deferred to the notifier's next Lock
// release and never issued (sync/_handoff.ts), so these sleeps must re-read
// SEQ at timed slice ends, and a Sleep without the mark could be given a
// long, untimed async slice (_core/keep_alive.ts, "Long slices") that sleeps
// through such a grant: sleepSync and sleepAsync refuse it (an internal
// Error, thrown before the waiter sleeps: a wait written without the mark
// fails at its first call instead of hanging one day). The type says the
// same (DeferredSleep).
// `s` also carries the death check of a sleeping waiter: it must reacquire its lock, so it takes the lock over from
// a holder that stopped and throws OwnerDiedError holding it
// (sync/_holder.ts; the waiter then does not reacquire: sync/_reacquire.ts),
// and so does the check of a primitive built on a Condition (WAIT_CHECK:
// Barrier, a party that stopped).
//
// The waiter's loop, with the fewest atomics on the woken path (one
// compareExchange from the wake to the permit):
// - Before each sleep it reads SEQ and, once SEQ has moved past its ticket,
//   looks for a permit. (That load is kept before the first sleep too:
//   about half the time, in a ping-pong, the answer is there already, and
//   a load is cheaper than an Atomics.wait that returns "not-equal".)
// - A sleep returns (not timed out) only once SEQ differs from the value it
//   slept on (sleepWord sleeps again on a wake that finds it unchanged), so
//   SEQ moved past the ticket, and the grant that moved it added its
//   permits before it (PERMITS before SEQ): the waiter takes one at once,
//   with no load of SEQ or PERMITS first.
// - None left (an eligible waiter not yet asleep took it): it reads SEQ
//   again and goes round: look, then sleep only while SEQ holds what it read.
// Why no lost wakeup: every sleep is on a value of SEQ read before PERMITS
// was last looked at (or equal to the ticket, when nothing could be taken
// yet), and grant adds to PERMITS before it bumps SEQ and notifies. So a
// grant after that read changes SEQ (the sleep returns "not-equal" or is
// woken), and one before it left its permits where the look after the read
// sees them.
// After a wake, the first compareExchange (takePermit's guess of 1, the
// common case: one waiter notified) is written out, so the woken path calls
// takePermit only when that guess misses.
export function sleepSync(
  view: Int32Array,
  ticket: number,
  s: DeferredSleep,
): boolean {
  if (s.deferredWakes !== true) throw undeferred();
  for (let seq = Atomics.load(view, SEQ);;) {
    if (seq !== ticket && takePermit(view)) return true;
    if (sleepWord(view, SEQ, seq, s, true, "wait") === "timed-out") {
      return false;
    }
    if (
      Atomics.compareExchange(view, PERMITS, 1, 0) === 1 || takePermit(view)
    ) return true;
    seq = Atomics.load(view, SEQ);
  }
}

export async function sleepAsync(
  view: Int32Array,
  ticket: number,
  s: DeferredSleep,
): Promise<boolean> {
  if (s.deferredWakes !== true) throw undeferred();
  for (let seq = Atomics.load(view, SEQ);;) {
    // Why no lost wakeup: as in sleepSync.
    if (seq !== ticket && takePermit(view)) return true;
    if ((await sleepWordAsync(view, SEQ, seq, s)) === "timed-out") {
      return false;
    }
    if (takePermit(view)) return true;
    seq = Atomics.load(view, SEQ);
  }
}

// Leaves without having taken a permit (timeout, abort, cancel). Returns
// whether a permit was ours after all. Every registered waiter is counted
// in WAITERS or in PERMITS (granted to "some eligible waiter"), so we
// either take a permit we may take or uncount ourselves from WAITERS.
// WAITERS == 0 with no permit visible is a notify between its two writes:
// look again. An interrupted waiter cannot use a permit: it hands it on.
export function leave(
  view: Int32Array,
  ticket: number,
  interrupted: boolean,
): boolean {
  for (;;) {
    if (take(view, ticket)) {
      if (interrupted) grant(view, 1);
      return true;
    }
    const w = Atomics.load(view, WAITERS);
    if (w > 0 && Atomics.compareExchange(view, WAITERS, w, w - 1) === w) {
      return false;
    }
  }
}

/**
 * A Condition wait's Sleep (sleepOptions, with `check` the waiter's death
 * check and `into` its reusable slot), marked deferredWakes (see above).
 */
export function ticketSleep(
  options: WaitOptions | undefined,
  check: () => void,
  into: SleepSlot | undefined,
): DeferredSleep {
  return sleepOptions(options, "wait", check, into, true) as DeferredSleep;
}

/** ticketSleep for waitAsync: an aborted signal is a rejected promise. */
export function ticketSleepAsync(
  options: WaitOptions | undefined,
  check: () => void,
): DeferredSleep | Promise<never> {
  return sleepOptionsAsync(options, "wait", check, true) as
    | DeferredSleep
    | Promise<never>;
}

// The error of a ticket sleep given a Sleep not marked deferredWakes.
function undeferred(): Error {
  return new Error(
    "Internal error: a Condition sleep must be marked deferredWakes (ticketSleep), or it may sleep through a deferred wake",
  );
}
