// Copyright 2026 the threadkit authors. MIT license.
// The one wait helper. Every threadkit primitive waits on a shared word
// through waitSync or waitAsync here; nothing else calls Atomics.wait or
// Atomics.waitAsync (but sync/_reacquire.ts, past an overflow). It owns:
// - the deadline (timeouts in ms, validated once per operation);
// - the AbortSignal (checked before and after each wait; an abort during an
//   async wait notifies the word so the pending waiter is woken and removed);
// - the thread's cancel word (_core/runtime.ts): in a started thread each
//   wait runs in slices of SLICE_MS so a cancel is seen within one slice even
//   though nobody notifies the word the thread waits on;
// - the death check: a caller waiting on something another thread holds (a
//   lock's holder, a barrier's parties) passes a `check` that throws when
//   that thread has stopped (the stop ring of _core/runtime.ts, never a mere
//   end; a lock's check first takes the lock over: sync/_holder.ts); a Sleep
//   carries it (`check`); it runs at the end of each slice, interruptible or not
//   (a death is not an interruption: an uninterruptible reacquire of a lock
//   whose holder died must end too), and never on the fast path; a check
//   that returns true ends the wait there with "ok", so the caller looks
//   at its state again (below, "A waker that stops");
// - the option parsing of every wait: Python's positional forms
//   (`acquire(false)`, `wait(100)`) are refused with a TypeError that says
//   what to write instead, and `timeout: null` means "no timeout" everywhere;
// - the keep-alive that a pending Atomics.waitAsync needs (it does not keep a
//   Deno or Node process alive by itself): a ref'd timer while any async wait
//   of this thread is pending; the same timer's tick ends the long slices of
//   async sleeps (_core/keep_alive.ts, "Long slices");
// - the clock: performance.now() costs 0.1-0.2 us here, so the sleeps of
//   Event and Condition (sleepSync/sleepAsync over a `Sleep`) read it only
//   for a finite timeout (async: once for the deadline; blocking: once its
//   first sleep ended unchanged, timeLeft in sleep_options.ts), then at
//   each slice end;
// - the slice hook: an internal callback run at the slice ends of a blocking
//   interruptible wait (the executor's home thread ticks there).
//
// Callers wait in a loop that re-checks their state: a wake may be spurious
// (abort flush, slice end); "ok" promises nothing but "look again".

import { CAN_BLOCK } from "./adapter.ts";
import { CancelledError, CannotBlockError } from "./errors.ts";
import { cancelRequested, currentIdent } from "./runtime.ts";
import { type Sleep, timeLeft } from "./sleep_options.ts";
import type { WaitOutcome } from "./wait_options.ts";
import {
  hold,
  LONG_MS,
  type LongSleep,
  longSleeps,
  SLICE_MS,
  unhold,
} from "./keep_alive.ts";

export * from "./wait_options.ts";
export * from "./sleep_options.ts";

// A waker that stops. Every waker changes the state, then wakes (a put
// publishes, then bumps NOT_EMPTY and notifies). A thread can stop between
// the two where a call or a loop's back edge comes between them (a queue's
// wake(); not between two Atomics builtins): a stack overflow at that call
// (any runtime and thread; the caller may catch it and go on), out of
// memory under `resourceLimits` or Node's worker.terminate() (the runtime
// ends the thread at its next interrupt check). No caller code runs there,
// so an uncaught error of its own cannot. So no sleep rests on the wake
// alone: a sleeper that saw no wake looks again at each slice end
// (SLICE_MS, which bounds a cancel already), one slice late at most:
// - a sleep on the word the waker changes (Lock, Semaphore, Event, a
//   Condition's SEQ, a thread's ident word): each timed slice ends in a new
//   Atomics.wait on the expected value, "not-equal" once it changed; an
//   async long slice (_core/keep_alive.ts, "Long slices") is ended by the keep-alive's tick once
//   its word changed (one load per pending long slice a tick);
// - a sleep on a sequence word bumped after the change (a queue's
//   NOT_EMPTY, NOT_FULL, ALL_DONE; RWLock's WSEQ, RSEQ) passes a check that
//   returns true when what it waits for may be there (a queue's count, a
//   byte store putter's bytes: queue/_state.ts, queue/_room.ts; RWLock's
//   death check, then true): the wait returns "ok" and the caller retries. A Condition's notifier holds the lock: one
//   that stops holding it is the sleepers' death check's (sync/_holder.ts).
// No cost on a path that does not sleep a whole slice (stopped_waker_test).

/**
 * Throws if the wait must stop now: the signal's reason when it is aborted,
 * a CancelledError when the calling thread's cancellation was requested.
 */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
  if (cancelRequested()) {
    throw new CancelledError(
      `Thread ${currentIdent()} was cancelled while waiting`,
    );
  }
}

// One callback a layer above may register to run at the end of every slice
// of an interruptible blocking wait in this thread (waitSync and sleepSync:
// the executor's home thread supervises its pool while it blocks;
// pool/_pool.ts). Not reentrant, and its errors are reported, never thrown
// into the wait. Costs one load per slice when unset. Internal waits
// (uninterruptible: short critical sections) never run it.
let sliceHook: (() => void) | undefined;
let inSliceHook = false;

/** Internal: sets (or clears, with undefined) this thread's slice hook. */
export function setSliceHook(hook: (() => void) | undefined): void {
  sliceHook = hook;
}

function runSliceHook(): void {
  if (inSliceHook) return;
  inSliceHook = true;
  try {
    sliceHook!();
  } catch (error) {
    console.error("Exception in a wait's slice hook:", error);
  } finally {
    inSliceHook = false;
  }
}

/**
 * Blocks the calling thread while `view[index] === expected`, until notified,
 * the deadline passes, or the wait is interrupted (throws). With
 * `interruptible` false neither the signal nor the cancel word is looked at.
 * `check`, if given, runs at the end of every slice that timed out: its
 * throw ends the wait (a death check: see the top of this file), and so
 * does its `true`, with "ok" (see "A waker that stops").
 * Blocks the caller's event loop; callers re-check their state after it.
 * `form` names the caller's blocking form ("acquire", "get", ...) for the
 * error on a thread that may not block. `now`: a clock read just before.
 * @throws {CannotBlockError} on a thread where Atomics.wait is not allowed
 * (a browser page's main thread), for an interruptible wait; an
 * uninterruptible one (a short internal critical section) spins there.
 */
export function waitSync(
  view: Int32Array,
  index: number,
  expected: number,
  deadline: number,
  signal?: AbortSignal,
  interruptible = true,
  form = "wait",
  check?: () => void | boolean,
  now?: number,
): WaitOutcome {
  if (!CAN_BLOCK) {
    return waitSpin(
      view,
      index,
      expected,
      deadline,
      form,
      interruptible,
      check,
    );
  }
  for (let sliced = false;; sliced = true, now = undefined) {
    if (interruptible) throwIfInterrupted(signal);
    if (sliced) {
      const again = check !== undefined && check() === true;
      if (interruptible && sliceHook !== undefined) runSliceHook();
      if (again) return "ok"; // see "A waker that stops"
    }
    // No clock read without a deadline (see the top of this file).
    const t = now ?? (deadline === Infinity ? 0 : performance.now());
    const remaining = deadline - t;
    if (remaining <= 0) return "timed-out";
    const slice = remaining > SLICE_MS ? SLICE_MS : remaining;
    // A woken ("ok") or changed ("not-equal") wait returns at once, before
    // any interruption check: the caller may have been handed a wakeup
    // (notify(1)) and must look at its state; it throws at its next wait.
    const outcome = Atomics.wait(view, index, expected, slice);
    if (outcome !== "timed-out") return outcome;
  }
}

// A thread that may not block (a browser page's main thread): a wait that
// must really wait is refused with the async form's name; an internal
// uninterruptible wait (a queue's turn lock, held for a few plain copies)
// spins instead, as Atomics.wait would have slept.
function waitSpin(
  view: Int32Array,
  index: number,
  expected: number,
  deadline: number,
  form: string,
  interruptible: boolean,
  check: (() => void | boolean) | undefined,
): WaitOutcome {
  if (interruptible) {
    if (Atomics.load(view, index) !== expected) return "not-equal";
    throw new CannotBlockError(
      `Cannot ${form}: this thread may not block (Atomics.wait is not allowed on a browser page's main thread); use ${form}Async instead`,
      { asyncForm: `${form}Async` },
    );
  }
  // The death check every slice, as waitSync's (a dead holder ends the spin).
  for (let slice = performance.now() + SLICE_MS;;) {
    if (Atomics.load(view, index) !== expected) return "not-equal";
    const now = performance.now();
    if (now >= deadline) return "timed-out";
    if (check !== undefined && now >= slice) {
      if (check() === true) return "ok";
      slice = now + SLICE_MS;
    }
  }
}

/**
 * Waits without blocking the event loop while `view[index] === expected`,
 * until notified, the deadline passes, or the wait is interrupted (rejects;
 * never with `interruptible` false). `check` as in waitSync; `flushed` gets
 * the count an abort's flush (below) woke. Keeps the process alive while pending.
 */
export async function waitAsync(
  view: Int32Array,
  index: number,
  expected: number,
  deadline: number,
  signal?: AbortSignal,
  interruptible = true,
  check?: () => void | boolean,
  flushed: (woke: number) => void = () => {},
): Promise<WaitOutcome> {
  if (interruptible) throwIfInterrupted(signal);
  else signal = undefined;
  // Why no lost wakeup on abort: the listener notifies every waiter on the
  // word, ours included, so our pending waitAsync is resolved and removed
  // instead of lingering to swallow a later notify(1) meant for a real
  // waiter; the others woken ("ok") re-check their state and wait again.
  const onAbort = () => flushed(Atomics.notify(view, index));
  hold(); // nothing held if it throws (_core/keep_alive.ts)
  try {
    signal?.addEventListener("abort", onAbort, { once: true });
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return "timed-out";
      const slice = remaining > SLICE_MS ? SLICE_MS : remaining;
      const result = Atomics.waitAsync(view, index, expected, slice);
      const outcome = result.async ? await result.value : result.value;
      // Why no lost wakeup on cancel: a woken waiter returns "ok" without
      // checking interruption, because the notify(1) that woke it may be the
      // only one; throwing here would drop it with the lock (say) free and
      // another waiter asleep. The caller re-checks its state, and throws at
      // its next wait if it still has to wait.
      if (outcome !== "timed-out") return outcome;
      if (interruptible) throwIfInterrupted(signal);
      if (check?.() === true) return "ok"; // see "A waker that stops"
    }
  } finally {
    unhold();
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Blocks the calling thread while `view[index] === expected`: returns "ok"
 * or "not-equal" once the word differs, "timed-out" when `s` runs out, and
 * throws when the wait is interrupted (never with `interruptible` false).
 * Unlike waitSync, a wake that finds the word unchanged (another waiter's
 * abort flush) sleeps again, so it suits only words that every notify
 * changes first (Event's STATE, Condition's SEQ). Slices, the death check
 * and CannotBlockError as in waitSync.
 */
export function sleepSync(
  view: Int32Array,
  index: number,
  expected: number,
  s: Sleep,
  interruptible = true,
  form = "wait",
): WaitOutcome {
  if (!CAN_BLOCK) {
    const left = timeLeft(s, false, -1);
    return waitSpin(
      view,
      index,
      expected,
      left === Infinity ? Infinity : performance.now() + left,
      form,
      interruptible,
      s.check,
    );
  }
  const signal = s.signal;
  for (let credit = -1;;) {
    if (interruptible) throwIfInterrupted(signal);
    if (credit >= 0 && s.check !== undefined) s.check();
    if (credit > 0 && interruptible && sliceHook !== undefined) runSliceHook();
    const left = timeLeft(s, true, credit);
    if (left <= 0) return "timed-out";
    const slice = left > SLICE_MS ? SLICE_MS : left;
    // Why no lost wakeup: Atomics.wait sleeps only while the word still
    // holds `expected`; the notifier changes the word before it notifies.
    const outcome = Atomics.wait(view, index, expected, slice);
    if (outcome === "not-equal") return outcome;
    if (outcome === "ok") {
      if (Atomics.load(view, index) !== expected) return outcome;
      credit = 0; // spurious: sleep again
    } else credit = slice;
  }
}

// Long slices: see _core/keep_alive.ts, "Long slices".

/**
 * The async form of sleepSync: never blocks the event loop, keeps the
 * process alive while pending, rejects when interrupted. Written with one
 * `then` per slice rather than nested async functions, and `done`, if given,
 * maps the final outcome in that same reaction (Event turns it into its
 * boolean there): a wait woken by the change costs one promise hop over the
 * raw `await Atomics.waitAsync(...).value`, the one that maps it. A wait
 * that needs no sleep (the word already differs, or a zero timeout) takes
 * no keep-alive and resolves with an already settled promise. A sleep that
 * has no slice end due within LONG_MS waits with no timeout (see "Long
 * slices" above), unless it has a `check` or `deferredWakes`; a Sleep both
 * `coarse` and `deferredWakes` is refused (rejects with a TypeError).
 */
export function sleepAsync(
  view: Int32Array,
  index: number,
  expected: number,
  s: Sleep,
  interruptible?: boolean,
): Promise<WaitOutcome>;
export function sleepAsync<T>(
  view: Int32Array,
  index: number,
  expected: number,
  s: Sleep,
  interruptible: boolean,
  done: (outcome: WaitOutcome) => T,
): Promise<T>;
export function sleepAsync<T>(
  view: Int32Array,
  index: number,
  expected: number,
  s: Sleep,
  interruptible = true,
  done?: (outcome: WaitOutcome) => T,
): Promise<T | WaitOutcome> {
  const signal = interruptible ? s.signal : undefined;
  // The length of the pending slice: -1 for a long one (in longSleeps).
  let slice = 0;
  let long: LongSleep | undefined;
  let held = false, dropped = false;
  let onAbort: (() => void) | undefined;
  const letGo = (): void => {
    if (held) {
      held = false;
      unhold();
      if (onAbort !== undefined) signal!.removeEventListener("abort", onAbort);
    }
  };
  const finish = (outcome: WaitOutcome): T | WaitOutcome => {
    letGo();
    return done === undefined ? outcome : done(outcome);
  };
  // One slice: a settled outcome, or a pending promise of the final result.
  const next = (credit: number): WaitOutcome | Promise<T | WaitOutcome> => {
    if (interruptible) throwIfInterrupted(signal);
    if (credit >= 0) s.check?.();
    // A coarse sleep reads the clock only after a wake (the tick's, once
    // its deadline passed; or a spurious one); its deadline is fixed.
    const left = s.coarse !== true
      ? timeLeft(s, false, -1)
      : credit < 0
      ? Infinity
      : s.deadline - performance.now();
    if (left <= 0) return "timed-out";
    if (left > LONG_MS || s.coarse === true) {
      if (s.check === undefined && s.deferredWakes !== true) {
        const r = Atomics.waitAsync(view, index, expected);
        if (!r.async) return r.value;
        slice = -1;
        try {
          const p = r.value.then(settle);
          longSleeps.add(long ??= { view, index, expected, s, interruptible });
          return p;
        } catch (error) {
          dropped = true; // dropped and flushed: see "Dropped" below
          Atomics.notify(view, index);
          throw error;
        }
      }
      // Refused at the first slice, before anything is held (a coarse
      // sleep always enters this branch): see _core/keep_alive.ts, "Long slices".
      if (s.coarse === true && s.deferredWakes === true) {
        throw new TypeError(
          "Cannot sleep: a coarse sleep is always long, and a sleep whose wakes may be deferred (deferredWakes) must keep timed slices",
        );
      }
    }
    slice = left > SLICE_MS ? SLICE_MS : left;
    const r = Atomics.waitAsync(view, index, expected, slice);
    if (!r.async) return r.value;
    try {
      return r.value.then(settle);
    } catch (error) {
      dropped = true; // see "Dropped" below
      Atomics.notify(view, index);
      throw error;
    }
  };
  const settle = (
    outcome: WaitOutcome,
  ): T | WaitOutcome | Promise<T | WaitOutcome> => {
    if (slice < 0) longSleeps.delete(long!);
    if (dropped) return outcome; // its hold threw: nobody awaits it
    if (
      outcome === "not-equal" ||
      outcome === "ok" && Atomics.load(view, index) !== expected
    ) {
      return finish(outcome);
    }
    try {
      // Spurious (an abort flush, another waiter's tick) or a long slice
      // the tick ended: credit 0; else a timed slice ran out.
      const r = next(outcome === "ok" ? 0 : slice);
      return typeof r === "string" ? finish(r) : r;
    } catch (error) {
      letGo();
      throw error;
    }
  };
  let first: WaitOutcome | Promise<T | WaitOutcome>;
  try {
    first = next(-1);
  } catch (error) {
    return Promise.reject(error);
  }
  if (typeof first === "string") return Promise.resolve(finish(first));
  // Pending: keep the process alive until it settles, and let an abort wake
  // it. Why no lost wakeup on abort: the listener notifies every waiter on
  // the word, ours included, so our pending waitAsync is resolved instead of
  // lingering to swallow a later notify(1) meant for a real waiter; the
  // others see the word unchanged and sleep again.
  // Dropped: a call that throws (a stack overflow) once a slice's waitAsync
  // is made (its then, the long slice's entry, the listener's registration,
  // then the hold) drops the sleep: its settle, if attached, does no more,
  // and the word is flushed as by an abort, so the waitAsync lingers neither
  // in longSleeps nor to swallow a notify(1); the error is thrown as the
  // call threw it, by a handler that makes no call but a removal that may
  // fail. A listener left registered is a no-op (it flushes only a sleep not
  // dropped) until the signal aborts or is collected.
  if (signal !== undefined) {
    onAbort = () => {
      if (!dropped) Atomics.notify(view, index);
    };
    try {
      signal.addEventListener("abort", onAbort, { once: true });
    } catch (error) {
      dropped = true;
      Atomics.notify(view, index);
      throw error;
    }
  }
  try {
    hold();
  } catch (error) {
    dropped = true;
    Atomics.notify(view, index);
    if (onAbort !== undefined) {
      try {
        signal!.removeEventListener("abort", onAbort);
      } catch { /* stays registered, a no-op (see above) */ }
    }
    throw error;
  }
  held = true;
  return first;
}
