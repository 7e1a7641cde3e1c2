// Copyright 2026 the threadkit authors. MIT license.
// The per-thread state of one queue handle, shared by the mechanics in
// _put.ts, _get.ts, _shutdown.ts and _glue.ts, and the waking that every
// waiter and waker uses. QueueBase (_core.ts) holds one QueueState and passes
// it to them; _init.ts builds it.
//
// Header slots used here (full table: _layout.ts):
// | slot | name        | values                               | written by                 |
// |------|-------------|--------------------------------------|----------------------------|
// | 1    | CAPACITY    | most items                           | constructor, once          |
// | 3    | GET_WAITERS | getters registered, no wake reached  | add/sub by getters; sub by |
// |      |             | (see "Counted wakes")                | the wakers that woke them  |
// | 4    | PUT_WAITERS | putters registered, no wake reached  | add/sub by putters; sub by |
// |      |             | (see "Counted wakes")                | the wakers that woke them  |
// | 64   | NOT_EMPTY   | sequence, bumped to wake getters     | putters, shutdown          |
// | 65   | NOT_FULL    | sequence, bumped to wake putters     | getters, shutdown          |
//
// Waiting (the same protocol for getters, putters and joiners):
//   waiter: add WAITERS, read SEQ, (rings: flagSleeper), try again, wait
//           while SEQ is unchanged, sub WAITERS, try again.
//   waker:  change the state (an Atomics write), read WAITERS; if > 0, add
//           SEQ and notify.
// Why no lost wakeup: every step is sequentially consistent. The waiter adds
// WAITERS before its re-try and the waker changes the state before it reads
// WAITERS, so either the re-try sees the new state or the waker sees the
// waiter (Dekker). The waiter read SEQ before its re-try, so a bump that
// follows makes its wait return "not-equal" at once.
// The rings (Store.wakes) fold the waker's side into their counter word: a
// waiter also sets SLEEPER in the other side's counter before its re-try,
// and the release that moves that counter reads the bit in its own
// compareExchange and only then reads WAITERS and wakes (_turn.ts has the
// argument). A put or get with no one asleep on the other side pays no
// atomic for waking.
// A getter woken by notify(1) that then leaves without an item (abort,
// cancel) passes the wakeup on to another getter if items remain ("baton").
// Putters of byte stores are all woken (items differ in size); getters are
// woken one per item.
//
// Counted wakes (getters, and putters the same way: PUT_WAITERS, NOT_FULL,
// roomThere's look; joiners keep the plain count).
// GET_WAITERS counts the getters registered that no wake has reached: a
// getter's wake (wakeCounted, _turn.ts: every notify of NOT_EMPTY) bumps
// NOT_EMPTY, loads GET_WAITERS and, if above 0, notifies and subtracts the
// number the notify woke (its return: the threads it took off the wait
// list); a getter whose wait returned "ok" from a notify (not from its
// slice-end look: getterLook keeps that answer) does not subtract itself;
// every other leave (not-equal, timed-out, its look, a throw) subtracts
// itself. An abort's flush of NOT_EMPTY (_core/wait.ts waitAsync) reports
// its count (`flushed`), which is subtracted the same way. So each
// registration is taken off exactly once, by the getter or by the notify
// that took it off the wait list, and never before it is off the list:
// GET_WAITERS >= the getters asleep on NOT_EMPTY at every instant. So
// nothing else may notify NOT_EMPTY: a notify that does not subtract what
// it woke leaves the count high for good (safe, but every later put may
// notify nobody), and a copy of the older protocol would make it low
// (hence the header's new MAGIC, _layout.ts). Before,
// a getter stayed counted from its wake until it ran, and with many
// getters every put notified while they were woken and not yet run (89-99%
// of those notifies woke nobody: bench/wake_count_ab.ts, BENCHMARKS.md).
// The cost: a wake loads GET_WAITERS after its bump and subtracts after a
// notify that woke someone (GET_WAITERS's line, which getters write too);
// 1 producer, 1 consumer (int32 rows, 9 processes): 0.89-1.18x main's time,
// median about 1.05x, within the load's noise (BENCHMARKS.md).
// Why no lost wakeup (wakeCounted's load after the bump): a getter asleep
// at the load is counted, so the notify comes; one that registers after
// the load reads NOT_EMPTY after the bump and tries after it, so after the
// item was published; one that registered before the load is counted at
// it (unless a wake reached it: it then tries after that wake, hence after
// this item was published). A getter woken by a notify and then taken off
// may register again before the waker subtracts: the count is then one
// high for a moment (a notify that wakes nobody at most), never low.
// A registered getter whose re-try sleeps on the store's lock (HEAD's
// turn, the locked stores' Lock) is off the count while it sleeps there,
// and back on it before it reads the store (_registered.ts has the
// argument): a put meanwhile does not notify NOT_EMPTY for it. Putters
// likewise (TAIL's turn, the Lock; PUT_WAITERS). The putters' wakes are
// every notify of NOT_FULL: afterGet, passOn, the numeric ring's advance
// (_ring_head.ts), the structured ring's wakeFlagged (PSLEEP), shutdown;
// each goes through wakeCounted. Measured (1 producer, 1 consumer, a
// LifoQueue or PriorityQueue of 1,024): 4,600-7,700 NOT_FULL notifies a
// 10,000-item round that woke nobody before (the putter woken and not yet
// run, or asleep on the Lock while counted); BENCHMARKS.md has the after.
// Thread death: a getter that dies registered and not woken stays counted
// (the count stays high: a put may notify nobody, never a lost wake, as
// before); one that dies woken was taken off by its waker (the item meant
// for it waits for another getter's slice-end look or the next put's wake,
// as before); a waker that dies between its notify and its subtraction
// leaves the count high. An abort or a timeout ends a wait that no notify
// ended: the getter subtracts itself (abandon, leaveGet).
// A waker that stops between its state change and its wake (out of memory
// under resourceLimits, Node's terminate, a stack overflow: _core/wait.ts,
// "A waker that stops") leaves SEQ unbumped and its waiters asleep: every
// wait here passes a slice-end check (itemsThere, roomThere in _room.ts:
// the bytes a putter's item needs, in a byte store; join's
// allDone, _shutdown.ts) that looks at the store (a count: a load or two),
// and when what the waiter waits for is there, the wait returns "ok" and
// the waiter leaves (sub WAITERS), tries again and, finding nothing (another
// thread was first), registers and sleeps anew. So the item a stopped
// putter published is taken within one slice (50 ms;
// tests/queue/stopped_waker_test.ts), and an idle waiter's slice end costs
// the count's loads, not a leave and a registration (those cost a sleeping
// getter 1.3-1.6x the CPU of its slice ends: 16 getters idle 3 s, 3
// processes each, alternated in one run, at load 20).

import { type Acquire, waitAsync, type WaitOutcome } from "../_core/wait.ts";
import type { Codec } from "./_codec.ts";
import {
  CAPACITY,
  type Decode,
  GET_WAITERS,
  NOT_EMPTY,
  NOT_FULL,
  type NumericInfo,
  PUT_WAITERS,
  type Store,
} from "./_layout.ts";
import { awaitDecodeAsync } from "./_decoding.ts";
import { awaitTurnAsync, decodeHolds, heldWord } from "./_held_turn.ts";
import type { Ring } from "./_ring.ts";
import { wake, wakeCounted } from "./_turn.ts";
import {
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
} from "./errors.ts";

/** One queue handle's state: what QueueBase's mechanics read and write. */
export interface QueueState {
  /** The queue's memory: the header, then the store's region. */
  readonly h: Int32Array;
  readonly store: Store;
  /**
   * The store when it is the numeric FIFO ring (queue/_ring.ts), for
   * QueueBase's inline single put and get; else undefined.
   */
  readonly ring: Ring | undefined;
  readonly info: NumericInfo | undefined;
  readonly discipline: number;
  /** MODULUS: TAIL, HEAD and DONE count mod m. */
  readonly m: number;
  /** Putters one get wakes at least (byte stores: all). */
  readonly wakePutters: number;
  codec: Codec<unknown> | undefined;
  /** What gets pass the store to decode items (see Decode in _layout.ts). */
  decode: Decode | undefined;
  /** A custom-codec queue revived in a thread that has not set the codec. */
  noCodec: boolean;
  /** Items the last enterPut (_put.ts) put instead of registering. */
  put: number;
  /**
   * The handle (QueueBase): reachable while anything holds the state, as
   * every wait does, so its heap block is not freed under a waiter
   * (_core/heap.ts).
   */
  readonly owner: object;
}

// A blocking get (put) that finds the queue empty (full) retries this many
// times before it registers as a waiter and sleeps: a producer usually
// catches up sooner than a sleep and a wake take (about 20-50 us), and a
// waiter costs its wakers a notify.
export const SPIN = 128;

/**
 * A waiter's slice-end check (a getter's: whether items are there to take;
 * a putter's: roomThere, _room.ts), keeping its last answer in `said`: a
 * wait that returns "ok" with `said` false was ended by a notify, which
 * took the waiter off its count ("Counted wakes"). Reset `said` before
 * each wait.
 */
export interface Look {
  said: boolean;
  readonly fn: () => boolean;
}

/** A fresh Look over check `there`. */
export function lookOf(there: () => boolean): Look {
  const look: Look = { said: false, fn: () => (look.said = there()) };
  return look;
}

/** A getter's Look over the queue of `st`. */
export function getterLook(st: QueueState): Look {
  return lookOf(() => st.store.count() > 0);
}

export { wake, wakeCounted };

// Accepted: a put whose items went in reports no error. Its wake of the
// getters (afterPut) is a call, which near the end of the stack can throw a
// RangeError at its entry; from put, that said "refused" of an item that is
// in (a caller who retries delivers it twice; the put's handler released
// the item's heap references). So every afterPut made after a store took
// items sits in a try whose catch does its steps inline (builtins only:
// wakeCounted's load, bump, load, notify, sub) and returns normally.
// tests/queue/accepted_put_test.ts plants the throw.

/**
 * After `n` items went in: wakes getters if any wait (the rings did it in
 * their release: Store.wakes). Its callers: "Accepted" above.
 */
export function afterPut(st: QueueState, n: number): void {
  if (st.store.wakes === true) return;
  const h = st.h;
  // Why no lost wakeup: see the file header (state, then WAITERS; and
  // "Counted wakes").
  if (Atomics.load(h, GET_WAITERS) > 0) {
    wakeCounted(h, GET_WAITERS, NOT_EMPTY, n);
  }
}

/** After `n` items came out: wakes putters if any wait (as afterPut). */
export function afterGet(st: QueueState, n: number): void {
  if (st.store.wakes === true) return;
  const h = st.h;
  if (Atomics.load(h, PUT_WAITERS) > 0) {
    wakeCounted(h, PUT_WAITERS, NOT_FULL, Math.max(n, st.wakePutters));
  }
}

/**
 * A waiter leaves by an exception: unregister (unless a counted wake took
 * it off already: `woken`, "Counted wakes") and pass the baton on.
 */
export function abandon(st: QueueState, waiters: number, woken = false): void {
  if (!woken) Atomics.sub(st.h, waiters, 1);
  passOn(st, waiters);
}

/**
 * A notify(1) may have chosen us; if what we waited for is there and
 * others wait, wake one of them in our place.
 */
export function passOn(st: QueueState, waiters: number): void {
  const h = st.h;
  if (Atomics.load(h, waiters) === 0) return;
  if (waiters === GET_WAITERS) {
    if (st.store.count() > 0) wakeCounted(h, GET_WAITERS, NOT_EMPTY, 1);
  } else if (st.store.count() < h[CAPACITY]) {
    wakeCounted(h, PUT_WAITERS, NOT_FULL, 1);
  }
}

/**
 * waitAsync for a registered waiter: abandons the wait if it throws. A
 * getter's abort flush is counted ("Counted wakes").
 */
export async function waitRegistered(
  st: QueueState,
  waiters: number,
  seq: number,
  s: number,
  o: Acquire,
  // The slice-end check: a putter's (_room.ts roomThere) or a getter's.
  look: () => boolean,
): Promise<WaitOutcome> {
  const h = st.h;
  try {
    return await waitAsync(
      h,
      seq,
      s,
      o.deadline,
      o.signal,
      true,
      look,
      (n) => Atomics.sub(h, waiters, n), // "Counted wakes"
    );
  } catch (error) {
    abandon(st, waiters);
    throw error;
  }
}

/** A fresh QueueShutDownError for a put or a get. */
export function shutDown(what: "put" | "get"): QueueShutDownError {
  return new QueueShutDownError(
    what === "put"
      ? "Cannot put item: the queue is shut down"
      : "Cannot get item: the queue is shut down and empty",
  );
}

/** A fresh TypeError for a custom-codec queue whose codec is not set here. */
export function noCodec(): TypeError {
  return new TypeError(
    "Cannot use queue: it was created with a custom codec, which cannot travel between threads; call queue.withCodec(codec) in this thread first",
  );
}

/**
 * A fresh QueueEmptyError for a get that found the next item being decoded
 * by another thread (a custom codec's decode) and may not wait for it: a
 * nowait call, or a timed one whose timeout passed. Not "empty" in the
 * sense of qsize(): no item could be taken without waiting, which is what
 * Empty tells a nowait get (Python: get_nowait).
 */
export function busyGet(o: Acquire): QueueEmptyError {
  const error = new QueueEmptyError(
    o.blocking
      ? "Cannot get item: another thread was still decoding the next item (custom codec) at the timeout"
      : "Cannot get item now: another thread is decoding the next item (custom codec), or held the queue's consumer lock past the nowait grace",
  );
  busyErrors.add(error);
  return error;
}

// busyGet's errors: an unbounded queue (_unbounded.ts) must not read one
// from a retired segment as "this segment is drained".
const busyErrors = new WeakSet<Error>();

/** Whether `error` is busyGet's (another thread decoding), not emptiness. */
export function isBusy(error: unknown): boolean {
  return busyErrors.has(error as Error);
}

/** busyGet for a put into a LifoQueue or PriorityQueue (one store lock). */
export function busyPut(o: Acquire): QueueFullError {
  return new QueueFullError(
    o.blocking
      ? "Cannot put item: another thread was still decoding an item under the queue's lock (custom codec), or holding its turn after it stopped, at the timeout"
      : "Cannot put item now: another thread is decoding an item under the queue's lock (custom codec), or holding its turn after it stopped",
  );
}

/**
 * An async call's wait after a try returned BUSY: for another thread's
 * decode to end, or for the turn it found held (a put's: `put`) to be
 * released (_held_turn.ts), or a slice; then the caller tries again.
 * Returns the word whose wake the caller owes after that try (passWake,
 * _held_turn.ts), or -1. Throws busyGet/busyPut's error (`error`) once the
 * deadline has passed.
 */
export async function awaitBusy(
  st: QueueState,
  o: Acquire,
  error: (o: Acquire) => Error,
  put: boolean,
): Promise<number> {
  if (!o.blocking || performance.now() >= o.deadline) throw error(o);
  const h = st.h;
  if (decodeHolds(st, put)) { // a ring's put waits for TAIL, never a decode
    await awaitDecodeAsync(h, o.deadline, o.signal);
    return -1;
  }
  const i = heldWord(st.store, put);
  return await awaitTurnAsync(h, i, o.deadline, o.signal) ? i : -1;
}
