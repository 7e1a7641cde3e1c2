// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Condition}: a condition variable shared by threads.
 * @module
 */

import { RuntimeError } from "../_core/errors.ts";
import { defineInspect } from "../_core/inspect.ts";
import {
  allocRegion,
  checkRegion,
  type SharedPlacement,
} from "../_core/placement.ts";
import {
  type Descriptor,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import {
  type Guard,
  guardWith,
  guardWithAsync,
  runHeld,
  runHeldAsync,
} from "./_guard.ts";
import {
  grant,
  register,
  sleepAsync,
  SLOTS,
  ticketSleep,
  ticketSleepAsync,
  WAITERS,
} from "./_tickets.ts";
import {
  lockWords,
  restoreAsync,
  saveRegistered,
  settle,
  waitHeld,
} from "./_reacquire.ts";
import {
  type AcquireOptions,
  type DeferredSleep,
  type SleepSlot,
  sleepSlot,
  type WaitOptions,
  waitOptions,
  waitOptionsAsync,
} from "../_core/wait.ts";
import { HELD_HERE, TAKE_OVER } from "./_holder.ts";
import { checkPredicate, waitForAsync, waitForSync } from "./_wait_for.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";

export type { AcquireOptions, WaitOptions } from "../_core/wait.ts";
export type { SharedPlacement } from "../_core/placement.ts";
export { Guard } from "./_guard.ts";

// Layout, waiters' state machine, why no wakeup is lost: sync/_tickets.ts.
// How wait() releases and reacquires the lock (a dead holder's included):
// sync/_reacquire.ts. The lock has its own region; the descriptor names it.

const TAG = "threadkit.Condition";
let adopting: { view: Int32Array; lock: Lock | RLock } | undefined;

/**
 * A condition variable: threads wait (with the lock released) until another
 * thread notifies, and re-check their predicate with the lock held.
 *
 * Every method except `acquire` family needs the caller to hold the lock:
 * for an `RLock` "held by this thread"; for a `Lock` (which has no owner)
 * "held by some thread", which is what Python checks too. `wait()` releases
 * the lock fully (an RLock held three deep included) and restores it, count
 * and all, before it returns or throws. A Condition passed to a thread
 * arrives as the same condition over the same lock.
 *
 * Spurious wakeups are allowed by the contract, lost wakeups are not: wait
 * in a loop that re-checks the predicate, or use `waitFor`.
 *
 * A thread that dies holding the lock is seen by the waiters: one of them
 * (an acquirer, or a thread in `wait()`) takes the lock over and gets an
 * {@linkcode OwnerDiedError}, holding the lock as it held it before; see
 * {@linkcode Lock} and {@linkcode RLock}.
 *
 * Python: `threading.Condition`.
 *
 * Differences from Python:
 * - Timeouts are in milliseconds; every wait also takes an AbortSignal.
 * - `waitAsync`, `waitForAsync`, `acquireAsync`, `guardAsync` are additions.
 * - `notify(n)` wakes any n of the waiters present, not the n oldest.
 * - A notify that races a waiter's timeout wins: that wait returns `true`
 *   (Python may return False and lose the notification).
 * - The lock must be a threadkit `Lock` or `RLock`.
 * - `notify(n)` takes a non-negative integer: a negative, fractional or
 *   infinite n is a RangeError (Python wakes none for n <= 0 and all for
 *   `math.inf`; use `notifyAll()`).
 *
 * @example The prime printer handshake
 * ```ts
 * import { Condition, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const cond = new Condition();
 * const state = new Int32Array(new SharedArrayBuffer(8)); // [found, prime]
 * const printer = new Thread({
 *   target: (cond: Condition, state: Int32Array) => {
 *     using _held = cond.guard();
 *     while (state[0] === 0) cond.wait({ timeout: 10_000 });
 *     state[0] = 0;
 *     cond.notify();
 *     return state[1];
 *   },
 *   args: [cond, state],
 * });
 * printer.start();
 * {
 *   using _held = cond.guard();
 *   state[1] = 7;
 *   state[0] = 1;
 *   cond.notify();
 *   while (state[0] === 1) cond.wait({ timeout: 10_000 });
 * }
 * assert.equal(await printer.joinAsync({ timeout: 10_000 }), 7);
 * ```
 */
export class Condition {
  readonly #view: Int32Array;
  readonly #lock: Lock | RLock;
  // A sleeping waiter's death check (made once): it takes the lock over from
  // a holder that stopped and throws OwnerDiedError (sync/_holder.ts).
  readonly #checkHolder: () => void;
  // The lock's words (its lock word; an RLock's owner and depth), which
  // wait() takes back with no call (sync/_reacquire.ts); this handle's
  // Sleep, refilled by each wait(), and whether a wait() is using it.
  readonly #words: Int32Array;
  readonly #slot: SleepSlot = sleepSlot();
  #slotBusy = false;

  /**
   * Creates a condition over `lock` (default: a new RLock, as in Python),
   * with its words in threadkit's shared heap or at `placement.byteOffset` of
   * `placement.buffer` (12 bytes, 4-aligned).
   * @throws {TypeError} when `lock` is not a Lock or RLock, or the buffer is
   * not a SharedArrayBuffer.
   * @throws {RangeError} when the offset is misaligned or out of range.
   */
  constructor(lock?: Lock | RLock, placement?: SharedPlacement) {
    const revived = adopting;
    adopting = undefined;
    if (revived !== undefined) {
      this.#view = revived.view;
      const lock = this.#lock = revived.lock;
      this.#words = lockWords(lock);
      this.#checkHolder = () => lock[TAKE_OVER]();
      return;
    }
    if (
      lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)
    ) {
      throw new TypeError(
        "Cannot create condition: lock must be a threadkit Lock or RLock",
      );
    }
    const { buffer, byteOffset } = allocRegion(
      "Condition",
      Condition.byteLength,
      4,
      placement,
      this,
    );
    this.#view = new Int32Array(buffer, byteOffset, SLOTS);
    this.#view.fill(0);
    const held = this.#lock = lock ?? new RLock();
    this.#words = lockWords(held);
    this.#checkHolder = () => held[TAKE_OVER]();
  }

  /** Bytes a Condition's own words occupy in a caller's buffer. */
  static readonly byteLength: number = SLOTS * 4;

  /**
   * Acquires the underlying lock (see `Lock.acquire` / `RLock.acquire`).
   *
   * Python: `threading.Condition.acquire`.
   */
  acquire(options?: AcquireOptions): boolean {
    return this.#lock.acquire(options);
  }

  /** Acquires the underlying lock without blocking the event loop. */
  acquireAsync(options?: AcquireOptions): Promise<boolean> {
    return this.#lock.acquireAsync(options);
  }

  /**
   * Releases the underlying lock.
   *
   * Python: `threading.Condition.release`.
   * @throws {RuntimeError} as the lock's release does.
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Acquires the lock (blocking) and returns a guard that releases it at the
   * end of a `using` scope. Python: `with cond:`.
   * @throws {TimeoutError} when `timeout` passes first.
   * @throws {OwnerDiedError} when the acquire took the lock over from a
   * thread that stopped holding it: unlike `acquire`, a guard form has no
   * handle to give back, so it releases the lock first and throws with
   * `released` true (the guarded data may need repair: use `acquire` to
   * repair under the lock).
   */
  guard(options?: AcquireOptions): Guard {
    return guardWith(
      () => this.acquire(options),
      () => this.release(),
      options,
    );
  }

  /**
   * Acquires without blocking the event loop and resolves to a guard.
   * @throws {OwnerDiedError} (rejects) as `guard` does: released again.
   */
  async guardAsync(options?: AcquireOptions): Promise<Guard> {
    return await guardWithAsync(
      () => this.acquireAsync(options),
      () => this.release(),
      options,
    );
  }

  /**
   * Releases the lock, blocks until notified or the timeout passes, then
   * reacquires the lock: it returns and throws with the lock held as before
   * (an RLock at its old depth), so a guard around it stays balanced. Blocks
   * the event loop: use {@linkcode Condition.prototype.waitAsync} where that
   * matters.
   *
   * Python: `threading.Condition.wait`.
   *
   * @returns `false` when the timeout passed without a notify, else `true`.
   * @throws {RuntimeError} when the calling thread does not hold the lock.
   * @throws {RangeError} for a negative or NaN timeout.
   * @throws the signal's reason when it aborts; a CancelledError when the
   * calling thread is cancelled.
   * @throws {OwnerDiedError} when a thread died holding the lock while this
   * one waited or reacquired (seen within one 50 ms slice): this thread took
   * the lock over and holds it; see `Lock.acquire` (README "When threads
   * fail").
   *
   * @example A wait that times out
   * ```ts
   * import { Condition } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const cond = new Condition();
   * using _held = cond.guard();
   * assert.equal(cond.wait({ timeout: 10 }), false);
   * ```
   */
  wait(options?: WaitOptions): boolean {
    // Kept short, no allocation: see "The woken path" in _reacquire.ts.
    const busy = this.#slotBusy;
    const s = ticketSleep(
      options,
      this.#checkHolder,
      busy ? undefined : this.#slot,
    );
    this.#checkOwned("wait");
    this.#slotBusy = true;
    try {
      return waitHeld(this.#view, this.#lock, this.#words, s);
    } finally {
      this.#slotBusy = busy;
    }
  }

  /**
   * Like {@linkcode Condition.prototype.wait}, without blocking the event
   * loop (the lock is reacquired with its async acquire).
   *
   * Python: none (the async twin of `threading.Condition.wait`).
   *
   * @returns a promise of `false` on timeout, else `true`.
   * @throws {RuntimeError} (synchronously) when the lock is not held.
   * @throws {OwnerDiedError} (rejects) as `wait` does, the lock held.
   */
  waitAsync(options?: WaitOptions): Promise<boolean> {
    const s = ticketSleepAsync(options, this.#checkHolder);
    if (s instanceof Promise) return s; // rejected: aborted signal
    this.#checkOwned("wait");
    return this.#waitAsync(s);
  }

  /**
   * Waits until `predicate()` (called with the lock held) is truthy, or the
   * timeout passes, and returns its last value.
   *
   * Python: `threading.Condition.wait_for`.
   *
   * @example
   * ```ts
   * import { Condition } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const cond = new Condition();
   * using _held = cond.guard();
   * assert.equal(cond.waitFor(() => 0, { timeout: 10 }), 0);
   * assert.equal(cond.waitFor(() => "ready", { timeout: 10 }), "ready");
   * ```
   */
  waitFor<T>(predicate: () => T, options?: WaitOptions): T {
    checkPredicate(predicate);
    return waitForSync(this, predicate, waitOptions(options));
  }

  /**
   * Like {@linkcode Condition.prototype.waitFor}, without blocking the event
   * loop. The predicate is synchronous and runs with the lock held.
   *
   * Python: none (the async twin of `threading.Condition.wait_for`).
   */
  waitForAsync<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    checkPredicate(predicate);
    const w = waitOptionsAsync(options);
    if (w instanceof Promise) return w; // rejected: aborted signal
    this.#checkOwned("wait");
    return waitForAsync(this, predicate, w);
  }

  /**
   * Wakes at most `n` of the threads waiting now (none if none wait); if this
   * thread acquired the lock, at its release (so they find it free; a Lock
   * released by another thread: within 50 ms, a waiter's wait slice).
   *
   * Python: `threading.Condition.notify`.
   *
   * @throws {RuntimeError} when the calling thread does not hold the lock.
   * @throws {RangeError} when `n` is not a non-negative integer.
   */
  notify(n = 1): void {
    if (n !== 1 && !(Number.isInteger(n) && n >= 0)) {
      throw new RangeError(
        `Cannot notify: n must be a non-negative integer, got ${n}`,
      );
    }
    grant(this.#view, n, this.#checkOwned("notify"));
  }

  /**
   * Wakes every thread waiting now.
   *
   * Python: `threading.Condition.notify_all`.
   *
   * @throws {RuntimeError} when the calling thread does not hold the lock.
   */
  notifyAll(): void {
    grant(this.#view, 0x7fffffff, this.#checkOwned("notify"));
  }

  /**
   * Runs `fn` holding the lock (a blocking acquire) and releases it when
   * `fn` returns or throws; returns what `fn` returns. The plain-JavaScript
   * form of `using _ = x.guard()` (Node 20 has no `using`). For an async
   * `fn` use `withLockAsync`: this form releases when `fn` returns, not when
   * its promise settles.
   *
   * Python: `with cond:`.
   *
   * @throws {TimeoutError} when `timeout` passes first; {RuntimeError} when
   * `blocking: false` finds it held; whatever `fn` throws.
   * @throws {OwnerDiedError} when the acquire took the lock over from a
   * thread that stopped holding it: `fn` does not run, the lock is released
   * again and the error has `released` true (use `acquire` to repair
   * under the lock).
   *
   * @example
   * ```ts
   * import { Condition } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const x = new Condition();
   * assert.throws(() => x.withLock(() => { throw new Error("boom"); }), /boom/);
   * assert.equal(x.withLock(() => 42), 42); // released on throw, so free again
   * ```
   */
  withLock<T>(fn: () => T, options?: AcquireOptions): T {
    return runHeld(this.guard(options), fn);
  }

  /**
   * Runs `fn` (sync or async) holding the lock, acquired without blocking
   * the event loop, and releases it when `fn`'s promise settles (fulfilled
   * or rejected).
   *
   * Python: `async with` has no threading twin; async-mutex calls this
   * `runExclusive`.
   *
   * @throws {OwnerDiedError} (rejects) when the acquire took the lock over from a
   * thread that stopped holding it: `fn` does not run, the lock is released
   * again and the error has `released` true (use `acquire` to repair
   * under the lock).
   *
   * @example
   * ```ts
   * import { Condition } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const x = new Condition();
   * const n = await x.withLockAsync(async () => {
   *   await new Promise((r) => setTimeout(r, 1));
   *   return 7;
   * });
   * assert.equal(n, 7);
   * ```
   */
  withLockAsync<T>(
    fn: () => T | PromiseLike<T>,
    options?: AcquireOptions,
  ): Promise<T> {
    return runHeldAsync(this.guardAsync(options), fn);
  }

  /** @ignore Describes the condition (and its lock) for another thread. */
  [TO_DESCRIPTOR](): Descriptor {
    return {
      tag: TAG,
      buffer: this.#view.buffer as SharedArrayBuffer,
      byteOffset: this.#view.byteOffset,
      extra: { lock: this.#lock },
    };
  }

  static {
    defineInspect(Condition, (cond) => ({
      locked: cond.#lock.locked(),
      waiting: Atomics.load(cond.#view, WAITERS),
    }));
  }

  async #waitAsync(s: DeferredSleep): Promise<boolean> {
    const view = this.#view, lock = this.#lock;
    const ticket = this.#register("wait");
    let saved: number;
    try {
      saved = saveRegistered(lock);
    } catch (error) {
      Atomics.sub(view, WAITERS, 1); // not released: registration back
      throw error;
    }
    let granted = false, shallow = false, failed = false, error: unknown;
    try {
      const sleep = sleepAsync(view, ticket, s);
      shallow = true; // what follows the await runs from a fresh microtask
      granted = await sleep;
    } catch (e) {
      failed = true; // no allocation: the handler may run at the stack's end
      error = e;
    }
    // The sleep's call overflowed the stack: the lock comes back from a
    // fresh microtask, where the stack is shallow (sync/_reacquire.ts).
    if (!shallow) await undefined;
    const failure = await restoreAsync(
      lock,
      saved,
      failed ? { error } : undefined,
    );
    return settle(view, ticket, granted, failure);
  }

  // Throws unless held (an RLock: here); true if acquired here (_handoff.ts).
  #checkOwned(what: string): boolean {
    const lock = this.#lock;
    const held = lock instanceof RLock ? +lock.isOwned() : lock[HELD_HERE]();
    if (held !== 0) return held === 1;
    throw new RuntimeError(`Cannot ${what} on un-acquired lock`);
  }

  // Lock held: count ourselves in and take the ticket.
  #register(what: string): number {
    this.#checkOwned(what);
    return register(this.#view, what);
  }
}

registerTransfer(TAG, (d) => {
  // Values: the encode sites encode the extra, and decode it before this.
  const lock = (d.extra as { lock?: unknown } | undefined)?.lock;
  if (!(lock instanceof Lock) && !(lock instanceof RLock)) {
    throw new TypeError("Cannot revive Condition: its lock is missing");
  }
  checkRegion("Condition", d.buffer, d.byteOffset, Condition.byteLength, 4);
  adopting = { view: new Int32Array(d.buffer, d.byteOffset, SLOTS), lock };
  return new Condition();
});
