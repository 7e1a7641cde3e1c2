// Copyright 2026 the threadkit authors. MIT license.
// The stale mark: how a pool thread inside one long task stops holding
// what is registered meanwhile (its replacement starts through _start.ts).
//
// Why. Home posts { add: id, buffer } on every pool thread's port when a
// task first names a SharedArrayBuffer (_shared.ts), and a thread reads its
// port only between tasks or at a task that names a buffer: inside one long
// task it reads nothing, and each add (with its buffer) waits in its port
// until the task ends (measured before: 200 fresh 1 MB buffers registered
// meanwhile, +204 MB of RSS).
//
// What. A count of unread posts alone cannot tell a thread in one long
// task from one that ran a run of short tasks since it last read (a task
// that names no buffer reads nothing): so each task has its own number,
// and the thread reads what came before it at the claim. At each claim
// the thread first reads its port if DRAIN > 0 (one load: posts came), then
// moves READY from 1 to taskMark(n), n its task count from its start's own
// base (a value per task, below 0); its end of the task is a CAS from that
// value. Home, at each add to a
// thread, loads its READY and keeps it (Started, per record). An add that
// finds READY a task's value, the same one it found at home's previous add
// to that thread, and at least DRAIN_AT + min(named, STALE_ALLOW) unread
// posts (DRAIN; named: the registered buffers that tasks in flight name
// at that add, which home holds anyway), marks the thread stale instead of
// posting: CAS READY from that value to STALE_MARK. So the thread was in
// one task from home's previous add to the mark, and that many posts came
// since its claim's read.
// The bound: home posts a thread in one task an add only while it holds
// fewer than DRAIN_AT + STALE_ALLOW unread posts (home's first add in each
// task aside: it has no earlier sighting of that task, and posts); fewer
// than DRAIN_AT when no task in flight names a registered buffer. Each
// unread add counts in DRAIN, so the adds it holds from that task, each
// with its buffer, are at most DRAIN_AT + STALE_ALLOW + 1 (the memory
// bound); drops and { holder } links count too (they hold no buffer: they
// only make the mark come sooner, and staleMarks().unread reports the mixed
// count). So a burst of adds while the task runs, tasks in flight or one at
// a time, stops there, and what the thread holds stays at that count after
// the burst settles: DRAIN_AT + STALE_ALLOW when only home's adds came
// since its claim's read (the review's burst of 150: 284 unread before,
// tests/pool/stale_burst_test.ts), DRAIN_AT one at a time. More only from
// what no task value covers: adds that land while READY is 1 (between
// tasks: read at its next claim, or at a park from DRAIN_AT; a thread
// preempted there holds them meanwhile), and a task's target load
// (_load.ts: READY loadMark(n), never marked; the thread reads its port
// itself on a timer meanwhile), and holders' adds (_mesh.ts): they count
// in DRAIN, so home's next add marks, but a holder never marks (a mark
// makes the thread leave after its task, and only home starts its
// replacement: a holder's mark would leave the holder's queued tasks to
// home's tick, and a home busy outside threadkit's waits runs none), so
// the bound covers what home registers: a holder registering while home
// registers nothing fills that port as before (150 in flight: 286 unread).
// A holder posts nothing to a marked thread.
// Not marked by mistake: a thread that ended the task home saw and claimed
// the next one stores another value first (its end CAS moved READY to 1,
// its claim to taskMark(n + 1)), so home's CAS from the old value fails,
// and the value home sees at its next add differs from the one it kept:
// that add posts. Values repeat after 2^30 tasks of one thread between two
// of home's adds to it (and an equal count past the claim's read).
// A record's next thread: a thread declared dead (its entry ended while it
// runs) may write its record after a maintain freed it (reclaimTake, then
// IDENT -> 0) and a start claimed it for the next thread (READY 1 by
// exchange). So it writes READY only by CASes from values of its own: its
// task values count from a base of its start's own (the start number's low
// 10 bits times 2^20: the next thread's values differ from its own unless
// 1024 starts or 2^20 of the next thread's tasks lie between), and its
// claim is a CAS from 1, which could meet the next thread's 1: the claim
// then clears its name from TAKE by CAS, and a name gone (a reclaim took
// it by exchange, and the record is freed only after that) gives READY
// back, CAS taskMark(n) -> 1. Before its name is taken, the record is the
// thread's own (a start's exchange later writes 1 over its value). A thread
// whose clear kept its name (its own record) and whose CAS from 1 failed
// found a dead predecessor's value there (below 0), or its give-back's 1:
// it moves READY from what it finds to its own value, by CAS, until READY
// is its own (at most the predecessor's two writes between). Left: a
// thread preempted between that claim and its give-back while home posts
// the next thread DRAIN_AT adds could have home mark that thread stale from
// the value (tests/pool/ready_record_test.ts: before, a plain store made
// the next thread look busy for the whole task).
// Why the allowance: a task of a burst over fresh buffers that is merely
// slower than home's submits (they come every few us) spans DRAIN_AT of
// them, and a count cannot tell it from a long one. With DRAIN_AT alone
// such tasks were marked (2 pool threads, rounds of 100 tasks of 0.3 ms in
// flight: 7 to 10 thread starts per 1,400 tasks, 1.6 to 4.1 times the time,
// load 16-26); the allowance covers a burst's usual overlap, up to
// STALE_ALLOW (bench/stale_churn_ab.ts). What a mark of such a task costs:
// a replacement's start and the thread thrown away, never a task: the
// marked thread finishes its task and pushes its outcome as any (the mark
// only stops it taking another).
// Marked, it is posted nothing more, ever, and it takes no further task.
// When that task ends the thread pushes its outcome, gives its record back
// and leaves; it had taken no index, so none goes back. Its replacement
// starts at the mark, on a second record, while home runs (home is inside
// a submit that registers a buffer: the start comes right after that
// task's args are encoded, Pool.replaceStale, _start.ts startOn), and its
// start args carry the whole table (that buffer included) and, from
// HomeMesh.beforeStart, each holder's channel and table. So home never has
// to run when the stale thread ends, and a home blocked later (in a
// result() on that very task, in a join, in any wait) leaves no queued
// task without a thread.
//
// maxWorkers meanwhile: it bounds the threads that take tasks (LIVE minus
// STALES: replenish starts none at or above it); each stale thread runs
// its one task on top, until it ends. So up to 2 maxWorkers threads may
// live (one record each: the block has 2 maxWorkers records), and up to
// maxWorkers + STALES tasks run at once. With no free record left (every
// thread stale and replaced), home marks none and posts as before.
// A spare (prestartThreads) makes the start at the mark cheap for home: a
// record posted to a worker that is already up, not a worker's start.
//
// Words (_layout.ts): the record's READY gets a value per task and a mark,
// and the header gets a count.
// | word       | values                                | written by                       |
// |------------|---------------------------------------|----------------------------------|
// | R_READY    | 1 not in a task; taskMark(n) < 0 in the thread's n-th task; loadMark(n) >= 3 while that task's target loads (_load.ts); STALE_MARK (2); 0 freed after a mark | the thread (claim CAS 1 -> taskMark(n), back if its name was taken; CAS taskMark(n) <-> loadMark(n) around a load, end CAS taskMark(n) -> 1), home (start 1 by exchange, mark CAS taskMark(n) -> STALE_MARK), unmark (CAS STALE_MARK -> 0) |
// | STALES     | records whose READY is STALE_MARK     | +1 by home before its mark, -1 by whoever moves READY off STALE_MARK |
//
// READY states of a record (the thread's task-end CAS and home's mark are
// CASes from the same value: one wins):
// 1           -claim of its n-th task (thread, CAS)->            taskMark(n)
// taskMark(n) -its target's load begins (thread, CAS)->          loadMark(n)
// loadMark(n) -the load ends (thread, CAS)->                     taskMark(n)
// taskMark(n) -task ends (thread, CAS)->                         1 (goes on)
// taskMark(n) -home's mark (CAS, that value seen at two adds; the thread's
//              end CAS then fails)->                             STALE_MARK
// STALE_MARK  -the thread's task ends (thread, CAS)->            0, then it leaves its record
// STALE_MARK  -the thread died; a maintain freed its record first (CAS)-> 0
// STALE_MARK  -home found the record freed after its mark (CAS)-> 0
// STALE_MARK  -a start on the record, once free (exchange)->     1
// Each move off STALE_MARK is a CAS or an exchange, so STALES is taken down
// exactly once per mark. Which way LIVE - STALES errs meanwhile: the mark
// adds to STALES before its replacement's start adds to LIVE (it reads one
// serving thread fewer for a moment: only home starts, and home is the one
// marking, so no start runs in that window); a leaving stale thread (and a
// maintain's reclaim) frees IDENT, unmarks, then takes LIVE down (one
// serving thread more for a moment: a replenish then starts nothing, and
// the owner's next scan or submit does), never a start past maxWorkers.
//
// Every way a stale thread ends:
// - its task returns or throws: the outcome is written and pushed as any
//   (the Future settles once, by that push), then it leaves (_thread.ts);
// - it dies mid-task (exit, out of memory under resourceLimits): the
//   owner's scan fails the Future with ThreadDiedError (the slot names it,
//   as any runner's death), a maintain frees its record and unmarks; no
//   second replacement starts: the one started at the mark is counted in
//   LIVE, so replenish finds maxWorkers serving (LIVE - STALES);
// - a death and the mark racing: a mark on a thread already dead starts
//   its replacement all the same (the dead thread's record is freed by a
//   maintain, which then starts none, as above); a mark whose record was
//   freed meanwhile (IDENT no longer the thread's) is taken back and its
//   claimed record given back: that thread is gone, replenish serves;
// - shutdown while it is stale: wait joins it (its record counts in LIVE
//   until it leaves, and Started joins its Thread); cancelFutures cancels
//   the queued tasks (it was running one: that one finishes); parked
//   threads leave, and the replacement leaves at its next take;
// - home ends: the pool breaks, and its pool threads end with it (_orphans.ts).
// A thread declared dead that still runs (ended is not stopped) unmarks
// only if its own CAS freed the record (IDENT was still its ident; both of
// its ways out, a task settled by an owner's scan included, leave through
// leaveStale when marked): else a maintain freed it and unmarked. (Left: the window maintain's reclaim
// has too, a record freed and marked again between two of its loads.)
// A thread in its initializer (READY 1) reads nothing either, and is never
// marked: a long initializer holds every add made meanwhile.

import {
  type Block,
  LIVE,
  R_DRAIN,
  R_IDENT,
  R_READY,
  R_TAKE,
  STALE_MARK,
  STALES,
} from "./_layout.ts";
import { unmark } from "./_leave.ts";
import { DRAIN_AT } from "./_park.ts";

/**
 * Claims free record `w` for a start (IDENT 0 -> -1, then LIVE up), or
 * returns false. A STALE_MARK left on it (a mark that met a record freed
 * meanwhile) is taken down here. READY 1 is published by the IDENT store.
 */
export function claim(v: Int32Array, rec: number): boolean {
  if (Atomics.compareExchange(v, rec + R_IDENT, 0, -1) !== 0) return false;
  if (Atomics.exchange(v, rec + R_READY, 1) === STALE_MARK) {
    Atomics.sub(v, STALES, 1);
  }
  Atomics.add(v, LIVE, 1);
  return true;
}

/** A claimed record not started: free again. */
export function giveBack(v: Int32Array, rec: number): void {
  Atomics.store(v, rec + R_IDENT, 0);
  Atomics.sub(v, LIVE, 1);
  // Why no lost wakeup: as for a leaving pool thread (_leave.ts).
  Atomics.notify(v, LIVE);
}

const counts = { marked: 0, unread: 0 };

/**
 * Stale marks home made in this thread, and the posts the last marked
 * thread's port held unread at its mark (tests: the last, not the most, so
 * that a test's own mark is what it reads after other tests' marks in the
 * same process, as Bun runs every test file).
 */
export function staleMarks(): { marked: number; unread: number } {
  return { ...counts };
}

/**
 * Most unread adds a thread in one task is allowed beyond DRAIN_AT for
 * buffers that tasks in flight name (home holds those anyway; see the
 * top). DRAIN_AT itself still marked such tasks at load (2 thread starts
 * per 1,400 tasks in bench/stale_churn_ab.ts, load 20); 3 DRAIN_AT, none.
 */
export const STALE_ALLOW = 3 * DRAIN_AT;

/** Bits of a thread's task count that READY carries (see the top). */
const TASK_BITS = 0x3fffffff;

/** READY while a thread runs its `n`-th task: below 0, one value per task. */
export const taskMark = (n: number): number => -1 - (n & TASK_BITS);

/**
 * A pool thread's claim of a task on record `rec`: READY to its task value
 * `mine` by CAS from 1, then its name `name` out of TAKE by CAS (to
 * `empty`); a name taken gives READY back, a name kept makes READY its own
 * (see "A record's next thread" at the top).
 */
export function claimReady(
  v: Int32Array,
  rec: number,
  mine: number,
  name: number,
  empty: number,
): void {
  let r = Atomics.compareExchange(v, rec + R_READY, 1, mine);
  if (Atomics.compareExchange(v, rec + R_TAKE, name, empty) !== name) {
    if (r === 1) Atomics.compareExchange(v, rec + R_READY, mine, 1);
    return;
  }
  while ((r === 1 || r < 0) && r !== mine) {
    const x = Atomics.compareExchange(v, rec + R_READY, r, mine);
    r = x === r ? mine : x;
  }
}

/**
 * Home is about to post an add to the thread `ident` on record `w`, whose
 * READY read `ready` now and at home's previous add to it: if that is a
 * task's value (the thread is still in the one task) and the thread holds
 * DRAIN_AT + min(`named`, STALE_ALLOW) posts unread (`named`: registered
 * buffers tasks in flight name), marks it stale (see the top of this file) and
 * returns the record claimed for its replacement (start it with startOn
 * once the encode under way is over), else -1 (post).
 */
export function markStale(
  b: Block,
  w: number,
  ident: number,
  ready: number,
  named: number,
): number {
  const { v } = b, rec = b.record(w);
  const unread = Atomics.load(v, rec + R_DRAIN);
  const at = DRAIN_AT + Math.min(named, STALE_ALLOW);
  if (unread < at || ready >= 0) return -1;
  let r = 0;
  while (r < b.l.records && !claim(v, b.record(r))) r++;
  if (r === b.l.records) return -1; // every record in use: post
  Atomics.add(v, STALES, 1); // before the mark: see the top of this file
  // From the task's own value: a thread that ended it (and took the next)
  // moved READY off it, and this fails.
  if (Atomics.compareExchange(v, rec + R_READY, ready, STALE_MARK) !== ready) {
    Atomics.sub(v, STALES, 1); // its task ended first: post
    giveBack(v, b.record(r));
    return -1;
  }
  // Freed meanwhile (it died, a maintain reclaimed the record, which frees
  // IDENT before it unmarks): the mark is taken back, and no replacement
  // starts (the maintain's replenish serves).
  if (Atomics.load(v, rec + R_IDENT) !== ident) {
    unmark(v, rec);
    giveBack(v, b.record(r));
    return -1;
  }
  counts.marked++;
  counts.unread = unread;
  return r;
}
