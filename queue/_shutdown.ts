// Copyright 2026 the threadkit authors. MIT license.
// Shutdown and join: closing the store, the immediate drain, task accounting
// (taskDone) and the joiners' wait.
//
// Header slots used here (full table: _layout.ts):
// | slot | name         | values                                       | written by                 |
// |------|--------------|----------------------------------------------|----------------------------|
// | 2    | SHUTDOWN     | 0 OPEN, 1 SHUT, 2 IMMEDIATE                  | shutdown()                 |
// | 3    | GET_WAITERS  | getters registered that no wake reached yet  | getters; wakers (_state.ts)|
// | 5    | JOIN_WAITERS | joiners waiting or about to wait             | Atomics.add/sub by joiners |
// | 16   | TAIL         | items accepted, mod M; FIFO rings: plus the  | putters                    |
// |      |              | LOCKED/CONTENDED/CLOSED bits of _turn.ts     | putters, shutdown()        |
// | 48   | DONE         | tasks done (taskDone + immediate drain), mod M | taskDone, shutdown       |
// | 64   | NOT_EMPTY    | sequence, bumped to wake getters             | putters, shutdown          |
// | 65   | NOT_FULL     | sequence, bumped to wake putters             | getters, shutdown          |
// | 66   | ALL_DONE     | sequence, bumped to wake joiners             | taskDone, shutdown         |
// Unfinished tasks = TAIL - DONE (mod M): a put costs no extra atomic.
//
// Shutdown states (SHUTDOWN word):
// OPEN -shutdown()-> SHUT -shutdown({ immediate })-> IMMEDIATE
// OPEN -shutdown({ immediate })-> IMMEDIATE (drains; unfinished tasks drop)
// Puts learn of the shutdown from the store, atomically with adding the item:
// the ring's TAIL carries a CLOSED bit that makes every later put's
// compareExchange fail, and the locked stores read SHUTDOWN under their lock.
// shutdown() publishes SHUTDOWN through Store.close: the rings set CLOSED,
// wait until no put holds TAIL's lock (one that took it before CLOSED lands
// first), and only then store SHUTDOWN; the locked stores store it while
// holding their lock. So no put lands after SHUTDOWN != OPEN is visible, and
// a get that reads SHUTDOWN != OPEN and then finds the store empty knows it
// stays empty: it throws QueueShutDownError ("shut down and empty") only
// from such a try, made after that read (lastGet in _get.ts). An immediate
// shutdown's drain, which runs after close, likewise leaves nothing behind.
//
// A joiner: unfinished() == 0? done. Else add JOIN_WAITERS, read ALL_DONE,
// re-check unfinished() -> wait while ALL_DONE is unchanged, sub
// JOIN_WAITERS, re-check. taskDone wakes all joiners when it finishes the
// last task; shutdown and the drain wake them too.

import { RuntimeError } from "../_core/errors.ts";
import {
  type Wait,
  waitAsync,
  type WaitOptions,
  waitOptions,
  type WaitOutcome,
  waitSync,
} from "../_core/wait.ts";
import {
  ALL_DONE,
  CLOSED,
  distance,
  DONE,
  GET_WAITERS,
  IMMEDIATE,
  JOIN_WAITERS,
  NOT_EMPTY,
  NOT_FULL,
  OPEN,
  POSITION,
  PUT_WAITERS,
  SHUT,
  SHUTDOWN,
  TAIL,
} from "./_layout.ts";
import { type QueueState, wake, wakeCounted } from "./_state.ts";

/** QueueBase.shutdown's work (`immediate` as the caller passed it). */
export function shutdown(st: QueueState, immediate: unknown): void {
  if (typeof immediate !== "boolean") {
    throw new TypeError("Cannot shut down queue: immediate must be a boolean");
  }
  const h = st.h;
  try {
    // Nothing here waits interruptibly (the store's locks are taken
    // uninterruptibly), so a cancelled thread shuts down too; the finally
    // wakes the sleepers even if something throws anyway.
    st.store.close(() => {
      if (immediate) Atomics.store(h, SHUTDOWN, IMMEDIATE);
      else Atomics.compareExchange(h, SHUTDOWN, OPEN, SHUT);
    });
    if (immediate) drain(st);
  } finally {
    // Why no lost wakeup: SHUTDOWN (and CLOSED) are written before the
    // bumps, and every waiter reads them after reading the sequence it
    // waits on. Getters and putters woken are taken off GET_WAITERS and
    // PUT_WAITERS (_state.ts, "Counted wakes").
    wakeCounted(h, GET_WAITERS, NOT_EMPTY, Infinity);
    wakeCounted(h, PUT_WAITERS, NOT_FULL, Infinity);
    wake(h, ALL_DONE, Infinity);
  }
}

/** Whether `shutdown()` was called. */
export function isShutdown(st: QueueState): boolean {
  // A ring refuses puts (CLOSED) a moment before SHUTDOWN is published:
  // a put that threw QueueShutDownError already sees true here.
  const h = st.h;
  return Atomics.load(h, SHUTDOWN) !== OPEN ||
    (Atomics.load(h, TAIL) & CLOSED) !== 0;
}

/** Discards every queued item; their tasks count as done. */
function drain(st: QueueState): void {
  const h = st.h, m = st.m;
  const sink: unknown[] = [];
  let n = 0;
  // close() ran first: no put is in flight and none can land, so once
  // count() is 0 the store stays empty (getters may take items meanwhile).
  try {
    while (st.store.count() > 0) {
      n += st.store.tryGetMany(1024, sink, null);
      sink.length = 0;
    }
  } finally {
    // Credit what was discarded even if a later round threw.
    while (n > 0) {
      const d = Atomics.load(h, DONE);
      const take = Math.min(
        n,
        distance(Atomics.load(h, TAIL) & POSITION, d, m),
      );
      if (take <= 0) break;
      if (Atomics.compareExchange(h, DONE, d, (d + take) % m) === d) break;
    }
    if (n > 0) {
      wake(h, ALL_DONE, Infinity);
      wakeCounted(h, PUT_WAITERS, NOT_FULL, Infinity);
    }
  }
}

/** QueueBase.taskDone: marks one task done. */
export function taskDone(st: QueueState): void {
  const h = st.h, m = st.m;
  for (;;) {
    const d = Atomics.load(h, DONE);
    const unfinished = distance(Atomics.load(h, TAIL) & POSITION, d, m);
    if (unfinished <= 0) {
      throw new RuntimeError(
        "Cannot mark task done: taskDone() was called more times than items were put",
      );
    }
    if (Atomics.compareExchange(h, DONE, d, d + 1 === m ? 0 : d + 1) === d) {
      // Why no lost wakeup: DONE changed (above) before JOIN_WAITERS is
      // read; a joiner adds JOIN_WAITERS before it re-reads DONE.
      if (unfinished === 1 && Atomics.load(h, JOIN_WAITERS) > 0) {
        wake(h, ALL_DONE, Infinity);
      }
      return;
    }
  }
}

/** QueueBase.join: waits until no task is unfinished; false on timeout. */
export function join(
  st: QueueState,
  options: WaitOptions | undefined,
): boolean {
  const { deadline, signal } = joinOptions(options);
  for (;;) {
    const s = enterJoin(st);
    if (s === true) return true;
    let outcome: WaitOutcome;
    try {
      outcome = waitSync(
        st.h,
        ALL_DONE,
        s,
        deadline,
        signal,
        true,
        "join",
        allDone(st), // a taskDone that stopped before its wake
      );
    } finally {
      Atomics.sub(st.h, JOIN_WAITERS, 1);
    }
    if (outcome === "timed-out") return unfinished(st) === 0;
  }
}

/** QueueBase.joinAsync: join without blocking the event loop. */
export async function joinAsync(
  st: QueueState,
  options: WaitOptions | undefined,
): Promise<boolean> {
  const { deadline, signal } = joinOptions(options);
  for (;;) {
    const s = enterJoin(st);
    if (s === true) return true;
    let outcome: WaitOutcome;
    try {
      outcome = await waitAsync(
        st.h,
        ALL_DONE,
        s,
        deadline,
        signal,
        true,
        allDone(st),
      );
    } finally {
      Atomics.sub(st.h, JOIN_WAITERS, 1);
    }
    if (outcome === "timed-out") return unfinished(st) === 0;
  }
}

// join()'s options: an already aborted signal throws at the call.
function joinOptions(options: WaitOptions | undefined): Wait {
  const wait = waitOptions(options);
  if (wait.signal?.aborted) throw wait.signal.reason;
  return wait;
}

/** Registers as a joiner; true when nothing is unfinished. */
function enterJoin(st: QueueState): number | true {
  const h = st.h;
  if (unfinished(st) === 0) return true;
  Atomics.add(h, JOIN_WAITERS, 1);
  const s = Atomics.load(h, ALL_DONE);
  if (unfinished(st) !== 0) return s;
  Atomics.sub(h, JOIN_WAITERS, 1);
  return true;
}

// A joiner's slice-end check (_state.ts, "A waker that stops"): whether no
// task is unfinished.
function allDone(st: QueueState): () => boolean {
  return () => unfinished(st) === 0;
}

function unfinished(st: QueueState): number {
  // DONE first, then TAIL (as taskDone does). Both only grow (mod M) and
  // DONE <= TAIL at every instant, so with d = DONE at the first load and
  // t = TAIL at the second: DONE(then) <= DONE(now) <= TAIL(now) = t. A 0
  // result (t == d) therefore means DONE == TAIL at the second load: every
  // task was done at that instant. Loading TAIL first could pair an old
  // TAIL with a DONE that counts a child task put in between (a worker
  // puts a child, then marks its parent done) and report 0 while a task
  // was unfinished at every instant.
  const d = Atomics.load(st.h, DONE);
  const tail = Atomics.load(st.h, TAIL) & POSITION;
  const u = distance(tail, d, st.m);
  return u < 0 ? 0 : u;
}
