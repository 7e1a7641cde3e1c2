// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode PriorityQueue}: a priority queue in shared memory, bounded or
 * unbounded.
 * @module
 */

import { registerTransfer } from "../_core/transfer.ts";
import {
  PRIORITY,
  QueueBase,
  queueByteLength,
  type QueueInit,
} from "./_core.ts";

export type { QueueInit, QueueOptions, ShutdownOptions } from "./_core.ts";
export type { Codec } from "./_codec.ts";
export type { ElementType, NumericArray, NumericType } from "./_layout.ts";
export type { SharedPlacement } from "../_core/placement.ts";
export type { WaitOptions } from "../_core/wait.ts";
export { QueueBase } from "./_core.ts";

/**
 * A priority queue shared by threads: `get` returns the item with
 * the lowest priority first. In a numeric queue the item is its own priority
 * (NaN is refused). In a structured queue each item is a number or an array
 * whose first element is the number priority, Python's `(priority, data)`
 * tuple: `q.put([2, "write docs"])`. Same methods as {@linkcode Queue}.
 *
 * A bounded structured PriorityQueue keeps items in `capacity` slots of
 * `bytes / capacity` bytes each, so every item's encoding must fit one slot.
 *
 * Without a `capacity` (or with `capacity <= 0`, Python's `maxsize <= 0`)
 * it is unbounded, as {@linkcode LifoQueue} is: its heap index lives in a
 * heap block that doubles when full, up to `maxCapacity` items (default
 * 2^20), and each structured item has a heap block of its own, so items of
 * any size mix, up to an encoding of 64 MiB - 1 bytes (a small one takes a
 * 512-byte heap block: about 500,000 fit the queues' share of the heap).
 * Order is the same across every growth.
 *
 * Python: `queue.PriorityQueue`.
 *
 * Differences from Python:
 * - Structured items of equal priority come out in the order they were put
 *   (Python compares the next tuple elements instead).
 * - An unbounded queue's `capacity` is 0 and it has a stated maximum,
 *   `maxCapacity`; its `full()` is true only there (Python: always false);
 *   its constructor throws RangeError when the queues' share of the heap
 *   cannot hold it (Python's never fails).
 * - As for {@linkcode Queue} otherwise.
 *
 * @example
 * ```ts
 * import { PriorityQueue } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const q = new PriorityQueue<[number, string]>({ capacity: 8 });
 * q.put([3, "low"]);
 * q.put([1, "high"]);
 * q.put([2, "mid"]);
 * assert.deepEqual(q.getMany(), [[1, "high"], [2, "mid"], [3, "low"]]);
 * ```
 *
 * @example Unbounded, items of any size
 * ```ts
 * import { PriorityQueue } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const q = new PriorityQueue<[number, string]>();
 * q.put([2, "x".repeat(100_000)]);
 * q.put([1, "small"]);
 * assert.deepEqual(q.get(), [1, "small"]);
 * assert.equal(q.get()[1].length, 100_000);
 * ```
 */
export class PriorityQueue<T = unknown> extends QueueBase<T> {
  /** The transfer tag of PriorityQueue. */
  static readonly TAG: string = "threadkit.PriorityQueue";

  /**
   * Creates an empty priority queue; options as for {@linkcode Queue}:
   * without a capacity (or with `capacity <= 0`), unbounded.
   * @throws {RangeError} for a bad capacity, `bytes`, `initialCapacity` or
   * `maxCapacity`, or an unbounded queue the shared heap cannot hold now.
   * @throws {TypeError} for an unknown element type or a bad placement (an
   * unbounded queue cannot be placed, nor take `bytes`).
   */
  constructor(init?: QueueInit<T>) {
    super(PRIORITY, init);
  }

  /**
   * Bytes a bounded PriorityQueue with these options occupies in a caller's
   * buffer.
   * @throws {TypeError} for an unbounded queue's options.
   */
  static byteLength(init: QueueInit<unknown>): number {
    return queueByteLength(PRIORITY, init);
  }
}

registerTransfer(
  PriorityQueue.TAG,
  (d) => QueueBase.revive(PriorityQueue, PRIORITY, d),
);
