// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode RWLock}: a readers-writer lock shared by threads.
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
  type AcquireOptions,
  acquireOptions,
  acquireOptionsAsync,
} from "../_core/wait.ts";
import {
  type Guard,
  guardWith,
  guardWithAsync,
  runHeld,
  runHeldAsync,
} from "./_guard.ts";
import {
  FREE,
  readSlow,
  readSlowAsync,
  RWAIT,
  SLOTS,
  STATE,
  tryRead,
  wakeReaders,
  wakeWriter,
  writerIdent,
  writeSlow,
  writeSlowAsync,
  WWAIT,
} from "./_rw_state.ts";

export type { AcquireOptions, WaitOptions } from "../_core/wait.ts";
export type { SharedPlacement } from "../_core/placement.ts";
export { Guard } from "./_guard.ts";

// RWLock shared layout (5 slots, 20 B), its state machine, its fairness
// (writer preference) and why no wakeup is lost: sync/_rw_state.ts, which
// holds the waiting and waking over these words.

const TAG = "threadkit.RWLock";
let adopting: Descriptor | undefined;

/**
 * A readers-writer lock: any number of threads may hold it for reading at
 * once, or one thread for writing, never both. Use it for data that is read
 * often and changed rarely; under a write-heavy load a {@linkcode Lock} is
 * cheaper.
 *
 * Blocking forms (`acquireRead`, `acquireWrite`) stall the calling thread's
 * event loop; async forms (`acquireReadAsync`, `acquireWriteAsync`) do not.
 * Both take `blocking`, `timeout` (ms; a timed-out acquire returns `false`)
 * and `signal`. Like {@linkcode Lock}, it is not owned: any thread may
 * release it. An RWLock passed to a thread arrives as the same lock.
 *
 * Writer preference: while a writer waits, new readers wait too, so readers
 * cannot starve a writer; a steady stream of writers can starve readers.
 * Read locks are not reentrant: a thread holding one that asks again while a
 * writer waits deadlocks.
 *
 * A writer whose thread fails (its target throws, it exits, ...) holding
 * the lock is seen by the waiters within one 50 ms slice: one of them,
 * reader or writer, takes the lock over for writing and gets an
 * {@linkcode OwnerDiedError} naming the dead thread; it repairs the guarded
 * data and calls `releaseWrite()`, and the others keep waiting for it.
 * Readers are counted, not named: a read lock held by a thread that died
 * stays held, and writers wait for it until their timeout.
 *
 * Python: none (Python's `threading` has no readers-writer lock).
 *
 * @example Readers share, a writer excludes
 * ```ts
 * import { RWLock } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const rw = new RWLock();
 * assert.equal(rw.acquireRead(), true);
 * assert.equal(rw.acquireRead(), true); // a second reader enters
 * assert.equal(rw.readers, 2);
 * assert.equal(rw.acquireWrite({ blocking: false }), false);
 * rw.releaseRead();
 * rw.releaseRead();
 * assert.equal(rw.acquireWrite({ timeout: 100 }), true);
 * assert.equal(rw.acquireRead({ blocking: false }), false);
 * rw.releaseWrite();
 * ```
 *
 * @example Without `using`: withReadLock / withWriteLock
 * ```ts
 * import { RWLock } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const rw = new RWLock();
 * const table = new Map<string, number>();
 * rw.withWriteLock(() => table.set("a", 1));
 * assert.equal(rw.withReadLock(() => table.get("a")), 1);
 * assert.equal(await rw.withReadLockAsync(async () => table.size), 1);
 * assert.equal(rw.locked(), false);
 * ```
 */
export class RWLock {
  readonly #view: Int32Array;

  /**
   * Creates a free RWLock in threadkit's shared heap, or at
   * `placement.byteOffset` of `placement.buffer` (20 bytes, 4-aligned).
   * @throws {TypeError} when the buffer is not a SharedArrayBuffer.
   * @throws {RangeError} when the offset is misaligned or out of range.
   */
  constructor(placement?: SharedPlacement) {
    const revived = adopting;
    adopting = undefined;
    const { buffer, byteOffset } = revived ??
      allocRegion("RWLock", RWLock.byteLength, 4, placement, this);
    this.#view = new Int32Array(buffer, byteOffset, SLOTS);
    if (revived === undefined) {
      for (let i = 0; i < SLOTS; i++) Atomics.store(this.#view, i, 0);
    }
  }

  /** Bytes an RWLock occupies when placed in a caller's buffer. */
  static readonly byteLength: number = SLOTS * 4;

  /**
   * Acquires the lock for reading, blocking the calling thread (and its
   * event loop) while a writer holds it or waits for it.
   *
   * @param options `blocking`, `timeout` (ms) and `signal`.
   * @returns `true` when acquired, `false` when not (non-blocking or timeout).
   * @throws {TypeError} for a timeout with `blocking: false`.
   * @throws {RangeError} for a negative or NaN timeout.
   * @throws the signal's reason when it aborts; a CancelledError when the
   * calling thread is cancelled while waiting.
   * @throws {OwnerDiedError} when the writer died holding the lock: this
   * call took it over FOR WRITING; release it with `releaseWrite()`.
   *
   * @example
   * ```ts
   * import { RWLock } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWLock();
   * assert.equal(rw.acquireRead({ timeout: 100 }), true);
   * rw.releaseRead();
   * ```
   */
  acquireRead(options?: AcquireOptions): boolean {
    const opts = acquireOptions(options);
    // Fast path: a free lock, one compareExchange (see "Fairness" in
    // sync/_rw_state.ts for why it skips the waiting-writer check).
    const view = this.#view;
    if (Atomics.compareExchange(view, STATE, FREE, 1) === FREE) return true;
    if (tryRead(view)) return true;
    return opts.blocking && readSlow(view, opts);
  }

  /**
   * Acquires the lock for reading without blocking the event loop.
   *
   * @returns a promise of `true` when acquired, `false` on timeout or when
   * `blocking: false` found a writer.
   * @throws {TypeError} for a timeout with `blocking: false` (synchronously).
   * Rejects with the signal's reason when it aborts (an aborted one too).
   * @throws {OwnerDiedError} (rejects) as `acquireRead` does: the lock is
   * then held FOR WRITING by the calling thread.
   *
   * @example
   * ```ts
   * import { RWLock } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWLock();
   * assert.equal(await rw.acquireReadAsync(), true);
   * rw.releaseRead();
   * ```
   */
  acquireReadAsync(options?: AcquireOptions): Promise<boolean> {
    const opts = acquireOptionsAsync(options);
    if (opts instanceof Promise) return opts; // an aborted signal
    const view = this.#view;
    if (
      Atomics.compareExchange(view, STATE, FREE, 1) === FREE || tryRead(view)
    ) return Promise.resolve(true);
    if (!opts.blocking) return Promise.resolve(false);
    return readSlowAsync(this, this.#view, opts);
  }

  /**
   * Releases one read hold. Wakes a waiting writer when it was the last.
   *
   * @throws {RuntimeError} when no thread holds the lock for reading (and
   * changes nothing).
   */
  releaseRead(): void {
    const view = this.#view;
    // First guess: the only reader (one compareExchange); then CAS s -> s-1
    // with what STATE held, until one succeeds.
    let s = 1;
    let seen = Atomics.compareExchange(view, STATE, 1, FREE);
    while (seen !== s) {
      s = seen;
      if (s <= 0) {
        throw new RuntimeError(
          "Cannot release read lock: the lock is not held for reading",
        );
      }
      seen = Atomics.compareExchange(view, STATE, s, s - 1);
    }
    // Why no lost wakeup: STATE is written above, WWAIT read below (see the
    // writers' note at the top).
    if (s === 1 && Atomics.load(view, WWAIT) > 0) wakeWriter(view);
  }

  /**
   * Acquires the lock for writing, blocking the calling thread (and its
   * event loop) until no reader and no writer holds it.
   *
   * @param options `blocking`, `timeout` (ms) and `signal`.
   * @returns `true` when acquired, `false` when not (non-blocking or timeout).
   * @throws {TypeError} for a timeout with `blocking: false`.
   * @throws {RangeError} for a negative or NaN timeout.
   * @throws the signal's reason when it aborts; a CancelledError when the
   * calling thread is cancelled while waiting.
   * @throws {OwnerDiedError} when the writer died holding the lock: this
   * call took it over and holds it for writing.
   *
   * @example
   * ```ts
   * import { RWLock } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWLock();
   * assert.equal(rw.acquireWrite(), true);
   * assert.equal(rw.acquireWrite({ timeout: 10 }), false);
   * rw.releaseWrite();
   * ```
   */
  acquireWrite(options?: AcquireOptions): boolean {
    const opts = acquireOptions(options);
    const w = -writerIdent();
    if (Atomics.compareExchange(this.#view, STATE, FREE, w) === FREE) {
      return true;
    }
    return opts.blocking && writeSlow(this.#view, opts);
  }

  /**
   * Acquires the lock for writing without blocking the event loop.
   *
   * @returns a promise of `true` when acquired, `false` on timeout or when
   * `blocking: false` found the lock held.
   * @throws {TypeError} for a timeout with `blocking: false` (synchronously).
   * Rejects with the signal's reason when it aborts (an aborted one too).
   * @throws {OwnerDiedError} (rejects) as `acquireWrite` does.
   *
   * @example
   * ```ts
   * import { RWLock } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWLock();
   * assert.equal(await rw.acquireWriteAsync({ timeout: 100 }), true);
   * rw.releaseWrite();
   * ```
   */
  acquireWriteAsync(options?: AcquireOptions): Promise<boolean> {
    const opts = acquireOptionsAsync(options);
    if (opts instanceof Promise) return opts; // an aborted signal
    const w = -writerIdent();
    if (Atomics.compareExchange(this.#view, STATE, FREE, w) === FREE) {
      return Promise.resolve(true);
    }
    if (!opts.blocking) return Promise.resolve(false);
    return writeSlowAsync(this, this.#view, opts);
  }

  /**
   * Releases the write hold. Wakes one waiting writer if any (writer
   * preference), else every waiting reader.
   *
   * @throws {RuntimeError} when the lock is not held for writing (and
   * changes nothing).
   */
  releaseWrite(): void {
    const view = this.#view;
    // First guess: the caller is the writer (one compareExchange); else any
    // writer's -T (any thread may release), with what STATE held.
    let s = -writerIdent();
    let seen = Atomics.compareExchange(view, STATE, s, FREE);
    while (seen !== s) {
      s = seen;
      if (s >= 0) {
        throw new RuntimeError(
          "Cannot release write lock: the lock is not held for writing",
        );
      }
      seen = Atomics.compareExchange(view, STATE, s, FREE);
    }
    // Why no lost wakeup: STATE is written above, WWAIT and RWAIT read below
    // (see the notes at the top).
    if (Atomics.load(view, WWAIT) > 0) wakeWriter(view);
    else if (Atomics.load(view, RWAIT) > 0) wakeReaders(view);
  }

  /** How many threads hold the lock for reading right now (a snapshot). */
  get readers(): number {
    const s = Atomics.load(this.#view, STATE);
    return s > 0 ? s : 0;
  }

  /** Whether a thread holds the lock for writing right now (a snapshot). */
  writeLocked(): boolean {
    return Atomics.load(this.#view, STATE) < 0;
  }

  /** Whether the lock is held in either mode right now (a snapshot). */
  locked(): boolean {
    return Atomics.load(this.#view, STATE) !== FREE;
  }

  /**
   * Acquires for reading (blocking) and returns a guard that releases at the
   * end of a `using` scope.
   * @throws {TimeoutError} when `timeout` passes first.
   * @throws {RuntimeError} when `blocking: false` finds a writer.
   * @throws {OwnerDiedError} when the acquire took the lock over from a
   * writer that stopped holding it: released again (releaseWrite), and the
   * error has `released` true (use the plain acquire to repair under it).
   */
  readGuard(options?: AcquireOptions): Guard {
    return guardWith(
      () => this.acquireRead(options),
      () => this.releaseRead(),
      options,
      () => this.releaseWrite(),
    );
  }

  /**
   * Acquires for reading without blocking the event loop; resolves to a guard.
   * @throws {OwnerDiedError} (rejects) when the acquire took the lock over from a
   * writer that stopped holding it: released again (releaseWrite), and the
   * error has `released` true (use the plain acquire to repair under it).
   */
  async readGuardAsync(options?: AcquireOptions): Promise<Guard> {
    return await guardWithAsync(
      () => this.acquireReadAsync(options),
      () => this.releaseRead(),
      options,
      () => this.releaseWrite(),
    );
  }

  /**
   * Acquires for writing (blocking) and returns a guard that releases at the
   * end of a `using` scope.
   * @throws {TimeoutError} when `timeout` passes first.
   * @throws {RuntimeError} when `blocking: false` finds the lock held.
   * @throws {OwnerDiedError} when the acquire took the lock over from a
   * writer that stopped holding it: released again (releaseWrite), and the
   * error has `released` true (use the plain acquire to repair under it).
   */
  writeGuard(options?: AcquireOptions): Guard {
    return guardWith(
      () => this.acquireWrite(options),
      () => this.releaseWrite(),
      options,
      () => this.releaseWrite(),
    );
  }

  /**
   * Acquires for writing without blocking the event loop; resolves to a guard.
   * @throws {OwnerDiedError} (rejects) when the acquire took the lock over from a
   * writer that stopped holding it: released again (releaseWrite), and the
   * error has `released` true (use the plain acquire to repair under it).
   */
  async writeGuardAsync(options?: AcquireOptions): Promise<Guard> {
    return await guardWithAsync(
      () => this.acquireWriteAsync(options),
      () => this.releaseWrite(),
      options,
      () => this.releaseWrite(),
    );
  }

  /**
   * Runs `fn` holding a read lock (blocking acquire) and releases it when
   * `fn` returns or throws. For an async `fn` use `withReadLockAsync`.
   * @throws {TimeoutError} when `timeout` passes first; what `fn` throws.
   * @throws {OwnerDiedError} when the acquire took the lock over from a
   * writer that stopped holding it: released again (releaseWrite), and the
   * error has `released` true (use the plain acquire to repair under it).
   */
  withReadLock<T>(fn: () => T, options?: AcquireOptions): T {
    return runHeld(this.readGuard(options), fn);
  }

  /**
   * Runs `fn` (sync or async) holding a read lock taken without blocking the
   * event loop, and releases it when `fn`'s promise settles.
   * @throws {OwnerDiedError} (rejects) when the acquire took the lock over from a
   * writer that stopped holding it: released again (releaseWrite), and the
   * error has `released` true (use the plain acquire to repair under it).
   */
  withReadLockAsync<T>(
    fn: () => T | PromiseLike<T>,
    options?: AcquireOptions,
  ): Promise<T> {
    return runHeldAsync(this.readGuardAsync(options), fn);
  }

  /**
   * Runs `fn` holding the write lock (blocking acquire) and releases it when
   * `fn` returns or throws. For an async `fn` use `withWriteLockAsync`.
   * @throws {TimeoutError} when `timeout` passes first; what `fn` throws.
   * @throws {OwnerDiedError} when the acquire took the lock over from a
   * writer that stopped holding it: released again (releaseWrite), and the
   * error has `released` true (use the plain acquire to repair under it).
   */
  withWriteLock<T>(fn: () => T, options?: AcquireOptions): T {
    return runHeld(this.writeGuard(options), fn);
  }

  /**
   * Runs `fn` (sync or async) holding the write lock taken without blocking
   * the event loop, and releases it when `fn`'s promise settles.
   * @throws {OwnerDiedError} (rejects) when the acquire took the lock over from a
   * writer that stopped holding it: released again (releaseWrite), and the
   * error has `released` true (use the plain acquire to repair under it).
   */
  withWriteLockAsync<T>(
    fn: () => T | PromiseLike<T>,
    options?: AcquireOptions,
  ): Promise<T> {
    return runHeldAsync(this.writeGuardAsync(options), fn);
  }

  /** @ignore Describes the lock for another thread (transfer registry). */
  [TO_DESCRIPTOR](): Descriptor {
    return {
      tag: TAG,
      buffer: this.#view.buffer as SharedArrayBuffer,
      byteOffset: this.#view.byteOffset,
    };
  }

  // The async waits: sync/_rw_state.ts's readSlow and writeSlow without the
  // spin. Methods that read this.#view after every await, so the suspended
  // call keeps this handle (and so its heap block, _core/heap.ts) alive for
  // as long as the wait is pending, even when the caller dropped it.
  static {
    defineInspect(RWLock, (rw) => ({
      readers: rw.readers,
      writer: rw.writeLocked(),
      writersWaiting: Atomics.load(rw.#view, WWAIT),
    }));
  }
}

registerTransfer(TAG, (d) => {
  checkRegion("RWLock", d.buffer, d.byteOffset, RWLock.byteLength, 4);
  adopting = d;
  return new RWLock();
});
