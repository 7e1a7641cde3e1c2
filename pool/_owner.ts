// Copyright 2026 the threadkit authors. MIT license.
// The submitting side of an executor, one per (thread, executor block): the
// Futures of the tasks this thread submitted, by slot, and the reaper that
// settles them. A pool thread finishing a task pushes its slot on this
// thread's completion stack (the head of this thread's table entry in the
// block, _layout.ts) and notifies when the stack was empty; the reaper takes
// the whole stack with one exchange, settles those Futures and frees their
// slots. So a burst of completions costs one wakeup, not one each.
//
// The reaper runs only while this thread has pending Futures, and its
// async sleep holds the process alive while it runs (the wait helper's
// keep-alive): a submitted task keeps the process alive until its Future
// settles; an idle pool never does (its threads are daemons). It is a chain
// of reactions, not an async function: the reaction that sees the
// completion stack's wake drains it and settles the Futures, so the code
// awaiting a Future resumes two promise hops after the wake (the Future's
// promise, the await), where an async reaper over the async wait helper
// added two more and a try/finally.
//
// Death: a pool thread that ends while running a task never pushes that
// slot. Once SCAN_MS passed since this owner's last scan, the next park
// that times out (the reaper's, a blocking result()'s, wait()'s, a full
// queue's: each is bounded by the scan time), or every SCAN_EVERY-th drain
// (a steady stream of completions that never parks), looks at the pool
// threads holding this thread's tasks: one whose thread-table entry no
// longer holds its ident has ended, and its task is settled with
// ThreadDiedError; the scan also frees the records of ended pool threads
// and starts replacements (Pool.maintain).
//
// Kept slots: a slot this thread's settle frees is kept for its next
// submit (KEPT, one CAS to take back) instead of going through the shared
// free queue (two queue operations, about 0.2-0.3 us a round trip): up to a
// quarter of the slots, so a thread submitting one task at a time reuses
// its slot. A thread that finds the free queue empty takes KEPT slots back
// from any owner, live or ended (reclaimKept, _orphans.ts; the CAS from
// KEPT decides against the owner's own take), so kept slots never starve
// another submitter. When its last pending task settles (idle), a thread
// gives back all but one of its kept slots only if the free queue is empty
// then: a submitter may be waiting there, and this wakes it at once
// instead of at its next reclaim (up to 5 ms blocking, 200 ms async,
// _slots.ts). While the free queue holds slots, no submitter sleeps on it
// (a get sleeps only on an empty queue, and the put that fills it wakes
// its sleepers), so the kept slots stay for this thread's next submits
// (BENCHMARKS.md, "Many tasks in flight": they used to go back at every
// idle moment, and 87% of submits took a slot from the free queue).
// This thread's own end: a sweep (Pool.maintain) frees the kept slots of
// an owner that ended; a pool thread finishing a task of an ended owner
// frees the slot instead of pushing it.

import {
  type Sleep,
  sleepAsync,
  type WaitOutcome,
  waitSync,
} from "../_core/wait.ts";
import { entryAlive, requestCancel } from "../_core/runtime.ts";
import type { Queue } from "../queue/bounded.ts";
import {
  ABORT,
  type Block,
  CANCELLED,
  DONE,
  EMPTY,
  FINISHING,
  HELD,
  HELD_W,
  ID,
  K_DIED,
  PHASE,
  QUEUED,
  RUNNING,
  S_KIND,
  S_STATE,
  S_WENTRY,
  S_WIDENT,
  shift,
  tagOf,
} from "./_layout.ts";
import { diedOutcome, readOutcome, type TaskOutcome } from "./_payload.ts";
import { fenceRead } from "./_args_held.ts";
import { Completions } from "./_drain.ts";
import {
  type Future,
  type FutureSource,
  markSettled,
  sourceOf,
} from "./future.ts";

const RESOLVED = Promise.resolve();

/** How often a waiting owner looks for pool threads that died (ms). */
const SCAN_MS = 200;
// drain() reads the clock for a due scan on every SCAN_EVERY-th call only.
const SCAN_EVERY = 32;

// By the executor's ID word, not its buffer object: the same memory can
// arrive in a thread as two buffer objects.
const owners = new Map<number, Owner>();

/** This thread's owner context for `block` (one per thread and block). */
export function ownerFor(
  block: Block,
  free: Queue<number>,
  replenish: () => void,
): Owner {
  const id = Atomics.load(block.v, ID);
  let owner = owners.get(id);
  if (owner === undefined) {
    owner = new Owner(block, free, replenish);
    owners.set(id, owner);
  }
  return owner;
}

/** The Futures of one thread's tasks on one executor, and their reaper. */
export class Owner extends Completions implements FutureSource {
  readonly #replenish: () => void;
  #reaping = false;
  // The reaper's sleep: coarse (its deadline is the scan's due time, which
  // may pass by a tick), so it never arms a timer of its own.
  readonly #nap: Sleep & { deadline: number } = {
    timeout: Infinity,
    deadline: 0,
    started: true,
    signal: undefined,
    coarse: true,
  };
  // When this owner's next scan is due (performance clock: its last scan
  // plus SCAN_MS), and the DONE slots that scan found undrained on a dead
  // runner (see scan()). A fixed time, not SCAN_MS from each wait's start:
  // reading the clock costs about 0.5 us here, a tenth of a wake-up round
  // trip, so park() and the reaper read it only when a wait bounded by
  // #scanAt times out, and drain() only on every SCAN_EVERY-th call.
  #scanAt = performance.now() + SCAN_MS;
  #drains = 0;
  // DONE and FINISHING slots whose runner the last scan found dead, with
  // the STATE word it read (tag included: the same word at the next scan is
  // the same task).
  #suspects = new Map<number, number>();
  // A hold under way (#hold): its slot (-1: none), word and outcome.
  #holdSlot = -1;
  #holdState = 0;
  #holdOutcome: (() => TaskOutcome) | undefined;
  #finishing = new Map<number, number>();

  constructor(block: Block, free: Queue<number>, replenish: () => void) {
    super(block, free);
    this.#replenish = replenish;
  }

  /**
   * Tracks a Future and makes sure the reaper runs: from a microtask, so
   * that a `result()` right after the submit settles the Future before the reaper starts and its wait is not paid for a Future
   * nobody awaits (before the loop looks for work). Queued, said so, then
   * tracked: an overflow leaves it untracked.
   */
  track(slot: number, future: Future): void {
    if (this.owed.length > 0) this.untrackOwed();
    if (!this.#reaping) {
      // Not queueMicrotask: Node wraps its callbacks in an async resource.
      void RESOLVED.then(this.#startReaper);
      this.#reaping = true;
    }
    this.futures.track(slot, future);
  }

  readonly #startReaper = (): void => {
    // Settled meanwhile (result()): the reaper ends at once.
    this.#reap();
  };

  /**
   * Settles what completed; scans too when a scan is due. Called from the
   * user's calls (done(), result(), ...), at any depth: see "Depth".
   */
  drain(): number {
    const n = this.drainAt(true);
    if (++this.#drains >= SCAN_EVERY) {
      this.#drains = 0;
      this.scanIfDue();
    }
    return n;
  }

  /** Scans when SCAN_MS passed since this owner's last scan. */
  scanIfDue(): void {
    if (performance.now() >= this.#scanAt) this.scan();
  }

  park(until: number, signal: AbortSignal | undefined): void {
    // Why no lost wakeup: the pusher moves the head off EMPTY before it
    // notifies; we sleep only while it still reads EMPTY (drain() left it so).
    const r = waitSync(
      this.b.v,
      this.head,
      EMPTY,
      Math.min(until, this.#scanAt),
      signal,
    );
    // A wait bounded by #scanAt times out once the scan is due: only then is
    // the clock read (see #scanAt).
    if (r === "timed-out") this.scanIfDue();
  }

  state(slot: number): number {
    return Atomics.load(this.b.v, this.b.slot(slot) + S_STATE);
  }

  cancel(slot: number): boolean {
    const { v } = this.b;
    const at = this.b.slot(slot) + S_STATE;
    // The index stays in the task queue: whichever pool thread takes it
    // finds CANCELLED and frees the slot, so the slot is never reused while
    // its index is still queued.
    if (shift(v, at, QUEUED, CANCELLED) !== QUEUED) return false;
    // Cancelled: the caller settles the Future, so this returns true. An
    // untrack the stack's end stopped is owed (a store).
    try {
      this.futures.untrack(slot);
    } catch {
      this.owed[this.owed.length] = slot;
    }
    return true;
  }

  abort(slot: number): void {
    const { v } = this.b;
    const base = this.b.slot(slot);
    // Mark first, then request: the runner that finishes the task sees the
    // mark in its CAS and waits for the request to land before it clears its
    // cancel word, so the request can never hit the thread's next task.
    if (shift(v, base + S_STATE, RUNNING, RUNNING | ABORT) === RUNNING) {
      requestCancel(v[base + S_WENTRY], v[base + S_WIDENT]);
    }
  }

  /**
   * Settles the tasks whose pool thread ended while running them, and frees
   * the records of ended pool threads (then starts replacements).
   */
  scan(): void {
    this.#scanAt = performance.now() + SCAN_MS;
    if (this.#holdSlot >= 0) this.#finishHold();
    const b = this.b;
    const { v } = b;
    // DONE slots of dead runners, looked at before the drain: a runner that
    // was dead before the drain pushed before it (or never will).
    const done = new Map<number, number>();
    for (const slot of this.futures.slots()) {
      const base = b.slot(slot);
      const state = Atomics.load(v, base + S_STATE);
      const ident = Atomics.load(v, base + S_WIDENT); // below 0: unnamed
      if ((state & PHASE) !== DONE || ident <= 0) continue;
      if (!entryAlive(v[base + S_WENTRY], ident)) done.set(slot, state);
    }
    this.drainAt(true);
    const suspects = new Map<number, number>();
    const finishing = new Map<number, number>();
    for (const slot of this.futures.slots()) {
      const base = b.slot(slot);
      const state = Atomics.load(v, base + S_STATE);
      const phase = state & PHASE;
      // (QUEUED: not the scan's; the reclaim of its taker's record, _take.ts.)
      if (phase !== RUNNING && phase !== FINISHING) continue;
      // Its claimer's name, by CAS from unnamed (< 0) (_layout.ts "NAME").
      const ident = Atomics.load(v, base + S_WIDENT);
      if (ident <= 0 || entryAlive(v[base + S_WENTRY], ident)) continue;
      // FINISHING: the runner may be writing the outcome (declared dead, it
      // may still run): settled at the second scan in a row that finds the
      // same word (its tag: the same task), and HELD, not freed: the
      // runner's FINISHING -> DONE CAS fails, and it frees the slot once
      // its writes are over (_layout.ts "HELD").
      if (phase === FINISHING) {
        if (this.#finishing.get(slot) !== state) finishing.set(slot, state);
        else this.#hold(slot, state, () => diedOutcome(ident));
        continue;
      }
      // RUNNING: the runner never writes or pushes this slot (its CASes name
      // this task's tag, _layout.ts); one inside its decode reads it: held.
      if (fenceRead(v, base)) {
        this.#hold(slot, state, () => diedOutcome(ident));
        continue;
      }
      const died = tagOf(state) | DONE;
      if (Atomics.compareExchange(v, base + S_STATE, state, died) === state) {
        v[base + S_KIND] = K_DIED; // after the CAS: a lost CAS writes nothing
        this.settle(slot, true, false); // (never on a stack)
      }
    }
    this.#finishing = finishing;
    // A runner that died between marking DONE and its push: still DONE and
    // undrained, with its runner dead, at two scans in a row (the same
    // word: the same task). Settled with its outcome (complete at DONE) and
    // HELD: a runner declared dead that still runs may push it yet.
    for (const [slot, state] of done) {
      if (this.futures.get(slot) === undefined) continue; // drained above
      if (this.#suspects.get(slot) !== state) suspects.set(slot, state);
      else this.#hold(slot, state, () => readOutcome(b, slot));
    }
    this.#suspects = suspects;
    // HELD slots whose runner has stopped: freed (_held.ts).
    this.held.release(this.#drainHook);
    // Free the records of ended pool threads and start replacements.
    this.#replenish();
  }

  // Settles the task of slot `slot` (DONE or FINISHING at two scans in a
  // row, word `state`) as `outcome`, and HELDs the slot instead of freeing
  // it (_held.ts). The CAS from the word both scans saw settles it once.
  // The outcome is read after the CAS, and a read that throws fails the
  // Future with that error: the scan goes on, the Future settles.
  #hold(slot: number, state: number, outcome: () => TaskOutcome): void {
    if (this.#holdSlot >= 0) this.#finishHold(); // one stopped earlier
    // Recorded before the CAS (stores): a hold that the stack's end stops
    // after it is finished by the next scan (#finishHold), which checks
    // that the CAS was made.
    this.#holdState = state;
    this.#holdOutcome = outcome;
    this.#holdSlot = slot;
    this.held.hold(slot, state);
    this.#finishHold();
  }

  // A hold's settle: by stores, then untracked, once the slot is HELD (or
  // HELD_W) under the word's tag; redone from the start after an overflow.
  // The outcome, read while the Future is pending: a stack overflow of a
  // user's call is rethrown, not made the outcome.
  #finishHold(): void {
    const slot = this.#holdSlot;
    const word = Atomics.load(this.b.v, this.b.slot(slot) + S_STATE);
    const phase = word & PHASE;
    const future = this.futures.get(slot);
    if (
      tagOf(word) === tagOf(this.#holdState) &&
      (phase === HELD || phase === HELD_W) && future !== undefined
    ) {
      if (sourceOf(future) !== undefined) {
        let o: TaskOutcome;
        try {
          o = this.#holdOutcome!();
        } catch (error) {
          if (error instanceof RangeError) throw error; // (redone later)
          o = { ok: false, error };
        }
        markSettled(future, o);
      }
      this.futures.untrack(slot);
    }
    this.#holdSlot = -1;
    this.#holdOutcome = undefined;
  }

  readonly #drainHook = (): void => void this.drainAt(true);

  // Settles what completed, then sleeps on the completion stack while
  // tasks are pending; #woken continues in the reaction that sees the
  // wake. Ends (#reaping false) once nothing is pending.
  #reap(): void {
    const { v } = this.b;
    for (;;) {
      let n: number;
      try {
        n = this.drainAt(false);
        if (++this.#drains >= SCAN_EVERY) {
          this.#drains = 0;
          this.scanIfDue();
        }
      } catch (error) {
        console.error("Exception settling a Future:", error);
        n = 1;
      }
      if (n > 0) continue;
      // Nothing pending: end. The next submit starts a reaper again, and
      // it waits right after that task is handed over, as a raw ping-pong
      // does (one that lingered cost one task at a time 1.7x: BENCHMARKS.md
      // "One task at a time").
      if (this.futures.size === 0) {
        this.#reaping = false; // (cancel() drops pending too)
        if (this.local.length > 1 && this.free.qsize() === 0) {
          this.release(Math.min(1, this.keepCap));
        }
        return;
      }
      // Why no lost wakeup: as in park(); sleepAsync sleeps only while the
      // head reads EMPTY (drain() left it so; every push moves it off EMPTY
      // before its notify). Uninterruptible: cancelling this thread must
      // not strand its Futures. Coarse: it times out at the first tick of
      // the keep-alive past #scanAt, and #woken scans then. It cannot
      // reject (uninterruptible, no check, and #woken catches).
      this.#nap.deadline = this.#scanAt;
      void sleepAsync(v, this.head, EMPTY, this.#nap, false, this.#woken);
      return;
    }
  }

  readonly #woken = (outcome: WaitOutcome): void => {
    if (outcome === "timed-out") {
      try {
        this.scanIfDue();
      } catch (error) {
        console.error("Exception settling a Future:", error);
      }
    }
    this.#reap();
  };
}
