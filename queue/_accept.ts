// Copyright 2026 the threadkit authors. MIT license.
// How QueueBase's puts (_core.ts) settle the heap references their encoding
// took (_held.ts): kept by an accepted item, released for refused ones.

import type { Acquire } from "../_core/wait.ts";
import { type QueueOptions, queueOptions } from "./_init.ts";
import { own, toRaw, toRaws } from "./_glue.ts";
import { BUSY_COUNT, GET_WAITERS, NO_WAIT, NOT_EMPTY } from "./_layout.ts";
import { held, marks, releaseHeld, takeHeld, type Taken } from "./_held.ts";
import { releaseLeft, unreleased } from "./_held.ts";
import { putManyAsync, putRaws, putSlow, putSlowAsync } from "./_put.ts";
import { afterPut, busyPut, type QueueState, shutDown } from "./_state.ts";
import { graced, retryHeld } from "./_held_turn.ts";
import { retryRefused } from "./_grow.ts";

/**
 * An item encoded once for a put (toRaw), with the heap references its
 * encoding took (_held.ts): they belong to the item once it is put, and
 * the put releases them (releaseKept) when it gives up. `raw` is replaced
 * by its own copy (own()) before the put's first await.
 */
export interface Encoded {
  raw: unknown;
  owned: boolean;
  taken: Taken | undefined;
}

/**
 * Encodes `item` for st's store and takes its references. `checked` false:
 * the store's size check is left to the caller (an unbounded queue checks
 * the encoding against each segment it tries: _unbounded_put.ts).
 */
export function encodeKept(
  st: QueueState,
  item: unknown,
  checked = true,
): Encoded {
  if (unreleased.length > 0) releaseLeft(); // (_held.ts)
  const from = held.length; // this put's references start here (_held.ts)
  let raw: unknown;
  try {
    raw = toRaw(st, item, checked);
  } catch (error) {
    if (held.length > from) held.length = from; // (forgot: see _held.ts)
    throw error;
  }
  const e: Encoded = { raw, owned: false, taken: undefined };
  // Retained once the encode succeeded, before any get can see the item;
  // the last step here (its caller's handler releases them: see putKept).
  e.taken = takeHeld(from);
  return e;
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
  let first: boolean;
  try {
    first = offerRaw(st, raw, o);
  } catch (error) {
    // Inline, as every put's handler (putAsyncKept, _unbounded_put.ts): a
    // call here could overflow at its entry and release nothing (_held.ts).
    try {
      releaseHeld(taken);
    } catch { // a stack overflow: no call here (_held.ts)
      if (taken !== undefined) unreleased[unreleased.length] = taken;
    }
    throw error;
  }
  if (first) {
    try {
      afterPut(st, 1);
    } catch {
      // An overflow at its entry: its wake, inline (_state.ts "Accepted").
      const h = st.h;
      if (st.store.wakes !== true && Atomics.load(h, GET_WAITERS) > 0) {
        Atomics.add(h, NOT_EMPTY, 1);
        const woke = Atomics.load(h, GET_WAITERS) > 0
          ? Atomics.notify(h, NOT_EMPTY, 1)
          : 0;
        if (woke > 0) Atomics.sub(h, GET_WAITERS, woke);
      }
    }
  }
}

/**
 * A put of an encoded item (`raw`) into st's store, waiting as `o` says:
 * returns once it is in, else throws as put does. It releases nothing: the
 * caller settles the references (putKept; an unbounded queue's put tries
 * the next segment with the same encoding). True: the first try put it,
 * and the caller wakes getters (afterPut), outside the handler that
 * releases a refused item's references.
 */
export function offerRaw(st: QueueState, raw: unknown, o: Acquire): boolean {
  // tryPut throws only on a corrupt queue word (queue/_corrupt.ts).
  const r = st.store.tryPut(raw, o);
  if (r > 0) return true;
  if (r < 0) throw r === BUSY_COUNT ? busyPut(o) : shutDown("put");
  putSlow(st, raw, 0, true, o);
  return false;
}

/** QueueBase.putAsync: offerAsync, references settled. */
export async function putAsyncKept(
  st: QueueState,
  item: unknown,
  options: QueueOptions | undefined,
): Promise<void> {
  const o = queueOptions(options);
  // Taken off this thread's stack (and retained) before the item is offered
  // and before any await (_held.ts: another put of this thread may encode
  // meanwhile); they belong to the item once put.
  const e = encodeKept(st, item);
  let first: boolean;
  try {
    const f = offerAsync(st, e, o, options);
    first = typeof f === "boolean" ? f : await f;
  } catch (error) {
    try {
      releaseHeld(e.taken); // (inline: see putKept)
    } catch { // a stack overflow: no call here (_held.ts)
      if (e.taken !== undefined) unreleased[unreleased.length] = e.taken;
    }
    throw error;
  }
  if (first) {
    try {
      afterPut(st, 1);
    } catch {
      // An overflow at its entry: its wake, inline (_state.ts "Accepted").
      const h = st.h;
      if (st.store.wakes !== true && Atomics.load(h, GET_WAITERS) > 0) {
        Atomics.add(h, NOT_EMPTY, 1);
        const woke = Atomics.load(h, GET_WAITERS) > 0
          ? Atomics.notify(h, NOT_EMPTY, 1)
          : 0;
        if (woke > 0) Atomics.sub(h, GET_WAITERS, woke);
      }
    }
  }
}

// e.raw, owned (own()) before an await keeps it past this task.
function kept(e: Encoded): unknown {
  if (!e.owned) {
    e.raw = own(e.raw);
    e.owned = true;
  }
  return e.raw;
}

/**
 * offerRaw's async form: one try that never waits for another thread's
 * decode (NO_WAIT), then putSlowAsync, which waits for it without blocking
 * the event loop. A heap refusal of an unbounded store's block: once more
 * after a turn (retryRefused). Answers as offerRaw (a boolean when the first
 * try settles it: no promise on the hot path); releases nothing. `e.raw`
 * is owned before any await, and whenever the item is not in when it
 * returns (the caller may try another store after awaits of its own).
 */
export function offerAsync(
  st: QueueState,
  e: Encoded,
  o: Acquire,
  options: QueueOptions | undefined,
): boolean | Promise<boolean> {
  let r: number;
  try {
    r = st.store.tryPut(e.raw, NO_WAIT);
  } catch (error) {
    return retryRefused(
      error,
      () => st.store.tryPut(e.raw, NO_WAIT),
      () => kept(e),
    ).then((r) => slowAsync(st, e, r, o, options));
  }
  return r > 0 || slowAsync(st, e, r, o, options);
}

// offerAsync past a first try that answered r.
async function slowAsync(
  st: QueueState,
  e: Encoded,
  r: number,
  o: Acquire,
  options: QueueOptions | undefined,
): Promise<boolean> {
  if (r > 0) return true;
  const mine = kept(e); // (before the throw below: see offerAsync)
  if (r === -1) throw shutDown("put");
  if (r === BUSY_COUNT && !o.blocking) { // (_held_turn.ts)
    const n = await retryHeld(
      st,
      true,
      graced(o, options),
      BUSY_COUNT,
      () => st.store.tryPut(mine, NO_WAIT),
    );
    if (n > 0) {
      try {
        afterPut(st, n);
      } catch {
        // An overflow at its entry: its wake, inline (_state.ts "Accepted").
        const h = st.h;
        if (st.store.wakes !== true && Atomics.load(h, GET_WAITERS) > 0) {
          Atomics.add(h, NOT_EMPTY, 1);
          const woke = Atomics.load(h, GET_WAITERS) > 0
            ? Atomics.notify(h, NOT_EMPTY, n)
            : 0;
          if (woke > 0) Atomics.sub(h, GET_WAITERS, woke);
        }
      }
      return false;
    }
    if (n === -1) throw shutDown("put");
    if (n === BUSY_COUNT) throw busyPut(o);
  }
  await putSlowAsync(st, mine, 0, true, o); // full: a nowait call throws
  return false;
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
