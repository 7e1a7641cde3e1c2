// Copyright 2026 the threadkit authors. MIT license.
// The unbounded FIFO queue's memory (Python's `Queue()`, `maxsize <= 0`;
// the queue itself is _unbounded.ts). A chain of bounded FIFO queues
// ("segments") of doubling capacity: when the newest segment is full, a
// producer makes a segment twice as large. No item is ever moved or copied.
// A structured item too large for the newest segment's byte region is
// treated like a full segment: the next segment's region is made to hold it
// (twice its encoded size, up to UNBOUNDED_MAX_BYTES), at the maximum too,
// so whether an item fits never depends on the queue's past.
// Every segment is a complete bounded queue (_core.ts), so the fast paths,
// waiting and waking are those of Queue; this file only moves callers from
// one segment to the next.
//
// Where it lives, its slot table, when segments are freed: _chain_memory.ts.
//
// Segment states (s < SEGMENTS):
// newest, open   -put finds it full (or the item too large), LOCK held:
//                 make s + 1 (allocate its block, or grow the own buffer;
//                 build it; write OFFSET[s + 1]; unpublished), then
//                 shutdown(s), then SEGMENTS = s + 2->               retired
// newest, open   -making s + 1 throws (the heap refuses the block, or the
//                 buffer cannot grow)-> newest, open (nothing published;
//                 a later grow tries again)
// retired        -getters drain it; empty-> FRONT moves past it (CAS)
// any            -the header block's last reference goes (heap chains)->
//                 freed (the release hook: every OFFSET[s], s <= SEGMENTS)
// A retired segment refuses puts (its own shutdown: CLOSED in its TAIL, and
// no put lands after that), so every item of segment s was put before any
// item of segment s + 1 could be: FIFO order holds across segments. Getters
// take from FRONT; a getter that finds FRONT retired and empty moves FRONT on.
// A put or get that finds its segment retired with no newer segment yet
// (a grow in progress) takes and releases LOCK, which the grower holds from
// before the retirement until the new segment is published, then looks
// again: so after that, a newer segment exists or the queue is shut down.
// Taking LOCK to grow (_grow_wait.ts): bounded by the call's deadline and
// signal; blocking forms spin where the thread may not block (a browser
// page's main thread), as a turn lock does; LOCK is never held across a
// wait for another thread's TAIL, an await or a microtask.
//
// Why no lost wakeup: nothing new waits here. Putters and getters wait
// inside a segment (its own protocol, _state.ts). Retiring a segment is its
// shutdown(), which wakes every putter and getter waiting in it (they find it
// shut, come back here and move on); chain shutdown shuts the newest segment
// down the same way. Waiting for a grow is waiting on LOCK (sync/lock.ts),
// which the grower holds from before it retires s until after it publishes
// s + 1: whoever finds s retired takes LOCK after the publication. A grow
// that fails retires nothing, so nobody waits for a segment that never
// comes. The home changes none of this: a segment block is published by the
// same SEGMENTS store after the same OFFSET store.

import { blockAlloc, blockRelease, holdBlock } from "../_core/heap.ts";
import type { Region } from "../_core/placement.ts";
import { runtime } from "../_core/runtime.ts";
import type { Acquire, AcquireOptions } from "../_core/wait.ts";
import { MUST_ACQUIRE } from "../_core/wait.ts";
import type { Lock } from "../sync/lock.ts";
import { lockAt } from "../sync/_lock_at.ts";
import { CONTENDED as LOCK_MARK, tookOver } from "../sync/_holder.ts";
import {
  closeOrDrop,
  type Growing,
  growWhenFree,
  growWhenFreeSync,
  retireClosed,
  tailWords,
  takeForGrow,
  takeForGrowSync,
  type Under,
  underLock,
  underLockSync,
  type UnderSync,
  UNTIMED,
} from "./_grow_wait.ts";
import type { Codec } from "./_codec.ts";
import { FIFO, QueueBase, queueByteLength, type QueueInit } from "./_core.ts";
import {
  CHAIN_KIND,
  checkChain,
  FRONT,
  grown,
  HEADER_BYTES,
  HEADER_WORDS,
  heapFit,
  HOME,
  LOCK,
  MAGIC,
  MAX,
  MAX_SEGMENTS,
  nextCapacity,
  OFFSET,
  reservation,
  SEGMENTS,
  SHUT,
  UNBOUNDED_FIRST,
} from "./_chain_memory.ts";
import { growSizes } from "./_grow.ts";
import {
  CHAIN_MAGIC,
  HeapRefused,
  HOME_FIXED,
  HOME_HEAP,
  refusal,
} from "./_home.ts";
import { defaultBytes } from "./_init.ts";
import { QueueMemoryError } from "./errors.ts";
import { align8, BYTES, type ElementType } from "./_layout.ts";

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
  /** The runtime block (a heap chain) or the chain's own buffer. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the header in `buffer`. */
  readonly base: number;
  readonly h: Int32Array;
  /** Whether the chain lives in the shared heap. */
  readonly heap: boolean;
  readonly #lock: Lock;
  // Runs a step under LOCK from an async call (_grow_wait.ts underLock).
  readonly #under: Under = (w, f) =>
    underLock(this.#lock, this.h, () => this.#repair(), w, f);
  readonly #underSync: UnderSync = (w, f) =>
    underLockSync(this.#lock, this.h, (w) => this.#take(w), w, f);
  readonly #segments: Segment<T>[] = [];
  #codec: Codec<T> | undefined;
  readonly type: ElementType;

  /** A new chain for `init`, or (with `revived`) another thread's chain. */
  constructor(init: UnboundedInit<T> | undefined, revived?: Region) {
    if (revived !== undefined) {
      checkChain(revived.buffer, revived.byteOffset);
      this.buffer = revived.buffer;
      this.base = revived.byteOffset;
      this.h = new Int32Array(this.buffer, this.base, HEADER_WORDS);
      this.heap = Atomics.load(this.h, HOME) === HOME_HEAP;
      this.#lock = lockAt(this.buffer, this.base + LOCK * 4, false, this);
      this.type = this.segment(0).type;
      return;
    }
    const type = init?.type ?? "structured";
    const { first, max } = growSizes(init, UNBOUNDED_FIRST);
    const total = reservation(type, first, max); // throws before any alloc
    this.type = type;
    this.#codec = init?.codec;
    // The heap, if it holds the header and the first segment, and can grow
    // (a fixed heap's queue share, a quarter of 4 MiB, would stop the chain
    // after a grow or two, where a buffer of its own grows as needed).
    const growable = runtime().buffer.growable;
    const at = growable ? blockAlloc(HEADER_BYTES, true, CHAIN_KIND) : -1;
    const size = at < 0 ? 0 : this.#shape(first, undefined, 0).size;
    const seg = at < 0 ? -1 : blockAlloc(size, true);
    let home = HOME_HEAP;
    if (seg < 0) {
      home = !growable
        ? HOME_FIXED
        : at < 0
        ? refusal(HEADER_BYTES)
        : refusal(size);
      if (at >= 0) blockRelease(at); // names no segment: frees the header
    }
    this.heap = home === HOME_HEAP;
    this.buffer = this.heap
      ? runtime().buffer
      : new SharedArrayBuffer(HEADER_BYTES, { maxByteLength: total });
    this.base = this.heap ? at : 0;
    this.h = new Int32Array(this.buffer, this.base, HEADER_WORDS);
    this.#lock = lockAt(this.buffer, this.base + LOCK * 4, false, this);
    this.h[MAX] = max;
    this.h[HOME] = home;
    this.h[MAGIC] = CHAIN_MAGIC;
    if (this.heap) holdBlock(this, at);
    const q = this.#append(0, first, undefined, seg);
    Atomics.store(this.h, SEGMENTS, 1);
    this.#segments[0] = q;
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
        byteOffset: this.#offset(s),
      });
      if (this.#codec !== undefined) q.withCodec(this.#codec);
      this.#segments[s] = q;
    }
    return q;
  }

  /**
   * Segment s (the newest when read) was full, or (`need` > 0) refused an
   * item whose record takes `need` bytes: retires it and makes s + 1, twice
   * as large up to the maximum (and with a byte region for the item),
   * unless another thread did or the queue is shut down. Returns false
   * when s is full at the stated maximum: the caller then waits in s, as a
   * bounded queue's put does. Throws (the queue as it was) what making
   * s + 1 throws: a QueueMemoryError when (a heap chain) the header has no
   * segment slot left or the heap refuses the block (HeapRefused: an
   * unbounded put never waits for heap memory, which no other thread may
   * ever free), a RangeError when the own buffer cannot grow. Bounded by
   * `o` (QueueFullError past its deadline: _grow_wait.ts).
   */
  grow(s: number, need = 0, o: Acquire = UNTIMED): boolean {
    return growWhenFreeSync(this.#growing(s, need), o, this.#underSync);
  }

  /** grow without blocking the event loop. */
  growAsync(s: number, need: number, o: Acquire): Promise<boolean> {
    return growWhenFree(this.#growing(s, need), o, this.#under);
  }

  #growing(s: number, need: number): Growing<boolean> {
    const tail = tailWords(this.segment(s).region);
    const done = () => this.last() !== s || this.isShutdown;
    return { tail, done, grow: () => this.#grow(s, need, tail) };
  }

  /**
   * Segment s was found retired: if no newer segment is published yet, a
   * grow holds LOCK until it is; wait for LOCK, then the caller looks again.
   */
  awaitGrow(s: number, o: Acquire = UNTIMED): void {
    if (this.last() > s) return;
    takeForGrowSync(o, (w) => this.#take(w), this.#lock, this.h);
  }

  /** awaitGrow without blocking the event loop, bounded by `o` as growAsync. */
  async awaitGrowAsync(s: number, o: Acquire): Promise<void> {
    if (this.last() > s) return;
    await takeForGrow(o, this.#under);
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
    this.#take();
    try {
      if (immediate) Atomics.store(h, SHUT, 2);
      else Atomics.compareExchange(h, SHUT, 0, 1);
      const last = this.last();
      const from = immediate ? Atomics.load(h, FRONT) : last;
      for (let s = from; s <= last; s++) {
        this.segment(s).shutdown({ immediate });
      }
    } finally {
      try {
        this.#lock.release();
      } catch (e) { // an overflow at its entry: released inline (_grow_wait.ts)
        const v = e instanceof RangeError ? Atomics.exchange(h, LOCK, 0) : 0;
        if (v >= LOCK_MARK) Atomics.notify(h, LOCK);
      }
    }
  }

  // Takes LOCK (false: not by `w`'s deadline). A holder that stopped (out
  // of memory in a grow, say: no user code runs under LOCK) is taken over
  // by the acquire, which throws OwnerDiedError holding it (_holder.ts);
  // #repair makes the words consistent, and the caller's grow, awaitGrow or
  // shutdown is then applied as usual (as LockedStore does).
  #take(w: AcquireOptions = MUST_ACQUIRE): boolean {
    try {
      return this.#lock.acquire(w);
    } catch (error) {
      if (!tookOver(error)) throw error;
      this.#repaired();
      return true;
    }
  }

  // #repair, or (s + 1 cannot be made) LOCK let go and the error passed on.
  #repaired(): void {
    try {
      this.#repair();
    } catch (error) {
      const h = this.h; // LOCK let go inline: a call could overflow here
      if (Atomics.exchange(h, LOCK, 0) >= LOCK_MARK) Atomics.notify(h, LOCK);
      throw error;
    }
  }

  // Under LOCK, taken over from a holder that stopped in grow or shutdown.
  // The states it can have left, by where it stopped:
  // - shutdown, after SHUT was written: some segments may not be shut down
  //   yet. Shutting a segment down again is harmless, so it is done again
  //   for all (as shutdown() does); SHUT != 0 also stops every grow.
  // - #grow, before s was retired (s + 1 made or not, OFFSET[s + 1]
  //   written or not): nothing is published, s is open and newest; the
  //   next grow makes s + 1 again (own buffer: at the same offset, its
  //   words rewritten; heap: the block OFFSET[s + 1] names, if any, is
  //   released first, and one allocated between the alloc and the OFFSET
  //   store leaks). Nobody can have used an unpublished segment. Nothing
  //   to do.
  // - #grow, during or after s's retirement, before SEGMENTS = s + 2: s
  //   refuses puts (its shutdown may have stopped before waking all its
  //   waiters) and no newer segment is published, so puts and gets that
  //   find it retired would wait for LOCK forever. Redone here: s is shut
  //   down again (wakes them), s + 1 laid again and published. The region
  //   of s + 1 is the default one: an item that needed more finds it full
  //   and grows again with its own size.
  // - anywhere else: LOCK is taken only by these two.
  #repair(): void {
    const h = this.h;
    const shut = Atomics.load(h, SHUT);
    const last = this.last();
    if (shut !== 0) {
      const from = shut === 2 ? Atomics.load(h, FRONT) : last;
      for (let s = from; s <= last; s++) {
        this.segment(s).shutdown({ immediate: shut === 2 });
      }
      return;
    }
    const old = this.segment(last);
    if (!old.isShutdown) return;
    const cap = nextCapacity(old.capacity, h[MAX]);
    const q = this.#append(last + 1, cap, undefined);
    old.shutdown();
    Atomics.store(h, SEGMENTS, last + 2);
    this.#segments[last + 1] = q;
  }

  // Under LOCK. The order keeps a failure harmless: s + 1 is made first,
  // unpublished (if the heap refuses its block or the buffer cannot grow,
  // this throws with s still open and newest); only then is s retired (no
  // put lands in it after that, so every item of s precedes every item of
  // s + 1) and s + 1 published. This handle caches s + 1 only once it is
  // published: if the retirement throws, the next grow (any handle's)
  // releases the unpublished block, and a cached handle over it would
  // write into whatever primitive gets that block next.
  // A segment the heap cannot give (or no segment slot left) throws a
  // QueueMemoryError, for a full segment's successor as for an item's:
  // nothing published, s still open and newest; a later put tries again.
  // s is closed only if no put holds `tail` then, else undefined (closeOrDrop).
  #grow(s: number, need: number, tail: Int32Array): boolean | undefined {
    const h = this.h;
    if (this.last() !== s || this.isShutdown) return true;
    const old = this.segment(s);
    if (need === 0 && old.capacity >= h[MAX]) return false;
    if (this.heap && s + 1 >= MAX_SEGMENTS) {
      throw new QueueMemoryError(
        `Cannot put item in queue: the item needs a new segment, and the unbounded queue has made its most segments (${MAX_SEGMENTS}); nothing was put`,
      );
    }
    const cap = nextCapacity(old.capacity, h[MAX]);
    const q = this.#append(
      s + 1,
      cap,
      need === 0 ? undefined : Math.max(defaultBytes(cap), grown(need - 1)),
    );
    if (!closeOrDrop(tail, h, s + 1, this.heap)) return undefined;
    retireClosed(tail, () => old.shutdown());
    Atomics.store(h, SEGMENTS, s + 2); // publishes OFFSET[s + 1]
    this.#segments[s + 1] = q;
    return true;
  }

  // Makes segment s (capacity cap, byte region `bytes` or the default): in
  // its own heap block (`at`, if the caller allocated it already), or laid
  // right after segment s - 1 in the own buffer, growing it if it does not
  // reach that far yet; OFFSET[s] is written before SEGMENTS publishes it.
  // Returns its handle, for the caller to cache once it is published.
  #append(
    s: number,
    cap: number,
    bytes: number | undefined,
    at = -1,
  ): Segment<T> {
    const buffer = this.buffer;
    const { init, size } = this.#shape(cap, bytes, s);
    let offset = at;
    if (this.heap && offset < 0) {
      // A grow that stopped may have left an unpublished block here:
      // nobody else can name it (SEGMENTS never counted it).
      const stale = this.#offset(s);
      if (stale !== 0) {
        Atomics.store(this.h, OFFSET + s, 0);
        blockRelease(stale);
      }
      offset = blockAlloc(size, true);
      if (offset < 0) throw new HeapRefused(size);
    } else if (!this.heap) {
      offset = s === 0 ? HEADER_BYTES : this.#end(s - 1);
      if (buffer.byteLength < offset + size) buffer.grow(offset + size);
    }
    let q: Segment<T>;
    try {
      q = new Segment<T>({ ...init, buffer, byteOffset: offset });
    } catch (error) {
      if (this.heap) blockRelease(offset);
      throw error;
    }
    Atomics.store(this.h, OFFSET + s, offset);
    return q;
  }

  // Segment s's options and size (in the heap fitted to its block: heapFit).
  #shape(
    cap: number,
    bytes: number | undefined,
    s: number,
  ): { init: QueueInit<T>; size: number } {
    const type = this.type;
    const init: QueueInit<T> = {
      capacity: cap,
      type,
      codec: this.#codec,
      bytes,
    };
    if (this.heap) {
      Object.assign(init, heapFit(type, cap, bytes, this.h[MAX], s));
    }
    return { init, size: queueByteLength(FIFO, init) };
  }

  // Byte offset of segment s: a uint32 in an int32 slot (it may pass 2^31).
  #offset(s: number): number {
    return Atomics.load(this.h, OFFSET + s) >>> 0;
  }

  // Where segment s ends (8-aligned): its offset plus its size. Its BYTES
  // word is a plain read: written once before SEGMENTS published s.
  #end(s: number): number {
    const offset = this.#offset(s);
    const q = this.segment(s);
    const bytes = this.type === "structured"
      ? new Int32Array(this.buffer, offset, BYTES + 1)[BYTES]
      : undefined;
    const size = queueByteLength(FIFO, {
      capacity: q.capacity,
      type: this.type,
      bytes,
    });
    return align8(offset + size);
  }
}
