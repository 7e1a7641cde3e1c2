// Copyright 2026 the threadkit authors. MIT license.
// Heap references held by queue items in flight (_core/heap.ts). Encoding a
// threadkit primitive of the shared heap into an item (_tagged.ts) retains
// its block, so the block lives while the item sits in the queue, even if
// every handle to it is dropped; the get that decodes the item hands the
// reference to the handle it makes. A put that does not accept the item
// releases what its encoding retained.
//
// Protocol (one thread; all of it synchronous): the encoder appends each
// retained offset to `held`; every put takes `held` right after encoding
// (takeHeld) before anything else can encode, and releases what it took if
// the items are refused (releaseHeld). An encode or a size check that throws
// before the put took them releases them itself (dropHeld). So `held` is
// empty whenever no put is between its encode and its take.

import { blockRelease } from "../_core/heap.ts";

/** Offsets retained by encodes not yet taken by their put. */
export const held: number[] = [];
/** For a batch: held.length before item i was encoded. */
export const marks: number[] = [];

/** What one put took: the references and, for a batch, the item marks. */
export interface Taken {
  readonly refs: number[];
  readonly marks: number[];
}

/** Takes the references of the put that just encoded (undefined: none). */
export function takeHeld(): Taken | undefined {
  if (held.length === 0) {
    marks.length = 0;
    return undefined;
  }
  return { refs: held.splice(0), marks: marks.splice(0) };
}

/**
 * Releases the references of items `from` onward (a batch put that
 * accepted the first `from` items); all of them by default.
 */
export function releaseHeld(taken: Taken | undefined, from = 0): void {
  if (taken === undefined) return;
  const { refs, marks } = taken;
  const start = from === 0
    ? 0
    : from < marks.length
    ? marks[from]
    : refs.length;
  for (let i = start; i < refs.length; i++) blockRelease(refs[i]);
}

/** Releases references no put took (an encode or check threw). */
export function dropHeld(): void {
  for (const at of held) blockRelease(at);
  held.length = 0;
  marks.length = 0;
}
