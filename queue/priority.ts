// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode PriorityQueue}: a bounded priority queue in shared memory.
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
 * A bounded priority queue shared by threads: `get` returns the item with
 * the lowest priority first. In a numeric queue the item is its own priority
 * (NaN is refused). In a structured queue each item is a number or an array
 * whose first element is the number priority, Python's `(priority, data)`
 * tuple: `q.put([2, "write docs"])`. Same methods as {@linkcode Queue}.
 *
 * A structured PriorityQueue keeps items in `capacity` slots of
 * `bytes / capacity` bytes each, so every item's encoding must fit one slot.
 *
 * Python: `queue.PriorityQueue`.
 *
 * Differences from Python:
 * - Structured items of equal priority come out in the order they were put
 *   (Python compares the next tuple elements instead).
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
 */
export class PriorityQueue<T = unknown> extends QueueBase<T> {
  /** The transfer tag of PriorityQueue. */
  static readonly TAG: string = "threadkit.PriorityQueue";

  /**
   * Creates an empty priority queue; options as for {@linkcode Queue}.
   * @throws {RangeError} for a bad capacity or `bytes`.
   * @throws {TypeError} for an unknown element type or a bad placement.
   */
  constructor(init: QueueInit<T>) {
    super(PRIORITY, init);
  }

  /** Bytes a PriorityQueue with these options occupies in a caller's buffer. */
  static byteLength(init: QueueInit<unknown>): number {
    return queueByteLength(PRIORITY, init);
  }
}

registerTransfer(
  PriorityQueue.TAG,
  (d) => QueueBase.revive(PriorityQueue, PRIORITY, d),
);
