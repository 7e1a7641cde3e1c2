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
  type Acquire,
  type AcquireOptions,
  acquireOptions,
  waitAsync,
  waitSync,
} from "../_core/wait.ts";
import { Guard, notAcquired } from "./_guard.ts";

export type { AcquireOptions, WaitOptions } from "../_core/wait.ts";
export type { SharedPlacement } from "../_core/placement.ts";
export { Guard } from "./_guard.ts";

// RWLock shared layout: Int32Array on a SharedArrayBuffer, 5 slots (20 B).
// | slot | name  | values                                   | written by                        |
// |------|-------|------------------------------------------|-----------------------------------|
// | 0    | STATE | -1 WRITER, 0 FREE, n > 0 n readers hold  | CAS by acquire and release        |
// | 1    | WWAIT | writers waiting to acquire               | +1/-1 by a waiting writer         |
// | 2    | RWAIT | readers that may sleep on RSEQ           | +1/-1 by a waiting reader         |
// | 3    | WSEQ  | writers' wake counter (writers sleep on) | +1 by whoever wakes a writer      |
// | 4    | RSEQ  | readers' wake counter (readers sleep on) | +1 by whoever wakes the readers   |
const STATE = 0;
const WWAIT = 1;
const RWAIT = 2;
const WSEQ = 3;
const RSEQ = 4;
const SLOTS = 5;
const WRITER = -1;
const FREE = 0;

// RWLock states (on STATE):
// FREE    -acquireWrite (CAS 0 -> -1)->              WRITER
// n >= 0  -acquireRead, WWAIT == 0 (CAS n -> n+1)->  n + 1 readers
// n >= 0  -acquireRead, WWAIT > 0->                  RWAIT+1, sleep on RSEQ
// WRITER  -acquireRead->                             RWAIT+1, sleep on RSEQ
// n != 0  -acquireWrite->                            WWAIT+1, sleep on WSEQ
// 1       -releaseRead (CAS 1 -> 0)->                FREE, wake one writer if WWAIT > 0
// n > 1   -releaseRead (CAS n -> n-1)->              n - 1 readers
// WRITER  -releaseWrite (CAS -1 -> 0)->              FREE, wake one writer if WWAIT > 0,
//                                                    else every reader if RWAIT > 0
// a waiting writer leaves without the lock (timeout, abort, cancel)->
//                                                    WWAIT-1; wake the readers if it was
//                                                    the last; else hand a wake to a writer
//
// Fairness: writer preference. A reader does not enter while a writer waits
// (WWAIT > 0), even when other readers hold the lock, so a stream of readers
// cannot starve a writer; a releasing writer wakes the next writer before
// any reader. The price: a steady stream of writers can starve readers, and
// a thread that holds a read lock and asks for it again while a writer waits
// deadlocks (the writer waits for it, it waits for the writer); read locks
// are not reentrant. Neither kind is FIFO among its own: a fresh acquirer
// may take the lock before a woken one, as with Lock.
//
// Why no lost wakeup (writers): a writer adds itself to WWAIT, then reads
// WSEQ, then tries its CAS, and sleeps only while WSEQ is unchanged. Whoever
// frees the lock (the last reader, a writer) writes STATE first, then reads
// WWAIT, and if it is non-zero adds 1 to WSEQ before notify(1). All of these
// are sequentially consistent: either the releaser's WWAIT read comes after
// the writer's increment (it bumps WSEQ, so the writer's CAS sees the free
// lock or its wait sees WSEQ changed or is notified), or it comes before,
// and then the writer's CAS comes after the release and sees the lock free.
// A woken writer that leaves without the lock hands a wake on (notify(1) if
// the lock is free and writers still wait), so a notify(1) it consumed is
// not lost.
//
// Why no lost wakeup (readers): a reader adds itself to RWAIT, reads RSEQ,
// then checks STATE and WWAIT, and sleeps only while RSEQ is unchanged. The
// two events that can let it in, a writer's release and the last waiting
// writer leaving without the lock, write STATE or WWAIT first, then read
// RWAIT, and if it is non-zero add 1 to RSEQ and notify every reader. The
// same ordering argument applies; readers are woken all at once, so none
// consumes another's wake.

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
      allocRegion("RWLock", RWLock.byteLength, 4, placement);
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
    if (this.#tryRead()) return true;
    return opts.blocking && this.#readSlow(opts);
  }

  /**
   * Acquires the lock for reading without blocking the event loop.
   *
   * @returns a promise of `true` when acquired, `false` on timeout or when
   * `blocking: false` found a writer.
   * @throws {TypeError} for a timeout with `blocking: false` (synchronously).
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
    const opts = acquireOptions(options);
    if (this.#tryRead()) return Promise.resolve(true);
    if (!opts.blocking) return Promise.resolve(false);
    return this.#readSlowAsync(opts);
  }

  /**
   * Releases one read hold. Wakes a waiting writer when it was the last.
   *
   * @throws {RuntimeError} when no thread holds the lock for reading (and
   * changes nothing).
   */
  releaseRead(): void {
    const view = this.#view;
    let s = Atomics.load(view, STATE);
    for (;;) {
      if (s <= 0) {
        throw new RuntimeError(
          "Cannot release read lock: the lock is not held for reading",
        );
      }
      const seen = Atomics.compareExchange(view, STATE, s, s - 1);
      if (seen === s) break;
      s = seen;
    }
    // Why no lost wakeup: STATE is written above, WWAIT read below (see the
    // writers' note at the top).
    if (s === 1 && Atomics.load(view, WWAIT) > 0) this.#wakeWriter();
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
    if (Atomics.compareExchange(this.#view, STATE, FREE, WRITER) === FREE) {
      return true;
    }
    return opts.blocking && this.#writeSlow(opts);
  }

  /**
   * Acquires the lock for writing without blocking the event loop.
   *
   * @returns a promise of `true` when acquired, `false` on timeout or when
   * `blocking: false` found the lock held.
   * @throws {TypeError} for a timeout with `blocking: false` (synchronously).
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
    const opts = acquireOptions(options);
    if (Atomics.compareExchange(this.#view, STATE, FREE, WRITER) === FREE) {
      return Promise.resolve(true);
    }
    if (!opts.blocking) return Promise.resolve(false);
    return this.#writeSlowAsync(opts);
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
    if (Atomics.compareExchange(view, STATE, WRITER, FREE) !== WRITER) {
      throw new RuntimeError(
        "Cannot release write lock: the lock is not held for writing",
      );
    }
    // Why no lost wakeup: STATE is written above, WWAIT and RWAIT read below
    // (see the notes at the top).
    if (Atomics.load(view, WWAIT) > 0) this.#wakeWriter();
    else if (Atomics.load(view, RWAIT) > 0) this.#wakeReaders();
  }

  /** How many threads hold the lock for reading right now (a snapshot). */
  get readers(): number {
    const s = Atomics.load(this.#view, STATE);
    return s > 0 ? s : 0;
  }

  /** Whether a thread holds the lock for writing right now (a snapshot). */
  writeLocked(): boolean {
    return Atomics.load(this.#view, STATE) === WRITER;
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
   */
  readGuard(options?: AcquireOptions): Guard {
    if (!this.acquireRead(options)) throw notAcquired(options);
    return new Guard(() => this.releaseRead());
  }

  /** Acquires for reading without blocking the event loop; resolves to a guard. */
  async readGuardAsync(options?: AcquireOptions): Promise<Guard> {
    if (!(await this.acquireReadAsync(options))) throw notAcquired(options);
    return new Guard(() => this.releaseRead());
  }

  /**
   * Acquires for writing (blocking) and returns a guard that releases at the
   * end of a `using` scope.
   * @throws {TimeoutError} when `timeout` passes first.
   * @throws {RuntimeError} when `blocking: false` finds the lock held.
   */
  writeGuard(options?: AcquireOptions): Guard {
    if (!this.acquireWrite(options)) throw notAcquired(options);
    return new Guard(() => this.releaseWrite());
  }

  /** Acquires for writing without blocking the event loop; resolves to a guard. */
  async writeGuardAsync(options?: AcquireOptions): Promise<Guard> {
    if (!(await this.acquireWriteAsync(options))) throw notAcquired(options);
    return new Guard(() => this.releaseWrite());
  }

  /**
   * Runs `fn` holding a read lock (blocking acquire) and releases it when
   * `fn` returns or throws. For an async `fn` use `withReadLockAsync`.
   * @throws {TimeoutError} when `timeout` passes first; what `fn` throws.
   */
  withReadLock<T>(fn: () => T, options?: AcquireOptions): T {
    const held = this.readGuard(options);
    try {
      return fn();
    } finally {
      held.release();
    }
  }

  /**
   * Runs `fn` (sync or async) holding a read lock taken without blocking the
   * event loop, and releases it when `fn`'s promise settles.
   */
  async withReadLockAsync<T>(
    fn: () => T | PromiseLike<T>,
    options?: AcquireOptions,
  ): Promise<T> {
    const held = await this.readGuardAsync(options);
    try {
      return await fn();
    } finally {
      held.release();
    }
  }

  /**
   * Runs `fn` holding the write lock (blocking acquire) and releases it when
   * `fn` returns or throws. For an async `fn` use `withWriteLockAsync`.
   * @throws {TimeoutError} when `timeout` passes first; what `fn` throws.
   */
  withWriteLock<T>(fn: () => T, options?: AcquireOptions): T {
    const held = this.writeGuard(options);
    try {
      return fn();
    } finally {
      held.release();
    }
  }

  /**
   * Runs `fn` (sync or async) holding the write lock taken without blocking
   * the event loop, and releases it when `fn`'s promise settles.
   */
  async withWriteLockAsync<T>(
    fn: () => T | PromiseLike<T>,
    options?: AcquireOptions,
  ): Promise<T> {
    const held = await this.writeGuardAsync(options);
    try {
      return await fn();
    } finally {
      held.release();
    }
  }

  /** @ignore Describes the lock for another thread (transfer registry). */
  [TO_DESCRIPTOR](): Descriptor {
    return {
      tag: TAG,
      buffer: this.#view.buffer as SharedArrayBuffer,
      byteOffset: this.#view.byteOffset,
    };
  }

  /** Writers waiting right now (a snapshot, for inspection). */
  #writersWaiting(): number {
    return Atomics.load(this.#view, WWAIT);
  }

  static {
    defineInspect(RWLock, (rw) => ({
      readers: rw.readers,
      writer: rw.writeLocked(),
      writersWaiting: rw.#writersWaiting(),
    }));
  }

  // Writer preference: no new reader while a writer waits.
  #tryRead(): boolean {
    const view = this.#view;
    let s = Atomics.load(view, STATE);
    while (s >= 0 && Atomics.load(view, WWAIT) === 0) {
      const seen = Atomics.compareExchange(view, STATE, s, s + 1);
      if (seen === s) return true;
      s = seen;
    }
    return false;
  }

  #tryWrite(): boolean {
    return Atomics.compareExchange(this.#view, STATE, FREE, WRITER) === FREE;
  }

  #readSlow(opts: Acquire): boolean {
    const view = this.#view;
    Atomics.add(view, RWAIT, 1);
    try {
      for (;;) {
        // Why no lost wakeup: RSEQ is read before the check, and we sleep
        // only while it is unchanged (readers' note at the top).
        const seq = Atomics.load(view, RSEQ);
        if (this.#tryRead()) return true;
        const outcome = waitSync(
          view,
          RSEQ,
          seq,
          opts.deadline,
          opts.signal,
          opts.interruptible,
        );
        if (outcome === "timed-out") return this.#tryRead();
      }
    } finally {
      Atomics.sub(view, RWAIT, 1);
    }
  }

  async #readSlowAsync(opts: Acquire): Promise<boolean> {
    const view = this.#view;
    Atomics.add(view, RWAIT, 1);
    try {
      for (;;) {
        // Why no lost wakeup: as in #readSlow.
        const seq = Atomics.load(view, RSEQ);
        if (this.#tryRead()) return true;
        const outcome = await waitAsync(
          view,
          RSEQ,
          seq,
          opts.deadline,
          opts.signal,
          opts.interruptible,
        );
        if (outcome === "timed-out") return this.#tryRead();
      }
    } finally {
      Atomics.sub(view, RWAIT, 1);
    }
  }

  #writeSlow(opts: Acquire): boolean {
    const view = this.#view;
    Atomics.add(view, WWAIT, 1);
    let acquired = false;
    try {
      for (;;) {
        // Why no lost wakeup: WSEQ is read before the CAS, and we sleep only
        // while it is unchanged (writers' note at the top).
        const seq = Atomics.load(view, WSEQ);
        if (this.#tryWrite()) return acquired = true;
        const outcome = waitSync(
          view,
          WSEQ,
          seq,
          opts.deadline,
          opts.signal,
          opts.interruptible,
        );
        if (outcome === "timed-out") return acquired = this.#tryWrite();
      }
    } finally {
      this.#leaveWriters(acquired);
    }
  }

  async #writeSlowAsync(opts: Acquire): Promise<boolean> {
    const view = this.#view;
    Atomics.add(view, WWAIT, 1);
    let acquired = false;
    try {
      for (;;) {
        // Why no lost wakeup: as in #writeSlow.
        const seq = Atomics.load(view, WSEQ);
        if (this.#tryWrite()) return acquired = true;
        const outcome = await waitAsync(
          view,
          WSEQ,
          seq,
          opts.deadline,
          opts.signal,
          opts.interruptible,
        );
        if (outcome === "timed-out") return acquired = this.#tryWrite();
      }
    } finally {
      this.#leaveWriters(acquired);
    }
  }

  // A waiting writer leaves WWAIT. Without the lock, it may have been what
  // kept readers out (wake them if it was the last writer), and it may have
  // consumed a notify(1) meant for a writer (hand one on).
  #leaveWriters(acquired: boolean): void {
    const view = this.#view;
    const left = Atomics.sub(view, WWAIT, 1) - 1;
    if (acquired) return;
    if (left === 0) {
      if (Atomics.load(view, RWAIT) > 0) this.#wakeReaders();
    } else if (Atomics.load(view, STATE) === FREE) {
      this.#wakeWriter();
    }
  }

  #wakeWriter(): void {
    Atomics.add(this.#view, WSEQ, 1);
    Atomics.notify(this.#view, WSEQ, 1);
  }

  #wakeReaders(): void {
    Atomics.add(this.#view, RSEQ, 1);
    Atomics.notify(this.#view, RSEQ);
  }
}

registerTransfer(TAG, (d) => {
  checkRegion("RWLock", d.buffer, d.byteOffset, RWLock.byteLength, 4);
  adopting = d;
  return new RWLock();
});
