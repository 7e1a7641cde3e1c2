// Copyright 2026 the threadkit authors. MIT license.
import { CONTENDED } from "./_holder.ts";

// Lock's adaptive spin (sync/lock.ts, #acquireSlow): how many times a
// blocking acquirer that found the lock held looks at it again before it
// sleeps. A sleep and its wake cost a futex wait, a notify and a thread
// wake-up (5-50 µs here); a critical section is usually shorter, so a short
// spin often gets the lock without them. But a spin that gets the lock from
// a thread that wants it right back (two threads acquiring in a loop) only
// trades the lock, and its data's cache lines, between them: a futex mutex
// that never spins (bench/_futex.ts) handed it over 121 times per 1000
// pairs where Lock's fixed 100-load spin did 213 (issue 13's figures).
// So the spin is per handle (each thread has its own handle of a lock, so
// per lock and thread) and learns.
//
// What others do:
// - glibc's adaptive mutex (PTHREAD_MUTEX_ADAPTIVE_NP,
//   nptl/pthread_mutex_lock.c) spins at most min(max_adaptive_count, 2 *
//   __spins + 10) trylocks (max_adaptive_count: the tunable
//   glibc.pthread.mutex_spin_count, 100 by default) and moves the mutex's
//   __spins an eighth of the way to the count each contended acquire took:
//   an estimate of how long the lock takes to come free, raised by a spin
//   that ran out. It never spins less than 10.
// - HotSpot's monitors (ObjectMonitor::TrySpin) keep a spin duration per
//   monitor that a spin that acquired raises by a bonus and one that failed
//   lowers by a penalty, and probe with a short spin when it has fallen to
//   nothing.
// - WebKit's WTF::Lock (LockAlgorithm::lockSlow) spins up to 40 times,
//   yielding the CPU each time, and only while no thread is parked; Rust's
//   parking_lot (RawMutex::lock_slow, SpinWait) likewise spins only while
//   none is parked, 10 rounds of growing backoff, then parks.
//
// threadkit's policy, HotSpot's shape with glibc's bound:
// - Never spin on a lock marked CONTENDED (someone sleeps on it, or took it
//   from its last holder), as WebKit and parking_lot; finding it so at the
//   start of a slow acquire also halves the budget (lost): the lock just
//   changed hands under this thread's own acquire, the sign of two threads
//   that want it back at once.
// - Spin at most `budget` loads (SPIN_MAX = glibc's default bound, 100). A
//   spin that runs out halves the budget (lost). A spin that takes the lock
//   adds WON_BONUS (won), unless this thread's previous spin win on the
//   lock was less than TRADE_MS ago: then the two threads are trading the
//   lock at spin speed, each taking it the moment the other lets go, and
//   the win counts as a loss. That is the signal the others lack: in a hot
//   two-thread loop a spin wins within a few loads almost every time (6
//   loads a win, measured), so "won" alone raises the budget to its bound,
//   while each win is a handoff that moves the lock's and the data's cache
//   lines and makes the loser take the slow path next; sleeping instead
//   lets one thread run alone with hot lines until it is woken, the futex
//   mutex's regime. TRADE_MS is a few times what a win saves (a sleep and a
//   wake-up: 3-25 µs here). The clock is read only on a spin win.
// - A budget of 0 does not spin, except once every PROBE_EVERY slow
//   acquires, when it looks PROBE_LOADS times (HotSpot's probe), so a lock
//   whose contention has changed can win the spin back.
// Additive increase, multiplicative decrease: in a hot two-thread loop the
// budget falls to 0 and Lock behaves as the futex mutex; where the lock
// comes free within the budget now and then (a critical section that
// another thread holds briefly), wins keep it up. The cost: two threads that
// collide more often than every TRADE_MS with work outside the lock (which
// a spin would overlap) sleep as the futex mutex does.
//
// A spinner that gets the lock marks it CONTENDED, so the next contender
// sleeps and the releaser barges back in with a hot cache (a futex mutex's
// regime); unmarked, two looping threads kept stealing it in their spins,
// handing it (and its data's lines) over every few pairs.
//
// The budget is a plain field of the handle's Spin, read and written only by
// its thread: no shared-memory traffic and no ordering to argue. It changes
// only how long a thread polls before it sleeps, never what it does with the
// lock word, so Lock's state machine and its no-lost-wakeup argument
// (sync/lock.ts) are untouched: a spin that takes the lock takes it with the
// CONTENDED mark, as before.

/** Most loads a spin makes (glibc's default max_adaptive_count). */
export const SPIN_MAX = 100;
/** A handle's budget before its first slow acquire. */
export const SPIN_START = 16;
/** What a spin that took the lock adds to the budget. */
export const WON_BONUS = 1;
/** Spin wins closer together than this (ms) trade the lock: a loss. */
export const TRADE_MS = 0.05;
/** At budget 0, one slow acquire in this many (a power of two) probes. */
export const PROBE_EVERY = 16;
/** Loads a probe makes. */
export const PROBE_LOADS = 2;

/**
 * The budget after a spin that took the lock, `since` ms after this
 * thread's previous spin win on the lock (Infinity for none).
 */
export function won(budget: number, since: number): number {
  if (since < TRADE_MS) return lost(budget);
  const next = budget + WON_BONUS;
  return next > SPIN_MAX ? SPIN_MAX : next;
}

/** The budget after a spin that ran out, or a lock found marked. */
export function lost(budget: number): number {
  return budget >> 1;
}

/** One Lock handle's spin (so per lock and thread): its budget and probes. */
export class Spin {
  /** Loads the next spin may make. */
  budget: number = SPIN_START;
  #probes = 0;
  #wonAt = -Infinity;

  /**
   * The spin of a blocking acquire of `id` that found the lock word
   * `view[0]` at `state`: polls it while it is held and not CONTENDED, as
   * long as the budget says, and takes it when it comes free (CAS 0 ->
   * id|CONTENDED: the mark, sync/lock.ts). Returns true when it took it.
   */
  spun(view: Int32Array, state: number, id: number): boolean {
    if (state >= CONTENDED) {
      this.budget = lost(this.budget); // no spin
      return false;
    }
    let budget = this.budget;
    if (budget === 0 && (++this.#probes & (PROBE_EVERY - 1)) === 0) {
      budget = PROBE_LOADS;
    }
    let i = 0;
    for (; i < budget; i++) {
      if (
        state === 0 &&
        Atomics.compareExchange(view, 0, 0, id | CONTENDED) === 0
      ) {
        // Taken: from here on nothing may keep the true from the caller. A
        // stack overflow in the bookkeeping below (the clock read, won())
        // would throw with the lock held and no caller that knows it holds
        // it; the catch makes no call (a handler runs at the depth where a
        // call overflowed) and only skips the budget's update, which is
        // advice (the next slow acquire starts from the old budget).
        try {
          const now = performance.now();
          this.budget = won(this.budget, now - this.#wonAt);
          this.#wonAt = now;
        } catch {
          // the budget stays as it was
        }
        return true;
      }
      state = Atomics.load(view, 0);
      if (state >= CONTENDED) break;
    }
    if (i === budget) this.budget = lost(this.budget);
    return false;
  }
}

// The back-off of a sleep that did not happen (sync/lock.ts, #acquireSlow).
// A waiter marks the lock CONTENDED and calls Atomics.wait on the marked
// word; when the holder releases and takes the lock again before the wait
// call has entered its sleep (a pair takes 20-40 ns, a wait call that
// returns at once 60-150 ns on Deno 2.9, more with its 50 ms timeout), the
// wait returns "not-equal" without sleeping, and the waiter marks the lock
// again. In a hot two-thread loop that was 94% of Lock's waits
// (bench/lock_counts.ts: 100-122 waits per 1000 pairs, 6 of them slept), and
// each mark costs the holder a notify at its next release (164-203 per 1000
// pairs, 6 of them woke anyone) and leaves the lock free while that notify
// runs, which the churning waiter takes: a handoff, after which the two swap
// roles. (The futex mutex of bench/_futex.ts churns too: 31-39 waits per
// 1000 pairs, 23-31 of them at once.) So a waiter whose wait returned
// "not-equal" and that finds the lock held again pauses before it looks
// again, in a plain local loop that touches no shared memory (the holder
// keeps the lock's cache line): the holder runs on with no notifies, and the
// waiter marks the lock once per pause instead of every few holder pairs.
//
// The pause is PAUSE_TURNS loop turns, the same after every such wait
// (about 1.1-1.3 us here, Deno and Node alike: 7-8 ns a turn). Its length is the
// trade between speed and fairness: the longer the pause, the longer the
// holder runs alone and the less often the lock changes hands. Measured
// against the futex mutex (issue-13-lock6; `bench/wake_ab.ts --rows=lock-2`,
// Deno, bench process at real-time priority, one process per line unless
// said, each a same-process A/B of a setting, the futex mutex and the tree
// before; speed, then handoffs per 1000 pairs, as ratios to the futex
// mutex's): the tree before's pause, doubling from 512 turns to 4096,
// 1.12-2.17x, 0.16-0.64x (46 processes, 7 in the band); fixed 256 turns
// 1.25x, 0.39x; 192 1.12-1.48x, 0.46-0.77x (6, 5 in the band); 176
// 1.03-1.50x, 0.47-0.73x (3, 2); 160 1.00-1.08x, 0.65-1.32x (3, 3); 128
// 0.90-1.33x, 0.63-1.55x (7, 6); 96 0.97-1.29x, 0.53-0.90x (3, 3); one pause
// of 256 or 512 turns per acquire, then the futex mutex's protocol,
// 1.12-1.57x, 0.39-0.91x (6, 5) and 1.30-1.57x, 0.43-0.74x (4, 3); a pause
// halving from 512 or 1024 turns to 0 1.36-1.69x, 0.35-0.53x (3, 1) and
// 1.68-2.17x, 0.18-0.28x (3, 0). The futex mutex's own handoffs spread over
// 64-178 per 1000 pairs between processes, a fixed pause's less, so the
// handoff ratio's spread is mostly the futex mutex's. PAUSE_TURNS is the
// middle of the settings that stayed in the row's band (>= 0.9x the speed,
// 0.5x-2x the handoffs) on Deno. It does not stay there in every process:
// in the suite's own row (bench/limits.ts, 3 processes per runtime) Deno
// 1.17-1.31x, 0.66-0.98x, Node 1.31x/0.68x, 1.80x/0.30x, 0.96x/0.50x
// (0.497); on Node in 5 of 12 processes in all, 96, 128 and 200 turns 2 of
// 3 each, and the speed fell to 0.78x and 0.90x in two. On Node the futex
// mutex's own handoffs spread over 55-216 per 1000 pairs between
// processes, and where it hands over most it is slowest, so the processes
// that miss the handoff band are mostly those where Lock runs fastest. The
// doubling pause missed it further (0.16-0.64x on Deno, 46 processes).
//
// The price: a lock freed during a pause stays free until the pause ends
// (the waiter's mark was consumed, so nobody notifies it), at most one
// pause. The pause only delays the waiter's next load: what it does with the
// word, and so the state machine and the no-lost-wakeup argument of
// sync/lock.ts, are unchanged; each wait call between pauses still checks
// the deadline, the signal and the thread's cancellation, so a timed acquire
// ends (and a cancel is seen) at most one pause late. Python's Lock promises
// no fairness; the pause keeps Lock's about the futex mutex's.

/** Loop turns of a waiter's pause after a "not-equal" wait. */
export const PAUSE_TURNS = 160;

// Where a pause's loop leaves its result, so no compiler drops the loop.
let sink = 0;

/**
 * Busy-waits `turns` (default PAUSE_TURNS) turns of a plain local loop (no
 * shared memory, no atomics).
 */
export function pause(turns: number = PAUSE_TURNS): void {
  let x = sink;
  for (let i = 0; i < turns; i++) x = (x * 31 + i) | 0;
  sink = x;
}
