// Copyright 2026 the threadkit authors. MIT license.
/**
 * Errors of the queues: {@linkcode QueueEmptyError},
 * {@linkcode QueueFullError}, {@linkcode QueueShutDownError} and
 * {@linkcode QueueMemoryError}.
 * @module
 */

import { registerErrorClass } from "../_core/outcome.ts";

/**
 * Thrown by a non-blocking or timed-out get when the queue has no item.
 *
 * Python: `queue.Empty`.
 *
 * @example
 * ```ts
 * import { Queue, QueueEmptyError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const q = new Queue<number>({ capacity: 2, type: "int32" });
 * assert.throws(() => q.getNowait(), QueueEmptyError);
 * ```
 */
export class QueueEmptyError extends Error {
  /** Creates the error with a default message. */
  constructor(
    message = "Cannot get item: the queue is empty",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "QueueEmptyError";
  }
}

/**
 * Thrown by a non-blocking or timed-out put when the queue has no room.
 *
 * Python: `queue.Full`.
 *
 * @example
 * ```ts
 * import { Queue, QueueFullError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const q = new Queue<number>({ capacity: 1, type: "int32" });
 * q.put(1);
 * assert.throws(() => q.putNowait(2), QueueFullError);
 * assert.equal(q.qsize(), 1);
 * ```
 */
export class QueueFullError extends Error {
  /** Creates the error with a default message. */
  constructor(
    message = "Cannot put item: the queue is full",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "QueueFullError";
  }
}

/**
 * Thrown by a put on a shut-down queue, and by a get on a shut-down queue
 * that is empty (or that was shut down with `immediate: true`).
 *
 * Python: `queue.ShutDown` (3.13).
 *
 * @example
 * ```ts
 * import { Queue, QueueShutDownError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const q = new Queue<number>({ capacity: 4, type: "int32" });
 * q.put(1);
 * q.shutdown();
 * assert.throws(() => q.put(2), QueueShutDownError);
 * assert.equal(q.get(), 1); // gets drain the queue first
 * assert.throws(() => q.get(), QueueShutDownError);
 * ```
 */
export class QueueShutDownError extends Error {
  /** Creates the error with a default message. */
  constructor(message = "The queue is shut down", options?: ErrorOptions) {
    super(message, options);
    this.name = "QueueShutDownError";
  }
}

/**
 * Thrown by a put on an unbounded queue (no capacity given) when threadkit's
 * shared heap cannot give the memory the item needs: a queue never waits
 * for heap memory, since no other thread may ever free it. Nothing was put
 * (a putMany that put some items first returns their count instead). The
 * heap's queue memory comes back when queues are dropped and collected (a
 * dropped queue's memory returns once the garbage collector has run and the
 * thread that held it reaches its event loop), or when items are taken.
 * A RangeError, as the engine's own "allocation failed" is; an unbounded
 * queue at its stated `maxCapacity` waits for room as a bounded one does.
 *
 * Python: `MemoryError`.
 *
 * @example
 * ```ts
 * import { LifoQueue, QueueMemoryError } from "@threadkit/threadkit";
 *
 * const q = new LifoQueue<string>();
 * try {
 *   q.put("x");
 * } catch (error) {
 *   if (!(error instanceof QueueMemoryError)) throw error;
 *   // the shared heap is full: take items, drop queues, or give a capacity
 * }
 * ```
 */
export class QueueMemoryError extends RangeError {
  /** Creates the error with a default message. */
  constructor(
    message =
      "Cannot put item in unbounded queue: threadkit's shared heap has no memory for it now (queues hold it; taking items or dropping queues frees it); nothing was put",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "QueueMemoryError";
  }
}

registerErrorClass(QueueEmptyError);
registerErrorClass(QueueFullError);
registerErrorClass(QueueShutDownError);
registerErrorClass(QueueMemoryError);
