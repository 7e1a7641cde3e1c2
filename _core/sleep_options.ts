// Copyright 2026 the threadkit authors. MIT license.
// The lazily-timed `Sleep` that sleepSync/sleepAsync take, parsed from a
// wait's options by the rules of wait_options.ts (an already aborted signal
// throws first; bad input is a TypeError or RangeError); _core/wait.ts
// re-exports all of it.

import {
  checkOptions,
  checkSignal,
  rejectAborted,
  throwIfAborted,
  WAIT_CHECK,
  type WaitOptions,
} from "./wait_options.ts";

/**
 * A wait's validated options with its deadline fixed lazily: what
 * sleepSync/sleepAsync take. Each wait call creates its own (it is updated
 * as the wait goes on), except the shared one for "no timeout, no signal".
 */
export interface Sleep {
  /** Milliseconds the whole wait may last; Infinity for none. */
  readonly timeout: number;
  /**
   * The absolute deadline on the performance.now() clock, NaN until the
   * first time a sleep of this wait reads the clock (see timeLeft).
   */
  deadline: number;
  /** Whether a sleep of this wait has begun. */
  started: boolean;
  readonly signal: AbortSignal | undefined;
  /** Internal: the death check to run at each slice end (WAIT_CHECK). */
  readonly check?: () => void;
  /**
   * Internal, async sleeps only: the deadline may pass by up to one tick of
   * the thread's keep-alive timer (SLICE_MS) before the sleep times out, and
   * the sleep never arms a timer of its own (_core/keep_alive.ts, "Long slices").
   * For waits whose deadline is a chore's due time, not a caller's timeout
   * (the executor's reaper).
   */
  readonly coarse?: boolean;
  /**
   * Internal: a notify of this sleep's word may be deferred and never issued
   * (sync/_handoff.ts), so the sleep must re-read its word at timed slice
   * ends: never a long slice, check or not; refused with `coarse`
   * (_core/keep_alive.ts, "Long slices"). Condition's sleeps (sync/_tickets.ts).
   */
  readonly deferredWakes?: boolean;
}

/** A Sleep whose wakes may be deferred (see Sleep.deferredWakes). */
export type DeferredSleep = Sleep & { readonly deferredWakes: true };

/** The one Sleep that is never updated: no timeout, no signal, no check. */
const FOREVER: Sleep = Object.freeze({
  timeout: Infinity,
  deadline: Infinity,
  started: true,
  signal: undefined,
});

/**
 * A Sleep that sleepOptions may fill in place of a new one (`into`): a
 * blocking wait's own, reused from call to call (Condition.wait), so a
 * wait allocates nothing.
 */
export type SleepSlot = { -readonly [K in keyof Sleep]: Sleep[K] };

/** A SleepSlot to pass to sleepOptions (its fields are all overwritten). */
export function sleepSlot(): SleepSlot {
  return {
    timeout: Infinity,
    deadline: Infinity,
    started: true,
    signal: undefined,
    check: undefined,
    deferredWakes: false,
  };
}

/**
 * Validates a wait's options like waitOptions, without reading the clock:
 * the deadline is fixed by the wait's first sleep that needs it.
 * `extraCheck`, if given, is a death check of the caller's that runs at each
 * slice end before the one passed down in the options (WAIT_CHECK).
 * `into`, if given, is filled and returned instead of a new Sleep (the
 * caller owns it and must not be using it in another wait).
 * `deferredWakes`: see Sleep.deferredWakes.
 * sleepOptionsAsync is its form for async waits. The checks are written
 * out, with calls only to throw (and one to join two death checks, when the
 * options carry one and the caller another), and with `into` it makes no
 * closure and allocates nothing (but bothChecks' one closure when both
 * death checks are there, as for a Barrier's Condition), since a
 * Condition's wait runs this between its wake and the notify it answers
 * with.
 * @throws {TypeError} for a non-number timeout or a bad signal.
 * @throws {RangeError} for a negative or NaN timeout.
 * @throws the signal's reason when it is already aborted.
 */
export function sleepOptions(
  options: WaitOptions | undefined,
  verb = "wait",
  extraCheck?: () => void,
  into?: SleepSlot,
  deferredWakes = false,
): Sleep {
  let timeout = Infinity;
  let signal: AbortSignal | undefined;
  let check = extraCheck;
  if (options !== undefined) {
    if (typeof options !== "object" || options === null) {
      checkOptions(verb, options);
    }
    const t = options.timeout;
    if (t !== undefined && t !== null) {
      if (typeof t !== "number") {
        throw new TypeError(
          `Cannot ${verb}: timeout must be a number of milliseconds, got ${typeof t}`,
        );
      }
      if (!(t >= 0)) { // negative or NaN
        throw new RangeError(
          `Cannot ${verb}: timeout must be a non-negative number of milliseconds, got ${t}`,
        );
      }
      timeout = t;
    }
    signal = options.signal;
    if (signal !== undefined) {
      checkSignal(signal);
      throwIfAborted(signal);
    }
    const outer = (options as { [WAIT_CHECK]?: () => void })[WAIT_CHECK];
    // The caller's own check (Condition: its lock's holder died) runs first.
    if (outer !== undefined) {
      check = extraCheck === undefined ? outer : bothChecks(extraCheck, outer);
    }
  }
  if (
    timeout === Infinity && signal === undefined && check === undefined &&
    !deferredWakes
  ) {
    return FOREVER;
  }
  const deadline = timeout === Infinity ? Infinity : NaN;
  if (into === undefined) {
    return { timeout, deadline, started: false, signal, check, deferredWakes };
  }
  into.timeout = timeout;
  into.deadline = deadline;
  into.started = false;
  into.signal = signal;
  into.check = check;
  into.deferredWakes = deferredWakes;
  return into;
}

// The two checks in one, made apart from sleepOptions: a closure made in
// sleepOptions would capture its variables, and V8 then allocates a context
// for them on every call, closure made or not (measured on Deno 2.9.6: a
// Condition wait allocated 80 B with a timeout, 40 B without; none now).
function bothChecks(first: () => void, second: () => void): () => void {
  return () => {
    first();
    second();
  };
}

/**
 * sleepOptions for an async form that is not an async function: an already
 * aborted signal becomes a rejected promise, which the caller returns.
 */
export function sleepOptionsAsync(
  options: WaitOptions | undefined,
  verb = "wait",
  extraCheck?: () => void,
  deferredWakes = false,
): Sleep | Promise<never> {
  try {
    return sleepOptions(options, verb, extraCheck, undefined, deferredWakes);
  } catch (error) {
    return rejectAborted(error, options);
  }
}

/**
 * Milliseconds `s` has left. An async wait (`lazy` false) fixes a finite
 * timeout's deadline with one clock read at its first sleep (a few
 * microseconds after the call), so a stall of its thread's event loop during
 * the wait counts against the timeout instead of extending it (a waitAsync
 * slice that ends while the loop is busy is seen late by the stall).
 *
 * A blocking wait (`lazy` true) reads no clock for its first sleep: it hands
 * the whole timeout (one slice of it) to Atomics.wait, which keeps the time
 * itself, so a wait woken by the change it waits for never reads the clock
 * (a clock read costs 0.1-0.2 us here, as much as the rest of an Event wait).
 * The deadline is fixed at the next call: `now + timeout - credit`, where
 * `credit` is the length of the slice that just ran out (it certainly
 * passed; the thread was blocked in Atomics.wait, no event loop in between)
 * and 0 after a wake that found the word unchanged or a caller's second
 * sleep. So a blocking wait never ends early, and ends late only by the part
 * of its first slice that ended without a clock read: at most
 * min(timeout, SLICE_MS), on those rare paths (a spurious wake, a Condition
 * waiter that found no permit), beside the scheduling delay any timed wait
 * has. A wait without a timeout never reads the clock.
 */
export function timeLeft(s: Sleep, lazy: boolean, credit: number): number {
  const deadline = s.deadline;
  if (deadline === Infinity) return Infinity;
  if (deadline === deadline) return deadline - performance.now(); // fixed
  if (lazy && !s.started) {
    s.started = true;
    return s.timeout;
  }
  s.started = true;
  s.deadline = performance.now() + s.timeout - (credit > 0 ? credit : 0);
  return s.timeout - (credit > 0 ? credit : 0);
}
