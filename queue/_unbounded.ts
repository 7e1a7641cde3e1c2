// Copyright 2026 the threadkit authors. MIT license.
// The unbounded FIFO queue: what `new Queue()` returns when no capacity is
// given (Python's `Queue()`, `maxsize <= 0`). The same API as a bounded
// Queue over a chain of bounded segments, heap blocks (_chain.ts: segment
// states, why no wakeup is lost; _chain_memory.ts: layout, where it lives,
// when segments are freed). This file
// moves each call to the right segment: puts go to the newest (grown when
// full or when the item is too large for its byte region, waiting only at
// the maximum), gets to the oldest that may hold items (waiting only in the
// newest). Async forms grow with growAsync, so they never block.

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
import {
  Chain,
  checkChain,
  FRONT,
  type Segment,
  TASKS,
  type UnboundedInit,
} from "./_chain.ts";
import type { QueueOptions, ShutdownOptions } from "./_core.ts";
import { checkMax, queueOptions } from "./_init.ts";
import type { ElementType } from "./_layout.ts";
import { awaitRegionDecode, awaitRegionDecodeAsync } from "./_decoding.ts";
import { isBusy } from "./_state.ts";
import {
  afterPutError,
  isFullOrShut,
  STOP,
  stuck,
  WAIT,
} from "./_unbounded_put.ts";
import {
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
} from "./errors.ts";

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
    // Fast path: room in the newest segment (a full or retired one throws,
    // and the loop below sorts it out; nothing was put then).
    if (options === undefined) {
      const q = this.#c.segment(this.#c.last());
      if (q.capacity < this.#c.max) {
        try {
          return q.putNowait(item);
        } catch (error) {
          if (!isFullOrShut(error)) throw error;
        }
      }
    }
    this.#putLoop((q, o) => q.put(item, o), options);
  }

  putNowait(item: T): void {
    this.#putLoop((q, o) => q.put(item, o), { block: false });
  }

  putAsync(item: T, options?: QueueOptions): Promise<void> {
    return this.#putLoopAsync((q, o) => q.putAsync(item, o), options);
  }

  putMany(items: ArrayLike<T>, options?: QueueOptions): number {
    queueOptions(options); // validates before anything is put
    const deadline = deadlineOf(options);
    let done = 0, blocked = -1;
    for (;;) {
      const s = this.#c.last();
      const q = this.#c.segment(s);
      const atMax = q.capacity >= this.#c.max || blocked === s;
      let need = 0;
      try {
        done += q.putMany(
          done === 0 ? items : slice(items, done),
          atMax ? remaining(options, deadline) : NOWAIT,
        );
        if (done === items.length || atMax) return done;
      } catch (error) {
        need = afterPutError(error, atMax, this.isShutdown, done);
        if (need === STOP) return done;
      }
      try {
        if (need === WAIT) this.#c.awaitGrow(s);
        // Full or too large: grow, put the rest (or wait in s: it cannot).
        else if (!this.#c.grow(s, need)) blocked = s;
      } catch (error) {
        if (done > 0) return done; // the buffer could not grow
        throw error;
      }
    }
  }

  async putManyAsync(
    items: ArrayLike<T>,
    options?: QueueOptions,
  ): Promise<number> {
    queueOptions(options);
    const deadline = deadlineOf(options);
    let done = 0, blocked = -1;
    for (;;) {
      const s = this.#c.last();
      const q = this.#c.segment(s);
      const atMax = q.capacity >= this.#c.max || blocked === s;
      let need = 0;
      try {
        done += await q.putManyAsync(
          done === 0 ? items : slice(items, done),
          atMax ? remaining(options, deadline) : NOWAIT,
        );
        if (done === items.length || atMax) return done;
      } catch (error) {
        need = afterPutError(error, atMax, this.isShutdown, done);
        if (need === STOP) return done;
      }
      try {
        if (need === WAIT) await this.#c.awaitGrowAsync(s);
        else if (!(await this.#c.growAsync(s, need))) blocked = s;
      } catch (error) {
        if (done > 0) return done;
        throw error;
      }
    }
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
    const out = this.#getLoop((q, o) => q.getMany(most, o), options);
    return this.#topUp(out, most);
  }

  async getManyAsync(max?: number, options?: QueueOptions): Promise<T[]> {
    const most = checkMax(max, MOST);
    const out = await this.#getLoopAsync(
      (q, o) => q.getManyAsync(most, o),
      options,
    );
    return this.#topUp(out, most);
  }

  // A batch stops at its segment's end: take what newer segments hold too,
  // without waiting, up to `most`.
  #topUp(out: T[], most: number): T[] {
    while (out.length < most) {
      let more: T[];
      try {
        more = this.#getLoop(
          (q) => q.getMany(most - out.length, NOWAIT),
          NOWAIT,
        );
      } catch (error) {
        if (
          error instanceof QueueEmptyError ||
          error instanceof QueueShutDownError
        ) break;
        throw error;
      }
      for (const x of more) out.push(x);
    }
    return out;
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

  /** Full only at the maximum: the newest segment is full and may not grow. */
  full(): boolean {
    const q = this.#c.segment(this.#c.last());
    return q.capacity === this.#c.max && q.full();
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

  // The put side: try the newest segment without waiting; when it is full,
  // grow and try the new one; at the maximum, wait in the newest segment as
  // a bounded queue would. A retired segment (QueueShutDownError while the
  // chain is open) sends the caller to the next.
  #putLoop(
    attempt: (q: Segment<T>, o: QueueOptions | undefined) => void,
    options: QueueOptions | undefined,
  ): void {
    const o = queueOptions(options); // validates, even when no wait is needed
    const deadline = deadlineOf(options);
    let blocked = -1; // a segment that cannot grow now: wait in it
    for (;;) {
      const s = this.#c.last();
      const q = this.#c.segment(s);
      const atMax = q.capacity >= this.#c.max || blocked === s;
      try {
        return attempt(q, atMax ? remaining(options, deadline) : NOWAIT);
      } catch (error) {
        const need = afterPutError(error, atMax, this.isShutdown, 0);
        if (need !== WAIT) {
          if (!this.#c.grow(s, need)) blocked = s;
        } else {
          this.#c.awaitGrow(s);
          if (stuck(this.#c, s, o)) throw new QueueFullError();
        }
      }
    }
  }

  async #putLoopAsync(
    attempt: (q: Segment<T>, o: QueueOptions | undefined) => Promise<void>,
    options: QueueOptions | undefined,
  ): Promise<void> {
    const o = queueOptions(options);
    const deadline = deadlineOf(options);
    let blocked = -1;
    for (;;) {
      const s = this.#c.last();
      const q = this.#c.segment(s);
      const atMax = q.capacity >= this.#c.max || blocked === s;
      try {
        return await attempt(q, atMax ? remaining(options, deadline) : NOWAIT);
      } catch (error) {
        const need = afterPutError(error, atMax, this.isShutdown, 0);
        if (need !== WAIT) {
          if (!(await this.#c.growAsync(s, need))) blocked = s;
        } else {
          await this.#c.awaitGrowAsync(s);
          if (stuck(this.#c, s, o)) throw new QueueFullError();
        }
      }
    }
  }

  // The get side: take from FRONT; a retired FRONT that is empty moves
  // FRONT on; waiting happens inside the newest segment, whose retirement
  // (a grow) wakes the waiters, who then move on.
  #getLoop<R>(
    attempt: (q: Segment<T>, o: QueueOptions | undefined) => R,
    options: QueueOptions | undefined,
  ): R {
    const o = queueOptions(options);
    const deadline = deadlineOf(options);
    for (;;) {
      const s = Atomics.load(this.#c.h, FRONT);
      const q = this.#c.segment(s);
      const last = s >= this.#c.last();
      try {
        return attempt(q, last ? remaining(options, deadline) : NOWAIT);
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
          this.#c.awaitGrow(s);
          if (stuck(this.#c, s, o)) throw new QueueEmptyError();
        }
      }
    }
  }

  async #getLoopAsync<R>(
    attempt: (q: Segment<T>, o: QueueOptions | undefined) => Promise<R>,
    options: QueueOptions | undefined,
  ): Promise<R> {
    const o = queueOptions(options);
    const deadline = deadlineOf(options);
    for (;;) {
      const s = Atomics.load(this.#c.h, FRONT);
      const q = this.#c.segment(s);
      const last = s >= this.#c.last();
      try {
        return await attempt(q, last ? remaining(options, deadline) : NOWAIT);
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
          await this.#c.awaitGrowAsync(s);
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

const NOWAIT: QueueOptions = { block: false };

/** getMany's default max: everything there (a segment's batch limit). */
const MOST = 2 ** 26;

function slice<T>(items: ArrayLike<T>, from: number): T[] {
  return Array.prototype.slice.call(items, from) as T[];
}

function deadlineOf(options: WaitOptions | undefined): number {
  const t = options?.timeout;
  return typeof t === "number" && t >= 0 ? performance.now() + t : Infinity;
}

// The caller's options with the time left; the segment validates them.
function remaining<O extends WaitOptions>(
  options: O | undefined,
  deadline: number,
): O | undefined {
  if (options === undefined || deadline === Infinity) return options;
  return { ...options, timeout: Math.max(0, deadline - performance.now()) };
}

defineInspect(UnboundedQueue as { prototype: AnyQueue }, (q) => ({
  type: q.type,
  capacity: 0,
  maxCapacity: q.maxCapacity,
  size: q.qsize(),
}), "Queue");

registerTransfer(TAG, (d) => UnboundedQueue.revive(d));
