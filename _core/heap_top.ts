// Copyright 2026 the threadkit authors. MIT license.
// The top of the shared heap: claiming bytes past HEAP_TOP of the runtime
// block (_core/runtime.ts, its "Heap states" table) and growing the block
// to cover them. _core/heap.ts cuts blocks from what this claims.

import { HEAP_TOP, runtime } from "./runtime.ts";

/** Largest single growth step: the heap doubles up to here, then adds this. */
const GROW_STEP = 64 * 1024 * 1024;

/**
 * Allocates `bytes` from the shared heap, aligned to `align` bytes, growing
 * the block when the heap reaches its end. Returns the byte offset into the
 * runtime buffer, or -1 when the heap cannot hold it (the block is at its
 * largest, or growing failed); the caller then allocates a buffer of its own.
 */
export function heapAlloc(bytes: number, align: number): number {
  const { view, buffer } = runtime();
  const max = buffer.growable ? buffer.maxByteLength : buffer.byteLength;
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

// Grows `buffer` to at least `end` bytes. Threads may grow at once: grow()
// refuses to shrink (RangeError), so a grow that lost to a larger one throws,
// and the loop then sees a length past `end`. False only when the memory
// cannot be had (the claimed bytes are then lost; later calls try again).
function grownTo(buffer: SharedArrayBuffer, end: number): boolean {
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
