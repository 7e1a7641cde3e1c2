// Copyright 2026 the threadkit authors. MIT license.
// Placement of a primitive's shared words: in a caller's SharedArrayBuffer at
// a byte offset, or by default in the process-wide shared heap of the runtime
// block (_core/runtime.ts). Heap placement means every small primitive lives
// in one buffer that every thread already has, so a primitive can travel as
// (tag, offset) even through a queue's bytes. A heap region is a block of
// _core/heap.ts: `owner` (the new primitive) holds its first reference, and
// the block is freed once no thread can name it.

import { blockAlloc, holdBlock } from "./heap.ts";
import { runtime } from "./runtime.ts";

/**
 * Where a primitive keeps its shared state. By default threadkit places it in
 * its own shared heap; give `buffer` (and `byteOffset`) to place it in memory
 * you manage, for example to lay out many primitives in one buffer.
 *
 * Placed memory is the caller's, and so is keeping it apart: a new primitive
 * placed over a live one resets it (a held Lock becomes free), and writes to
 * a primitive's words from outside threadkit can break it. Queues check the
 * one thing that is cheap to check: a region whose first word is a queue's
 * header is refused with a RangeError (zero that word to reuse the region).
 */
export interface SharedPlacement {
  /** The SharedArrayBuffer to place the primitive in. */
  buffer?: SharedArrayBuffer;
  /** Byte offset into `buffer`; a multiple of the primitive's alignment. Default 0. */
  byteOffset?: number;
}

/** A primitive's region: the buffer and the byte offset of its first word. */
export interface Region {
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
}

/** Regions at least this large get a buffer of their own, not heap space. */
const HEAP_MAX_BYTES = 4096;

/**
 * Finds the region for a new primitive of `byteLength` bytes: the caller's
 * placement after validation, else heap space, else a fresh buffer.
 * @throws {TypeError} when the placement is not an object, or `buffer` is
 * not a SharedArrayBuffer.
 * @throws {RangeError} when the offset is misaligned, negative or leaves too
 * little room.
 */
export function allocRegion(
  what: string,
  byteLength: number,
  align: number,
  placement: SharedPlacement | undefined,
  owner?: object,
): Region {
  if (
    placement !== undefined &&
    (typeof placement !== "object" || placement === null)
  ) {
    // Without this a `new Lock(5)` or `new Event(null)` would be taken as
    // "no placement" (5) or fail reading a property of null.
    throw new TypeError(
      `Cannot place ${what}: placement must be an object { buffer, byteOffset }, got ${
        describe(placement)
      }`,
    );
  }
  if (placement !== undefined && placement.buffer !== undefined) {
    const byteOffset = placement.byteOffset ?? 0;
    checkRegion(what, placement.buffer, byteOffset, byteLength, align);
    return { buffer: placement.buffer, byteOffset };
  }
  if (placement?.byteOffset !== undefined) {
    throw new TypeError(`Cannot place ${what}: byteOffset needs a buffer`);
  }
  if (byteLength <= HEAP_MAX_BYTES) {
    // Blocks are 8-aligned, enough for every primitive (align <= 8).
    const byteOffset = align <= 8 ? blockAlloc(byteLength) : -1;
    if (byteOffset >= 0) {
      if (owner !== undefined) holdBlock(owner, byteOffset);
      return { buffer: runtime().buffer, byteOffset };
    }
  }
  return { buffer: new SharedArrayBuffer(byteLength), byteOffset: 0 };
}

/**
 * Validates a region given by a caller or found in a descriptor.
 * @throws {TypeError} when `buffer` is not a SharedArrayBuffer.
 * @throws {RangeError} when the offset is misaligned or out of range.
 */
export function checkRegion(
  what: string,
  buffer: unknown,
  byteOffset: unknown,
  byteLength: number,
  align: number,
): asserts buffer is SharedArrayBuffer {
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new TypeError(
      `Cannot place ${what}: buffer must be a SharedArrayBuffer, got ${
        describe(buffer)
      }`,
    );
  }
  if (
    typeof byteOffset !== "number" || byteOffset % 1 !== 0 || // (NaN too)
    byteOffset < 0
  ) {
    throw new RangeError(
      `Cannot place ${what}: byteOffset must be a non-negative integer, got ${
        String(byteOffset)
      }`,
    );
  }
  if (byteOffset % align !== 0) {
    throw new RangeError(
      `Cannot place ${what}: byteOffset ${byteOffset} is not a multiple of ${align}`,
    );
  }
  if (byteOffset + byteLength > buffer.byteLength) {
    throw new RangeError(
      `Cannot place ${what}: needs ${byteLength} bytes at offset ${byteOffset}, but the buffer has ${buffer.byteLength}`,
    );
  }
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") {
    return value.constructor?.name ?? "object";
  }
  return typeof value;
}
