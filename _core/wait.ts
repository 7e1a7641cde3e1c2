// Copyright 2026 the threadkit authors. MIT license.
// The one wait helper. Every threadkit primitive waits on a shared word
// through waitSync or waitAsync here; nothing else calls Atomics.wait or
// Atomics.waitAsync. The helper owns:
// - the deadline (timeouts in ms, validated once per operation);
// - the AbortSignal (checked before and after each wait; an abort during an
//   async wait notifies the word so the pending waiter is woken and removed);
// - the thread's cancel word (_core/runtime.ts): in a started thread each
//   wait runs in slices of SLICE_MS so a cancel is seen within one slice even
//   though nobody notifies the word the thread waits on;
// - the death check: a caller waiting on something another thread holds (a
//   lock's holder, a barrier's parties) passes a `check` that throws when
//   that thread has ended; it runs at the end of each slice, interruptible
//   or not (a death is not an interruption: an uninterruptible reacquire of
//   a lock whose holder died must end too), and never on the fast path;
// - the option parsing of every wait: Python's positional forms
//   (`acquire(false)`, `wait(100)`) are refused with a TypeError that says
//   what to write instead, and `timeout: null` means "no timeout" everywhere;
// - the keep-alive that a pending Atomics.waitAsync needs (it does not keep a
//   Deno or Node process alive by itself): a ref'd timer while any async wait
//   of this thread is pending.
//
// Callers always wait in a loop that re-checks their own state, so a wake
// here may be spurious (abort flush, slice end) and "ok" promises nothing but
// "look again".

import { CAN_BLOCK, refTimer } from "./adapter.ts";
import { CancelledError, CannotBlockError } from "./errors.ts";
import { cancelRequested, currentIdent } from "./runtime.ts";

/** Options every threadkit wait takes. */
export interface WaitOptions {
  /**
   * Most milliseconds to wait; `undefined`, `null` or `Infinity` waits
   * forever. Negative or NaN throws a RangeError.
   */
  timeout?: number | null;
  /** Aborts the wait with the signal's reason. */
  signal?: AbortSignal;
}

/** What one wait ended with, as Atomics.wait reports it. */
export type WaitOutcome = "ok" | "not-equal" | "timed-out";

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
const SLICE_MS = 50;

/**
 * Validates `timeout` and returns the absolute deadline on the
 * `performance.now()` clock (Infinity for no timeout).
 * @throws {TypeError} when timeout is not a number.
 * @throws {RangeError} when timeout is negative or NaN.
 */
export function deadlineOf(timeout: number | null | undefined): number {
  if (timeout === undefined || timeout === null) return Infinity;
  if (typeof timeout !== "number") {
    throw new TypeError(
      `Cannot wait: timeout must be a number of milliseconds, got ${typeof timeout}`,
    );
  }
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(
      `Cannot wait: timeout must be a non-negative number of milliseconds, got ${timeout}`,
    );
  }
  return performance.now() + timeout;
}

/**
 * The milliseconds left until `deadline` (at least 0), or undefined for no
 * deadline: the `timeout` of the next wait in a loop of waits.
 */
export function remaining(deadline: number): number | undefined {
  return deadline === Infinity
    ? undefined
    : Math.max(0, deadline - performance.now());
}

/**
 * Validates an optional AbortSignal.
 * @throws {TypeError} when `signal` is given but is not an AbortSignal.
 */
export function checkSignal(signal: AbortSignal | undefined): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError("Cannot wait: signal must be an AbortSignal");
  }
}

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

/** A wait's validated options: the absolute deadline and the signal. */
export interface Wait {
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  /** Internal: the death check to run at each slice end (WAIT_CHECK). */
  readonly check?: () => void;
}

/**
 * Internal wait option (not exported by the package): a death check that a
 * primitive built on another passes down (Barrier to its Condition), run at
 * each slice end of the inner waits. See `check` in waitSync.
 */
export const WAIT_CHECK: unique symbol = Symbol("threadkit.waitCheck");

/**
 * Refuses what is not an options object: Python's positional forms
 * (`lock.acquire(false)`, `ev.wait(100)`, `q.get(false)`, `t.join(100)`)
 * would otherwise be read as "no options" and wait forever. `flag` names the
 * blocking flag of the call, if it has one (`blocking`, `block`).
 * @throws {TypeError} saying what to write instead.
 */
export function checkOptions(
  verb: string,
  options: unknown,
  flag?: string,
): void {
  if (options === undefined) return;
  if (typeof options === "object" && options !== null) return;
  let instead = "an options object";
  if (typeof options === "number") instead = `{ timeout: ${options} }`;
  else if (typeof options === "boolean" && flag !== undefined) {
    instead = `{ ${flag}: ${options} }`;
  } else if (options === null) instead = "undefined or {}";
  throw new TypeError(
    `Cannot ${verb}: options must be an object, got ${
      options === null ? "null" : typeof options
    } ${
      String(options)
    }; write ${instead} (threadkit takes Python's arguments as options, timeouts in ms)`,
  );
}

/**
 * Validates a wait's options: the timeout (or `defaultTimeout` when none is
 * given) into a deadline, and the signal. Every primitive's wait calls this.
 * @throws {TypeError} for a non-number timeout or a bad signal.
 * @throws {RangeError} for a negative or NaN timeout.
 */
export function waitOptions(
  options: WaitOptions | undefined,
  defaultTimeout?: number,
  verb = "wait",
): Wait {
  checkOptions(verb, options);
  // An explicit `timeout: null` means "no timeout", even over a default.
  const timeout = options === undefined || !("timeout" in options) ||
      options.timeout === undefined
    ? defaultTimeout
    : options.timeout;
  const deadline = deadlineOf(timeout);
  const signal = options?.signal;
  checkSignal(signal);
  const check = (options as { [WAIT_CHECK]?: () => void } | undefined)?.[
    WAIT_CHECK
  ];
  return check === undefined
    ? { deadline, signal }
    : { deadline, signal, check };
}

/** Options of `acquire` on Lock, RLock and Semaphore. */
export interface AcquireOptions extends WaitOptions {
  /**
   * Whether to wait at all (default true). With `false` the call returns at
   * once, and giving a `timeout` too is a TypeError (Python raises
   * ValueError; JavaScript has none).
   */
  blocking?: boolean;
}

/** Validated acquire options. */
export interface Acquire {
  readonly blocking: boolean;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  /** False only for internal reacquires that must not fail (see below). */
  readonly interruptible?: boolean;
  /** Internal: runs in the same step as the acquire that won (see below). */
  readonly onAcquired?: () => void;
}

const DEFAULT_ACQUIRE: Acquire = {
  blocking: true,
  deadline: Infinity,
  signal: undefined,
  interruptible: true,
};

/**
 * Internal acquire option (not exported by the package): wait until acquired
 * even in a cancelled thread. For reacquires that Python also makes
 * unconditionally, such as Condition.wait taking its lock back before it
 * returns or throws; without it a cancelled thread could not reacquire.
 */
export const UNINTERRUPTIBLE: unique symbol = Symbol(
  "threadkit.uninterruptible",
);

const UNINTERRUPTIBLE_ACQUIRE: Acquire = {
  ...DEFAULT_ACQUIRE,
  interruptible: false,
};

/**
 * Internal acquire option (not exported by the package): a callback a Lock
 * runs synchronously right after the atomic step that took it, in the async
 * form too. RLock records its owner there, so no microtask passes between
 * "the inner lock is ours" and "OWNER says so" (a blocking acquire by the
 * same thread in that gap would deadlock on its own lock).
 */
export const ON_ACQUIRED: unique symbol = Symbol("threadkit.onAcquired");

interface InternalAcquireOptions extends AcquireOptions {
  [UNINTERRUPTIBLE]?: true;
  [ON_ACQUIRED]?: () => void;
}

/**
 * Validates acquire options and fixes the deadline.
 * @throws {TypeError} for a timeout with `blocking: false` or a bad signal.
 * @throws {RangeError} for a negative or NaN timeout.
 * @throws the signal's reason when it is already aborted.
 */
export function acquireOptions(options: AcquireOptions | undefined): Acquire {
  if (options === undefined) return DEFAULT_ACQUIRE;
  checkOptions("acquire", options, "blocking");
  const onAcquired = (options as InternalAcquireOptions)[ON_ACQUIRED];
  if ((options as InternalAcquireOptions)[UNINTERRUPTIBLE] === true) {
    return onAcquired === undefined
      ? UNINTERRUPTIBLE_ACQUIRE
      : { ...UNINTERRUPTIBLE_ACQUIRE, onAcquired };
  }
  const { blocking = true, timeout, signal } = options;
  const parsed = blockingOptions(
    "acquire",
    "blocking",
    blocking,
    timeout,
    signal,
  );
  return onAcquired === undefined ? parsed : { ...parsed, onAcquired };
}

/**
 * Validates a blocking flag (`blocking` for locks, Python's `block` for
 * queues: `flag` names it in messages) with its timeout and signal.
 * @throws {TypeError} for a non-boolean flag, a timeout given with the flag
 * false, or a bad signal.
 * @throws {RangeError} for a negative or NaN timeout.
 * @throws the signal's reason when it is already aborted.
 */
export function blockingOptions(
  verb: string,
  flag: string,
  blocking: unknown,
  timeout: number | null | undefined,
  signal: AbortSignal | undefined,
): Acquire {
  if (typeof blocking !== "boolean") {
    throw new TypeError(`Cannot ${verb}: ${flag} must be a boolean`);
  }
  if (!blocking && timeout !== undefined && timeout !== null) {
    throw new TypeError(
      `Cannot ${verb}: a timeout cannot be given with ${flag}: false`,
    );
  }
  const deadline = deadlineOf(timeout);
  checkSignal(signal);
  if (signal?.aborted) throw signal.reason;
  return { blocking, deadline, signal, interruptible: true };
}

// One callback a layer above may register to run at the end of every slice
// of an interruptible blocking wait in this thread (the executor's home
// thread supervises its pool while it blocks; pool/_pool.ts). Not
// reentrant, and its errors are reported, never thrown into the wait. Costs
// one load per slice when unset. Internal waits (uninterruptible: short
// critical sections) never run it.
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
 * `check`, if given, runs at the end of every slice that timed out, and its
 * throw ends the wait (a death check: see the top of this file).
 * Blocks the caller's event loop; callers re-check their state after it.
 * `form` names the caller's blocking form ("acquire", "get", ...) for the
 * error on a thread that may not block.
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
  check?: () => void,
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
  for (let sliced = false;; sliced = true) {
    if (interruptible) throwIfInterrupted(signal);
    if (sliced && check !== undefined) check();
    if (sliced && interruptible && sliceHook !== undefined) runSliceHook();
    // No clock read without a deadline (performance.now() costs about
    // 0.5 us on Deno 2.9.6, a tenth of a wake-up round trip).
    const remaining = deadline === Infinity
      ? Infinity
      : deadline - performance.now();
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
  check: (() => void) | undefined,
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
      check();
      slice = now + SLICE_MS;
    }
  }
}

/**
 * Waits without blocking the event loop while `view[index] === expected`,
 * until notified, the deadline passes, or the wait is interrupted (rejects;
 * never with `interruptible` false). `check` as in waitSync.
 * Keeps the process alive while pending.
 */
export async function waitAsync(
  view: Int32Array,
  index: number,
  expected: number,
  deadline: number,
  signal?: AbortSignal,
  interruptible = true,
  check?: () => void,
): Promise<WaitOutcome> {
  if (interruptible) throwIfInterrupted(signal);
  else signal = undefined;
  // Why no lost wakeup on abort: the listener notifies every waiter on the
  // word, ours included, so our pending waitAsync is resolved and removed
  // instead of lingering to swallow a later notify(1) meant for a real
  // waiter. The other waiters it wakes re-check their state and wait again.
  const onAbort = () => Atomics.notify(view, index);
  signal?.addEventListener("abort", onAbort, { once: true });
  hold();
  try {
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
      check?.();
    }
  } finally {
    unhold();
    signal?.removeEventListener("abort", onAbort);
  }
}

// Keep-alive for pending async waits: one interval per thread, ref'd while
// any async wait is pending and unref'd otherwise. Creating and clearing a
// timer around every wait cost a waitAsync ping-pong about 18% (measured);
// toggling the ref of one long-lived timer costs next to nothing.
let pending = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;

function hold(): void {
  if (pending++ === 0) {
    keepAlive ??= setInterval(() => {}, 2 ** 30);
    setRef(true);
  }
}

function unhold(): void {
  if (--pending === 0) setRef(false);
}

function setRef(on: boolean): void {
  // Where timers cannot be unref'd (browsers), clear the timer when nothing
  // is pending.
  if (!refTimer(keepAlive!, on) && !on) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}
