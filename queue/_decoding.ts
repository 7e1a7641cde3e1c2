// Copyright 2026 the threadkit authors. MIT license.
// The HOLDER word: who holds a queue's consumer lock, and whether it is
// inside a custom codec's decode. The consumer lock is HEAD's turn (_turn.ts)
// in the structured FIFO ring and the store Lock (header LOCK) in the locked
// stores; a get holds it across the decode, so that a decode that throws
// leaves the item in place (_text.ts, _locked.ts).
//
// HOLDER word (header slot 33):
// | bits | name     | meaning                                                |
// |------|----------|--------------------------------------------------------|
// | 0-29 | IDENT    | structured FIFO ring: the HEAD turn's holder, for the  |
// |      |          | whole hold; locked stores: the store lock's holder for |
// |      |          | the whole of a custom-codec get (the Lock word always  |
// |      |          | names it)                                              |
// | 30   | DECODING | the holder is inside a custom codec's decode           |
// | 31   | WAITING  | a thread sleeps on this word for the decode to end     |
//
// States (T the holder's ident; every step of T after the first is a
// compareExchange from the value T itself left):
// 0 -lock acquired, then plain store (hold)->        T
// T -decodeStart (CAS T -> T|DECODING)->             T|DECODING
// T|DECODING -a waiter (CAS)->                       T|DECODING|WAITING
// T|DECODING[|WAITING] -decodeEnd (CAS -> T)->       T, notify all if WAITING
// T -holdEnd (CAS T -> 0), then the lock's release-> 0
// T[|...] with T dead -a waiter (clearDead, CAS->0)-> 0: that waiter now
//                                                    holds the lock (takeOver)
// Idents stay below 2^30 (the Lock word makes the same assumption).
//
// When a holder is dead: holderDead, the one place every queue death check
// goes through (the FIFO ring's acquireHead; the locked stores use their
// Lock's takeover, sync/_holder.ts, which reads the same ring). It reads the
// stop ring of _core/runtime.ts (identStopped): the dying thread writes it
// just before the call that stops it, or its watcher or starter after its
// worker exited; never a mere end (a target that returned with async work
// left, a child whose parent died, the main thread whose loop ran dry),
// which may leave the thread running. A holder clears HOLDER before it
// releases the lock, in program order before its stop is recorded, so a
// waiter's compareExchange from d after it saw d's thread stopped cannot
// hit a live holder. The steps below make even a wrong "dead" harmless
// (the item is delivered once, by the taker).
//
// Why a takeover cannot corrupt the queue even if T still runs: a waiter
// takes over only by a compareExchange of HOLDER from the value d it read
// (clearDead), and every later step of T is a compareExchange from T's own
// value (decodeStart, decodeEnd, holdEnd), which therefore fails: T throws
// TakenOverError and touches nothing (no release, no drop, no HEAD/COUNT
// store); the item stays first for the taker. T releases the lock only
// after its holdEnd succeeded, so after a successful clearDead it never
// releases. A waiter whose d is stale (T already moved on) fails its CAS
// and looks again; if T took the lock again and names itself again, the
// waiter takes over that hold instead, with the same guarantee. The
// structured ring also marks a takeover in HEAD (TAKEN, _head.ts), and its
// releaseHead refuses a word whose bits other than CONTENDED changed, so a
// holder that lost its turn cannot move HEAD even by another path.
// Known gaps: in the structured ring, a holder that dies between its
// acquire and its plain store of T is never seen (no user code runs there:
// only running out of memory can end a thread at that point): waiters wait
// for it as for a live holder that copies bytes, untimed ones without
// limit, the others until idleUntil (_head.ts; async calls until their
// deadline, off the event loop: _held_turn.ts). In the locked stores the
// Lock word names every holder, so such a death is seen there; but a
// holder that is not inside a custom get's hold (puts, default-codec gets,
// a custom get's drops after its holdEnd) is not named in HOLDER: if
// holderDead calls it dead while it still copies, #recover frees its lock
// (_locked.ts). Only holderDead's predicate closes those.
//
// Why a thread that lost its lock owes no wake: the taker's release (or
// RECOVER) wakes the lock's sleepers as a release would, and clearDead
// wakes those asleep on a WAITING value of HOLDER.
// Why no lost wakeup: a waiter sleeps only on a value with WAITING that it
// saw or set by compareExchange, and decodeEnd's compareExchange both
// changes the word and reads WAITING (the futex mutex's rule, as in
// _turn.ts); clearDead notifies too when it removes a WAITING value.

import { waitAsync, waitSync } from "../_core/wait.ts";
import { RuntimeError } from "../_core/errors.ts";
import { currentIdent, identAlive, identStopped } from "../_core/runtime.ts";
import {
  BUSY_COUNT,
  HOLDER,
  NOWAIT_UNTIL,
  TAIL,
  waitUntil,
} from "./_layout.ts";
import { acquireTurn, BUSY_TURN } from "./_turn.ts";
import { tailCorrupt } from "./_corrupt.ts";
import type { Acquire } from "../_core/wait.ts";

/** Mask of the ident in HOLDER. */
export const IDENT: number = (1 << 30) - 1;
/** The holder is inside a custom codec's decode. */
export const DECODING: number = 1 << 30;
/** A thread sleeps on HOLDER (the sign bit). */
export const WAITING: number = 1 << 31;

/**
 * How long a nowait call (until NOWAIT_UNTIL, _layout.ts) waits for another
 * thread's custom decode before it gives up: a decode of an ordinary item
 * takes microseconds, and giving up on it would report a queue busy that
 * is only briefly so; a slow decode holds the call up this long at most.
 */
export const GRACE = 2;

/**
 * How long a nowait call waits for a holder that is not decoding before it
 * reports the queue busy (an async call's try, NO_WAIT, does not wait: it
 * spins and reports BUSY, and the call awaits the word off the event loop,
 * _held_turn.ts; one with `block: false` for this long at most): such a
 * holder copies bytes for microseconds, unless it was preempted or died
 * before naming itself in HOLDER (the known gap above); generous, so that
 * a live holder's copy makes a nowait call give up only when the holder is
 * kept off the cores that long (seen at load 20-30 on 2 cores: a putNowait
 * reported Full after 508 ms, tests/queue/races_test.ts), where Python's
 * nowait calls wait for the mutex. Not an unbounded queue's puts: they
 * wait as long as the holder holds (HOLD_END below).
 */
export const IDLE_GRACE = 500;

/**
 * When a try with `until` (waitUntil, _layout.ts) stops waiting for a
 * holder that is not decoding: a timed call's deadline, IDLE_GRACE ms from
 * now for nowait calls, never for untimed calls; an async call's try
 * (-Infinity) does not wait at all past its spin (_held_turn.ts).
 */
export function idleUntil(until: number): number {
  if (until === NOWAIT_UNTIL) return performance.now() + IDLE_GRACE;
  return until;
}

/**
 * @ignore Internal QueueOptions key, and the mark graced() (_held_turn.ts)
 * leaves on the try's Acquire: a `block: false` put's try waits for a TAIL
 * held by another thread until then (performance.now() ms; Infinity: as
 * long as it is held), not IDLE_GRACE. An unbounded queue's segment try
 * (_unbounded_put.ts holdTry): its put must not report Full for a holder
 * that is only slow (Python's SimpleQueue.put and an unbounded Queue's
 * put_nowait never fail), and takes the segment's room as it finds it.
 */
export const HOLD_END: unique symbol = Symbol("threadkit.holdEnd");

/** HOLD_END of a try's wait `w`, if it has one. */
export function holdUntil(w: Acquire | undefined): number | undefined {
  return (w as { [HOLD_END]?: number } | undefined)?.[HOLD_END];
}

/**
 * Until when a put waits for TAIL's turn held by another thread (_turn.ts
 * "A holder that stops"): idleUntil of its wait `w` (Store.tryPut), or its
 * HOLD_END.
 */
export function turnIdle(w: Acquire | undefined): number {
  const held = holdUntil(w);
  if (held !== undefined) return held;
  const until = idleUntil(waitUntil(w));
  // A nowait try made for a timed call (an unbounded queue's segment try,
  // _unbounded_put.ts nowaitOf, folded in by _held_turn.ts graced) waits
  // until that call's deadline at most; a caller's own nowait has none.
  return w !== undefined && !w.blocking && w.deadline < until
    ? w.deadline
    : until;
}

/**
 * A try with HOLD_END may wait long: its signal and its thread's cancel end
 * it (acquireTurn's `stopOf`, asked only when the put would sleep).
 */
function holdStop(w: Acquire | undefined): Acquire | undefined {
  return holdUntil(w) === undefined ? undefined : w;
}

/**
 * A put's acquireTurn of TAIL (from the guess `v`) with its wait `w`: the
 * word, CLOSED_TURN, or BUSY_COUNT when it stayed held past turnIdle(w).
 */
export function acquireTail(
  h: Int32Array,
  v: number,
  w: Acquire | undefined,
): number {
  const t = acquireTurn(h, TAIL, v, false, tailCorrupt, w, turnIdle, holdStop);
  return t === BUSY_TURN ? BUSY_COUNT : t;
}

// Longest sleep on HOLDER before the caller looks again (its deadline, the
// holder's life); the wait helper's slice.
const SLICE = 50;

let me = 0;
/** This thread's ident, read once. */
export function holderIdent(): number {
  return me || (me = currentIdent());
}

/**
 * Thrown to a holder whose lock another thread took over because it read
 * the holder as dead (see the file header): the holder left the queue as
 * it found it, and its item goes to the taker.
 */
export class TakenOverError extends RuntimeError {
  constructor() {
    super(
      "Cannot get from queue: another thread took over this thread's consumer lock (it read this thread as ended); the item stays in the queue for that thread",
    );
    this.name = "TakenOverError";
  }
}

/** The holder (ident `id`, named in HOLDER) enters a custom decode. */
export function decodeStart(h: Int32Array, id: number): void {
  const seen = Atomics.compareExchange(h, HOLDER, id, id | DECODING);
  if (seen !== id) throw new TakenOverError();
}

/**
 * The holder leaves its decode: HOLDER names it again, and the threads that
 * wait for it wake. Throws TakenOverError if it was taken over.
 */
export function decodeEnd(h: Int32Array, id: number): void {
  // Why no lost wakeup: see the file header.
  const d = id | DECODING;
  let seen = Atomics.compareExchange(h, HOLDER, d, id);
  if (seen === d) return;
  // WAITING is only ever added to d, and only decodeEnd or clearDead
  // removes it.
  if (seen === (d | WAITING)) {
    seen = Atomics.compareExchange(h, HOLDER, d | WAITING, id);
    if (seen === (d | WAITING)) {
      Atomics.notify(h, HOLDER);
      return;
    }
  }
  throw new TakenOverError();
}

/**
 * The holder clears HOLDER before it releases the lock. Throws
 * TakenOverError (and the caller must not release) if it was taken over.
 */
export function holdEnd(h: Int32Array, id: number): void {
  if (Atomics.compareExchange(h, HOLDER, id, 0) !== id) {
    throw new TakenOverError();
  }
}

/**
 * Whether HOLDER still names the holder `id`: false once its hold was taken
 * over (then it must leave the lock alone). Its callers ask this, not
 * `instanceof TakenOverError`, since a decode may throw one of another
 * queue's.
 */
export function holds(h: Int32Array, id: number): boolean {
  return (Atomics.load(h, HOLDER) & IDENT) === id;
}

/**
 * Whether the thread named by HOLDER value `d` has stopped (slow: scans): the one death
 * check of the queues.
 * Stopped, not ended (_core/runtime.ts, the stop ring): a thread that has
 * only ended (its target done, or presumed ended by a dying starter; the
 * main thread at its end) may still run and hold the turn. Any stop counts:
 * HEAD's turn is never held across an await, so no thread stops holding it
 * but by dying.
 */
export function holderDead(d: number): boolean {
  const ident = d & IDENT;
  return ident !== 0 && !identAlive(ident) &&
    identStopped(ident) !== undefined;
}

/**
 * Clears HOLDER value `d` of a thread seen dead: true if this thread did it
 * (then the lock that thread held is this thread's: see the file header).
 */
export function clearDead(h: Int32Array, d: number): boolean {
  if (Atomics.compareExchange(h, HOLDER, d, 0) !== d) return false;
  if (d < 0) Atomics.notify(h, HOLDER);
  return true;
}

// Marks WAITING on DECODING value `d`: the value to sleep on, or 0 when the
// word moved (look again).
function mark(h: Int32Array, d: number): number {
  if (d < 0) return d;
  const want = d | WAITING;
  return Atomics.compareExchange(h, HOLDER, d, want) === d ? want : 0;
}

/**
 * Sleeps while HOLDER is the DECODING value `d`: until the decode ends,
 * `until`, or one slice (then the caller looks at the holder's life).
 * Uninterruptible, as the lock waits it replaces.
 */
export function awaitDecodeSync(h: Int32Array, d: number, until: number): void {
  const v = mark(h, d);
  if (v === 0) return;
  const slice = performance.now() + SLICE;
  waitSync(h, HOLDER, v, until < slice ? until : slice, undefined, false);
}

/**
 * awaitDecodeSync without blocking the event loop, for the async queue
 * calls: returns at once if no decode runs now. Interruptible (signal,
 * cancel), as their waits for items are.
 */
export async function awaitDecodeAsync(
  h: Int32Array,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const d = Atomics.load(h, HOLDER);
  if ((d & DECODING) === 0) return;
  const v = mark(h, d);
  if (v === 0) return;
  const slice = performance.now() + SLICE;
  await waitAsync(h, HOLDER, v, deadline < slice ? deadline : slice, signal);
}

/**
 * awaitDecodeSync for the queue at `region` (an unbounded queue's segment),
 * if a decode runs in it now.
 */
export function awaitRegionDecode(
  region: { readonly buffer: SharedArrayBuffer; readonly byteOffset: number },
  until: number,
): void {
  const h = new Int32Array(region.buffer, region.byteOffset, HOLDER + 1);
  const d = Atomics.load(h, HOLDER);
  if ((d & DECODING) !== 0) awaitDecodeSync(h, d, until);
}

/** awaitDecodeAsync for the queue at `region` (see awaitRegionDecode). */
export function awaitRegionDecodeAsync(
  region: { readonly buffer: SharedArrayBuffer; readonly byteOffset: number },
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const h = new Int32Array(region.buffer, region.byteOffset, HOLDER + 1);
  return awaitDecodeAsync(h, deadline, signal);
}
