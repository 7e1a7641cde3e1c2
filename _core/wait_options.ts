// Copyright 2026 the threadkit authors. MIT license.
// The option parsing of the one wait helper (_core/wait.ts re-exports all
// of it): timeouts into deadlines, signals, Python's positional forms
// refused, acquire and blocking flags (the lazily-timed `Sleep` that
// sleepSync/sleepAsync take: sleep_options.ts, built on these, also
// re-exported by _core/wait.ts). Pure validation: no clock read except where a
// deadline is asked for (deadlineOf, waitOptions, the acquire forms).
//
// An already aborted signal (the one rule for every wait, the DOM's): once
// the options are valid (bad input is a TypeError or RangeError first), a
// wait called with an aborted signal throws its reason (blocking forms) or
// returns a promise rejected with it (async forms) before anything else:
// before it looks at or changes any state, so even a wait that would not
// have slept (a set Event, a free Lock, a true predicate, an ended thread)
// fails, and nothing is taken, put, registered or released. Each parser
// here that reads a signal throws it (throwIfAborted); an async form that
// is not an async function turns that throw into a rejection
// (rejectAborted).

import { checkOptions } from "./options.ts";

export { checkOptions, refuseSpellings } from "./options.ts";

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
 * Validates `timeout` and returns the absolute deadline on the
 * `performance.now()` clock (Infinity for no timeout).
 * @throws {TypeError} when timeout is not a number.
 * @throws {RangeError} when timeout is negative or NaN.
 */
export function deadlineOf(timeout: number | null | undefined): number {
  const ms = timeoutOf(timeout);
  return ms === Infinity ? Infinity : performance.now() + ms;
}

/** deadlineOf's timeout in ms, relative (Infinity for none): no clock read. */
export function timeoutOf(timeout: number | null | undefined): number {
  if (timeout === undefined || timeout === null) return Infinity;
  if (typeof timeout !== "number") {
    throw new TypeError(
      `Cannot wait: timeout must be a number of milliseconds, got ${typeof timeout}`,
    );
  }
  if (timeout !== timeout || timeout < 0) { // (NaN: not itself)
    throw new RangeError(
      `Cannot wait: timeout must be a non-negative number of milliseconds, got ${timeout}`,
    );
  }
  return timeout;
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
 * Throws the signal's reason when it is already aborted (see the top of
 * this file).
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal !== undefined && signal.aborted) throw signal.reason;
}

/**
 * For an async form that is not an async function: its option parser threw
 * `error`; an already aborted signal's reason becomes the rejected promise
 * the form returns, and anything else (a TypeError, a RangeError: bad
 * input) is thrown again, synchronously, as documented.
 */
export function rejectAborted(
  error: unknown,
  options: unknown,
): Promise<never> {
  const signal = (options as WaitOptions | null | undefined)?.signal;
  if (
    signal instanceof AbortSignal && signal.aborted && error === signal.reason
  ) {
    return Promise.reject(error);
  }
  throw error;
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
 * Validates a wait's options: the timeout (or `defaultTimeout` when none is
 * given) into a deadline, and the signal. Every primitive's wait calls this.
 * @throws {TypeError} for a non-number timeout or a bad signal.
 * @throws {RangeError} for a negative or NaN timeout.
 * @throws the signal's reason when it is already aborted.
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
  throwIfAborted(signal);
  const check = (options as { [WAIT_CHECK]?: () => void } | undefined)?.[
    WAIT_CHECK
  ];
  return check === undefined
    ? { deadline, signal }
    : { deadline, signal, check };
}

/**
 * waitOptions with the timeout relative (ms, Infinity for none): for a wait
 * that often does not sleep (Future.result reads the clock once it must).
 */
export function waitTimeout(
  options: WaitOptions | undefined,
): { readonly timeout: number; readonly signal: AbortSignal | undefined } {
  checkOptions("wait", options);
  const timeout = timeoutOf(options?.timeout), signal = options?.signal;
  checkSignal(signal);
  throwIfAborted(signal);
  return { timeout, signal };
}

/**
 * waitOptions for an async form that is not an async function: an already
 * aborted signal becomes a rejected promise, which the caller returns.
 */
export function waitOptionsAsync(
  options: WaitOptions | undefined,
  defaultTimeout?: number,
  verb = "wait",
): Wait | Promise<never> {
  try {
    return waitOptions(options, defaultTimeout, verb);
  } catch (error) {
    return rejectAborted(error, options);
  }
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

const UNINTERRUPTIBLE_TRY: Acquire = {
  ...UNINTERRUPTIBLE_ACQUIRE,
  blocking: false,
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
 * Internal options of an uninterruptible acquire (UNINTERRUPTIBLE), parsed
 * once: acquireOptions knows them by identity, so an internal reacquire on
 * a hot path (Condition.wait taking its lock back) costs one comparison,
 * not an options parse.
 */
export const MUST_ACQUIRE: AcquireOptions = Object.freeze(
  { [UNINTERRUPTIBLE]: true } as AcquireOptions,
);

/** MUST_ACQUIRE's one-try form (`blocking: false`): never waits. */
export const TRY_ACQUIRE: AcquireOptions = Object.freeze(
  { blocking: false, [UNINTERRUPTIBLE]: true } as AcquireOptions,
);

/**
 * Validates acquire options and fixes the deadline.
 * @throws {TypeError} for a timeout with `blocking: false` or a bad signal.
 * @throws {RangeError} for a negative or NaN timeout.
 * @throws the signal's reason when it is already aborted.
 */
export function acquireOptions(options: AcquireOptions | undefined): Acquire {
  if (options === undefined) return DEFAULT_ACQUIRE;
  if (options === TRY_ACQUIRE) return UNINTERRUPTIBLE_TRY;
  if (options === MUST_ACQUIRE) return UNINTERRUPTIBLE_ACQUIRE;
  checkOptions("acquire", options, "blocking");
  const onAcquired = (options as InternalAcquireOptions)[ON_ACQUIRED];
  if ((options as InternalAcquireOptions)[UNINTERRUPTIBLE] === true) {
    // `blocking: false` with it: a try that allocates nothing (a queue's
    // bounded take of its store lock, queue/_locked.ts).
    if (options.blocking === false) return UNINTERRUPTIBLE_TRY;
    // A `timeout` with it: waits until then at most, still spinning where
    // the thread may not block (an unbounded queue's blocking grow,
    // queue/_grow_wait.ts).
    const t = options.timeout;
    const must = typeof t === "number"
      ? { ...UNINTERRUPTIBLE_ACQUIRE, deadline: deadlineOf(t) }
      : UNINTERRUPTIBLE_ACQUIRE;
    return onAcquired === undefined ? must : { ...must, onAcquired };
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
 * acquireOptions for an async form (`acquireAsync` and its kin): an already
 * aborted signal becomes a rejected promise, as every async wait rejects on
 * abort, while bad options still throw synchronously (TypeError,
 * RangeError), as documented. Callers return the promise when given one.
 */
export function acquireOptionsAsync(
  options: AcquireOptions | undefined,
): Acquire | Promise<never> {
  try {
    return acquireOptions(options);
  } catch (error) {
    return rejectAborted(error, options);
  }
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
  throwIfAborted(signal);
  return { blocking, deadline, signal, interruptible: true };
}
