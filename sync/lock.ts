// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Lock}: a mutual-exclusion lock shared by threads.
 * @module
 */

import { OwnerDiedError, RuntimeError } from "../_core/errors.ts";
import { defineInspect } from "../_core/inspect.ts";
import { currentIdent, identAlive, identFailed } from "../_core/runtime.ts";
import { CHECK_HOLDER, OWNED, RECOVER } from "./_holder.ts";
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
  waitAsync,
  waitSync,
} from "../_core/wait.ts";

export type { AcquireOptions, WaitOptions } from "../_core/wait.ts";
export type { SharedPlacement } from "../_core/placement.ts";
export { Guard } from "./_guard.ts";

// Lock shared layout: Int32Array on a SharedArrayBuffer, 1 slot (4 B).
// | slot | name  | values                                             | written by      |
// |------|-------|----------------------------------------------------|-----------------|
// | 0    | STATE | 0 UNLOCKED; else the acquirer's ident, plus the     | acquire/release |
// |      |       | CONTENDED bit (2^30) while someone may sleep on it  |                 |
const STATE = 0;
const SLOTS = 1;
const UNLOCKED = 0;
const CONTENDED = 0x40000000;
const HOLDER = CONTENDED - 1;

// Lock states (a futex mutex whose locked value names the acquirer, so a
// waiter can tell when the holder died; idents stay below 2^30):
// UNLOCKED -acquire by T (CAS 0->T)->             T
// T        -acquire by U, contended (CAS T->T|C)-> T|C, then U waits on STATE
// T        -release (exchange 0)->                UNLOCKED, no notify
// T|C      -release (exchange 0)->                UNLOCKED + notify(1)
// UNLOCKED -acquire by a woken waiter U (CAS 0->U|C)-> U|C
// A woken waiter takes the lock with the CONTENDED bit set, not CAS(0->U):
// it cannot know whether others still sleep, so it keeps the mark. The
// uncontended path is what it was with the classic 0/1/2 states: one
// compareExchange to acquire, one exchange to release (the ident is a field
// of this module, read once per thread).
//
// Holder death: a waiter looks at the holder only at the end of each wait
// slice (50 ms, _core/wait.ts), never on the fast path. The holder is dead
// when no live thread has its ident and, for a plain Lock, the died ring
// (_core/runtime.ts) says it failed: a Lock's acquirer whose target
// returned may have meant another thread to release it (any thread may), so
// its waiters keep waiting, as in Python. An RLock's inner lock is "owned"
// (lockAt's last argument): there any end of the holder is a death, since
// only the owner may release. A dead holder turns every wait for the lock
// into an OwnerDiedError; the lock stays locked, and a plain Lock becomes
// usable again when any thread releases it (which says "the guarded data is
// consistent again", as pthread's consistent() does).
//
// Fairness: not FIFO. A fresh acquirer may take the lock before the woken
// waiter runs (barging). That keeps handoffs cheap under contention and can
// starve a waiter in theory; Python's Lock makes no fairness promise either.
// SPIN bounds how long a blocking acquirer polls a held (not CONTENDED)
// lock before it sleeps: critical sections are usually shorter than the
// cost of a sleep and a wake.
const SPIN = 100;

// This thread's ident, read once: the value an acquire stores.
let me = 0;
function myIdent(): number {
  return me = currentIdent();
}

const TAG = "threadkit.Lock";
let adopting: Descriptor | undefined;

/**
 * A primitive lock: not owned by a thread, so any thread may release it.
 *
 * `acquire()` blocks the calling thread (and its event loop) until the lock is
 * free, the timeout passes (returns `false`) or the signal aborts (throws its
 * reason). `acquireAsync()` does the same without blocking the event loop.
 * Blocking and async acquirers on the same lock work together. A Lock passed
 * to a thread, in its args or inside a queued value, arrives as the same lock.
 *
 * Python: `threading.Lock`.
 *
 * Differences from Python:
 * - Timeouts are in milliseconds; `undefined` waits forever (Python's -1).
 * - `acquireAsync`, `guardAsync` and `signal` are additions.
 * - `using _ = lock.guard()` replaces `with lock:`.
 *
 * @example Two threads take turns
 * ```ts
 * import { Lock, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const lock = new Lock();
 * const counter = new Int32Array(new SharedArrayBuffer(4));
 * const add = (lock: Lock, c: Int32Array) => {
 *   for (let i = 0; i < 1000; i++) {
 *     lock.acquire();
 *     c[0]++;
 *     lock.release();
 *   }
 * };
 * const threads = [1, 2].map(() => new Thread({ target: add, args: [lock, counter] }));
 * for (const t of threads) t.start();
 * for (const t of threads) await t.joinAsync();
 * assert.equal(counter[0], 2000);
 * ```
 */
export class Lock {
  readonly #view: Int32Array;
  // An RLock's inner lock: any end of the holder is a death (see above).
  #owned = false;

  /**
   * Creates an unlocked lock in threadkit's shared heap, or at
   * `placement.byteOffset` of `placement.buffer` (4 bytes, 4-aligned).
   * @throws {TypeError} when the buffer is not a SharedArrayBuffer.
   * @throws {RangeError} when the offset is misaligned or out of range.
   */
  constructor(placement?: SharedPlacement) {
    const revived = adopting;
    adopting = undefined;
    if (revived !== undefined) {
      this.#view = new Int32Array(revived.buffer, revived.byteOffset, SLOTS);
      this.#owned = revived.extra === OWNED;
      return;
    }
    const { buffer, byteOffset } = allocRegion(
      "Lock",
      Lock.byteLength,
      4,
      placement,
    );
    this.#view = new Int32Array(buffer, byteOffset, SLOTS);
    Atomics.store(this.#view, STATE, UNLOCKED);
  }

  /** Bytes a Lock occupies when placed in a caller's buffer. */
  static readonly byteLength: number = SLOTS * 4;

  /**
   * Acquires the lock, blocking the calling thread until it is free.
   * With `blocking: false` it only tries once. Blocks the event loop: use
   * {@linkcode Lock.prototype.acquireAsync} where that matters.
   *
   * Python: `threading.Lock.acquire`.
   *
   * @param options `blocking`, `timeout` (ms) and `signal`.
   * @returns `true` when acquired, `false` when not (non-blocking or timeout).
   * @throws {TypeError} for a timeout with `blocking: false`.
   * @throws {RangeError} for a negative or NaN timeout.
   * @throws the signal's reason when it aborts; a CancelledError when the
   * calling thread is cancelled while waiting.
   *
   * @example Non-blocking try
   * ```ts
   * import { Lock } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const lock = new Lock();
   * assert.equal(lock.acquire(), true);
   * assert.equal(lock.acquire({ blocking: false }), false);
   * lock.release();
   * ```
   */
  acquire(options?: AcquireOptions): boolean {
    const opts = acquireOptions(options);
    const id = me || myIdent();
    if (Atomics.compareExchange(this.#view, STATE, UNLOCKED, id) === 0) {
      return true;
    }
    return opts.blocking && this.#acquireSlow(opts, id);
  }

  /**
   * Acquires the lock without blocking the event loop.
   *
   * Python: none (the async twin of `threading.Lock.acquire`).
   *
   * @param options `blocking`, `timeout` (ms) and `signal`.
   * @returns a promise of `true` when acquired, `false` on timeout or when
   * `blocking: false` found the lock held.
   * @throws {TypeError} for a timeout with `blocking: false` (synchronously).
   * @throws {RangeError} for a negative or NaN timeout (synchronously).
   *
   * @example
   * ```ts
   * import { Lock } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const lock = new Lock();
   * assert.equal(await lock.acquireAsync({ timeout: 100 }), true);
   * assert.equal(await lock.acquireAsync({ timeout: 10 }), false);
   * lock.release();
   * ```
   */
  acquireAsync(options?: AcquireOptions): Promise<boolean> {
    const opts = acquireOptions(options);
    const id = me || myIdent();
    if (Atomics.compareExchange(this.#view, STATE, UNLOCKED, id) === 0) {
      opts.onAcquired?.();
      return Promise.resolve(true);
    }
    if (!opts.blocking) return Promise.resolve(false);
    return this.#acquireAsyncSlow(opts, id);
  }

  /**
   * Releases the lock. Any thread may release a `Lock`, not only the one that
   * acquired it. Wakes one waiter when some may wait.
   *
   * Python: `threading.Lock.release`.
   *
   * @throws {RuntimeError} when the lock is not locked (and changes nothing).
   */
  release(): void {
    // exchange(0) on an unlocked lock writes 0 over 0: the refused call
    // changes nothing.
    const prev = Atomics.exchange(this.#view, STATE, UNLOCKED);
    if (prev >= CONTENDED) {
      // Why no lost wakeup: STATE is UNLOCKED before the notify, and a waiter
      // sleeps only while STATE is CONTENDED, so a waiter that had not yet
      // slept sees the change and does not sleep.
      Atomics.notify(this.#view, STATE, 1);
    } else if (prev === UNLOCKED) {
      throw new RuntimeError("Cannot release lock: lock is not locked");
    }
  }

  /**
   * Whether the lock is held by some thread right now (a snapshot).
   *
   * Python: `threading.Lock.locked`.
   */
  locked(): boolean {
    return Atomics.load(this.#view, STATE) !== UNLOCKED;
  }

  /**
   * Acquires the lock (blocking) and returns a guard that releases it at the
   * end of a `using` scope.
   *
   * Python: `with lock:`.
   *
   * @throws {TimeoutError} when `timeout` passes first.
   * @throws {RuntimeError} when `blocking: false` finds the lock held.
   */
  guard(options?: AcquireOptions): Guard {
    if (!this.acquire(options)) throw notAcquired(options);
    return new Guard(() => this.release());
  }

  /**
   * Acquires the lock without blocking the event loop and resolves to a guard
   * that releases it at the end of an `await using` (or `using`) scope.
   *
   * Python: `async with` has no threading twin.
   *
   * @throws {TimeoutError} (rejects) when `timeout` passes first.
   */
  async guardAsync(options?: AcquireOptions): Promise<Guard> {
    if (!(await this.acquireAsync(options))) throw notAcquired(options);
    return new Guard(() => this.release());
  }

  /**
   * Runs `fn` holding the lock (a blocking acquire) and releases it when
   * `fn` returns or throws; returns what `fn` returns. The plain-JavaScript
   * form of `using _ = x.guard()` (Node 20 has no `using`). For an async
   * `fn` use `withLockAsync`: this form releases when `fn` returns, not when
   * its promise settles.
   *
   * Python: `with lock:`.
   *
   * @throws {TimeoutError} when `timeout` passes first; {RuntimeError} when
   * `blocking: false` finds it held; whatever `fn` throws.
   *
   * @example
   * ```ts
   * import { Lock } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const x = new Lock();
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
   * @example
   * ```ts
   * import { Lock } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const x = new Lock();
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

  /** @ignore Describes the lock for another thread (transfer registry). */
  [TO_DESCRIPTOR](): Descriptor {
    return {
      tag: TAG,
      buffer: this.#view.buffer as SharedArrayBuffer,
      byteOffset: this.#view.byteOffset,
    };
  }

  #acquireSlow(opts: Acquire, id: number): boolean {
    const view = this.#view;
    for (let i = 0; i < SPIN; i++) {
      const state = Atomics.load(view, STATE);
      if (state >= CONTENDED) break;
      if (
        state === UNLOCKED &&
        Atomics.compareExchange(view, STATE, UNLOCKED, id) === UNLOCKED
      ) return true;
    }
    const check = () => this.#checkHolder();
    for (let state = Atomics.load(view, STATE);;) {
      state = this.#mark(state, id);
      if (state === UNLOCKED) return true;
      // Why no lost wakeup: we sleep only while STATE still holds the
      // CONTENDED mark that we saw or put there ourselves, so the holder's
      // release (exchange 0) either comes before our wait (which returns
      // "not-equal") or sees the mark and notifies.
      const outcome = waitSync(
        view,
        STATE,
        state,
        opts.deadline,
        opts.signal,
        opts.interruptible,
        "acquire",
        check,
      );
      if (outcome === "timed-out") return false;
      state = Atomics.load(view, STATE);
    }
  }

  async #acquireAsyncSlow(opts: Acquire, id: number): Promise<boolean> {
    const view = this.#view;
    const check = () => this.#checkHolder();
    // Same protocol as #acquireSlow, without the spin (it would stall the
    // event loop) and with the event-loop-friendly wait.
    for (let state = Atomics.load(view, STATE);;) {
      state = this.#mark(state, id);
      if (state === UNLOCKED) {
        opts.onAcquired?.();
        return true;
      }
      // Why no lost wakeup: as in #acquireSlow.
      const outcome = await waitAsync(
        view,
        STATE,
        state,
        opts.deadline,
        opts.signal,
        opts.interruptible,
        check,
      );
      if (outcome === "timed-out") return false;
      state = Atomics.load(view, STATE);
    }
  }

  // One step of a waiting acquirer, from the STATE it last read: takes a
  // free lock with the CONTENDED mark (returns UNLOCKED: acquired), or puts
  // the mark on a held one and returns the marked value to sleep on.
  #mark(state: number, id: number): number {
    const view = this.#view;
    for (;;) {
      if (state === UNLOCKED) {
        const seen = Atomics.compareExchange(view, STATE, 0, id | CONTENDED);
        if (seen === UNLOCKED) return UNLOCKED;
        state = seen;
      } else if (state >= CONTENDED) {
        return state;
      } else {
        const seen = Atomics.compareExchange(
          view,
          STATE,
          state,
          state | CONTENDED,
        );
        if (seen === state) return state | CONTENDED;
        state = seen;
      }
    }
  }

  /** Internal: throws OwnerDiedError when the holder died (see above). */
  [CHECK_HOLDER](): void {
    this.#checkHolder();
  }

  /**
   * Internal: frees the lock if the dead thread `ident` still holds it (an
   * OwnerDiedError's ident), for an owner whose guarded state is consistent
   * at every point where its holder can die (the queue's stores). A
   * compareExchange on the word, which names its holder: it cannot free the
   * lock of a later holder. Why no lost wakeup: as in release().
   */
  [RECOVER](ident: number): void {
    const view = this.#view;
    for (;;) {
      const state = Atomics.load(view, STATE);
      if ((state & HOLDER) !== ident) return;
      if (Atomics.compareExchange(view, STATE, state, UNLOCKED) === state) {
        if (state >= CONTENDED) Atomics.notify(view, STATE, 1);
        return;
      }
    }
  }

  // A waiter's death check, at slice ends only (see the states above).
  #checkHolder(): void {
    const holder = Atomics.load(this.#view, STATE) & HOLDER;
    if (holder === 0 || identAlive(holder)) return;
    if (!this.#owned && !identFailed(holder)) return;
    // The holder may have released the lock and then ended between the load
    // above and the liveness check: it died holding the lock only if the
    // word still names it now (idents are never reused).
    if ((Atomics.load(this.#view, STATE) & HOLDER) !== holder) return;
    throw new OwnerDiedError(
      `Cannot acquire lock: thread ${holder} ended while holding it`,
      holder,
    );
  }
}

defineInspect(Lock, (lock) => ({ locked: lock.locked() }));

registerTransfer(TAG, (d) => {
  checkRegion("Lock", d.buffer, d.byteOffset, Lock.byteLength, 4);
  adopting = d;
  return new Lock();
});
