// Copyright 2026 the threadkit authors. MIT license.
// How QueueBase's puts (_core.ts) settle the heap references their encoding
// took (_held.ts): kept by an accepted item, released for refused ones.

import { keepHeld, releaseHeld, type Taken } from "./_held.ts";
import { afterPut, type QueueState } from "./_state.ts";

/**
 * A put accepted its item: the references its encoding took (from `from`
 * in `held`) now belong to the item.
 */
export function accepted(st: QueueState, from: number): void {
  keepHeld(from);
  afterPut(st, 1);
}

/** putManyAsync's end: releases the references of the items not put. */
export async function settleHeld(
  done: Promise<number>,
  taken: Taken,
): Promise<number> {
  let n = 0;
  try {
    n = await done;
  } finally {
    releaseHeld(taken, n);
  }
  return n;
}
