// Copyright 2026 the threadkit authors. MIT license.
// The unbounded FIFO queue: what `new Queue()` returns when no capacity is
// given (Python's `Queue()`, `maxsize <= 0`). The same API as a bounded
// Queue over a chain of bounded segments, heap blocks (_chain.ts: segment
// states, why no wakeup is lost; _chain_memory.ts: layout, where it lives,
// when segments are freed). This file
// moves each call to the right segment: puts go to the newest (grown when
// full or when the item is too large for its byte region, waiting only at
// the maximum), gets to the oldest that may hold items (waiting only in the
// newest).
// Async forms grow with growAsync, so they never block.

import { RuntimeError } from "../_core/errors.ts";
import { defineInspect } from "../_core/inspect.ts";
import {
  type Descriptor,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import type { WaitOptions } from "../_core/wait.ts";
import type { Codec } from "./_codec.ts";
import type { Region } from "../_core/placement.ts";
import { Chain, type Segment, type UnboundedInit } from "./_chain.ts";
import { canGrow, checkChain, FRONT, TASKS } from "./_chain_memory.ts";
import { type QueueOptions, type ShutdownOptions, stateOf } from "./_core.ts";
import {
  checkMax,
  NOWAIT as NO_TRY_WAIT,
  queueOptions,
  refuseSides,
} from "./_init.ts";
import type { ElementType, NumericArray } from "./_layout.ts";
import { awaitRegionDecode, awaitRegionDecodeAsync } from "./_decoding.ts";
import { isBusy } from "./_state.ts";
import {
  deadlineOf,
  NOWAIT,
  nowaitOf,
  putMany,
  putManyAsync,
  putOne,
  putOneAsync,
  remaining,
  stuck,
} from "./_unbounded_put.ts";
import { QueueEmptyError, QueueShutDownError } from "./errors.ts";

export type { UnboundedInit } from "./_chain.ts";

const TAG = "threadkit.Queue.unbounded";

// deno-lint-ignore no-explicit-any
type AnyQueue = UnboundedQueue<any>;

let adopting: Region | undefined;

/** An unbounded FIFO queue: the same API as Queue (see queue/bounded.ts). */
export class UnboundedQueue<T> implements AsyncIterable<T> {
  readonly #c: Chain<T>;

  constructor(init: UnboundedInit<T> | undefined) {
    const revived = adopting;
    adopting = undefined;
    refuseSides(init); // Queue without a capacity, and SimpleQueue
    this.#c = new Chain(init, revived);
  }

  /** 0: unbounded (Python's `maxsize`). */
  get capacity(): number {
    return 0;
  }

  /** Most items the newest segment may hold: the stated maximum. */
  get maxCapacity(): number {
    return this.#c.max;
  }

  get type(): ElementType {
    return this.#c.type;
  }

  get region(): {
    readonly buffer: SharedArrayBuffer;
    readonly byteOffset: number;
  } {
    return { buffer: this.#c.buffer, byteOffset: this.#c.base };
  }

  withCodec(codec: Codec<T>): this {
    this.#c.withCodec(codec);
    return this;
  }

  put(item: T, options?: QueueOptions): void {
    // Fast path: a numeric item with room in the newest segment (a full or
    // retired one refuses it, and putOne sorts it out; nothing was put). A
    // structured item goes to putOne, which encodes it once and takes its
    // references with no call before its releasing handler.
    if (options === undefined) {
      const st = stateOf(this.#c.segment(this.#c.last())), ring = st.ring;
      if (
        ring !== undefined && st.info!.exact(item) &&
        ring.tryPut(item, NO_TRY_WAIT) > 0
      ) return;
    }
    putOne(this.#c, item, options);
  }

  putNowait(item: T): void {
    putOne(this.#c, item, NOWAIT);
  }

  putAsync(item: T, options?: QueueOptions): Promise<void> {
    return putOneAsync(this.#c, item, options);
  }

  putMany(items: ArrayLike<T>, options?: QueueOptions): number {
    return putMany(this.#c, items, options);
  }

  putManyAsync(items: ArrayLike<T>, options?: QueueOptions): Promise<number> {
    return putManyAsync(this.#c, items, options);
  }

  get(options?: QueueOptions): T {
    // Fast path: FRONT is the newest segment and the call waits forever (no
    // deadline to carry over); a retirement while waiting throws
    // QueueShutDownError with nothing taken, and the loop moves on.
    const c = this.#c;
    const s = Atomics.load(c.h, FRONT);
    if (options === undefined && s === c.last()) {
      try {
        return c.segment(s).get();
      } catch (error) {
        if (!(error instanceof QueueShutDownError)) throw error;
      }
    }
    return this.#getLoop((q, o) => q.get(o), options);
  }

  getNowait(): T {
    return this.#getLoop((q, o) => q.get(o), { block: false });
  }

  getAsync(options?: QueueOptions): Promise<T> {
    return this.#getLoopAsync((q, o) => q.getAsync(o), options);
  }

  getMany(max?: number, options?: QueueOptions): T[] {
    const most = checkMax(max, MOST);
    let from = 0;
    const out = this.#getLoop((q, o, s) => {
      from = s;
      return q.getMany(most, o);
    }, options);
    return this.#topUpMany(from, out, most);
  }

  async getManyAsync(max?: number, options?: QueueOptions): Promise<T[]> {
    const most = checkMax(max, MOST);
    let from = 0;
    const out = await this.#getLoopAsync((q, o, s) => {
      from = s;
      return q.getManyAsync(most, o);
    }, options);
    return this.#topUpMany(from, out, most);
  }

  getManyInto(target: NumericArray, options?: QueueOptions): number {
    let from = 0;
    const n = this.#getLoop((q, o, s) => {
      from = s;
      return q.getManyInto(target, o);
    }, options);
    return this.#topUpInto(from, target, n);
  }

  async getManyIntoAsync(
    target: NumericArray,
    options?: QueueOptions,
  ): Promise<number> {
    let from = 0;
    const n = await this.#getLoopAsync((q, o, s) => {
      from = s;
      return q.getManyIntoAsync(target, o);
    }, options);
    return this.#topUpInto(from, target, n);
  }

  #topUpMany(from: number, out: T[], most: number): T[] {
    if (out.length < most) {
      this.#topUp(from, (q) => {
        for (const x of q.getMany(most - out.length, NOWAIT)) out.push(x);
        return out.length < most;
      });
    }
    return out;
  }

  #topUpInto(from: number, target: NumericArray, n: number): number {
    if (n < target.length) {
      this.#topUp(from, (q) => {
        n += q.getManyInto(target.subarray(n), NOWAIT);
        return n < target.length;
      });
    }
    return n;
  }

  // A batch stops at the end of its segment (`from`): `take(q)` takes what
  // segment q holds now into the batch, without waiting, and says whether
  // the batch has room left. FIFO across segments: every item of s was put
  // before any of s + 1, so the batch leaves a segment only when that
  // segment says it is retired and empty (its take throws
  // QueueShutDownError; FRONT then moves past it); it stops at any other
  // error (its items are taken already and must reach the caller, as in a
  // Queue's getMany (Store.tryGetMany): the failing item stays first and
  // the next get throws) and when an open segment is empty (QueueEmptyError).
  // The first take may have come up short without emptying `from` (a
  // decode that failed, or items put into `from` since, before a grow), so
  // the walk starts at `from` itself. Nothing to do when `from` is the
  // newest segment: no item of a newer one can overtake it.
  #topUp(from: number, take: (q: Segment<T>) => boolean): void {
    const c = this.#c;
    if (from >= c.last()) return;
    for (let s = from;;) {
      try {
        if (!take(c.segment(s))) return;
      } catch (error) {
        if (!(error instanceof QueueShutDownError)) return;
        c.moveFront(s);
        if (++s > c.last()) return;
      }
    }
  }

  qsize(): number {
    let n = 0;
    const last = this.#c.last();
    for (let s = Atomics.load(this.#c.h, FRONT); s <= last; s++) {
      n += this.#c.segment(s).qsize();
    }
    return n;
  }

  empty(): boolean {
    return this.qsize() === 0;
  }

  /**
   * Whether a put would wait now (Python: "a put would block"; a snapshot):
   * the newest segment is full and cannot grow, at the maximum or (in the
   * heap) with no segment slot left or no block the heap would give for the
   * next segment now (canGrow, _chain_memory.ts).
   */
  full(): boolean {
    const c = this.#c, s = c.last(), q = c.segment(s);
    return q.full() && !canGrow(c.heap, c.type, s, q.capacity, c.max);
  }

  taskDone(): void {
    const h = this.#c.h;
    for (let s = Atomics.load(h, TASKS);; s++) {
      const last = this.#c.last();
      try {
        return this.#c.segment(s).taskDone();
      } catch (error) {
        if (!(error instanceof RuntimeError) || s >= last) throw error;
        // Segment s is retired and all its tasks are done: move TASKS on.
        Atomics.compareExchange(h, TASKS, s, s + 1);
      }
    }
  }

  join(options?: WaitOptions): boolean {
    const deadline = deadlineOf(options);
    for (let s = Atomics.load(this.#c.h, TASKS);; s++) {
      if (!this.#c.segment(s).join(remaining(options, deadline))) return false;
      if (s >= this.#c.last()) return true;
    }
  }

  async joinAsync(options?: WaitOptions): Promise<boolean> {
    const deadline = deadlineOf(options);
    for (let s = Atomics.load(this.#c.h, TASKS);; s++) {
      const ok = await this.#c.segment(s).joinAsync(
        remaining(options, deadline),
      );
      if (!ok) return false;
      if (s >= this.#c.last()) return true;
    }
  }

  shutdown(options?: ShutdownOptions): void {
    const immediate = options?.immediate ?? false;
    if (typeof immediate !== "boolean") {
      throw new TypeError(
        "Cannot shut down queue: immediate must be a boolean",
      );
    }
    this.#c.shutdown(immediate);
  }

  get isShutdown(): boolean {
    return this.#c.isShutdown;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.getAsync();
      } catch (error) {
        if (error instanceof QueueShutDownError) return;
        throw error;
      }
      yield item;
    }
  }

  /** @ignore Describes the queue for another thread (transfer registry). */
  [TO_DESCRIPTOR](): Descriptor {
    return { tag: TAG, buffer: this.#c.buffer, byteOffset: this.#c.base };
  }

  // The get side: take from FRONT; a retired FRONT that is empty moves
  // FRONT on; waiting happens inside the newest segment, whose retirement
  // (a grow) wakes the waiters, who then move on.
  #getLoop<R>(
    attempt: (q: Segment<T>, o: QueueOptions | undefined, s: number) => R,
    options: QueueOptions | undefined,
  ): R {
    const o = queueOptions(options);
    const deadline = deadlineOf(options);
    for (;;) {
      const s = Atomics.load(this.#c.h, FRONT);
      const q = this.#c.segment(s);
      const last = s >= this.#c.last();
      try {
        // NOWAIT on an older (retired) segment: its turn is waited for in
        // 1 ms naps (acquireHead). Sleeping there with the call's own wait
        // until a release woke it was measured slower for a crowd: 16
        // getters asleep on a drained segment's HEAD left it 1.7-2.7x
        // later than napping ones (6 processes, load 13-42), even with a
        // drained release waking them all (_head.ts).
        return attempt(q, last ? remaining(options, deadline) : NOWAIT, s);
      } catch (error) {
        if (error instanceof QueueEmptyError && !last) {
          // Another thread decodes the segment's next item: what comes next
          // depends on that decode, so wait for it (as a Queue's get does).
          if (isBusy(error)) {
            if (!o.blocking || performance.now() >= deadline) throw error;
            awaitRegionDecode(q.region, deadline);
          }
          continue; // re-check
        }
        if (!(error instanceof QueueShutDownError)) throw error;
        if (!this.#c.moveFront(s)) {
          if (this.isShutdown) throw error;
          this.#c.awaitGrow(s, o);
          if (stuck(this.#c, s, o)) throw new QueueEmptyError();
        }
      }
    }
  }

  async #getLoopAsync<R>(
    attempt: (
      q: Segment<T>,
      o: QueueOptions | undefined,
      s: number,
    ) => Promise<R>,
    options: QueueOptions | undefined,
  ): Promise<R> {
    const o = queueOptions(options);
    const deadline = deadlineOf(options);
    for (;;) {
      const s = Atomics.load(this.#c.h, FRONT);
      const q = this.#c.segment(s);
      const last = s >= this.#c.last();
      try {
        // NOWAIT on an older segment: behind a held HEAD the segment's
        // getAsync({ block: false }) waits IDLE_GRACE ms at most for it,
        // off the event loop (_held_turn.ts retryHeld), as on any queue.
        return await attempt(
          q,
          last ? remaining(options, deadline) : nowaitOf(o),
          s,
        );
      } catch (error) {
        if (error instanceof QueueEmptyError && !last) {
          if (isBusy(error)) { // as in #getLoop
            if (!o.blocking || performance.now() >= deadline) throw error;
            await awaitRegionDecodeAsync(q.region, deadline, o.signal);
          }
          continue;
        }
        if (!(error instanceof QueueShutDownError)) throw error;
        if (!this.#c.moveFront(s)) {
          if (this.isShutdown) throw error;
          await this.#c.awaitGrowAsync(s, o);
          if (stuck(this.#c, s, o)) throw new QueueEmptyError();
        }
      }
    }
  }

  /**
   * @ignore Revives an unbounded queue over a chain header another thread
   * made (checked: a TypeError or RangeError for anything else).
   */
  static revive<T>(region: Region): UnboundedQueue<T> {
    checkChain(region.buffer, region.byteOffset);
    adopting = { buffer: region.buffer, byteOffset: region.byteOffset };
    return new UnboundedQueue<T>(undefined);
  }
}

/** getMany's default max: everything there (a segment's batch limit). */
const MOST = 2 ** 26;

defineInspect(UnboundedQueue as { prototype: AnyQueue }, (q) => ({
  type: q.type,
  capacity: 0,
  maxCapacity: q.maxCapacity,
  size: q.qsize(),
}), "Queue");

registerTransfer(TAG, (d) => UnboundedQueue.revive(d));
