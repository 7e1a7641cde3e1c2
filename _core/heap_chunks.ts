// Copyright 2026 the threadkit authors. MIT license.
// Queue chunks: where the shared heap's queue blocks live (_core/heap.ts,
// "Queue blocks"). Blocks never split or merge, so blocks cut for queues
// one by one would keep their size class for good: a program that drops
// its large queues and makes small ones (or the reverse) would find the
// queues' share of the heap taken by free blocks of the wrong size.
// Instead the share is one range of the runtime block, kept for it at the
// block's top (_core/heap_top.ts queueRange: no other allocation lies
// inside it), cut into chunks of 8 MiB, chunk i at start + i * 8 MiB; a
// chunk serves one size class at a time, packed (2^(23 - k) blocks of
// class k), and once its last block is freed it is free for any class.
//
// Large blocks (class k > 23: 16 MiB and up, a chain's segment past its
// 32nd or one made for an item over 8 MiB) are runs of 2^(k - 23) chunks
// of consecutive slots, so of consecutive memory: any run of chunks that
// are FREE or UNUSED serves one, wherever and whenever they were freed.
// Each chunk of a run has STATE k << 24 | 1; the run's first chunk's base
// is the block's offset. When the block is freed every chunk of it goes
// FREE, for blocks of any class, large or small.
//
// What the range holds: a new chunk is taken only when no chunk of the
// class has a free block and no chunk is FREE, so every chunk then holds
// a live queue block (or one being taken). The chunks never outnumber the
// heap queues alive at once (plus threads creating one at that very
// moment), and the range holds 191 chunks (1,535.9 MiB / 8 MiB): a program
// that never has more than 191 heap queues of up to 4 MiB alive at once
// always finds room, whatever sizes it makes and drops, in any order; many
// small queues pack (16,384 of 512 bytes to a chunk). Past that a queue
// gets a buffer of its own, as before. The price: a class in use holds at
// least one chunk, so a handful of queues of many different sizes (or one
// primitive made of blocks of many classes) holds up to 8 MiB per class;
// the count above is of blocks, not queues, for such a primitive. A block
// over 8 MiB needs its chunks side by side: small blocks packed in chunks
// between free ones may leave no run long enough although enough chunks
// are free (small blocks take the lowest free chunk first, which keeps
// the free ones together at the range's top).
//
// Shared layout: Int32Array TABLE_WORDS words at byte offset `table`
// (heap_top.ts queueRange: just below the range; its pages are touched
// only as chunks are used), one slot per chunk of the range:
// | word          | name  | values                                        | written by                     |
// |---------------|-------|-----------------------------------------------|--------------------------------|
// | i             | STATE | 0 UNUSED, 1 FREE, else k << 24 | live blocks  | compareExchange (alloc, free)  |
// |               |       | (k > 23: k << 24 | 1, a chunk of a large block) | CAS it; store FREE / back      |
// | 192 + 512 i ..| BITS  | chunk i's blocks in use, one bit each         | compareExchange / Atomics.and  |
//
// Chunk states (slot i):
// UNUSED -alloc of any class k: grow the block over it, CAS 0 -> k|1,
//          then set a bit->                                           k|1
// k|n    -alloc of class k, n < 2^(23-k): CAS k|n -> k|n+1, then set a bit-> k|n+1
// k|n    -free of a block: clear its bit, then CAS k|n -> k|n-1->     k|n-1
// k|0    -the freer that took it to 0: CAS k|0 -> FREE->              FREE
// FREE   -alloc of any class k: CAS FREE -> k|1, then set a bit->     k|1
// FREE or UNUSED -a large block of class k > 23 takes a run: grow the
//          block over it, CAS each chunk from what it was to k|1 (one CAS
//          failing: it stores back what it took in those it took)->   k|1
// k|1 (k > 23) -its block freed: store FREE, each chunk of the run->    FREE
// (A CAS that fails re-reads and tries again, or goes to the next chunk.)
// UNUSED chunks' bytes are zero and may lie past the block's length: the
// grow comes before the CAS that takes one, so a thread that sees a chunk
// taken (STATE, read after that CAS) finds the block grown over it.
// A chunk of a large block takes no bit and no count: its STATE is never
// k|n with k <= 23, so no small-class allocation or free touches it, and
// only the thread that took the run (undoing) or freed its block (REFS 0:
// no other thread names it) writes it until it is FREE again. It was FREE
// or UNUSED (bits all clear) when the run took it and sets none, so it
// goes FREE again with its bits clear, as a chunk from k|0 does.
//
// Why a reserved block always finds a free bit: an allocation counts itself
// in STATE before it sets a bit, and a free clears its bit before it
// uncounts itself, so at every instant the bits set are at most STATE's
// count minus the allocations that counted themselves and have not set a
// bit yet; each of those therefore finds a zero bit (never more set bits
// than blocks). A chunk goes FREE only from k|0: no block of it is in use
// and no allocation is between its count and its bit, so its bits are all
// clear for the next class.
// A block's chunk on free: slot (at - start) / 8 MiB. A thread remembers
// the slot its last block of each class came from (`hint`) and tries it
// first: a put of an unbounded LifoQueue's item takes a block, and
// scanning the slots each time would slow it.

import { HEAP_QUEUES, runtime } from "./runtime.ts";
import {
  BITMAP_WORDS,
  CHUNK_BYTES,
  CHUNK_CLASS,
  CHUNK_MIN_CLASS,
  CHUNK_SLOTS,
  grownTo,
  queueRange,
  TABLE_WORDS,
} from "./heap_top.ts";

export { CHUNK_BYTES, CHUNK_CLASS, CHUNK_MIN_CLASS } from "./heap_top.ts";

const BITS = CHUNK_SLOTS;
const UNUSED = 0;
const FREE = 1;
const LIVE = (1 << 24) - 1;

interface Table {
  readonly buffer: SharedArrayBuffer;
  readonly meta: Int32Array;
  /** The range's first chunk's byte offset. */
  readonly start: number;
  /** Chunks in the range. */
  readonly slots: number;
}
let cached: Table | undefined;

// The chunk table, the block grown over it by the first use; undefined
// when the block has no range, or cannot grow over the table, or
// (`create` false) when the block does not reach it yet (no chunk used).
function table(create = true): Table | undefined {
  const buffer = runtime().buffer;
  if (cached?.buffer === buffer) return cached;
  const r = queueRange();
  if (r.slots === 0) return undefined;
  if (!(create ? grownTo(buffer, r.start) : buffer.byteLength >= r.start)) {
    return undefined;
  }
  const meta = new Int32Array(buffer, r.table, TABLE_WORDS);
  return cached = { buffer, meta, start: r.start, slots: r.slots };
}

/**
 * Whether the block has a queues' range (_core/heap_top.ts): queue blocks
 * then come from its chunks.
 */
export function chunksOn(): boolean {
  return queueRange().slots > 0;
}

/**
 * A free block of class k (CHUNK_MIN_CLASS <= k <= CHUNK_CLASS) from the
 * chunks: its byte offset in the runtime block (the block's header word,
 * as heap.ts counts it), or -1 when every chunk is taken, or the block
 * cannot grow over an unused one.
 */
export function chunkAlloc(k: number): number {
  const t = table();
  if (t === undefined) return -1;
  const m = t.meta;
  const per = 1 << (CHUNK_CLASS - k);
  // A chunk of this class with room: pack it (the hinted one first).
  const h = hint[k] ?? 0;
  if (counted(m, h, k, per)) return take(t, h, k, per);
  for (let i = 0; i < t.slots; i++) {
    if (i !== h && counted(m, i, k, per)) return take(t, hint[k] = i, k, per);
  }
  // A free chunk (any class may have it), then an unused one, lowest first.
  for (let i = 0; i < t.slots; i++) {
    if (Atomics.compareExchange(m, i, FREE, k << 24 | 1) === FREE) {
      return take(t, hint[k] = i, k, per);
    }
  }
  for (let i = 0; i < t.slots; i++) {
    if (Atomics.load(m, i) !== UNUSED) continue;
    if (!grownTo(t.buffer, t.start + (i + 1) * CHUNK_BYTES)) return -1;
    if (Atomics.compareExchange(m, i, UNUSED, k << 24 | 1) === UNUSED) {
      Atomics.add(runtime().view, HEAP_QUEUES, CHUNK_BYTES);
      return take(t, hint[k] = i, k, per);
    }
  }
  return -1;
}

// This thread's slot of its last chunk block, by class (see the top).
const hint: number[] = [];

// Counts a block of class k in chunk i if it is of class k with room.
function counted(m: Int32Array, i: number, k: number, per: number): boolean {
  let s = Atomics.load(m, i);
  while (s >>> 24 === k && (s & LIVE) < per) {
    const seen = Atomics.compareExchange(m, i, s, s + 1);
    if (seen === s) return true;
    s = seen;
  }
  return false;
}

/**
 * Whether chunkAlloc(k) would find a block now, read only (a snapshot for
 * an unbounded queue's full(), _core/heap.ts blockAvailable): a chunk of
 * class k with room, or a FREE or UNUSED chunk (this does not foresee the
 * system refusing memory when the block grows over it).
 */
export function chunkAvailable(k: number): boolean {
  const t = table(false);
  if (t === undefined) return chunksOn();
  const per = 1 << (CHUNK_CLASS - k);
  for (let i = 0; i < t.slots; i++) {
    const s = Atomics.load(t.meta, i);
    if (s <= FREE || (s >>> 24 === k && (s & LIVE) < per)) return true;
  }
  return false;
}

// Sets a zero bit of chunk i (counted already: see the top of this file)
// and returns its block's offset.
function take(t: Table, i: number, k: number, per: number): number {
  const m = t.meta;
  const bits = BITS + i * BITMAP_WORDS;
  const words = (per + 31) >> 5;
  const valid = per >= 32 ? -1 : (1 << per) - 1;
  for (;;) {
    for (let w = 0; w < words; w++) {
      let x = Atomics.load(m, bits + w);
      while ((~x & valid) !== 0) {
        const zero = ~x & valid;
        const bit = zero & -zero;
        const seen = Atomics.compareExchange(m, bits + w, x, x | bit);
        if (seen === x) {
          const index = w * 32 + 31 - Math.clz32(bit);
          return t.start + i * CHUNK_BYTES + index * (1 << k);
        }
        x = seen;
      }
    }
  }
}

/**
 * Frees the block at byte offset `at` (its header word) of class k if it
 * lies in the range: returns false (nothing done) for any other block.
 */
export function chunkFree(at: number, k: number): boolean {
  if (k < CHUNK_MIN_CLASS) return false;
  const m = table(false);
  if (m === undefined) return false;
  if (at < m.start || at >= m.start + m.slots * CHUNK_BYTES) return false;
  if (k > CHUNK_CLASS) return runFree(m, at, k);
  const i = Math.floor((at - m.start) / CHUNK_BYTES);
  const index = (at - m.start - i * CHUNK_BYTES) >> k;
  Atomics.and(
    m.meta,
    BITS + i * BITMAP_WORDS + (index >> 5),
    ~(1 << (index & 31)),
  );
  let s = Atomics.load(m.meta, i);
  for (;;) {
    const seen = Atomics.compareExchange(m.meta, i, s, s - 1);
    if (seen === s) break;
    s = seen;
  }
  if ((s & LIVE) === 1) { // the last block: the chunk is free for any class
    Atomics.compareExchange(m.meta, i, s - 1, FREE);
  }
  return true;
}

/**
 * A block of class k > CHUNK_CLASS (a chain's segment past its 32nd, or one
 * made for an item over 8 MiB) as a run of 2^(k - CHUNK_CLASS) chunks of
 * consecutive slots (see "Large blocks" at the top): FREE ones if such a
 * run exists, else FREE or UNUSED ones. Returns the block's offset (its
 * header word) or -1; `fresh` tells whether its bytes are all UNUSED
 * chunks' (zero) rather than chunks used before.
 */
export function chunkRunAlloc(k: number, fresh: { fresh: boolean }): number {
  const t = table();
  if (t === undefined) return -1;
  const n = 1 << (k - CHUNK_CLASS);
  const state = k << 24 | 1;
  const was: number[] = [];
  for (const lowest of [FREE, UNUSED]) { // FREE ones, then with UNUSED ones
    for (let i = 0; i + n <= t.slots; i++) {
      const busy = busyIn(t.meta, i, n, lowest);
      if (busy >= 0) {
        i = busy; // no run starts at or before it
        continue;
      }
      if (!grownTo(t.buffer, t.start + (i + n) * CHUNK_BYTES)) return -1;
      was.length = 0;
      let j = 0;
      for (; j < n; j++) {
        const s = Atomics.load(t.meta, i + j);
        if (
          s < lowest || s > FREE ||
          Atomics.compareExchange(t.meta, i + j, s, state) !== s
        ) {
          break;
        }
        was.push(s);
      }
      if (j === n) {
        let unused = 0;
        for (const s of was) if (s === UNUSED) unused++;
        Atomics.add(runtime().view, HEAP_QUEUES, unused * CHUNK_BYTES);
        fresh.fresh = unused === n;
        return t.start + i * CHUNK_BYTES;
      }
      // Another thread took one of them: give back the ones this one took.
      while (j > 0) Atomics.store(t.meta, i + --j, was[j]);
    }
  }
  return -1;
}

// The last slot of i .. i + n - 1 whose STATE is not from `lowest` to FREE
// (not usable for a run), or -1 when all are.
function busyIn(m: Int32Array, i: number, n: number, lowest: number): number {
  for (let j = n - 1; j >= 0; j--) {
    const s = Atomics.load(m, i + j);
    if (s < lowest || s > FREE) return i + j;
  }
  return -1;
}

/**
 * Whether chunkRunAlloc(k, ...) would find a block now, read only (a
 * snapshot, as chunkAvailable): n FREE or UNUSED chunks side by side.
 */
export function chunkRunAvailable(k: number): boolean {
  const n = 1 << (k - CHUNK_CLASS);
  const t = table(false);
  if (t === undefined) return chunksOn() && n <= queueRange().slots;
  for (let i = 0; i + n <= t.slots; i++) {
    const busy = busyIn(t.meta, i, n, UNUSED);
    if (busy < 0) return true;
    i = busy;
  }
  return false;
}

// Frees a block of class k > CHUNK_CLASS, a run of chunks: each of its
// chunks goes FREE (the block's last reference is gone: no thread names
// it, so nothing else writes these STATE words meanwhile).
function runFree(m: Table, at: number, k: number): boolean {
  const i = (at - m.start) / CHUNK_BYTES;
  const n = 1 << (k - CHUNK_CLASS);
  for (let j = 0; j < n; j++) Atomics.store(m.meta, i + j, FREE);
  return true;
}

/** The chunks' states (tests): [class, live blocks] per chunk used, FREE as [0, 0]. */
export function chunkStates(): [number, number][] {
  const t = table(false);
  const out: [number, number][] = [];
  for (let i = 0; t !== undefined && i < t.slots; i++) {
    const s = Atomics.load(t.meta, i);
    if (s !== UNUSED) out.push(s === FREE ? [0, 0] : [s >>> 24, s & LIVE]);
  }
  return out;
}
