// Copyright 2026 the threadkit authors. MIT license.
// The pending Futures of one owner (a thread's tasks on one executor,
// _owner.ts), by slot: an array and a count, not a Map, so a task's track,
// settle and removal are array stores instead of three hash operations on
// the submitting thread (the limit with many tasks in flight). A slot holds
// one task at a time, so one entry per slot is enough. Thread-local: only
// the owner's thread touches it.
//
// Exact count: track() counts an entry only when it was empty, untrack()
// only when it was not, so the count equals the entries whatever the order
// of the owner's removals (its settle, cancel(), a scan's hold). The
// reaper ends on a count of 0 and a submit hands off only on 0
// (executor.ts): a count off by one either way would keep the reaper (and
// so the process) alive for good, or end it with a task pending
// (tests/pool/pending_stress_test.ts).
import type { Future } from "./future.ts";

/** The pending Futures of one owner, by slot. */
export class Pending {
  readonly #futures: (Future | undefined)[];
  #count = 0;

  constructor(slots: number) {
    this.#futures = new Array<Future | undefined>(slots).fill(undefined);
  }

  /** How many Futures are pending. */
  get size(): number {
    return this.#count;
  }

  /** The pending Future of `slot`, if any. */
  get(slot: number): Future | undefined {
    return this.#futures[slot];
  }

  /** Tracks `future` on `slot`. */
  track(slot: number, future: Future): void {
    if (this.#futures[slot] === undefined) this.#count++;
    this.#futures[slot] = future;
  }

  /** The pending Future of `slot`, removed (undefined if none was). */
  untrack(slot: number): Future | undefined {
    const future = this.#futures[slot];
    if (future !== undefined) {
      this.#futures[slot] = undefined;
      this.#count--;
    }
    return future;
  }

  /**
   * The slots of the pending Futures, now (a copy: the caller may settle
   * them as it goes). Walks every slot: for the owner's scans only.
   */
  slots(): number[] {
    const slots: number[] = [];
    const futures = this.#futures;
    for (let s = 0; s < futures.length; s++) {
      if (futures[s] !== undefined) slots.push(s);
    }
    return slots;
  }
}
