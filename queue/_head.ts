// Copyright 2026 the threadkit authors. MIT license.
// Taking HEAD's turn, the structured FIFO ring's consumer lock (_turn.ts
// has the lock bits, their states and releaseTurn). A get holds it across a
// custom decode, so besides acquireTurn's protocol a consumer here looks at
// the HOLDER word (_decoding.ts) once it stops spinning:
// - a holder that has ended (holderDead) is taken over (its item stays
//   first, since a holder moves HEAD only when it releases): a
//   compareExchange of HOLDER (clearDead), then TAKEN flipped in HEAD;
// - a holder inside a custom decode is waited for only until the call's
//   `until` (nowait calls: GRACE ms; async calls' tries: not at all),
//   sleeping on HOLDER, which the decode's end notifies;
// - any other holder only copies bytes: it is waited for as acquireTurn
//   does (sleeping on HEAD with CONTENDED), until idleUntil (see below):
//   untimed and timed blocking calls a slice at a time (bounded by the
//   deadline), nowait calls in naps of NAP ms, so that a decode that
//   starts meanwhile is seen (they wait for a decode less long than for a
//   copy: GRACE, against IDLE_GRACE). An async call's try (NO_WAIT) does
//   not wait past its spin: it reports BUSY_COUNT, and the call awaits
//   HEAD off the event loop (_held_turn.ts), where it marks CONTENDED and
//   owes the hand-off's wake after its next try.
//   A blocking call waits for either until its deadline (idleUntil is
//   `until`), so a decode it does not see changes nothing: the release
//   that ends it wakes the call as any release does. Naps there cost a
//   wake a millisecond per waiting consumer: with 50 consumers behind a
//   preempted holder on 2 cores, 3,800-15,000 naps a 10,000-item run that
//   took the CPU the holder needed (bench/_sq_probe.ts; BENCHMARKS.md).
//   Slices keep the turn's convoy, which is this design's: a release wakes
//   one sleeper, the others sleep on while the turn is free, so behind a
//   preempted holder each handoff costs a woken thread's scheduling delay
//   (100 ms and more with 100 threads on 2 cores at load 40). So a release
//   that leaves more than one item (TAIL read after its compareExchange)
//   wakes two sleepers: the second, woken while the first holds the turn,
//   spins on HEAD and takes the turn at that release instead of waiting
//   for a wake of its own; the one that loses sleeps again (CONTENDED).
//   SimpleQueue, 4 producers, 20,000 items, time over one wake a release:
//   8 consumers 0.80-0.95x, 50 consumers 0.70-1.14x (median 0.76x), 3
//   processes each, load 17-35. Waking one a queued item (every sleeper,
//   with a backlog) did not pay: 50 consumers 1.43x, 4x the wakes on HEAD,
//   most of them finding the turn held (bench/wake_count_ab.ts).
//
// States of a waiting consumer (v: HEAD as last read; d: HOLDER):
// v free              -CAS v -> v|LOCKED|extra->        holds the turn
// v locked, spinning  -SPIN loads, while d not DECODING-> v locked, slept
// d's thread ended    -clearDead(d) won, TAKEN flip->     holds the turn (v
//                                                 with TAKEN flipped)
// d DECODING, now >= until                          -> BUSY_COUNT
// d DECODING, until finite -awaitDecodeSync->            look again
// d not DECODING, now >= idle (idleUntil; an async
//   call's try: at once)                            -> BUSY_COUNT
// else -CAS v|CONTENDED, waitSync on HEAD (a slice up to the deadline,
//       or a NAP: see above; a registered getter's re-try sleeps off
//       GET_WAITERS, _registered.ts)->                     look again
// HEAD's bit 30 (TAKEN, unused by _turn.ts for HEAD) flips at each
// takeover and is kept by every release (releaseHead), so the word of a
// hold that was taken over never comes back: releaseHead refuses (throws
// TakenOverError, leaves HEAD alone) when bits other than CONTENDED differ
// from the word it locked, instead of overwriting whatever it finds. The
// holder that lost its turn normally never gets there (its HOLDER steps
// fail first, _decoding.ts); this is the second line. Two takeovers during
// one hold would flip TAKEN back: only its position then tells them apart.
// A holder with no HOLDER mark yet (it died between its acquire and its
// store of HOLDER: only running out of memory ends a thread there) is
// waited for as a copying holder: without limit by untimed calls, and
// otherwise until idleUntil (_decoding.ts: a timed call's deadline, a
// nowait call's IDLE_GRACE ms; an async call's try not at all, its call
// awaiting HEAD off the event loop until its deadline, _held_turn.ts);
// then the call reports the queue busy, as behind a decode (never a hang).
//
// A consumer that gives up (BUSY_COUNT) after sleeping on HEAD may have
// taken a release's notify: it passes one on (as acquireTurn does when it
// finds CLOSED).
//
// Why no lost wakeup: on HEAD, acquireTurn's argument (we sleep only on the
// CONTENDED value we saw or set; a release changes the word and reads
// CONTENDED in one compareExchange, then wakes one or two); every woken
// consumer acquires with CONTENDED, so the release of whichever takes the
// turn wakes the next; on HOLDER, _decoding.ts's. Every sleep
// is also bounded (a slice or a nap), so a wake that goes astray costs at
// most that long.

import { type Acquire, waitSync } from "../_core/wait.ts";
import {
  awaitDecodeSync,
  clearDead,
  DECODING,
  GRACE,
  holderDead,
  idleUntil,
  TakenOverError,
} from "./_decoding.ts";
import {
  BUSY_COUNT,
  HEAD,
  HLAPS,
  HOLDER,
  MODULUS,
  NOWAIT_UNTIL,
  OPEN,
  SHUTDOWN,
  TAIL,
  waitUntil,
} from "./_layout.ts";
import { CONTENDED, LOCKED, POSITION } from "./_turn.ts";
import { corruptWord, holderValid } from "./_corrupt.ts";
import { sleepOff } from "./_registered.ts";

// Tries before a consumer stops spinning (acquireTurn's SPIN).
const SPIN = 200;
// The slice of a blocking call's wait (the wait helper's), and the nap of
// a nowait call behind a holder that is not decoding (see the file header).
const SLICE = 50;
const NAP = 1;

/** HEAD only: flips at each takeover of the turn (see the file header). */
export const TAKEN: number = 1 << 30;

/**
 * Takes HEAD's turn, starting from the guess `v` (the caller's last known
 * free value: right, it costs one compareExchange). Returns the word as
 * locked, or BUSY_COUNT when a holder inside a custom decode kept it past
 * the `until` of wait `w` (waitUntil, Store.tryPut in _layout.ts).
 */
export function acquireHead(
  h: Int32Array,
  v: number,
  w: Acquire | undefined,
): number {
  let spins = 0;
  let extra = 0; // CONTENDED once this thread has slept on HEAD
  let until = NaN; // waitUntil(w), read once a holder is met after spinning
  let idle = Infinity; // when to stop waiting for any holder (idleUntil)
  for (;;) {
    if ((v & LOCKED) === 0) {
      // A free word never has CONTENDED (releases clear it).
      const want = v | LOCKED | extra;
      const seen = Atomics.compareExchange(h, HEAD, v, want);
      if (seen === v) return want;
      v = seen;
      continue;
    }
    const d = Atomics.load(h, HOLDER);
    if (spins++ < SPIN && (d & DECODING) === 0) {
      v = Atomics.load(h, HEAD);
      continue;
    }
    if (until !== until) {
      until = waitUntil(w);
      idle = idleUntil(until);
      if (until === NOWAIT_UNTIL) until = performance.now() + GRACE;
    }
    if (v < 0 || !holderValid(d)) { // never written so (_corrupt.ts)
      if (extra !== 0) Atomics.notify(h, HEAD, 1);
      throw v < 0 ? corruptWord("HEAD", v) : corruptWord("HOLDER", d);
    }
    if (holderDead(d)) {
      // Its item is still first: the turn is ours as the word stands (its
      // holder cannot release it after clearDead: _decoding.ts); mark it.
      if (clearDead(h, d)) {
        // TAKEN flipped in the locked word (only contenders' CONTENDED
        // marks race with it), inline: no call once the hold is ours, or an
        // overflow there would leave HEAD held with no HOLDER to take over.
        for (let u = Atomics.load(h, HEAD);;) {
          const seen = Atomics.compareExchange(h, HEAD, u, u ^ TAKEN);
          if (seen === u) return u ^ TAKEN;
          u = seen;
        }
      }
      v = Atomics.load(h, HEAD);
      continue;
    }
    if ((d & DECODING) !== 0 && until !== Infinity) {
      if (until === -Infinity || performance.now() >= until) {
        if (extra !== 0) Atomics.notify(h, HEAD, 1);
        return BUSY_COUNT;
      }
      awaitDecodeSync(h, d, until);
      v = Atomics.load(h, HEAD);
      continue;
    }
    if (performance.now() >= idle) { // see the file header
      if (extra !== 0) Atomics.notify(h, HEAD, 1);
      return BUSY_COUNT;
    }
    if ((v & CONTENDED) === 0) {
      const seen = Atomics.compareExchange(h, HEAD, v, v | CONTENDED);
      if (seen !== v) {
        v = seen;
        continue;
      }
      v |= CONTENDED;
    }
    // Uninterruptible, as acquireTurn's wait; loops on spurious wakeups via
    // the re-read. Why no lost wakeup: see the file header.
    // A blocking call: idleUntil returned its `until` (the deadline,
    // Infinity untimed); a nowait call's idle is later (see above).
    const blocking = idle === until;
    const now = performance.now();
    const end = blocking ? Math.min(until, now + SLICE) : now + NAP;
    // A registered getter's re-try sleeps here off GET_WAITERS (_registered.ts).
    const off = sleepOff(h);
    try {
      waitSync(h, HEAD, v, end, undefined, false);
    } finally {
      if (off >= 0) Atomics.add(h, off, 1); // sleepOn, inline: even if it threw
    }
    extra = CONTENDED;
    v = Atomics.load(h, HEAD);
  }
}

/**
 * Releases HEAD's turn taken as `locked`, storing the position `next` (its
 * TAKEN bit kept) and waking one sleeper, two if items are left. Throws TakenOverError, HEAD left
 * alone, if the word changed other than by a CONTENDED mark (the turn was
 * taken over: see the file header). `laps`: HLAPS to store first, under the
 * turn (the structured ring counts HEAD's wraps, _text_get.ts #release);
 * past its entry it makes no call, so a stack overflow stops it before it
 * has changed anything or not at all.
 */
export function releaseHead(
  h: Int32Array,
  locked: number,
  next: number,
  laps?: number,
): void {
  if (laps !== undefined) h[HLAPS] = laps; // plain: the release publishes it
  const want = next | (locked & TAKEN);
  let v = locked;
  for (;;) {
    const seen = Atomics.compareExchange(h, HEAD, v, want);
    if (seen === v) break;
    if (((seen ^ locked) & ~CONTENDED) !== 0) throw new TakenOverError();
    v = seen; // a contender set CONTENDED
  }
  if ((v & CONTENDED) !== 0) {
    // Two sleepers while items are left, else one (see the file header);
    // all of them when a shut-down queue is left empty: they can only
    // leave (an unbounded queue's retired segment, _unbounded.ts), and one
    // wake a release drained a crowd of k in k handoffs (2.1-2.6x the time
    // of 1 ms naps, 16 getters).
    const m = h[MODULUS];
    const left = ((Atomics.load(h, TAIL) & POSITION) - next + m) % m;
    const shut = left === 0 && Atomics.load(h, SHUTDOWN) !== OPEN;
    Atomics.notify(h, HEAD, left > 1 ? 2 : shut ? Infinity : 1);
  }
}
