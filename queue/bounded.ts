// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Queue}: a FIFO queue in shared memory, bounded or unbounded, for
 * any number of producer and consumer threads.
 * @module
 */

import { registerTransfer } from "../_core/transfer.ts";
import {
  FIFO,
  QueueBase,
  queueByteLength,
  type QueueInit,
  REVIVING,
} from "./_core.ts";
import { isUnbounded } from "./_grow.ts";
import { UnboundedQueue } from "./_unbounded.ts";

export type { QueueInit, QueueOptions, ShutdownOptions } from "./_core.ts";
export type { Codec } from "./_codec.ts";
export type { ElementType, NumericArray, NumericType } from "./_layout.ts";
export type { SharedPlacement } from "../_core/placement.ts";
export type { WaitOptions } from "../_core/wait.ts";
export { QueueBase } from "./_core.ts";

/**
 * A first-in, first-out queue shared by threads: Python's `queue.Queue`.
 * With a `capacity` it is bounded, in one block of threadkit's shared heap
 * (up to 8 MiB in all; a larger one has a SharedArrayBuffer of its own);
 * without one (or with `capacity <= 0`, Python's `maxsize <= 0`) it is
 * unbounded: a chain of bounded segments, each a heap block twice the size
 * of the last, added when the newest is full, up to `maxCapacity` items in
 * the newest (default 2^20). Growing moves no item. Puts never wait below
 * the maximum; at it, they wait as in a bounded queue. Segments are given
 * back to the heap only when the queue is dropped: up to then it keeps
 * about four times the most items it held at once. In the heap, segments
 * come out of the queues' share of it (1,536 MiB for all queues together;
 * a segment takes at most 8 MiB): when the heap cannot give the next one,
 * a put throws `QueueMemoryError` at once, nothing put (a
 * default structured queue alone holds about 6 million small items).
 * Where the heap cannot hold a new queue, it gets a SharedArrayBuffer of
 * its own (growable, for an unbounded one). A structured item too large for the
 * newest segment's byte region gets a new segment whose region holds it
 * (at the maximum too), so any item that encodes to at most 64 MiB - 1
 * bytes (67108863) goes in, whatever the queue held before (if the heap can
 * give that segment); a larger one is refused with a RangeError.
 *
 * Element types: a numeric slot type (`"int32"`, `"uint32"`, `"float64"`,
 * `"bigint64"`, ...) stores each item as one typed slot with no encoding, in a
 * lock-free ring (the fast path); `"structured"` (the default) takes any value
 * structured clone carries, `null` and `undefined` included, encoded into a
 * byte region of `bytes` bytes. Items are copied: the producer keeps no hold
 * on what it put. threadkit primitives in the shared heap (a `Lock` made with
 * `new Lock()`, a Queue, ...) inside structured items arrive as themselves;
 * a primitive in a buffer of its own (one placed in your buffer, or a queue
 * made when the heap could not hold it) cannot travel inside an item and is
 * refused with a TypeError that says why (pass it as a thread arg). A value that cannot be copied exactly (a function, a symbol,
 * a SharedArrayBuffer) is refused with a TypeError, never changed.
 *
 * Any thread may put and get; blocking (`put`, `get`) and async (`putAsync`,
 * `getAsync`, `for await`) callers mix freely. The queue passes to threads as
 * itself, in args or results.
 *
 * Python: `queue.Queue`.
 *
 * Differences from Python:
 * - An unbounded queue has a stated maximum (`maxCapacity`), and its
 *   `capacity` is 0 (Python's `maxsize`); its structured items encode to
 *   at most 64 MiB - 1 bytes (a bounded queue's, to its `bytes` - 1).
 *   Numeric queues accept only exact values of their type (integer queues
 *   store -0 as 0).
 * - Timeouts are in milliseconds (with `block: false` a timeout is ignored,
 *   as in Python).
 * - `join` takes a timeout and returns `false` when it passes; `taskDone`
 *   called too often throws RuntimeError (Python: ValueError).
 * - Errors are `QueueEmptyError`, `QueueFullError`, `QueueShutDownError`
 *   (Python: `Empty`, `Full`, `ShutDown`).
 * - Structured items follow structured clone, not pickle: class instances
 *   arrive as plain objects, and own non-index properties of arrays are
 *   dropped; functions and symbols are refused.
 * - Additions: `putAsync`, `getAsync`, `joinAsync`, `for await`, `putMany`,
 *   `getMany`, `putManyAsync`, `getManyAsync`, `getManyInto` and
 *   `getManyIntoAsync` (numeric items, bounded or unbounded), AbortSignal
 *   support.
 * - An unbounded queue's `full()` is true when a put would wait: its newest
 *   segment is full and cannot grow (at the maximum, or the heap would not
 *   give the next segment now).
 * - `singleWriter` / `singleReader` (bounded numeric queues): one thread
 *   puts (gets), checked; see {@linkcode QueueInit}. Python has no such mode.
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
   * Creates an empty queue: bounded, in a SharedArrayBuffer of its own or at
   * `init.byteOffset` of `init.buffer` (8-aligned,
   * {@linkcode Queue.byteLength} bytes); or, without a capacity, unbounded.
   * @throws {RangeError} for a capacity above 2^26 or not an integer, a bad
   * `bytes`, `initialCapacity` or `maxCapacity`.
   * @throws {TypeError} for an unknown element type or a bad placement (an
   * unbounded queue cannot be placed in a caller's buffer).
   */
  constructor(init?: QueueInit<T>) {
    if (init !== REVIVING && isUnbounded(init)) {
      return new UnboundedQueue<T>(init) as unknown as Queue<T>;
    }
    super(FIFO, init!);
  }

  /**
   * Whether `value` is a Queue, bounded or unbounded (an unbounded queue is
   * a different object behind the same API).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof UnboundedQueue ||
      Function.prototype[Symbol.hasInstance].call(Queue, value);
  }

  /**
   * Bytes a bounded Queue with these options occupies in a caller's buffer.
   * @throws {TypeError} for an unbounded queue's options.
   */
  static byteLength(init: QueueInit<unknown>): number {
    return queueByteLength(FIFO, init);
  }
}

registerTransfer(Queue.TAG, (d) => QueueBase.revive(Queue, FIFO, d));
