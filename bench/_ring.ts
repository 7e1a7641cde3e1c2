// Copyright 2026 the threadkit authors. MIT license.
// Baseline rings for bench/limits.ts, built the careful way (what a hand
// SPSC ring reaches on this platform, the figure Queue is held to):
// - IntRing: int32 items. Each side keeps its own cursor in a local and a
//   cached copy of the peer's, and reloads the peer's cursor only when the
//   cached one says full (producer) or empty (consumer). A side that finds
//   nothing spins SPIN reloads, then raises its PARKED flag and
//   Atomics.waits on it; the other side lowers the flag and notifies only
//   when it sees it raised (one wake per park). Per item: one plain data
//   access, one Atomics.store of the own cursor and one Atomics.load of the
//   peer's flag.
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
// | 32   | CPARK  | 1 while the consumer may sleep on it   | consumer;  |
// |      |        |                                        | producer 0 |
// | 48   | PPARK  | 1 while the producer may sleep on it   | producer;  |
// |      |        |                                        | consumer 0 |
//
// Why no lost wakeup (both directions alike; consumer side shown): the
// consumer stores CPARK = 1, then loads TAIL, and sleeps on CPARK (expecting
// 1) only if TAIL still holds the value it saw; the producer stores TAIL,
// then loads CPARK and, if it is 1, lowers it with one exchange and notifies
// CPARK only if the exchange found 1. All are sequentially consistent
// atomics, so either the consumer's TAIL load sees the new TAIL and it does
// not sleep, or the producer's CPARK load sees the 1 and lowers it. A lowered
// flag always precedes its notify, and the consumer's Atomics.wait compares
// CPARK, so a notify that comes before the consumer sleeps is not lost: the
// wait finds 0 and returns "not-equal". One wake per park: only the exchange
// that found the 1 notifies, so the producer does not notify on every item
// until the woken consumer runs (under load that made the ring 2.26x
// slower, same process, 16 paired rounds). The sleeper waits on its own
// flag, not on the peer's cursor: the flag may be lowered by a store made
// before this park's check (the park's check already covers that store), so
// a wait on the cursor with the value the check saw would sleep through that
// notify (the lost wakeup of the first version of this protocol: 60 s
// timeouts in an idle run). Data is written with plain stores before the
// TAIL store and read with plain loads after the TAIL load that covers it,
// so the sequentially consistent pair orders it.
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
    // Why no lost wakeup: the note above the header table (the sleep is on
    // the flag, which the waker lowers before it notifies).
    if (
      Atomics.load(h, index) === seen &&
      Atomics.wait(h, flag, 1, PARK_MS) === "timed-out"
    ) {
      throw new Error("ring: peer silent for 60 s");
    }
    Atomics.store(h, flag, 0);
  }
}

// The peer may be parked on `flag`: lower it and wake the peer, once (the
// note above the header table).
function wakePeer(h: Int32Array, flag: number): void {
  if (Atomics.load(h, flag) !== 0 && Atomics.exchange(h, flag, 0) !== 0) {
    Atomics.notify(h, flag);
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
    wakePeer(this.#h, CPARK);
  }

  get(): number {
    const h = this.#head;
    if (h === this.#tailSeen) this.#tailSeen = await_(this.#h, TAIL, h, CPARK);
    const x = this.#d[h & this.#mask];
    Atomics.store(this.#h, HEAD, this.#head = (h + 1) | 0);
    wakePeer(this.#h, PPARK);
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
    wakePeer(this.#h, CPARK);
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
    wakePeer(this.#h, PPARK);
    return item;
  }
}
