// Copyright 2026 the threadkit authors. MIT license.
// What threads that ended leave behind in an executor's block: slots of
// submitting threads that ended (sweep), and an executor whose home thread
// ended (breakIfHomeGone). Both run in Pool.maintain (every owner's scan,
// home's tick); any thread may run them. And slots that live threads keep
// (reclaimKept), taken back by a submitter that finds none free.

import type { Queue } from "../queue/bounded.ts";
import {
  type Block,
  BROKEN,
  EMPTY,
  FREE,
  HEAD_COUNT,
  HELD,
  HELD_W,
  HENTRY,
  HIDENT,
  KEPT,
  ownerLive,
  PHASE,
  S_NEXT,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  S_WIDENT,
  setPhase,
  shift,
  STATE,
  tagOf,
  UNPUSHED,
} from "./_layout.ts";
import { identStopped } from "../_core/runtime.ts";
import { breakPool } from "./_thread.ts";

/**
 * Breaks the executor once its home thread has ended (its pool threads
 * ended with it): nothing would run its queued tasks, which fail with
 * BrokenExecutorError. Called by threads other than home. True if broken.
 */
export function breakIfHomeGone(
  p: { b: Block; tasks: Queue<number>; free: Queue<number> },
): boolean {
  const { v } = p.b;
  if (Atomics.load(v, STATE) === BROKEN) return true;
  if (ownerLive(v[HENTRY], v[HIDENT])) return false;
  breakPool(p.b, p.tasks, p.free);
  return true;
}

/**
 * Takes back every slot an owner keeps for its next submit (KEPT), live
 * owners' too, into the free queue: for a submitter that found the free
 * queue empty (_slots.ts), so that slots kept by threads
 * that submit nothing now never starve it. The CAS from KEPT decides
 * against the owner's own take (_owner.ts takeLocal), which then finds
 * the slot gone and takes another. Returns how many it freed.
 */
export function reclaimKept(b: Block, free: Queue<number>): number {
  const { v } = b;
  let n = 0;
  for (let s = 0; s < b.l.slots; s++) {
    const at = b.slot(s) + S_STATE;
    // STATE carries the slot's tag above its phase (_layout.ts): compare
    // the phase, and move it with shift, which keeps the tag.
    if ((Atomics.load(v, at) & PHASE) !== KEPT) continue;
    if (shift(v, at, KEPT, FREE) === KEPT) {
      free.putNowait(s); // never full: it holds every slot
      n++;
    }
  }
  return n;
}

/**
 * Frees what owners that ended still hold: slots kept for their next
 * submit (KEPT), and slots pushed on their completion stacks (a pool
 * thread checks the owner before its push, but the owner may end right
 * after). A slot on such a stack whose owner lives (a later thread on
 * the same entry) is pushed back. CAS and exchange make each slot taken
 * once: by its owner, or here. And HELD_W slots whose runner has stopped,
 * whoever their owner (_layout.ts "HELD": never on a stack; one CAS from
 * the whole word, against the owner's own release and the runner's), and
 * HELD slots never pushed whose runner has stopped and owner ended (the
 * same CAS).
 */
export function sweep(b: Block, free: Queue<number>): void {
  const { v } = b;
  for (let s = 0; s < b.l.slots; s++) {
    const base = b.slot(s);
    const word = Atomics.load(v, base + S_STATE);
    if ((word & PHASE) === HELD_W) {
      if (
        identStopped(v[base + S_WIDENT]) !== undefined &&
        Atomics.compareExchange(v, base + S_STATE, word, tagOf(word) | FREE) ===
          word
      ) free.put(s);
      continue;
    }
    if ((word & PHASE) === HELD) {
      // Never pushed, runner stopped, owner ended: on no stack, freed by
      // nobody else (_layout.ts "HELD"). NEXT is read after the stop: the
      // runner's write, had it made one, came before its stop's record.
      // WIDENT <= 0, unnamed: settled unrun by a close (DONE, BROKEN), whose
      // pusher is the closer, not a runner; and identStopped(0) matches an
      // empty stop-ring slot. Only a runner's stop counts.
      const runner = v[base + S_WIDENT];
      if (
        !ownerLive(v[base + S_OENTRY], v[base + S_OIDENT]) &&
        runner > 0 && identStopped(runner) !== undefined &&
        Atomics.load(v, base + S_NEXT) === UNPUSHED &&
        Atomics.compareExchange(v, base + S_STATE, word, tagOf(word) | FREE) ===
          word
      ) free.put(s);
      continue;
    }
    if ((word & PHASE) !== KEPT) continue;
    // The owner wrote OENTRY/OIDENT before its store of KEPT.
    if (ownerLive(v[base + S_OENTRY], v[base + S_OIDENT])) continue;
    if (shift(v, base + S_STATE, KEPT, FREE) === KEPT) {
      free.put(s);
    }
  }
  for (let e = 0; e < HEAD_COUNT; e++) {
    const head = b.head(e);
    const top = Atomics.load(v, head);
    if (top === EMPTY || ownerLive(e, v[b.slot(top) + S_OIDENT])) continue;
    let s = Atomics.exchange(v, head, EMPTY);
    while (s !== EMPTY) {
      const base = b.slot(s);
      // NEXT was written before the push's CAS, which our exchange read.
      const next = v[base + S_NEXT];
      if (ownerLive(e, v[base + S_OIDENT])) b.push(s);
      else if ((Atomics.load(v, base + S_STATE) & PHASE) === HELD) {
        // A late push (_layout.ts "HELD"): a CAS, as the owner's own frees.
        if (shift(v, base + S_STATE, HELD, FREE) === HELD) free.put(s);
      } else {
        setPhase(v, base + S_STATE, FREE);
        free.put(s);
      }
      s = next;
    }
  }
}
