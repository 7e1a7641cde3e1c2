// Copyright 2026 the threadkit authors. MIT license.
// Heap references held by queue items in flight (_core/heap.ts). Encoding a
// threadkit primitive of the shared heap into an item (_tagged.ts) notes
// its block; the put retains the blocks once the encode has succeeded, so
// each lives while the item sits in the queue, even if every handle to it
// is dropped; the get that decodes the item hands the reference to the
// handle it makes. A put that does not accept the item releases what it
// retained.
//
// Protocol (one thread; all of it synchronous): the encoder appends each
// block's offset to `held`, retaining nothing (the handle the walk met
// keeps the block alive through the synchronous encode). A put notes where
// its own offsets start (held.length before it encodes), and once the
// encode has succeeded, before it offers the item (nothing can decode it
// yet), takes them: takeHeld(from) cuts them off the stack and retains
// their blocks in one step (blockRetainAll: all or none); a pool payload
// the same with keepHeld(from) once written, before it is handed over. It
// releases what it took if the items are refused (releaseHeld). An encode
// or a size check that throws first forgets its offsets (dropHeld(from):
// nothing was retained, nothing to release). So an encode that stops
// anywhere (a stack overflow after the tag walk, where even a catch
// handler's call overflows) leaves no block retained: at worst unretained
// offsets above the next put's mark, which no put takes or releases.
// Puts nest: an item's getter, a Proxy trap or a codec may put into a queue
// while an outer put is encoding. The inner put's offsets lie above the
// outer's mark and it takes or drops them before the outer encoding goes
// on, so `held` is a stack and each put sees exactly its own references.
//
// A refused put's release can itself overflow the stack: its handler runs
// at the depth of the frame that caught, and the release makes calls. The
// handlers of putKept and putAsyncKept (_accept.ts) therefore try it and,
// if it throws, note the references left (`unreleased`, an inline store: no
// call) before they rethrow; Taken.next says how far the release got (a
// block is released once: before each blockRelease, next names it, after
// it the one after; a release stopped at a call's entry released nothing
// there). The next put of this thread releases them first (releaseLeft),
// before it encodes anything: where that overflows too, it throws with
// nothing done and the references stay noted.

import { blockRelease, blockRetainAll } from "../_core/heap.ts";

/** Offsets an encode noted (not retained) that no put has taken yet. */
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
  /** The first reference a release (releaseHeld) has not released yet. */
  next: number;
}

/**
 * Taken references whose release a stack overflow stopped, each from its
 * `next` on: released by this thread's next put (releaseLeft).
 */
export const unreleased: Taken[] = [];

const NO_MARKS: number[] = [];

/**
 * Takes the references of the put whose encoding started when `held` had
 * `from` entries, retaining their blocks (undefined: it took none). A batch
 * passes `marksFrom`, the length of `marks` when it started, to take its
 * item marks too. A throw (a stack overflow) retained nothing.
 */
export function takeHeld(
  from: number,
  marksFrom = -1,
): Taken | undefined {
  if (held.length === from) {
    if (marksFrom >= 0) marks.length = marksFrom;
    return undefined;
  }
  const ms = marksFrom < 0 ? NO_MARKS : cut(marks, marksFrom);
  for (let i = 0; i < ms.length; i++) ms[i] -= from;
  const refs = cut(held, from);
  blockRetainAll(refs);
  return { refs, marks: ms, next: 0 };
}

// a.splice(from), without the species lookup of a program's
// Array.prototype.constructor or Array[Symbol.species].
function cut(a: number[], from: number): number[] {
  const out: number[] = [];
  for (let i = from; i < a.length; i++) out[i - from] = a[i];
  a.length = from;
  return out;
}

/**
 * A pool payload was written: the references from `from` now belong to it
 * (retained, taken off the stack), before it is handed over.
 */
export function keepHeld(from: number): void {
  if (held.length === from) return;
  blockRetainAll(held, from);
  held.length = from;
}

/**
 * Releases the references from taken.next on: all of them unless the
 * caller moved it (a batch put that accepted n items: the first reference
 * past theirs, marks[n]).
 */
export function releaseHeld(taken: Taken | undefined): void {
  if (taken === undefined) return;
  const refs = taken.refs;
  while (taken.next < refs.length) {
    blockRelease(refs[taken.next]); // (a stop here: see the header)
    taken.next++;
  }
}

/**
 * Releases what stack overflows kept from release (`unreleased`), one by
 * one; a put calls it first when there are any.
 */
export function releaseLeft(): void {
  while (unreleased.length > 0) {
    releaseHeld(unreleased[unreleased.length - 1]);
    unreleased.length--;
  }
}

/**
 * Forgets the offsets no put took (an encode or check threw; nothing was
 * retained): those from `from` on, and the item marks from `marksFrom` on
 * (a batch).
 */
export function dropHeld(from: number, marksFrom = -1): void {
  if (held.length > from) held.length = from;
  if (marksFrom >= 0 && marks.length > marksFrom) marks.length = marksFrom;
}
