// Copyright 2026 the threadkit authors. MIT license.
// The keep-alive of async waits and its tick (the wait helper's, _core/wait.ts;
// nothing else uses them): a pending Atomics.waitAsync does not keep a Deno
// or Node process alive, so while any async wait of this thread is pending
// one interval timer is ref'd; the same timer ticks every SLICE_MS and ends
// the long slices of async sleeps that are due (see "Long slices").

import { refTimer } from "./adapter.ts";
import { cancelRequested } from "./runtime.ts";
import type { Sleep } from "./sleep_options.ts";

// Long slices. An Atomics.waitAsync given a timeout costs more than one
// without, in both runtimes: V8 posts a delayed task for the timeout to the
// embedder's task runner, with its lock and, on Node, a wake of the event
// loop to arm a libuv timer; the task stays queued after a notify cancels
// it. Same process, raw waitAsync ping-pong with a 60 s timeout against none
// (bench/wake_ab.ts, the event-async row's two raw sides, per-round medians
// of 3 processes): the timed one took 1.14x, 1.06x, 1.20x the untimed one's
// time on Node 20 and 1.10x, 0.93x, 1.08x on Deno 2.9. So an async sleep
// that needs no slice end soon waits with no timeout at all (a "long
// slice"), and this thread's keep-alive timer, which ticks every SLICE_MS
// while async waits are pending, ends it when something is due:
// - a finite deadline within LONG_MS: the sleeper then sleeps in timed
//   slices (as before) for the rest, so a timeout ends on time, never by a
//   tick (a coarse Sleep times out at the first tick past its deadline);
// - this thread's cancellation, for an interruptible sleep (the slice bound
//   of _core/wait.ts's header: a cancel is seen within one tick).
// - its word no longer holds `expected`: a waker changed it and stopped
//   before its notify (_core/wait.ts, "A waker that stops"), or its notify went to
//   another waiter; the sleeper then sees the change within one tick, as a
//   timed slice's end would have shown it.
// An abort needs no tick: its listener notifies the word. A sleep with a
// death check (`check`) keeps timed slices: the check runs at slice ends.
// So does a sleep marked `deferredWakes` (wait_options.ts), whatever its
// check: a Condition notify deferred to the notifier's next Lock release
// (sync/_handoff.ts) may never be issued, and its grant is seen only when
// the sleeper re-reads SEQ at a slice end. The mark is explicit, not
// inferred from the holder check, so a Condition wait without that check
// still keeps its slices; Condition's ticket sleeps (sync/_tickets.ts)
// refuse a Sleep without the mark, and sleepAsync refuses it with `coarse`.
// The tick ends a long slice with Atomics.notify on the sleeper's word: a
// spurious wake for any other waiter on that word, which every caller of
// the helper tolerates (each re-checks its state; a sleeper whose word is
// unchanged sleeps again), and which happens only when a deadline
// approaches or a cancel came, not on every tick.
// Why no lost wakeup, and why a long slice always ends: the sleeper is in
// `longSleeps` from before it returns to the event loop until its promise
// settles (a notify's, the tick's or an abort's), and while it is there
// `pending` > 0, so the timer exists and ticks (hold() creates it; it is
// cleared only at `pending` 0). The wake itself is Atomics.waitAsync's, as
// for every sleep: it sleeps only while the word holds `expected`, and the
// notifier changes the word before it notifies. (LONG_MS, the registry
// and the tick: below.)

/**
 * Longest single Atomics.wait. It bounds how late a thread sees its
 * cancellation (nobody notifies the word it sleeps on for a cancel), and it
 * is a safety net for every wait, the main thread's and uninterruptible ones
 * included: a notify(1) can be taken by an async waiter whose thread is busy
 * in a blocking wait, and until that thread runs, the wake it took does
 * nothing. A sliced sleeper re-checks the word at the end of its slice and
 * returns "not-equal" if it changed, so such a stall lasts one slice at most
 * instead of forever. A blocked thread wakes 20 times a second at most,
 * which costs nothing.
 */
export const SLICE_MS = 50;

/**
 * An async sleep whose slice end is further away than this waits with no
 * timeout (a long slice), and the tick ends it once its deadline is within
 * this (below, "Long slices"): two ticks, so the switch to timed slices
 * comes at least one tick before the deadline.
 */
export const LONG_MS = 2 * SLICE_MS;

/** A pending long slice of an async sleep (see "Long slices" above). */
export interface LongSleep {
  readonly view: Int32Array;
  readonly index: number;
  readonly expected: number;
  readonly s: Sleep;
  readonly interruptible: boolean;
}
export const longSleeps = new Set<LongSleep>();

// Ends the long slices that are due (see "Long slices" above), and those whose
// word changed with no wake ("A waker that stops" in wait.ts: one load per
// pending long slice a tick). Reads the clock once a tick, and only while a
// long slice is pending.
function endDueSlices(): void {
  const now = performance.now();
  const cancel = cancelRequested();
  for (const l of longSleeps) {
    const d = l.s.deadline;
    if (
      l.interruptible && cancel ||
      (l.s.coarse === true ? now >= d : d - now <= LONG_MS) ||
      Atomics.load(l.view, l.index) !== l.expected // changed, no wake came
    ) {
      longSleeps.delete(l);
      Atomics.notify(l.view, l.index);
    }
  }
}

// Keep-alive for pending async waits: one interval per thread, ref'd while
// any async wait is pending and unref'd otherwise, so a process ends as soon
// as its last async wait has. Creating and clearing a timer around every
// wait cost a waitAsync ping-pong about 18% (measured); toggling the ref of
// one long-lived timer costs about 0.2 us (55 ns a ref + unref pair on one
// hot thread, measured again later). The unref runs on the woken path;
// leaving the timer ref'd and clearing it from its own tick instead took it
// off that path but made a process outlive its last async wait by up to a
// tick, and no wake-up A/B could tell the difference (bench/wake_ab.ts), so
// it stays.
// The interval ticks every SLICE_MS and ends due long slices (see "Long
// slices"). A tick that finds nothing pending, after one that found nothing
// either, clears the interval (the next wait creates one again), so an
// idle thread's event loop ticks at most twice for it after its last wait.
//
// At the end of the stack. The runtimes' timer calls are not atomic under a
// stack overflow: Deno's core refTimer sets the timer's ref flag, then
// counts it in a call (incRefCount, which refs the timer handle at its
// first count); Node's Timeout.ref and setInterval do the same in their
// own steps. An overflow between the steps left the keep-alive flagged
// ref'd but counted by nobody (every later ref a no-op: the loop ended with
// waits pending), or counted with the handle unref'd, or a new interval
// counted and never tracked (tests/_core/stack_end_keep_alive_test.ts). So
// the timer is made, ref'd and unref'd only in `sync`, a promise reaction:
// it runs from the microtask queue, at the bottom of the stack, before the
// event loop can look for work (so a wait that returned keeps the loop
// alive), and it sets the timer to what `pending` says then. hold() and
// unhold() only count and, when `pending` leaves or reaches 0, queue one
// `sync` if none is queued: a ref and an unref queued back to back (a
// ping-pong's unhold, then its next hold) cost one reaction and no timer
// call. Queueing a reaction is one builtin (PerformPromiseThen on a
// promise of our own, its `then` taken at load): it either queues or
// throws the overflow with nothing queued.
let pending = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;
let idleTicks = 0;
// The timer's ref as `sync` last set it; whether a `sync` is queued.
let refd = false;
let queued = false;
const RESOLVED = Promise.resolve();
const then = Promise.prototype.then; // as at load
const apply = Reflect.apply;

function tick(): void {
  if (pending > 0) {
    idleTicks = 0;
    if (longSleeps.size > 0) endDueSlices();
  } else if (++idleTicks >= 2) {
    clearInterval(keepAlive);
    keepAlive = undefined;
    refd = false;
    idleTicks = 0;
  }
}

// Deno creates its timers' machinery at the first setInterval of a thread:
// a first one made near the end of the stack (a program's first async wait
// there) overflowed inside that set-up, and no timer of the thread fired
// again (every later async wait stayed pending; measured, Deno 2.9.6; a
// bare setInterval there makes Deno panic). So one is made and cleared when
// this module loads, at the depth of a module's evaluation.
clearInterval(setInterval(tick, SLICE_MS));

// Sets the timer to what `pending` says (see "At the end of the stack"):
// from the microtask queue only.
function sync(): void {
  queued = false;
  const want = pending > 0;
  if (want) {
    if (keepAlive === undefined) {
      keepAlive = setInterval(tick, SLICE_MS); // made ref'd
      refd = true;
    }
    idleTicks = 0;
  }
  if (want === refd || keepAlive === undefined) return;
  refd = want;
  // Where timers cannot be unref'd (browsers), clear the timer when nothing
  // is pending (no long slice is pending then either).
  if (!refTimer(keepAlive, want) && !want) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

// Queues one `sync` unless one is; throws the overflow with nothing queued.
function queueSync(): void {
  if (!queued) {
    apply(then, RESOLVED, [sync]);
    queued = true;
  }
}

// Takes the keep-alive, or nothing when it throws (a stack overflow):
// `pending` counts only once the `sync` that refs the timer is queued, so a
// hold that threw needs no unhold (its callers call unhold only after it
// returned).
export function hold(): void {
  if (pending === 0) queueSync();
  pending++;
}

// Never throws: the `sync` that unrefs the timer, when it cannot be queued
// (a stack overflow), is the tick's clear of an idle timer instead.
export function unhold(): void {
  if (--pending === 0) {
    try {
      queueSync();
    } catch {
      // the tick clears the timer two idle ticks from now
    }
  }
}
