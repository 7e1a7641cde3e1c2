// Copyright 2026 the threadkit authors. MIT license.
// Home's view of the pool threads it starts (_pool.ts replenish): how many
// will take a queued task without a start, and the Thread objects a
// waiting shutdown joins, as Python's shutdown joins its threads.

import type { Port } from "../_core/ports.ts";
import type { Thread } from "../thread/thread.ts";
import { threadPort } from "../thread/_handles.ts";
import { type Block, R_IDENT, R_PARK, R_READY, R_TAKE } from "./_layout.ts";
import { MAIL, posted } from "./_park.ts";
import { takeName } from "./_names.ts";
import { markStale } from "./_stale.ts";
import { peek, type TaskView } from "./_take.ts";

/**
 * Pool threads running no task (starting, between tasks, parked: READY,
 * _layout.ts): each will take a queued task without a start. A count, not
 * a claim: a thread counted here may take another submit's task first, and
 * that submit then starts none (its own count saw the thread too). No task
 * is stranded by it: every put to the queue wakes a parked thread, a thread
 * between tasks takes from the queue before it parks, and home's tick
 * replenishes while tasks stay queued (a dead thread's record is freed by
 * maintain first, so it stops counting). `q`: the task queue's ring.
 */
export function readyThreads(b: Block, q: TaskView): number {
  const { v } = b;
  let n = 0;
  for (let w = 0; w < b.l.records; w++) {
    const r = b.record(w);
    if (Atomics.load(v, r + R_IDENT) <= 0) continue;
    // Holding a task not yet claimed (READY still 1) is not ready: a slot
    // handed to it (PARK MAIL), or one it names after its take (TAKE).
    // Loaded in the order the thread writes them backwards: it names a
    // mailed slot in TAKE before it moves PARK off MAIL, and moves READY
    // off 1 (to its task's value) before it clears TAKE at its claim
    // (_thread.ts), so a PARK below MAIL then TAKE 0 then READY 1 is a
    // thread with no task in hand.
    // A TAKE naming the index at the queue's head is a take from the queue
    // not yet made (takeQueued holds TAKER from its peek to its get: no
    // other consumer moves the head, and an index is in the queue once):
    // the thread covers that queued task, which qsize() counts, so it
    // counts as ready. Counted as not ready, a submit that counts during
    // that window (a thread preempted between its TAKE store and its get,
    // seen at load 20-30) started a second thread for the one task.
    if (Atomics.load(v, r + R_PARK) >= MAIL) continue;
    const take = takeName(b.l.slots, Atomics.load(v, r + R_TAKE));
    if (take !== 0 && peek(q) !== take - 1) continue;
    // (READY STALE_MARK: a stale thread, in its last task, _stale.ts.)
    if (Atomics.load(v, r + R_READY) === 1) n++;
  }
  return n;
}

// Started's record of a thread marked stale (_stale.ts): posted nothing.
const MARKED = -2;

/** The pool threads home started and has not yet seen end. */
export class Started {
  // Each thread's record, -1 once another thread took the record over, or
  // MARKED.
  readonly #threads = new Map<Thread, number>();
  #b: Block | undefined;
  /** Records claimed for replacements of threads marked stale, to start. */
  readonly due: number[] = [];
  // Per record: its READY at home's last add to its thread (1 at a start).
  readonly #seen: number[] = [];

  /**
   * `t` started on record `w` of `b`. Its DRAIN word was set to 0 before
   * its start (_mesh.ts HomeMesh.beforeStart: home has posted nothing to
   * `t`'s port; an earlier thread of the record read its last before it
   * left it, and posts to that one count no more; a holder may count its
   * posts to `t` from then on).
   */
  add(t: Thread, b: Block, w: number): void {
    for (const [old, r] of this.#threads) {
      if (!old.isAlive()) this.#threads.delete(old);
      else if (r === w) this.#threads.set(old, -1);
    }
    this.#b = b;
    this.#seen[w] = 1;
    this.#threads.set(t, w);
  }

  /** Each whose outcome is not collected, with its record and port. */
  each(f: (w: number, port: Port) => void): void {
    for (const [t, w] of this.#threads) {
      const port = threadPort(t);
      if (w >= 0 && port !== undefined && t.isAlive()) f(w, port);
    }
  }

  /** Whether the thread home started last on record `w` still runs. */
  runs(w: number): boolean {
    for (const [t, r] of this.#threads) if (r === w) return t.isAlive();
    return false;
  }

  /**
   * Posts `message` on the result port of each whose outcome is not yet
   * collected (it reaches the pool thread, _shared.ts), and counts it in
   * the thread's DRAIN word (_park.ts posted). An add to a thread still in
   * the task it was in at home's previous add to it, with DRAIN_AT posts
   * unread (plus `named`, the registered buffers tasks in flight name, up
   * to STALE_ALLOW), marks it stale instead (_stale.ts): it is posted
   * nothing from then on, and its replacement is due.
   */
  post(message: object, named = 0): void {
    const add = "add" in message, v = this.#b?.v;
    for (const [t, w] of this.#threads) {
      if (w === MARKED) continue;
      const port = threadPort(t);
      if (port === undefined) continue;
      if (add && w >= 0) {
        // READY now and at home's previous add (_stale.ts: one task's
        // value at both, and DRAIN_AT unread, is a thread in one long task).
        const ready = Atomics.load(v!, this.#b!.record(w) + R_READY);
        const was = this.#seen[w];
        this.#seen[w] = ready;
        const r = ready === was
          ? markStale(this.#b!, w, t.ident!, ready, named)
          : -1;
        if (r >= 0) {
          this.#threads.set(t, MARKED);
          this.due.push(r);
          continue;
        }
      }
      try {
        port.postMessage(message);
      } catch {
        continue; // closed (its outcome collected): nothing reads it
      }
      if (w >= 0) posted(this.#b!, w);
    }
  }

  /**
   * Joins them (blocking). A waiting shutdown calls it once LIVE is 0:
   * each has left its record and is ending, or has ended.
   */
  join(): void {
    for (const t of this.#threads.keys()) t.join();
    this.#threads.clear();
  }

  /** `join` without blocking the event loop. */
  async joinAsync(): Promise<void> {
    for (const t of this.#threads.keys()) {
      // Its outcome is not ours to report: a pool thread's error was
      // reported where it happened.
      await t.joinAsync().catch(() => {});
    }
    this.#threads.clear();
  }
}
