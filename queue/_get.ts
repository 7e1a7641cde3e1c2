// Copyright 2026 the threadkit authors. MIT license.
// The get path past the first try: spinning, registering as a waiting getter,
// waiting for an item, the last get after a shutdown, and the batched getMany.
// The first try of a single get stays inline in QueueBase (_core.ts).
//
// Header slots used here (full table: _layout.ts):
// | slot | name        | values                               | written by                 |
// |------|-------------|--------------------------------------|----------------------------|
// | 2    | SHUTDOWN    | 0 OPEN, 1 SHUT, 2 IMMEDIATE          | shutdown()                 |
// | 3    | GET_WAITERS | getters registered, no wake reached  | add/sub by getters; sub by |
// |      |             | (_state.ts "Counted wakes")          | the wakers that woke them  |
// | 64   | NOT_EMPTY   | sequence, bumped to wake getters     | putters, shutdown          |
//
// A getter's states:
//   try -empty-> spin (blocking only, SPIN tries) -empty-> enterGet:
//   SHUTDOWN != OPEN? lastGet. Else add GET_WAITERS, read NOT_EMPTY, mark
//   the rings' TAIL (SLEEPER), try again (marked: asleep on the store's
//   lock it is off GET_WAITERS, _registered.ts) -empty, OPEN-> wait while
//   NOT_EMPTY is unchanged -> leaveGet: sub
//   GET_WAITERS (unless a notify ended the wait: its waker did), try
//   again -empty, OPEN-> enterGet ...
//   An empty try followed by a read of SHUTDOWN != OPEN goes to lastGet.
//   Any try that takes an item wakes putters (afterGet).
//   A getMany's tries, all of them, are tryGetMany(max): the states and the
//   order of its reads and writes are the same, only the try takes up to
//   max items (a getMany that waited no longer takes one, then the rest).
// Why no lost wakeup: the waiting protocol in _state.ts (GET_WAITERS before
// the re-try; a putter adds its item before it reads GET_WAITERS).
// A try that finds another thread decoding the next item (BUSY: Store.tryPut
// in _layout.ts) ends a sync call with busyGet's QueueEmptyError (nowait, or
// its deadline passed); an async call's tries never wait for a decode, nor
// for a held turn past their spin: it leaves the getters' wait
// (abandon/passOn: it may hold a notify(1)), awaits the decode's end or
// the turn's release off the event loop (awaitBusy, _held_turn.ts) and
// starts again, passing on after that try the wake a release gave it.
// A get that reads SHUTDOWN != OPEN and then finds the store empty knows it
// stays empty (_shutdown.ts publishes SHUTDOWN only after the store refuses
// puts): it throws QueueShutDownError ("shut down and empty") only from such
// a try, made after that read (lastGet).

import { type Acquire, type WaitOutcome, waitSync } from "../_core/wait.ts";
import { FRESH_MAX, takeFresh } from "./_fresh.ts";
import { checkMax, type QueueOptions, queueOptions } from "./_init.ts";
import {
  BUSY,
  BUSY_COUNT,
  CAPACITY,
  EMPTY,
  GET_WAITERS,
  NO_WAIT,
  NOT_EMPTY,
  type NumericArray,
  OPEN,
  SHUTDOWN,
} from "./_layout.ts";
import {
  abandon,
  afterGet,
  awaitBusy,
  busyGet,
  getterLook,
  noCodec,
  passOn,
  type QueueState,
  shutDown,
  SPIN,
  waitRegistered,
} from "./_state.ts";
import { QueueEmptyError } from "./errors.ts";
import { MARK, mark } from "./_registered.ts";
import { graced, retryHeld } from "./_held_turn.ts";

/** QueueBase.get: the first try inline (the hot path), then getSlow. */
export function getOne(st: QueueState, o: Acquire): unknown {
  if (st.noCodec) throw noCodec();
  const x = st.store.tryGet(st.decode, o);
  if (x !== EMPTY) {
    if (x === BUSY) throw busyGet(o);
    if (st.store.wakes !== true) afterGet(st, 1); // (took)
    return x;
  }
  return getSlow(st, o);
}

/** getMany: up to `most` items, waiting for the first (see QueueBase.getMany). */
export function getItems(
  st: QueueState,
  most: number,
  o: Acquire,
): unknown[] {
  if (st.noCodec) throw noCodec();
  const many: Many = { out: [], most };
  const n = takeMany(st, many, o);
  if (n > 0) {
    if (st.store.wakes !== true) afterGet(st, n); // (took)
    return many.out;
  }
  if (n === BUSY_COUNT) throw busyGet(o);
  // Every later try takes up to `most` at once, not one item and then the
  // rest: a structured ring's putMany stores its batch as one
  // unsplit run, which a single get must first split (a scan of the run's
  // text and two side words an item, _text_run.ts) while a try for up to
  // `most` takes it whole.
  getSlow(st, o, many);
  return many.out;
}

/** QueueBase.getManyAsync: getItems, waiting without blocking. */
export async function getManyAsync(
  st: QueueState,
  max: number | undefined,
  options: QueueOptions | undefined,
): Promise<unknown[]> {
  const most = checkMax(max, st.h[CAPACITY]);
  const o = queueOptions(options);
  if (st.noCodec) throw noCodec();
  const many: Many = { out: [], most };
  let n = takeMany(st, many, NO_WAIT); // as getItems
  if (n === BUSY_COUNT && !o.blocking) { // (_held_turn.ts)
    n = await retryHeld(
      st,
      false,
      graced(o, options),
      BUSY_COUNT,
      () => takeMany(st, many, NO_WAIT),
    );
  }
  if (n > 0) {
    if (st.store.wakes !== true) afterGet(st, n); // (took)
    return many.out;
  }
  if (n === BUSY_COUNT && !o.blocking) throw busyGet(o);
  await getSlowAsync(st, o, undefined, many);
  return many.out;
}

/**
 * getManyInto: up to target.length items into target[0...], waiting for the
 * first (see QueueBase.getManyInto); the count.
 */
export function getInto(
  st: QueueState,
  target: NumericArray,
  o: Acquire,
): number {
  checkInto(st, target);
  const n = takeInto(st, target, 0, o);
  if (n > 0) return n;
  if (n === BUSY_COUNT) throw busyGet(o);
  // No JavaScript of this thread runs during a blocking wait, and only this
  // thread can shrink or detach the target (its buffer is not shared, or
  // a growable SharedArrayBuffer, which never shrinks): the room checked
  // above is still there when getSlow claims.
  target[0] = getSlow(st, o) as never;
  return 1 + moreInto(st, target);
}

/** QueueBase.getManyIntoAsync: getInto, waiting without blocking. */
export async function getIntoAsync(
  st: QueueState,
  target: NumericArray,
  options: QueueOptions | undefined,
): Promise<number> {
  const o = queueOptions(options);
  checkInto(st, target);
  let n = takeInto(st, target, 0, NO_WAIT);
  if (n === BUSY_COUNT && !o.blocking) { // (_held_turn.ts)
    n = await retryHeld(
      st,
      false,
      graced(o, options),
      BUSY_COUNT,
      () => takeInto(st, target, 0, NO_WAIT),
    );
  }
  if (n > 0) return n;
  if (n === BUSY_COUNT && !o.blocking) throw busyGet(o);
  // getSlowAsync writes target[0] itself, in the task that claims the item:
  // this thread's code runs while it waits and may shrink or detach the
  // target (a resizable ArrayBuffer, a transfer), so the room is checked
  // right before each try and the item lands before anything else runs.
  await getSlowAsync(st, o, target);
  // What else fits now (the target's length read again: moreInto).
  return 1 + moreInto(st, target);
}

// A typed array of the queue's own element type, with room for an item.
function checkInto(st: QueueState, target: NumericArray): void {
  const info = st.info;
  if (info === undefined) {
    throw new TypeError(
      "Cannot get items into a typed array: the queue holds structured items (use getMany)",
    );
  }
  if (!(target instanceof info.Array)) {
    const what = ArrayBuffer.isView(target)
      ? target.constructor.name
      : typeof target;
    throw new TypeError(
      `Cannot get items into ${what}: the queue holds ${info.name} items, which go into a ${info.Array.name}`,
    );
  }
  checkRoom(target);
}

// Takes what is there now into target[from...]: the count, or BUSY_COUNT.
function takeInto(
  st: QueueState,
  target: NumericArray,
  from: number,
  w: Acquire,
): number {
  const store = st.store, max = target.length - from;
  if (max <= 0) return 0; // shrunk since the caller looked: claim nothing
  let n: number;
  if (store.tryGetInto !== undefined) n = store.tryGetInto(target, from, max);
  else {
    const out: unknown[] = [];
    n = store.tryGetMany(max, out, st.decode, w);
    if (n > 0) target.set(out as never, from);
  }
  if (n > 0 && st.store.wakes !== true) afterGet(st, n); // (took)
  return n;
}

// After getInto's first item: the count taken now besides (no wait on
// another thread's decode). Any error here is not thrown: the first item is
// already taken and must reach the caller; tryGetMany throws before it takes
// the item it fails on (a damaged header's RangeError), so that item stays
// first and the next get throws the same error.
function moreInto(st: QueueState, target: NumericArray): number {
  if (target.length < 2) return 0;
  try {
    const n = takeInto(st, target, 1, NO_WAIT);
    return n > 0 ? n : 0;
  } catch {
    return 0; // see above: the next get reports it
  }
}

/**
 * A getMany's take: each try takes up to `most` items into `out` (getSlow
 * then returns how many), not one. `out` is the result: a try of a
 * numeric FIFO ring replaces it with the fresh array it made (takeMany).
 */
interface Many {
  out: unknown[];
  readonly most: number;
}

// One try of the store: an item (with `many`: the count taken into
// many.out, > 0), EMPTY or BUSY. Throws only having taken nothing
// (Store.tryGetMany: an item that fails to decode after others stays first).
function tryTake(st: QueueState, w: Acquire, many?: Many): unknown {
  if (many === undefined) return st.store.tryGet(st.decode, w);
  const n = takeMany(st, many, w);
  return n > 0 ? n : n === BUSY_COUNT ? BUSY : EMPTY;
}

// One try of a getMany or getManyAsync, the first and every one after a
// wait alike: the count taken (> 0), 0 or BUSY_COUNT. A numeric FIFO ring's
// items go through this thread's scratch typed array into a fresh array of
// exactly their number, which becomes many.out (_fresh.ts; nothing else
// runs between the take and the copy); other stores append to many.out.
function takeMany(st: QueueState, many: Many, w: Acquire): number {
  const ring = st.ring;
  if (ring === undefined || many.most > FRESH_MAX) {
    return st.store.tryGetMany(many.most, many.out, st.decode, w);
  }
  const fresh = takeFresh(ring, st.info!, many.most);
  if (fresh === undefined) return 0;
  many.out = fresh;
  return fresh.length;
}

/**
 * Waits for an item and takes it (decoded); with `many`, takes up to
 * many.most items into many.out and returns their count.
 */
export function getSlow(st: QueueState, o: Acquire, many?: Many): unknown {
  // Spinning waits for a put: none lands once SHUTDOWN is set (a retired
  // segment of an unbounded queue, _unbounded.ts).
  if (o.blocking && Atomics.load(st.h, SHUTDOWN) === OPEN) {
    for (let i = 0; i < SPIN; i++) {
      const x = tryTake(st, o, many);
      if (x === BUSY) throw busyGet(o);
      if (x !== EMPTY) {
        if (st.store.wakes !== true) afterGet(st, many ? x as number : 1);
        return x; // (took)
      }
    }
  }
  const look = getterLook(st); // a putter that stopped before its wake
  for (;;) {
    const s = enterGet(st, o, o, many);
    if (typeof s !== "number") return (s as { x: unknown }).x;
    let outcome: WaitOutcome;
    look.said = false;
    try {
      outcome = waitSync(
        st.h,
        NOT_EMPTY,
        s,
        o.deadline,
        o.signal,
        true,
        "get",
        look.fn,
      );
    } catch (error) {
      abandon(st, GET_WAITERS); // no notify ended this wait
      throw error;
    }
    // Woken by a notify: its waker took us off GET_WAITERS (_state.ts).
    const woken = outcome === "ok" && !look.said;
    const got = leaveGet(st, outcome, woken, o, o, many);
    if (got !== EMPTY) return got;
  }
}

/**
 * getSlow without blocking the event loop. Its tries never wait for another
 * thread's decode (NO_WAIT): on BUSY it leaves the getters' wait
 * and waits for the decode's end (awaitBusy), then starts again.
 * `into` (getManyIntoAsync): the item goes to into[0], written in the same
 * task as the try that claims it; before each try (each follows an await,
 * where this thread's code may have shrunk or detached `into`) the room is
 * checked, and without room the call throws checkInto's RangeError having
 * claimed nothing (a registered wait is left as a throwing wait leaves it:
 * abandon passes on a wake-up meant for an item).
 */
export async function getSlowAsync(
  st: QueueState,
  o: Acquire,
  into?: NumericArray,
  many?: Many,
): Promise<unknown> {
  const look = getterLook(st); // as getSlow's
  let owed = -1; // a wake owed after the next try (_held_turn.ts)
  for (;;) {
    let s: ReturnType<typeof enterGet>;
    try {
      if (into !== undefined) checkRoom(into);
      s = enterGet(st, o, NO_WAIT, many);
    } finally {
      if (owed >= 0) Atomics.notify(st.h, owed, 1); // passWake, inline:
      owed = -1; // no call after a try that may have put (taken)
    }
    if (s === BUSY) {
      owed = await awaitBusy(st, o, busyGet, false);
      continue;
    }
    if (typeof s !== "number") return deliver((s as { x: unknown }).x, into);
    look.said = false;
    const outcome = await waitRegistered(
      st,
      GET_WAITERS,
      NOT_EMPTY,
      s,
      o,
      look.fn,
    );
    const woken = outcome === "ok" && !look.said; // as getSlow's
    if (into !== undefined && into.length === 0) {
      abandon(st, GET_WAITERS, woken);
      checkRoom(into); // throws
    }
    const got = leaveGet(st, outcome, woken, o, NO_WAIT, many);
    if (got === BUSY) owed = await awaitBusy(st, o, busyGet, false);
    else if (got !== EMPTY) return deliver(got, into);
  }
}

// getSlowAsync's item into into[0] (checked for room just before the claim,
// with no await since).
function deliver(x: unknown, into: NumericArray | undefined): unknown {
  if (into !== undefined) into[0] = x as never;
  return x;
}

// A target with no room (shrunk to 0, or its buffer detached).
function checkRoom(target: NumericArray): void {
  if (target.length === 0) {
    throw new RangeError("Cannot get items: the target array has no room");
  }
}

// A try (with wait `w`) found another thread decoding: BUSY for an async
// caller (a blocking call trying with NO_WAIT), else its error.
function busy(o: Acquire, w: Acquire): typeof BUSY {
  if (o.blocking && w === NO_WAIT) return BUSY;
  throw busyGet(o);
}

/**
 * Registers as a waiting getter; returns the item instead if one came, or
 * BUSY (unregistered) for an async caller (see busy).
 */
function enterGet(
  st: QueueState,
  o: Acquire,
  w: Acquire,
  many?: Many,
): number | { x: unknown } | typeof BUSY {
  const h = st.h;
  if (Atomics.load(h, SHUTDOWN) !== OPEN) return lastGet(st, o, w, many);
  if (!o.blocking) throw new QueueEmptyError();
  Atomics.add(h, GET_WAITERS, 1);
  const s = Atomics.load(h, NOT_EMPTY);
  st.store.flagSleeper?.(false); // rings: after s, before the try (_turn.ts)
  let x: unknown;
  // Off GET_WAITERS while the try sleeps on the store's lock (_registered.ts).
  const own = mark(h, GET_WAITERS);
  try {
    x = tryTake(st, w, many);
  } catch (error) {
    abandon(st, GET_WAITERS);
    throw error;
  } finally {
    if (own) MARK.at = undefined; // unmark, inline (_registered.ts)
  }
  if (x === BUSY) {
    abandon(st, GET_WAITERS);
    return busy(o, w);
  }
  if (x === EMPTY && Atomics.load(h, SHUTDOWN) === OPEN) return s;
  Atomics.sub(h, GET_WAITERS, 1);
  // Shut down: the try above came before that read, so look once more.
  if (x === EMPTY) return lastGet(st, o, w, many);
  if (st.store.wakes !== true) afterGet(st, many ? x as number : 1);
  return { x }; // (took)
}

/**
 * The get of a caller that read SHUTDOWN != OPEN (before calling): the
 * item, or QueueShutDownError. Why an EMPTY here is final: SHUTDOWN is
 * published only after the store refuses puts and the last put in flight
 * landed (Store.close), and this try reads the store after that read, so
 * it sees every item that will ever be put.
 */
function lastGet(
  st: QueueState,
  o: Acquire,
  w: Acquire,
  many?: Many,
): { x: unknown } | typeof BUSY {
  const x = tryTake(st, w, many);
  if (x === BUSY) return busy(o, w); // not known to be empty
  if (x === EMPTY) throw shutDown("get");
  if (st.store.wakes !== true) afterGet(st, many ? x as number : 1);
  return { x }; // (took)
}

// took: a try took items, then the putters' wake; a store that wakes them
// itself (wakes: _text_get.ts) did, so no call comes between the take and
// the return, where a stack overflow would lose the items (others: afterGet).

/**
 * Leaves the getter wait (unregisters, unless a notify's waker took it off
 * GET_WAITERS: `woken`, _state.ts "Counted wakes"); returns an item, EMPTY
 * to wait again, or BUSY (see enterGet).
 */
function leaveGet(
  st: QueueState,
  outcome: WaitOutcome,
  woken: boolean,
  o: Acquire,
  w: Acquire,
  many?: Many,
): unknown {
  const h = st.h;
  if (!woken) Atomics.sub(h, GET_WAITERS, 1);
  let x: unknown;
  try {
    x = tryTake(st, w, many);
    // Shut down: the try above came before that read, so look once more.
    if (x === EMPTY && Atomics.load(h, SHUTDOWN) !== OPEN) {
      const last = lastGet(st, o, w, many);
      x = last === BUSY ? BUSY : last.x;
    }
  } catch (error) {
    passOn(st, GET_WAITERS); // we may hold a notify(1) meant for this item
    throw error;
  }
  if (x === BUSY) {
    passOn(st, GET_WAITERS); // as above
    return busy(o, w);
  }
  if (x !== EMPTY) {
    if (st.store.wakes !== true) afterGet(st, many ? x as number : 1);
    return x; // (took)
  }
  if (outcome === "timed-out") {
    throw new QueueEmptyError(
      "Cannot get item: the queue stayed empty until the timeout",
    );
  }
  return EMPTY;
}
