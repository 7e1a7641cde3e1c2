// Copyright 2026 the threadkit authors. MIT license.
// RWLock's words and the code that waits on them and wakes them: the layout,
// the state machine, the fairness policy and why no wakeup is lost. The
// public class (sync/rw_lock.ts) calls these; split off to keep each file
// short.

import { type Acquire, waitAsync, waitSync } from "../_core/wait.ts";
import { currentIdent, identAlive, identStopped } from "../_core/runtime.ts";
import { ownerDied, tookOver } from "./_holder.ts";

// RWLock shared layout: Int32Array on a SharedArrayBuffer, 5 slots (20 B).
// | slot | name  | values                                   | written by                        |
// |------|-------|------------------------------------------|-----------------------------------|
// | 0    | STATE | -T the writer T (its ident, negated),    | CAS by acquire and release        |
// |      |       | 0 FREE, n > 0 n readers hold             |                                   |
// | 1    | WWAIT | writers waiting to acquire               | +1/-1 by a waiting writer         |
// | 2    | RWAIT | readers that may sleep on RSEQ           | +1/-1 by a waiting reader         |
// | 3    | WSEQ  | writers' wake counter (writers sleep on) | +1 by whoever wakes a writer      |
// | 4    | RSEQ  | readers' wake counter (readers sleep on) | +1 by whoever wakes the readers   |
export const STATE = 0;
export const WWAIT = 1;
export const RWAIT = 2;
export const WSEQ = 3;
export const RSEQ = 4;
export const SLOTS = 5;
export const FREE = 0;

// RWLock states (on STATE; WRITER is any -T, the negated ident of the
// thread that acquired it for writing):
// FREE    -acquireWrite by T (CAS 0 -> -T)->         WRITER
// FREE    -acquireRead, fast path (CAS 0 -> 1)->     1 reader, even if WWAIT > 0
// n >= 0  -acquireRead, WWAIT == 0 (CAS n -> n+1)->  n + 1 readers
// n >= 0  -acquireRead, WWAIT > 0->                  RWAIT+1, sleep on RSEQ
// WRITER  -acquireRead->                             RWAIT+1, sleep on RSEQ
// n != 0  -acquireWrite->                            WWAIT+1, sleep on WSEQ
// 1       -releaseRead (CAS 1 -> 0)->                FREE, wake one writer if WWAIT > 0
// n > 1   -releaseRead (CAS n -> n-1)->              n - 1 readers
// WRITER  -releaseWrite (CAS -T -> 0)->              FREE, wake one writer if WWAIT > 0,
//                                                    else every reader if RWAIT > 0
// -T, T failed -a waiter U's slice-end check (CAS -T -> -U)-> WRITER (U), and U's
//                                                    acquire throws OwnerDiedError
// a waiting writer leaves without the lock (timeout, abort, cancel)->
//                                                    WWAIT-1; wake the readers if it was
//                                                    the last; else hand a wake to a writer
//
// Fairness: writer preference. A reader does not enter while a writer waits
// (WWAIT > 0), even when other readers hold the lock, so a stream of readers
// cannot starve a writer; a releasing writer wakes the next writer before
// any reader. The price: a steady stream of writers can starve readers, and
// a thread that holds a read lock and asks for it again while a writer waits
// deadlocks (the writer waits for it, it waits for the writer); read locks
// are not reentrant. Neither kind is FIFO among its own: a fresh acquirer
// may take the lock before a woken one, as with Lock. One more barge: a
// reader that finds the lock entirely FREE takes it with one CAS without
// looking at WWAIT (the uncontended fast path). A waiting writer loses only
// that instant: readers that come while others hold the lock do look at
// WWAIT and wait, so the holders drain and the writer is woken again.
//
// Writer death (sync/_holder.ts has the model, for Lock): the writer's
// ident is in STATE, so a waiter, reader or writer, looks at it at the end
// of each wait slice (50 ms), never on the fast path. A writer whose thread
// failed (its target threw, it exited, ...) and has stopped (the stop ring:
// it runs no more JS; a thread only presumed ended may still be inside) is
// dead; one whose target returned is not, since any thread may release an
// RWLock (as a Lock). The
// waiter that sees a dead writer takes the lock over for writing (one CAS
// from the dead writer's -T: exactly one waiter wins, after it STATE names a
// live writer) and throws OwnerDiedError holding it: exclusive, so it can
// repair the guarded data before anyone reads it, also when it had asked to
// read; it releases with releaseWrite(). The others keep waiting for it as
// for any writer; its release wakes them as any writer's does (the wake-up
// notes below apply unchanged: the takeover only replaces one writer by
// another). Readers are a count, not named: a reader that dies holding a
// read lock leaves it held, and writers wait for it until their timeout,
// as a Semaphore's waiters do for a unit taken by a thread that died.
//
// Why no lost wakeup (writers): a writer adds itself to WWAIT, then reads
// WSEQ, then tries its CAS, and sleeps only while WSEQ is unchanged. Whoever
// frees the lock (the last reader, a writer) writes STATE first, then reads
// WWAIT, and if it is non-zero adds 1 to WSEQ before notify(1). All of these
// are sequentially consistent: either the releaser's WWAIT read comes after
// the writer's increment (it bumps WSEQ, so the writer's CAS sees the free
// lock or its wait sees WSEQ changed or is notified), or it comes before,
// and then the writer's CAS comes after the release and sees the lock free.
// A woken writer that leaves without the lock hands a wake on (notify(1) if
// the lock is free and writers still wait), so a notify(1) it consumed is
// not lost.
//
// Why no lost wakeup (readers): a reader adds itself to RWAIT, reads RSEQ,
// then checks STATE and WWAIT, and sleeps only while RSEQ is unchanged. The
// two events that can let it in, a writer's release and the last waiting
// writer leaving without the lock, write STATE or WWAIT first, then read
// RWAIT, and if it is non-zero add 1 to RSEQ and notify every reader. The
// same ordering argument applies; readers are woken all at once, so none
// consumes another's wake.

// SPIN bounds how long a blocking acquirer polls before it registers and
// sleeps, as Lock's does: critical sections are usually shorter than a sleep
// and a wake. The async forms (readSlowAsync, writeSlowAsync, below: they
// keep the handle, and so its heap block, alive while pending;
// _core/heap.ts) follow the same protocol without the spin (it would
// stall the event loop).
const SPIN = 100;

// This thread's ident, read once: the writer's STATE is its negation.
let me = 0;
/** The calling thread's ident (cached), for STATE = -ident. */
export function writerIdent(): number {
  return me || (me = currentIdent());
}

// A waiter's death check, run by the wait helper at slice ends: takes the
// lock over for writing from a writer that failed holding it, and throws
// (see "Writer death" above).
export function takeOverWriter(view: Int32Array): void {
  const s = Atomics.load(view, STATE);
  if (s >= 0) return;
  const writer = -s;
  if (identAlive(writer) || identStopped(writer) !== "failed") return;
  // Only the writer writes -writer, and idents are never reused: a STATE
  // that still holds it after its death was left by it (as in Lock's check).
  const id = writerIdent();
  if (Atomics.compareExchange(view, STATE, s, -id) !== s) return;
  throw ownerDied(
    `RWLock taken over from a dead writer: thread ${writer} stopped while holding it for writing; this thread holds it for writing now (releaseWrite() once the data it guards is consistent)`,
    writer,
  );
}

/** One try to enter as a reader. Writer preference: no new reader while a writer waits. */
export function tryRead(view: Int32Array): boolean {
  let s = Atomics.load(view, STATE);
  while (s >= 0 && Atomics.load(view, WWAIT) === 0) {
    const seen = Atomics.compareExchange(view, STATE, s, s + 1);
    if (seen === s) return true;
    s = seen;
  }
  return false;
}

/** One try to enter as the writer. */
export function tryWrite(view: Int32Array): boolean {
  return Atomics.compareExchange(view, STATE, FREE, -writerIdent()) === FREE;
}

/** Waits (blocking) to enter as a reader; false on timeout. */
export function readSlow(view: Int32Array, opts: Acquire): boolean {
  for (let i = 0; i < SPIN; i++) if (tryRead(view)) return true;
  Atomics.add(view, RWAIT, 1);
  try {
    for (;;) {
      // Why no lost wakeup: RSEQ is read before the check, and we sleep
      // only while it is unchanged (readers' note at the top).
      const seq = Atomics.load(view, RSEQ);
      if (tryRead(view)) return true;
      const outcome = waitSync(
        view,
        RSEQ,
        seq,
        opts.deadline,
        opts.signal,
        opts.interruptible,
        "acquireRead",
        lookAgain(view),
      );
      if (outcome === "timed-out") return tryRead(view);
    }
  } finally {
    Atomics.sub(view, RWAIT, 1);
  }
}

/** Waits (blocking) to enter as the writer; false on timeout. */
export function writeSlow(view: Int32Array, opts: Acquire): boolean {
  for (let i = 0; i < SPIN; i++) {
    if (Atomics.load(view, STATE) === FREE && tryWrite(view)) return true;
  }
  Atomics.add(view, WWAIT, 1);
  let acquired = false;
  try {
    for (;;) {
      // Why no lost wakeup: WSEQ is read before the CAS, and we sleep only
      // while it is unchanged (writers' note at the top).
      const seq = Atomics.load(view, WSEQ);
      if (tryWrite(view)) return acquired = true;
      const outcome = waitSync(
        view,
        WSEQ,
        seq,
        opts.deadline,
        opts.signal,
        opts.interruptible,
        "acquireWrite",
        lookAgain(view),
      );
      if (outcome === "timed-out") return acquired = tryWrite(view);
    }
  } catch (error) {
    acquired = tookOver(error);
    throw error;
  } finally {
    leaveWriters(view, acquired);
  }
}

// A waiting writer leaves WWAIT. Without the lock, it may have been what
// kept readers out (wake them if it was the last writer), and it may have
// consumed a notify(1) meant for a writer (hand one on).
export function leaveWriters(view: Int32Array, acquired: boolean): void {
  const left = Atomics.sub(view, WWAIT, 1) - 1;
  if (acquired) return;
  if (left === 0) {
    if (Atomics.load(view, RWAIT) > 0) wakeReaders(view);
  } else if (Atomics.load(view, STATE) === FREE) {
    wakeWriter(view);
  }
}

// A waiter's slice-end check: the death check, then "look again": a
// releaser that stopped between its CAS and its wake left WSEQ or RSEQ
// unbumped (_core/wait.ts, "A waker that stops"), so a waiter tries to enter
// again at each slice end instead of sleeping on.
function lookAgain(view: Int32Array): () => boolean {
  return () => {
    takeOverWriter(view);
    return true;
  };
}

/** Wakes one waiting writer (bumps WSEQ first: see the writers' note). */
export function wakeWriter(view: Int32Array): void {
  Atomics.add(view, WSEQ, 1);
  Atomics.notify(view, WSEQ, 1);
}

/** Wakes every waiting reader (bumps RSEQ first: see the readers' note). */
export function wakeReaders(view: Int32Array): void {
  Atomics.add(view, RSEQ, 1);
  Atomics.notify(view, RSEQ);
}

// The async forms take the RWLock handle (`rw`) and use it in their
// `finally`: the pending call then holds it, so the lock's heap block keeps
// its reference while the wait is pending (_core/heap.ts: a block is freed
// only once no handle is left; a function holding only the Int32Array let a
// dropped RWLock's block be freed and reused under a pending wait).
function keep(_rw: object): void {}

/** Waits (async) to enter as a reader; false on timeout. */
export async function readSlowAsync(
  rw: object,
  view: Int32Array,
  opts: Acquire,
): Promise<boolean> {
  Atomics.add(view, RWAIT, 1);
  try {
    for (;;) {
      // Why no lost wakeup: as in readSlow (RSEQ read before the check).
      const seq = Atomics.load(view, RSEQ);
      if (tryRead(view)) return true;
      const outcome = await waitAsync(
        view,
        RSEQ,
        seq,
        opts.deadline,
        opts.signal,
        opts.interruptible,
        lookAgain(view),
      );
      if (outcome === "timed-out") return tryRead(view);
    }
  } finally {
    Atomics.sub(view, RWAIT, 1);
    keep(rw);
  }
}

/** Waits (async) to enter as the writer; false on timeout. */
export async function writeSlowAsync(
  rw: object,
  view: Int32Array,
  opts: Acquire,
): Promise<boolean> {
  Atomics.add(view, WWAIT, 1);
  let acquired = false;
  try {
    for (;;) {
      // Why no lost wakeup: as in writeSlow (WSEQ read before the CAS).
      const seq = Atomics.load(view, WSEQ);
      if (tryWrite(view)) return acquired = true;
      const outcome = await waitAsync(
        view,
        WSEQ,
        seq,
        opts.deadline,
        opts.signal,
        opts.interruptible,
        lookAgain(view),
      );
      if (outcome === "timed-out") return acquired = tryWrite(view);
    }
  } catch (error) {
    acquired = tookOver(error); // taken over for writing: held
    throw error;
  } finally {
    leaveWriters(view, acquired);
    keep(rw);
  }
}
