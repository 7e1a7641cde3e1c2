// Copyright 2026 the threadkit authors. MIT license.
// The settling half of an owner (_owner.ts, which extends it): the drain
// of this thread's completion stack into its Futures, at any depth of the
// stack, and the slots it keeps for its next submits. See _owner.ts for
// the completion stack, the reaper and the kept slots.

import { runtime } from "../_core/runtime.ts";
import type { Queue } from "../queue/bounded.ts";
import {
  type Block,
  CANCELLED,
  DONE,
  EMPTY,
  FREE,
  HELD,
  KEPT,
  PHASE,
  S_NEXT,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  shift,
  SLOT_WORDS,
  tagOf,
} from "./_layout.ts";
import { readOutcome } from "./_payload.ts";
import { Held } from "./_held.ts";
import { Pending } from "./_pending.ts";
import { markSettled, notifyOwed, sourceOf } from "./future.ts";

const RESOLVED = Promise.resolve();

/** The drain and the kept slots of an owner (_owner.ts). */
export class Completions {
  readonly b: Block;
  protected readonly free: Queue<number>;
  protected readonly head: number;
  protected readonly entry: number;
  readonly ident: number;
  protected readonly futures: Pending; // by slot (_pending.ts)
  // Slots this thread freed, kept for its next submits: a slot taken from
  // and given back to the shared free queue costs two queue operations.
  // Bounded (a quarter of the slots; one while nothing is pending), and
  // taken back by a starving submitter (see the top of this file). May
  // hold indices a reclaim took meanwhile: each is taken by CAS from KEPT.
  protected readonly local: number[] = [];
  protected readonly keepCap: number;
  // The completions taken off the stack and not yet settled: the slot
  // being settled (EMPTY: none), the rest linked by NEXT ("Depth" below).
  protected taken = EMPTY;
  protected retrying = false; // a bottom drain queued (retry)
  /**
   * Slots whose Future's untrack an overflow stopped (a cancel, a refused
   * submit): untracked at the next drain or track (stores only to add).
   */
  readonly owed: number[] = [];
  // Async slot waits of this thread under way (_slots.ts): while any is,
  // settled slots go to the free queue, where it waits, not to local.
  starving = 0;
  // Slots settled while their runner, declared dead, may still run (HELD).
  protected readonly held: Held;

  constructor(block: Block, free: Queue<number>) {
    this.b = block;
    this.free = free;
    this.held = new Held(block, free);
    const rt = runtime();
    this.head = block.head(rt.entry);
    this.entry = rt.entry;
    this.ident = rt.ident;
    this.keepCap = Math.max(0, Math.min(256, Math.floor(block.l.slots / 4)));
    this.futures = new Pending();
  }

  /** A slot this thread freed earlier, if it kept one. */
  takeLocal(): number | undefined {
    const { v } = this.b, local = this.local;
    for (let n = local.length; n > 0; n = local.length) {
      const s = local[n - 1]; // listed until its CAS (an overflow before)
      // A sweep takes KEPT slots only from ended owners; the CAS settles it.
      const mine = shift(v, this.b.slot(s) + S_STATE, KEPT, FREE) === KEPT;
      local.pop(); // (a length store is a runtime call: 30-90 ns on Deno)
      if (mine) return s;
    }
  }

  /** Gives the kept slots beyond `keep` back to the shared free queue. */
  protected release(keep = 0): void {
    const { v } = this.b;
    const local = this.local;
    while (local.length > keep) {
      const s = local.pop()!;
      const at = this.b.slot(s) + S_STATE;
      if (shift(v, at, KEPT, FREE) === KEPT) this.free.put(s);
    }
  }

  /** Untracks the Future of a refused submit. */
  untrack(slot: number): void {
    this.futures.untrack(slot);
  }

  protected untrackOwed(): void {
    const owed = this.owed;
    while (owed.length > 0) {
      this.futures.untrack(owed[owed.length - 1]);
      owed.length--;
    }
  }

  /**
   * Lists a slot this thread holds as KEPT (a refused submit's), and gives
   * it back to the free queue from a reaction at the bottom of the stack
   * (not at the refusal's depth), where a submitter of another thread may
   * wait for it, unless this thread's next submit took it first (the CAS
   * from KEPT decides; its index left in the list is then passed over).
   */
  keep(slot: number): void {
    this.local.push(slot);
    void RESOLVED.then(() => {
      const at = this.b.slot(slot) + S_STATE;
      if (shift(this.b.v, at, KEPT, FREE) === KEPT) this.free.put(slot);
    });
  }

  /** Number of this thread's pending tasks. */
  get pending(): number {
    return this.futures.size;
  }

  // Depth. A drain called near the end of the stack may overflow at any
  // call. What it took off the shared stack is in taken, so nothing taken
  // is lost: each slot's settle is redone from the start until it
  // completes, and each of its steps is idempotent or marked done: the
  // outcome is read again (a read has no effect), settleFuture goes on
  // with what it still owes (future.ts #notify), the untrack counts only a
  // present entry. Then the slot leaves the list: made KEPT first (builtins
  // only, NEXT read before), then taken moves on, then the KEPT slot is
  // listed (or freed). A KEPT slot is never lost, listed or not: any
  // submitter that finds the free queue empty reclaims it (_orphans.ts).
  // A user's drain (`deep`) never turns an overflow into a task's outcome
  // (readOutcome rethrows a RangeError) and never puts to the free queue
  // (its slots stay KEPT and listed past the cap; the bottom drain trims
  // them): it leaves the rest to a drain from a reaction at the bottom of
  // the stack (retry), or to the reaper's next wake (at the latest the
  // scan's due time: it never sleeps with taken set).
  // Every slot is settled and freed, even when one throws (a Future's
  // settle hook): the first error is rethrown after.
  protected drainAt(deep: boolean): number {
    const { v } = this.b;
    let n = 0;
    let failed: { error: unknown } | undefined;
    try {
      notifyOwed(deep);
      if (this.owed.length > 0) this.untrackOwed();
      for (;;) {
        if (this.taken === EMPTY) {
          const s = Atomics.exchange(v, this.head, EMPTY);
          if (s === EMPTY) break;
          this.taken = s;
        }
        const s = this.taken;
        try {
          this.settle(s, deep);
        } catch (error) {
          if (deep && error instanceof RangeError) throw error;
          failed ??= { error };
          // (Not moved on: no overflow expected here; on, not to loop.)
          if (this.taken === s) this.taken = v[this.b.slot(s) + S_NEXT];
        }
        n++;
      }
      // The settled Futures' notifications, each slot off the list first:
      // a callback that drains or submits finds this drain's slots done.
      notifyOwed(deep);
    } catch (error) {
      this.retry();
      throw error;
    }
    if (deep && this.local.length > 0 && this.overKept()) this.retry();
    if (failed !== undefined) throw failed.error;
    return n;
  }

  // Queues a drain at the bottom of the stack (one at a time). If even the
  // queueing overflows, the reaper's next wake drains (see "Depth").
  protected retry(): void {
    if (this.retrying) return;
    try {
      void RESOLVED.then(this.again);
      this.retrying = true;
    } catch { /* the reaper's next wake */ }
  }

  // Whether the kept slots exceed what place would keep now.
  protected overKept(): boolean {
    const n = this.local.length;
    return n > this.keepCap || this.starving > 0 ||
      n > 1 && this.futures.size === 0;
  }

  protected readonly again = (): void => {
    this.retrying = false;
    try {
      this.drainAt(false);
      if (this.local.length > 0 && this.overKept()) {
        const idle = this.futures.size === 0 && this.free.qsize() === 0;
        this.release(
          this.starving > 0
            ? 0
            : idle
            ? Math.min(1, this.keepCap)
            : this.keepCap,
        );
      }
    } catch (error) {
      console.error("Exception settling a Future:", error);
    }
  };

  // Settles the slot at the head of taken and takes it off the list
  // (see "Depth"): redone from the start after an overflow.
  protected settle(slot: number, deep: boolean, listed = true): void {
    const b = this.b;
    const { v } = b;
    const base = b.l.slotsAt + SLOT_WORDS * slot; // b.slot(slot), no call
    const word = Atomics.load(v, base + S_STATE);
    const state = word & PHASE;
    // NEXT was written before the push's CAS, which our exchange read.
    const next = v[base + S_NEXT];
    // The late push of a slot settled by #hold: freed (_held.ts).
    if (state === HELD) {
      // Its CAS (against the runner's stop, _held.ts) to KEPT, not FREE
      // and a put: a slot off the list is never lost (see "Depth").
      v[base + S_OENTRY] = this.entry;
      v[base + S_OIDENT] = this.ident;
      const mine = Atomics.compareExchange(
        v,
        base + S_STATE,
        word,
        tagOf(word) | KEPT,
      ) === word;
      if (listed) this.taken = next;
      if (mine) this.place(slot, deep);
      return;
    }
    // Only a finished or cancelled slot is ours (pushes happen in those
    // states only); anything else is left alone.
    if (state !== DONE && state !== CANCELLED) {
      if (listed) this.taken = next;
      return;
    }
    const future = this.futures.get(slot);
    if (future !== undefined && v[base + S_OIDENT] === this.ident) {
      // Settled by stores (notifications owed, made once the slot is off
      // the list), then untracked: a retry finds it tracked and settled,
      // and reads the outcome only while it is pending.
      if (sourceOf(future) !== undefined) {
        markSettled(
          future,
          state === CANCELLED ? undefined : readOutcome(b, slot, deep),
        );
      }
      this.futures.untrack(slot);
    }
    // A slot of an earlier thread on this entry (it ended before its task
    // did) is freed all the same. KEPT first (builtins; OENTRY/OIDENT
    // before KEPT: a sweep reads them after seeing KEPT), then off the list.
    v[base + S_OENTRY] = this.entry;
    v[base + S_OIDENT] = this.ident;
    Atomics.store(v, base + S_STATE, tagOf(word) | KEPT);
    if (listed) this.taken = next;
    this.place(slot, deep);
  }

  // A KEPT slot just settled: kept for this thread's next submit, up to
  // keepCap, but only this one once idle with the free queue empty (the
  // others go back first). An ended owner's KEPT slots are swept, and a
  // starving submitter reclaims any (see the top of this file). (With
  // nothing kept there is nothing to give back, and no look at the free
  // queue: one task at a time keeps one slot and pays none.) (qsize() is
  // a hint: a get that empties it later reclaims these.) A user's drain
  // (deep) lists it all the same: it puts nothing (see "Depth").
  protected place(slot: number, deep: boolean): void {
    const local = this.local;
    if (deep) {
      local[local.length] = slot;
      return;
    }
    const idle = this.futures.size === 0 && local.length > 0 &&
      this.free.qsize() === 0;
    if (idle) this.release();
    const cap = this.starving > 0
      ? 0
      : idle
      ? Math.min(1, this.keepCap)
      : this.keepCap;
    if (local.length < cap) local.push(slot);
    else if (
      shift(this.b.v, this.b.slot(slot) + S_STATE, KEPT, FREE) === KEPT
    ) {
      this.free.put(slot);
    }
  }
}
