// Copyright 2026 the threadkit authors. MIT license.
// The queue core shared by Queue, LifoQueue and PriorityQueue: options,
// encoding, waiting, shutdown, task accounting and transfer. The storage
// discipline is a Store (_ring.ts lock-free numeric FIFO, _locked.ts the
// rest); the header layout is in _layout.ts.
//
// Waiting (the same protocol for getters, putters and joiners):
//   waiter: add WAITERS, read SEQ, try again, wait while SEQ is unchanged,
//           sub WAITERS, try again.
//   waker:  change the state (an Atomics write), read WAITERS; if > 0, add
//           SEQ and notify.
// Why no lost wakeup: every step is sequentially consistent. The waiter adds
// WAITERS before its re-try and the waker changes the state before it reads
// WAITERS, so either the re-try sees the new state or the waker sees the
// waiter (Dekker). The waiter read SEQ before its re-try, so a bump that
// follows makes its wait return "not-equal" at once.
// A getter woken by notify(1) that then leaves without an item (abort,
// cancel) passes the wakeup on to another getter if items remain ("baton").
// Putters of byte stores are all woken (items differ in size); getters are
// woken one per item.
//
// Shutdown states (SHUTDOWN word):
// OPEN -shutdown()-> SHUT -shutdown({ immediate })-> IMMEDIATE
// OPEN -shutdown({ immediate })-> IMMEDIATE (drains; unfinished tasks drop)
// Puts learn of the shutdown from the store, atomically with adding the item:
// the ring's TAIL carries a CLOSED bit that makes every later put's
// compareExchange fail, and the locked stores read SHUTDOWN under their lock.
// shutdown() publishes SHUTDOWN through Store.close: the rings set CLOSED,
// wait until no put holds TAIL's lock (one that took it before CLOSED lands
// first), and only then store SHUTDOWN; the locked stores store it while
// holding their lock. So no put lands after SHUTDOWN != OPEN is visible, and
// a get that reads SHUTDOWN != OPEN and then finds the store empty knows it
// stays empty: it throws QueueShutDownError ("shut down and empty") only
// from such a try, made after that read (#lastGet). An immediate shutdown's
// drain, which runs after close, likewise leaves nothing behind.

import { RuntimeError } from "../_core/errors.ts";
import { checkRegion, type SharedPlacement } from "../_core/placement.ts";
import {
  type Descriptor,
  TO_DESCRIPTOR,
  type Transferable,
} from "../_core/transfer.ts";
import {
  type Acquire,
  blockingOptions,
  type Wait,
  waitAsync,
  type WaitOptions,
  waitOptions,
  type WaitOutcome,
  waitSync,
} from "../_core/wait.ts";
import {
  type Codec,
  decodeValue,
  encodeText,
  encodeValue,
  textTagged,
} from "./_codec.ts";
import {
  align8,
  ALL_DONE,
  BYTES,
  CAPACITY,
  CLOSED,
  type Decode,
  distance,
  DONE,
  type ElementType,
  EMPTY,
  FIFO,
  FLAG_CODEC,
  FLAGS,
  GET_WAITERS,
  HEADER_BYTES,
  HEADER_WORDS,
  IMMEDIATE,
  JOIN_WAITERS,
  KIND,
  LIFO,
  MAGIC,
  MAX_BYTES,
  MAX_CAPACITY,
  MODULUS,
  NOT_EMPTY,
  NOT_FULL,
  numericError,
  type NumericInfo,
  numericInfo,
  OPEN,
  POSITION,
  PRIORITY,
  PUT_WAITERS,
  SHUT,
  SHUTDOWN,
  type Store,
  STRUCTURED,
  TAIL,
} from "./_layout.ts";
import {
  ByteHeap,
  ByteStack,
  type Keyed,
  NumHeap,
  NumStack,
} from "./_locked.ts";
import { Ring, ringBytes, ringModulus } from "./_ring.ts";
import {
  Batch,
  bytesBatch,
  textBatch,
  textBytes,
  TextItem,
  TextRing,
} from "./_text.ts";
import {
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
} from "./errors.ts";

/** Options of a queue's put and get: Python's `block` and `timeout`. */
export interface QueueOptions extends WaitOptions {
  /**
   * Whether to wait for room or for an item (default true). With `false` the
   * call returns or throws at once, and giving a `timeout` is a TypeError.
   */
  block?: boolean;
}

/** Options of a queue's constructor. */
export interface QueueInit<T = unknown> extends SharedPlacement {
  /** Most items the queue holds: an integer from 1 to 2^26. */
  capacity: number;
  /**
   * Element type: a numeric slot type (`"int32"`, `"float64"`,
   * `"bigint64"`, ...; no encoding, the fast path) or `"structured"` (the
   * default: any value structured clone carries, encoded into bytes).
   */
  type?: ElementType;
  /**
   * Structured queues: bytes of item storage (default: 256 per item, at
   * least 64 KiB). An item's encoding plus 4 bytes (FIFO: 1 byte) must fit (in a
   * PriorityQueue: fit in `bytes / capacity`).
   */
  bytes?: number;
  /**
   * Structured queues: a custom encoding instead of threadkit's JSON. Its
   * `decode` runs while the queue's store is locked, so it must not use the
   * same queue.
   */
  codec?: Codec<T>;
}

/** Options of {@linkcode QueueBase.prototype.shutdown}. */
export interface ShutdownOptions {
  /** Also discard the queued items (their tasks count as done). */
  immediate?: boolean;
}

const DEFAULT_OPTIONS: Acquire = {
  blocking: true,
  deadline: Infinity,
  signal: undefined,
};
// Every this-many items that a `for await` finds ready, it lets the event
// loop run a macrotask, so a fast producer cannot starve timers and I/O.
const YIELD_EVERY = 4096;
// A blocking get (put) that finds the queue empty (full) retries this many
// times before it registers as a waiter and sleeps: a producer usually
// catches up sooner than a sleep and a wake take (about 20-50 us), and a
// waiter costs its wakers a notify.
const SPIN = 128;

let adopting: Descriptor | undefined;

/**
 * The shared base of {@linkcode Queue}, {@linkcode LifoQueue} and
 * {@linkcode PriorityQueue}: all methods live here.
 */
export abstract class QueueBase<T> implements Transferable, AsyncIterable<T> {
  readonly #h: Int32Array;
  readonly #store: Store;
  readonly #info: NumericInfo | undefined;
  readonly #discipline: number;
  readonly #m: number;
  readonly #wakePutters: number;
  #codec: Codec<T> | undefined;
  /** What gets pass the store to decode items (see Decode in _layout.ts). */
  #decode: Decode | undefined;
  /** A custom-codec queue revived in a thread that has not set the codec. */
  #noCodec: boolean;

  /** @internal Use a subclass. */
  protected constructor(discipline: number, init: QueueInit<T> | undefined) {
    const revived = adopting;
    adopting = undefined;
    this.#discipline = discipline;
    let h: Int32Array;
    if (revived !== undefined) {
      h = new Int32Array(revived.buffer, revived.byteOffset, HEADER_WORDS);
      h = new Int32Array(
        revived.buffer,
        revived.byteOffset,
        totalBytes(discipline, h) >> 2,
      );
    } else {
      const shape = checkInit(discipline, init);
      const total = shape.total;
      let buffer: SharedArrayBuffer, byteOffset = 0;
      if (init!.buffer !== undefined || init!.byteOffset !== undefined) {
        if (init!.buffer === undefined) {
          throw new TypeError("Cannot place queue: byteOffset needs a buffer");
        }
        byteOffset = init!.byteOffset ?? 0;
        checkRegion("queue", init!.buffer, byteOffset, total, 8);
        buffer = init!.buffer;
        new Uint8Array(buffer, byteOffset, total).fill(0);
      } else {
        buffer = new SharedArrayBuffer(total);
      }
      h = new Int32Array(buffer, byteOffset, total >> 2);
      h[KIND] = MAGIC + discipline * 16 + shape.code;
      h[CAPACITY] = shape.capacity;
      h[BYTES] = shape.bytes;
      h[FLAGS] = init!.codec !== undefined ? FLAG_CODEC : 0;
      h[MODULUS] = discipline === FIFO ? ringModulus(shape.capacity) : 2 ** 28;
    }
    const code = h[KIND] & 15;
    this.#info = numericInfo(code);
    this.#m = h[MODULUS];
    this.#store = makeStore(discipline, this.#info, h);
    if (
      revived === undefined && discipline === PRIORITY &&
      this.#info === undefined
    ) {
      (this.#store as ByteHeap).init();
    }
    this.#wakePutters = this.#info === undefined ? Infinity : 1;
    this.#codec = init?.codec;
    if (init?.codec !== undefined) checkCodec(init.codec);
    this.#decode = this.#decoder();
    this.#noCodec = (h[FLAGS] & FLAG_CODEC) !== 0 && init?.codec === undefined;
    this.#h = h;
  }

  /** Most items the queue holds (Python: `maxsize`). */
  get capacity(): number {
    return this.#h[CAPACITY];
  }

  /** The element type the queue was created with. */
  get type(): ElementType {
    return this.#info?.name ?? "structured";
  }

  /** The queue's shared memory: buffer and byte offset of its first word. */
  get region(): {
    readonly buffer: SharedArrayBuffer;
    readonly byteOffset: number;
  } {
    return {
      buffer: this.#h.buffer as SharedArrayBuffer,
      byteOffset: this.#h.byteOffset,
    };
  }

  /**
   * Installs the custom codec in a thread that received this queue: a codec
   * holds functions, so it cannot travel with the queue. Returns the queue.
   * @throws {TypeError} when the queue was not created with a codec.
   */
  withCodec(codec: Codec<T>): this {
    if ((this.#h[FLAGS] & FLAG_CODEC) === 0) {
      throw new TypeError(
        "Cannot set codec: the queue was created without a custom codec",
      );
    }
    checkCodec(codec);
    this.#codec = codec;
    this.#noCodec = false;
    this.#decode = this.#decoder();
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
    const o = queueOptions(options);
    const raw = this.#toRaw(item);
    const r = this.#store.tryPut(raw);
    if (r > 0) return this.#afterPut(1);
    if (r < 0) throw shutDown("put");
    this.#putSlow(raw, 0, true, o);
  }

  /**
   * Puts `item` only if there is room now; same as `put(item, { block: false })`.
   *
   * Python: `queue.Queue.put_nowait`.
   * @throws {QueueFullError} when the queue is full.
   */
  putNowait(item: T): void {
    const raw = this.#toRaw(item);
    const r = this.#store.tryPut(raw);
    if (r > 0) return this.#afterPut(1);
    if (r < 0) throw shutDown("put");
    throw new QueueFullError();
  }

  /**
   * Puts `item`, waiting for room without blocking the event loop.
   *
   * Python: none (the async twin of `put`; asyncio.Queue.put).
   * @returns a promise that rejects as `put` throws.
   */
  async putAsync(item: T, options?: QueueOptions): Promise<void> {
    const o = queueOptions(options);
    const raw = this.#toRaw(item);
    const r = this.#store.tryPut(raw);
    if (r > 0) return this.#afterPut(1);
    if (r < 0) throw shutDown("put");
    await this.#putSlowAsync(this.#own(raw), 0, true, o);
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
   * the same queue, which would wait for itself.
   */
  get(options?: QueueOptions): T {
    const o = queueOptions(options);
    if (this.#noCodec) throw noCodec();
    const x = this.#store.tryGet(this.#decode);
    if (x !== EMPTY) {
      this.#afterGet(1);
      return x as T;
    }
    return this.#getSlow(o) as T;
  }

  /**
   * Returns the next item only if there is one now; same as
   * `get({ block: false })`.
   *
   * Python: `queue.Queue.get_nowait`.
   * @throws {QueueEmptyError} when the queue is empty.
   */
  getNowait(): T {
    return this.get(NONBLOCKING_OPTIONS);
  }

  /**
   * Removes and returns the next item, waiting without blocking the event
   * loop.
   *
   * Python: none (the async twin of `get`; asyncio.Queue.get).
   * @returns a promise that rejects as `get` throws.
   */
  async getAsync(options?: QueueOptions): Promise<T> {
    const o = queueOptions(options);
    if (this.#noCodec) throw noCodec();
    const x = this.#store.tryGet(this.#decode);
    if (x !== EMPTY) {
      this.#afterGet(1);
      return x as T;
    }
    return await this.#getSlowAsync(o) as T;
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
    const o = queueOptions(options);
    const raws = this.#toRaws(items);
    let done = 0;
    while (done < raws.length) {
      try {
        const n = this.#store.tryPutMany(raws, done);
        if (n < 0) throw shutDown("put");
        if (n > 0) {
          done += n;
          this.#afterPut(n);
          continue;
        }
        done += this.#putSlow(raws, done, false, o);
      } catch (error) {
        if (done > 0) return done;
        throw error;
      }
    }
    return done;
  }

  /**
   * Puts the items in order as `putMany` does, waiting for room without
   * blocking the event loop.
   *
   * Python: none (a batched `put`; the async twin of `putMany`).
   * @returns a promise of the number of items put; it rejects as `putMany`
   * throws.
   */
  async putManyAsync(
    items: ArrayLike<T>,
    options?: QueueOptions,
  ): Promise<number> {
    const o = queueOptions(options);
    let raws = this.#toRaws(items);
    let owned = false;
    let done = 0;
    while (done < raws.length) {
      try {
        const n = this.#store.tryPutMany(raws, done);
        if (n < 0) throw shutDown("put");
        if (n > 0) {
          done += n;
          this.#afterPut(n);
          continue;
        }
        if (!owned) raws = this.#own(raws) as ArrayLike<unknown>;
        owned = true;
        done += await this.#putSlowAsync(raws, done, false, o);
      } catch (error) {
        if (done > 0) return done;
        throw error;
      }
    }
    return done;
  }

  /**
   * Removes and returns up to `max` items: waits (unless `block` is false)
   * until there is at least one, then takes what is there, without waiting
   * for more.
   *
   * Python: none (a batched `get`).
   * @param max most items to return (default: the capacity).
   * @throws {QueueEmptyError}, {QueueShutDownError} as `get` does. When a
   * custom codec's decode throws on the first item, it throws that error and
   * takes nothing; on a later item, it returns the items before it. The
   * decode runs while the store is locked and must not call back into the
   * same queue (see `get`).
   */
  getMany(max?: number, options?: QueueOptions): T[] {
    const most = checkMax(max, this.capacity);
    const o = queueOptions(options);
    if (this.#noCodec) throw noCodec();
    const out: unknown[] = [];
    const n = this.#store.tryGetMany(most, out, this.#decode);
    if (n > 0) {
      this.#afterGet(n);
      return out as T[];
    }
    out.push(this.#getSlow(o));
    return this.#getMore(out, most);
  }

  /**
   * Removes and returns up to `max` items as `getMany` does, waiting for the
   * first without blocking the event loop.
   *
   * Python: none (a batched `get`; the async twin of `getMany`).
   * @returns a promise of the items; it rejects as `getMany` throws.
   */
  async getManyAsync(max?: number, options?: QueueOptions): Promise<T[]> {
    const most = checkMax(max, this.capacity);
    const o = queueOptions(options);
    if (this.#noCodec) throw noCodec();
    const out: unknown[] = [];
    const n = this.#store.tryGetMany(most, out, this.#decode);
    if (n > 0) {
      this.#afterGet(n);
      return out as T[];
    }
    out.push(await this.#getSlowAsync(o));
    return this.#getMore(out, most);
  }

  /** After the first item of a getMany: takes what else is there now. */
  #getMore(out: unknown[], most: number): T[] {
    if (most > 1) {
      try {
        const n = this.#store.tryGetMany(most - 1, out, this.#decode);
        if (n > 0) this.#afterGet(n);
      } catch {
        // The failing item stays first; the next get reports it.
      }
    }
    return out as T[];
  }

  /**
   * Items in the queue now (a snapshot: other threads may change it at once).
   *
   * Python: `queue.Queue.qsize`.
   */
  qsize(): number {
    return this.#store.count();
  }

  /** Whether the queue is empty now (a snapshot). Python: `queue.Queue.empty`. */
  empty(): boolean {
    return this.#store.count() === 0;
  }

  /** Whether the queue is full now (a snapshot). Python: `queue.Queue.full`. */
  full(): boolean {
    return this.#store.count() >= this.capacity;
  }

  /**
   * Marks one item taken with `get` as processed, for `join`.
   *
   * Python: `queue.Queue.task_done`.
   * @throws {RuntimeError} when called more times than items were put
   * (Python raises ValueError).
   */
  taskDone(): void {
    const h = this.#h, m = this.#m;
    for (;;) {
      const d = Atomics.load(h, DONE);
      const unfinished = distance(Atomics.load(h, TAIL) & POSITION, d, m);
      if (unfinished <= 0) {
        throw new RuntimeError(
          "Cannot mark task done: taskDone() was called more times than items were put",
        );
      }
      if (Atomics.compareExchange(h, DONE, d, d + 1 === m ? 0 : d + 1) === d) {
        // Why no lost wakeup: DONE changed (above) before JOIN_WAITERS is
        // read; a joiner adds JOIN_WAITERS before it re-reads DONE.
        if (unfinished === 1 && Atomics.load(h, JOIN_WAITERS) > 0) {
          wake(h, ALL_DONE, Infinity);
        }
        return;
      }
    }
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
    const { deadline, signal } = joinOptions(options);
    for (;;) {
      const s = this.#enterJoin();
      if (s === true) return true;
      let outcome: WaitOutcome;
      try {
        outcome = waitSync(this.#h, ALL_DONE, s, deadline, signal);
      } finally {
        Atomics.sub(this.#h, JOIN_WAITERS, 1);
      }
      if (outcome === "timed-out") return this.#unfinished() === 0;
    }
  }

  /**
   * Waits, without blocking the event loop, until every item put has been
   * marked done.
   *
   * Python: none (asyncio.Queue.join).
   * @returns a promise of `true`, or `false` when the timeout passed first.
   */
  async joinAsync(options?: WaitOptions): Promise<boolean> {
    const { deadline, signal } = joinOptions(options);
    for (;;) {
      const s = this.#enterJoin();
      if (s === true) return true;
      let outcome: WaitOutcome;
      try {
        outcome = await waitAsync(this.#h, ALL_DONE, s, deadline, signal);
      } finally {
        Atomics.sub(this.#h, JOIN_WAITERS, 1);
      }
      if (outcome === "timed-out") return this.#unfinished() === 0;
    }
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
    const immediate = options?.immediate ?? false;
    if (typeof immediate !== "boolean") {
      throw new TypeError(
        "Cannot shut down queue: immediate must be a boolean",
      );
    }
    const h = this.#h;
    try {
      // Nothing here waits interruptibly (the store's locks are taken
      // uninterruptibly), so a cancelled thread shuts down too; the finally
      // wakes the sleepers even if something throws anyway.
      this.#store.close(() => {
        if (immediate) Atomics.store(h, SHUTDOWN, IMMEDIATE);
        else Atomics.compareExchange(h, SHUTDOWN, OPEN, SHUT);
      });
      if (immediate) this.#drain();
    } finally {
      // Why no lost wakeup: SHUTDOWN (and CLOSED) are written before the
      // bumps, and every waiter reads them after reading the sequence it
      // waits on.
      wake(h, NOT_EMPTY, Infinity);
      wake(h, NOT_FULL, Infinity);
      wake(h, ALL_DONE, Infinity);
    }
  }

  /** Whether `shutdown()` was called. */
  get isShutdown(): boolean {
    // A ring refuses puts (CLOSED) a moment before SHUTDOWN is published:
    // a put that threw QueueShutDownError already sees true here.
    const h = this.#h;
    return Atomics.load(h, SHUTDOWN) !== OPEN ||
      (Atomics.load(h, TAIL) & CLOSED) !== 0;
  }

  /**
   * Yields items as `getAsync` returns them, until the queue is shut down
   * and empty. Waiting never blocks the event loop.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    let ready = 0;
    if (this.#noCodec) throw noCodec();
    for (;;) {
      let item: T;
      const x = this.#store.tryGet(this.#decode);
      if (x !== EMPTY) {
        this.#afterGet(1);
        item = x as T;
        if (++ready === YIELD_EVERY) {
          ready = 0;
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      } else {
        ready = 0;
        try {
          item = await this.getAsync();
        } catch (error) {
          if (error instanceof QueueShutDownError) return;
          throw error;
        }
      }
      yield item;
    }
  }

  /** Describes the queue for another thread (transfer registry). */
  [TO_DESCRIPTOR](): Descriptor {
    return {
      tag: (this.constructor as unknown as { readonly TAG: string }).TAG,
      buffer: this.#h.buffer as SharedArrayBuffer,
      byteOffset: this.#h.byteOffset,
    };
  }

  // ---- private helpers ----

  #decoder(): Decode | undefined {
    if (this.#info !== undefined) return undefined;
    const codec = this.#codec;
    if (codec !== undefined) return (bytes) => codec.decode(bytes);
    return this.#store instanceof TextRing ? undefined : decodeValue;
  }

  #toRaw(item: T): unknown {
    const info = this.#info;
    if (info !== undefined) {
      if (!info.exact(item)) throw numericError(info, item);
      if (this.#discipline === PRIORITY && item !== item) {
        throw new RangeError(
          "Cannot put NaN in a PriorityQueue: NaN has no order",
        );
      }
      return item;
    }
    const key = this.#discipline === PRIORITY ? priorityOf(item) : 0;
    let bytes: Uint8Array;
    if ((this.#h[FLAGS] & FLAG_CODEC) !== 0) {
      const codec = this.#codec;
      if (codec === undefined) throw noCodec();
      bytes = codec.encode(item);
      if (!(bytes instanceof Uint8Array)) {
        throw new TypeError(
          "Cannot put item in queue: codec.encode must return a Uint8Array",
        );
      }
    } else if (this.#store instanceof TextRing) {
      const raw = new TextItem(encodeText(item), textTagged);
      this.#store.check(raw);
      return raw;
    } else bytes = encodeValue(item);
    const raw = this.#discipline === PRIORITY ? { key, bytes } : bytes;
    this.#store.check(raw);
    return raw;
  }

  #toRaws(items: ArrayLike<T>): ArrayLike<unknown> {
    if (
      items === null || typeof items !== "object" ||
      typeof items.length !== "number"
    ) {
      throw new TypeError("Cannot put items: expected an array or typed array");
    }
    const info = this.#info;
    if (
      info !== undefined && items instanceof info.Array &&
      this.#discipline !== PRIORITY
    ) {
      return items as ArrayLike<unknown>;
    }
    if (this.#store instanceof TextRing) {
      // One Batch: plain JSON texts encoded with one TextEncoder call, so a
      // run of them is one JSON text for the getter.
      let batch: Batch;
      if ((this.#h[FLAGS] & FLAG_CODEC) !== 0) {
        const list = new Array<Uint8Array>(items.length);
        for (let i = 0; i < items.length; i++) {
          list[i] = this.#toRaw(items[i]) as Uint8Array;
        }
        batch = bytesBatch(list);
      } else {
        const texts = new Array<string>(items.length);
        const tagged = new Array<boolean>(items.length);
        for (let i = 0; i < items.length; i++) {
          texts[i] = encodeText(items[i]);
          tagged[i] = textTagged;
        }
        batch = textBatch(texts, tagged);
      }
      this.#store.check(batch);
      return batch as unknown as ArrayLike<unknown>;
    }
    const raws = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      raws[i] = this.#own(this.#toRaw(items[i]));
    }
    return raws;
  }

  /** A raw that stays valid while we wait (encodings live in a scratch buffer). */
  #own(raw: unknown): unknown {
    if (raw instanceof Batch) return raw.own();
    if (raw instanceof TextItem) return raw; // strings are immutable
    if (ArrayBuffer.isView(raw)) return (raw as Uint8Array).slice();
    if (Array.isArray(raw)) return raw; // made by #toRaws: already ours
    if (typeof raw === "object" && raw !== null) {
      const k = raw as Keyed;
      return { key: k.key, bytes: k.bytes.slice() };
    }
    return raw;
  }

  #afterPut(n: number): void {
    const h = this.#h;
    // Why no lost wakeup: see the file header (state, then WAITERS).
    if (Atomics.load(h, GET_WAITERS) > 0) wake(h, NOT_EMPTY, n);
  }

  #afterGet(n: number): void {
    const h = this.#h;
    if (Atomics.load(h, PUT_WAITERS) > 0) {
      wake(h, NOT_FULL, Math.max(n, this.#wakePutters));
    }
  }

  #unfinished(): number {
    // DONE first, then TAIL (as taskDone does). Both only grow (mod M) and
    // DONE <= TAIL at every instant, so with d = DONE at the first load and
    // t = TAIL at the second: DONE(then) <= DONE(now) <= TAIL(now) = t. A 0
    // result (t == d) therefore means DONE == TAIL at the second load: every
    // task was done at that instant. Loading TAIL first could pair an old
    // TAIL with a DONE that counts a child task put in between (a worker
    // puts a child, then marks its parent done) and report 0 while a task
    // was unfinished at every instant.
    const d = Atomics.load(this.#h, DONE);
    const tail = Atomics.load(this.#h, TAIL) & POSITION;
    const u = distance(tail, d, this.#m);
    return u < 0 ? 0 : u;
  }

  /** Discards every queued item; their tasks count as done. */
  #drain(): void {
    const h = this.#h, m = this.#m;
    const sink: unknown[] = [];
    let n = 0;
    // close() ran first: no put is in flight and none can land, so once
    // count() is 0 the store stays empty (getters may take items meanwhile).
    try {
      while (this.#store.count() > 0) {
        n += this.#store.tryGetMany(1024, sink, null);
        sink.length = 0;
      }
    } finally {
      // Credit what was discarded even if a later round threw.
      while (n > 0) {
        const d = Atomics.load(h, DONE);
        const take = Math.min(
          n,
          distance(Atomics.load(h, TAIL) & POSITION, d, m),
        );
        if (take <= 0) break;
        if (Atomics.compareExchange(h, DONE, d, (d + take) % m) === d) break;
      }
      if (n > 0) {
        wake(h, ALL_DONE, Infinity);
        wake(h, NOT_FULL, Infinity);
      }
    }
  }

  /** One put attempt: a single raw, or raws[from...]; the count put, or -1. */
  #attempt(raws: unknown, from: number, single: boolean): number {
    return single
      ? this.#store.tryPut(raws)
      : this.#store.tryPutMany(raws as ArrayLike<unknown>, from);
  }

  /** Waits for room and puts; returns how many went in (at least 1). */
  #putSlow(raws: unknown, from: number, single: boolean, o: Acquire): number {
    if (o.blocking) {
      for (let i = 0; i < SPIN; i++) {
        const r = this.#attempt(raws, from, single);
        if (r > 0) {
          this.#afterPut(r);
          return r;
        }
        if (r < 0) throw shutDown("put");
      }
    }
    for (;;) {
      const s = this.#enterPut(raws, from, single, o);
      if (s === null) return this.#put;
      let outcome: WaitOutcome;
      try {
        outcome = waitSync(this.#h, NOT_FULL, s, o.deadline, o.signal);
      } catch (error) {
        this.#abandon(PUT_WAITERS);
        throw error;
      }
      const n = this.#leavePut(raws, from, single, outcome);
      if (n > 0) return n;
    }
  }

  async #putSlowAsync(
    raws: unknown,
    from: number,
    single: boolean,
    o: Acquire,
  ): Promise<number> {
    for (;;) {
      const s = this.#enterPut(raws, from, single, o);
      if (s === null) return this.#put;
      const outcome = await this.#waitAsync(PUT_WAITERS, NOT_FULL, s, o);
      const n = this.#leavePut(raws, from, single, outcome);
      if (n > 0) return n;
    }
  }

  /** Items the last #enterPut put instead of registering. */
  #put = 0;

  /** Registers as a waiting putter; null when items went in instead. */
  #enterPut(
    raws: unknown,
    from: number,
    single: boolean,
    o: Acquire,
  ): number | null {
    const h = this.#h;
    if (!o.blocking) throw new QueueFullError();
    Atomics.add(h, PUT_WAITERS, 1);
    const s = Atomics.load(h, NOT_FULL);
    // The attempt reads the shutdown state (TAIL's CLOSED bit, or SHUTDOWN
    // under the lock) after s: a shutdown after that read bumps NOT_FULL.
    let r: number;
    try {
      r = this.#attempt(raws, from, single);
    } catch (error) {
      this.#abandon(PUT_WAITERS);
      throw error;
    }
    if (r < 0) {
      this.#abandon(PUT_WAITERS);
      throw shutDown("put");
    }
    if (r === 0) return s;
    Atomics.sub(h, PUT_WAITERS, 1);
    this.#afterPut(r);
    this.#put = r;
    return null;
  }

  /** Leaves the putter wait; the count put, or 0 to wait again. */
  #leavePut(
    raws: unknown,
    from: number,
    single: boolean,
    outcome: WaitOutcome,
  ): number {
    const h = this.#h;
    Atomics.sub(h, PUT_WAITERS, 1);
    let r: number;
    try {
      r = this.#attempt(raws, from, single);
    } catch (error) {
      this.#passOn(PUT_WAITERS); // we may hold a notify meant for this room
      throw error;
    }
    if (r < 0) throw shutDown("put");
    if (r > 0) {
      this.#afterPut(r);
      return r;
    }
    if (outcome === "timed-out") {
      throw new QueueFullError(
        "Cannot put item: the queue stayed full until the timeout",
      );
    }
    return 0;
  }

  /** Waits for an item and takes it (decoded). */
  #getSlow(o: Acquire): unknown {
    if (o.blocking) {
      for (let i = 0; i < SPIN; i++) {
        const x = this.#store.tryGet(this.#decode);
        if (x !== EMPTY) return this.#took(x).x;
      }
    }
    for (;;) {
      const s = this.#enterGet(o);
      if (typeof s !== "number") return s.x;
      let outcome: WaitOutcome;
      try {
        outcome = waitSync(this.#h, NOT_EMPTY, s, o.deadline, o.signal);
      } catch (error) {
        this.#abandon(GET_WAITERS);
        throw error;
      }
      const got = this.#leaveGet(outcome);
      if (got !== EMPTY) return got;
    }
  }

  async #getSlowAsync(o: Acquire): Promise<unknown> {
    for (;;) {
      const s = this.#enterGet(o);
      if (typeof s !== "number") return s.x;
      const outcome = await this.#waitAsync(GET_WAITERS, NOT_EMPTY, s, o);
      const got = this.#leaveGet(outcome);
      if (got !== EMPTY) return got;
    }
  }

  /** Registers as a waiting getter; returns the item instead if one came. */
  #enterGet(o: Acquire): number | { x: unknown } {
    const h = this.#h;
    if (Atomics.load(h, SHUTDOWN) !== OPEN) return this.#lastGet();
    if (!o.blocking) throw new QueueEmptyError();
    Atomics.add(h, GET_WAITERS, 1);
    const s = Atomics.load(h, NOT_EMPTY);
    let x: unknown;
    try {
      x = this.#store.tryGet(this.#decode);
    } catch (error) {
      this.#abandon(GET_WAITERS);
      throw error;
    }
    if (x === EMPTY && Atomics.load(h, SHUTDOWN) === OPEN) return s;
    Atomics.sub(h, GET_WAITERS, 1);
    // Shut down: the try above came before that read, so look once more.
    if (x === EMPTY) return this.#lastGet();
    return this.#took(x);
  }

  /**
   * The get of a caller that read SHUTDOWN != OPEN (before calling): the
   * item, or QueueShutDownError. Why an EMPTY here is final: SHUTDOWN is
   * published only after the store refuses puts and the last put in flight
   * landed (Store.close), and this try reads the store after that read, so
   * it sees every item that will ever be put.
   */
  #lastGet(): { x: unknown } {
    const x = this.#store.tryGet(this.#decode);
    if (x !== EMPTY) return this.#took(x);
    throw shutDown("get");
  }

  #took(x: unknown): { x: unknown } {
    this.#afterGet(1);
    return { x };
  }

  /** Leaves the getter wait; returns an item or EMPTY to wait again. */
  #leaveGet(outcome: WaitOutcome): unknown {
    const h = this.#h;
    Atomics.sub(h, GET_WAITERS, 1);
    let x: unknown;
    try {
      x = this.#store.tryGet(this.#decode);
      // Shut down: the try above came before that read, so look once more.
      if (x === EMPTY && Atomics.load(h, SHUTDOWN) !== OPEN) {
        return this.#lastGet().x;
      }
    } catch (error) {
      this.#passOn(GET_WAITERS); // we may hold a notify(1) meant for this item
      throw error;
    }
    if (x !== EMPTY) {
      this.#afterGet(1);
      return x;
    }
    if (outcome === "timed-out") {
      throw new QueueEmptyError(
        "Cannot get item: the queue stayed empty until the timeout",
      );
    }
    return EMPTY;
  }

  /** A waiter leaves by an exception: unregister and pass the baton on. */
  #abandon(waiters: number): void {
    Atomics.sub(this.#h, waiters, 1);
    this.#passOn(waiters);
  }

  /**
   * A notify(1) may have chosen us; if what we waited for is there and
   * others wait, wake one of them in our place.
   */
  #passOn(waiters: number): void {
    const h = this.#h;
    if (Atomics.load(h, waiters) === 0) return;
    if (waiters === GET_WAITERS) {
      if (this.#store.count() > 0) wake(h, NOT_EMPTY, 1);
    } else if (this.#store.count() < this.capacity) wake(h, NOT_FULL, 1);
  }

  async #waitAsync(
    waiters: number,
    seq: number,
    s: number,
    o: Acquire,
  ): Promise<WaitOutcome> {
    try {
      return await waitAsync(this.#h, seq, s, o.deadline, o.signal);
    } catch (error) {
      this.#abandon(waiters);
      throw error;
    }
  }

  /** Registers as a joiner; true when nothing is unfinished. */
  #enterJoin(): number | true {
    const h = this.#h;
    if (this.#unfinished() === 0) return true;
    Atomics.add(h, JOIN_WAITERS, 1);
    const s = Atomics.load(h, ALL_DONE);
    if (this.#unfinished() !== 0) return s;
    Atomics.sub(h, JOIN_WAITERS, 1);
    return true;
  }

  /** @internal Revives a queue of class `cls` over a descriptor's memory. */
  static revive<Q>(
    cls: abstract new (init: never) => Q,
    discipline: number,
    d: Descriptor,
  ): Q {
    checkRegion("queue", d.buffer, d.byteOffset, HEADER_BYTES, 8);
    const h = new Int32Array(d.buffer, d.byteOffset, HEADER_WORDS);
    const kind = Atomics.load(h, KIND);
    if ((kind & ~0xffff) !== MAGIC || ((kind >> 4) & 0xf) !== discipline) {
      throw new TypeError(
        "Cannot revive queue: the memory does not hold a queue of this class",
      );
    }
    checkRegion("queue", d.buffer, d.byteOffset, totalBytes(discipline, h), 8);
    adopting = d;
    return new (cls as unknown as new () => Q)();
  }
}

const NONBLOCKING_OPTIONS: QueueOptions = { block: false };

function wake(h: Int32Array, seq: number, n: number): void {
  Atomics.add(h, seq, 1);
  Atomics.notify(h, seq, n);
}

function shutDown(what: "put" | "get"): QueueShutDownError {
  return new QueueShutDownError(
    what === "put"
      ? "Cannot put item: the queue is shut down"
      : "Cannot get item: the queue is shut down and empty",
  );
}

function noCodec(): TypeError {
  return new TypeError(
    "Cannot use queue: it was created with a custom codec, which cannot travel between threads; call queue.withCodec(codec) in this thread first",
  );
}

function checkCodec(codec: Codec<unknown>): void {
  if (
    typeof codec?.encode !== "function" || typeof codec?.decode !== "function"
  ) {
    throw new TypeError(
      "Cannot use codec: it needs encode(value) and decode(bytes) functions",
    );
  }
}

function queueOptions(options: QueueOptions | undefined): Acquire {
  if (options === undefined) return DEFAULT_OPTIONS;
  const { block = true, timeout, signal } = options;
  return blockingOptions("wait", "block", block, timeout, signal);
}

// join()'s options: an already aborted signal throws at the call.
function joinOptions(options: WaitOptions | undefined): Wait {
  const wait = waitOptions(options);
  if (wait.signal?.aborted) throw wait.signal.reason;
  return wait;
}

function checkMax(max: number | undefined, capacity: number): number {
  if (max === undefined) return capacity;
  if (typeof max !== "number" || !Number.isInteger(max) || max < 1) {
    throw new RangeError(
      `Cannot get items: max must be a positive integer, got ${String(max)}`,
    );
  }
  return max;
}

function priorityOf(item: unknown): number {
  const key = typeof item === "number"
    ? item
    : Array.isArray(item)
    ? item[0]
    : undefined;
  if (typeof key !== "number") {
    throw new TypeError(
      "Cannot put item in PriorityQueue: items must be numbers or [priority, ...] arrays with a number first",
    );
  }
  if (key !== key) {
    throw new RangeError(
      "Cannot put item in PriorityQueue: NaN priority has no order",
    );
  }
  return key;
}

interface Shape {
  readonly code: number;
  readonly capacity: number;
  readonly bytes: number;
  readonly total: number;
}

function checkInit(
  discipline: number,
  init: QueueInit<unknown> | undefined,
): Shape {
  if (typeof init !== "object" || init === null) {
    throw new TypeError(
      "Cannot create queue: options with a capacity are required",
    );
  }
  const { capacity, type = "structured", bytes, codec } = init;
  if (
    typeof capacity !== "number" || !Number.isInteger(capacity) ||
    capacity < 1 || capacity > MAX_CAPACITY
  ) {
    throw new RangeError(
      `Cannot create queue: capacity must be an integer from 1 to ${MAX_CAPACITY}, got ${
        String(capacity)
      }`,
    );
  }
  const info = type === "structured" ? undefined : numericInfo(type);
  if (
    type !== "structured" && (info === undefined || typeof type !== "string")
  ) {
    throw new TypeError(
      `Cannot create queue: unknown element type "${String(type)}"`,
    );
  }
  if (info !== undefined && (bytes !== undefined || codec !== undefined)) {
    throw new TypeError(
      `Cannot create queue: "bytes" and "codec" apply to structured queues, not ${type}`,
    );
  }
  let size = 0;
  if (info === undefined) {
    size = bytes ??
      Math.max(64 * 1024, Math.min(capacity * 256, 64 * 1024 * 1024));
    if (
      typeof size !== "number" || !Number.isInteger(size) || size < 16 ||
      size > MAX_BYTES
    ) {
      throw new RangeError(
        `Cannot create queue: bytes must be an integer from 16 to ${MAX_BYTES}, got ${
          String(size)
        }`,
      );
    }
    size = align8(size);
    if (discipline === PRIORITY && ByteHeap.slotBytes(capacity, size) < 8) {
      throw new RangeError(
        `Cannot create queue: bytes (${size}) leave less than 8 bytes per item for capacity ${capacity}`,
      );
    }
  }
  const code = info?.code ?? STRUCTURED;
  const shape = { code, capacity, bytes: size, total: 0 };
  return {
    ...shape,
    total: HEADER_BYTES + align8(storeBytes(discipline, info, capacity, size)),
  };
}

function storeBytes(
  discipline: number,
  info: NumericInfo | undefined,
  capacity: number,
  bytes: number,
): number {
  if (info !== undefined) {
    return discipline === FIFO
      ? ringBytes(info, capacity)
      : capacity * info.Array.BYTES_PER_ELEMENT;
  }
  if (discipline === FIFO) return textBytes(capacity, bytes);
  return discipline === PRIORITY ? ByteHeap.bytes(capacity, bytes) : bytes;
}

function totalBytes(discipline: number, h: Int32Array): number {
  const info = numericInfo(Atomics.load(h, KIND) & 15);
  return HEADER_BYTES +
    align8(
      storeBytes(
        discipline,
        info,
        Atomics.load(h, CAPACITY),
        Atomics.load(h, BYTES),
      ),
    );
}

/** Bytes a queue with these options occupies when placed in a caller's buffer. */
export function queueByteLength(
  discipline: number,
  init: QueueInit<unknown>,
): number {
  return checkInit(discipline, init).total;
}

function makeStore(
  discipline: number,
  info: NumericInfo | undefined,
  h: Int32Array,
): Store {
  if (info !== undefined) {
    if (discipline === FIFO) return new Ring(h, info);
    if (discipline === LIFO) return new NumStack(h, info);
    return new NumHeap(h, info);
  }
  if (discipline === FIFO) return new TextRing(h);
  if (discipline === LIFO) return new ByteStack(h);
  return new ByteHeap(h);
}

export { FIFO, LIFO, PRIORITY };
