// Copyright 2026 the threadkit authors. MIT license.
// An unbounded queue's waits for a grow (_chain.ts grow, growAsync,
// awaitGrowAsync; _unbounded.ts, _unbounded_put.ts): every one is bounded
// by the call's deadline and signal, and none holds anything across its
// wait.
//
// growAsync (a put found the newest segment s full, or its item too large):
// (1) await TAIL of s free (awaitTailFree: marks CONTENDED, sleeps off the
//     event loop; _held_turn.ts's pair, so no wake is lost), until the
//     call's deadline or its signal;
// (2) await the chain's LOCK (Lock.acquireAsync), the same bound, and in
//     the same step as the acquire (ON_ACQUIRED: no microtask between,
//     underLock) run (3) and release LOCK;
// (3) under LOCK: if another thread grew (or shut the queue down)
//     meanwhile, #grow only says so; else if TAIL is held again (a put
//     took it after (1); LOOKS loads), go back to (1) (LOCK released);
//     else grow (#grow: make s + 1 unpublished; close s by one
//     compareExchange of TAIL from a value no put holds (closeOrDrop), or,
//     if a put took TAIL since the look (during #append), unpublish s + 1
//     and go back to (1); retire s: its shutdown's awaitTurn then finds
//     TAIL free, as no put can take it once CLOSED is in; publish s + 1).
//     So nothing in (3) waits for another thread.
// Past the deadline at (1) or (2) the put throws QueueFullError (a timed
// put's refusal, as a bounded queue's); an abort rejects as the wait does
// (the signal's reason); a cancel as every wait. Either leaves the queue
// as the put found it: segment s refused the item before (1) (the put
// releases its encoding's references as it gives up:
// _unbounded_put.ts putOneAsync), and nothing of
// the grow happened (every step that changes shared memory is in (3), one
// synchronous step after the last await). Nothing is undone, so nothing
// can be half-undone; a put that throws has put nothing.
// Why LOCK is never held across an await or a microtask: a sync call of
// this thread (a put that grows, or finds s retired: Chain.grow,
// awaitGrow) takes LOCK blocking; if one of this thread's pending async
// calls held it, that call would wait for good on its own thread, the
// event loop frozen (a Lock is not reentrant). Before, growAsync and
// awaitGrowAsync held LOCK from the acquire's step to their continuation,
// microtasks later (tests/queue/async_grow_wait_test.ts looks at every
// microtask). And a grower never waits for another thread's TAIL holding
// LOCK, so other growers and awaitGrow callers do not wait behind it.
// A thread that dies in (3) holding LOCK: the next acquire takes it over
// (#repair, which underLock runs before every step: a no-op on an open
// consistent chain; see underLock). A `block: false` put waits here as an
// untimed one (growOf, _unbounded_put.ts: an unbounded queue's put never
// reports Full for a holder that is only slow; before, IDLE_GRACE ms here
// after as long in its segment try, then Full); a `block: false` get's
// awaitGrow waits IDLE_GRACE ms at most. A put's segment try waits for a
// held TAIL until its call's deadline (HOLD_END, _unbounded_put.ts
// holdTry).
// The blocking form (Chain.grow: put, putNowait, putMany) takes the same
// steps with the thread blocked: (1) awaitTurnSync's slices (the same mark
// and wake hand-off as (1) above; uninterruptible, so it spins where the
// thread may not block, as a turn's wait does, and looks at the call's
// signal and its thread's cancel between slices: CancelledError, or the
// signal's reason), (2) Lock.acquire uninterruptible in slices of
// LOCK_SLICE until the deadline (MUST_ACQUIRE with a timeout: it spins
// there too; the signal and cancel are looked at between slices; LOCK is
// held for (3) only, so that wait is short but behind a holder that
// stopped, whom the deadline, the cancel or a takeover ends), (3) the same step (growStep) under LOCK,
// released right after. So a timed blocking put that grows ends
// QueueFullError near its deadline behind a put that stopped inside its
// copy, or a grower that stopped holding LOCK; before, it waited for TAIL
// under LOCK with no deadline (and every other grower behind it). A timed
// blocking put's segment try (a nowait try) waits for a held TAIL until the
// call's deadline, as the async form's does (HOLD_END, carried by
// _unbounded_put.ts holdTry into the try's Acquire: _held_turn.ts graced,
// _decoding.ts turnIdle); before, IDLE_GRACE whatever the deadline, so such
// a put ended up to IDLE_GRACE past a shorter timeout.
//
// awaitGrowAsync (a put or get found s retired and no s + 1 yet): awaits
// LOCK, held by the grower until s + 1 is published, bounded the same way
// (and by 60 s, as before: the caller looks again), releases it in the
// same step; then the caller looks again (stuck(): Full or Empty past its
// deadline, or with block false).

import type { Acquire, AcquireOptions } from "../_core/wait.ts";
import { throwIfInterrupted } from "../_core/wait.ts";
import { ON_ACQUIRED, UNINTERRUPTIBLE } from "../_core/wait_options.ts";
import type { Lock } from "../sync/lock.ts";
import { CONTENDED as LOCK_MARK } from "../sync/_holder.ts";
import { IDLE_GRACE } from "./_decoding.ts";
import { awaitTurnAsync, awaitTurnSync, passWake } from "./_held_turn.ts";
import { OPEN, SHUTDOWN, TAIL } from "./_layout.ts";
import { blockRelease } from "../_core/heap.ts";
import { LOCK, OFFSET } from "./_chain_memory.ts";
import { CLOSED, LOCKED } from "./_turn.ts";
import { QueueFullError } from "./errors.ts";

// The longest single wait for LOCK in awaitGrowAsync (then it looks again).
const GROW_LOOK = 60_000;

/** A segment's words up to TAIL (its region). */
export function tailWords(
  region: { readonly buffer: SharedArrayBuffer; readonly byteOffset: number },
): Int32Array {
  return new Int32Array(region.buffer, region.byteOffset, TAIL + 1);
}

/** The deadline of an async call's wait for a grow (see the header). */
function growDeadline(o: Acquire): number {
  return o.blocking ? o.deadline : performance.now() + IDLE_GRACE;
}

/** Lock.acquireAsync's options that wait until `deadline` at most. */
function lockWait(deadline: number, o: Acquire): AcquireOptions {
  const left = deadline - performance.now();
  return {
    timeout: left === Infinity ? undefined : left > 0 ? left : 0,
    signal: o.signal,
  };
}

/**
 * Waits off the event loop until TAIL of `h` is free (true) or `deadline`
 * passes (false); `signal` rejects. A wake it takes is passed on at once
 * (it takes no turn); an abort took none (the wait helper's flush woke
 * every waiter on the word).
 */
async function awaitTailFree(
  h: Int32Array,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  while ((Atomics.load(h, TAIL) & LOCKED) !== 0) {
    if (performance.now() >= deadline) return false;
    passWake(h, await awaitTurnAsync(h, TAIL, deadline, signal) ? TAIL : -1);
  }
  return true;
}

// Looks at TAIL under LOCK (3) before it lets LOCK go to wait again: a
// put holds TAIL for a copy of a few hundred nanoseconds.
const LOOKS = 100;

/** Whether TAIL of `h` is free within LOOKS loads. */
function tailFreeSoon(h: Int32Array): boolean {
  for (let i = 0; i < LOOKS; i++) {
    if ((Atomics.load(h, TAIL) & LOCKED) === 0) return true;
  }
  return false;
}

/**
 * An async grow's close of segment s (tailWords `h`), made s + 1 (chain
 * header `chain`; `heap`: its block is the heap's): ORs CLOSED into TAIL in
 * one compareExchange from a value no put holds (true: #grow goes on, and
 * its shutdown's awaitTurn finds TAIL free: no put can take it now), or,
 * held, closes nothing and unpublishes s + 1 (its heap block released;
 * the own buffer's region is laid again by the next grow) and returns
 * false: the caller waits for TAIL off the event loop and tries again.
 */
export function closeOrDrop(
  h: Int32Array,
  chain: Int32Array,
  next: number,
  heap: boolean,
): boolean {
  for (let v = Atomics.load(h, TAIL);;) {
    if ((v & LOCKED) === 0) {
      const seen = Atomics.compareExchange(h, TAIL, v, v | CLOSED);
      if (seen === v) return true;
      v = seen; // SLEEPER or a put's turn meanwhile
      continue;
    }
    if (heap) {
      const at = Atomics.load(chain, OFFSET + next) >>> 0;
      Atomics.store(chain, OFFSET + next, 0);
      blockRelease(at);
    }
    return false;
  }
}

/**
 * Retires segment s (`retire`: its shutdown) after closeOrDrop closed it
 * (TAIL `h`, its header words up to TAIL). A shutdown that throws (a stack
 * overflow, a corrupt word) opens s again: nothing was published, s stays
 * the newest and open, as before the close. Else s would refuse every put
 * with no successor (CLOSED), and puts would wait for a grow that never
 * comes; or, if the throw came after the shutdown published SHUTDOWN (in
 * its wakes), its gets would find it shut down while it is the newest, and
 * a blocking get would look again and again instead of sleeping.
 * The handler makes no call (a stack overflow may have brought it here):
 * SHUTDOWN back to OPEN first, then CLOSED cleared, the reverse of the
 * shutdown's order, so no get reads the segment shut down once a put can
 * land in it. The grower holds the chain's LOCK: no other shutdown of s
 * (the chain's, or its repair) runs meanwhile.
 */
export function retireClosed(h: Int32Array, retire: () => void): void {
  try {
    retire();
  } catch (error) {
    Atomics.store(h, SHUTDOWN, OPEN);
    Atomics.and(h, TAIL, ~CLOSED);
    throw error;
  }
}

/**
 * Runs `f` holding `lock` (a chain's LOCK), taken off the event loop with
 * `w` (the caller's deadline and signal) in the same step as the acquire
 * (ON_ACQUIRED), and releases it before anything else of this thread runs:
 * the async calls never hold LOCK across a microtask, where a sync call of
 * this thread (a put that grows, or finds its segment retired: Chain.grow,
 * awaitGrow) would wait for good on a lock its own thread holds (a Lock is
 * not reentrant), with the event loop frozen. `repair` (Chain #repair)
 * runs first: a holder that stopped is taken over by this acquire
 * (OwnerDiedError, after `f` ran). On an open consistent chain it does
 * nothing; on a shut-down one (a shutdown between the caller's look and
 * here) it shuts the newest segments down again: a wake of their waiters,
 * who look again, and nothing left to drain; harmless and rare. Returns `{ r }`
 * (f's result), or undefined: not taken by the deadline; rethrows what `f`
 * threw, LOCK released.
 */
export async function underLock<R>(
  lock: Lock,
  h: Int32Array,
  repair: () => void,
  w: AcquireOptions,
  f: () => R,
): Promise<Took<R>> {
  const box: { out?: { r: R } | { e: unknown } } = {};
  const run = () => {
    try {
      repair();
      box.out = { r: f() };
    } catch (e) {
      box.out = { e };
    } finally {
      try {
        lock.release();
      } catch (e) { // an overflow at its entry: released inline ("LOCK held")
        const v = e instanceof RangeError ? Atomics.exchange(h, LOCK, 0) : 0;
        if (v >= LOCK_MARK) Atomics.notify(h, LOCK);
      }
    }
  };
  try {
    await lock.acquireAsync({ ...w, [ON_ACQUIRED]: run } as AcquireOptions);
  } catch (error) {
    if (box.out === undefined) throw error; // not taken: an abort, a cancel
  } // else taken over: OwnerDiedError, thrown after run
  if (box.out !== undefined && "e" in box.out) throw box.out.e;
  return box.out;
}

/**
 * underLock's blocking form: runs `f` holding `lock`, taken by `take(w)`
 * (Chain #take: a holder that stopped is taken over and the chain
 * repaired first), then releases it; undefined: not taken by `w`'s
 * deadline.
 */
export function underLockSync<R>(
  lock: Lock,
  h: Int32Array,
  take: (w: AcquireOptions) => boolean,
  w: AcquireOptions,
  f: () => R,
): Took<R> {
  if (!take(w)) return undefined;
  try {
    return { r: f() };
  } finally {
    try {
      lock.release();
    } catch (e) { // as underLock's
      const v = e instanceof RangeError ? Atomics.exchange(h, LOCK, 0) : 0;
      if (v >= LOCK_MARK) Atomics.notify(h, LOCK);
    }
  }
}

/** underLockSync bound to a chain's LOCK. */
export type UnderSync = <R>(w: AcquireOptions, f: () => R) => Took<R>;

/** A blocking call's options with no deadline and no signal (Chain.grow). */
export const UNTIMED: Acquire = Object.freeze({
  blocking: true,
  deadline: Infinity,
  signal: undefined,
});

/** What Chain's LOCK-held step returned: undefined if LOCK was not taken. */
export type Took<R> = { r: R } | undefined;

/**
 * Runs `f` under the chain's LOCK taken with `w` in the same step as the
 * acquire, then releases it (underLock).
 */
export type Under = <R>(w: AcquireOptions, f: () => R) => Promise<Took<R>>;

/** What a grow of segment s waits for and does (Chain #growing). */
export interface Growing<R> {
  /** TAIL of s: tailWords. */
  readonly tail: Int32Array;
  /** Whether another thread grew or shut the queue down meanwhile. */
  readonly done: () => boolean;
  /** #grow: undefined if a put took TAIL meanwhile (closeOrDrop). */
  readonly grow: () => R | undefined;
}

/**
 * (3), under LOCK: the grow's result in a box, or undefined: TAIL was held
 * again (looked at LOOKS times), or taken before the close; the caller
 * waits for it again, LOCK released.
 */
function growStep<R>(g: Growing<R>): { grown: R } | undefined {
  if (!g.done() && !tailFreeSoon(g.tail)) return undefined;
  const grown = g.grow();
  return grown === undefined ? undefined : { grown };
}

/**
 * growAsync's waits (see the header): `g.grow` under the chain's LOCK
 * (`under`) once TAIL is free, at once if `g.done()`.
 */
export async function growWhenFree<R>(
  g: Growing<R>,
  o: Acquire,
  under: Under,
): Promise<R> {
  const end = growDeadline(o);
  for (;;) {
    if (!(await awaitTailFree(g.tail, end, o.signal))) {
      throw new QueueFullError();
    }
    // (3): no await from this look to CLOSED (#grow's shutdown).
    const took = await under(lockWait(end, o), () => growStep(g));
    if (took === undefined) throw new QueueFullError();
    if (took.r !== undefined) return took.r.grown;
  }
}

/**
 * Chain.grow's waits, blocking (see the header): as growWhenFree, with
 * `under` taking LOCK by a blocking acquire (undefined: not by `w`'s
 * deadline).
 */
export function growWhenFreeSync<R>(
  g: Growing<R>,
  o: Acquire,
  under: UnderSync,
): R {
  const end = growDeadline(o);
  for (;;) {
    if (!tailFreeSync(g.tail, end, o)) throw new QueueFullError();
    const took = under(lockWaitSync(end), () => growStep(g));
    if (took === undefined) { // a slice of (2) ended: the deadline, or again
      if (performance.now() >= end) throw new QueueFullError();
      if (o.blocking) throwIfInterrupted(o.signal);
      continue;
    }
    if (took.r !== undefined) return took.r.grown;
  }
}

/**
 * awaitGrow's blocking wait for LOCK (a put or get found s retired and no
 * s + 1 yet): until the call's deadline (60 s at most, then the caller
 * looks again, as takeForGrow), in slices that look at its signal and its
 * thread's cancel; `take(w)`: Chain #take.
 */
export function takeForGrowSync(
  o: Acquire,
  take: (w: AcquireOptions) => boolean,
  lock: Lock,
  h: Int32Array,
): void {
  const end = Math.min(growDeadline(o), performance.now() + GROW_LOOK);
  while (!take(lockWaitSync(end))) {
    if (performance.now() >= end) return; // the caller's stuck() decides
    if (o.blocking) throwIfInterrupted(o.signal);
  }
  try {
    lock.release();
  } catch (e) { // as underLock's
    const v = e instanceof RangeError ? Atomics.exchange(h, LOCK, 0) : 0;
    if (v >= LOCK_MARK) Atomics.notify(h, LOCK);
  }
}

/**
 * awaitTailFree's blocking form: true once TAIL of `h` is free, false past
 * `deadline`; a blocking call's signal or cancel throws (throwIfInterrupted)
 * only once it came back from a wait that no release's notify ended (a
 * slice, mostly; or a look that found the word changed), so that a hold
 * as brief as a copy never ends a put in a cancelled thread (a `block:
 * false` put grows as a blocking one: _unbounded_put.ts growOf).
 */
function tailFreeSync(h: Int32Array, deadline: number, o: Acquire): boolean {
  for (let slept = false; (Atomics.load(h, TAIL) & LOCKED) !== 0;) {
    if (performance.now() >= deadline) return false;
    if (o.blocking && slept) throwIfInterrupted(o.signal);
    slept = !awaitTurnSync(h, TAIL, deadline);
    passWake(h, slept ? -1 : TAIL);
  }
  return true;
}

/**
 * Lock.acquire's options for (2), blocking: one slice (SLICE ms), or until
 * `deadline` if sooner; the caller looks at the cancel between slices.
 */
function lockWaitSync(deadline: number): AcquireOptions {
  const left = Math.min(deadline - performance.now(), LOCK_SLICE);
  const w = { [UNINTERRUPTIBLE]: true, timeout: left > 0 ? left : 0 };
  return w as AcquireOptions;
}

// The longest blocking wait for LOCK before the caller looks at its cancel.
const LOCK_SLICE = 50;

/** awaitGrowAsync's wait for LOCK (see the header). */
export async function takeForGrow(o: Acquire, under: Under): Promise<void> {
  const end = Math.min(growDeadline(o), performance.now() + GROW_LOOK);
  await under(lockWait(end, o), () => {});
}
