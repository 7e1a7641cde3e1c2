// Copyright 2026 the threadkit authors. MIT license.
// The lock-free numeric FIFO ring: the fast path of Queue. It is Dmitry
// Vyukov's bounded MPMC queue: each slot carries a sequence word that says
// whose turn the slot is, so producers only touch TAIL and the slots, and
// consumers only HEAD and the slots; neither reads the other's counter.
//
// Ring region (after the header): Int32Array SEQ[P], then (8-aligned) the
// typed DATA[P]. P = capacity, or 2 when capacity is 1 (the algorithm needs
// two slots; capacity 1 is then enforced by reading HEAD).
// | word    | values (positions count modulo M = P * floor(2^30 / P)) |
// |---------|----------------------------------------------------------|
// | SEQ[i]  | p: free for the put at position p (p % P == i)           |
// |         | p + 1: holds the item put at position p                  |
// | DATA[i] | the item, written by its producer before SEQ publishes it |
//
// Slot states for position p:
// FREE(p)  -producer: CAS TAIL p -> p+1, write DATA, store SEQ = p+1-> FULL(p)
// FULL(p)  -consumer: CAS HEAD p -> p+1, read DATA, store SEQ = p+P-> FREE(p+P)
// A producer at p seeing SEQ = p - P + 1 (FULL from the last lap) has a full
// queue; a consumer at p seeing SEQ = p (FREE, not yet written) an empty one.
// A producer stalled between its CAS and its SEQ store makes later getters
// see "empty" for a moment; they wait, and that producer wakes them when it
// publishes (the core checks GET_WAITERS after every put).
//
// The SEQ store publishes DATA: it is an Atomics (sequentially consistent)
// write after the plain DATA write, and the consumer reads DATA only after an
// Atomics load of SEQ saw it. No lost wakeup concerns live here: this store
// never waits (see _core.ts).

import {
  align8,
  CAPACITY,
  CLOSED,
  distance,
  EMPTY,
  HEAD,
  HEADER_BYTES,
  MODULUS,
  type NumericArray,
  type NumericInfo,
  POSITION,
  type Store,
  TAIL,
} from "./_layout.ts";

/** The ring's region size after the header. */
export function ringBytes(info: NumericInfo, capacity: number): number {
  const slots = Math.max(capacity, 2);
  return align8(slots * 4) + slots * info.Array.BYTES_PER_ELEMENT;
}

/** The modulus of the ring's counters. */
export function ringModulus(capacity: number): number {
  const slots = Math.max(capacity, 2);
  return slots * Math.floor(2 ** 30 / slots);
}

/** Writes the initial sequence words (every slot free for its first lap). */
export function initRing(
  buffer: SharedArrayBuffer,
  byteOffset: number,
  capacity: number,
): void {
  const seq = new Int32Array(
    buffer,
    byteOffset + HEADER_BYTES,
    Math.max(capacity, 2),
  );
  for (let i = 0; i < seq.length; i++) seq[i] = i;
}

/** Lock-free FIFO of numeric slots. */
export class Ring implements Store {
  readonly #h: Int32Array;
  readonly #seq: Int32Array;
  readonly #data: NumericArray;
  readonly #cap: number;
  readonly #slots: number;
  readonly #mask: number;
  readonly #m: number;
  readonly #same: NumericInfo["Array"];
  #tail = 0;
  #head = 0;

  constructor(h: Int32Array, info: NumericInfo) {
    this.#h = h;
    this.#cap = h[CAPACITY];
    const slots = this.#slots = Math.max(this.#cap, 2);
    this.#m = h[MODULUS];
    this.#mask = (slots & (slots - 1)) === 0 ? slots - 1 : -1;
    const base = h.byteOffset + HEADER_BYTES;
    this.#seq = new Int32Array(h.buffer, base, slots);
    this.#data = new info.Array(
      h.buffer as SharedArrayBuffer,
      base + align8(slots * 4),
      slots,
    );
    this.#same = info.Array;
  }

  count(): number {
    const tail = Atomics.load(this.#h, TAIL) & POSITION;
    const n = distance(tail, Atomics.load(this.#h, HEAD), this.#m);
    return n < 0 ? 0 : n > this.#cap ? this.#cap : n;
  }

  check(): void {}

  close(): void {
    Atomics.or(this.#h, TAIL, CLOSED);
  }

  // The fast paths start from this handle's last known TAIL (HEAD), which is
  // right whenever this thread made the last put (get), and learn the real
  // one from the compareExchange otherwise: one atomic load fewer per item.
  // A stale hint is behind the real counter, so its slot's SEQ is ahead of
  // it (d > 0) and we reload; d < 0 is trusted only after the counter is
  // re-read (a hint more than M / 2 behind would wrap the distance).

  tryPut(x: unknown): number {
    const h = this.#h, seq = this.#seq, m = this.#m;
    let pos = this.#tail;
    for (;;) {
      const i = this.#mask >= 0 ? pos & this.#mask : pos % this.#slots;
      const d = distance(Atomics.load(seq, i), pos, m);
      if (d === 0) {
        if (this.#cap === 1 && pos !== Atomics.load(h, HEAD)) {
          const tail = Atomics.load(h, TAIL);
          if (tail === pos) return 0;
          if ((tail & CLOSED) !== 0) return -1;
          pos = tail;
          continue;
        }
        const next = pos + 1 === m ? 0 : pos + 1;
        // Fails once shutdown set CLOSED: no put lands after a shutdown.
        const seen = Atomics.compareExchange(h, TAIL, pos, next);
        if (seen === pos) {
          (this.#data as unknown as unknown[])[i] = x;
          Atomics.store(seq, i, next); // publishes DATA[i]
          this.#tail = next;
          return 1;
        }
        if ((seen & CLOSED) !== 0) return -1;
        pos = seen;
      } else {
        const tail = Atomics.load(h, TAIL);
        if ((tail & CLOSED) !== 0) return -1;
        if (d < 0 && tail === pos) return 0; // full: SEQ holds last lap's item
        pos = tail;
      }
    }
  }

  tryGet(): unknown {
    const h = this.#h, seq = this.#seq, m = this.#m;
    let pos = this.#head;
    for (;;) {
      const i = this.#mask >= 0 ? pos & this.#mask : pos % this.#slots;
      const next = pos + 1 === m ? 0 : pos + 1;
      const d = distance(Atomics.load(seq, i), next, m);
      if (d === 0) {
        const seen = Atomics.compareExchange(h, HEAD, pos, next);
        if (seen === pos) {
          const x = this.#data[i];
          const free = pos + this.#slots;
          Atomics.store(seq, i, free >= m ? free - m : free); // frees slot i
          this.#head = next;
          return x;
        }
        pos = seen;
      } else {
        const head = Atomics.load(h, HEAD);
        if (d < 0 && head === pos) return EMPTY; // the slot is not written yet
        pos = head;
      }
    }
  }

  tryPutMany(raws: ArrayLike<unknown>, from: number): number {
    const h = this.#h, seq = this.#seq, m = this.#m, slots = this.#slots;
    const want = Math.min(raws.length - from, this.#cap);
    for (;;) {
      const pos = Atomics.load(h, TAIL);
      if ((pos & CLOSED) !== 0) return -1;
      let n = 0;
      let p = pos;
      while (n < want) {
        const i = this.#mask >= 0 ? p & this.#mask : p % slots;
        if (Atomics.load(seq, i) !== p) break;
        n++;
        p = p + 1 === m ? 0 : p + 1;
      }
      if (this.#cap === 1 && n > 0 && pos !== Atomics.load(h, HEAD)) return 0;
      if (n === 0) {
        const i = this.#mask >= 0 ? pos & this.#mask : pos % slots;
        if (distance(Atomics.load(seq, i), pos, m) < 0) return 0;
        continue;
      }
      if (Atomics.compareExchange(h, TAIL, pos, p) !== pos) continue;
      this.#tail = p;
      const start = this.#mask >= 0 ? pos & this.#mask : pos % slots;
      const first = Math.min(n, slots - start);
      if (raws instanceof this.#same) {
        const src = raws as unknown as NumericArray;
        this.#data.set(src.subarray(from, from + first) as never, start);
        if (first < n) {
          this.#data.set(src.subarray(from + first, from + n) as never, 0);
        }
      } else {
        const data = this.#data as unknown as unknown[];
        for (let k = 0; k < first; k++) data[start + k] = raws[from + k];
        for (let k = first; k < n; k++) data[k - first] = raws[from + k];
      }
      p = pos;
      for (let k = 0; k < n; k++) {
        const i = start + k < slots ? start + k : start + k - slots;
        p = p + 1 === m ? 0 : p + 1;
        Atomics.store(seq, i, p);
      }
      return n;
    }
  }

  tryGetMany(max: number, out: unknown[]): number {
    const h = this.#h, seq = this.#seq, m = this.#m, slots = this.#slots;
    for (;;) {
      const pos = Atomics.load(h, HEAD);
      let n = 0;
      let p = pos;
      while (n < max) {
        const i = this.#mask >= 0 ? p & this.#mask : p % slots;
        const next = p + 1 === m ? 0 : p + 1;
        if (Atomics.load(seq, i) !== next) break;
        n++;
        p = next;
      }
      if (n === 0) {
        const i = this.#mask >= 0 ? pos & this.#mask : pos % slots;
        const next = pos + 1 === m ? 0 : pos + 1;
        if (distance(Atomics.load(seq, i), next, m) < 0) return 0;
        continue;
      }
      if (Atomics.compareExchange(h, HEAD, pos, p) !== pos) continue;
      this.#head = p;
      const start = this.#mask >= 0 ? pos & this.#mask : pos % slots;
      const data = this.#data;
      const base = out.length;
      out.length = base + n;
      p = pos;
      for (let k = 0; k < n; k++) {
        const i = start + k < slots ? start + k : start + k - slots;
        out[base + k] = data[i];
        const free = p + slots;
        Atomics.store(seq, i, free >= m ? free - m : free);
        p = p + 1 === m ? 0 : p + 1;
      }
      return n;
    }
  }
}
