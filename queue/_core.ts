// Copyright 2026 the threadkit authors. MIT license.
// The queue core shared by Queue, LifoQueue and PriorityQueue: the public
// methods, each a call into the mechanics: _init.ts (options, QueueState),
// _state.ts (waiting, waking), _glue.ts (item <-> raw), _put.ts and _get.ts
// (past the first try), _shutdown.ts, _held.ts (primitives in items in
// flight), _accept.ts (putKept and a put settling them). The store is
// _ring.ts (numeric FIFO; _solo.ts: one writer or reader) or _locked.ts;
// the layout is _layout.ts (this file reads CAPACITY: slot 1, once).
// A put: encode, store.tryPut; put -> afterPut, closed -> QueueShutDownError,
// full -> putSlow (_put.ts); a refused item's references are released. A get:
// store.tryGet; item -> afterGet, empty -> getSlow (_get.ts). Shutdown: OPEN
// -> SHUT -> IMMEDIATE. Memory: a caller's region, a heap block, or its own.

import { defineInspect } from "../_core/inspect.ts";
import { type Descriptor, TO_DESCRIPTOR } from "../_core/transfer.ts";
import { checkOptions, type WaitOptions } from "../_core/wait.ts";
import { FLAG_GROWS } from "./_grow.ts";
import type { Codec } from "./_codec.ts";
import {
  getInto,
  getIntoAsync,
  getItems,
  getManyAsync,
  getOne,
  getSlowAsync,
} from "./_get.ts";
import { iterate } from "./_iterate.ts";
import { getHeldNowait } from "./_get_held.ts";
import { graced } from "./_held_turn.ts";
import { setCodec } from "./_glue.ts";
import {
  putAsyncKept,
  putKept,
  putManyAsyncKept,
  putManyKept,
} from "./_accept.ts";
import {
  checkMax,
  checkRevivable,
  createState,
  NOWAIT,
  type QueueInit,
  type QueueOptions,
  queueOptions,
} from "./_init.ts";
import {
  BUSY,
  CAPACITY,
  type ElementType,
  EMPTY,
  FIFO,
  FLAGS,
  LIFO,
  NO_WAIT,
  type NumericArray,
  PRIORITY,
} from "./_layout.ts";
import {
  isShutdown,
  join,
  joinAsync,
  shutdown,
  taskDone,
} from "./_shutdown.ts";
import { SoloRing } from "./_solo.ts";
import { soloCalls } from "./_solo_calls.ts";
import { afterGet, noCodec, type QueueState } from "./_state.ts";

export { queueByteLength, type QueueInit, type QueueOptions } from "./_init.ts";
export { REVIVING, type ShutdownOptions } from "./_init_options.ts";
import { REVIVING, type ShutdownOptions } from "./_init_options.ts";
let adopting: Descriptor | undefined;
/** Queue q's state (an unbounded queue's puts into its segments). */
export let stateOf: (q: QueueBase<unknown>) => QueueState;

/**
 * The shared base of {@linkcode Queue}, {@linkcode LifoQueue} and
 * {@linkcode PriorityQueue}: all methods live here. Not constructed
 * directly; useful as a type for code that takes any of the three.
 *
 * @example A function that drains any threadkit queue
 * ```ts
 * import { LifoQueue, Queue, type QueueBase } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * function drain<T>(q: QueueBase<T>): T[] {
 *   const out: T[] = [];
 *   while (!q.empty()) out.push(q.getNowait());
 *   return out;
 * }
 * const fifo = new Queue<number>({ capacity: 4, type: "int32" });
 * const lifo = new LifoQueue<number>({ capacity: 4, type: "int32" });
 * for (const q of [fifo, lifo]) q.putMany([1, 2, 3]);
 * assert.deepEqual(drain(fifo), [1, 2, 3]);
 * assert.deepEqual(drain(lifo), [3, 2, 1]);
 * ```
 */
export abstract class QueueBase<T> implements AsyncIterable<T> {
  /** This handle's state, passed to the mechanics (_state.ts). */
  readonly #st: QueueState;
  static {
    stateOf = (q) => q.#st;
  }

  /** @internal Use a subclass. */
  protected constructor(discipline: number, init: QueueInit<T> | undefined) {
    const revived = adopting;
    adopting = undefined;
    const st = this.#st = createState(discipline, init, revived, this);
    if (st.ring instanceof SoloRing) {
      soloCalls(this, st, st.ring.sides, QueueBase.prototype);
    }
  }

  /** Most items the queue holds; 0 when unbounded (Python: `maxsize`). */
  get capacity(): number {
    const h = this.#st.h;
    return (h[FLAGS] & FLAG_GROWS) !== 0 ? 0 : h[CAPACITY];
  }

  /** Most items it holds: the capacity, or an unbounded one's maximum. */
  get maxCapacity(): number {
    return this.#st.h[CAPACITY];
  }

  /** The element type the queue was created with. */
  get type(): ElementType {
    return this.#st.info?.name ?? "structured";
  }

  /**
   * The queue's shared memory: buffer and byte offset of its first word. In
   * the shared heap (the default) the buffer is the block all heap
   * primitives share: a view is valid while a handle of this queue is.
   */
  get region(): {
    readonly buffer: SharedArrayBuffer;
    readonly byteOffset: number;
  } {
    const h = this.#st.h;
    return {
      buffer: h.buffer as SharedArrayBuffer,
      byteOffset: h.byteOffset,
    };
  }

  /**
   * Installs the custom codec in a thread that received this queue: a codec
   * holds functions, so it cannot travel with the queue. Returns the queue.
   * @throws {TypeError} when the queue was not created with a codec.
   */
  withCodec(codec: Codec<T>): this {
    setCodec(this.#st, codec);
    return this;
  }

  /**
   * Puts `item` in the queue, waiting for room unless `block` is false.
   * Blocks the calling thread (and its event loop): use `putAsync` where
   * that matters. A put that throws leaves the queue as it was.
   *
   * Python: `queue.Queue.put`.
   *
   * @throws {QueueFullError} when there is no room and `block` is false or the
   * timeout passed.
   * @throws {QueueShutDownError} when the queue is shut down.
   * @throws {TypeError} when the item cannot go in this queue (wrong type,
   * not serialisable); {RangeError} when it is out of the element type's range
   * or its encoding is larger than the queue's byte region allows.
   * @throws the signal's reason when it aborts; a CancelledError when the
   * calling thread is cancelled while waiting.
   */
  put(item: T, options?: QueueOptions): void {
    const st = this.#st, ring = st.ring;
    // The numeric FIFO's one try inline (it wakes getters); else putKept.
    if (
      ring !== undefined && options === undefined && st.info!.exact(item) &&
      ring.tryPut(item) > 0
    ) return;
    const o = queueOptions(options);
    // graced: an unbounded queue's segment try for a timed call (nowaitOf).
    putKept(st, item, options === undefined ? o : graced(o, options));
  }

  /**
   * Puts `item` only if there is room now; same as `put(item, { block: false })`.
   *
   * Python: `queue.Queue.put_nowait`.
   * @throws {QueueFullError} when the queue is full, or (`LifoQueue`,
   * `PriorityQueue`) when another thread is decoding an item under the
   * queue's lock with a custom codec (see `get`).
   */
  putNowait(item: T): void {
    const st = this.#st, ring = st.ring;
    // As put (a nowait try: _turn.ts "A holder that stops").
    if (
      ring !== undefined && st.info!.exact(item) &&
      ring.tryPut(item, NOWAIT) > 0
    ) return;
    putKept(st, item, NOWAIT);
  }

  /**
   * Puts `item`, waiting for room without blocking the event loop.
   *
   * Python: none (the async twin of `put`; asyncio.Queue.put).
   * @returns a promise that rejects as `put` throws.
   */
  putAsync(item: T, options?: QueueOptions): Promise<void> {
    return putAsyncKept(this.#st, item, options);
  }

  /**
   * Removes and returns the next item, waiting for one unless `block` is
   * false. Blocks the calling thread (and its event loop): use `getAsync` or
   * `for await` where that matters.
   *
   * Python: `queue.Queue.get`.
   *
   * @throws {QueueEmptyError} when there is no item and `block` is false or
   * the timeout passed.
   * @throws {QueueShutDownError} when the queue is shut down and empty.
   * @throws the signal's reason when it aborts; a CancelledError when the
   * calling thread is cancelled while waiting.
   *
   * A custom codec's `decode` runs while the queue's store is locked (so a
   * decode that throws leaves the item in place): it must not call back into
   * the same queue, which would wait for itself. While another thread's
   * decode holds the lock, a get waits for it only until its timeout (and
   * `getNowait` 2 ms at most), then throws {QueueEmptyError} saying so; in a
   * `LifoQueue` or `PriorityQueue` puts likewise throw {QueueFullError}. A
   * thread that dies inside a decode does not block the others: its lock is
   * taken over within 50 ms and its item stays first. A thread still
   * running when its lock was taken over (read as ended) gets a
   * {RuntimeError} named TakenOverError, and the item goes to the taker.
   */
  get(options?: QueueOptions): T {
    const st = this.#st, ring = st.ring;
    if (ring !== undefined && options === undefined) { // as put
      const x = ring.tryGet();
      // typeof first: a strict compare of the fast path's number merged
      // with anything to EMPTY calls the StrictEqual builtin every get.
      if (typeof x === "number" || x !== EMPTY) return x as T;
    }
    return getOne(st, queueOptions(options)) as T;
  }

  /**
   * Returns the next item only if there is one now; same as
   * `get({ block: false })`.
   *
   * Python: `queue.Queue.get_nowait`.
   * @throws {QueueEmptyError} when the queue is empty, or when another
   * thread is decoding the next item with a custom codec and still is after
   * 2 ms (no item can be taken without waiting for that decode; see `get`).
   */
  getNowait(): T {
    const st = this.#st, ring = st.ring;
    if (ring !== undefined) { // as put
      const x = ring.tryGet();
      if (typeof x === "number" || x !== EMPTY) return x as T; // as get
    }
    return getOne(st, NOWAIT) as T;
  }

  /**
   * Removes and returns the next item, waiting without blocking the event
   * loop.
   *
   * Python: none (the async twin of `get`; asyncio.Queue.get).
   * @returns a promise that rejects as `get` throws, except that with
   * `block: false` it rejects at once while another thread decodes the next
   * item (no 2 ms grace: that wait would block the event loop).
   */
  async getAsync(options?: QueueOptions): Promise<T> {
    const o = queueOptions(options);
    const st = this.#st;
    if (st.noCodec) throw noCodec();
    // As putAsync: getSlowAsync waits for another thread's decode.
    const x = st.store.tryGet(st.decode, NO_WAIT);
    if (x !== EMPTY && x !== BUSY) {
      if (st.store.wakes !== true) afterGet(st, 1); // (_get.ts took)
      return x as T;
    }
    if (x === BUSY && !o.blocking) {
      return await getHeldNowait(st, graced(o, options)) as T;
    }
    return await getSlowAsync(st, o) as T;
  }

  /**
   * Puts the items in order, as room allows, waiting for room unless `block`
   * is false. Every item is checked (and encoded) before the first is put, so
   * a bad item throws with the queue unchanged. When the call stops early
   * (no room with `block: false`, timeout, shutdown, abort) after putting
   * some items, it returns how many; it throws only when it put none.
   *
   * Python: none (a batched `put`).
   * @returns the number of items put, from the start of `items`.
   */
  putMany(items: ArrayLike<T>, options?: QueueOptions): number {
    const o = queueOptions(options); // graced: as put
    return putManyKept(this.#st, items, graced(o, options));
  }

  /**
   * Puts the items in order as `putMany` does, waiting for room without
   * blocking the event loop. Every item is encoded once, before the call
   * returns its promise (an unbounded queue's too, however it grows): a
   * change to `items` while the call is pending changes nothing it puts.
   *
   * Python: none (a batched `put`; the async twin of `putMany`).
   * @returns a promise of the number of items put; it rejects as `putMany`
   * throws.
   */
  putManyAsync(
    items: ArrayLike<T>,
    options?: QueueOptions,
  ): Promise<number> {
    return putManyAsyncKept(this.#st, items, options);
  }

  /**
   * Removes and returns up to `max` items: waits (unless `block` is false)
   * until there is at least one, then takes what is there, without waiting
   * for more.
   *
   * Python: none (a batched `get`).
   * @param max most items to return (default: the capacity).
   * @throws {QueueEmptyError}, {QueueShutDownError} as `get` does. When
   * taking the first item throws (a custom codec's decode, say), it throws
   * that error and takes nothing; when taking a later item throws (any
   * error), it returns the items before it, the failing item stays first,
   * and the next get throws the error. The
   * decode runs while the store is locked and must not call back into the
   * same queue (see `get`).
   */
  getMany(max?: number, options?: QueueOptions): T[] {
    const most = checkMax(max, this.maxCapacity);
    return getItems(this.#st, most, queueOptions(options)) as T[];
  }

  /**
   * Removes and returns up to `max` items as `getMany` does, waiting for the
   * first without blocking the event loop.
   *
   * Python: none (a batched `get`; the async twin of `getMany`).
   * @returns a promise of the items; it rejects as `getMany` throws.
   */
  getManyAsync(max?: number, options?: QueueOptions): Promise<T[]> {
    return getManyAsync(this.#st, max, options) as Promise<T[]>;
  }

  /**
   * Removes up to `target.length` items into `target` (from index 0) as
   * `getMany` does, and returns how many: a numeric queue's batch get with
   * nothing allocated (one `TypedArray.set` per run of slots in a FIFO
   * queue). Elements past the count may be overwritten.
   *
   * Python: none (a batched `get`).
   * @throws {TypeError} unless `target` is the typed array of the queue's
   * element type (an `Int32Array` for "int32", and so on).
   * @throws {RangeError} when `target` is empty.
   * @throws {QueueEmptyError}, {QueueShutDownError} as `get` does.
   */
  getManyInto(target: NumericArray, options?: QueueOptions): number {
    return getInto(this.#st, target, queueOptions(options));
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
    return getIntoAsync(this.#st, target, options);
  }

  /**
   * Items in the queue now (a snapshot: other threads may change it at once).
   *
   * Python: `queue.Queue.qsize`.
   */
  qsize(): number {
    return this.#st.store.count();
  }

  /** Whether the queue is empty now (a snapshot). Python: `queue.Queue.empty`. */
  empty(): boolean {
    return this.#st.store.count() === 0;
  }

  /**
   * Whether the queue is full now (a snapshot); an unbounded one is full
   * at its `maxCapacity`. Python: `queue.Queue.full` (false when unbounded).
   */
  full(): boolean {
    return this.#st.store.count() >= this.maxCapacity;
  }

  /**
   * Marks one item taken with `get` as processed, for `join`.
   *
   * Python: `queue.Queue.task_done`.
   * @throws {RuntimeError} when called more times than items were put
   * (Python raises ValueError).
   */
  taskDone(): void {
    taskDone(this.#st);
  }

  /**
   * Blocks until every item put has been marked done with `taskDone` (or
   * discarded by an immediate shutdown). Blocks the event loop: use
   * `joinAsync` where that matters.
   *
   * Python: `queue.Queue.join`.
   * @returns `true`, or `false` when the timeout passed first.
   */
  join(options?: WaitOptions): boolean {
    return join(this.#st, options);
  }

  /**
   * Waits, without blocking the event loop, until every item put has been
   * marked done.
   *
   * Python: none (asyncio.Queue.join).
   * @returns a promise of `true`, or `false` when the timeout passed first.
   */
  joinAsync(options?: WaitOptions): Promise<boolean> {
    return joinAsync(this.#st, options);
  }

  /**
   * Shuts the queue down: puts throw {@linkcode QueueShutDownError} from now
   * on, and gets do once the queue is empty. With `immediate`, the queued
   * items are discarded at once (each counts as a done task, so `join`
   * returns). Wakes every blocked putter, getter and joiner. Any thread may
   * call it, more than once.
   *
   * Python: `queue.Queue.shutdown` (3.13).
   */
  shutdown(options?: ShutdownOptions): void {
    // Python's `shutdown(True)` must not pass as a plain one (_shutdown.ts).
    checkOptions("shut down queue", options, "immediate");
    shutdown(this.#st, options?.immediate ?? false);
  }

  /** Whether `shutdown()` was called. */
  get isShutdown(): boolean {
    return isShutdown(this.#st);
  }

  /**
   * Yields items as `getAsync` returns them, until the queue is shut down
   * and empty. Waiting never blocks the event loop.
   */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return iterate(this.#st, () => this.getAsync());
  }

  /** @ignore Describes the queue for another thread (transfer registry). */
  [TO_DESCRIPTOR](): Descriptor {
    const h = this.#st.h;
    return {
      tag: (this.constructor as unknown as { readonly TAG: string }).TAG,
      buffer: h.buffer as SharedArrayBuffer,
      byteOffset: h.byteOffset,
    };
  }

  /** @ignore Revives a queue of class `cls` over a descriptor's memory. */
  static revive<Q>(
    cls: abstract new (init: never) => Q,
    discipline: number,
    d: Descriptor,
  ): Q {
    checkRevivable(discipline, d);
    adopting = d;
    return new (cls as unknown as new (init: unknown) => Q)(REVIVING);
  }
}

defineInspect(QueueBase, (q) => ({
  type: q.type,
  capacity: q.capacity,
  size: q.qsize(),
}));

export { FIFO, LIFO, PRIORITY };
