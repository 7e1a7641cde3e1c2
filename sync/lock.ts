// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Lock}: a mutual-exclusion lock shared by threads.
 * @module
 */

import { RuntimeError } from "../_core/errors.ts";
import { defineInspect } from "../_core/inspect.ts";
import { currentIdent } from "../_core/runtime.ts";
import {
  CONTENDED,
  HELD_HERE,
  HOLDER,
  mark,
  OWNED,
  TAKE_OVER,
  takeOver,
} from "./_holder.ts";
import { pending, wakeDeferred } from "./_handoff.ts";
import * as spin from "./_spin.ts";
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

// Lock shared layout: Int32Array on a SharedArrayBuffer, 1 slot (4 B).
// | slot | name  | values                                             | written by      |
// |------|-------|----------------------------------------------------|-----------------|
// | 0    | STATE | 0 UNLOCKED; else the acquirer's ident, plus the     | acquire/release |
// |      |       | CONTENDED bit (2^30) while someone may sleep on it  |                 |
const STATE = 0;
const SLOTS = 1;
const UNLOCKED = 0;
// CONTENDED is 2^30 (sync/_holder.ts, with the ident bits below it).

// Lock states (a futex mutex whose locked value names the acquirer, so a
// waiter can tell when the holder died; idents stay below 2^30):
// UNLOCKED -acquire by T (CAS 0->T)->             T
// T        -acquire by U, contended (CAS T->T|C)-> T|C, then U waits on STATE
// T        -release (exchange 0)->                UNLOCKED, no notify
// T|C      -release (exchange 0)->                UNLOCKED + notify(1)
// Every release then issues the Condition wakes that its thread deferred
// while it held a lock (sync/_handoff.ts; nothing when there are none).
// UNLOCKED -acquire by a woken waiter U (CAS 0->U|C)-> U|C
// UNLOCKED -acquire by U in its spin (CAS 0->U|C)->    U|C
// A woken waiter takes the lock with the CONTENDED bit set, not CAS(0->U):
// it cannot know whether others still sleep (a spinner: see below). The
// uncontended path is that of the classic 0/1/2 states: one compareExchange
// to acquire, one exchange to release (the ident is read once per thread).
//
// T(dead)  -a waiter U's slice-end check (CAS T->U|C or T|C->U|C)-> U|C,
//           and U's acquire throws OwnerDiedError holding the lock
// Holder death (who counts as dead, why exactly one waiter takes over, the
// recovery model), and a waiter's step (mark): sync/_holder.ts.
//
// Fairness: not FIFO. A fresh acquirer may take the lock before the woken
// waiter runs (barging). That keeps handoffs cheap under contention and can
// starve a waiter in theory; Python's Lock makes no fairness promise either.
// A blocking acquirer spins before it sleeps, and a waiter whose wait did
// not sleep pauses before it marks again (sync/_spin.ts); the transitions
// above stand. At the stack's end any call may throw a RangeError: past its
// taking CAS an acquire makes no call that could keep its true from the
// caller, or undoes the take in a handler of Atomics built-ins only; a
// release throws only before its exchange.

// This thread's ident, read once: the value an acquire stores.
let me = 0;
const myIdent = (): number => me = currentIdent();

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
 * When the thread holding it fails (its target throws, or it exits, closes
 * itself, dies of an error or runs out of memory) without releasing it, one
 * waiting acquirer takes the lock over and gets an
 * {@linkcode OwnerDiedError} naming the dead thread, holding the lock: it
 * makes the guarded data consistent and releases, and the lock is usable
 * again (the other waiters keep waiting for it). A holder whose target
 * returned is not dead: any thread may release a Lock.
 *
 * Differences from Python:
 * - Timeouts are in milliseconds; `undefined` waits forever (Python's -1).
 * - `acquireAsync`, `guardAsync` and `signal` are additions.
 * - `using _ = lock.guard()` replaces `with lock:`.
 * - A holder's death is seen (`OwnerDiedError`); Python's waiters sleep on.
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
  // This thread's adaptive spin on the lock (sync/_spin.ts).
  readonly #spin = new spin.Spin();

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
      this,
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
   * @throws {OwnerDiedError} when the holder died holding the lock (seen
   * within one 50 ms slice of the wait): this call took the lock over and
   * holds it; release it once the data it guards is consistent. A
   * non-blocking try never waits, so it never takes over.
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
   * @throws {OwnerDiedError} (rejects) as `acquire` does: the lock is then
   * held by the calling thread. Rejects with an aborted signal's reason.
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
    const opts = acquireOptionsAsync(options);
    if (opts instanceof Promise) return opts; // an aborted signal
    const id = me || myIdent();
    const view = this.#view;
    if (Atomics.compareExchange(view, STATE, UNLOCKED, id) === 0) {
      try {
        opts.onAcquired?.();
      } catch (error) {
        const was = Atomics.exchange(view, STATE, UNLOCKED); // no call: above
        if (was >= CONTENDED) Atomics.notify(view, STATE, 1);
        throw error;
      }
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
    // exchange(0) of an unlocked lock changes nothing. No lost wakeup: STATE
    // is UNLOCKED before the notify; a waiter sleeps only while CONTENDED.
    const prev = Atomics.exchange(this.#view, STATE, UNLOCKED);
    if (prev >= CONTENDED) Atomics.notify(this.#view, STATE, 1);
    else if (prev === UNLOCKED) {
      throw new RuntimeError("Cannot release lock: lock is not locked");
    }
    // Then the Condition wakes this thread deferred (sync/_handoff.ts); an
    // overflow at the call keeps them for the next release or a sleeper's
    // slice end, and the release, done, does not throw.
    if (pending.n !== 0) {
      try {
        wakeDeferred();
      } catch { /* kept: see above */ }
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
   * Acquires the lock without blocking the event loop and resolves to a guard
   * that releases it at the end of an `await using` (or `using`) scope.
   *
   * Python: `async with` has no threading twin.
   *
   * @throws {TimeoutError} (rejects) when `timeout` passes first.
   */
  async guardAsync(options?: AcquireOptions): Promise<Guard> {
    return await guardWithAsync(
      () => this.acquireAsync(options),
      () => this.release(),
      options,
    );
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
   * @throws {OwnerDiedError} when the acquire took the lock over from a
   * thread that stopped holding it: `fn` does not run, the lock is released
   * again and the error has `released` true (use `acquire` to repair
   * under the lock).
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
   * @throws {OwnerDiedError} (rejects) when the acquire took the lock over from a
   * thread that stopped holding it: `fn` does not run, the lock is released
   * again and the error has `released` true (use `acquire` to repair
   * under the lock).
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
    if (this.#spin.spun(view, Atomics.load(view, STATE), id)) return true;
    let state = Atomics.load(view, STATE); // (a spinner marks: see above)
    const check = () => takeOver(view, id, this.#owned, opts.onAcquired);
    for (;;) {
      state = mark(this.#view, state, id);
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
      // The wait did not sleep and the lock is held again: pause before
      // the next mark (sync/_spin.ts, "The back-off"). A woken wait ("ok")
      // looks at once. No wakeup is lost by the pause: this waiter is not
      // asleep, so no release owes it a notify, and any other waiter sleeps
      // only on a word it saw marked, which the next release sees and
      // notifies; after the pause this waiter loads STATE afresh and marks
      // (or takes) from that value, as on entry.
      if (outcome === "not-equal" && state !== UNLOCKED) {
        spin.pause();
        state = Atomics.load(view, STATE);
      }
    }
  }

  async #acquireAsyncSlow(opts: Acquire, id: number): Promise<boolean> {
    const view = this.#view;
    const check = () => takeOver(view, id, this.#owned, opts.onAcquired);
    // Same protocol as #acquireSlow, without the spin (it would stall the
    // event loop) and with the event-loop-friendly wait.
    for (let state = Atomics.load(view, STATE);;) {
      state = mark(this.#view, state, id);
      if (state === UNLOCKED) {
        try {
          opts.onAcquired?.();
        } catch (error) {
          const was = Atomics.exchange(view, STATE, UNLOCKED); // as above
          if (was >= CONTENDED) Atomics.notify(view, STATE, 1);
          throw error;
        }
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

  /**
   * Internal: 0 free, 1 held by this thread (its acquirer), 2 by another
   * (a Condition defers its wakes to its own releases: sync/_handoff.ts).
   */
  [HELD_HERE](): number {
    const holder = this.#view[STATE] & HOLDER; // plain: sync/_holder.ts
    return holder === 0 ? 0 : holder === (me || myIdent()) ? 1 : 2;
  }
  /**
   * Internal: a waiter's death check (a Condition's sleeper, which must
   * reacquire): takes the lock over from a dead holder for the calling
   * thread and throws OwnerDiedError, the lock held (sync/_holder.ts).
   */
  [TAKE_OVER](): void {
    takeOver(this.#view, me || myIdent(), this.#owned, undefined);
  }
}

defineInspect(Lock, (lock) => ({ locked: lock.locked() }));

registerTransfer(TAG, (d) => {
  checkRegion("Lock", d.buffer, d.byteOffset, Lock.byteLength, 4);
  adopting = d;
  return new Lock();
});
