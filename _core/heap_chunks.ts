// Copyright 2026 the threadkit authors. MIT license.
// Queue chunks: where the shared heap's queue blocks live (_core/heap.ts,
// "Queue blocks"). Blocks never split or merge, so blocks cut for queues
// one by one would keep their size class for good: a program that drops
// its large queues and makes small ones (or the reverse) would find the
// queues' share of the heap taken by free blocks of the wrong size.
// Instead the share is cut into chunks of 8 MiB; a chunk serves one size
// class at a time, packed (2^(23 - k) blocks of class k), and once its last
// block is freed it is free for any class.
//
// Large blocks (class k > 23: 16 MiB and up, a chain's segment past its
// 32nd or one made for an item over 8 MiB) are runs of 2^(k - 23) chunks
// that lie one after another in memory: FREE chunks whose bases follow
// each other (wherever their slots are), or fresh ones cut together (one
// heapAlloc, so contiguous). Each chunk of a run has STATE k << 24 | 1; the
// run's first chunk's base is the block's offset. When the block is freed
// every chunk of it goes FREE, for blocks of any class, large or small.
// A large block needs its chunks contiguous: FREE chunks scattered between
// chunks in use do not make one, and it then takes fresh bytes of the cap
// (the cap may refuse it while that many FREE chunks exist elsewhere).
//
// What the cap guarantees: a new chunk is cut only when no chunk of the
// class has a free block and no chunk is free, so every chunk then holds a
// live queue block (or one being taken). The chunks never outnumber the heap
// queues alive at once (plus threads creating one at that very moment), and
// the share holds 191 chunks (1,535.9 MiB / 8 MiB): a program that never has
// more than 191 heap queues of up to 4 MiB alive at once never reaches the
// cap, whatever sizes it makes and drops, in any order; many small queues
// pack (16,384 of 512 bytes to a chunk). Past the cap a queue gets a buffer
// of its own, as before. The price: a class in use holds at least one chunk,
// so a handful of queues of many different sizes (or one primitive made of
// blocks of many classes) holds up to 8 MiB per class; the count above is
// of blocks, not queues, for such a primitive. Blocks over 8 MiB (below)
// count as the chunks they span, and a run is cut fresh when no FREE
// chunks lie side by side even if single FREE chunks are left elsewhere:
// a program that mixes them with smaller blocks may reach the cap sooner.
// Every chunk is in a slot: the cap (under 192 chunks) bounds the chunks
// cut, so a fresh run always finds its slots.
//
// Shared layout: Int32Array META_WORDS words at the byte offset in the
// runtime header's HEAP_CHUNKS word (cut from the heap by the first queue
// block; 0 until then; 386 KiB, its pages touched only as chunks are used),
// SLOTS (192) chunk slots, taken in order (a slot's BASE never goes back to
// 0, so the slots in use are a prefix: scans stop at the first BASE of 0):
// | word          | name  | values                                        | written by                     |
// |---------------|-------|-----------------------------------------------|--------------------------------|
// | i             | STATE | 0 UNUSED, 1 FREE, else k << 24 | live blocks  | compareExchange (alloc, free)  |
// |               |       | (k > 23: k << 24 | 1, a chunk of a large block) | CAS FREE -> it; store FREE     |
// | 192 + i       | BASE  | byte offset of chunk i in the runtime block   | compareExchange 0 -> base once |
// | 384 + 512 i ..| BITS  | chunk i's blocks in use, one bit each         | compareExchange / Atomics.and  |
//
// Chunk states (slot i):
// UNUSED -a new chunk: CAS BASE 0->base, then store STATE k|1->   k|1
// k|n    -alloc of class k, n < 2^(23-k): CAS k|n -> k|n+1, then set a bit-> k|n+1
// k|n    -free of a block: clear its bit, then CAS k|n -> k|n-1->     k|n-1
// k|0    -the freer that took it to 0: CAS k|0 -> FREE->              FREE
// FREE   -alloc of any class k: CAS FREE -> k|1, then set a bit->     k|1
// FREE   -a large block of class k > 23 takes a run: CAS FREE -> k|1 each
//          chunk (one CAS failing: it stores FREE back in those it took)-> k|1
// UNUSED -a large block on fresh bytes: CAS BASE 0->base, store k|1->   k|1
// k|1 (k > 23) -its block freed: store FREE, each chunk of the run->    FREE
// (A CAS that fails re-reads and tries again, or goes to the next chunk.)
// A chunk of a large block takes no bit and no count: its STATE is never
// k|n with k <= 23, so no small-class allocation or free touches it, and
// only the thread that took the run (undoing) or freed its block (REFS 0:
// no other thread names it) writes it until it is FREE again. It was FREE
// (bits all clear) when the run took it and sets none, so it goes FREE
// again with its bits clear, as a chunk from k|0 does.
//
// Why a reserved block always finds a free bit: an allocation counts itself
// in STATE before it sets a bit, and a free clears its bit before it
// uncounts itself, so at every instant the bits set are at most STATE's
// count minus the allocations that counted themselves and have not set a
// bit yet; each of those therefore finds a zero bit (never more set bits
// than blocks). A chunk goes FREE only from k|0: no block of it is in use
// and no allocation is between its count and its bit, so its bits are all
// clear for the next class.
// Finding a block's chunk on free: the chunk whose [BASE, BASE + CHUNK_BYTES)
// holds it (a scan of the slots in use; chunks are heap bytes no other block
// uses). A thread remembers the slot its last block of each class came from
// (`hint`) and tries it first: a put of an unbounded LifoQueue's item takes a
// block, and scanning 192 slots each time would slow it.

import { HEAP_QUEUES, runtime } from "./runtime.ts";
import { heapAlloc } from "./heap_top.ts";

/** The runtime header's word that holds the table's offset (runtime.ts). */
const HEAP_CHUNKS = 7;

/** The class of a chunk: 8 MiB, the largest block it serves. */
export const CHUNK_CLASS = 23;
/** A chunk's bytes. */
export const CHUNK_BYTES: number = 1 << CHUNK_CLASS;
/** The smallest block class a chunk serves (512 B: a queue's header alone is 384). */
export const CHUNK_MIN_CLASS = 9;

const SLOTS = 192;
const STATE = 0;
const BASE = SLOTS;
const BITS = 2 * SLOTS;
const BITMAP_WORDS = 1 << (CHUNK_CLASS - CHUNK_MIN_CLASS - 5);
const META_WORDS = BITS + SLOTS * BITMAP_WORDS;
const FREE = 1;
const LIVE = (1 << 24) - 1;

let cached: { buffer: SharedArrayBuffer; meta: Int32Array } | undefined;

// The chunk table, cut from the heap by the first allocation (a racing
// loser's bytes stay unused: 64 KiB, once); undefined when the heap has no
// room, or (`create` false) when no chunk exists yet.
function table(create = true): Int32Array | undefined {
  const rt = runtime();
  if (cached?.buffer === rt.buffer) return cached.meta;
  let at = Atomics.load(rt.view, HEAP_CHUNKS);
  if (at === 0) {
    if (!create) return undefined;
    const mine = heapAlloc(META_WORDS * 4, 8);
    if (mine < 0) return undefined;
    const seen = Atomics.compareExchange(rt.view, HEAP_CHUNKS, 0, mine);
    at = seen === 0 ? mine : seen;
  }
  const meta = new Int32Array(rt.buffer, at, META_WORDS);
  cached = { buffer: rt.buffer, meta };
  return meta;
}

/**
 * A free block of class k (CHUNK_MIN_CLASS <= k <= CHUNK_CLASS) from the
 * chunks: its byte offset in the runtime block (the block's header word,
 * as heap.ts counts it), or -1 when every chunk is taken and `reserve`
 * (the queues' cap) refuses a new one, or the heap is full.
 */
export function chunkAlloc(
  k: number,
  reserve: (bytes: number) => boolean,
): number {
  const m = table();
  if (m === undefined) return -1;
  const per = 1 << (CHUNK_CLASS - k);
  // A chunk of this class with room: pack it (the hinted one first).
  const h = hint[k] ?? 0;
  if (counted(m, h, k, per)) return take(m, h, k, per);
  for (let i = 0; i < SLOTS && Atomics.load(m, BASE + i) !== 0; i++) {
    if (i !== h && counted(m, i, k, per)) return take(m, hint[k] = i, k, per);
  }
  // A free chunk: any class may have it.
  for (let i = 0; i < SLOTS && Atomics.load(m, BASE + i) !== 0; i++) {
    if (Atomics.compareExchange(m, STATE + i, FREE, k << 24 | 1) === FREE) {
      return take(m, hint[k] = i, k, per);
    }
  }
  // A new chunk, within the cap.
  if (!reserve(CHUNK_BYTES)) return -1;
  const base = heapAlloc(CHUNK_BYTES, 8);
  for (let i = 0; base > 0 && i < SLOTS; i++) {
    if (Atomics.compareExchange(m, BASE + i, 0, base) === 0) {
      Atomics.store(m, STATE + i, k << 24 | 1); // publishes BASE
      return take(m, hint[k] = i, k, per);
    }
  }
  // The heap is full (or, past 32 chunks, the chunk's bytes stay unused).
  if (base < 0) Atomics.sub(runtime().view, HEAP_QUEUES, CHUNK_BYTES);
  return -1;
}

// This thread's slot of its last chunk block, by class (see the top).
const hint: number[] = [];

// Counts a block of class k in chunk i if it is of class k with room.
function counted(m: Int32Array, i: number, k: number, per: number): boolean {
  let s = Atomics.load(m, STATE + i);
  while (s >>> 24 === k && (s & LIVE) < per) {
    const seen = Atomics.compareExchange(m, STATE + i, s, s + 1);
    if (seen === s) return true;
    s = seen;
  }
  return false;
}

/**
 * Whether chunkAlloc(k, ...) would find a block now, read only (a snapshot
 * for an unbounded queue's full(), _core/heap.ts blockAvailable): a chunk
 * of class k with room, a free chunk, or (`fresh`: the cap and the heap
 * have room for one) a slot for a new chunk.
 */
export function chunkAvailable(k: number, fresh: boolean): boolean {
  const m = table(false);
  if (m === undefined) return fresh;
  const per = 1 << (CHUNK_CLASS - k);
  for (let i = 0; i < SLOTS; i++) {
    const s = Atomics.load(m, STATE + i);
    if (s === FREE || (s >>> 24 === k && (s & LIVE) < per)) return true;
  }
  for (let i = 0; fresh && i < SLOTS; i++) {
    if (Atomics.load(m, BASE + i) === 0) return true;
  }
  return false;
}

// Sets a zero bit of chunk i (counted already: see the top of this file)
// and returns its block's offset.
function take(m: Int32Array, i: number, k: number, per: number): number {
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
          return Atomics.load(m, BASE + i) + index * (1 << k);
        }
        x = seen;
      }
    }
  }
}

/**
 * Frees the block at byte offset `at` (its header word) of class k if it
 * lies in a chunk: returns false (nothing done) for any other block.
 */
export function chunkFree(at: number, k: number): boolean {
  if (k < CHUNK_MIN_CLASS) return false;
  const m = table(false);
  if (m === undefined) return false;
  if (k > CHUNK_CLASS) return runFree(m, at, k);
  for (let i = 0; i < SLOTS; i++) {
    const base = Atomics.load(m, BASE + i);
    if (base === 0) return false; // past the slots in use
    if (at < base || at >= base + CHUNK_BYTES) continue;
    const index = (at - base) >> k;
    Atomics.and(
      m,
      BITS + i * BITMAP_WORDS + (index >> 5),
      ~(1 << (index & 31)),
    );
    let s = Atomics.load(m, STATE + i);
    for (;;) {
      const seen = Atomics.compareExchange(m, STATE + i, s, s - 1);
      if (seen === s) break;
      s = seen;
    }
    if ((s & LIVE) === 1) { // the last block: the chunk is free for any class
      Atomics.compareExchange(m, STATE + i, s - 1, FREE);
    }
    return true;
  }
  return false;
}

/**
 * A block of class k > CHUNK_CLASS (a chain's segment past its 32nd, or one
 * made for an item over 8 MiB) as a run of 2^(k - CHUNK_CLASS) chunks that
 * lie one after another in memory (see "Large blocks" at the top): FREE
 * chunks if such a run exists, else fresh ones within the cap. Returns the
 * block's offset (its header word) or -1; `fresh` tells whether its bytes
 * are fresh heap bytes (zero) rather than chunks used before.
 */
export function chunkRunAlloc(
  k: number,
  reserve: (bytes: number) => boolean,
  fresh: { fresh: boolean },
): number {
  const m = table();
  if (m === undefined) return -1;
  const n = 1 << (k - CHUNK_CLASS);
  const state = k << 24 | 1;
  const free = freeChunks(m);
  for (const [base, i] of free) {
    const slots = runAt(free, base, n, i);
    if (slots === undefined) continue;
    let j = 0;
    while (
      j < n &&
      Atomics.compareExchange(m, STATE + slots[j], FREE, state) === FREE
    ) j++;
    if (j === n) {
      fresh.fresh = false;
      return base;
    }
    // Another thread took one of them: give back the ones this one took.
    while (j > 0) Atomics.store(m, STATE + slots[--j], FREE);
  }
  if (!reserve(n * CHUNK_BYTES)) return -1;
  const base = heapAlloc(n * CHUNK_BYTES, 8);
  if (base < 0) {
    Atomics.sub(runtime().view, HEAP_QUEUES, n * CHUNK_BYTES);
    return -1;
  }
  const taken: number[] = [];
  for (let i = 0; i < SLOTS && taken.length < n; i++) {
    if (
      Atomics.compareExchange(
        m,
        BASE + i,
        0,
        base + taken.length * CHUNK_BYTES,
      ) === 0
    ) {
      Atomics.store(m, STATE + i, state); // publishes BASE
      taken.push(i);
    }
  }
  if (taken.length === n) {
    fresh.fresh = true;
    return base;
  }
  // No slot left (the cap keeps the chunks under SLOTS, so never expected):
  // the chunks that got a slot are free for any class; the rest stay unused.
  for (const i of taken) Atomics.store(m, STATE + i, FREE);
  return -1;
}

// The FREE chunks now (a snapshot): base -> slot.
function freeChunks(m: Int32Array): Map<number, number> {
  const free = new Map<number, number>();
  for (let i = 0; i < SLOTS; i++) {
    const base = Atomics.load(m, BASE + i);
    if (base === 0) break;
    if (Atomics.load(m, STATE + i) === FREE) free.set(base, i);
  }
  return free;
}

// The slots of n chunks of `free` that lie one after another from `base`
// (chunk i first), or undefined.
function runAt(
  free: Map<number, number>,
  base: number,
  n: number,
  i: number,
): number[] | undefined {
  const slots = [i];
  for (let j = 1; j < n; j++) {
    const next = free.get(base + j * CHUNK_BYTES);
    if (next === undefined) return undefined;
    slots.push(next);
  }
  return slots;
}

/**
 * Whether chunkRunAlloc(k, ...) would find a block now, read only (a
 * snapshot, as chunkAvailable): a run of FREE chunks, or (`fresh`: the cap
 * and the heap have room for its bytes) enough unused slots.
 */
export function chunkRunAvailable(k: number, fresh: boolean): boolean {
  const n = 1 << (k - CHUNK_CLASS);
  const m = table(false);
  if (m === undefined) return fresh && n <= SLOTS;
  const free = freeChunks(m);
  for (const [base, i] of free) {
    if (runAt(free, base, n, i) !== undefined) return true;
  }
  let unused = 0;
  for (let i = 0; fresh && i < SLOTS; i++) {
    if (Atomics.load(m, BASE + i) === 0) unused++;
  }
  return unused >= n;
}

// Frees a block of class k > CHUNK_CLASS if it is a run of chunks: each of
// its chunks goes FREE (the block's last reference is gone: no thread names
// it, so nothing else writes these STATE words meanwhile).
function runFree(m: Int32Array, at: number, k: number): boolean {
  const n = 1 << (k - CHUNK_CLASS);
  const slots: number[] = [];
  for (let i = 0; i < SLOTS && slots.length < n; i++) {
    const base = Atomics.load(m, BASE + i);
    if (base === 0) break; // past the slots in use
    const j = (base - at) / CHUNK_BYTES;
    if (base >= at && j < n && j === Math.floor(j)) slots.push(i);
  }
  if (slots.length === 0) return false; // not a run: cut one by one
  for (const i of slots) Atomics.store(m, STATE + i, FREE);
  return true;
}

/** The chunks' states (tests): [class, live blocks] per chunk cut, FREE as [0, 0]. */
export function chunkStates(): [number, number][] {
  const m = table(false);
  const out: [number, number][] = [];
  for (let i = 0; m !== undefined && i < SLOTS; i++) {
    const s = Atomics.load(m, STATE + i);
    if (s !== 0) out.push(s === FREE ? [0, 0] : [s >>> 24, s & LIVE]);
  }
  return out;
}
