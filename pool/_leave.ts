// Copyright 2026 the threadkit authors. MIT license.
// How a pool thread (_thread.ts) gives up its record: leave() at its end,
// leaveIdle() after an idle timeout, which takes the record back when a
// task arrived meanwhile.

import type { Queue } from "../queue/bounded.ts";
import {
  BROKEN,
  LIVE,
  R_ENTRY,
  R_IDENT,
  R_INIT,
  R_PARK,
  R_READY,
  R_TAKE,
  SLOTS,
  STALE_MARK,
  STALES,
  STATE,
} from "./_layout.ts";
import type { TakeBackHooks } from "./_hooks.ts";
import { takeEmpty } from "./_names.ts";

// Frees this thread's record (once) and tells shutdown waiters.
export function leave(v: Int32Array, rec: number, ident: number): void {
  if (Atomics.compareExchange(v, rec + R_IDENT, ident, 0) === ident) {
    Atomics.sub(v, LIVE, 1);
    // Why no lost wakeup: shutdown waits on LIVE while it reads the count
    // it saw; the decrement comes first.
    Atomics.notify(v, LIVE);
  }
}

// Leaves after an idle timeout, unless a task arrived meanwhile. Submit puts
// its task, then reads LIVE; we decrement LIVE, then read the queue size:
// one of the two sees the other, so a task is never left with no thread.
// The record is taken back as a starter takes one (_pool.ts replenish):
// IDENT 0 -> -ident (taking back: a maintain skips it while this thread
// may run), ENTRY, then IDENT. Once free, the record may have served a
// whole other thread (started, ran, idled out: a stall of this thread
// between its leave and this CAS, at load) that wrote its own ENTRY; a
// take-back that only moved IDENT back to this ident left that ENTRY, and
// every maintain then found this live thread "ended" (entryAlive(ENTRY,
// IDENT) false): it reclaimed its take (the task re-tagged and queued again
// under a thread about to claim it) and freed the record to a second
// thread while this one still ran on it.
// A stop between the claim and the IDENT store (a terminate of the pool
// worker from outside, an exit): the record reads -ident, which names this
// thread, so a maintain frees it (CAS -ident -> 0, and LIVE's count of it)
// once this thread is in the stop ring (_pool.ts maintain); it never frees
// one whose thread may still run. LIVE is counted before the claim (and
// given back if the claim fails): a record that reads -ident is always
// counted, so that free is exact. (A starter's -1 is home's own: home's
// stop ends the pool.)
export function leaveIdle(
  v: Int32Array,
  rec: number,
  ident: number,
  entry: number,
  own: number,
  tasks: Queue<number>,
  hooks: TakeBackHooks | undefined,
): boolean {
  hooks?.before();
  leave(v, rec, ident);
  // After a shutdown too, queued tasks still need a thread.
  if (tasks.qsize() === 0 || Atomics.load(v, STATE) === BROKEN) return true;
  // Take the record back if no starter claimed it meanwhile.
  Atomics.add(v, LIVE, 1);
  if (Atomics.compareExchange(v, rec + R_IDENT, 0, -ident) !== 0) {
    Atomics.sub(v, LIVE, 1);
    Atomics.notify(v, LIVE); // as leave()
    return true;
  }
  hooks?.claimed();
  // Its own PARK value again: a thread started here meanwhile wrote its
  // own, or its reclaim NOBODY (_park.ts "PARK word"); -ident keeps both
  // off the record now.
  Atomics.store(v, rec + R_PARK, own);
  Atomics.store(v, rec + R_TAKE, takeEmpty(v[SLOTS], own)); // (_names.ts)
  v[rec + R_ENTRY] = entry; // published by the store of IDENT
  // Its initializer returned long ago (a failed start here meanwhile may
  // have left 0: _layout.ts INIT).
  v[rec + R_INIT] = 1;
  Atomics.store(v, rec + R_IDENT, ident);
  return false;
}

/**
 * Moves record `rec`'s READY off STALE_MARK, if it reads so, and takes
 * STALES down (one CAS: each stale mark is taken down once, _stale.ts).
 */
export function unmark(v: Int32Array, rec: number): void {
  if (Atomics.compareExchange(v, rec + R_READY, STALE_MARK, 0) === STALE_MARK) {
    Atomics.sub(v, STALES, 1);
  }
}

/**
 * A stale pool thread whose task ended (its outcome pushed, _stale.ts):
 * frees its record if it is still its own, then unmarks it, then takes
 * LIVE down (a maintain's reclaim, in the same order, unmarks one it
 * freed).
 */
export function leaveStale(v: Int32Array, rec: number, ident: number): void {
  if (Atomics.compareExchange(v, rec + R_IDENT, ident, 0) !== ident) return;
  unmark(v, rec);
  Atomics.sub(v, LIVE, 1);
  // Why no lost wakeup: as leave().
  Atomics.notify(v, LIVE);
}
