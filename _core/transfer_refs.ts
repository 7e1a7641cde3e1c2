// Copyright 2026 the threadkit authors. MIT license.
// The heap references an encoded value holds (_core/transfer.ts, "Heap
// references"): each marked descriptor of a primitive in the shared heap
// holds one, from encode to decode. These walks find them, at the cost of
// the value's own keys (a sparse array's few, not its length) and calling
// no method a program can replace (index loops; Map and Set read through
// the primordials captured at load).

import { blockRelease, blockRetain, isBlock } from "./heap.ts";
import {
  clonesAsPlain,
  HOLES,
  indicesAfter,
  isIndex,
  keysOf,
  MARK,
} from "./transfer_keys.ts";
import { arrayIsArray, hasOwn, walkSet } from "./primordials.ts";
import { entriesOf } from "./primordials_slots.ts";

/**
 * Releases the in-flight reference of every heap primitive in `encoded`
 * (an encoded value that no thread will decode: see _core/claim.ts).
 */
export function releaseTransfer(encoded: unknown): void {
  forEachReference(encoded, blockRelease, undefined);
}

/**
 * Adds one reference per heap primitive in `encoded`, for one more decode
 * of a clone of it (an executor's initArgs, decoded once per pool thread).
 */
export function retainTransfer(encoded: unknown): void {
  forEachReference(encoded, blockRetain, undefined);
}

/** A marker's descriptor, as far as references go. */
interface Held {
  readonly byteOffset: number;
  readonly extra?: unknown;
  readonly heap?: true;
}

/**
 * Calls `f` with the block of every heap marker in an encoded value (in
 * descriptors' extras too), skipping the markers in `skip`.
 */
export function forEachReference(
  value: unknown,
  f: (byteOffset: number) => void,
  skip: Set<object> | undefined,
  seen = walkSet<object>(),
): void {
  if (typeof value !== "object" || value === null || seen.has(value)) return;
  seen.add(value);
  const pairs = entriesOf(value); // a Map's keys and values, a Set's values
  if (pairs !== undefined) {
    for (let i = 0; i < pairs.length; i++) {
      forEachReference(pairs[i], f, skip, seen);
    }
    return;
  }
  const isArray = arrayIsArray(value);
  if (!isArray && !clonesAsPlain(value)) return;
  if (!isArray && hasOwn(value, MARK)) {
    const w = (value as Record<string, unknown>)[MARK] as Held;
    if (w.heap === true && !skip?.has(value) && isBlock(w.byteOffset)) {
      f(w.byteOffset);
    }
    forEachReference(w.extra, f, skip, seen);
    return;
  }
  if (isArray) {
    const arr = value as unknown[];
    let holes = 0;
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v === "object") forEachReference(v, f, skip, seen);
      else if (v === undefined && !(i in arr) && ++holes > HOLES) {
        if (holes <= i + 1 - holes) continue;
        const rest = indicesAfter(arr, i);
        for (let j = 0; j < rest.length; j++) {
          forEachReference(arr[rest[j]], f, skip, seen);
        }
        break;
      }
    }
  }
  const keys = keysOf(value);
  for (let i = 0; i < keys.length; i++) {
    if (isArray && isIndex(keys[i])) continue;
    forEachReference(
      (value as Record<string, unknown>)[keys[i]],
      f,
      skip,
      seen,
    );
  }
}
