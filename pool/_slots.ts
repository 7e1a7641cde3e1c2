// Copyright 2026 the threadkit authors. MIT license.
// Taking a slot for a submit: one this thread kept (its owner context,
// _owner.ts), else one from the shared free queue; when there is none, the
// blocking form settles this thread's completions and sleeps on its
// completion stack or on the free queue, the async form waits on the free
// queue; both take back the slots other threads keep (reclaimKept,
// _orphans.ts) before each wait, so kept slots never starve a submitter.

import { RuntimeError } from "../_core/errors.ts";
import type { Queue } from "../queue/bounded.ts";
import { QueueEmptyError } from "../queue/errors.ts";
import type { Block } from "./_layout.ts";
import type { Owner } from "./_owner.ts";
import { reclaimKept } from "./_orphans.ts";

/** What taking a slot needs of its executor (Pool, _pool.ts). */
export interface SlotSource {
  readonly b: Block;
  readonly free: Queue<number>;
  /** Throws unless the executor is open (shut down, broken). */
  checkOpen(): void;
}

/** A slot this thread kept, else a free one; undefined when none is. */
export function slotNowait(p: SlotSource, owner: Owner): number | undefined {
  p.checkOpen();
  const kept = owner.takeLocal();
  if (kept !== undefined) return kept;
  try {
    return p.free.getNowait();
  } catch (e) {
    if (!(e instanceof QueueEmptyError)) throw e;
  }
}

/** Takes a free slot, waiting (blocking) until `deadline` when none is. */
export function slotSync(
  p: SlotSource,
  owner: Owner,
  deadline: number,
): number {
  for (;;) {
    const s = slotNowait(p, owner);
    if (s !== undefined) return s;
    if (performance.now() >= deadline) throw full();
    // Our own finished tasks hold slots until we settle them: settle,
    // and sleep on our completion stack when we hold some; else on the
    // free queue (briefly: other threads free slots too).
    if (owner.drain() > 0) continue;
    // Slots other threads keep for their next submits: take them back
    // (once per wait below, which lasts up to 5 ms).
    if (reclaimKept(p.b, p.free) > 0) continue;
    // drain() scans when due: dead runners' slots, and (maintain) slots
    // of owners that ended.
    const until = Math.min(deadline, performance.now() + 5);
    if (owner.pending > 0) owner.park(until, undefined);
    else {
      try {
        return p.free.get({ timeout: Math.max(0, until - performance.now()) });
      } catch (e) {
        if (!(e instanceof QueueEmptyError)) throw e;
      }
    }
  }
}

/** Takes a free slot, waiting until `deadline` when none is. */
export async function slotAsync(
  p: SlotSource,
  owner: Owner,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  // While this waits, this thread's reaper frees its slots to the free
  // queue, where this waits, instead of keeping them (Owner.starving).
  owner.starving++;
  try {
    for (;;) {
      const s = slotNowait(p, owner);
      if (s !== undefined) return s;
      // Slots other threads keep: take them back (once per slice).
      if (reclaimKept(p.b, p.free) > 0) continue;
      // In SCAN_MS slices: the scan in between frees the slots of dead
      // runners and ended owners, and sees a home that ended.
      const timeout = Math.max(
        0,
        Math.min(deadline, performance.now() + 200) - performance.now(),
      );
      try {
        // The reaper frees this thread's slots meanwhile (event loop).
        return await p.free.getAsync({ timeout, signal });
      } catch (e) {
        if (!(e instanceof QueueEmptyError)) throw e;
        if (performance.now() >= deadline) throw full();
      }
      owner.scanIfDue();
    }
  } finally {
    owner.starving--;
  }
}

function full(): RuntimeError {
  return new RuntimeError(
    "Cannot submit task: the executor's queue stayed full until the timeout",
  );
}
