// Copyright 2026 the threadkit authors. MIT license.
// Closing an executor (shutdown, a broken pool) against the submits in
// flight. A submit checks STATE, then hands its slot to a parked pool
// thread (_park.ts) or puts its index in the task queue. A close that
// landed between the two would miss that task: its drain has already run,
// so a task accepted after the close began could still start (Python's
// submit takes the executor's lock for both steps and refuses after
// shutdown). The gates make the two steps one, as seen by a close:
//
// Gate word: one per thread-table entry (GATES + e, _layout.ts), and one
// shared count (GATED) for a submit that finds its entry's word taken: an
// entry is freed when its thread's target returns, while leftover work of
// that thread's event loop may still submit, so a new thread on the same
// entry can meet its word in use.
// | word   | value | meaning                                               | written by                      |
// |--------|-------|-------------------------------------------------------|---------------------------------|
// | gate e | 0     | no submit holds it                                    | its holder (CAS back to 0),     |
// |        | ident | that thread is between its STATE check and hand-off   | a close giving up (CAS to 0)    |
// | GATED  | n     | n submits are there, counted here instead             | those submits (add, sub)        |
//
// submit: CAS gate 0 -> ident (or add 1 to GATED); load STATE (refuse
//         unless OPEN); write QUEUED; hand off or put; CAS gate back to 0
//         (or subtract 1).
// close:  store STATE; then for every gate, and for GATED: wait while it
//         is held; then shut the queue and drain (queue and hand-offs).
// Why no submit slips past a close: both sides write (store, CAS or add),
// then load, and all Atomics are sequentially consistent, so either the
// submit's load sees the new STATE (it refuses, changing nothing), or
// close's load sees the gate held (or GATED above 0) and waits until that
// submit's hand-off or put is done, so the drain that follows sees its
// task. Nothing notifies a gate's clearing (every
// submit would pay a notify for a race that almost never happens): a close
// naps GATE_NAP_MS at a time; a submit holds its gate for a few stores and
// one CAS or queue put, and runs no user code inside it.
// Whose gate counts: a live thread's, and that of a thread whose target has
// returned (its entry is freed) while leftover work of its event loop may
// still submit: ended is not stopped. A gate naming a thread in the stop
// ring (_core/runtime.ts) is skipped: a stopped thread submits nothing
// more. One that ended and never shows in the ring (a thread stopped
// together with its starter leaves no record) is waited for GATE_ENDED_MS
// at most, then skipped.

import { identStopped, runtime } from "../_core/runtime.ts";
import { waitSync } from "../_core/wait.ts";
import type { Queue } from "../queue/bounded.ts";
import {
  type Block,
  BROKEN,
  GATED,
  HEAD_COUNT,
  OPEN,
  ownerLive,
  SHUTDOWN,
  STATE,
} from "./_layout.ts";
import { drainMail, settleUnrun, wakeParked } from "./_park.ts";
import { holdTaker, releaseTaker } from "./_hold_taker.ts";

const GATE_NAP_MS = 0.05;
const GATE_ENDED_MS = 1000;

/**
 * Closes the executor: STATE becomes SHUTDOWN (from OPEN only) or BROKEN,
 * the submits already past their STATE check finish, the task queue is
 * shut down, and with `drain` (cancelFutures, or a broken pool) every task
 * not yet taken by a pool thread, queued or handed over, is settled
 * unrun (cancelled, or failed with BrokenExecutorError when broken).
 * Parked pool threads are woken last (after the drain: a woken thread
 * must not take a task being drained); they leave through the shut-down
 * queue. Any thread may call it, more than once.
 */
export function close(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
  state: typeof SHUTDOWN | typeof BROKEN,
  drain: boolean,
): void {
  const { v } = b;
  if (state === BROKEN) Atomics.store(v, STATE, BROKEN);
  else Atomics.compareExchange(v, STATE, OPEN, SHUTDOWN);
  waitGates(b);
  tasks.shutdown();
  if (drain) {
    const broken = Atomics.load(v, STATE) === BROKEN;
    // The queue's turn (_take.ts TAKER): no pool thread is between its
    // look at the queue's head and its get while this drains.
    holdTaker(b, tasks, free);
    try {
      for (;;) {
        let s: number;
        try {
          s = tasks.getNowait();
        } catch {
          break;
        }
        settleUnrun(b, s, free, broken);
      }
    } finally {
      releaseTaker(b);
    }
    drainMail(b, free, broken);
  }
  wakeParked(b, true);
}

/**
 * Waits until no thread but this one is inside a submit's gate (a thread
 * that stopped there counts as out; see the top of this file).
 */
export function waitGates(b: Block): void {
  const { v } = b;
  const own = runtime().entry;
  for (let e = 0; e < HEAD_COUNT; e++) {
    if (e === own) continue; // this thread's own submit is not running now
    const at = b.gate(e);
    let giveUp = NaN;
    for (;;) {
      const id = Atomics.load(v, at);
      if (id === 0) break;
      if (!ownerLive(e, id)) {
        if (identStopped(id) !== undefined) break;
        const now = performance.now();
        if (giveUp !== giveUp) giveUp = now + GATE_ENDED_MS;
        else if (now >= giveUp) {
          Atomics.compareExchange(v, at, id, 0); // once, not at every close
          break;
        }
      }
      // Polled (see the top of this file): the loop re-reads the gate.
      waitSync(v, at, id, performance.now() + GATE_NAP_MS, undefined, false);
    }
  }
  const giveUp = performance.now() + GATE_ENDED_MS;
  for (;;) {
    const n = Atomics.load(v, GATED);
    if (n <= 0 || performance.now() >= giveUp) return;
    waitSync(v, GATED, n, performance.now() + GATE_NAP_MS, undefined, false);
  }
}
