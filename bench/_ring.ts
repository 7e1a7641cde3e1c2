// Copyright 2026 the threadkit authors. MIT license.
// Baseline rings for bench/limits.ts, built the careful way (what a hand
// SPSC ring reaches on this platform, the figure Queue is held to):
// - IntRing: int32 items. Each side keeps its own cursor in a local and a
//   cached copy of the peer's, and reloads the peer's cursor only when the
//   cached one says full (producer) or empty (consumer). A side that finds
//   nothing spins SPIN reloads, then raises its PARKED flag and
//   Atomics.waits; the other side notifies only when it sees that flag. Per
//   item: one plain data access, one Atomics.store of the own cursor and one
//   Atomics.load of the peer's flag.
// - TextRing: structured items as JSON text records in a byte ring, decoded
//   after copying the bytes out of shared memory (TextDecoder refuses views
//   of shared memory in browsers): the shared-memory codec baseline.
// Bench code only; the library's queues live in queue/.

// Ring header: Int32Array on its own SharedArrayBuffer, 64 slots (256 B);
// each word on its own 64-byte line so the two sides do not false-share.
// | slot | name   | values                                 | written by |
// |------|--------|----------------------------------------|------------|
// | 0    | HEAD   | items (bytes) taken, mod 2^32          | consumer   |
// | 16   | TAIL   | items (bytes) published, mod 2^32      | producer   |
// | 32   | CPARK  | 1 while the consumer may sleep on TAIL | consumer   |
// | 48   | PPARK  | 1 while the producer may sleep on HEAD | producer   |
//
// Why no lost wakeup (both directions alike; consumer side shown): the
// consumer stores CPARK = 1, then loads TAIL, and sleeps only while TAIL
// still holds the value it saw; the producer stores TAIL, then loads CPARK
// and notifies TAIL if it is 1. All four are sequentially consistent
// atomics, so at least one side sees the other's store: either the consumer
// sees the new TAIL and does not sleep, or the producer sees CPARK and
// notifies (and a wait that starts after the TAIL store returns
// "not-equal"). Data is written with plain stores before the TAIL store and
// read with plain loads after the TAIL load that covers it, so the
// sequentially consistent pair orders it.
const HEAD = 0;
const TAIL = 16;
const CPARK = 32;
const PPARK = 48;
const HEADER_SLOTS = 64;
/** Reloads of the peer's cursor before a side parks. */
const SPIN = 256;
/** Longest single park before the ring reports its peer gone. */
const PARK_MS = 60_000;

/** Shared storage of a ring: the header and the data buffer. */
export interface RingStorage {
  header: Int32Array;
  data: SharedArrayBuffer;
}

/** Allocates a ring of `bytes` data bytes (a power of two). */
export function ringStorage(bytes: number): RingStorage {
  if (bytes & (bytes - 1)) throw new RangeError("ring size: power of two");
  return {
    header: new Int32Array(new SharedArrayBuffer(HEADER_SLOTS * 4)),
    data: new SharedArrayBuffer(bytes),
  };
}

// Waits until `view[index] !== seen`: SPIN reloads, then parks with `flag`
// raised. Returns the new value.
function await_(
  h: Int32Array,
  index: number,
  seen: number,
  flag: number,
): number {
  for (let i = 0;; i++) {
    const v = Atomics.load(h, index);
    if (v !== seen) return v;
    if (i < SPIN) continue;
    Atomics.store(h, flag, 1);
    // Why no lost wakeup: the note above the header table.
    if (
      Atomics.load(h, index) === seen &&
      Atomics.wait(h, index, seen, PARK_MS) === "timed-out"
    ) {
      throw new Error("ring: peer silent for 60 s");
    }
    Atomics.store(h, flag, 0);
  }
}

/** The careful SPSC int32 ring; one producer thread, one consumer thread. */
export class IntRing {
  readonly #h: Int32Array;
  readonly #d: Int32Array;
  readonly #cap: number;
  readonly #mask: number;
  #tail = 0; // producer: own cursor
  #headSeen = 0; // producer: cached HEAD
  #head = 0; // consumer: own cursor
  #tailSeen = 0; // consumer: cached TAIL

  constructor(s: RingStorage) {
    this.#h = s.header;
    this.#d = new Int32Array(s.data);
    this.#cap = this.#d.length;
    this.#mask = this.#cap - 1;
    this.#tail = this.#headSeen = Atomics.load(this.#h, TAIL);
    this.#head = this.#tailSeen = Atomics.load(this.#h, HEAD);
  }

  put(x: number): void {
    const t = this.#tail;
    if (((t - this.#headSeen) | 0) === this.#cap) {
      this.#headSeen = await_(this.#h, HEAD, (t - this.#cap) | 0, PPARK);
    }
    this.#d[t & this.#mask] = x;
    Atomics.store(this.#h, TAIL, this.#tail = (t + 1) | 0);
    if (Atomics.load(this.#h, CPARK) !== 0) Atomics.notify(this.#h, TAIL);
  }

  get(): number {
    const h = this.#head;
    if (h === this.#tailSeen) this.#tailSeen = await_(this.#h, TAIL, h, CPARK);
    const x = this.#d[h & this.#mask];
    Atomics.store(this.#h, HEAD, this.#head = (h + 1) | 0);
    if (Atomics.load(this.#h, PPARK) !== 0) Atomics.notify(this.#h, HEAD);
    return x;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The JSON-text byte ring: records [int32 length][UTF-8 JSON][pad to 4];
 * a record that would cross the end is preceded by a -1 marker and starts
 * at offset 0. Cursors count bytes.
 */
export class TextRing {
  readonly #h: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #words: Int32Array;
  readonly #cap: number;
  readonly #mask: number;
  #scratch = new Uint8Array(256);
  #tail = 0;
  #headSeen = 0;
  #head = 0;
  #tailSeen = 0;

  constructor(s: RingStorage) {
    this.#h = s.header;
    this.#bytes = new Uint8Array(s.data);
    this.#words = new Int32Array(s.data);
    this.#cap = this.#bytes.length;
    this.#mask = this.#cap - 1;
    this.#tail = this.#headSeen = Atomics.load(this.#h, TAIL);
    this.#head = this.#tailSeen = Atomics.load(this.#h, HEAD);
  }

  put(item: unknown): void {
    const text = JSON.stringify(item);
    if (this.#scratch.length < text.length * 3) {
      this.#scratch = new Uint8Array(text.length * 3);
    }
    const n = encoder.encodeInto(text, this.#scratch).written;
    const need = 4 + ((n + 3) & ~3);
    let t = this.#tail;
    let off = t & this.#mask;
    const skip = off + need > this.#cap ? this.#cap - off : 0;
    if (need + skip > this.#cap) throw new RangeError("item too large");
    while (((t - this.#headSeen) | 0) + skip + need > this.#cap) {
      this.#headSeen = await_(this.#h, HEAD, this.#headSeen, PPARK);
    }
    if (skip !== 0) {
      this.#words[off >> 2] = -1;
      t = (t + skip) | 0;
      off = 0;
    }
    this.#words[off >> 2] = n;
    this.#bytes.set(this.#scratch.subarray(0, n), off + 4);
    Atomics.store(this.#h, TAIL, this.#tail = (t + need) | 0);
    if (Atomics.load(this.#h, CPARK) !== 0) Atomics.notify(this.#h, TAIL);
  }

  get(): unknown {
    let h = this.#head;
    if (h === this.#tailSeen) this.#tailSeen = await_(this.#h, TAIL, h, CPARK);
    let off = h & this.#mask;
    let n = this.#words[off >> 2];
    if (n === -1) {
      h = (h + this.#cap - off) | 0;
      off = 0;
      n = this.#words[0];
    }
    if (this.#scratch.length < n) this.#scratch = new Uint8Array(n * 2);
    this.#scratch.set(this.#bytes.subarray(off + 4, off + 4 + n));
    const item = JSON.parse(decoder.decode(this.#scratch.subarray(0, n)));
    Atomics.store(
      this.#h,
      HEAD,
      this.#head = (h + 4 + ((n + 3) & ~3)) | 0,
    );
    if (Atomics.load(this.#h, PPARK) !== 0) Atomics.notify(this.#h, HEAD);
    return item;
  }
}
