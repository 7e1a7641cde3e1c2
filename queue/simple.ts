// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode SimpleQueue}: an unbounded FIFO queue without task tracking.
 * @module
 */

import { defineInspect } from "../_core/inspect.ts";
import {
  type Descriptor,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import type { Codec } from "./_codec.ts";
import type { QueueOptions } from "./_core.ts";
import type { ElementType, NumericArray } from "./_layout.ts";
import { UnboundedQueue } from "./_unbounded.ts";

export type { QueueOptions } from "./_core.ts";
export type { Codec } from "./_codec.ts";
export type { ElementType, NumericArray, NumericType } from "./_layout.ts";
export type { WaitOptions } from "../_core/wait.ts";

const TAG = "threadkit.SimpleQueue";
let adopting: UnboundedQueue<unknown> | undefined;
// Each SimpleQueue, kept reachable from its UnboundedQueue: a revived one
// holds the heap reference (the decode made it the holder), while waits run
// in the UnboundedQueue's async methods, which keep only that one reachable
// (_chain_memory.ts, "When segment blocks are freed").
const holders = new WeakMap<object, object>();

/** Options of {@linkcode SimpleQueue}. */
export interface SimpleQueueInit<T = unknown> {
  /** Element type, as for Queue (default `"structured"`). */
  type?: ElementType;
  /** Structured queues: a custom encoding, as for Queue. */
  codec?: Codec<T>;
  /** Items its first segment holds (default 1024). */
  initialCapacity?: number;
  /** The stated maximum: most items its newest segment holds (default 2^20). */
  maxCapacity?: number;
}

/**
 * An unbounded first-in, first-out queue without task tracking: `put` never
 * waits. Any thread may put and get; it passes to threads as itself. It is
 * an unbounded {@linkcode Queue} (a chain of segments in threadkit's shared
 * heap, so it travels inside queue items too) with the smaller API of
 * Python's `SimpleQueue`: no `taskDone`, `join`, `full` or `shutdown`.
 *
 * Python: `queue.SimpleQueue`.
 *
 * Differences from Python:
 * - It grows up to a stated maximum (`maxCapacity` items in its newest
 *   segment, default 2^20) while the shared heap gives it segments (all
 *   queues together take at most 1,536 MiB of it); a put beyond the
 *   maximum throws `QueueFullError` instead of waiting, and one the heap
 *   refuses `QueueMemoryError`, so `put` never blocks.
 * - A structured item encodes to at most 64 MiB - 1 bytes (67108863); a
 *   larger one is refused with a RangeError. Below that, any item goes in,
 *   whatever the queue held before (it grows a segment that holds it).
 * - Timeouts are in milliseconds; `getAsync`, `getMany`, `getManyAsync`,
 *   and for numeric items `getManyInto` and `getManyIntoAsync`, are
 *   additions.
 *
 * @example A thread fills it, the main thread drains it
 * ```ts
 * import { SimpleQueue, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const q = new SimpleQueue<string>();
 * const t = new Thread({
 *   target: (q: SimpleQueue<string>) => {
 *     for (let i = 0; i < 3; i++) q.put(`item ${i}`); // never waits for room
 *   },
 *   args: [q],
 * });
 * t.start();
 * const got = [];
 * for (let i = 0; i < 3; i++) got.push(await q.getAsync({ timeout: 10_000 }));
 * assert.deepEqual(got, ["item 0", "item 1", "item 2"]);
 * assert.equal(q.empty(), true);
 * await t.joinAsync({ timeout: 10_000 });
 * ```
 */
export class SimpleQueue<T = unknown> {
  readonly #q: UnboundedQueue<T>;

  /**
   * Creates an empty queue in the shared heap (a growable buffer of its own
   * when the heap cannot hold it).
   * @throws {RangeError} for a bad `initialCapacity` or `maxCapacity`.
   * @throws {TypeError} for an unknown element type.
   */
  constructor(init?: SimpleQueueInit<T>) {
    const revived = adopting;
    adopting = undefined;
    this.#q = (revived as UnboundedQueue<T> | undefined) ??
      new UnboundedQueue<T>(init);
    holders.set(this.#q, this);
  }

  /**
   * Puts `item` at the end. Never waits for room (the queue grows); it
   * waits for another thread's put that holds the newest segment, however
   * long, as Python's waits for the queue's mutex, so it never fails for a
   * put that is only slow. A put whose thread was stopped from outside in
   * the middle of its copy (out of memory) is waited for for good too:
   * then only this thread's cancel ends the call, and on the main thread
   * (no cancel) nothing does (README, "Locks").
   *
   * Python: `queue.SimpleQueue.put`.
   * @throws {QueueFullError} at the stated maximum, or when the shared heap
   * gives no next segment.
   * @throws {TypeError} or {RangeError} when the item cannot go in this
   * queue (as for Queue; a structured item over 64 MiB - 1 bytes encoded
   * is a RangeError).
   */
  put(item: T): void {
    this.#q.putNowait(item);
  }

  /** Same as `put` (Python: `put_nowait`): it waits only as `put` does. */
  putNowait(item: T): void {
    this.#q.putNowait(item);
  }

  /**
   * Removes and returns the first item, waiting for one unless `block` is
   * false. Blocks the calling thread (and its event loop): use `getAsync`
   * where that matters.
   *
   * Python: `queue.SimpleQueue.get`.
   * @throws {QueueEmptyError} when there is none and `block` is false or
   * the timeout passed.
   */
  get(options?: QueueOptions): T {
    return this.#q.get(options);
  }

  /** Returns the first item only if there is one now (Python: `get_nowait`). */
  getNowait(): T {
    return this.#q.getNowait();
  }

  /** Removes and returns the first item, waiting without blocking the event loop. */
  getAsync(options?: QueueOptions): Promise<T> {
    return this.#q.getAsync(options);
  }

  /**
   * Removes and returns up to `max` items: waits (unless `block` is false)
   * until there is at least one, then takes what is there, without waiting
   * for more, as a Queue's `getMany` does. Blocks the calling thread (and
   * its event loop): use `getManyAsync` where that matters.
   *
   * Python: none (a batched `get`).
   * @param max most items to return (default: all there now, up to 2^26).
   * @throws {RangeError} when `max` is not a whole number from 1 on.
   * @throws {QueueEmptyError} when there is none and `block` is false or
   * the timeout passed. When taking a later item throws (a custom codec's
   * decode, say), it returns the items before it, and the next get throws.
   *
   * @example Take what a producer has put so far
   * ```ts
   * import { SimpleQueue } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const q = new SimpleQueue<string>();
   * q.put("a");
   * q.put("b");
   * q.put("c");
   * assert.deepEqual(q.getMany(2), ["a", "b"]);
   * assert.deepEqual(q.getMany(), ["c"]);
   * assert.throws(() => q.getMany(undefined, { block: false }));
   * ```
   */
  getMany(max?: number, options?: QueueOptions): T[] {
    return this.#q.getMany(max, options);
  }

  /**
   * `getMany`, waiting for the first item without blocking the event loop.
   *
   * Python: none (a batched `get`; the async twin of `getMany`).
   * @returns a promise of the items; it rejects as `getMany` throws.
   */
  getManyAsync(max?: number, options?: QueueOptions): Promise<T[]> {
    return this.#q.getManyAsync(max, options);
  }

  /**
   * Removes up to `target.length` items of a numeric queue into `target`
   * (from index 0) and returns how many, as a Queue's `getManyInto` does:
   * waits (unless `block` is false) until there is at least one, then takes
   * what is there, without waiting for more, with nothing allocated.
   * Elements past the count may be overwritten. Blocks the calling thread
   * (and its event loop): use `getManyIntoAsync` where that matters.
   *
   * Python: none (a batched `get`).
   * @throws {TypeError} unless `target` is the typed array of the queue's
   * element type (an `Int32Array` for "int32", and so on).
   * @throws {RangeError} when `target` is empty.
   * @throws {QueueEmptyError} when there is none and `block` is false or
   * the timeout passed.
   *
   * @example Take a producer's numbers in batches
   * ```ts
   * import { SimpleQueue } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const q = new SimpleQueue<number>({ type: "int32" });
   * for (let i = 0; i < 5; i++) q.put(i);
   * const into = new Int32Array(4);
   * assert.equal(q.getManyInto(into), 4);
   * assert.deepEqual([...into], [0, 1, 2, 3]);
   * assert.equal(q.getManyInto(into), 1);
   * assert.equal(into[0], 4);
   * ```
   */
  getManyInto(target: NumericArray, options?: QueueOptions): number {
    return this.#q.getManyInto(target, options);
  }

  /**
   * `getManyInto`, waiting for the first item without blocking the event
   * loop.
   *
   * Python: none (a batched `get`; the async twin of `getManyInto`).
   * @returns a promise of the count; it rejects as `getManyInto` throws.
   * While it waits, the target may shrink or be detached by this thread:
   * it takes at most what fits when the item comes, and rejects with
   * RangeError, taking nothing, when nothing fits.
   */
  getManyIntoAsync(
    target: NumericArray,
    options?: QueueOptions,
  ): Promise<number> {
    return this.#q.getManyIntoAsync(target, options);
  }

  /** Items in the queue now, a snapshot (Python: `qsize`). */
  qsize(): number {
    return this.#q.qsize();
  }

  /** Whether the queue is empty now, a snapshot (Python: `empty`). */
  empty(): boolean {
    return this.#q.empty();
  }

  /** Installs the custom codec in a thread that received this queue. */
  withCodec(codec: Codec<T>): this {
    this.#q.withCodec(codec);
    return this;
  }

  /** @ignore Describes the queue for another thread (transfer registry). */
  [TO_DESCRIPTOR](): Descriptor {
    const { buffer, byteOffset } = this.#q.region;
    return { tag: TAG, buffer, byteOffset };
  }

  static {
    defineInspect(SimpleQueue, (q) => ({
      type: q.#q.type,
      size: q.qsize(),
    }));
  }
}

registerTransfer(TAG, (d) => {
  adopting = UnboundedQueue.revive(d) as UnboundedQueue<unknown>;
  return new SimpleQueue();
});
