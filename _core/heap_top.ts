// Copyright 2026 the threadkit authors. MIT license.
// The top of the shared heap: claiming bytes past HEAP_TOP of the runtime
// block (_core/runtime.ts, its "Heap states" table) and growing the block
// to cover them. _core/heap.ts cuts blocks from what this claims.
//
// Where the queues' share lies: a growable block whose queues' share
// (three quarters of it: queueCap) holds at least one queue chunk keeps
// its top for the share, as one range of chunks (_core/heap_chunks.ts),
// the chunk table just below it:
//   HEAP_BASE .. table        primitives' blocks (heapAlloc, bump up)
//   table .. start            the chunk table (TABLE_BYTES)
//   start .. start + n chunks the queues' range (n = min(CHUNK_SLOTS, share / 8 MiB))
// The places follow from the block's largest size alone, so every thread
// (and every copy of this module) finds the same ones without a shared
// word, and nothing is claimed: heapAlloc never passes `table`, and the
// range's chunks are grown into as they are first used (growing only makes
// pages addressable; they take memory when touched). A block with no range
// (fixed length, or too small) gives its whole heap to heapAlloc.

import { HEAP_BASE, HEAP_TOP, runtime } from "./runtime.ts";

/** Largest single growth step: the heap doubles up to here, then adds this. */
const GROW_STEP = 64 * 1024 * 1024;

/** The class of a queue chunk: 8 MiB, the largest block it packs. */
export const CHUNK_CLASS = 23;
/** A chunk's bytes. */
export const CHUNK_BYTES: number = 1 << CHUNK_CLASS;
/** The smallest block class a chunk serves (512 B: a queue's header alone is 384). */
export const CHUNK_MIN_CLASS = 9;
/** Most chunks in the range (a share of 1,535.9 MiB holds 191). */
export const CHUNK_SLOTS = 192;
/** A chunk's bitmap: one bit per block of its smallest class. */
export const BITMAP_WORDS: number = 1 << (CHUNK_CLASS - CHUNK_MIN_CLASS - 5);
/** The chunk table's words: a STATE word and a bitmap per slot. */
export const TABLE_WORDS: number = CHUNK_SLOTS * (1 + BITMAP_WORDS);
/** Queue blocks may take QUEUE_SHARE / 4 of a growable heap's largest size. */
const QUEUE_SHARE = 3;

/** The queues' range of a block (see the top). */
export interface QueueRange {
  /** Byte offset of the chunk table; heapAlloc's limit. */
  readonly table: number;
  /** Byte offset of the range's first chunk (chunk i at start + i * 8 MiB). */
  readonly start: number;
  /** Chunks in the range; 0: no range. */
  readonly slots: number;
}

let cached: { buffer: SharedArrayBuffer; range: QueueRange } | undefined;

/** The queues' range of the runtime block (slots 0: none, see the top). */
export function queueRange(): QueueRange {
  const buffer = runtime().buffer;
  if (cached?.buffer === buffer) return cached.range;
  const max = buffer.growable ? buffer.maxByteLength : buffer.byteLength;
  let slots = Math.min(CHUNK_SLOTS, Math.floor(queueCap(buffer) / CHUNK_BYTES));
  if (!buffer.growable) slots = 0;
  const start = Math.floor((max - slots * CHUNK_BYTES) / 8) * 8;
  const range = slots === 0
    ? { table: max, start: max, slots: 0 }
    : { table: start - TABLE_WORDS * 4, start, slots };
  cached = { buffer, range };
  return range;
}

/**
 * Most bytes queue blocks may take: three quarters of a growable heap's
 * largest size (its range holds them: see the top), a quarter of a heap
 * that cannot grow (its blocks cut one by one, _core/heap.ts).
 */
export function queueCap(b: SharedArrayBuffer): number {
  if (!b.growable) return Math.floor((b.byteLength - HEAP_BASE) / 4);
  return Math.floor((b.maxByteLength - HEAP_BASE) / 4) * QUEUE_SHARE;
}

/**
 * Allocates `bytes` from the shared heap, aligned to `align` bytes, growing
 * the block when the heap reaches its end. Returns the byte offset into the
 * runtime buffer, or -1 when the heap cannot hold it (it would pass the
 * queues' range, or growing failed); the caller then allocates a buffer of
 * its own.
 */
export function heapAlloc(bytes: number, align: number): number {
  const { view, buffer } = runtime();
  const max = queueRange().table;
  for (;;) {
    const top = Atomics.load(view, HEAP_TOP);
    const start = Math.ceil(top / align) * align;
    const end = start + bytes;
    if (end > max) return -1;
    // Claims [start, end) for this caller alone; memory past byteLength is
    // made real by grow below before anyone can name it (the caller gets
    // the offset only after that).
    if (Atomics.compareExchange(view, HEAP_TOP, top, end) === top) {
      return grownTo(buffer, end) ? start : -1;
    }
  }
}

/**
 * Grows `buffer` to at least `end` bytes. Threads may grow at once: grow()
 * refuses to shrink (RangeError), so a grow that lost to a larger one
 * throws, and the loop then sees a length past `end`. False only when the
 * memory cannot be had (heapAlloc's claimed bytes are then lost; later
 * calls try again).
 */
export function grownTo(buffer: SharedArrayBuffer, end: number): boolean {
  for (;;) {
    const length = buffer.byteLength;
    if (length >= end) return true;
    const step = Math.min(length, GROW_STEP);
    const target = Math.min(buffer.maxByteLength, Math.max(end, length + step));
    try {
      buffer.grow(target);
    } catch {
      if (buffer.byteLength === length) return false;
    }
  }
}
