// Copyright 2026 the threadkit authors. MIT license.
// The stores that keep their state under the queue's Lock (header LOCK):
// numeric LIFO and heap, and the byte stores of structured LIFO and priority
// queues (stack, heap of fixed-size slots); FIFO queues use the rings of
// _ring.ts and _text.ts. The lock is held only while
// words and bytes are copied, never across a wait; encoding and decoding
// happen outside it, except a get's decode: a get decodes the item while it
// still holds the lock and removes it only when the decode returned, so a
// decoder that throws leaves the queue unchanged (peek, decode, then drop).
// COUNT and TAIL are written with Atomics.store so that
// qsize() and taskDone() may read them without the lock.
//
// Byte stack (LIFO) record: [payload, padded to 4][len: int32], A = top.
// Byte heap (PRIORITY): region = ORDER (f64), KEYS[cap] (f64), ORDS[cap]
//   (f64), SLOT[cap] (i32), FREE[cap] (i32), then cap slots of S bytes, each
//   [len: int32][payload]; KEYS/ORDS/SLOT form a binary min-heap on
//   (key, insertion order), FREE[0 .. cap - COUNT) lists free slots.

import type { Lock } from "../sync/lock.ts";
import { lockAt } from "../sync/_lock_at.ts";
import { CHECK_HOLDER, RECOVER } from "../sync/_holder.ts";
import { OwnerDiedError } from "../_core/errors.ts";
import {
  type Acquire,
  type AcquireOptions,
  UNINTERRUPTIBLE,
  waitSync,
} from "../_core/wait.ts";
import {
  awaitDecodeSync,
  clearDead,
  decodeEnd,
  decodeStart,
  DECODING,
  GRACE,
  holderIdent,
  IDENT,
} from "./_decoding.ts";
import {
  A,
  align8,
  BUSY,
  BUSY_COUNT,
  BYTES,
  CAPACITY,
  COUNT,
  type Decode,
  EMPTY,
  FLAG_CODEC,
  FLAGS,
  HEADER_BYTES,
  HOLDER,
  LOCK,
  MODULUS,
  NOWAIT_UNTIL,
  type NumericArray,
  type NumericInfo,
  OPEN,
  SHUTDOWN,
  type Store,
  TAIL,
  waitUntil,
} from "./_layout.ts";

// The lock is held for a copy of words and bytes (and a get's decode), never
// across a wait, so it is taken uninterruptibly: a cancelled thread must
// still be able to finish a shutdown (wakes, drain, DONE credit) and any
// store call it started.
//
// A holder that dies (inside a custom codec's decode, say: it exits, or
// runs out of memory) leaves the store consistent: a copy has not been
// published (COUNT and TAIL are stored last) and a get decodes before it
// drops the item. So a waiter that finds the holder dead (OwnerDiedError,
// at the end of a 50 ms wait slice: sync/lock.ts) frees the lock from that
// holder and takes it: the store lives on, the dead thread's item is still
// first. A get's custom decode is marked in HOLDER (_decoding.ts: the
// holder's ident with DECODING, set before the decode, cleared after it),
// so that nowait and timed calls can tell a holder that may take long (see
// TRY below); a waiter that takes over from a dead decoder clears that mark
// first (#recover).
const MUST = { [UNINTERRUPTIBLE]: true } as AcquireOptions;
const TRY = { blocking: false, [UNINTERRUPTIBLE]: true } as AcquireOptions;

// A take with an `until` (Store.tryPut) waits for a holder inside a custom
// decode (HOLDER has DECODING, _decoding.ts) only until then, sleeping on
// HOLDER; for any other holder, which only copies words and bytes, it spins
// SPIN tries and then naps NAP ms at a time on the Lock word, looking at
// HOLDER and at the holder's life after each nap. It sets no CONTENDED mark
// (the holder owes it no wake); a wake it takes from a Lock waiter anyway
// it passes on, so no Lock waiter's wake is lost (and each nap is short).
const SPIN = 100;
const NAP = 1;

/** A raw item of the byte heap: its priority key and its encoded bytes. */
export interface Keyed {
  readonly key: number;
  readonly bytes: Uint8Array;
}

abstract class LockedStore implements Store {
  protected readonly h: Int32Array;
  protected readonly cap: number;
  readonly #lock: Lock;
  // Items use a custom codec: a get's decode is marked in HOLDER.
  readonly #custom: boolean;

  constructor(h: Int32Array) {
    this.h = h;
    this.cap = h[CAPACITY];
    this.#custom = (h[FLAGS] & FLAG_CODEC) !== 0;
    this.#lock = lockAt(h.buffer as SharedArrayBuffer, h.byteOffset + LOCK * 4);
  }

  // Takes the lock, from a dead holder too (see MUST); false when a holder
  // inside a custom decode kept it past the `until` of wait `w` (see TRY).
  #take(w: Acquire | undefined): boolean {
    const lock = this.#lock;
    if (w === undefined || (w.blocking && w.deadline === Infinity)) {
      for (;;) {
        try {
          return lock.acquire(MUST);
        } catch (error) {
          if (!(error instanceof OwnerDiedError)) throw error;
          this.#recover(error.ident);
        }
      }
    }
    if (lock.acquire(TRY)) return true;
    let until = waitUntil(w);
    for (let spins = 0;; spins++) {
      try {
        if (lock.acquire(TRY)) return true;
        const d = Atomics.load(this.h, HOLDER);
        if ((d & DECODING) !== 0) {
          lock[CHECK_HOLDER](); // a dead decoder: OwnerDiedError
          if (until === NOWAIT_UNTIL) until = performance.now() + GRACE;
          if (until === -Infinity || performance.now() >= until) return false;
          awaitDecodeSync(this.h, d, until);
        } else if (spins >= SPIN) {
          lock[CHECK_HOLDER]();
          const state = Atomics.load(this.h, LOCK);
          if (state !== 0) {
            const nap = performance.now() + NAP;
            // A release's notify(1) meant for a Lock waiter may wake us
            // instead (we hold no CONTENDED mark): pass it on.
            const woke = waitSync(this.h, LOCK, state, nap, undefined, false);
            if (woke === "ok") Atomics.notify(this.h, LOCK, 1);
          }
        }
      } catch (error) {
        if (!(error instanceof OwnerDiedError)) throw error;
        this.#recover(error.ident);
      }
    }
  }

  // Frees the lock from the dead thread `ident`: its decode mark first, so
  // that no later holder's lock is read as held by a decoder.
  #recover(ident: number): void {
    const d = Atomics.load(this.h, HOLDER);
    if ((d & IDENT) === ident) clearDead(this.h, d);
    this.#lock[RECOVER](ident);
  }

  // Runs a custom decode under the lock, marked in HOLDER (see #take).
  #decode(decode: Decode, x: unknown): unknown {
    decodeStart(this.h, holderIdent());
    try {
      return decode(x as Uint8Array);
    } finally {
      decodeEnd(this.h, 0);
    }
  }

  count(): number {
    return Atomics.load(this.h, COUNT);
  }

  check(_raw: unknown): void {}

  protected abstract fits(raw: unknown): boolean;
  protected abstract push(raw: unknown, count: number): void;
  /** The next raw item (a copy), left in place. */
  protected abstract peek(count: number): unknown;
  /** Removes the next item. */
  protected abstract drop(count: number): void;

  tryPut(raw: unknown, w?: Acquire): number {
    return this.tryPutMany([raw], 0, w);
  }

  close(publish: () => void): void {
    // Puts read SHUTDOWN under the lock: publishing it under the lock means a
    // put either landed before or sees the shutdown.
    this.#take(undefined);
    try {
      publish();
    } finally {
      this.#lock.release();
    }
  }

  tryGet(decode?: Decode, w?: Acquire): unknown {
    const out: unknown[] = [];
    const n = this.tryGetMany(1, out, decode, w);
    return n === 1 ? out[0] : n === 0 ? EMPTY : BUSY;
  }

  tryPutMany(raws: ArrayLike<unknown>, from: number, w?: Acquire): number {
    const h = this.h;
    if (!this.#take(w)) return BUSY_COUNT;
    try {
      if (Atomics.load(h, SHUTDOWN) !== OPEN) return -1;
      let n = 0;
      let count = h[COUNT];
      while (
        from + n < raws.length && count < this.cap && this.fits(raws[from + n])
      ) {
        this.push(raws[from + n], count++);
        n++;
      }
      if (n > 0) {
        Atomics.store(h, COUNT, count);
        Atomics.store(h, TAIL, (h[TAIL] + n) % h[MODULUS]);
      }
      return n;
    } finally {
      this.#lock.release();
    }
  }

  tryGetMany(
    max: number,
    out: unknown[],
    decode?: Decode | null,
    w?: Acquire,
  ): number {
    const h = this.h;
    if (!this.#take(w)) return BUSY_COUNT;
    let count = h[COUNT];
    let n = 0;
    try {
      while (n < max && count > 0) {
        if (decode !== null) {
          let x = this.peek(count);
          if (decode !== undefined) {
            try {
              x = this.#custom
                ? this.#decode(decode, x)
                : decode(x as Uint8Array); // the queue's own JSON decode
            } catch (error) {
              if (n === 0) throw error; // nothing taken
              break; // return the n decoded; this item stays first
            }
          }
          out.push(x);
        }
        this.drop(count--);
        n++;
      }
      return n;
    } finally {
      if (n > 0) Atomics.store(h, COUNT, count);
      this.#lock.release();
    }
  }
}

/** Numeric LIFO: DATA[0 .. COUNT) with the top at COUNT - 1. */
export class NumStack extends LockedStore {
  readonly #data: NumericArray;
  constructor(h: Int32Array, info: NumericInfo) {
    super(h);
    this.#data = new info.Array(
      h.buffer as SharedArrayBuffer,
      h.byteOffset + HEADER_BYTES,
      this.cap,
    );
  }
  static bytes(info: NumericInfo, capacity: number): number {
    return capacity * info.Array.BYTES_PER_ELEMENT;
  }
  protected fits(): boolean {
    return true;
  }
  protected push(x: unknown, count: number): void {
    (this.#data as unknown as unknown[])[count] = x;
  }
  protected peek(count: number): unknown {
    return this.#data[count - 1];
  }
  protected drop(): void {}
}

/** Numeric min-heap: DATA[0 .. COUNT) in heap order. */
export class NumHeap extends LockedStore {
  readonly #data: unknown[];
  constructor(h: Int32Array, info: NumericInfo) {
    super(h);
    this.#data = new info.Array(
      h.buffer as SharedArrayBuffer,
      h.byteOffset + HEADER_BYTES,
      this.cap,
    ) as never;
  }
  static bytes(info: NumericInfo, capacity: number): number {
    return capacity * info.Array.BYTES_PER_ELEMENT;
  }
  protected fits(): boolean {
    return true;
  }
  protected push(x: unknown, count: number): void {
    const d = this.#data;
    let i = count;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!((x as number) < (d[parent] as number))) break;
      d[i] = d[parent];
      i = parent;
    }
    d[i] = x;
  }
  protected peek(): unknown {
    return this.#data[0];
  }
  protected drop(count: number): void {
    const d = this.#data;
    const last = d[count - 1] as number;
    const n = count - 1;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (d[c + 1] as number) < (d[c] as number)) c++;
      if (!((d[c] as number) < last)) break;
      d[i] = d[c];
      i = c;
    }
    if (n > 0) d[i] = last;
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function tooLarge(length: number, most: number): RangeError {
  return new RangeError(
    `Cannot put item in queue: it encodes to ${length} bytes, but the queue holds items of at most ${most} bytes (raise the "bytes" option)`,
  );
}

/** Byte LIFO stack of records with the length after the payload. */
export class ByteStack extends LockedStore {
  readonly #u8: Uint8Array;
  readonly #i32: Int32Array;
  readonly #size: number;
  constructor(h: Int32Array) {
    super(h);
    this.#size = h[BYTES];
    this.#u8 = new Uint8Array(
      h.buffer,
      h.byteOffset + HEADER_BYTES,
      this.#size,
    );
    this.#i32 = new Int32Array(
      h.buffer,
      h.byteOffset + HEADER_BYTES,
      this.#size >> 2,
    );
  }
  override check(raw: Uint8Array): void {
    if (4 + pad4(raw.length) > this.#size) {
      throw tooLarge(raw.length, this.#size - 4);
    }
  }
  protected fits(raw: Uint8Array): boolean {
    return this.h[A] + 4 + pad4(raw.length) <= this.#size;
  }
  protected push(raw: Uint8Array): void {
    const top = this.h[A];
    this.#u8.set(raw, top);
    const end = top + pad4(raw.length);
    this.#i32[end >> 2] = raw.length;
    this.h[A] = end + 4;
  }
  protected peek(): Uint8Array {
    const top = this.h[A];
    const len = this.#i32[(top - 4) >> 2];
    const start = top - 4 - pad4(len);
    return this.#u8.slice(start, start + len);
  }
  protected drop(): void {
    const top = this.h[A];
    this.h[A] = top - 4 - pad4(this.#i32[(top - 4) >> 2]);
  }
}

/** Byte min-heap on (key, insertion order) over fixed-size slots. */
export class ByteHeap extends LockedStore {
  readonly #order: Float64Array;
  readonly #keys: Float64Array;
  readonly #ords: Float64Array;
  readonly #slot: Int32Array;
  readonly #free: Int32Array;
  readonly #u8: Uint8Array;
  readonly #i32: Int32Array;
  readonly #slotBytes: number;

  constructor(h: Int32Array) {
    super(h);
    const cap = this.cap, buf = h.buffer as SharedArrayBuffer;
    let at = h.byteOffset + HEADER_BYTES;
    this.#order = new Float64Array(buf, at, 1);
    this.#keys = new Float64Array(buf, at += 8, cap);
    this.#ords = new Float64Array(buf, at += 8 * cap, cap);
    this.#slot = new Int32Array(buf, at += 8 * cap, cap);
    this.#free = new Int32Array(buf, at += 4 * cap, cap);
    at = align8(at + 4 * cap);
    this.#slotBytes = ByteHeap.slotBytes(cap, h[BYTES]);
    this.#u8 = new Uint8Array(buf, at, this.#slotBytes * cap);
    this.#i32 = new Int32Array(buf, at, (this.#slotBytes * cap) >> 2);
  }

  /** Bytes of one slot: an equal share of `bytes`, 4-aligned. */
  static slotBytes(capacity: number, bytes: number): number {
    return Math.floor(bytes / capacity / 4) * 4;
  }

  static bytes(capacity: number, bytes: number): number {
    return align8(8 + 16 * capacity + 8 * capacity) +
      ByteHeap.slotBytes(capacity, bytes) * capacity;
  }

  /** Marks every slot free; called once by the constructor of a new queue. */
  init(): void {
    for (let i = 0; i < this.cap; i++) this.#free[i] = i;
  }

  override check(raw: Keyed): void {
    if (raw.bytes.length + 4 > this.#slotBytes) {
      throw tooLarge(raw.bytes.length, this.#slotBytes - 4);
    }
  }
  protected fits(): boolean {
    return true;
  }
  protected push(raw: Keyed, count: number): void {
    const slot = this.#free[this.cap - count - 1];
    const at = slot * this.#slotBytes;
    this.#i32[at >> 2] = raw.bytes.length;
    this.#u8.set(raw.bytes, at + 4);
    const ord = this.#order[0]++;
    const keys = this.#keys, ords = this.#ords, slots = this.#slot;
    let i = count;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(raw.key, ord, keys[p], ords[p])) break;
      keys[i] = keys[p];
      ords[i] = ords[p];
      slots[i] = slots[p];
      i = p;
    }
    keys[i] = raw.key;
    ords[i] = ord;
    slots[i] = slot;
  }
  protected peek(): Uint8Array {
    const at = this.#slot[0] * this.#slotBytes;
    return this.#u8.slice(at + 4, at + 4 + this.#i32[at >> 2]);
  }
  protected drop(count: number): void {
    const keys = this.#keys, ords = this.#ords, slots = this.#slot;
    const slot = slots[0];
    this.#free[this.cap - count] = slot;
    const n = count - 1;
    const lk = keys[n], lo = ords[n], ls = slots[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && less(keys[c + 1], ords[c + 1], keys[c], ords[c])) c++;
      if (!less(keys[c], ords[c], lk, lo)) break;
      keys[i] = keys[c];
      ords[i] = ords[c];
      slots[i] = slots[c];
      i = c;
    }
    if (n > 0) {
      keys[i] = lk;
      ords[i] = lo;
      slots[i] = ls;
    }
  }
}

function less(k1: number, o1: number, k2: number, o2: number): boolean {
  return k1 < k2 || (k1 === k2 && o1 < o2);
}
