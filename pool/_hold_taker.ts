// Copyright 2026 the threadkit authors. MIT license.
// A draining close's hold of TAKER (_close.ts): the reclaim's steps 1-3
// (_take.ts) for a holder whose entry ended, and the hold kept through the
// close's drain so that no pool thread takes from the queue meanwhile.
import type { Queue } from "../queue/bounded.ts";
import { entryAlive } from "../_core/runtime.ts";
import { waitSync } from "../_core/wait.ts";
import { type Block, R_ENTRY, R_IDENT, TAKER } from "./_layout.ts";
import {
  holdFree,
  reclaimHeld,
  reclaiming,
  takeBackMail,
  taskView,
} from "./_take.ts";
import { strandedTaker } from "./_taker.ts";

/**
 * Holds TAKER for a draining close (no pool thread takes meanwhile): waits
 * while a live pool thread holds it (for a few loads and stores), and takes
 * it over from a holder whose entry has ended, stopped or not (the thread
 * table says so: no clock), keeping it: the reclaim's steps 1-3 run under
 * it, and no other pool thread takes between the takeover and the drain.
 * A holder that still runs hands back what its get takes (handBack).
 * Release with releaseTaker.
 */
export function holdTaker(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
): void {
  const { v } = b;
  for (;;) {
    if (holdFree(b, tasks, free)) return; // free, or its holder a stopped reclaim
    const t = Atomics.load(v, TAKER);
    if (t === 0) continue;
    if (t > 0) {
      // Stopped with no record (_taker.ts): it holds nothing.
      if (strandedTaker(b, t)) {
        if (Atomics.compareExchange(v, TAKER, t, reclaiming()) === t) return;
        continue;
      }
      for (let w = 0; w < b.l.records; w++) {
        const rec = b.record(w);
        if (
          Atomics.load(v, rec + R_IDENT) !== t ||
          entryAlive(v[rec + R_ENTRY], t)
        ) continue;
        // Ended: taken over (one CAS, against its own release).
        if (Atomics.compareExchange(v, TAKER, t, reclaiming()) !== t) break;
        reclaimHeld(
          b,
          taskView(tasks),
          tasks,
          free,
          rec,
          takeBackMail(b, tasks, free, rec),
          true,
        );
        return;
      }
    }
    // Polled: a holder's take is a few loads and stores; nothing notifies.
    waitSync(v, TAKER, t, performance.now() + 0.05, undefined, false);
  }
}

/** Gives TAKER back after holdTaker. */
export function releaseTaker(b: Block): void {
  Atomics.store(b.v, TAKER, 0);
}
