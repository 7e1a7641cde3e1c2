// Copyright 2026 the threadkit authors. MIT license.
// A task's target loads inside the task (_thread.ts): the first task of
// each target on a pool thread imports its module (or threadkit's scope,
// for a function's source), and a thread just started, a stale thread's
// replacement among them, runs its first tasks that way.
//
// Why it matters for the stale mark (_stale.ts). A load is slow (tens to
// hundreds of ms at load): a burst of adds during it found the same task's
// value at two adds with DRAIN_AT + STALE_ALLOW unread and marked the
// thread, so under a stream of adds a replacement was marked in its first
// task, and its replacement in turn: a thread start per burst (measured:
// bench/stale_chain.ts, 2,000 tasks 100 in flight over fresh buffers,
// during a long task: 4 to 5 starts where one is the held thread's).
//
// So while the target loads, READY reads the task's load value,
// loadMark(n) = 2 - taskMark(n) (3 and up: one per task, as taskMark's):
// home never marks it (it marks only a task's value, below 0), and the
// thread reads its port itself, every LOAD_DRAIN_MS on a timer (the load
// is an await: its event loop turns), and once more when the load ends.
// Then READY goes back to the task's value, and the count that marks
// starts from that read: a mark needs DRAIN_AT + STALE_ALLOW unread adds
// while the task proper runs.
// The words: the thread moves READY taskMark(n) -> loadMark(n) ->
// taskMark(n), each a CAS. The first fails only if home marked the task
// first (STALE_MARK: it loads as any stale thread's last task, unread, and
// leaves after it). The second fails only if the record is no longer its
// own (declared dead and reclaimed: a claim's exchange moved READY): then
// its end-of-task CAS fails too, and it leaves as a marked thread does
// (leaveStale, whose IDENT CAS then fails: it frees nothing). Why a value
// per task: a thread declared dead while it loads, whose record went to
// another thread that is loading too, must not move that thread's READY
// (one shared LOADING value would match: the review's RISK 1); two
// threads' values match only if their task counts agree mod 2^30, and the
// second thread's is then its own value again (the CAS is from and to
// values of the same count: READY stays a value of that count), a little
// early: home may then mark that thread while it still loads, and it runs
// the task as a stale thread's last (no Future lost, one start).
// Home's view: it sees the load value between two samples of the task's
// value, so the first add after the load posts and keeps the value again
// (its rule needs the same value at two of its adds).
// Left: a module whose evaluation runs long synchronously (its top-level
// code) turns no event loop: its port is read at the load's end only (as
// an initializer's, which runs with READY 1).

import type { AnyFunction } from "../_core/target.ts";
import { type Block, R_DRAIN, R_READY } from "./_layout.ts";

/** READY while the task whose READY is `mine` loads its target (>= 3). */
export const loadMark = (mine: number): number => 2 - mine;
/** Whether READY `ready` is a task's load value. */
export const isLoading = (ready: number): boolean => ready >= 3;
/** How often a thread reads its port while a target loads. */
export const LOAD_DRAIN_MS = 2;

/**
 * Runs `load` (a task's target) on record `rec` of `b`, whose task's READY
 * value is `mine`, with READY loadMark(mine) meanwhile and the port read by
 * `drain` every LOAD_DRAIN_MS and at the end (see the top).
 */
export async function loading(
  b: Block,
  rec: number,
  mine: number,
  load: () => Promise<AnyFunction>,
  drain: () => void,
): Promise<AnyFunction> {
  const { v } = b, ready = rec + R_READY, at = loadMark(mine);
  if (Atomics.compareExchange(v, ready, mine, at) !== mine) return load();
  const read = () => {
    if (Atomics.load(v, rec + R_DRAIN) > 0) drain();
  };
  const timer = setInterval(read, LOAD_DRAIN_MS);
  try {
    return await load();
  } finally {
    clearInterval(timer);
    read();
    Atomics.compareExchange(v, ready, at, mine);
  }
}
