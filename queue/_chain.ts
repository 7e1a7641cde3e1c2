// Copyright 2026 the threadkit authors. MIT license.
// The unbounded FIFO queue's memory (Python's `Queue()`, `maxsize <= 0`;
// the queue itself is _unbounded.ts). A chain of bounded FIFO
// queues ("segments") of doubling capacity in ONE growable SharedArrayBuffer:
// when the newest segment is full, a producer grows the buffer and lays a
// segment twice as large after the last one. No item is ever moved or
// copied; a segment that consumers have drained stays as dead space (a
// growable SharedArrayBuffer cannot shrink), so memory is bounded by about
// four times the most items the queue ever held, and by the stated maximum.
// Every segment is a complete bounded queue (_core.ts), so the fast paths,
// waiting and waking are those of Queue; this file only moves callers from
// one segment to the next.
//
// Chain header: Int32Array at byte 0 of the growable buffer, 64 slots (256 B).
// | slot  | name      | values                                      | written by                  |
// |-------|-----------|---------------------------------------------|-----------------------------|
// | 0     | LOCK      | the chain Lock's word (sync/lock.ts)        | grow(), shutdown()          |
// | 1     | SEGMENTS  | segments made, 1..MAX_SEGMENTS              | grow(), under LOCK          |
// | 2     | FRONT     | lowest segment that may still hold items    | CAS by getters              |
// | 3     | TASKS     | lowest segment that may have unfinished tasks | CAS by taskDone            |
// | 4     | SHUT      | 0 OPEN, 1 SHUT, 2 IMMEDIATE                 | shutdown(), under LOCK      |
// | 5     | MAX       | most items the newest segment may hold      | constructor, once           |
// | 16+s  | OFFSET[s] | byte offset of segment s                    | grow(), before SEGMENTS     |
//
// Segment states (s < SEGMENTS):
// newest, open   -put finds it full, LOCK held: shutdown(s), make s + 1,
//                 publish OFFSET[s + 1], then SEGMENTS = s + 2->  retired
// retired        -getters drain it; empty-> FRONT moves past it (CAS)
// A retired segment refuses puts (its own shutdown: CLOSED in its TAIL, and
// no put lands after that), so every item of segment s was put before any
// item of segment s + 1 could be: FIFO order holds across segments. Getters
// take from FRONT; a getter that finds FRONT retired and empty moves FRONT on.
// A put or get that finds its segment retired with no newer segment yet
// (a grow in progress) takes and releases LOCK, which the grower holds until
// the new segment is published, then looks again.
//
// Why no lost wakeup: nothing new waits here. Putters and getters wait
// inside a segment (its own protocol, _state.ts). Retiring a segment is its
// shutdown(), which wakes every putter and getter waiting in it (they find it
// shut, come back here and move on); chain shutdown shuts the newest segment
// down the same way. Waiting for a grow is waiting on LOCK (sync/lock.ts).

import { type AcquireOptions, UNINTERRUPTIBLE } from "../_core/wait.ts";
import type { Lock } from "../sync/lock.ts";
import { lockAt } from "../sync/_lock_at.ts";
import type { Codec } from "./_codec.ts";
import { FIFO, QueueBase, queueByteLength, type QueueInit } from "./_core.ts";
import { align8, type ElementType } from "./_layout.ts";

const LOCK = 0;
const SEGMENTS = 1;
/** Header slot: the lowest segment that may still hold items. */
export const FRONT = 2;
/** Header slot: the lowest segment that may have unfinished tasks. */
export const TASKS = 3;
const SHUT = 4;
const MAX = 5;
const OFFSET = 16;
const HEADER_WORDS = 64;
const HEADER_BYTES = HEADER_WORDS * 4;
const MAX_SEGMENTS = HEADER_WORDS - OFFSET;

/** First segment's capacity when none is given. */
export const UNBOUNDED_FIRST = 1024;
/** Default largest segment (items) of an unbounded queue. */
export const UNBOUNDED_MAX: number = 2 ** 20;

/** One segment: a bounded FIFO queue inside the chain's buffer. */
export class Segment<T> extends QueueBase<T> {
  static readonly TAG: string = "threadkit.Queue.segment";
  constructor(init: QueueInit<T>) {
    super(FIFO, init);
  }
}

/** The options of an unbounded queue. */
export interface UnboundedInit<T> {
  type?: ElementType;
  codec?: Codec<T>;
  initialCapacity?: number;
  maxCapacity?: number;
}

/** One handle's view of the chain: its header, lock and segment handles. */
export class Chain<T> {
  readonly buffer: SharedArrayBuffer;
  readonly h: Int32Array;
  readonly #lock: Lock;
  readonly #segments: Segment<T>[] = [];
  #codec: Codec<T> | undefined;
  readonly type: ElementType;

  /** A new chain for `init`, or (with `revived`) another thread's chain. */
  constructor(
    init: UnboundedInit<T> | undefined,
    revived?: SharedArrayBuffer,
  ) {
    if (revived !== undefined) {
      this.buffer = revived;
      this.h = new Int32Array(revived, 0, HEADER_WORDS);
      this.#lock = lockAt(revived, LOCK * 4);
      this.type = this.segment(0).type;
      return;
    }
    const type = init?.type ?? "structured";
    const first = checkSize(
      "initialCapacity",
      init?.initialCapacity,
      UNBOUNDED_FIRST,
    );
    const max = checkSize(
      "maxCapacity",
      init?.maxCapacity,
      Math.max(UNBOUNDED_MAX, first),
    );
    if (max < first) {
      throw new RangeError(
        `Cannot create queue: maxCapacity (${max}) is below initialCapacity (${first})`,
      );
    }
    // Reserve room for every segment the queue may ever make (address
    // space only: a growable buffer commits memory as it grows).
    let total = HEADER_BYTES;
    for (let cap = first, s = 0;; cap = Math.min(cap * 2, max), s++) {
      if (s === MAX_SEGMENTS) {
        throw new RangeError(
          "Cannot create queue: maxCapacity needs too many segments; raise initialCapacity",
        );
      }
      total += align8(queueByteLength(FIFO, { capacity: cap, type }));
      if (cap === max) break;
    }
    this.buffer = new SharedArrayBuffer(HEADER_BYTES, {
      maxByteLength: total,
    });
    this.h = new Int32Array(this.buffer, 0, HEADER_WORDS);
    this.#lock = lockAt(this.buffer, LOCK * 4);
    this.type = type;
    this.#codec = init?.codec;
    this.h[MAX] = max;
    this.#append(0, first);
    Atomics.store(this.h, SEGMENTS, 1);
  }

  /** The newest segment's index. */
  last(): number {
    return Atomics.load(this.h, SEGMENTS) - 1;
  }

  /** Most items the newest segment may hold: the stated maximum. */
  get max(): number {
    return this.h[MAX];
  }

  /** Whether the queue (not a segment) was shut down. */
  get isShutdown(): boolean {
    return Atomics.load(this.h, SHUT) !== 0;
  }

  /** Installs a custom codec in every segment handle, present and future. */
  withCodec(codec: Codec<T>): void {
    this.#codec = codec;
    for (const q of this.#segments) q?.withCodec(codec);
  }

  /** This handle's segment s, revived on first use (another thread made it). */
  segment(s: number): Segment<T> {
    let q = this.#segments[s];
    if (q === undefined) {
      q = QueueBase.revive(Segment<T>, FIFO, {
        tag: Segment.TAG,
        buffer: this.buffer,
        byteOffset: Atomics.load(this.h, OFFSET + s),
      });
      if (this.#codec !== undefined) q.withCodec(this.#codec);
      this.#segments[s] = q;
    }
    return q;
  }

  /**
   * Segment s (the newest when read) was full: retires it and makes s + 1,
   * twice as large up to the maximum, unless another thread did, the queue
   * is shut down, or s is at the maximum.
   */
  grow(s: number): void {
    const h = this.h;
    this.#lock.acquire();
    try {
      if (this.last() !== s || this.isShutdown) return;
      const old = this.segment(s);
      if (old.capacity >= h[MAX]) return;
      // Retire s first: no put lands in it after this returns, so every
      // item of s precedes every item of s + 1.
      old.shutdown();
      this.#append(s + 1, Math.min(old.capacity * 2, h[MAX]));
      Atomics.store(h, SEGMENTS, s + 2); // publishes OFFSET[s + 1]
    } finally {
      this.#lock.release();
    }
  }

  /**
   * Segment s was found retired: if no newer segment is published yet, a
   * grow holds LOCK until it is; wait for LOCK, then the caller looks again.
   */
  awaitGrow(s: number): void {
    if (this.last() > s) return;
    if (this.#lock.acquire({ timeout: 60_000 })) this.#lock.release();
  }

  /** awaitGrow without blocking the event loop. */
  async awaitGrowAsync(s: number): Promise<void> {
    if (this.last() > s) return;
    if (await this.#lock.acquireAsync({ timeout: 60_000 })) {
      this.#lock.release();
    }
  }

  /** Segment s is retired and empty: FRONT moves past it if a newer exists. */
  moveFront(s: number): boolean {
    if (s >= this.last()) return false;
    Atomics.compareExchange(this.h, FRONT, s, s + 1);
    return true;
  }

  /**
   * Shuts the queue down: SHUT, then the newest segment (and, immediate,
   * every segment that may hold items), which wakes everyone waiting in it.
   */
  shutdown(immediate: boolean): void {
    const h = this.h;
    this.#lock.acquire({ [UNINTERRUPTIBLE]: true } as AcquireOptions);
    try {
      if (immediate) Atomics.store(h, SHUT, 2);
      else Atomics.compareExchange(h, SHUT, 0, 1);
      const last = this.last();
      const from = immediate ? Atomics.load(h, FRONT) : last;
      for (let s = from; s <= last; s++) {
        this.segment(s).shutdown({ immediate });
      }
    } finally {
      this.#lock.release();
    }
  }

  // Lays segment s (capacity cap) at the buffer's end; OFFSET[s] is written
  // before SEGMENTS publishes it.
  #append(s: number, cap: number): void {
    const buffer = this.buffer;
    const offset = align8(buffer.byteLength);
    const init: QueueInit<T> = {
      capacity: cap,
      type: this.type,
      codec: this.#codec,
    };
    buffer.grow(offset + queueByteLength(FIFO, init));
    const q = new Segment<T>({ ...init, buffer, byteOffset: offset });
    Atomics.store(this.h, OFFSET + s, offset);
    this.#segments[s] = q;
  }
}

function checkSize(what: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 ||
    value > 2 ** 26
  ) {
    throw new RangeError(
      `Cannot create queue: ${what} must be an integer from 1 to ${
        2 ** 26
      }, got ${String(value)}`,
    );
  }
  return value;
}
