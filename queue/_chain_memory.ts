// Copyright 2026 the threadkit authors. MIT license.
// The memory of an unbounded queue's chain (_chain.ts): where it lives, its
// header's slots, what an own buffer reserves, and the release hook that
// gives a heap chain's segment blocks back.
//
// Two homes (_home.ts), chosen once by the constructor:
// - the shared heap (the default): the chain header is a heap block of kind
//   CHAIN_KIND and each segment a queue block of its own (OFFSET[s]: its
//   payload's byte offset in the runtime block). Growing allocates a block.
//   Every thread has the runtime block, so the queue travels inside queue
//   items as an offset, as bounded heap queues do. Each segment block's one
//   reference is the chain's; the header's release hook gives them back.
// - a growable SharedArrayBuffer of its own, when the heap cannot give the
//   header and the first segment (the queues' share of the heap is taken,
//   or the heap is full), or cannot grow at all (a runtime without growable
//   SharedArrayBuffers: its fixed 4 MiB heap's share would stop the chain
//   after a grow or two): the header at byte 0, each segment laid after the
//   last, growing the buffer; room is reserved for every segment at its
//   largest (address space only), so whether an item fits never depends on
//   the past here either. It travels as a thread arg only; inside an item
//   it is refused with a TypeError that names HOME's cause.
// A heap chain's segments are queue blocks (_core/heap.ts "Queue blocks"):
// fitted to their power-of-two blocks (heapFit), at most a queue chunk
// (8 MiB) for a segment made because the last was full, in the first 32
// segments (past that size the chain appends segments of that size, then
// larger ones: segmentBlock). When the heap refuses a segment
// (the queues' share used, or the heap full) or no segment slot is left,
// the put throws a QueueMemoryError (nothing put; full() is true: canGrow
// asks the heap, read only, whether it would give the block), and a later
// put tries the grow again. It never waits for heap memory: in a program
// of one thread nothing else could free it (a dropped queue's blocks come
// back only through a finalizer, which runs on the event loop), and Python's
// unbounded put never blocks either.
//
// When segment blocks are freed: when the header block is, and not before.
// The header's last reference goes only when no thread has a handle of the
// queue and none is in flight (_core/heap.ts), and a thread reaches a
// segment only through a handle: a Segment object lives in a Chain, a Chain
// in an UnboundedQueue (or a SimpleQueue that holds one), and every wait in
// a segment runs inside a method of the UnboundedQueue (sync: on the
// caller's stack; async: the suspended async method holds `this`; the
// handle a decode made holds the reference: simple.ts keeps the
// SimpleQueue reachable from its UnboundedQueue), so REFS 0 means no thread
// is inside any segment. A drained, retired segment is NOT freed earlier:
// a thread may still be inside it with nothing to show for it in shared
// memory (a getter that read FRONT = s and is about to try segment s; an
// async getter woken by its retirement that has not run yet; qsize() or
// join() walking from FRONT or TASKS; a slow decode under the segment's
// lock), and freeing it would hand its words to another primitive under
// that thread. Knowing when the last one left would take a count of threads
// inside each segment on every put and get. So a heap chain holds all its
// segments until it dies (at most about four times the most items it held
// at once, as before), and then gives them all back; an own-buffer chain
// is freed whole by the garbage collector.
//
// Chain header: Int32Array of 126 slots (504 B: with the block's own 8-byte
// header, a 512-byte heap block, the smallest queue chunk block) at byte
// `base` of the chain's buffer; up to MAX_SEGMENTS (110) segments.
// | slot  | name      | values                                      | written by                  |
// |-------|-----------|---------------------------------------------|-----------------------------|
// | 0     | LOCK      | the chain Lock's word (sync/lock.ts)        | grow(), shutdown()          |
// | 1     | SEGMENTS  | segments made, 1..MAX_SEGMENTS              | grow(), under LOCK          |
// | 2     | FRONT     | lowest segment that may still hold items    | CAS by getters              |
// | 3     | TASKS     | lowest segment that may have unfinished tasks | CAS by taskDone            |
// | 4     | SHUT      | 0 OPEN, 1 SHUT, 2 IMMEDIATE                 | shutdown(), under LOCK      |
// | 5     | MAX       | most items the newest segment may hold      | constructor, once           |
// | 6     | MAGIC     | CHAIN_MAGIC once set up (revive checks it)  | constructor, once           |
// | 7     | HOME      | 0 the heap; else why not (_home.ts)         | constructor, once           |
// | 16+s  | OFFSET[s] | byte offset of segment s in the buffer      | grow(), before SEGMENTS     |
// OFFSET[SEGMENTS] (heap chains) may name a block that a grow which stopped
// (its thread died) allocated but never published: the next grow releases
// it before it allocates, and so does the release hook.

import {
  blockAvailable,
  blockRelease,
  isBlock,
  registerRelease,
} from "../_core/heap.ts";
import { CHUNK_BYTES } from "../_core/heap_chunks.ts";
import { checkRegion } from "../_core/placement.ts";
import { runtime } from "../_core/runtime.ts";
import { FIFO, queueByteLength } from "./_core.ts";
import { blockBytes, CHAIN_MAGIC, CHAIN_MAGIC_SLOT } from "./_home.ts";
import { defaultBytes } from "./_init.ts";
import { checkSize, UNBOUNDED_MAX, UNBOUNDED_MAX_BYTES } from "./_grow.ts";
import {
  align8,
  type ElementType,
  HEADER_BYTES as Q_HEADER,
  numericInfo,
} from "./_layout.ts";

export const LOCK = 0;
export const SEGMENTS = 1;
/** Header slot: the lowest segment that may still hold items. */
export const FRONT = 2;
/** Header slot: the lowest segment that may have unfinished tasks. */
export const TASKS = 3;
export const SHUT = 4;
export const MAX = 5;
export { CHAIN_HOME as HOME, CHAIN_MAGIC_SLOT as MAGIC } from "./_home.ts";
export const OFFSET = 16;
export const HEADER_WORDS = 126;
export const HEADER_BYTES: number = HEADER_WORDS * 4;
export const MAX_SEGMENTS: number = HEADER_WORDS - OFFSET;
/** The heap block kind of a chain header (_core/heap.ts release hooks). */
export const CHAIN_KIND = 1;
/**
 * Largest heap block of a segment made because the newest was full: a
 * queue chunk (_core/heap_chunks.ts), in the first 32 segments (segmentBlock). Past it a chain appends segments of
 * this size instead of doubling; only an item too large for it gets a
 * larger segment (a run of chunks).
 */
export const SEGMENT_BLOCK: number = CHUNK_BYTES;

/**
 * Largest heap block of segment s made because the last was full:
 * SEGMENT_BLOCK (a queue chunk) for the first 32 segments, then twice that
 * every 8 segments (runs of chunks, up to 1 GiB), so that one chain can
 * span the queues' share within MAX_SEGMENTS (segment 56 brings it past
 * 1.1 GiB), and a chain whose contents peak at M items makes O(log M)
 * segments whatever its history (a drained segment is not reused: bursts
 * larger than the newest segment each add one, until one holds a burst).
 */
export function segmentBlock(s: number): number {
  return s < 32
    ? SEGMENT_BLOCK
    : SEGMENT_BLOCK * 2 ** Math.min(7, (s - 24) >> 3);
}

/** First segment's capacity when none is given. */
export const UNBOUNDED_FIRST = 1024;
export { checkSize, UNBOUNDED_MAX, UNBOUNDED_MAX_BYTES };

// The bytes an own-buffer chain reserves: room for every segment the queue
// may ever make, each with the largest byte region (address space only: a
// growable buffer commits memory as it grows). Segments double up to max;
// then items too large for the newest segment add segments of max items
// whose regions at least double, up to UNBOUNDED_MAX_BYTES. Checked for
// every chain: the header has room for MAX_SEGMENTS offsets.
export function reservation(
  type: ElementType,
  first: number,
  max: number,
): number {
  const structured = type === "structured";
  const most = structured ? UNBOUNDED_MAX_BYTES : undefined;
  let total = HEADER_BYTES, s = 0;
  const reserve = (capacity: number) => {
    if (s++ === MAX_SEGMENTS) {
      throw new RangeError(
        "Cannot create queue: maxCapacity needs too many segments; raise initialCapacity",
      );
    }
    total += align8(queueByteLength(FIFO, { capacity, type, bytes: most }));
  };
  for (let cap = first;; cap = Math.min(cap * 2, max)) {
    reserve(cap);
    if (cap === max) break;
  }
  for (let b = defaultBytes(max); structured && b < most!; b = grown(b)) {
    reserve(max);
  }
  return total;
}

/** Checks that `byteOffset` of `buffer` holds a chain header (revive). */
export function checkChain(buffer: unknown, byteOffset: unknown): void {
  checkRegion("queue", buffer, byteOffset, HEADER_BYTES, 8);
  const h = new Int32Array(buffer, byteOffset as number, HEADER_WORDS);
  if (Atomics.load(h, CHAIN_MAGIC_SLOT) !== CHAIN_MAGIC) {
    throw new TypeError(
      "Cannot revive queue: the memory does not hold an unbounded queue",
    );
  }
}

// A heap chain's last reference went: no thread can reach its segments
// (see "When segment blocks are freed" above), so their blocks go back,
// with any block a stopped grow left unpublished at OFFSET[SEGMENTS].
registerRelease(CHAIN_KIND, (at) => {
  const h = new Int32Array(runtime().buffer, at, HEADER_WORDS);
  const n = Math.min(Atomics.load(h, SEGMENTS) + 1, MAX_SEGMENTS);
  for (let s = 0; s < n; s++) {
    const offset = Atomics.load(h, OFFSET + s);
    if (offset !== 0 && isBlock(offset)) blockRelease(offset);
  }
});

/**
 * A heap segment's capacity (and structured byte region) fitted to its
 * block. Blocks are powers of two: a segment of FIT_MIN bytes or more gets
 * the capacity (and a structured region) that fill the block it takes, so
 * no large block is near half empty (smaller ones keep the asked-for
 * capacity: the bytes they could gain are few). A segment made because the
 * last was full (no `bytes`) takes at most SEGMENT_BLOCK, its capacity cut
 * to fit (past it the chain appends segments of that size); one made for
 * an item (`bytes`) takes the block that holds the item. Never above `max`
 * items, never a region below `bytes` or above UNBOUNDED_MAX_BYTES.
 */
export function heapFit(
  type: ElementType,
  cap: number,
  bytes: number | undefined,
  max: number,
  s: number,
): { capacity: number; bytes: number | undefined } {
  const structured = type === "structured";
  // Per item: a ring slot, and (structured) 256 region bytes by default.
  const slot = structured ? 8 : numericInfo(type)!.Array.BYTES_PER_ELEMENT;
  const per = structured ? slot + 256 : slot;
  if (bytes === undefined) {
    cap = Math.min(cap, Math.floor((segmentBlock(s) - 8 - Q_HEADER) / per));
  }
  const region = structured ? align8(bytes ?? defaultBytes(cap)) : 0;
  const used = Q_HEADER + align8(slot * cap) + region;
  if (used < FIT_MIN) return { capacity: cap, bytes };
  const room = blockBytes(used) - 8 - used;
  const capacity = Math.min(max, cap + Math.floor(room / per));
  if (!structured) return { capacity, bytes };
  const more = room - slot * (capacity - cap);
  return { capacity, bytes: Math.min(UNBOUNDED_MAX_BYTES, region + more) };
}

/** The capacity of the segment after a full one: twice, up to `max`. */
export function nextCapacity(capacity: number, max: number): number {
  return Math.min(capacity * 2, max);
}

/**
 * Whether a chain's full newest segment s (of `capacity` items) can grow
 * now, read only: what a put that finds it full would do (full() asks).
 * Below the maximum, a heap chain needs a segment slot and a block the heap
 * would give for the successor (blockAvailable: a snapshot; asking by
 * allocating would take the block a racing put's grow needs); an own-buffer
 * chain reserved room for every segment (only the system can refuse it).
 */
export function canGrow(
  heap: boolean,
  type: ElementType,
  s: number,
  capacity: number,
  max: number,
): boolean {
  if (capacity >= max) return false;
  if (!heap) return true;
  if (s + 1 >= MAX_SEGMENTS) return false;
  const cap = nextCapacity(capacity, max);
  const init = { type, ...heapFit(type, cap, undefined, max, s + 1) };
  return blockAvailable(queueByteLength(FIFO, init), true);
}

/** Segments of at least this many bytes are fitted to their blocks. */
const FIT_MIN = 1 << 20;

// The byte region after one that refused an item of `b` + 1 bytes: twice
// that, up to the largest (so it at least doubles, and a few such items fit).
export function grown(b: number): number {
  return Math.min(UNBOUNDED_MAX_BYTES, align8(2 * (b + 1)));
}
