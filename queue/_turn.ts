// Copyright 2026 the threadkit authors. MIT license.
// A lock bit in a queue counter word: producers serialise on TAIL's LOCKED
// bit, and the structured ring's consumers on HEAD's. Taking the lock and
// reading the counter is one compareExchange; publishing the new counter and
// releasing the lock is another. So a batch of any size costs two atomics on
// the counter, and the items in between are plain typed-array copies.
//
// Counter word (TAIL or HEAD):
// | bits  | name      | meaning                                          |
// |-------|-----------|--------------------------------------------------|
// | 0-27  | POSITION  | the counter, modulo M (<= 2^28)                   |
// | 28    | LOCKED    | a thread holds the lock                          |
// | 29    | CONTENDED | a thread waits (Atomics.wait) for the lock       |
// | 30    | CLOSED    | TAIL only: shutdown; every later acquire fails   |
//
// States:
// free(p)            -acquire: CAS p -> p|LOCKED->              locked(p)
// locked(p)          -contender, after spinning: CAS |CONTENDED, wait on the word
// locked(p)[|CONT]   -release: CAS -> q (the new counter); notify(1) if CONT
// any                -shutdown: Atomics.or CLOSED (TAIL)
// A woken waiter acquires with LOCKED|CONTENDED set, since others may still
// sleep: its release wakes the next one (the futex mutex's "state 2" rule).
// A woken waiter that finds CLOSED (a putter) gives up, and notifies one
// more sleeper in its place for the same reason.
// Not FIFO: a spinning newcomer may beat a woken waiter.
//
// What the word publishes: the holder writes slots and side words with plain
// stores, then releases with a compareExchange (sequentially consistent). A
// thread that later reads the counter with an Atomics operation
// synchronises-with that release, so its plain reads of those slots see the
// writes. The next lock holder's acquire CAS does the same for the lock's
// plain state (the structured ring's byte offset).
//
// Why no lost wakeup: a contender sets CONTENDED with a compareExchange on the
// word and then waits while the word still has that exact value. The holder's
// release changes the word (it always stores a value without LOCKED), and
// its compareExchange reads CONTENDED atomically: either the contender's CAS
// came first (the release sees CONTENDED and notifies after changing the
// word) or the release came first (the contender's CAS fails on the changed
// word, and it retries the acquire instead of waiting).

// HEAD's consumers take the turn with acquireHead (_head.ts): the same
// protocol, plus the HOLDER word that names HEAD's holder (_decoding.ts).

import { waitSync } from "../_core/wait.ts";
import { corruptWord } from "./_corrupt.ts";

/** Mask of the counter in a TAIL/HEAD word. */
export const POSITION: number = (1 << 28) - 1;
/** A thread holds the word's lock. */
export const LOCKED: number = 1 << 28;
/** A thread sleeps waiting for the word's lock. */
export const CONTENDED: number = 1 << 29;
/** TAIL only: the queue is shut down; acquires fail. */
export const CLOSED: number = 1 << 30;

// Tries before a contender sleeps: a holder keeps the lock for a copy of a
// few hundred nanoseconds unless it is preempted.
const SPIN = 200;

/**
 * Takes the lock bit of word `i`, starting from the guess `v` (the caller's
 * last known free value: right, it costs one compareExchange). Returns the
 * word as locked (counter in POSITION), or -1 if CLOSED is set and `closed`
 * is false.
 */
export function acquireTurn(
  h: Int32Array,
  i: number,
  v: number,
  closed = false,
): number {
  let spins = 0;
  let extra = 0; // CONTENDED once this thread has slept
  for (;;) {
    if ((v & CLOSED) !== 0 && !closed) {
      // A release's notify(1) may have picked us: others (shutdown's
      // awaitTurn among them) may still sleep, so pass the wake on.
      if (extra !== 0) Atomics.notify(h, i, 1);
      return -1;
    }
    if ((v & LOCKED) === 0) {
      // A free word never has CONTENDED (releases clear it).
      const want = v | LOCKED | extra;
      const seen = Atomics.compareExchange(h, i, v, want);
      if (seen === v) return want;
      v = seen;
      continue;
    }
    if (spins++ < SPIN) {
      v = Atomics.load(h, i);
      continue;
    }
    if (v < 0) { // a word no put writes (_corrupt.ts): never sleep on it
      if (extra !== 0) Atomics.notify(h, i, 1);
      throw corruptWord("TAIL", v);
    }
    if ((v & CONTENDED) === 0) {
      const seen = Atomics.compareExchange(h, i, v, v | CONTENDED);
      if (seen !== v) {
        v = seen;
        continue;
      }
      v |= CONTENDED;
    }
    // Uninterruptible: the holder is about to release, and shutdown must
    // get through here too. Loops on spurious wakeups via the re-read.
    waitSync(h, i, v, Infinity, undefined, false);
    extra = CONTENDED;
    v = Atomics.load(h, i);
  }
}

/**
 * Releases the lock of word `i` taken as `locked`, storing the counter
 * `next` (keeps CLOSED if shutdown set it meanwhile; wakes one sleeper).
 */
export function releaseTurn(
  h: Int32Array,
  i: number,
  locked: number,
  next: number,
): void {
  let v = locked;
  for (;;) {
    const seen = Atomics.compareExchange(h, i, v, next | (v & CLOSED));
    if (seen === v) break;
    v = seen; // a contender set CONTENDED, or shutdown set CLOSED
  }
  if ((v & CONTENDED) !== 0) Atomics.notify(h, i, 1);
}

/** Waits until no thread holds word `i`'s lock (used by shutdown). */
export function awaitTurn(h: Int32Array, i: number): void {
  const v = Atomics.load(h, i);
  if ((v & LOCKED) === 0) return;
  const locked = acquireTurn(h, i, v, true);
  releaseTurn(h, i, locked, locked & POSITION);
}
