// Copyright 2026 the threadkit authors. MIT license.
// Heap references held by queue items in flight (_core/heap.ts). Encoding a
// threadkit primitive of the shared heap into an item (_tagged.ts) retains
// its block, so the block lives while the item sits in the queue, even if
// every handle to it is dropped; the get that decodes the item hands the
// reference to the handle it makes. A put that does not accept the item
// releases what its encoding retained.
//
// Protocol (one thread; all of it synchronous): the encoder appends each
// retained offset to `held`. A put notes where its own references start
// (held.length before it encodes, heldMark), and after encoding takes only
// those (takeHeld(from)), before anything else can encode; it releases what
// it took if the items are refused (releaseHeld). An encode or a size check
// that throws before the put took them releases them itself (dropHeld(from)).
// Puts nest: an item's getter, a Proxy trap or a codec may put into a queue
// while an outer put is encoding. The inner put's references lie above the
// outer's mark and it takes or drops them before the outer encoding goes on,
// so `held` is a stack and each put sees exactly its own references.

import { blockRelease } from "../_core/heap.ts";

/** Offsets retained by encodes not yet taken by their put. */
export const held: number[] = [];
/**
 * For a batch: held.length before item i was encoded (absolute; takeHeld
 * makes them relative to the batch's references).
 */
export const marks: number[] = [];

/** What one put took: the references and, for a batch, the item marks. */
export interface Taken {
  readonly refs: number[];
  readonly marks: number[];
}

const NO_MARKS: number[] = [];

/**
 * Takes the references of the put whose encoding started when `held` had
 * `from` entries (undefined: it took none). A batch passes `marksFrom`, the
 * length of `marks` when it started, to take its item marks too.
 */
export function takeHeld(
  from: number,
  marksFrom = -1,
): Taken | undefined {
  if (held.length === from) {
    if (marksFrom >= 0) marks.length = marksFrom;
    return undefined;
  }
  if (marksFrom < 0) return { refs: cut(held, from), marks: NO_MARKS };
  const ms = cut(marks, marksFrom);
  for (let i = 0; i < ms.length; i++) ms[i] -= from;
  return { refs: cut(held, from), marks: ms };
}

// a.splice(from), without the species lookup of a program's
// Array.prototype.constructor or Array[Symbol.species].
function cut(a: number[], from: number): number[] {
  const out: number[] = [];
  for (let i = from; i < a.length; i++) out[i - from] = a[i];
  a.length = from;
  return out;
}

/** A put accepted its item: the references from `from` now belong to it. */
export function keepHeld(from: number): void {
  if (held.length !== from) held.length = from;
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

/**
 * Releases references no put took (an encode or check threw): those from
 * `from` on, and the item marks from `marksFrom` on (a batch).
 */
export function dropHeld(from: number, marksFrom = -1): void {
  for (let i = from; i < held.length; i++) blockRelease(held[i]);
  held.length = from;
  if (marksFrom >= 0) marks.length = marksFrom;
}
