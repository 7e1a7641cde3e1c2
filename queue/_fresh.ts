// Copyright 2026 the threadkit authors. MIT license.
// Every try of a getMany or getManyAsync on a numeric FIFO ring (_get.ts
// takeMany: the first, and each after a wait, which used to append to an
// empty array through the general path): the items
// go into this thread's scratch typed array with the ring's batch get into
// a typed array (Store.tryGetInto: TypedArray.set copies, the claim, the
// role check of a single reader), and from there into a fresh JS array of
// exactly their number.
//
// Why: getMany must return a fresh JS array, and how it is made is most of
// a numeric batch's cost. The general path appends to an empty array
// (Store.tryGetMany, copyOut in _ring_head.ts), which sets its length first:
// a runtime call that grows the backing store, where `new Array(n)` is an
// inline allocation of the right size, and the copy then reads a non-shared
// array the set just wrote. Same process, one thread, putMany(1024) then a
// get of 1024, CPU an item (bench/batch_ab.mjs): see BENCHMARKS.md
// (putMany/getMany ×1024).
//
// Nothing changes in what is taken or when: the claim is the ring's batch
// claim (one compareExchange of HEAD after the copy, _ring.ts #takeMany),
// the same as tryGetMany's, and a single reader's role is checked by
// tryGetInto as by tryGetMany (_solo.ts). The scratch holds copies of taken
// items only until this call returns (no other code of this thread runs in
// between: no user code, no await); it is this thread's, per element type,
// and at most FRESH_MAX items (larger batches take the general path: there
// the length-setting call is a smaller share, and `new Array(n)` past 2^16
// would not be a fast array on every engine).

import type { NumericArray, NumericInfo } from "./_layout.ts";
import type { Ring } from "./_ring.ts";

/** Largest batch taken this way (items). */
export const FRESH_MAX = 4096;

// This thread's scratch arrays, by element type: the last one used in a
// pair of variables (one queue type is the common case), the others in a map.
let lastType: NumericInfo["Array"] | undefined;
let lastScratch: NumericArray | undefined;
const scratches = new Map<NumericInfo["Array"], NumericArray>();

function scratch(type: NumericInfo["Array"]): NumericArray {
  if (type === lastType) return lastScratch!;
  let s = scratches.get(type);
  if (s === undefined) {
    s = new (type as unknown as new (n: number) => NumericArray)(FRESH_MAX);
    scratches.set(type, s);
  }
  lastType = type;
  return lastScratch = s;
}

/**
 * Takes up to `most` (<= FRESH_MAX) items from `ring` into a fresh array of
 * exactly their number; undefined when the ring had none.
 */
export function takeFresh(
  ring: Ring,
  info: NumericInfo,
  most: number,
): unknown[] | undefined {
  const s = scratch(info.Array);
  const n = ring.tryGetInto(s, 0, most);
  if (n <= 0) return undefined;
  const out: unknown[] = new Array(n);
  let k = 0;
  for (; k + 8 <= n; k += 8) { // 8 stores a step (copyOut, _ring_head.ts)
    out[k] = s[k];
    out[k + 1] = s[k + 1];
    out[k + 2] = s[k + 2];
    out[k + 3] = s[k + 3];
    out[k + 4] = s[k + 4];
    out[k + 5] = s[k + 5];
    out[k + 6] = s[k + 6];
    out[k + 7] = s[k + 7];
  }
  for (; k < n; k++) out[k] = s[k];
  return out;
}
