// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode LifoQueue}: a bounded last-in, first-out queue in shared memory.
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
 * A bounded last-in, first-out queue (a stack) shared by threads, with the
 * same methods, element types and rules as {@linkcode Queue}. Its state is
 * kept under a lock held only while an item is copied.
 *
 * Python: `queue.LifoQueue`.
 *
 * Differences from Python: as for {@linkcode Queue}.
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
 */
export class LifoQueue<T = unknown> extends QueueBase<T> {
  /** The transfer tag of LifoQueue. */
  static readonly TAG: string = "threadkit.LifoQueue";

  /**
   * Creates an empty stack; options as for {@linkcode Queue}.
   * @throws {RangeError} for a bad capacity or `bytes`.
   * @throws {TypeError} for an unknown element type or a bad placement.
   */
  constructor(init: QueueInit<T>) {
    super(LIFO, init);
  }

  /** Bytes a LifoQueue with these options occupies in a caller's buffer. */
  static byteLength(init: QueueInit<unknown>): number {
    return queueByteLength(LIFO, init);
  }
}

registerTransfer(LifoQueue.TAG, (d) => QueueBase.revive(LifoQueue, LIFO, d));
