// Copyright 2026 the threadkit authors. MIT license.
// An unbounded queue's async waits for a grow (_chain.ts growAsync,
// awaitGrowAsync; _unbounded.ts, _unbounded_put.ts): every one is bounded
// by the call's deadline and signal, and none holds anything across its
// await.
//
// growAsync (a put found the newest segment s full, or its item too large):
// (1) await TAIL of s free (awaitTailFree: marks CONTENDED, sleeps off the
//     event loop; _held_turn.ts's pair, so no wake is lost), until the
//     call's deadline or its signal;
// (2) await the chain's LOCK (Lock.acquireAsync), the same bound;
// (3) under LOCK, with no await between: if another thread grew (or shut
//     the queue down) meanwhile, #grow only says so; else if TAIL is held
//     again (a put took it after (1); LOOKS loads), let LOCK go and go
//     back to (1); else grow (#grow:
//     make s + 1 unpublished, retire s: its shutdown ORs CLOSED into TAIL
//     and waits for TAIL, which only a put that took it between (3)'s look
//     and CLOSED can hold, for its copy; publish s + 1), release LOCK.
// Past the deadline at (1) or (2) the put throws QueueFullError (a timed
// put's refusal, as a bounded queue's); an abort rejects as the wait does
// (the signal's reason, AbortError); a cancel as every wait. Either leaves
// the queue as the put found it: the item was refused by segment s before
// (1) (its references released then, _accept.ts), and nothing of the grow
// happened (every step that changes shared memory is in (3), synchronous,
// after the last await). Nothing is undone, so nothing can be half-undone.
// Why (1) before (2): LOCK is not held across a wait for another thread's
// TAIL, so a grower whose wait ends lets no other grower or awaitGrow
// caller wait behind it, and no sync call of this thread (a put that finds
// s retired takes LOCK synchronously, Chain.awaitGrow) ever meets LOCK held
// by one of this thread's pending async calls: a Lock is not reentrant, so
// that sync call would wait for good with the event loop frozen.
// A thread that dies in (3) holding LOCK: as before (_chain.ts #repair).
// A `block: false` put waits IDLE_GRACE ms at most, as for a holder that
// copies (retryHeld), then reports Full.
//
// awaitGrowAsync (a put or get found s retired and no s + 1 yet): awaits
// LOCK, held by the grower until s + 1 is published, bounded the same way
// (and by 60 s, as before: the caller looks again); then the caller looks
// again (stuck(): Full or Empty past its deadline, or with block false).

import type { Acquire, AcquireOptions } from "../_core/wait.ts";
import { IDLE_GRACE } from "./_decoding.ts";
import { awaitTurnAsync, passWake } from "./_held_turn.ts";
import { TAIL } from "./_layout.ts";
import { LOCKED } from "./_turn.ts";
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
 * growAsync's waits (see the header): `take` the chain's LOCK (false: not
 * by the deadline), then `grow` under it (synchronous; at once if `done`:
 * another thread grew or shut the queue down meanwhile, and grow only
 * says so), `release` it.
 */
export async function growWhenFree<R>(
  tail: Int32Array,
  o: Acquire,
  take: (w: AcquireOptions) => Promise<boolean>,
  done: () => boolean,
  grow: () => R,
  release: () => void,
): Promise<R> {
  const end = growDeadline(o);
  for (;;) {
    if (
      !(await awaitTailFree(tail, end, o.signal)) ||
      !(await take(lockWait(end, o)))
    ) throw new QueueFullError();
    try {
      // (3): no await from this look to CLOSED (#grow's shutdown).
      if (done() || tailFreeSoon(tail)) return grow();
    } finally {
      release();
    }
  }
}

/** awaitGrowAsync's wait for LOCK (see the header); true: taken. */
export function takeForGrow(
  o: Acquire,
  take: (w: AcquireOptions) => Promise<boolean>,
): Promise<boolean> {
  const end = Math.min(growDeadline(o), performance.now() + GROW_LOOK);
  return take(lockWait(end, o));
}
