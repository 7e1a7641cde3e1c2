// Copyright 2026 the threadkit authors. MIT license.
// The pending Futures of one owner (a thread's tasks on one executor,
// _owner.ts), by slot: an array and a count, not a Map, so a task's track,
// settle and removal are array stores instead of three hash operations on
// the submitting thread (the limit with many tasks in flight). A slot holds
// one task at a time, so one entry per slot is enough. Thread-local: only
// the owner's thread touches it.
//
// Size: the array grows to the highest slot this owner tracked (the free
// queue hands slots out lowest first, and a thread keeps reusing its kept
// ones), not to the executor's slot count (maxQueue may be 2^20), so a
// thread that submits a few tasks holds a few entries, and the owner's scan
// walks only those.
//
// Exact count: every path that frees or keeps one of this owner's slots
// untracks it first (the settle, cancel(), a scan's hold), so a slot is
// tracked again only once its entry is clear; track() throws if it is not
// (a broken invariant fails loudly instead of dropping a Future). untrack()
// counts only a present entry. The reaper ends on a count of 0 and a
// submit hands off only on 0 (executor.ts): a count off by one either way
// would keep the reaper (and so the process) alive for good, or end it
// with a task pending (tests/pool/pending_stress_test.ts).
import type { Future } from "./future.ts";

/** The pending Futures of one owner, by slot. */
export class Pending {
  readonly #futures: (Future | undefined)[] = [];
  #count = 0;

  /** How many Futures are pending. */
  get size(): number {
    return this.#count;
  }

  /** The pending Future of `slot`, if any. */
  get(slot: number): Future | undefined {
    return slot < this.#futures.length ? this.#futures[slot] : undefined;
  }

  /** Tracks `future` on `slot` (which holds none). */
  track(slot: number, future: Future): void {
    const futures = this.#futures;
    while (futures.length <= slot) futures.push(undefined);
    if (futures[slot] !== undefined) {
      throw new Error(
        `threadkit internal error: task slot ${slot} is tracked twice`,
      );
    }
    futures[slot] = future;
    this.#count++;
  }

  /** The pending Future of `slot`, removed (undefined if none was). */
  untrack(slot: number): Future | undefined {
    const future = this.get(slot);
    if (future !== undefined) {
      this.#futures[slot] = undefined;
      this.#count--;
    }
    return future;
  }

  /**
   * The slots of the pending Futures, now (a copy: the caller may settle
   * them as it goes). Walks every entry: for the owner's scans only.
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
