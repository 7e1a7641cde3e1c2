// Copyright 2026 the threadkit authors. MIT license.
// How QueueBase's puts (_core.ts) settle the heap references their encoding
// took (_held.ts): kept by an accepted item, released for refused ones.

import type { Acquire } from "../_core/wait.ts";
import { type QueueOptions, queueOptions } from "./_init.ts";
import { own, toRaw, toRaws } from "./_glue.ts";
import { BUSY_COUNT, NO_WAIT } from "./_layout.ts";
import { held, marks, releaseHeld, takeHeld, type Taken } from "./_held.ts";
import { releaseLeft, unreleased } from "./_held.ts";
import { putManyAsync, putRaws, putSlow, putSlowAsync } from "./_put.ts";
import { afterPut, busyPut, type QueueState, shutDown } from "./_state.ts";
import { graced, retryHeld } from "./_held_turn.ts";
import { nextTurn } from "./_grow.ts";
import { QueueMemoryError } from "./errors.ts";

/**
 * A single put's first try: `st.store.tryPut`, which throws only on a
 * corrupt queue word (queue/_corrupt.ts); the references the put took
 * (`taken`) are then released, as for any refused put. (Batch puts
 * release theirs in putManyKept and settleHeld.)
 */
export function firstTry(
  st: QueueState,
  raw: unknown,
  w: Acquire,
  taken: Taken | undefined,
): number {
  try {
    return st.store.tryPut(raw, w);
  } catch (error) {
    try {
      releaseHeld(taken);
    } catch { // a stack overflow: no call here (_held.ts)
      if (taken !== undefined) unreleased[unreleased.length] = taken;
    }
    throw error;
  }
}

/**
 * QueueBase.put: one try inline (the hot path), then putSlow; a refused
 * item's references are released.
 */
export function putKept(st: QueueState, item: unknown, o: Acquire): void {
  if (unreleased.length > 0) releaseLeft(); // (_held.ts)
  const from = held.length; // this put's references start here (_held.ts)
  let raw: unknown;
  try {
    raw = toRaw(st, item);
  } catch (error) {
    if (held.length > from) held.length = from; // (forgot: see _held.ts)
    throw error;
  }
  // Retained once the encode succeeded, before any get can see the item.
  const taken = takeHeld(from);
  const r = firstTry(st, raw, o, taken);
  if (r > 0) return afterPut(st, 1);
  try {
    if (r < 0) throw r === BUSY_COUNT ? busyPut(o) : shutDown("put");
    putSlow(st, raw, 0, true, o);
  } catch (error) {
    try {
      releaseHeld(taken);
    } catch { // a stack overflow: no call here (_held.ts)
      if (taken !== undefined) unreleased[unreleased.length] = taken;
    }
    throw error;
  }
}

/** QueueBase.putAsync: putSlowAsync past the first try, references settled. */
export async function putAsyncKept(
  st: QueueState,
  item: unknown,
  options: QueueOptions | undefined,
): Promise<void> {
  const o = queueOptions(options);
  if (unreleased.length > 0) releaseLeft(); // (_held.ts)
  const from = held.length; // this put's references start here (_held.ts)
  let raw: unknown;
  try {
    raw = toRaw(st, item);
  } catch (error) {
    if (held.length > from) held.length = from; // (as putKept)
    throw error;
  }
  // Taken off this thread's stack (and retained) before the item is offered
  // and before any await (_held.ts: another put of this thread may encode
  // meanwhile); they belong to the item once put.
  const taken = takeHeld(from);
  // Never waits for another thread's decode here (NO_WAIT): putSlowAsync
  // waits for it without blocking the event loop.
  let r: number;
  try {
    r = st.store.tryPut(raw, NO_WAIT);
  } catch (error) {
    // The heap refused an unbounded store's block: the same raw (the item
    // as it was at the call, its references kept) once more after a turn
    // in which dropped queues' finalizers may run; then as any error.
    if (!(error instanceof QueueMemoryError)) {
      try {
        releaseHeld(taken); // as firstTry
      } catch { // a stack overflow: no call here (_held.ts)
        if (taken !== undefined) unreleased[unreleased.length] = taken;
      }
      throw error;
    }
    raw = own(raw); // kept past this task (own())
    await nextTurn();
    r = firstTry(st, raw, NO_WAIT, taken);
  }
  if (r > 0) return afterPut(st, 1);
  try {
    if (r === -1) throw shutDown("put");
    const mine = own(raw); // kept past this task (own())
    if (r === BUSY_COUNT && !o.blocking) { // (_held_turn.ts)
      const n = await retryHeld(
        st,
        true,
        graced(o, options),
        BUSY_COUNT,
        () => st.store.tryPut(mine, NO_WAIT),
      );
      if (n > 0) return afterPut(st, n);
      if (n === -1) throw shutDown("put");
      if (n === BUSY_COUNT) throw busyPut(o);
    }
    await putSlowAsync(st, mine, 0, true, o); // full: a nowait call throws
  } catch (error) {
    try {
      releaseHeld(taken);
    } catch { // a stack overflow: no call here (_held.ts)
      if (taken !== undefined) unreleased[unreleased.length] = taken;
    }
    throw error;
  }
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
    // The items not put, from item n on (all of them on a throw); a
    // release that overflows the stack leaves them to the next put, and
    // nothing here calls but the release (_held.ts).
    const { refs, marks } = taken;
    taken.next = n === 0 ? 0 : n < marks.length ? marks[n] : refs.length;
    try {
      releaseHeld(taken);
    } catch {
      unreleased[unreleased.length] = taken;
    }
  }
  return n;
}

/**
 * QueueBase.putMany: encodes every item first, puts what room allows, and
 * releases the references of the items not put (all of them on a throw).
 */
export function putManyKept<T>(
  st: QueueState,
  items: ArrayLike<T>,
  o: Acquire,
): number {
  if (unreleased.length > 0) releaseLeft(); // (_held.ts)
  const from = held.length, marksFrom = marks.length;
  const raws = toRaws(st, items);
  const taken = takeHeld(from, marksFrom);
  if (taken === undefined) return putRaws(st, raws, o);
  let n = 0;
  try {
    n = putRaws(st, raws, o);
  } finally {
    // The items not put, from item n on (all of them on a throw); a
    // release that overflows the stack leaves them to the next put, and
    // nothing here calls but the release (_held.ts).
    const { refs, marks } = taken;
    taken.next = n === 0 ? 0 : n < marks.length ? marks[n] : refs.length;
    try {
      releaseHeld(taken);
    } catch {
      unreleased[unreleased.length] = taken;
    }
  }
  return n;
}

/** QueueBase.putManyAsync, with putManyKept's reference bookkeeping. */
export function putManyAsyncKept<T>(
  st: QueueState,
  items: ArrayLike<T>,
  options: QueueOptions | undefined,
): Promise<number> {
  // It encodes before its first await and its first try, and takes its
  // references between them (`took`).
  if (unreleased.length > 0) releaseLeft(); // (_held.ts)
  let taken: Taken | undefined;
  const done = putManyAsync(st, items, options, (from, marksFrom) => {
    taken = takeHeld(from, marksFrom);
  });
  return taken === undefined ? done : settleHeld(done, taken);
}
