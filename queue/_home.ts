// Copyright 2026 the threadkit authors. MIT license.
// Where a queue's memory lives (its home), and why. By default every queue
// lives in the shared heap (_core/heap.ts): a bounded queue in one block
// (_init.ts), an unbounded one as a chain header block and a block per
// segment (_chain.ts). A queue gets a SharedArrayBuffer of its own only when
// the heap cannot give the memory: queues have taken their share of the
// heap (a quarter of its largest size, counted as blocks are cut), or the
// heap is full. The queue records that cause in its shared memory once, at
// construction, so any thread that holds it can say why it cannot travel
// inside a queue item (as bytes, an offset names memory in the heap only).
//
// Home codes (written by the constructor, once):
// | code | name        | the queue's memory                                  |
// |------|-------------|-----------------------------------------------------|
// | 0    | HOME_HEAP   | heap blocks (or a bounded queue placed in a caller's |
// |      |             | buffer: its own code is HOME_PLACED)                |
// | 1    | HOME_SHARE  | a buffer of its own: queues had taken their share   |
// | 2    | HOME_FULL   | a buffer of its own: the heap was full              |
// | 3    | HOME_PLACED | a caller's buffer (bounded queues only)             |
// | 4    | HOME_FIXED  | a buffer of its own: the heap cannot grow in this   |
// |      |             | runtime (unbounded queues only)                     |
// | 5    | HOME_LARGE  | a buffer of its own: a bounded queue over           |
// |      |             | HEAP_QUEUE_MAX (8 MiB, a queue chunk)               |
// Bounded queues keep the code in bits 1-3 of FLAGS (_layout.ts); an
// unbounded queue's chain in its header slot HOME (_chain.ts).

import { heapQueueBytes } from "../_core/heap.ts";
import { CHUNK_BYTES } from "../_core/heap_chunks.ts";
import type { Descriptor } from "../_core/transfer.ts";
import { runtime } from "../_core/runtime.ts";
import { QueueMemoryError } from "./errors.ts";
import { FLAGS, KIND, MAGIC } from "./_layout.ts";

export const HOME_HEAP = 0;
export const HOME_SHARE = 1;
export const HOME_FULL = 2;
export const HOME_PLACED = 3;
export const HOME_FIXED = 4;
export const HOME_LARGE = 5;
/** Bounded queues: the home code's bits in FLAGS, once shifted. */
export const HOME_MASK = 7;
/**
 * Largest bounded queue (header, ring and byte region) that lives in the
 * shared heap: what a queue chunk's largest block holds (_core/heap_chunks.ts).
 */
export const HEAP_QUEUE_MAX: number = CHUNK_BYTES - 8;
/** Bounded queues: the home code's shift in FLAGS (bits 1-2). */
export const HOME_SHIFT = 1;
/** The chain header's slot that holds its home code (_chain.ts). */
export const CHAIN_HOME = 7;
/** The chain header's slot that holds CHAIN_MAGIC once set up (_chain.ts). */
export const CHAIN_MAGIC_SLOT = 6;
/** The value of a chain header's CHAIN_MAGIC_SLOT (_chain.ts). */
export const CHAIN_MAGIC = 0x43680003; // 3: its segments count putters' wakes too (MAGIC)

const MiB = 1024 * 1024;

/** Bytes of the heap block that a payload of `bytes` takes (a power of 2). */
export function blockBytes(bytes: number): number {
  let b = 16;
  while (b < bytes + 8) b *= 2;
  return b;
}

/**
 * Why the heap refused `bytes` for a queue just now: HOME_SHARE when the
 * queues' share has no room for its block, else HOME_FULL.
 */
export function refusal(bytes: number): number {
  const { used, cap } = heapQueueBytes();
  // Blocks up to a chunk come from the queue chunks: a new one is cut whole.
  const need = Math.max(blockBytes(bytes), CHUNK_BYTES);
  return used + need > cap ? HOME_SHARE : HOME_FULL;
}

/** The heap's largest size in MiB. */
function heapMiB(): number {
  const b = runtime().buffer;
  return Math.floor((b.growable ? b.maxByteLength : b.byteLength) / MiB);
}

/** A sentence naming a home code's cause and its limit. */
export function homeCause(code: number): string {
  const { used, cap } = heapQueueBytes();
  switch (code) {
    case HOME_SHARE:
      return `queues had taken their share of threadkit's shared heap (at most ${
        Math.round(cap / MiB)
      } MiB of its ${heapMiB()} MiB; ${Math.round(used / MiB)} MiB taken now)`;
    case HOME_FULL:
      return `threadkit's shared heap was full (${heapMiB()} MiB)`;
    case HOME_PLACED:
      return "it was placed in a caller's buffer";
    case HOME_LARGE:
      return `it is larger than the ${
        CHUNK_BYTES / MiB
      } MiB a queue may take in threadkit's shared heap`;
    case HOME_FIXED:
      return `an unbounded queue needs a heap that can grow, and threadkit's shared heap cannot grow in this runtime (${heapMiB()} MiB)`;
  }
  return "";
}

/** What gives queue memory back to the shared heap (QueueMemoryError messages). */
export const HEAP_FREES =
  "A queue's heap memory returns when the queue is dropped and collected (once its thread reaches its event loop); an unbounded LifoQueue's or PriorityQueue's items free theirs when taken";

/**
 * The heap refused a new segment block of `bytes` for an unbounded queue in
 * the heap: a QueueMemoryError that names the limit, thrown by the put that
 * needed the segment (nothing put).
 */
export class HeapRefused extends QueueMemoryError {
  constructor(bytes: number) {
    super(
      `Cannot put item in queue: the unbounded queue needs a new segment of ${bytes} bytes for it, but ${
        homeCause(refusal(bytes))
      }; nothing was put. ${HEAP_FREES}`,
    );
  }
}

/**
 * Why the queue described by `d` lives in a buffer of its own ("" when it
 * is not a queue, or its cause is unknown), for the refusal of a queue
 * inside an item.
 */
export function ownBufferCause(d: Descriptor): string {
  try {
    // Eight words: the slots read here, within a chain's header and a
    // bounded queue's alike.
    const h = new Int32Array(d.buffer, d.byteOffset, 8);
    if (
      d.tag === "threadkit.Queue.unbounded" || d.tag === "threadkit.SimpleQueue"
    ) {
      if (Atomics.load(h, CHAIN_MAGIC_SLOT) !== CHAIN_MAGIC) return "";
      return homeCause(Atomics.load(h, CHAIN_HOME));
    }
    if ((Atomics.load(h, KIND) & ~0xffff) !== MAGIC) return "";
    return homeCause((Atomics.load(h, FLAGS) >> HOME_SHIFT) & HOME_MASK);
  } catch {
    return ""; // a buffer too short for a header: not a queue
  }
}
