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
import { entryAlive, requestCancel, runtime } from "../_core/runtime.ts";
import type { Queue } from "../queue/bounded.ts";
import {
  ABORT,
  type Block,
  CANCELLED,
  DONE,
  EMPTY,
  FINISHING,
  FREE,
  HELD,
  ID,
  K_DIED,
  KEPT,
  PHASE,
  QUEUED,
  RUNNING,
  S_KIND,
  S_NEXT,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  S_WENTRY,
  S_WIDENT,
  setPhase,
  shift,
  tagOf,
} from "./_layout.ts";
import { diedOutcome, readOutcome, type TaskOutcome } from "./_payload.ts";
import { fenceRead } from "./_args_held.ts";
import { Held } from "./_held.ts";
import { Pending } from "./_pending.ts";
import {
  cancelFuture,
  type Future,
  type FutureSource,
  settleFuture,
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
export class Owner implements FutureSource {
  readonly #b: Block;
  readonly #free: Queue<number>;
  readonly #replenish: () => void;
  readonly #head: number;
  readonly #entry: number;
  readonly #ident: number;
  readonly #pending: Pending; // by slot (_pending.ts)
  // Slots this thread freed, kept for its next submits: a slot taken from
  // and given back to the shared free queue costs two queue operations.
  // Bounded (a quarter of the slots; one while nothing is pending), and
  // taken back by a starving submitter (see the top of this file). May
  // hold indices a reclaim took meanwhile: each is taken by CAS from KEPT.
  readonly #local: number[] = [];
  readonly #keep: number;
  #reaping = false;
  // Async slot waits of this thread under way (_slots.ts): while any is,
  // settled slots go to the free queue, where it waits, not to #local.
  starving = 0;
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
  #finishing = new Map<number, number>();
  // Slots settled while their runner, declared dead, may still run (HELD).
  readonly #held: Held;

  constructor(block: Block, free: Queue<number>, replenish: () => void) {
    this.#b = block;
    this.#free = free;
    this.#replenish = replenish;
    this.#held = new Held(block, free);
    const rt = runtime();
    this.#head = block.head(rt.entry);
    this.#entry = rt.entry;
    this.#ident = rt.ident;
    this.#keep = Math.max(0, Math.min(256, Math.floor(block.l.slots / 4)));
    this.#pending = new Pending();
  }

  /** A slot this thread freed earlier, if it kept one. */
  takeLocal(): number | undefined {
    const { v } = this.#b, local = this.#local;
    for (let n = local.length; n > 0; n = local.length) {
      const s = local[n - 1]; // listed until its CAS (an overflow before)
      // A sweep takes KEPT slots only from ended owners; the CAS settles it.
      const mine = shift(v, this.#b.slot(s) + S_STATE, KEPT, FREE) === KEPT;
      local.pop(); // (a length store is a runtime call: 30-90 ns on Deno)
      if (mine) return s;
    }
  }

  /** Gives the kept slots beyond `keep` back to the shared free queue. */
  #release(keep = 0): void {
    const { v } = this.#b;
    const local = this.#local;
    while (local.length > keep) {
      const s = local.pop()!;
      const at = this.#b.slot(s) + S_STATE;
      if (shift(v, at, KEPT, FREE) === KEPT) this.#free.put(s);
    }
  }

  /** This thread's table entry and ident, for a slot's owner words. */
  get ident(): number {
    return this.#ident;
  }

  /**
   * Tracks a Future and makes sure the reaper runs: from a microtask, so
   * that a `result()` right after the submit settles the Future before the reaper starts and its wait is not paid for a Future
   * nobody awaits (before the loop looks for work). Queued, said so, then
   * tracked: an overflow leaves it untracked.
   */
  track(slot: number, future: Future): void {
    if (!this.#reaping) {
      // Not queueMicrotask: Node wraps its callbacks in an async resource.
      void RESOLVED.then(this.#startReaper);
      this.#reaping = true;
    }
    this.#pending.track(slot, future);
  }

  /** Untracks the Future of a refused submit. */
  untrack(slot: number): void {
    this.#pending.untrack(slot);
  }

  readonly #startReaper = (): void => {
    // Settled meanwhile (result()): the reaper ends at once.
    this.#reap();
  };

  /** Number of this thread's pending tasks. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Settles what completed; scans too when a scan is due. */
  drain(): number {
    const n = this.#drain();
    if (++this.#drains >= SCAN_EVERY) {
      this.#drains = 0;
      this.scanIfDue();
    }
    return n;
  }

  // Every slot on the stack is settled and freed, even when one throws (a
  // Future's settle hook): the first error is rethrown after.
  #drain(): number {
    const { v } = this.#b;
    let s = Atomics.exchange(v, this.#head, EMPTY);
    let n = 0;
    let failed: { error: unknown } | undefined;
    while (s !== EMPTY) {
      // NEXT was written before the push's CAS, which our exchange read.
      const next = v[this.#b.slot(s) + S_NEXT];
      try {
        this.#settle(s);
      } catch (error) {
        failed ??= { error };
      }
      n++;
      s = next;
    }
    if (failed !== undefined) throw failed.error;
    return n;
  }

  /** Scans when SCAN_MS passed since this owner's last scan. */
  scanIfDue(): void {
    if (performance.now() >= this.#scanAt) this.scan();
  }

  park(until: number, signal: AbortSignal | undefined, now?: number): void {
    // Why no lost wakeup: the pusher moves the head off EMPTY before it
    // notifies; we sleep only while it still reads EMPTY (drain() left it so).
    const v = this.#b.v, h = this.#head, u = Math.min(until, this.#scanAt);
    const r = waitSync(v, h, EMPTY, u, signal, true, "wait", undefined, now);
    // A wait bounded by #scanAt times out once the scan is due: only then is
    // the clock read (see #scanAt).
    if (r === "timed-out") this.scanIfDue();
  }

  state(slot: number): number {
    return Atomics.load(this.#b.v, this.#b.slot(slot) + S_STATE);
  }

  cancel(slot: number): boolean {
    const { v } = this.#b;
    const at = this.#b.slot(slot) + S_STATE;
    // The index stays in the task queue: whichever pool thread takes it
    // finds CANCELLED and frees the slot, so the slot is never reused while
    // its index is still queued.
    if (shift(v, at, QUEUED, CANCELLED) !== QUEUED) return false;
    this.#pending.untrack(slot);
    return true;
  }

  abort(slot: number): void {
    const { v } = this.#b;
    const base = this.#b.slot(slot);
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
    const b = this.#b;
    const { v } = b;
    // DONE slots of dead runners, looked at before the drain: a runner that
    // was dead before the drain pushed before it (or never will).
    const done = new Map<number, number>();
    for (const slot of this.#pending.slots()) {
      const base = b.slot(slot);
      const state = Atomics.load(v, base + S_STATE);
      const ident = Atomics.load(v, base + S_WIDENT); // below 0: unnamed
      if ((state & PHASE) !== DONE || ident <= 0) continue;
      if (!entryAlive(v[base + S_WENTRY], ident)) done.set(slot, state);
    }
    this.#drain();
    const suspects = new Map<number, number>();
    const finishing = new Map<number, number>();
    for (const slot of this.#pending.slots()) {
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
        this.#settle(slot);
      }
    }
    this.#finishing = finishing;
    // A runner that died between marking DONE and its push: still DONE and
    // undrained, with its runner dead, at two scans in a row (the same
    // word: the same task). Settled with its outcome (complete at DONE) and
    // HELD: a runner declared dead that still runs may push it yet.
    for (const [slot, state] of done) {
      if (this.#pending.get(slot) === undefined) continue; // drained above
      if (this.#suspects.get(slot) !== state) suspects.set(slot, state);
      else this.#hold(slot, state, () => readOutcome(b, slot));
    }
    this.#suspects = suspects;
    // HELD slots whose runner has stopped: freed (_held.ts).
    this.#held.release(this.#drainHook);
    // Free the records of ended pool threads and start replacements.
    this.#replenish();
  }

  // Settles the task of slot `slot` (DONE or FINISHING at two scans in a
  // row, word `state`) as `outcome`, and HELDs the slot instead of freeing
  // it (_held.ts). The CAS from the word both scans saw settles it once.
  // The outcome is read after the CAS, and a read that throws fails the
  // Future with that error: the scan goes on, the Future settles.
  #hold(slot: number, state: number, outcome: () => TaskOutcome): void {
    if (!this.#held.hold(slot, state)) return;
    const future = this.#pending.untrack(slot);
    if (future === undefined) return;
    let o: TaskOutcome;
    try {
      o = outcome();
    } catch (error) {
      o = { ok: false, error };
    }
    settleFuture(future, o);
  }

  readonly #drainHook = (): void => void this.#drain();

  #settle(slot: number): void {
    const b = this.#b;
    const { v } = b;
    const base = b.slot(slot);
    const word = Atomics.load(v, base + S_STATE);
    const state = word & PHASE;
    // The late push of a slot settled by #hold: freed (_held.ts).
    if (state === HELD) return this.#held.drained(slot, word);
    const future = this.#pending.get(slot);
    // Only a finished or cancelled slot is ours (pushes happen in those
    // states only); anything else is left alone.
    if (state !== DONE && state !== CANCELLED) return;
    try {
      if (future !== undefined && v[base + S_OIDENT] === this.#ident) {
        this.#pending.untrack(slot);
        if (state === CANCELLED) cancelFuture(future);
        else settleFuture(future, readOutcome(b, slot));
      }
    } finally {
      // A slot of an earlier thread on this entry (it ended before its task
      // did) is freed all the same. Kept for this thread's next submit:
      // up to #keep, but only this one once idle with the free queue empty
      // (the others go back first). An ended owner's KEPT slots are swept,
      // and a starving submitter reclaims any (see the top of this file).
      // (With nothing kept there is nothing to give back, and no look at
      // the free queue: one task at a time keeps one slot and pays none.)
      // (qsize() is a hint: a get that empties it later reclaims these.)
      const idle = this.#pending.size === 0 && this.#local.length > 0 &&
        this.#free.qsize() === 0;
      if (idle) this.#release();
      const cap = this.starving > 0
        ? 0
        : idle
        ? Math.min(1, this.#keep)
        : this.#keep;
      if (this.#local.length < cap) {
        // OENTRY/OIDENT before KEPT: a sweep reads them after seeing KEPT.
        v[base + S_OENTRY] = this.#entry;
        v[base + S_OIDENT] = this.#ident;
        setPhase(v, base + S_STATE, KEPT);
        this.#local.push(slot);
      } else {
        setPhase(v, base + S_STATE, FREE);
        this.#free.put(slot);
      }
    }
  }

  // Settles what completed, then sleeps on the completion stack while
  // tasks are pending; #woken continues in the reaction that sees the
  // wake. Ends (#reaping false) once nothing is pending.
  #reap(): void {
    const { v } = this.#b;
    for (;;) {
      let n: number;
      try {
        n = this.drain();
      } catch (error) {
        console.error("Exception settling a Future:", error);
        n = 1;
      }
      if (n > 0) continue;
      // Nothing pending: end. The next submit starts a reaper again, and
      // it waits right after that task is handed over, as a raw ping-pong
      // does (one that lingered cost one task at a time 1.7x: BENCHMARKS.md
      // "One task at a time").
      if (this.#pending.size === 0) {
        this.#reaping = false; // (cancel() drops pending too)
        if (this.#local.length > 1 && this.#free.qsize() === 0) {
          this.#release(Math.min(1, this.#keep));
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
      void sleepAsync(v, this.#head, EMPTY, this.#nap, false, this.#woken);
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
