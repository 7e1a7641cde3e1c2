// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Queue}: a bounded FIFO queue in shared memory, for any number of
 * producer and consumer threads.
 * @module
 */

import { registerTransfer } from "../_core/transfer.ts";
import { FIFO, QueueBase, queueByteLength, type QueueInit } from "./_core.ts";

/**
 * A bounded first-in, first-out queue shared by threads: Python's
 * `queue.Queue` with a fixed capacity, over one SharedArrayBuffer.
 *
 * Element types: a numeric slot type (`"int32"`, `"uint32"`, `"float64"`,
 * `"bigint64"`, ...) stores each item as one typed slot with no encoding, in a
 * lock-free ring (the fast path); `"structured"` (the default) takes any value
 * structured clone carries, `null` and `undefined` included, encoded into a
 * byte region of `bytes` bytes. Items are copied: the producer keeps no hold
 * on what it put. threadkit primitives in the shared heap (a `Lock` made with
 * `new Lock()`, ...) inside structured items arrive as themselves; a
 * primitive in a buffer of its own (a Queue, or one placed in your buffer)
 * cannot travel inside an item and is refused with a TypeError (pass it as a
 * thread arg). A value that cannot be copied exactly (a function, a symbol,
 * a SharedArrayBuffer) is refused with a TypeError, never changed.
 *
 * Any thread may put and get; blocking (`put`, `get`) and async (`putAsync`,
 * `getAsync`, `for await`) callers mix freely. The queue passes to threads as
 * itself, in args or results.
 *
 * Python: `queue.Queue`.
 *
 * Differences from Python:
 * - The capacity is fixed and required (Python's `maxsize <= 0` means
 *   unbounded); numeric queues accept only exact values of their type
 *   (integer queues store -0 as 0).
 * - Timeouts are in milliseconds; `timeout` with `block: false` is a
 *   TypeError (Python ignores it).
 * - `join` takes a timeout and returns `false` when it passes; `taskDone`
 *   called too often throws RuntimeError (Python: ValueError).
 * - Errors are `QueueEmptyError`, `QueueFullError`, `QueueShutDownError`
 *   (Python: `Empty`, `Full`, `ShutDown`).
 * - Structured items follow structured clone, not pickle: class instances
 *   arrive as plain objects, and own non-index properties of arrays are
 *   dropped; functions and symbols are refused.
 * - Additions: `putAsync`, `getAsync`, `joinAsync`, `for await`, `putMany`,
 *   `getMany`, `putManyAsync`, `getManyAsync`, AbortSignal support.
 *
 * @example Echo server: a thread reads one queue and writes back on another
 * ```ts
 * import { Queue, QueueShutDownError, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const requests = new Queue<number>({ capacity: 8, type: "int32" });
 * const replies = new Queue<number>({ capacity: 8, type: "int32" });
 * const server = new Thread({
 *   target: (inq: Queue<number>, outq: Queue<number>) => {
 *     try {
 *       for (;;) outq.put(inq.get());
 *     } catch (e) {
 *       if (!(e instanceof QueueShutDownError)) throw e;
 *     }
 *   },
 *   args: [requests, replies],
 * });
 * server.start();
 * for (let i = 0; i < 100; i++) {
 *   await requests.putAsync(i);
 *   assert.equal(await replies.getAsync({ timeout: 10_000 }), i);
 * }
 * requests.shutdown();
 * await server.joinAsync({ timeout: 10_000 });
 * ```
 *
 * @example Structured values and `for await`
 * ```ts
 * import { Queue } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const q = new Queue<unknown>({ capacity: 4 });
 * q.put({ id: 1, tags: new Set(["a"]), when: new Date(0) });
 * q.put(undefined);
 * q.shutdown(); // gets drain what is left, then the loop ends
 * const seen = [];
 * for await (const item of q) seen.push(item);
 * assert.deepEqual(seen, [{ id: 1, tags: new Set(["a"]), when: new Date(0) }, undefined]);
 * ```
 */
export class Queue<T = unknown> extends QueueBase<T> {
  /** The transfer tag of Queue. */
  static readonly TAG: string = "threadkit.Queue";

  /**
   * Creates an empty queue in a SharedArrayBuffer of its own, or at
   * `init.byteOffset` of `init.buffer` (8-aligned, {@linkcode Queue.byteLength}
   * bytes).
   * @throws {RangeError} for a capacity that is not an integer from 1 to
   * 2^26, or a bad `bytes`.
   * @throws {TypeError} for an unknown element type or a bad placement.
   */
  constructor(init: QueueInit<T>) {
    super(FIFO, init);
  }

  /** Bytes a Queue with these options occupies in a caller's buffer. */
  static byteLength(init: QueueInit<unknown>): number {
    return queueByteLength(FIFO, init);
  }
}

registerTransfer(Queue.TAG, (d) => QueueBase.revive(Queue, FIFO, d));
