// Copyright 2026 the threadkit authors. MIT license.
// The put path past the first try: spinning, registering as a waiting
// putter, waiting for room, and the batched putMany loops. The first try of
// a single put stays inline in QueueBase (_core.ts).
//
// Header slots used here (full table: _layout.ts):
// | slot | name        | values                               | written by                 |
// |------|-------------|--------------------------------------|----------------------------|
// | 2    | SHUTDOWN    | 0 OPEN, 1 SHUT, 2 IMMEDIATE          | shutdown()                 |
// | 4    | PUT_WAITERS | putters registered, no wake reached  | add/sub by putters; sub by |
// |      |             | (_state.ts "Counted wakes")          | the wakers that woke them  |
// | 16   | TAIL        | items accepted, mod M (+ CLOSED bit) | putters, shutdown()        |
// | 65   | NOT_FULL    | sequence, bumped to wake putters     | getters, shutdown          |
//
// A putter's states:
//   try -full-> spin (blocking only, SPIN tries) -full-> enterPut:
//   add PUT_WAITERS, read NOT_FULL, mark the ring (the numeric ring's HEAD
//   SLEEPER bit, the structured ring's PSLEEP word: _turn.ts), try
//   again (marked: asleep on the store's lock, TAIL's turn or the locked
//   stores' Lock, it is off PUT_WAITERS, _registered.ts) -full-> wait
//   while NOT_FULL is unchanged -> leavePut: sub PUT_WAITERS (unless a
//   notify ended the wait: its waker did, _state.ts "Counted wakes"), try
//   again -full-> enterPut ...
//   Any try that puts wakes getters (afterPut); one that finds the store
//   closed throws QueueShutDownError.
// Why no lost wakeup: the waiting protocol in _state.ts (PUT_WAITERS before
// the re-try; a getter frees room before it reads PUT_WAITERS).
// BUSY_COUNT (a LifoQueue's or PriorityQueue's store lock held by another
// thread's custom decode, or a turn held past the try's wait) is handled
// as in _get.ts: busyPut's QueueFullError for a sync call, awaitBusy (and
// the wake owed after the next try, _held_turn.ts) for an async one.
// Puts learn of the shutdown from the store, atomically with adding the
// item: the ring's TAIL carries a CLOSED bit that makes every later put's
// compareExchange fail, and the locked stores read SHUTDOWN under their lock
// (see _shutdown.ts).

import { type Acquire, type WaitOutcome, waitSync } from "../_core/wait.ts";
import { own, toRaws } from "./_glue.ts";
import { held, marks } from "./_held.ts";
import { type QueueOptions, queueOptions } from "./_init.ts";
import { BUSY_COUNT, GET_WAITERS, NO_WAIT, NOT_EMPTY } from "./_layout.ts";
import { NOT_FULL, PUT_WAITERS } from "./_layout.ts";
import {
  abandon,
  afterPut,
  awaitBusy,
  busyPut,
  lookOf,
  passOn,
  type QueueState,
  shutDown,
  SPIN,
  waitRegistered,
} from "./_state.ts";
import { QueueFullError } from "./errors.ts";
import { retryRefused } from "./_grow.ts";
import { roomThere } from "./_room.ts";
import { MARK, mark } from "./_registered.ts";
import { graced, retryHeld } from "./_held_turn.ts";

/**
 * putMany's loop over encoded `raws` from `start` on: the count put (see
 * QueueBase.putMany; an unbounded queue's putMany puts one encoding into
 * each segment in turn, _unbounded_put.ts).
 */
export function putRaws(
  st: QueueState,
  raws: ArrayLike<unknown>,
  o: Acquire,
  start = 0,
): number {
  let done = start;
  while (done < raws.length) {
    try {
      const n = st.store.tryPutMany(raws, done, o);
      if (n < 0) throw n === BUSY_COUNT ? busyPut(o) : shutDown("put");
      if (n > 0) {
        done += n;
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
        continue;
      }
      done += putSlow(st, raws, done, false, o);
    } catch (error) {
      if (done > start) return done - start;
      throw error;
    }
  }
  return done - start;
}

/** QueueBase.putManyAsync: the count put. */
export function putManyAsync(
  st: QueueState,
  items: ArrayLike<unknown>,
  options: QueueOptions | undefined,
  took: (from: number, marksFrom: number) => void,
): Promise<number> {
  let o: Acquire, raws: ArrayLike<unknown>;
  const from = held.length, marksFrom = marks.length;
  try {
    o = queueOptions(options);
    raws = toRaws(st, items);
  } catch (error) {
    return Promise.reject(error);
  }
  took(from, marksFrom); // retained before the first try (_held.ts)
  return putRawsAsync(st, { raws, owned: false }, o, options, 0);
}

/**
 * A batch's encoding for putRawsAsync: `raws` is replaced by its own copy
 * (own()) before the first await (`owned`), and the caller keeps it for
 * its next store (an unbounded queue's next segment).
 */
export interface RawBatch {
  raws: ArrayLike<unknown>;
  owned: boolean;
}

/** putManyAsync's loop over encoded `b.raws` from `start` on: the count put. */
export async function putRawsAsync(
  st: QueueState,
  b: RawBatch,
  o: Acquire,
  options: QueueOptions | undefined,
  start: number,
): Promise<number> {
  let raws = b.raws, owned = b.owned;
  let done = start;
  let owed = -1; // a wake owed after the next try (_held_turn.ts)
  let again = true; // a heap refusal: once more after a turn (retryRefused)
  while (done < raws.length) {
    try {
      let n: number | Promise<number>;
      try {
        n = st.store.tryPutMany(raws, done, NO_WAIT);
      } catch (error) {
        // Until it has put an item (a later refusal returns the count).
        if (!again || done > start) throw error;
        again = false;
        n = retryRefused(
          error,
          () => st.store.tryPutMany(raws, done, NO_WAIT),
          () => {
            if (!owned) b.raws = raws = own(raws) as ArrayLike<unknown>;
            b.owned = owned = true; // (as below)
          },
        );
      } finally {
        if (owed >= 0) Atomics.notify(st.h, owed, 1); // passWake, inline:
        owed = -1; // no call after a try that may have put (taken)
      }
      if (typeof n !== "number") n = await n;
      // Every await below keeps raws past this task: owned first (own()).
      if (n <= 0 && !owned) {
        b.raws = raws = own(raws) as ArrayLike<unknown>;
        b.owned = owned = true;
      }
      if (n === BUSY_COUNT && !o.blocking) { // (_held_turn.ts)
        const r = raws;
        n = await retryHeld(
          st,
          true,
          graced(o, options),
          BUSY_COUNT,
          () => st.store.tryPutMany(r, done, NO_WAIT),
        );
      }
      if (n === -1) throw shutDown("put");
      if (n === BUSY_COUNT) {
        owed = await awaitBusy(st, o, busyPut, true);
        continue;
      }
      if (n > 0) {
        done += n;
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
        continue;
      }
      done += await putSlowAsync(st, raws, done, false, o);
    } catch (error) {
      if (done > start) return done - start;
      throw error;
    }
  }
  return done - start;
}

/**
 * One put attempt: a single raw, or raws[from...]; the count put, -1 (shut
 * down) or BUSY_COUNT (see Store.tryPut).
 */
function attempt(
  st: QueueState,
  raws: unknown,
  from: number,
  single: boolean,
  w: Acquire,
): number {
  return single
    ? st.store.tryPut(raws, w)
    : st.store.tryPutMany(raws as ArrayLike<unknown>, from, w);
}

// An attempt (with wait `w`) found another thread decoding: BUSY_COUNT for an
// async caller (a blocking call trying with NO_WAIT), else its error.
function busy(o: Acquire, w: Acquire): number {
  if (o.blocking && w === NO_WAIT) return BUSY_COUNT;
  throw busyPut(o);
}

/** Waits for room and puts; returns how many went in (at least 1). */
export function putSlow(
  st: QueueState,
  raws: unknown,
  from: number,
  single: boolean,
  o: Acquire,
): number {
  if (o.blocking) {
    for (let i = 0; i < SPIN; i++) {
      const r = attempt(st, raws, from, single, o);
      if (r > 0) {
        try {
          afterPut(st, r);
        } catch {
          // An overflow at its entry: its wake, inline (_state.ts "Accepted").
          const h = st.h;
          if (st.store.wakes !== true && Atomics.load(h, GET_WAITERS) > 0) {
            Atomics.add(h, NOT_EMPTY, 1);
            const woke = Atomics.load(h, GET_WAITERS) > 0
              ? Atomics.notify(h, NOT_EMPTY, r)
              : 0;
            if (woke > 0) Atomics.sub(h, GET_WAITERS, woke);
          }
        }
        return r;
      }
      if (r < 0) throw r === BUSY_COUNT ? busyPut(o) : shutDown("put");
    }
  }
  // A getter that stopped before its wake; `said`: "Counted wakes".
  const look = lookOf(roomThere(st, raws, from, single));
  for (;;) {
    const s = enterPut(st, raws, from, single, o, o);
    if (s === null) return st.put;
    if (s === undefined) throw busyPut(o); // (async callers only)
    let outcome: WaitOutcome;
    look.said = false;
    try {
      outcome = waitSync(
        st.h,
        NOT_FULL,
        s,
        o.deadline,
        o.signal,
        true,
        single ? "put" : "putMany",
        look.fn,
      );
    } catch (error) {
      abandon(st, PUT_WAITERS); // no notify ended this wait
      throw error;
    }
    // Woken by a notify: its waker took us off PUT_WAITERS (_state.ts).
    const woken = outcome === "ok" && !look.said;
    const n = leavePut(st, raws, from, single, outcome, woken, o, o);
    if (n > 0) return n;
  }
}

/** putSlow without blocking the event loop; `raws` must be owned (own()). */
export async function putSlowAsync(
  st: QueueState,
  raws: unknown,
  from: number,
  single: boolean,
  o: Acquire,
): Promise<number> {
  const look = lookOf(roomThere(st, raws, from, single)); // as putSlow's
  let owed = -1; // a wake owed after the next try (_held_turn.ts)
  for (;;) {
    let s: number | null | undefined;
    try {
      s = enterPut(st, raws, from, single, o, NO_WAIT);
    } finally {
      if (owed >= 0) Atomics.notify(st.h, owed, 1); // passWake, inline:
      owed = -1; // no call after a try that may have put (taken)
    }
    if (s === undefined) {
      owed = await awaitBusy(st, o, busyPut, true);
      continue;
    }
    if (s === null) return st.put;
    look.said = false;
    const outcome = await waitRegistered(
      st,
      PUT_WAITERS,
      NOT_FULL,
      s,
      o,
      look.fn,
    );
    const woken = outcome === "ok" && !look.said; // as putSlow's
    const n = leavePut(st, raws, from, single, outcome, woken, o, NO_WAIT);
    if (n === BUSY_COUNT) owed = await awaitBusy(st, o, busyPut, true);
    else if (n > 0) return n;
  }
}

/**
 * Registers as a waiting putter; null when items went in instead, undefined
 * (unregistered) when busy for an async caller (see busy).
 */
function enterPut(
  st: QueueState,
  raws: unknown,
  from: number,
  single: boolean,
  o: Acquire,
  w: Acquire,
): number | null | undefined {
  const h = st.h;
  if (!o.blocking) throw new QueueFullError();
  Atomics.add(h, PUT_WAITERS, 1);
  const s = Atomics.load(h, NOT_FULL);
  st.store.flagSleeper?.(true); // rings: after s, before the try (_turn.ts)
  // The attempt reads the shutdown state (TAIL's CLOSED bit, or SHUTDOWN
  // under the lock) after s: a shutdown after that read bumps NOT_FULL.
  let r: number;
  // Off PUT_WAITERS while the try sleeps on the store's lock (_registered.ts).
  const own = mark(h, PUT_WAITERS);
  try {
    r = attempt(st, raws, from, single, w);
  } catch (error) {
    abandon(st, PUT_WAITERS);
    throw error;
  } finally {
    if (own) MARK.at = undefined; // unmark, inline (_registered.ts)
  }
  if (r < 0) {
    abandon(st, PUT_WAITERS);
    if (r === BUSY_COUNT) {
      busy(o, w);
      return undefined;
    }
    throw shutDown("put");
  }
  if (r === 0) return s;
  Atomics.sub(h, PUT_WAITERS, 1);
  try {
    afterPut(st, r);
  } catch {
    // An overflow at its entry: its wake, inline (_state.ts "Accepted").
    if (st.store.wakes !== true && Atomics.load(h, GET_WAITERS) > 0) {
      Atomics.add(h, NOT_EMPTY, 1);
      const woke = Atomics.load(h, GET_WAITERS) > 0
        ? Atomics.notify(h, NOT_EMPTY, r)
        : 0;
      if (woke > 0) Atomics.sub(h, GET_WAITERS, woke);
    }
  }
  st.put = r;
  return null;
}

/**
 * Leaves the putter wait (unregisters, unless a notify's waker took it off
 * PUT_WAITERS: `woken`, _state.ts "Counted wakes"); the count put, 0 to
 * wait again, or BUSY_COUNT (see enterPut).
 */
function leavePut(
  st: QueueState,
  raws: unknown,
  from: number,
  single: boolean,
  outcome: WaitOutcome,
  woken: boolean,
  o: Acquire,
  w: Acquire,
): number {
  const h = st.h;
  if (!woken) Atomics.sub(h, PUT_WAITERS, 1);
  let r: number;
  try {
    r = attempt(st, raws, from, single, w);
  } catch (error) {
    passOn(st, PUT_WAITERS); // we may hold a notify meant for this room
    throw error;
  }
  if (r === BUSY_COUNT) {
    passOn(st, PUT_WAITERS); // as above
    return busy(o, w);
  }
  if (r < 0) throw shutDown("put");
  if (r > 0) {
    try {
      afterPut(st, r);
    } catch {
      // An overflow at its entry: its wake, inline (_state.ts "Accepted").
      if (st.store.wakes !== true && Atomics.load(h, GET_WAITERS) > 0) {
        Atomics.add(h, NOT_EMPTY, 1);
        const woke = Atomics.load(h, GET_WAITERS) > 0
          ? Atomics.notify(h, NOT_EMPTY, r)
          : 0;
        if (woke > 0) Atomics.sub(h, GET_WAITERS, woke);
      }
    }
    return r;
  }
  if (outcome === "timed-out") {
    throw new QueueFullError(
      "Cannot put item: the queue stayed full until the timeout",
    );
  }
  return 0;
}
