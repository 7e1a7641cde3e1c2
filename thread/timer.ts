// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Timer}: a thread that runs its target after a delay, unless
 * cancelled first.
 * @module
 */

import { deadlineOf } from "../_core/wait.ts";
import { nextNameNumber } from "../_core/runtime.ts";
import { checkTarget, targetName, wireTarget } from "../_core/target.ts";
import { CANCELLED, WAITING } from "./_timer_target.ts";
import {
  type ModuleTarget,
  moduleTarget,
  Thread,
  type ThreadFunction,
  type ThreadResult,
} from "./thread.ts";

export type {
  JoinOptions,
  ModuleTarget,
  ResourceLimits,
  Thread,
  ThreadFunction,
  ThreadOptions,
  ThreadResult,
} from "./thread.ts";

// Timer word: Int32Array on a SharedArrayBuffer, 1 slot (4 B), in the heap.
// | slot | name  | values                               | written by                  |
// |------|-------|--------------------------------------|-----------------------------|
// | 0    | STATE | 0 WAITING, 1 CANCELLED, 2 FIRED       | CAS by cancel() / the timer |
//
// Timer states:
// WAITING -cancel() (CAS 0 -> 1, notify)->              CANCELLED: target never runs
// WAITING -interval passed, in the thread (CAS 0 -> 2)-> FIRED: target runs
// CANCELLED or FIRED -cancel()->                        nothing
// The two compareExchanges decide a race between cancel() and the end of the
// interval: exactly one wins.
//
// Why no lost wakeup: cancel() writes CANCELLED before it notifies the word;
// the timer thread sleeps only while the word is WAITING
// (thread/_timer_target.ts).

// The timer's thread runs runTimer of _timer_target.ts, named by this
// internal specifier that the worker entry (_worker.ts) maps to a static
// import: no second module URL for a bundler to miss.
const TIMER_TARGET = "threadkit:timer";

/** Options of {@linkcode Timer}: the thread's name and daemon flag. */
export interface TimerOptions {
  /** The thread's name; default "Thread-N (target)". */
  name?: string;
  /** Whether the thread is a daemon; default: the creating thread's flag. */
  daemon?: boolean;
}

/**
 * The function a Timer's thread runs: threadkit's own waiting wrapper around
 * the target. Its result is the target's, or `undefined` when cancelled.
 */
export type TimerRun<F extends ThreadFunction> = (
  word: Int32Array,
  interval: number,
  target: unknown,
  ...args: unknown[]
) => Promise<ThreadResult<F> | undefined>;

/**
 * A thread that waits `interval` milliseconds, then runs `target(...args)`,
 * unless `cancel()` was called first. It is a {@linkcode Thread}: `start()`
 * it, and `join()` / `joinAsync()` it; its `result` is the target's result,
 * or `undefined` when it was cancelled.
 *
 * The target is, as for Thread, a module export or a self-contained function
 * (sent as source text).
 *
 * Python: `threading.Timer`.
 *
 * Differences from Python:
 * - `interval` is in milliseconds.
 * - `cancel()` stops only the waiting stage (as in Python); it does not
 *   request the thread's cooperative cancellation as `Thread.cancel()` does.
 * - A Timer sent to another thread arrives as a plain Thread handle.
 *
 * @example Cancelled before it fires
 * ```ts
 * import { Timer } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const ran = new Int32Array(new SharedArrayBuffer(4));
 * const timer = new Timer(10_000, (ran: Int32Array) => Atomics.store(ran, 0, 1), [ran]);
 * timer.start();
 * timer.cancel();
 * await timer.joinAsync({ timeout: 10_000 });
 * assert.equal(ran[0], 0);
 * assert.equal(timer.result, undefined);
 * ```
 */
export class Timer<F extends ThreadFunction = ThreadFunction>
  extends Thread<TimerRun<F>> {
  readonly #word: Int32Array;
  readonly #interval: number;
  readonly #target: F | ModuleTarget<F>;
  readonly #timerArgs: Parameters<F> | [];

  /**
   * Creates a timer; `start()` starts its thread and so its interval.
   * @throws {RangeError} when `interval` is negative or NaN.
   * @throws {TypeError} when `interval` is not a number, the target is
   * neither a function nor a module target, or `args` is not an array.
   */
  constructor(
    interval: number,
    target: F | ModuleTarget<F>,
    args?: Parameters<F>,
    options?: TimerOptions,
  ) {
    deadlineOf(interval); // validates: a number, not negative or NaN
    const checked = checkTarget<F | ModuleTarget<F>>(
      target,
      "Cannot create timer",
    );
    if (args !== undefined && !Array.isArray(args)) {
      throw new TypeError("Cannot create timer: args must be an array");
    }
    // The cancel word in a buffer of its own, not a heap block: the timer's
    // thread holds it as a plain Int32Array (not a handle that could hold a
    // heap reference) and may outlive this object, and the engine frees a
    // SharedArrayBuffer only once no thread holds it.
    const word = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(word, 0, WAITING);
    super({
      target: moduleTarget<TimerRun<F>>(TIMER_TARGET, "runTimer"),
      args: [word, interval, wireTarget(checked), ...(args ?? [])],
      name: options?.name ??
        `Thread-${nextNameNumber()} (${targetName(checked)})`,
      daemon: options?.daemon,
    });
    this.#word = word;
    this.#interval = interval;
    this.#target = target;
    this.#timerArgs = args ?? [];
  }

  /** The delay in milliseconds, as given. Python: `Timer.interval` (seconds). */
  get interval(): number {
    return this.#interval;
  }

  /** The function or module target to run. Python: `Timer.function`. */
  get target(): F | ModuleTarget<F> {
    return this.#target;
  }

  /** The arguments for the target (a copy). Python: `Timer.args`. */
  get args(): Parameters<F> | [] {
    return [...this.#timerArgs] as Parameters<F> | [];
  }

  /**
   * Whether the timer is finished: cancelled, or started and its thread has
   * ended (the target ran). Python: `Timer.finished`, an Event; here a
   * snapshot, since `thread/` stands beside `sync/` and cannot hand out an
   * Event (wait for the end with `join()` / `joinAsync()`).
   *
   * @example
   * ```ts
   * import { Timer } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const timer = new Timer(5, (x: number) => x * 2, [21]);
   * assert.equal(timer.interval, 5);
   * assert.deepEqual(timer.args, [21]);
   * assert.equal(timer.finished, false);
   * timer.start();
   * assert.equal(await timer.joinAsync({ timeout: 10_000 }), 42);
   * assert.equal(timer.finished, true);
   * ```
   */
  get finished(): boolean {
    return this.cancelled || (this.ident !== undefined && !this.isAlive());
  }

  /**
   * Stops the timer if it is still waiting: its target will not run. Once
   * the target started, changes nothing. May be called before `start()`.
   *
   * Python: `threading.Timer.cancel`.
   */
  override cancel(): void {
    const word = this.#word;
    if (Atomics.compareExchange(word, 0, WAITING, CANCELLED) === WAITING) {
      // Why no lost wakeup: the word changed above, before this notify.
      Atomics.notify(word, 0);
    }
  }

  /** Whether `cancel()` stopped the timer before its target started. */
  override get cancelled(): boolean {
    return Atomics.load(this.#word, 0) === CANCELLED;
  }
}
