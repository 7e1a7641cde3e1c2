// Copyright 2026 the threadkit authors. MIT license.
// The byte stores of structured LIFO and priority queues, on LockedStore
// (_locked.ts, which has their lock, their death rules and the record
// formats): a stack of records and a heap of fixed-size slots.

import { A, align8, BYTES, HEADER_BYTES } from "./_layout.ts";
import { LockedStore } from "./_locked.ts";
import { B, sub, U8 } from "../_core/primordials.ts";

const { I32, F64 } = B; // as at load

/** A raw item of the byte heap: its priority key and its encoded bytes. */
export interface Keyed {
  readonly key: number;
  readonly bytes: Uint8Array;
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
    return this.peekMany(0, 1)[0];
  }
  protected override peekMany(_count: number, k: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let top = this.h[A]; out.length < k;) {
      const len = this.#i32[(top - 4) >> 2];
      const start = top - 4 - pad4(len);
      out[out.length] = new U8(sub(this.#u8, start, start + len)); // a copy
      top = start;
    }
    return out;
  }
  protected drop(): void {
    const top = this.h[A];
    this.h[A] = top - 4 - pad4(this.#i32[(top - 4) >> 2]);
  }
  // drop k times, with no call (LockedStore.dropMany): A stored once.
  protected override dropMany(_count: number, k: number): void {
    const i32 = this.#i32;
    let top = this.h[A];
    for (let j = 0; j < k; j++) top -= 4 + ((i32[(top - 4) >> 2] + 3) & ~3);
    this.h[A] = top;
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
    siftUp(this.#keys, this.#ords, this.#slot, raw.key, ord, slot, count);
  }
  protected peek(): Uint8Array {
    const at = this.#slot[0] * this.#slotBytes;
    return new U8(sub(this.#u8, at + 4, at + 4 + this.#i32[at >> 2]));
  }
  protected override peekMany(count: number, k: number): Uint8Array[] {
    if (k === 1) return [this.peek()];
    const out: Uint8Array[] = [];
    for (const slot of firstK(this.#keys, this.#ords, this.#slot, count, k)) {
      const at = slot * this.#slotBytes;
      const end = at + 4 + this.#i32[at >> 2];
      out[out.length] = new U8(sub(this.#u8, at + 4, end)); // a copy
    }
    return out;
  }
  protected drop(count: number): void {
    this.#free[this.cap - count] = this.#slot[0];
    popRoot(this.#keys, this.#ords, this.#slot, count);
  }
  // drop k times: dropRoots (LockedStore.dropMany).
  protected override dropMany(count: number, k: number): void {
    dropRoots(
      this.#keys,
      this.#ords,
      this.#slot,
      this.#free,
      this.cap,
      count,
      k,
    );
  }
}

/**
 * Pops the root k times off the min-heap keys/ords/slots[0 .. count), each
 * popped slot to free[top - n - 1] (n: the count after that pop), with no
 * call (LockedStore.dropMany: all or, an overflow at its entry, none):
 * popRoot and less written out.
 */
export function dropRoots(
  keys: Float64Array,
  ords: Float64Array,
  slots: Int32Array,
  free: { [i: number]: number },
  top: number,
  count: number,
  k: number,
): void {
  for (let j = 0; j < k; j++) {
    const n = count - j - 1; // the count after this drop
    free[top - n - 1] = slots[0];
    const lk = keys[n], lo = ords[n], ls = slots[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (
        r < n &&
        (keys[r] < keys[c] || keys[r] === keys[c] && ords[r] < ords[c])
      ) c = r;
      if (!(keys[c] < lk || keys[c] === lk && ords[c] < lo)) break;
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

/** Adds (key, ord, slot) to the min-heap keys/ords/slots[0 .. count). */
export function siftUp(
  keys: Float64Array,
  ords: Float64Array,
  slots: Int32Array,
  key: number,
  ord: number,
  slot: number,
  count: number,
): void {
  let i = count;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(key, ord, keys[p], ords[p])) break;
    keys[i] = keys[p];
    ords[i] = ords[p];
    slots[i] = slots[p];
    i = p;
  }
  keys[i] = key;
  ords[i] = ord;
  slots[i] = slot;
}

/**
 * The slots of the heap's first k items in get order, popped from a copy
 * of its index (copies made by the constructors as at load: no slice, its
 * species).
 */
export function firstK(
  heapKeys: Float64Array,
  heapOrds: Float64Array,
  heapSlots: Int32Array,
  count: number,
  k: number,
): number[] {
  const keys = new F64(count), ords = new F64(count), slots = new I32(count);
  for (let i = 0; i < count; i++) {
    keys[i] = heapKeys[i];
    ords[i] = heapOrds[i];
    slots[i] = heapSlots[i];
  }
  const out: number[] = [];
  for (let n = count; out.length < k; n--) {
    out[out.length] = slots[0];
    popRoot(keys, ords, slots, n);
  }
  return out;
}

/** Removes the root of the min-heap keys/ords/slots[0 .. count). */
export function popRoot(
  keys: Float64Array,
  ords: Float64Array,
  slots: Int32Array,
  count: number,
): void {
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

function less(k1: number, o1: number, k2: number, o2: number): boolean {
  return k1 < k2 || (k1 === k2 && o1 < o2);
}
