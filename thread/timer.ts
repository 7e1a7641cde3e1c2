// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Timer}: a thread that runs its target after a delay, unless
 * cancelled first.
 * @module
 */

import { deadlineOf } from "../_core/wait.ts";
import {
  currentIdent,
  type EntryInfo,
  entryTimer,
  nextNameNumber,
  runtime,
} from "../_core/runtime.ts";
import { blockRelease, blockRetainIfLive, holdBlock } from "../_core/heap.ts";
import { checkTarget, targetName, wireTarget } from "../_core/target.ts";
import {
  type Descriptor,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import {
  CANCELLED,
  selfTimer,
  TimerWord,
  WAITING,
  wordOf,
} from "./_timer_target.ts";
import { hooks, threadHandle } from "./_handles.ts";
import {
  type ModuleTarget,
  moduleTarget,
  Thread,
  type ThreadFunction,
  type ThreadOptions,
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

// Timer word: Int32Array, 1 slot (4 B), a heap block of its own (or a
// buffer of its own when the heap is full); its references: see TimerWord
// in thread/_timer_target.ts.
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
// (thread/_timer_target.ts). From any thread: a Timer sent to another thread
// (args, a queue item, a result) arrives as a Timer over the same word (tag
// "threadkit.Timer": the word's region, and the thread's entry and the
// interval in `extra`), so its cancel() there is this compareExchange too.

// The timer's thread runs runTimer of _timer_target.ts, named by this
// internal specifier that the worker entry (_worker.ts) maps to a static
// import: no second module URL for a bundler to miss.
const TIMER_TARGET = "threadkit:timer";
const TAG = "threadkit.Timer";
// A Timer handle being revived (see the reviver at the end of the file).
let reviving: { word: TimerWord; interval: number } | undefined;

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
  word: unknown, // the timer's cancel word (an internal handle)
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
 * A started Timer passed to another thread (in args, inside a queue item,
 * as a result) arrives there as a Timer: its `cancel()`, `cancelled`,
 * `finished` and `join()` work from every thread. As in Python,
 * `currentThread()` in the timer's target and `enumerate()` in any thread
 * give a Timer for it too (in a thread that did not start it: once the
 * timer's thread has begun its wait, and while its word lives in the
 * shared heap, which it does unless the heap was full).
 *
 * Differences from Python:
 * - `interval` is in milliseconds; a negative one is a RangeError (Python
 *   runs the function at once).
 * - No `kwargs`: the fourth parameter is {@linkcode TimerOptions} (name,
 *   daemon), not Python's `kwargs`; pass the target's values in `args`.
 * - `cancel()` stops only the waiting stage (as in Python); it does not
 *   request the thread's cooperative cancellation as `Thread.cancel()` does.
 * - On a Timer received from another thread (or listed there by
 *   `enumerate()`), `target` is undefined and `args` is empty (a function
 *   does not travel), and `result` is undefined (as for any Thread handle
 *   but the starter's).
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
  readonly #word: TimerWord;
  readonly #interval: number;
  readonly #target: F | ModuleTarget<F> | undefined;
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
    const revived = reviving;
    reviving = undefined;
    const made = revived === undefined
      ? makeTimer(interval, target, args, options)
      : undefined;
    // A revived handle's super() takes the foreign path (hooks.adoptNext).
    super(made?.thread ?? undefined as never);
    this.#word = made?.word ?? revived!.word;
    this.#interval = made?.interval ?? revived!.interval;
    this.#target = made === undefined ? undefined : target;
    this.#timerArgs = made === undefined ? [] : args ?? [];
  }

  /** The delay in milliseconds, as given. Python: `Timer.interval` (seconds). */
  get interval(): number {
    return this.#interval;
  }

  /**
   * The function or module target to run; undefined on a Timer received
   * from another thread. Python: `Timer.function`.
   */
  get target(): F | ModuleTarget<F> | undefined {
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
    const word = this.#word.view;
    if (Atomics.compareExchange(word, 0, WAITING, CANCELLED) === WAITING) {
      // Why no lost wakeup: the word changed above, before this notify.
      Atomics.notify(word, 0);
    }
  }

  /** Whether `cancel()` stopped the timer before its target started. */
  override get cancelled(): boolean {
    return Atomics.load(this.#word.view, 0) === CANCELLED;
  }

  /** @ignore Describes the timer for another thread (it arrives as a Timer). */
  override [TO_DESCRIPTOR](): Descriptor {
    const thread = super[TO_DESCRIPTOR]().extra; // throws unless started
    const { buffer, byteOffset } = this.#word.view;
    return {
      tag: TAG,
      buffer: buffer as SharedArrayBuffer,
      byteOffset,
      extra: { thread, interval: this.#interval },
    };
  }
}

// The thread options of a new Timer, checked, and its new word.
function makeTimer<F extends ThreadFunction>(
  interval: number,
  target: F | ModuleTarget<F>,
  args: Parameters<F> | undefined,
  options: TimerOptions | undefined,
) {
  deadlineOf(interval); // validates: a number, not negative or NaN
  const checked = checkTarget<F | ModuleTarget<F>>(
    target,
    "Cannot create timer",
  );
  if (args !== undefined && !Array.isArray(args)) {
    throw new TypeError("Cannot create timer: args must be an array");
  }
  // The thread gets its own handle of the word: its reference (see
  // TimerWord) travels with the args.
  const word = new TimerWord(undefined, interval);
  const thread: ThreadOptions<TimerRun<F>> = {
    target: moduleTarget<TimerRun<F>>(TIMER_TARGET, "runTimer"),
    args: [word, interval, wireTarget(checked), ...(args ?? [])] as never,
    name: options?.name ??
      `Thread-${nextNameNumber()} (${targetName(checked)})`,
    daemon: options?.daemon,
  };
  return { word, interval, thread };
}

// A Timer received from another thread: the starter's own Timer there, the
// Timer handle this thread already has for it, or a new one (replacing a
// plain Thread handle from enumerate(), say). The decode gives it the
// in-flight reference to the word's block (_core/transfer.ts).
registerTransfer(TAG, (d) => {
  const { thread, interval } = d.extra as {
    thread: EntryInfo;
    interval: number;
  };
  const word = wordOf(d);
  return threadHandle(
    thread,
    (info) => adoptTimer(info, word, interval),
    isTimer,
  );
});

// A Timer handle over `word` for the thread of `info`.
function adoptTimer(info: EntryInfo, word: TimerWord, interval: number): Timer {
  reviving = { word, interval };
  hooks.adoptNext!(info);
  return new Timer(interval, undefined as never);
}

function isTimer(handle: unknown): boolean {
  return handle instanceof Timer;
}

// A Timer handle for the thread of `info` when it is a Timer's thread that
// this thread did not start (currentThread() in the timer's own thread,
// enumerate() anywhere), else undefined (a plain Thread handle then): the
// timer this thread runs, or the block its entry names (publishTimer in
// _core/runtime.ts), taken with a reference of its own. Why that reference
// is sound: it is added only to a block with references (a free block is
// never touched), and kept only if the entry still holds the timer thread's
// ident and still names the block afterwards. Within one ident the entry's
// TIMER goes 0 -> the block -> 0, once each (_timer_target.ts runTimer:
// named after the thread holds its reference, cleared before it lets it
// go), and an ident is never reused: named at both reads, it was named when
// the reference was added, so the block was the timer's and live. Else the reference goes back
// (blockRetainIfLive says why that is harmless) and the handle is a plain
// Thread. A word in a buffer of its own (the heap was full) is not named in
// the entry: a plain Thread there too.
function timerOf(info: EntryInfo): Timer | undefined {
  const own = selfTimer();
  if (own !== undefined && info.ident === currentIdent()) {
    return adoptTimer(info, own.word, own.interval);
  }
  const at = info.timer ?? 0;
  if (at === 0 || !blockRetainIfLive(at)) return undefined;
  if (entryTimer(info.entry, info.ident) !== at) {
    blockRelease(at);
    return undefined;
  }
  const { buffer } = runtime();
  const word = new TimerWord(new Int32Array(buffer, at, 1));
  holdBlock(word, at); // released once the handle (and its word) is collected
  // Written by the starter before the thread's start (see TimerWord), which
  // came before its entry named the block.
  const interval = new Float64Array(buffer, at + 8, 1)[0];
  return adoptTimer(info, word, interval);
}

hooks.timer = { of: timerOf, fits: isTimer };
