// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Semaphore} and {@linkcode BoundedSemaphore}: counters that
 * threads acquire and release.
 * @module
 */

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
import { Guard, notAcquired, runHeld, runHeldAsync } from "./_guard.ts";
import {
  type Acquire,
  type AcquireOptions,
  acquireOptions,
  acquireOptionsAsync,
  waitAsync,
  waitSync,
} from "../_core/wait.ts";

export type { AcquireOptions, WaitOptions } from "../_core/wait.ts";
export type { SharedPlacement } from "../_core/placement.ts";
export { Guard } from "./_guard.ts";

// Semaphore shared layout: Int32Array on a SharedArrayBuffer, 3 slots (12 B).
// | slot | name    | values                                   | written by                     |
// |------|---------|------------------------------------------|--------------------------------|
// | 0    | VALUE   | the counter, >= 0                        | CAS by acquire; CAS by release |
// | 1    | WAITERS | acquirers that may sleep on VALUE        | +1/-1 by a waiting acquirer    |
// | 2    | BOUND   | highest VALUE a release may reach        | the constructor, once          |
// Semaphore's BOUND is 2^31 - 1 (the word's limit); BoundedSemaphore's is its
// initial value.
const VALUE = 0;
const WAITERS = 1;
const BOUND = 2;
const SLOTS = 3;
const MAX = 0x7fffffff;

// Semaphore states (on VALUE):
// v > 0  -acquire (CAS v -> v-1)->       v - 1
// 0      -acquire->                      WAITERS+1, sleep while VALUE == 0,
//                                        re-try the CAS on every wake
// v      -release(n) (CAS v -> v+n)->    v + n, notify(n) if WAITERS > 0
// v      -release(n), v + n > BOUND->    throws, VALUE unchanged
//
// Why no lost wakeup: an acquirer counts itself in WAITERS before it looks
// at VALUE, and sleeps only while VALUE is 0; release raises VALUE before it
// reads WAITERS. Both are sequentially consistent, so either the acquirer
// sees the raised VALUE or the releaser sees the waiter and notifies. A
// woken acquirer that leaves without a unit (timeout, abort, cancel) while
// VALUE > 0 hands the wakeup on with notify(1), so release(n)'s n wakeups
// reach n acquirers that can use them.
//
// Fairness: not FIFO. A fresh acquirer may take a unit before a woken one
// (barging); Python's Semaphore makes no FIFO promise either.

const TAG = "threadkit.Semaphore";
const BOUNDED_TAG = "threadkit.BoundedSemaphore";
let adopting: Descriptor | undefined;

/**
 * A counting semaphore: `acquire()` takes one unit, waiting while there is
 * none; `release(n)` gives back n units and admits up to n waiters. Blocking
 * and async acquirers on the same semaphore work together. Any thread may
 * release. A Semaphore passed to a thread arrives as the same semaphore.
 *
 * Python: `threading.Semaphore`.
 *
 * Differences from Python:
 * - Timeouts are in milliseconds; `undefined` waits forever.
 * - `acquireAsync`, `guardAsync` and `signal` are additions.
 * - The counter is an Int32: a release past 2^31 - 1 throws a RangeError.
 *
 * @example The missed signal that a Semaphore remembers
 * ```ts
 * import { Semaphore, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const sem = new Semaphore(0);
 * sem.release(); // before anyone waits
 * const t = new Thread({
 *   target: (sem: Semaphore) => sem.acquire({ timeout: 10_000 }),
 *   args: [sem],
 * });
 * t.start();
 * assert.equal(await t.joinAsync({ timeout: 10_000 }), true);
 * ```
 */
export class Semaphore {
  readonly #view: Int32Array;

  /**
   * Creates a semaphore with `value` units, in threadkit's shared heap or at
   * `placement.byteOffset` of `placement.buffer` (12 bytes, 4-aligned).
   * @throws {RangeError} when `value` is negative or above 2^31 - 1, or the
   * offset is misaligned or out of range.
   * @throws {TypeError} when `value` is not an integer, or the buffer is not
   * a SharedArrayBuffer.
   */
  constructor(value = 1, placement?: SharedPlacement) {
    const revived = adopting;
    adopting = undefined;
    if (revived !== undefined) {
      this.#view = new Int32Array(revived.buffer, revived.byteOffset, SLOTS);
      return;
    }
    checkCount("create semaphore", "value", value, 0);
    const { buffer, byteOffset } = allocRegion(
      this.constructor.name,
      Semaphore.byteLength,
      4,
      placement,
      this,
    );
    this.#view = new Int32Array(buffer, byteOffset, SLOTS);
    Atomics.store(this.#view, VALUE, value);
    Atomics.store(this.#view, WAITERS, 0);
    Atomics.store(this.#view, BOUND, this.#bounded() ? value : MAX);
  }

  /** Bytes a semaphore occupies when placed in a caller's buffer. */
  static readonly byteLength: number = SLOTS * 4;

  /**
   * Takes one unit, blocking the calling thread while there is none. With
   * `blocking: false` it only tries once. Blocks the event loop: use
   * {@linkcode Semaphore.prototype.acquireAsync} where that matters.
   *
   * Python: `threading.Semaphore.acquire`.
   *
   * @returns `true` when a unit was taken, `false` on timeout or when
   * `blocking: false` found none.
   * @throws {TypeError} for a timeout with `blocking: false`.
   * @throws {RangeError} for a negative or NaN timeout.
   * @throws the signal's reason when it aborts; a CancelledError when the
   * calling thread is cancelled while waiting.
   */
  acquire(options?: AcquireOptions): boolean {
    const opts = acquireOptions(options);
    if (this.#tryTake()) return true;
    return opts.blocking && this.#acquireSlow(opts);
  }

  /**
   * Takes one unit without blocking the event loop.
   *
   * Python: none (the async twin of `threading.Semaphore.acquire`).
   *
   * @returns a promise of `true` when a unit was taken, `false` on timeout
   * or when `blocking: false` found none.
   * Rejects with the signal's reason when it aborts (an aborted one too).
   * @throws {RangeError} (synchronously) for a negative or NaN timeout.
   */
  acquireAsync(options?: AcquireOptions): Promise<boolean> {
    const opts = acquireOptionsAsync(options);
    if (opts instanceof Promise) return opts; // an aborted signal
    if (this.#tryTake()) return Promise.resolve(true);
    if (!opts.blocking) return Promise.resolve(false);
    return this.#acquireAsyncSlow(opts);
  }

  /**
   * Gives back `n` units and wakes up to `n` waiting acquirers. Any thread
   * may release.
   *
   * Python: `threading.Semaphore.release`.
   *
   * @throws {RangeError} when `n` is not an integer of at least 1, or the
   * value would pass its bound (for a {@linkcode BoundedSemaphore}: its
   * initial value); the value is unchanged then.
   *
   * @example release(3) admits three
   * ```ts
   * import { Semaphore } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const sem = new Semaphore(0);
   * sem.release(3);
   * assert.equal(sem.value, 3);
   * ```
   */
  release(n = 1): void {
    checkCount("release semaphore", "n", n, 1);
    const view = this.#view;
    const bound = view[BOUND]; // written once before the handle existed
    let v = Atomics.load(view, VALUE);
    for (;;) {
      if (v + n > bound) throw this.#tooMany(v, n, bound);
      const seen = Atomics.compareExchange(view, VALUE, v, v + n);
      if (seen === v) break;
      v = seen;
    }
    // Why no lost wakeup: VALUE was raised above, before WAITERS is read.
    if (Atomics.load(view, WAITERS) > 0) Atomics.notify(view, VALUE, n);
  }

  /** The number of units right now (a snapshot). Python: `_value`. */
  get value(): number {
    return Atomics.load(this.#view, VALUE);
  }

  /**
   * Takes a unit (blocking) and returns a guard that gives it back at the
   * end of a `using` scope. Python: `with sem:`.
   * @throws {TimeoutError} when `timeout` passes first.
   */
  guard(options?: AcquireOptions): Guard {
    if (!this.acquire(options)) throw notAcquired(options);
    return new Guard(() => this.release());
  }

  /** Takes a unit without blocking the event loop and resolves to a guard. */
  async guardAsync(options?: AcquireOptions): Promise<Guard> {
    if (!(await this.acquireAsync(options))) throw notAcquired(options);
    return new Guard(() => this.release());
  }

  /**
   * Runs `fn` holding the semaphore (one unit) (a blocking acquire) and releases it when
   * `fn` returns or throws; returns what `fn` returns. The plain-JavaScript
   * form of `using _ = x.guard()` (Node 20 has no `using`). For an async
   * `fn` use `withLockAsync`: this form releases when `fn` returns, not when
   * its promise settles.
   *
   * Python: `with sem:`.
   *
   * @throws {TimeoutError} when `timeout` passes first; {RuntimeError} when
   * `blocking: false` finds none left; whatever `fn` throws.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const x = new Semaphore(1);
   * assert.throws(() => x.withLock(() => { throw new Error("boom"); }), /boom/);
   * assert.equal(x.withLock(() => 42), 42); // released on throw, so free again
   * ```
   */
  withLock<T>(fn: () => T, options?: AcquireOptions): T {
    return runHeld(this.guard(options), fn);
  }

  /**
   * Runs `fn` (sync or async) holding the semaphore (one unit), acquired without blocking
   * the event loop, and releases it when `fn`'s promise settles (fulfilled
   * or rejected).
   *
   * Python: `async with` has no threading twin; async-mutex calls this
   * `runExclusive`.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const x = new Semaphore(1);
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

  /** @ignore Describes the semaphore for another thread (transfer registry). */
  [TO_DESCRIPTOR](): Descriptor {
    return {
      tag: this.#bounded() ? BOUNDED_TAG : TAG,
      buffer: this.#view.buffer as SharedArrayBuffer,
      byteOffset: this.#view.byteOffset,
    };
  }

  #bounded(): boolean {
    return this instanceof BoundedSemaphore;
  }

  #tooMany(v: number, n: number, bound: number): RangeError {
    return new RangeError(
      this.#bounded()
        ? `Cannot release semaphore: released too many times (value ${v} + ${n} > initial value ${bound})`
        : `Cannot release semaphore: value ${v} + ${n} exceeds ${MAX}`,
    );
  }

  #tryTake(): boolean {
    const view = this.#view;
    let v = Atomics.load(view, VALUE);
    while (v > 0) {
      const seen = Atomics.compareExchange(view, VALUE, v, v - 1);
      if (seen === v) return true;
      v = seen;
    }
    return false;
  }

  #acquireSlow(opts: Acquire): boolean {
    const view = this.#view;
    Atomics.add(view, WAITERS, 1);
    try {
      for (;;) {
        if (this.#tryTake()) return true;
        // Why no lost wakeup: we are in WAITERS and sleep only while VALUE
        // is 0 (see the note at the top).
        if (
          waitSync(
            view,
            VALUE,
            0,
            opts.deadline,
            opts.signal,
            true,
            "acquire",
          ) === "timed-out"
        ) {
          return this.#tryTake();
        }
      }
    } catch (error) {
      this.#handOn();
      throw error;
    } finally {
      Atomics.sub(view, WAITERS, 1);
    }
  }

  async #acquireAsyncSlow(opts: Acquire): Promise<boolean> {
    const view = this.#view;
    Atomics.add(view, WAITERS, 1);
    try {
      for (;;) {
        if (this.#tryTake()) return true;
        // Why no lost wakeup: as in #acquireSlow.
        const outcome = await waitAsync(
          view,
          VALUE,
          0,
          opts.deadline,
          opts.signal,
        );
        if (outcome === "timed-out") return this.#tryTake();
      }
    } catch (error) {
      this.#handOn();
      throw error;
    } finally {
      Atomics.sub(view, WAITERS, 1);
    }
  }

  // An interrupted acquirer may have consumed a release's wakeup: pass it on.
  #handOn(): void {
    if (Atomics.load(this.#view, VALUE) > 0) {
      Atomics.notify(this.#view, VALUE, 1);
    }
  }
}

defineInspect(Semaphore, (sem) => ({ value: sem.value }));

/**
 * A semaphore that refuses to be released above its initial value, which
 * catches a release without a matching acquire.
 *
 * Python: `threading.BoundedSemaphore`.
 *
 * Differences from Python:
 * - An over-release throws `RangeError` (Python: `ValueError`, which
 *   JavaScript does not have) and leaves the value unchanged.
 * - Otherwise as {@linkcode Semaphore}.
 *
 * @example Over-release throws and changes nothing
 * ```ts
 * import { BoundedSemaphore } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const sem = new BoundedSemaphore(2);
 * sem.acquire();
 * sem.release();
 * assert.throws(() => sem.release(), RangeError);
 * assert.equal(sem.value, 2);
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /**
   * Creates a bounded semaphore with `value` units (also its bound).
   * @throws {RangeError} when `value` is negative.
   * @throws {TypeError} when `value` is not an integer.
   */
  constructor(value = 1, placement?: SharedPlacement) {
    super(value, placement);
  }
}

function checkCount(what: string, name: string, n: unknown, min: number) {
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new TypeError(
      `Cannot ${what}: ${name} must be an integer, got ${String(n)}`,
    );
  }
  if (n < min || n > MAX) {
    throw new RangeError(
      `Cannot ${what}: ${name} must be between ${min} and ${MAX}, got ${n}`,
    );
  }
}

function revive(d: Descriptor, cls: typeof Semaphore): Semaphore {
  checkRegion(cls.name, d.buffer, d.byteOffset, Semaphore.byteLength, 4);
  adopting = d;
  return new cls();
}

registerTransfer(TAG, (d) => revive(d, Semaphore));
registerTransfer(BOUNDED_TAG, (d) => revive(d, BoundedSemaphore));
