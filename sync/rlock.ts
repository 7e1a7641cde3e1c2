// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode RLock}: a reentrant lock owned by the thread that holds it.
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
import { currentIdent } from "../_core/runtime.ts";
import {
  type Guard,
  guardWith,
  guardWithAsync,
  runHeld,
  runHeldAsync,
} from "./_guard.ts";
import {
  type AcquireOptions,
  acquireOptions,
  acquireOptionsAsync,
  checkOptions,
  ON_ACQUIRED,
} from "../_core/wait.ts";
import type { Lock } from "./lock.ts";
import { lockAt } from "./_lock_at.ts";
import { COUNT, HOLDER, OWNER, TAKE_OVER, tookOver } from "./_holder.ts";

export type { AcquireOptions, WaitOptions } from "../_core/wait.ts";
export type { SharedPlacement } from "../_core/placement.ts";
export { Guard } from "./_guard.ts";

// RLock shared layout: Int32Array on a SharedArrayBuffer, 3 slots (12 B).
// | slot | name  | values                                | written by           |
// |------|-------|---------------------------------------|----------------------|
// | 0    | STATE | the inner Lock's word (sync/lock.ts)  | inner Lock           |
// | 1    | OWNER | ident of the owning thread, 0 = none  | the owner only       |
// | 2    | COUNT | recursion depth                       | the owner only       |
// OWNER and COUNT live in sync/_holder.ts (Condition's wait writes them).
const SLOTS = 3;

// RLock states (the inner Lock's states apply to STATE):
// free            -acquire by T->          inner LOCKED, OWNER = T, COUNT = 1
// owned by T, n   -acquire by T->          COUNT = n + 1 (no atomic RMW)
// owned by T, n   -acquire by U != T->     U waits on the inner Lock
// owned by T, n>1 -release by T->          COUNT = n - 1
// owned by T, 1   -release by T->          OWNER = 0, COUNT = 0, inner release
// owned by T      -release by U != T->     RuntimeError, nothing changes
// owned by T, n   -T stopped in any way, U waits-> U takes the inner lock over
//                 (sync/lock.ts, "Holder death"): OWNER = U, COUNT = 1, and
//                 U's acquire (or Condition wait) throws OwnerDiedError
// OWNER is written only by the thread that holds the inner Lock, and only
// with its own ident or 0. Another thread may read a stale OWNER, but never
// its own ident (it never wrote it while the lock was not its), so the
// "is it mine?" test cannot be fooled. COUNT is touched only by the owner.
// Both are plain (non-Atomics) accesses on the hot path: aligned Int32Array
// accesses do not tear, a thread always sees its own last write, and the
// owner's writes are published to the next owner by the inner Lock's atomic
// release/acquire pair, so a stale value is harmless by the argument above.
// Fairness: that of the inner Lock (not FIFO, barging allowed).

const TAG = "threadkit.RLock";
let adopting: Descriptor | undefined;

/**
 * A reentrant lock: the thread that holds it may acquire it again, and must
 * release it as many times; other threads get it after the last release.
 * Only the owner may release an `RLock` (any thread may release a `Lock`).
 *
 * Ownership is per thread, not per async task: two async tasks on one thread
 * are the same owner, as two coroutines on one Python thread are.
 *
 * Python: `threading.RLock`.
 *
 * When the owner ends in any way without its last release (returns, throws,
 * exits, ...), one waiting acquirer (or a `Condition` waiter over this lock)
 * takes the lock over and gets an {@linkcode OwnerDiedError} naming the
 * dead thread, owning the lock at depth 1: it makes the guarded data
 * consistent and releases, and the lock is usable again; the other waiters
 * keep waiting for it.
 *
 * Differences from Python:
 * - Timeouts are in milliseconds; `undefined` waits forever.
 * - `acquireAsync`, `guardAsync` and `signal` are additions.
 * - An owner's end is seen (`OwnerDiedError`); Python's waiters sleep on.
 *
 * @example Reentry by the owner
 * ```ts
 * import { RLock } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const rlock = new RLock();
 * rlock.acquire();
 * rlock.acquire();
 * rlock.release();
 * assert.equal(rlock.locked(), true);
 * rlock.release();
 * assert.equal(rlock.locked(), false);
 * ```
 */
export class RLock {
  readonly #view: Int32Array;
  readonly #lock: Lock;

  /**
   * Creates an unowned RLock in threadkit's shared heap, or at
   * `placement.byteOffset` of `placement.buffer` (12 bytes, 4-aligned).
   * @throws {TypeError} when the buffer is not a SharedArrayBuffer.
   * @throws {RangeError} when the offset is misaligned or out of range.
   */
  constructor(placement?: SharedPlacement) {
    const revived = adopting;
    adopting = undefined;
    const { buffer, byteOffset } = revived ??
      allocRegion("RLock", RLock.byteLength, 4, placement, this);
    this.#view = new Int32Array(buffer, byteOffset, SLOTS);
    if (revived === undefined) {
      Atomics.store(this.#view, 0, 0);
      Atomics.store(this.#view, OWNER, 0);
      Atomics.store(this.#view, COUNT, 0);
    }
    this.#lock = lockAt(buffer, byteOffset, true, this);
  }

  /** Bytes an RLock occupies when placed in a caller's buffer. */
  static readonly byteLength: number = SLOTS * 4;

  /**
   * Acquires the lock, blocking the calling thread until it is free; returns
   * at once with the count raised when the caller already owns it. Blocks the
   * event loop: use {@linkcode RLock.prototype.acquireAsync} where that
   * matters.
   *
   * Python: `threading.RLock.acquire`.
   *
   * @param options `blocking`, `timeout` (ms) and `signal`.
   * @returns `true` when acquired, `false` when not (non-blocking or timeout).
   * @throws {TypeError} for a timeout with `blocking: false`.
   * @throws {RangeError} for a negative or NaN timeout.
   * @throws the signal's reason when it aborts; a CancelledError when the
   * calling thread is cancelled while waiting.
   * @throws {OwnerDiedError} when the owner stopped holding the lock (seen
   * within one 50 ms slice of the wait): this call took the lock over and
   * owns it at depth 1; release it once the data it guards is consistent.
   */
  acquire(options?: AcquireOptions): boolean {
    const me = currentIdent();
    if (this.#reenter(me, options)) return true;
    try {
      if (!this.#lock.acquire(options)) return false;
    } catch (error) {
      // Taken over from a dead owner (OwnerDiedError: the inner word names
      // this thread, whose OWNER it is not): owned at depth 1, written out
      // (no call, as below), then rethrown.
      const view = this.#view;
      if ((Atomics.load(view, 0) & HOLDER) === me && view[OWNER] !== me) {
        view[OWNER] = me;
        view[COUNT] = 1;
      }
      throw error;
    }
    // The owner written out, not by a call: a stack overflow here would
    // leave the inner lock taken and no owner to release it.
    this.#view[OWNER] = me;
    this.#view[COUNT] = 1;
    return true;
  }

  /**
   * Acquires the lock without blocking the event loop.
   *
   * Python: none (the async twin of `threading.RLock.acquire`).
   *
   * @returns a promise of `true` when acquired, `false` on timeout or when
   * `blocking: false` found the lock held by another thread.
   * Rejects with the signal's reason when it aborts (an aborted one too).
   * @throws {OwnerDiedError} (rejects) as `acquire` does: the calling
   * thread then owns the lock at depth 1.
   */
  acquireAsync(options?: AcquireOptions): Promise<boolean> {
    checkOptions("acquire", options, "blocking"); // before the spread below
    const me = currentIdent();
    if (this.#view[OWNER] === me) {
      // Reentry, validated as a waiting acquire would be (see #reenter); an
      // aborted signal rejects, as the inner acquireAsync does.
      const opts = acquireOptionsAsync(options);
      if (opts instanceof Promise) return opts;
      this.#view[COUNT]++;
      return Promise.resolve(true);
    }
    // The owner is recorded in the same step as the inner acquire, not a
    // microtask later (ON_ACQUIRED in sync/_wait.ts says why).
    return this.#lock.acquireAsync(
      { ...options, [ON_ACQUIRED]: () => this.#own(me) } as AcquireOptions,
    );
  }

  /**
   * Releases one level of ownership; the lock is free after the release that
   * matches the first acquire. Only the owning thread may release.
   *
   * Python: `threading.RLock.release`.
   *
   * @throws {RuntimeError} when the calling thread does not own the lock (and
   * changes nothing).
   */
  release(): void {
    const view = this.#view, me = currentIdent();
    if (view[OWNER] !== me) {
      throw new RuntimeError(
        "Cannot release lock: lock is not held by this thread",
      );
    }
    const count = view[COUNT] - 1;
    view[COUNT] = count;
    if (count > 0) return;
    // OWNER is cleared before the inner release publishes the free lock, so
    // the next owner never sees our ident. The inner release throws only
    // before its exchange (a stack overflow at the call): then this thread
    // still holds the lock, and is written back as its owner (no call).
    view[OWNER] = 0;
    try {
      this.#lock.release();
    } catch (error) {
      view[OWNER] = me;
      view[COUNT] = 1;
      throw error;
    }
  }

  /** The owning thread's ident, 0 when free (a snapshot). */
  get owner(): number {
    return Atomics.load(this.#view, OWNER);
  }

  /** The owner's recursion depth, 0 when free (a snapshot). */
  get count(): number {
    return Atomics.load(this.#view, COUNT);
  }

  /** Whether some thread holds the lock right now (a snapshot). */
  locked(): boolean {
    return this.#lock.locked();
  }

  /**
   * Acquires (blocking) and returns a guard that releases one level at the
   * end of a `using` scope.
   *
   * Python: `with rlock:`.
   *
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
   * Runs `fn` holding the lock (one level) (a blocking acquire) and releases it when
   * `fn` returns or throws; returns what `fn` returns. The plain-JavaScript
   * form of `using _ = x.guard()` (Node 20 has no `using`). For an async
   * `fn` use `withLockAsync`: this form releases when `fn` returns, not when
   * its promise settles.
   *
   * Python: `with rlock:`.
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
   * import { RLock } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const x = new RLock();
   * assert.throws(() => x.withLock(() => { throw new Error("boom"); }), /boom/);
   * assert.equal(x.withLock(() => 42), 42); // released on throw, so free again
   * ```
   */
  withLock<T>(fn: () => T, options?: AcquireOptions): T {
    return runHeld(this.guard(options), fn);
  }

  /**
   * Runs `fn` (sync or async) holding the lock (one level), acquired without blocking
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
   * import { RLock } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const x = new RLock();
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

  /**
   * Internal: takes the lock over from an owner that stopped and throws
   * OwnerDiedError, owning it at depth 1 (sync/lock.ts, "Holder death").
   */
  [TAKE_OVER](): void {
    const me = currentIdent();
    try {
      this.#lock[TAKE_OVER]();
    } catch (error) {
      this.#tookOver(error, me);
    }
  }

  /** Whether the calling thread owns the lock (Python's `_is_owned`). */
  isOwned(): boolean {
    return this.#view[OWNER] === currentIdent();
  }

  /**
   * Releases every level at once and returns the count, for a Condition that
   * waits with this lock (Python's `_release_save`).
   * @throws {RuntimeError} when the calling thread does not own the lock.
   */
  releaseAll(): number {
    if (!this.isOwned()) {
      throw new RuntimeError(
        "Cannot release lock: lock is not held by this thread",
      );
    }
    const view = this.#view, count = view[COUNT];
    view[COUNT] = 1;
    try {
      this.release();
    } catch (error) {
      view[COUNT] = count; // not released (a stack overflow): as it was
      throw error;
    }
    return count;
  }

  /**
   * Puts back the depth saved by releaseAll, on top of the acquire that just
   * took the lock again (which counted 1). Added, not assigned: another async
   * task of this thread may hold the lock meanwhile (same owner), and its
   * levels must survive.
   * @throws {RangeError} when `count` is not an integer from 1 up (or the
   * depth would pass 2^31 - 1).
   * @throws {RuntimeError} when the calling thread does not own the lock.
   */
  restoreCount(count: number): void {
    if (
      typeof count !== "number" || !Number.isInteger(count) || count < 1 ||
      this.#view[COUNT] + count - 1 > 0x7fffffff
    ) {
      throw new RangeError(
        `Cannot restore count: count must be a positive integer (depth at most 2^31 - 1), got ${
          String(count)
        }`,
      );
    }
    if (!this.isOwned()) {
      throw new RuntimeError(
        "Cannot restore count: lock is not held by this thread",
      );
    }
    this.#view[COUNT] += count - 1;
  }

  #reenter(me: number, options: AcquireOptions | undefined): boolean {
    if (this.#view[OWNER] !== me) return false;
    // Validate as a waiting acquire would, so bad input fails the same way
    // whether or not the caller already owns the lock.
    acquireOptions(options);
    this.#view[COUNT]++;
    return true;
  }

  // The inner acquire threw: after a takeover from a dead owner (the dead
  // owner's OWNER and COUNT are stale) we own the lock at depth 1;
  // rethrows in every case.
  #tookOver(error: unknown, me: number): never {
    if (tookOver(error)) this.#own(me);
    throw error;
  }

  #own(me: number): void {
    this.#view[OWNER] = me;
    this.#view[COUNT] = 1;
  }
}

defineInspect(RLock, (rlock) => ({
  locked: rlock.locked(),
  owner: rlock.owner,
  count: rlock.count,
}));

registerTransfer(TAG, (d) => {
  checkRegion("RLock", d.buffer, d.byteOffset, RLock.byteLength, 4);
  adopting = d;
  return new RLock();
});
