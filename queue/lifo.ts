// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode LifoQueue}: a last-in, first-out queue in shared memory,
 * bounded or unbounded.
 * @module
 */

import { registerTransfer } from "../_core/transfer.ts";
import { LIFO, QueueBase, queueByteLength, type QueueInit } from "./_core.ts";

export type { QueueInit, QueueOptions, ShutdownOptions } from "./_core.ts";
export type { Codec } from "./_codec.ts";
export type { ElementType, NumericArray, NumericType } from "./_layout.ts";
export type { SharedPlacement } from "../_core/placement.ts";
export type { WaitOptions } from "../_core/wait.ts";
export { QueueBase } from "./_core.ts";

/**
 * A last-in, first-out queue (a stack) shared by threads, with the same
 * methods, element types and rules as {@linkcode Queue}. Its state is kept
 * under a lock held only while an item is copied.
 *
 * With a `capacity` it is bounded, in one block of threadkit's shared heap
 * (or a buffer of its own, or a caller's); without one (or with
 * `capacity <= 0`, Python's `maxsize <= 0`) it is unbounded: its items live
 * in a heap block for `initialCapacity` items (default 64) that a put
 * replaces with one twice the size when it is full, moving the items under
 * the lock, up to `maxCapacity` items (default 2^20; at it puts wait as in
 * a bounded queue). When the heap cannot give the next block, a put throws
 * `QueueMemoryError` at once, nothing put. A structured item then
 * has a heap block of its own, so items of any size mix, up to an encoding
 * of 64 MiB - 1 bytes (a larger one is a RangeError, the queue unchanged);
 * a small one still takes a 512-byte heap block (the queues' share of the
 * heap, 1,536 MiB, holds about 3 million).
 * An unbounded queue lives in the shared heap only.
 *
 * Python: `queue.LifoQueue`.
 *
 * Differences from Python: as for {@linkcode Queue}: an unbounded queue's
 * `capacity` is 0 (Python's `maxsize`) and it has a stated maximum,
 * `maxCapacity`; its `full()` is true only there (Python: always false),
 * since a put waits there; its constructor throws RangeError when the
 * queues' share of the heap cannot hold it (Python's never fails).
 *
 * @example
 * ```ts
 * import { LifoQueue } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const q = new LifoQueue<string>({ capacity: 3 });
 * q.put("a");
 * q.put("b");
 * q.put("c");
 * assert.deepEqual([q.get(), q.get(), q.get()], ["c", "b", "a"]);
 * ```
 *
 * @example Unbounded, as Python's `LifoQueue()`
 * ```ts
 * import { LifoQueue } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const q = new LifoQueue<number>({ type: "int32" });
 * for (let i = 0; i < 10_000; i++) q.put(i); // it grows as needed
 * assert.equal(q.capacity, 0);
 * assert.equal(q.full(), false);
 * assert.deepEqual(q.getMany(3), [9999, 9998, 9997]);
 * ```
 */
export class LifoQueue<T = unknown> extends QueueBase<T> {
  /** The transfer tag of LifoQueue. */
  static readonly TAG: string = "threadkit.LifoQueue";

  /**
   * Creates an empty stack; options as for {@linkcode Queue}: without a
   * capacity (or with `capacity <= 0`), unbounded.
   * @throws {RangeError} for a bad capacity, `bytes`, `initialCapacity` or
   * `maxCapacity`, or an unbounded queue the shared heap cannot hold now.
   * @throws {TypeError} for an unknown element type or a bad placement (an
   * unbounded queue cannot be placed, nor take `bytes`).
   */
  constructor(init?: QueueInit<T>) {
    super(LIFO, init);
  }

  /**
   * Bytes a bounded LifoQueue with these options occupies in a caller's
   * buffer.
   * @throws {TypeError} for an unbounded queue's options.
   */
  static byteLength(init: QueueInit<unknown>): number {
    return queueByteLength(LIFO, init);
  }
}

registerTransfer(LifoQueue.TAG, (d) => QueueBase.revive(LifoQueue, LIFO, d));
