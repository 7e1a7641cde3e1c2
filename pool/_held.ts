// Copyright 2026 the threadkit authors. MIT license.
// Slots an owner settled while their runner, declared dead, may still run
// (HELD from DONE, HELD_W from FINISHING; _layout.ts "Settled, not yet
// free"): the owner's scan (_owner.ts) settles such a task at the second
// scan in a row that finds the same STATE word, moves the slot to HELD or
// HELD_W (same tag) and keeps it here until it is free: by that runner's
// late push (HELD: the owner's drain frees it), by the runner's own failed
// FINISHING -> DONE CAS (HELD_W, _thread.ts finish), or here, once the
// runner is in the stop ring (_core/runtime.ts; HELD_W also by any
// maintain's sweep, _orphans.ts, should this owner end first). Each free is
// a CAS from the whole word: one wins, and the slot goes to the free queue
// once.

import { identStopped } from "../_core/runtime.ts";
import type { Queue } from "../queue/bounded.ts";
import {
  type Block,
  FINISHING,
  FREE,
  HELD,
  HELD_W,
  PHASE,
  S_STATE,
  S_WIDENT,
  tagOf,
} from "./_layout.ts";

/** One owner's HELD slots, with their STATE words (HELD | tag). */
export class Held {
  readonly #slots = new Map<number, number>();
  constructor(readonly b: Block, readonly free: Queue<number>) {}

  /**
   * Moves slot `slot` from STATE word `state` (DONE or FINISHING, as two
   * scans in a row read it) to HELD, same tag; true when this CAS did it
   * (the caller settles the Future then, once). False when the word moved
   * on (a push drained meanwhile settled it).
   */
  hold(slot: number, state: number): boolean {
    // From FINISHING: never pushed (HELD_W); from DONE: may be (HELD).
    const phase = (state & PHASE) === FINISHING ? HELD_W : HELD;
    const held = tagOf(state) | phase;
    const at = this.b.slot(slot) + S_STATE;
    if (Atomics.compareExchange(this.b.v, at, state, held) !== state) {
      return false;
    }
    this.#slots.set(slot, held);
    return true;
  }

  /**
   * Frees a drained slot found HELD (word `word`): its runner's one late
   * push. A CAS: against the runner's stop seen by release().
   */
  drained(slot: number, word: number): void {
    const at = this.b.slot(slot) + S_STATE;
    if (
      Atomics.compareExchange(this.b.v, at, word, tagOf(word) | FREE) === word
    ) {
      this.free.put(slot);
    }
  }

  /**
   * Frees the HELD slots whose runner has stopped (the owner's scan), and
   * forgets those freed otherwise. `drain` first: a push the runner made
   * before its stop is on the owner's stack then, and the drain frees it
   * (drained()); else the CAS here does. One of the two.
   */
  release(drain: () => void): void {
    const { v } = this.b;
    for (const [slot, word] of this.#slots) {
      const at = this.b.slot(slot) + S_STATE;
      if (Atomics.load(v, at) !== word) {
        this.#slots.delete(slot); // freed by its push or its runner
        continue;
      }
      // WIDENT <= 0, unnamed (a close's BROKEN settle: its pusher is the
      // closer) is never "stopped" (identStopped(0) matches an empty slot).
      const runner = v[this.b.slot(slot) + S_WIDENT];
      if (runner <= 0 || identStopped(runner) === undefined) continue;
      drain();
      this.#slots.delete(slot);
      if (Atomics.compareExchange(v, at, word, tagOf(word) | FREE) === word) {
        this.free.put(slot);
      }
    }
  }
}
