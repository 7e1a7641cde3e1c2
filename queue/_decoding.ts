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
// |      |          | whole hold; locked stores: the store lock's holder     |
// |      |          | while it decodes (the Lock word always names it)       |
// | 30   | DECODING | the holder is inside a custom codec's decode           |
// | 31   | WAITING  | a thread sleeps on this word for the decode to end     |
//
// States (FIFO ring; the locked stores skip the plain IDENT steps):
// 0 -HEAD acquire, then plain store->            T
// T -decodeStart (Atomics.store)->               T|DECODING
// T|DECODING -a waiter (CAS)->                   T|DECODING|WAITING
// T|DECODING[|WAITING] -decodeEnd (exchange)->   T, notify all if WAITING
// T -plain store, then HEAD release->            0
// T[|...] with T dead -a waiter (CAS d->0)->     0: that waiter now holds
//                                                the lock (takeOver)
// Idents stay below 2^30 (the Lock word makes the same assumption).
//
// Why a waiter never takes over a live holder: it takes over only by a
// compareExchange of HOLDER from the value d it read, after it saw d's
// thread dead (an Atomics load of the runtime's thread table, which the
// dying thread, its watcher or its starter writes after the thread stopped
// running queue code). A holder clears HOLDER (plain store of 0, or exchange
// after a decode) before it releases the lock, in program order before its
// end is recorded; so that clear happens-before the waiter's CAS, which
// therefore cannot read d unless d's thread never cleared it, that is,
// never released the lock it took. Idents are never reused, so no later
// holder writes d. A plain store racing with a waiter's read only makes the
// waiter read 0 or an older value: it then does not take over (0), or its
// CAS fails (an older holder's ident), and it looks again a slice later.
// A holder that dies between its acquire and its IDENT store, or between
// its clear and its release (no user code runs there: only running out of
// memory can end a thread at those points), is not seen: a known gap.
//
// Why no lost wakeup: a waiter sleeps only on a value with WAITING that it
// saw or set by compareExchange, and decodeEnd's exchange both changes the
// word and reads WAITING (the futex mutex's rule, as in _turn.ts).

import { waitAsync, waitSync } from "../_core/wait.ts";
import { currentIdent, identAlive } from "../_core/runtime.ts";
import { HOLDER } from "./_layout.ts";

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

// Longest sleep on HOLDER before the caller looks again (its deadline, the
// holder's life); the wait helper's slice.
const SLICE = 50;

let me = 0;
/** This thread's ident, read once. */
export function holderIdent(): number {
  return me || (me = currentIdent());
}

/** The holder (ident `id`) enters a custom decode. */
export function decodeStart(h: Int32Array, id: number): void {
  Atomics.store(h, HOLDER, id | DECODING);
}

/**
 * The holder leaves its decode: HOLDER becomes `after` (the ring: its
 * ident; the locked stores: 0), and the threads that wait for it wake.
 */
export function decodeEnd(h: Int32Array, after: number): void {
  // Why no lost wakeup: see the file header.
  if (Atomics.exchange(h, HOLDER, after) < 0) Atomics.notify(h, HOLDER);
}

/** Whether the thread named by HOLDER value `d` has ended (slow: a scan). */
export function holderDead(d: number): boolean {
  const ident = d & IDENT;
  return ident !== 0 && !identAlive(ident);
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
