// Copyright 2026 the threadkit authors. MIT license.
// An async queue call's wait for a turn that another thread holds while it
// only copies bytes: HEAD's turn (a structured FIFO ring's get, _head.ts),
// TAIL's turn (a FIFO ring's put, _turn.ts) or the store Lock (LifoQueue,
// PriorityQueue: header LOCK, _locked.ts). An async call's try (NO_WAIT,
// _layout.ts) never sleeps inside the call: it spins its SPIN, takes over
// a dead holder as any try does, and then reports BUSY; the call awaits
// the word here (Atomics.waitAsync through the wait helper, so the event
// loop runs meanwhile) and tries again. Before, the try napped 1 ms at a
// time inside the call, up to IDLE_GRACE (500 ms), with the caller's event
// loop frozen (tests/queue/async_turn_test.ts).
//
// Words (the header slot `i`; values as their owners define them):
// | word | held when       | mark (CONTENDED)  | release                    |
// |------|-----------------|-------------------|----------------------------|
// | HEAD | LOCKED (2^28)   | 2^29 (_turn.ts)   | releaseHead: CAS, notify   |
// | TAIL | LOCKED (2^28)   | 2^29 (_turn.ts)   | releaseTurn: CAS, notify 1 |
// | LOCK | not 0 (ident)   | 2^30 (_holder.ts) | Lock.release: exchange 0,  |
// |      |                 |                   | notify 1 if marked         |
//
// An async waiter's states (v: the word as last read):
// v free                          -> try again (no wait)
// v held, unmarked -CAS v|mark->     marked, or look again if the CAS failed
// v held, marked   -waitAsync while the word is v (a slice at most)->
//   "ok" (woken by a release's notify): try again, then pass one wake on
//   (notify 1) after that try, whatever it found;
//   "not-equal" / "timed-out" (a slice or the deadline): try again;
//   an abort or a cancel: the call rejects (the helper's abort flush woke
//   every waiter on the word, this one included).
//
// Who sets CONTENDED: this waiter, by compareExchange from the held value
// it read, before it waits (a blocking waiter does the same: acquireHead,
// acquireTurn, Lock's mark). Why the release's notify reaches it: every
// release changes the word and reads the mark in one atomic step (a
// compareExchange, Lock's exchange) and notifies when the mark is there;
// the waiter sleeps only while the word is the marked value it saw or set,
// so either its mark came first (the release sees it and notifies after the
// change) or the release came first (its CAS or its waitAsync finds another
// value and it tries again). Atomics.waitAsync waiters are in the same
// waiter list as Atomics.wait's, so notify(1) may pick this one.
// The hand-off (why no other sleeper is stranded): a blocking waiter that
// a release woke acquires with CONTENDED ("state 2"), so its own release
// wakes the next. An async try takes the turn without the mark (its try is
// an ordinary one: the hot paths are unchanged), so a woken async waiter
// notifies one sleeper itself right after its next try: by then the turn it
// took is released (a try never keeps it), and a sleeper woken then finds
// the word changed (it slept on a held value; a release never leaves one)
// and tries. A try that found the turn held again leaves a mark before this
// waiter sleeps again, so the extra wake only costs a look. If the woken
// waiter leaves without a try (its deadline, an abort), the notify is
// passed on at once. Every sleep on these words is bounded anyway (blocking
// waiters: a slice or a nap; here a slice), so a wake lost with a waiter
// whose event loop is blocked costs a slice, not a hang. Measured
// (3 blocking getters and 3 main-thread getAsync calls behind a held
// HEAD, 6 items, time from the release to the last blocking getter's item,
// 8 trials, load 7-11): 3-24 ms with the main loop free; 8-101 ms, 5 of 8
// at 38-53 ms (a slice end), with the loop busy 300 ms after the release:
// one blocked async caller costs every blocking waiter behind it up to a
// slice per wake it took (main had no such cost: an async caller never
// slept on a turn word there).
// A timeout: the wait's deadline is the call's; a slice end (SLICE) sends
// the call back to its try, whose spin ends with the death check of the
// holder (acquireHead's holderDead, the Lock's takeover); TAIL names no
// holder (_turn.ts "A holder that stops"), so behind a TAIL that never
// comes back an async put waits until its deadline, untimed ones for good,
// as an untimed blocking put does (an unbounded queue's put that then
// grows waits for TAIL the same way: _grow_wait.ts). Shutdown: a put's try
// reads CLOSED in TAIL (or SHUTDOWN under the Lock) and reports it;
// shutdown's own wait for the turn (awaitTurn) marks and sleeps like any
// contender, and the release that lets it in notifies as above. The
// holder's death: taken over by the try that follows the slice (or the
// wake), never here.
// Counted wakes (_registered.ts): the async call waits here unregistered
// (enterGet/enterPut abandon their registration before they report BUSY),
// so GET_WAITERS and PUT_WAITERS count nobody asleep on a turn.
// The convoy (_head.ts): a release wakes one or two sleepers; an async
// waiter woken runs when its event loop gets to it, and passes the wake on
// after its try, so a queue of async waiters is served one release at a
// time as blocking ones are, not all at once.
//
// A call with `block: false` (getAsync({ block: false }), ...) waits for a
// holder that copies as a nowait call does, IDLE_GRACE ms at most
// (_decoding.ts), but here, off the event loop (retryHeld); a holder inside
// a custom decode makes it reject at once, as before. An unbounded queue's
// put (its segment try has HOLD_END, _decoding.ts) waits until its call's
// deadline instead, however far: it must not report Full for a slow holder.

import { waitAsync, waitSync } from "../_core/wait.ts";
import type { Acquire } from "../_core/wait.ts";
import { CONTENDED as LOCK_MARK } from "../sync/_holder.ts";
import { DECODING, HOLD_END, holdUntil, IDLE_GRACE } from "./_decoding.ts";
import { HEAD, HOLDER, LOCK, type Store, TAIL } from "./_layout.ts";
import { CONTENDED, LOCKED } from "./_turn.ts";

// The longest wait before the call tries again (the wait helper's slice).
const SLICE = 50;

/** The word a try of `store` (a put: `put`) found held (see the table). */
export function heldWord(store: Store, put: boolean): number {
  return store.lockWord ?? (put ? TAIL : HEAD);
}

/**
 * Whether a custom decode (HOLDER's DECODING, _decoding.ts) holds the turn
 * a try of `st` (a put: `put`) waits for: a get's (HEAD, LOCK) or a locked
 * store's put (LOCK); never a ring's put, whose TAIL no decode holds.
 */
export function decodeHolds(
  st: { readonly h: Int32Array; readonly store: Store },
  put: boolean,
): boolean {
  if (put && st.store.lockWord === undefined) return false;
  return (Atomics.load(st.h, HOLDER) & DECODING) !== 0;
}

/**
 * Waits off the event loop while word `i` of `h` stays held (see the file
 * header), until a release, a slice, `deadline` or `signal`. Returns true
 * when a release's notify woke this waiter: the caller then owes one wake
 * (passWake) after its next try.
 */
export async function awaitTurnAsync(
  h: Int32Array,
  i: number,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const v = markHeld(h, i);
  if (v === undefined) return false; // free: try
  // Why no lost wakeup: see the file header.
  return await waitAsync(h, i, v, sliceEnd(deadline), signal) === "ok";
}

/**
 * awaitTurnAsync's blocking form (an unbounded queue's blocking grow,
 * _grow_wait.ts): the same mark and slice, the thread blocked meanwhile;
 * uninterruptible (it spins where the thread may not block, as a turn's
 * wait does): the caller looks at its signal and cancel between slices.
 */
export function awaitTurnSync(
  h: Int32Array,
  i: number,
  deadline: number,
): boolean {
  const v = markHeld(h, i);
  if (v === undefined) return false;
  // Why no lost wakeup: see the file header.
  return waitSync(h, i, v, sliceEnd(deadline), undefined, false) === "ok";
}

/** The end of one wait of a slice at most, before `deadline`. */
function sliceEnd(deadline: number): number {
  const now = performance.now();
  return deadline < now + SLICE ? deadline : now + SLICE;
}

/**
 * Word `i` of `h` as held and marked (CONTENDED, or the Lock's mark: set
 * by compareExchange from the held value read), or undefined: it is free.
 */
function markHeld(h: Int32Array, i: number): number | undefined {
  const lock = i === LOCK;
  const mark = lock ? LOCK_MARK : CONTENDED;
  for (let v = Atomics.load(h, i);;) {
    if (lock ? v === 0 : (v & LOCKED) === 0) return undefined;
    if ((v & mark) !== 0) return v;
    const seen = Atomics.compareExchange(h, i, v, v | mark);
    if (seen === v) return v | mark;
    v = seen;
  }
}

/**
 * @ignore Internal QueueOptions key: a `block: false` try waits for a
 * copying holder until then at the latest (performance.now() ms): an
 * unbounded queue's segment try made for a timed call (_unbounded_put.ts
 * nowaitOf), so the call's deadline reaches that wait.
 */
export const GRACE_END: unique symbol = Symbol("threadkit.graceEnd");

let holding: Acquire | undefined; // graced()'s untimed HOLD_END wait

/**
 * `o` with the deadline the options' GRACE_END names, if any; or, for
 * options with HOLD_END (_decoding.ts), that deadline and the mark.
 */
export function graced(o: Acquire, options: unknown): Acquire {
  const x = options as
    | { [GRACE_END]?: number; [HOLD_END]?: number }
    | undefined;
  const hold = x?.[HOLD_END];
  if (hold !== undefined) {
    // The untimed one without a signal (SimpleQueue.put, putNowait) is
    // made once: no object a put.
    if (hold !== Infinity || o.signal !== undefined) {
      return { ...o, deadline: hold, [HOLD_END]: hold } as Acquire;
    }
    return holding ??= Object.freeze(
      { ...o, deadline: Infinity, [HOLD_END]: Infinity },
    ) as Acquire;
  }
  const end = x?.[GRACE_END];
  return end === undefined ? o : { ...o, deadline: end };
}

/** The wake a woken async waiter owes after its try (see the header). */
export function passWake(h: Int32Array, owed: number): -1 {
  if (owed >= 0) Atomics.notify(h, owed, 1);
  return -1;
}

/**
 * An async call with `block: false` whose first try found its turn (a
 * put's: `put`) held by a thread that copies: tries again (`attempt`) each time
 * the word is released, for IDLE_GRACE ms at most, without blocking the
 * event loop; returns the last try's result (`busy` when it stayed held,
 * or a decode holds it: decodeHolds).
 */
export async function retryHeld<T>(
  st: { readonly h: Int32Array; readonly store: Store },
  put: boolean,
  o: Acquire,
  busy: T,
  attempt: () => T,
): Promise<T> {
  const h = st.h, i = heldWord(st.store, put);
  // IDLE_GRACE, or less: the deadline graced() gave (an unbounded queue's
  // segment try for a timed call); a caller's own nowait has none.
  // A put's try with HOLD_END (_decoding.ts): until its deadline, however
  // far (graced() set it).
  const grace = performance.now() + IDLE_GRACE;
  const idle = o.deadline < grace || (put && holdUntil(o) !== undefined)
    ? o.deadline
    : grace;
  for (;;) {
    if (decodeHolds(st, put)) return busy;
    if (performance.now() >= idle) return busy;
    const owed = await awaitTurnAsync(h, i, idle, o.signal) ? i : -1;
    let x: T;
    try {
      x = attempt();
    } finally {
      passWake(h, owed);
    }
    if (x !== busy) return x;
  }
}
