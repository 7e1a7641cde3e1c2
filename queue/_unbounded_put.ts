// Copyright 2026 the threadkit authors. MIT license.
// An unbounded queue's puts (_unbounded.ts): putOne and putOneAsync encode
// the item once and offer that encoding to the newest segment; when it
// refuses it: grow the chain (full below the maximum, or the item too large
// for the segment's byte region), wait for another thread's grow (the
// segment was retired), or give up, releasing the encoding's references.
// Nothing was put when a segment throws. Also the batch puts (putMany,
// putManyAsync: a batch is encoded once, and each segment it goes on to
// takes the same encoding from its first item not put) and the deadline
// helpers.

import type { Acquire, WaitOptions } from "../_core/wait.ts";
import type { Chain } from "./_chain.ts";
import { UNBOUNDED_MAX_BYTES } from "./_chain_memory.ts";
import type { QueueOptions } from "./_core.ts";
import { HOLD_END } from "./_decoding.ts";
import { UNTIMED } from "./_grow_wait.ts";
import { GRACE_END } from "./_held_turn.ts";
import { NOWAIT as NO_TRY_WAIT, queueOptions } from "./_init.ts";
import { NEED } from "./_text_run.ts";
import { GET_WAITERS, NOT_EMPTY } from "./_layout.ts";
import { QueueFullError, QueueShutDownError } from "./errors.ts";
import { retryRefused } from "./_grow.ts";
import { encodeKept, offerAsync, offerRaw, settleHeld } from "./_accept.ts";
import { stateOf } from "./_core.ts";
import {
  held,
  marks,
  releaseHeld,
  releaseLeft,
  takeHeld,
  unreleased,
} from "./_held.ts";
import { putRaws, putRawsAsync, type RawBatch } from "./_put.ts";
import { graced } from "./_held_turn.ts";
import { own, toRaws } from "./_glue.ts";
import { afterPut, type QueueState } from "./_state.ts";

/** afterPutError: stop and return the count. */
export const STOP: number = -2;
/** afterPutError: wait for another thread's grow. */
export const WAIT: number = -1;

/** The bytes an item too large for its segment needs (0: another error). */
function needOf(error: unknown): number {
  return error instanceof RangeError
    ? (error as { [NEED]?: number })[NEED] ?? 0
    : 0;
}

// What a put does after segment s threw `error`: grow (returns 0: s was
// full below the maximum; or the bytes the item needs: too large for s,
// even at the maximum), WAIT for a grow (s was retired while the queue is
// open), STOP (a batch that put some items returns the count), or rethrow.
export function afterPutError(
  error: unknown,
  atMax: boolean,
  shut: boolean,
  done: number,
): number {
  const need = needOf(error);
  if (need > UNBOUNDED_MAX_BYTES) error = tooLarge(need);
  else if (need > 0) return need;
  else if (error instanceof QueueFullError && !atMax) return 0;
  else if (error instanceof QueueShutDownError && !shut) return WAIT;
  if (done > 0) return STOP;
  throw error;
}

/** A fresh RangeError for an item over the largest byte region. */
function tooLarge(need: number): RangeError {
  return new RangeError(
    `Cannot put item in queue: it encodes to ${
      need - 1
    } bytes, but an unbounded queue holds items of at most ${
      UNBOUNDED_MAX_BYTES - 1
    } bytes (64 MiB)`,
  );
}

// After waiting for a grow: whether segment s still has no successor and
// the caller may not wait longer (block: false, or its deadline passed), so
// it gives up instead of looking again. (A grow publishes its segment
// before it releases LOCK, so this is a safety net, not the usual path.)
export function stuck(c: Chain<unknown>, s: number, o: Acquire): boolean {
  return c.last() === s && (!o.blocking || performance.now() >= o.deadline);
}

/** The options of a try that must not wait. */
export const NOWAIT: QueueOptions = { block: false };

/**
 * A get's try of an older segment that must not wait (NOWAIT), with the
 * call's signal and deadline: its wait for a holder that copies
 * (IDLE_GRACE at most: _held_turn.ts retryHeld) ends at an abort or the
 * call's deadline too (GRACE_END). Puts use holdTry.
 */
export function nowaitOf(o: Acquire): QueueOptions {
  if (o.signal === undefined && o.deadline === Infinity) return NOWAIT;
  const w = { block: false, signal: o.signal, [GRACE_END]: o.deadline };
  return w as QueueOptions;
}

/**
 * A put's try of a segment (any put form of an unbounded queue): takes
 * what room the segment has now, without waiting for room (a full segment
 * grows instead), but waits for a TAIL held by another thread until the
 * call's deadline, however far (HOLD_END, _decoding.ts; Infinity for an
 * untimed call and for `block: false`), looking at its signal where the
 * async forms wait (retryHeld). Python's SimpleQueue.put and an unbounded
 * Queue's put and put_nowait never fail: a holder that is only slow (kept
 * off the cores) must not make them report Full, as IDLE_GRACE did
 * (nowaitOf, which gets still use). A holder that died inside its copy is
 * waited for as a blocking put into a bounded queue waits for it (TAIL
 * names no holder: _turn.ts "A holder that stops").
 */
export function holdTry(o: Acquire): QueueOptions {
  if (o.signal === undefined && o.deadline === Infinity) return HOLD;
  return { block: false, signal: o.signal, [HOLD_END]: o.deadline } as never;
}
const HOLD = { block: false, [HOLD_END]: Infinity } as QueueOptions;

/**
 * The wait of a put's grow (Chain.grow, growAsync, awaitGrow, stuck): the
 * call's own if it blocks; for a `block: false` put, a blocking one with
 * no deadline (and the call's signal, if any): it waits for the held TAIL
 * of the segment it grows past, and for another thread's grow, as long as
 * they take, instead of IDLE_GRACE (see holdTry).
 */
export function growOf(o: Acquire): Acquire {
  if (o.blocking) return o;
  if (o.signal === undefined) return UNTIMED;
  return { blocking: true, deadline: Infinity, signal: o.signal };
}

/**
 * UnboundedQueue.put and putNowait over chain `c`: `item` encoded once (for
 * the newest segment's store, its size checked against each segment it
 * tries), put into the newest segment without waiting for room; when that
 * one is full, the chain grows and the same encoding goes into the new one;
 * at the maximum it waits in the newest segment as a bounded queue would.
 * A retired segment (QueueShutDownError while the chain is open) sends it
 * to the next. A put that gives up releases the encoding's references.
 */
export function putOne<T>(
  c: Chain<T>,
  item: T,
  options: QueueOptions | undefined,
): void {
  const o = queueOptions(options); // validates, even when no wait is needed
  const g = growOf(o), deadline = deadlineOf(options);
  // Its references taken as its last step: no call before the try.
  const e = encodeKept(stateOf(c.segment(c.last())), item, false);
  let put: QueueState | undefined;
  try {
    let blocked = -1; // a segment that cannot grow now: wait in it
    for (let first = options === undefined;; first = false) {
      const s = c.last();
      const q = c.segment(s), st = stateOf(q);
      const atMax = q.capacity >= c.max || blocked === s;
      try {
        st.store.check(e.raw);
        // An untimed put's hot path first, as a segment's putNowait: a try
        // that waits for a held TAIL IDLE_GRACE at most (a call with a
        // deadline must not wait that long: it goes to the try below, as
        // does a full, retired or still held segment).
        if (first && !atMax && st.store.tryPut(e.raw, NO_TRY_WAIT) > 0) {
          put = st;
          break;
        }
        // The segment try waits for a held TAIL until the call's deadline,
        // however far (holdTry); only a blocking call at the maximum waits
        // for room.
        const w = atMax && o.blocking
          ? remaining(options, deadline)
          : holdTry(o);
        if (offerRaw(st, e.raw, acquireOf(w))) put = st;
        break;
      } catch (error) {
        const need = afterPutError(error, atMax, c.isShutdown, 0);
        if (need !== WAIT) {
          if (!c.grow(s, need, g)) blocked = s;
        } else {
          c.awaitGrow(s, g);
          if (stuck(c, s, g)) throw new QueueFullError();
        }
      }
    }
  } catch (error) {
    try {
      releaseHeld(e.taken); // (inline: see _accept.ts putKept)
    } catch { // a stack overflow: no call here (queue/_held.ts)
      if (e.taken !== undefined) unreleased[unreleased.length] = e.taken;
    }
    throw error;
  }
  if (put !== undefined) {
    try {
      afterPut(put, 1);
    } catch {
      // An overflow at its entry: its wake, inline (_state.ts "Accepted").
      const h = put.h;
      if (put.store.wakes !== true && Atomics.load(h, GET_WAITERS) > 0) {
        Atomics.add(h, NOT_EMPTY, 1);
        const woke = Atomics.load(h, GET_WAITERS) > 0
          ? Atomics.notify(h, NOT_EMPTY, 1)
          : 0;
        if (woke > 0) Atomics.sub(h, GET_WAITERS, woke);
      }
    }
  }
}

/** UnboundedQueue.putAsync over chain `c`: putOne's async form. */
export async function putOneAsync<T>(
  c: Chain<T>,
  item: T,
  options: QueueOptions | undefined,
): Promise<void> {
  const o = queueOptions(options);
  const g = growOf(o), deadline = deadlineOf(options);
  const e = encodeKept(stateOf(c.segment(c.last())), item, false);
  let put: QueueState | undefined;
  try {
    let blocked = -1;
    for (;;) {
      const s = c.last();
      const q = c.segment(s), st = stateOf(q);
      const atMax = q.capacity >= c.max || blocked === s;
      try {
        const w = atMax && o.blocking
          ? remaining(options, deadline)
          : holdTry(o);
        st.store.check(e.raw);
        const ow = w === HOLD
          ? holdOptions ??= queueOptions(HOLD)
          : queueOptions(w);
        const f = offerAsync(st, e, ow, w);
        if (typeof f === "boolean" ? f : await f) put = st;
        break;
      } catch (error) {
        const need = afterPutError(error, atMax, c.isShutdown, 0);
        // Every await here keeps the encoding past this task: owned first.
        if (!e.owned) {
          e.raw = own(e.raw);
          e.owned = true;
        }
        if (need !== WAIT) {
          if (!(await growAsyncOnceMore(c, s, need, g))) blocked = s;
        } else {
          await c.awaitGrowAsync(s, g);
          if (stuck(c, s, g)) throw new QueueFullError();
        }
      }
    }
  } catch (error) {
    try {
      releaseHeld(e.taken); // (inline: see _accept.ts putKept)
    } catch { // a stack overflow: no call here (queue/_held.ts)
      if (e.taken !== undefined) unreleased[unreleased.length] = e.taken;
    }
    throw error;
  }
  if (put !== undefined) {
    try {
      afterPut(put, 1);
    } catch {
      // An overflow at its entry: its wake, inline (_state.ts "Accepted").
      const h = put.h;
      if (put.store.wakes !== true && Atomics.load(h, GET_WAITERS) > 0) {
        Atomics.add(h, NOT_EMPTY, 1);
        const woke = Atomics.load(h, GET_WAITERS) > 0
          ? Atomics.notify(h, NOT_EMPTY, 1)
          : 0;
        if (woke > 0) Atomics.sub(h, GET_WAITERS, woke);
      }
    }
  }
}

// Chain.growAsync for an async put, once more after a turn when the heap
// refused its segment (retryRefused).
function growAsyncOnceMore<T>(
  c: Chain<T>,
  s: number,
  need: number,
  g: Acquire,
): Promise<boolean> {
  return c.growAsync(s, need, g).catch((error) =>
    retryRefused(error, () => c.growAsync(s, need, g))
  );
}

// A segment try's Acquire, as QueueBase.put makes it from its options
// (graced: the deadline of holdTry's HOLD_END or nowaitOf's GRACE_END).
function acquireOf(w: QueueOptions | undefined): Acquire {
  if (w === HOLD) return holdAcquire ??= graced(queueOptions(HOLD), HOLD);
  const o = queueOptions(w);
  return w === undefined ? o : graced(o, w);
}
// HOLD's wait options and Acquire, made once.
let holdOptions: Acquire | undefined, holdAcquire: Acquire | undefined;

/**
 * UnboundedQueue.putMany over chain `c`: the count put. The batch is
 * encoded once (for the newest segment's store, unchecked: toRaws) and its
 * references taken; each segment it tries is given the same encoding from
 * the first item not put yet (checked against that segment's region), as
 * putOne gives one item's; the references of the items not put are
 * released at the end, as QueueBase.putMany does (_accept.ts putManyKept).
 */
export function putMany<T>(
  c: Chain<T>,
  items: ArrayLike<T>,
  options: QueueOptions | undefined,
): number {
  const o = queueOptions(options); // validates before anything is put
  const g = growOf(o), deadline = deadlineOf(options);
  if (unreleased.length > 0) releaseLeft(); // (_held.ts)
  const from = held.length, marksFrom = marks.length;
  const raws = toRaws(stateOf(c.segment(c.last())), items, false);
  const taken = takeHeld(from, marksFrom);
  let done = 0;
  try {
    for (let blocked = -1;;) {
      const s = c.last();
      const q = c.segment(s), st = stateOf(q);
      const atMax = q.capacity >= c.max || blocked === s;
      let need = 0;
      try {
        st.store.check(raws, done); // the rest only: it sizes the grow
        const w = atMax && o.blocking
          ? remaining(options, deadline)
          : holdTry(o);
        done += putRaws(st, raws, acquireOf(w), done);
        if (done === raws.length || atMax) return done;
      } catch (error) {
        try {
          need = afterPutError(error, atMax, c.isShutdown, done);
        } catch (again) { // an overflow here too: the count stands
          if (done > 0) return done;
          throw again;
        }
        if (need === STOP) return done;
      }
      try {
        if (need === WAIT) c.awaitGrow(s, g);
        // Full or too large: grow, put the rest (or wait in s: it cannot).
        else if (!c.grow(s, need, g)) blocked = s;
      } catch (error) {
        if (done > 0) return done; // the buffer could not grow
        throw error;
      }
    }
  } finally {
    // The items not put, from item `done` on (all of them on a throw),
    // inline: a release that overflows the stack leaves them to the next
    // put, and nothing here calls but the release (_held.ts).
    if (taken !== undefined) {
      const { refs, marks } = taken;
      taken.next = done === 0
        ? 0
        : done < marks.length
        ? marks[done]
        : refs.length;
      try {
        releaseHeld(taken);
      } catch {
        unreleased[unreleased.length] = taken;
      }
    }
  }
}

/** UnboundedQueue.putManyAsync over chain `c`: the count put (as putMany). */
export function putManyAsync<T>(
  c: Chain<T>,
  items: ArrayLike<T>,
  options: QueueOptions | undefined,
): Promise<number> {
  let o: Acquire, raws: ArrayLike<unknown>;
  if (unreleased.length > 0) releaseLeft(); // (_held.ts)
  const from = held.length, marksFrom = marks.length;
  try {
    o = queueOptions(options);
    raws = toRaws(stateOf(c.segment(c.last())), items, false);
  } catch (error) {
    return Promise.reject(error);
  }
  const taken = takeHeld(from, marksFrom);
  const b: RawBatch = { raws, owned: false };
  const done = putRawsChain(c, b, o, options);
  return taken === undefined ? done : settleHeld(done, taken);
}

// putManyAsync's loop over the chain's segments.
async function putRawsChain<T>(
  c: Chain<T>,
  b: RawBatch,
  o: Acquire,
  options: QueueOptions | undefined,
): Promise<number> {
  const g = growOf(o), deadline = deadlineOf(options);
  let done = 0, blocked = -1;
  for (;;) {
    const s = c.last();
    const q = c.segment(s), st = stateOf(q);
    const atMax = q.capacity >= c.max || blocked === s;
    let need = 0;
    try {
      st.store.check(b.raws, done);
      const w = atMax && o.blocking ? remaining(options, deadline) : holdTry(o);
      const ow = w === HOLD
        ? holdOptions ??= queueOptions(HOLD)
        : queueOptions(w);
      done += await putRawsAsync(st, b, ow, w, done);
      if (done === b.raws.length || atMax) return done;
    } catch (error) {
      need = afterPutError(error, atMax, c.isShutdown, done);
      if (need === STOP) return done;
    }
    // Every await below keeps the encoding past this task: owned first.
    if (!b.owned) {
      b.raws = own(b.raws) as ArrayLike<unknown>;
      b.owned = true;
    }
    try {
      if (need === WAIT) await c.awaitGrowAsync(s, g);
      else if (!(await growAsyncOnceMore(c, s, need, g))) blocked = s;
    } catch (error) {
      if (done > 0) return done;
      throw error;
    }
  }
}

/** The deadline (performance.now() ms) of a call's timeout; Infinity if none. */
export function deadlineOf(options: WaitOptions | undefined): number {
  const t = options?.timeout;
  return typeof t === "number" && t >= 0 ? performance.now() + t : Infinity;
}

/** The caller's options with the time left; the segment validates them. */
export function remaining<O extends WaitOptions>(
  options: O | undefined,
  deadline: number,
): O | undefined {
  if (options === undefined || deadline === Infinity) return options;
  return { ...options, timeout: Math.max(0, deadline - performance.now()) };
}
