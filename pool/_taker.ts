// Copyright 2026 the threadkit authors. MIT license.
// TAKER (_take.ts) held by a thread that stopped with no record naming it:
// a pool thread declared dead whose record a reclaim already took (and
// maybe gave to another thread), stopped from outside (an exit, a
// terminate where that stops a thread, out of memory) between its CAS of
// TAKER and its release. No reclaim looks for it (a reclaim takes TAKER
// over only from its record's thread, _take.ts step 2, or from a reclaim
// that stopped, holdFree), so every take from
// the queue found TAKER held for good (hand-offs went on). Now the next
// taker that finds TAKER held past its tries (_next.ts) and a draining
// close (holdTaker) take it over from such a holder.
// Why the holder took nothing: its take names the index in its record
// (a CAS of R_TAKE from its own empty value) before its get, and every
// reclaim of its record writes 0 there first (_give_back.ts). A reclaim
// completes (the record freed, IDENT 0) only while TAKER is not its
// thread's, or once that thread stopped (step 2 takes TAKER over and
// releases it). So a holder no record names took TAKER after its
// record's reclaim: its CAS of R_TAKE failed, and it got nothing. Read
// in this order: TAKER (t), the stop ring (t stopped: it writes no more),
// then every record's IDENT: none reads t, -t (taking its record back,
// _leave.ts) or -1 (a start whose thread may run before its IDENT is
// stored, R_TAKE its own already). Then one CAS from t: one taker-over
// wins. A slow path: the stop ring's scan is 1024 loads.
import { identStopped } from "../_core/runtime.ts";
import { type Block, R_IDENT } from "./_layout.ts";

/**
 * Whether TAKER's holder `t` (> 0) stopped with no record naming it (see
 * the top of this file): nothing of a take is held, and TAKER can be
 * taken over.
 */
export function strandedTaker(b: Block, t: number): boolean {
  if (t <= 0 || identStopped(t) === undefined) return false;
  for (let w = 0; w < b.l.records; w++) {
    const id = Atomics.load(b.v, b.record(w) + R_IDENT);
    if (id === t || id === -t || id === -1) return false;
  }
  return true;
}
