// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Future}: the pending result of a task submitted to a
 * {@linkcode ThreadPoolExecutor}.
 * @module
 */

import { CancelledError, TimeoutError } from "../_core/errors.ts";
import { defineInspect } from "../_core/inspect.ts";
import { TO_DESCRIPTOR } from "../_core/transfer.ts";
import { type WaitOptions, waitTimeout } from "../_core/wait.ts";
import type { TaskOutcome } from "./_payload.ts";

/**
 * What a Future needs from the thread-local side of its executor (the
 * owner context in _owner.ts): kept as an interface so this file imports
 * nothing above it.
 */
export interface FutureSource {
  /** Settles every task of this thread that completed; returns how many. */
  drain(): number;
  /**
   * Blocks until a completion may have arrived, or `until` (ms on the
   * performance clock) passes, or the signal aborts (throws). Checks for
   * dead pool threads when it times out. `now`: a clock read the caller
   * made just before, taken for the wait's first slice (no read of its own).
   */
  park(until: number, signal: AbortSignal | undefined, now?: number): void;
  /** The slot's state word (for `running()`). */
  state(slot: number): number;
  /** Cancels a queued task; false when it already runs or ran. */
  cancel(slot: number): boolean;
  /** Requests cooperative cancellation of a running task. */
  abort(slot: number): void;
  /** Checks for dead pool threads if that is due (SCAN_MS since the last). */
  scanIfDue(): void;
}

const PENDING = 0, CANCELLED = 1, FINISHED = 2;
// The slot phases of a task that has started (pool/_layout.ts).
const SLOT_RUNNING = 2, SLOT_DONE = 3, SLOT_FINISHING = 5;

// deno-lint-ignore no-explicit-any
type AnyFuture = Future<any>;
/** Settles a future (the owner context calls this). */
export let settleFuture: (future: AnyFuture, outcome: TaskOutcome) => void;
/** Marks a future cancelled (the owner context calls this). */
export let cancelFuture: (future: AnyFuture) => void;
/** The source of a pending future (undefined once settled). */
export let sourceOf: (future: AnyFuture) => FutureSource | undefined;
/** Runs `fn` once when the future settles (the abort listener's removal). */
export let onSettle: (future: AnyFuture, fn: () => void) => void;
/** Cancels a queued task or requests cancellation of a running one. */
export let abortFuture: (future: AnyFuture) => void;

/**
 * The eventual result of a task run by a {@linkcode ThreadPoolExecutor}.
 * It is `PromiseLike`: `await future` gives the result or rejects with the
 * task's error (class name, message, stack and cause, as a Thread's join
 * does). `result()` is the blocking form, for threads.
 *
 * A Future belongs to the thread that submitted its task: its methods are
 * called there, its callbacks run there, and it cannot be sent to another
 * thread (send the result instead).
 *
 * Python: `concurrent.futures.Future`.
 *
 * Differences from Python:
 * - `await future` (PromiseLike) besides the blocking `result()`.
 * - Timeouts are in milliseconds, and `result`/`exception` take a signal.
 * - No `set_result`/`set_exception`: only executors make Futures.
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * const future = pool.submit((a: number, b: number) => a * b, 6, 7);
 * assert.equal(await future, 42);
 * assert.equal(future.done(), true);
 * assert.equal(future.result(), 42);
 * ```
 */
export class Future<R = unknown> implements PromiseLike<R> {
  #state = PENDING;
  #source: FutureSource | undefined;
  #slot: number;
  // Typed loosely so that Future<R> is covariant in R (a Future<number> is
  // a Future<unknown>): only the public methods speak of R.
  #value: unknown;
  #error: unknown;
  #callbacks: ((future: never) => void)[] | undefined;
  #promise: Promise<unknown> | undefined;
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  /** Called once when the future settles (the abort listener's removal). */
  #onSettle: (() => void) | undefined;

  /** Internal: executors create futures. */
  constructor(source: FutureSource, slot: number) {
    this.#source = source;
    this.#slot = slot;
  }

  /**
   * Cancels the task if it has not started: returns `true` then (and for a
   * future already cancelled), `false` when it runs or has finished.
   *
   * Python: `Future.cancel`.
   */
  cancel(): boolean {
    if (this.#state === CANCELLED) return true;
    if (this.#state === FINISHED) return false;
    if (!this.#source!.cancel(this.#slot)) {
      // A shutdown({ cancelFutures }) may have cancelled it already: its
      // slot waits on our completion stack.
      this.#source!.drain();
      return this.#state === CANCELLED;
    }
    cancelFuture(this);
    return true;
  }

  /** Whether the task was cancelled. Python: `Future.cancelled`. */
  cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /** Whether the task is running now. Python: `Future.running`. */
  running(): boolean {
    if (this.#state !== PENDING) return false;
    this.#source!.drain();
    return this.#state === PENDING &&
      (this.#source!.state(this.#slot) & 15) === SLOT_RUNNING;
  }

  /** Whether the task finished or was cancelled. Python: `Future.done`. */
  done(): boolean {
    if (this.#state === PENDING) this.#source!.drain();
    return this.#state !== PENDING;
  }

  /**
   * Waits for the task and returns its result. Blocks the calling thread
   * (use `await future` where the event loop must keep turning).
   *
   * Python: `Future.result`.
   *
   * @throws what the task threw; {@linkcode CancelledError} when it was
   * cancelled; {@linkcode TimeoutError} when `timeout` ms pass first.
   */
  result(options?: WaitOptions): R {
    this.#waitSync(options);
    if (this.#state === CANCELLED) throw cancelledError();
    if (this.#failed) throw this.#error;
    return this.#value as R;
  }

  /**
   * Waits for the task and returns what it threw, or `undefined` when it
   * returned. Blocks the calling thread.
   *
   * Python: `Future.exception`.
   *
   * @throws {CancelledError} when it was cancelled; {@linkcode TimeoutError}
   * when `timeout` ms pass first.
   */
  exception(options?: WaitOptions): unknown {
    this.#waitSync(options);
    if (this.#state === CANCELLED) throw cancelledError();
    return this.#error;
  }

  /**
   * Calls `fn(future)` when the future settles (finished or cancelled), in
   * this thread; at once when it already has. An error thrown by `fn` is
   * reported on stderr and ignored, as in Python.
   *
   * Python: `Future.add_done_callback`.
   */
  addDoneCallback(fn: (future: Future<R>) => void): void {
    if (typeof fn !== "function") {
      throw new TypeError("Cannot add done callback: fn must be a function");
    }
    if (this.#state !== PENDING) return call(fn, this);
    (this.#callbacks ??= []).push(fn as (future: never) => void);
  }

  /** Attaches handlers to the result, as a Promise's `then`. */
  then<A = R, B = never>(
    onfulfilled?: ((value: R) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.#promise ??= this.#makePromise();
    return (this.#promise as Promise<R>).then(onfulfilled, onrejected);
  }

  /** @ignore Refuses to travel: a Future belongs to the thread that submitted it. */
  [TO_DESCRIPTOR](): never {
    throw new TypeError(
      "Cannot send a Future to another thread: it belongs to the thread that submitted its task; send its result instead",
    );
  }

  #failed = false;

  #waitSync(options: WaitOptions | undefined): void {
    // Options first, done or not: result(5) (Python's positional timeout)
    // or a negative timeout fails the same way at any time.
    const { timeout, signal } = waitTimeout(options);
    if (this.#state !== PENDING) return;
    const source = this.#source!;
    // The timeout counts from the call (Python's): a finite one is fixed
    // here by one clock read (about 0.5 us here). The first park takes that
    // read for its own when the drain before it settled nothing (a few
    // atomics since, no done callback run; at most a due scan); any other
    // park reads the clock once, here, for the deadline check and its wait
    // (its scan bound) together. Not checked on the first pass: a deadline
    // already due times out the park, and the next pass throws.
    let now = timeout === Infinity ? NaN : performance.now();
    const deadline = timeout === Infinity ? Infinity : now + timeout;
    for (let first = true;; first = false) {
      const settled = source.drain();
      if (this.#state !== PENDING) return;
      if (!first || settled !== 0 || now !== now) { // (NaN: not read)
        now = performance.now();
        if (!first && now >= deadline) {
          throw new TimeoutError(
            `Cannot get the task's result: it did not finish within ${options?.timeout} ms`,
          );
        }
      }
      source.park(deadline, signal, now);
    }
  }

  #makePromise(): Promise<unknown> {
    // Settled already (with many tasks in flight, the Future awaited is
    // mostly one the reaper settled): a settled promise, without the
    // executor and resolving functions a pending one needs.
    if (this.#state === FINISHED && !this.#failed) {
      return Promise.resolve(this.#value);
    }
    const p = new Promise<unknown>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (this.#state !== PENDING) this.#fulfil();
    return p;
  }

  #fulfil(): void {
    if (this.#resolve === undefined) return;
    if (this.#state === CANCELLED) this.#reject!(cancelledError());
    else if (this.#failed) this.#reject!(this.#error);
    else this.#resolve(this.#value);
  }

  #finish(state: number): void {
    this.#state = state;
    this.#source = undefined;
    this.#onSettle?.();
    this.#onSettle = undefined;
    this.#fulfil();
    const callbacks = this.#callbacks;
    this.#callbacks = undefined;
    if (callbacks !== undefined) {
      for (const fn of callbacks) call(fn as (f: Future<R>) => void, this);
    }
  }

  static {
    settleFuture = (f, outcome) => {
      if (f.#state !== PENDING) return;
      if (outcome.ok) f.#value = outcome.value;
      else {
        f.#failed = true;
        f.#error = outcome.error;
      }
      f.#finish(FINISHED);
    };
    cancelFuture = (f) => {
      if (f.#state === PENDING) f.#finish(CANCELLED);
    };
    sourceOf = (f) => f.#state === PENDING ? f.#source : undefined;
    onSettle = (f, fn) => {
      const before = f.#onSettle;
      f.#onSettle = before === undefined ? fn : () => (before(), fn());
    };
    abortFuture = (f) => {
      if (f.#state !== PENDING) return;
      if (!f.cancel()) f.#source?.abort(f.#slot);
    };
    // Python's repr: `<Future at 0x... state=finished returned int>`. It
    // reads and never drains (done() and running() do): printing a Future
    // settles nothing and runs no callback. Until this thread has drained
    // the task's completion, the Future is pending or running here (as
    // done() says): the slot's phase tells which.
    defineInspect(Future, (f): Record<string, string> => {
      if (f.#state === CANCELLED) return { state: "cancelled" };
      if (f.#state === FINISHED) {
        return f.#failed
          ? { state: "finished", raised: errorName(f.#error) }
          : { state: "finished", returned: typeName(f.#value) };
      }
      const phase = f.#source!.state(f.#slot) & 15;
      const ran = phase === SLOT_RUNNING || phase === SLOT_FINISHING ||
        phase === SLOT_DONE;
      return { state: ran ? "running" : "pending" };
    });
  }
}

/** A value's class name, as Python's repr names a result's type. */
function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object" && typeof value !== "function") {
    return typeof value;
  }
  // The prototype's constructor, not an own `constructor` key of the value.
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return typeof name === "string" && name !== "" ? name : "Object";
}

/**
 * An error's class name: its `name`, which the error codec keeps for a
 * class this thread does not have (revived as an Error named so).
 */
function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "" ? name : typeName(error);
}

function cancelledError(): CancelledError {
  return new CancelledError("The task was cancelled");
}

function call<R>(fn: (future: Future<R>) => void, future: Future<R>): void {
  try {
    fn(future);
  } catch (error) {
    console.error("Exception calling a Future's done callback:", error);
  }
}
