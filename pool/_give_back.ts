// Copyright 2026 the threadkit authors. MIT license.
// Giving a taken task back: a pool thread S declared dead (its entry
// ended: a scan would fail its tasks as its death, and a replacement serves
// the pool) that took an index before it saw that (_thread.ts), and the
// reclaim's step 3 and a hand-back (_take.ts), which share its CAS.
//
// Why not by R_TAKE. S's take named the index in its record (R_TAG, R_TAKE,
// _take.ts), and its give-back used to be an exchange of R_TAKE that had to
// find it. But S may run on after its record was reclaimed and given to
// the next thread N (_park.ts "Past G3": S passed its last look while IDENT
// still named it). Then R_TAKE is N's word: N's take of the same mail
// (it loaded the MAIL too; S's CAS won, N's failed) stores 0 over S's name,
// and N's own take stores its own index there. The exchange found 0 or N's
// index: the give-back was not made and slot s stayed QUEUED in no queue,
// PARK word or R_TAKE (its Future never completed;
// tests/pool/give_back_test.ts), and an exchange that found N's index
// cleared N's name. R_TAG is N's too: S reads its tag from its own take
// (took, _park.ts), not from the record.
//
// The give-back (S holds index s, its take read tag t; _thread.ts):
// N0  CAS R_TAKE s + 1 -> 0: a name of s left there (S's own store, or
//     N's failing take of the same MAIL value) is S's by this CAS, as a
//     reclaim's exchange of R_TAKE takes it (one wins): the index is S's
//     alone, whatever task its slot holds now, and goes back as it is
//     (P; its next taker reads its tag at the queue's head). This is the
//     base's give-back, made by a CAS: an exchange cleared N's own name.
// Else (no name left: N's failing take cleared it, N's next take replaced
// it, or a reclaim took it), by the tag:
// G   CAS STATE t|QUEUED -> (t + TAG)|QUEUED: the index is S's alone now;
//     or t|CANCELLED -> t|FREE (its owner cancelled it: freed here);
//     failed: another party has it (below), S leaves.
// W   CAS R_TAKE s + 1 -> 0: S's own name withdrawn, never another's.
// P   the put (requeue): wakes a parked thread; after the queue's shutdown,
//     settled unrun as a reclaim's requeue is (settleUnrun: cancelled, or
//     failed when broken. Before, S ran it itself, as a thread whose death
//     the owner's scan would report).
// ABA: S's tag read comes before its PARK CAS. Past G3 (_park.ts) the word
// can go round meanwhile (MAIL s, X's NOBODY, N's own value, N's PARKED)
// and come back to the same MAIL value for the slot's next task (an owner
// that submits one task at a time reuses its slot): S's CAS then wins with
// the older task's tag, and G fails. N0 covers it while N's failing take's
// name is there (tests/pool/take_mail_test.ts "ABA"); once N cleared it
// before S's give-back, nobody returns that task (Left).
// Who else may return task s (tag t) while S holds its index: its index is
// in no queue and no PARK word (S's CAS took it from the word, or S's get
// from the queue, and an index is in one place at a time), so no take
// names it but S's, and N's failing take of the same mail (N stores 0
// after its CAS fails, which comes after S's won). Only a CAS from t|QUEUED
// or t|CANCELLED returns it:
// - the reclaim R of S's record (step 3), which exchanged R_TAKE and found
//   S's name (before I, IDENT's free: R_TAG is S's t). R's CAS and G are
//   both from t: one wins. R before S's name (R found 0): R has nothing.
// - the reclaim R' of N's record (N died): its step 3 finds S's name in
//   R_TAKE only while neither N's failing take nor N's next take replaced
//   it (and not after N0); it then CASes slot s from R_TAG's tag, G from
//   t: both on slot s's word, so one wins (tags of different slots are
//   often equal: either may).
// - the owner's cancel (QUEUED -> CANCELLED, same tag): both sides take
//   the CANCELLED branch, one wins.
// - a close: its drainMail CAS from MAIL and S's take CAS from MAIL are one
//   word: before S's, S's take failed and S holds nothing; after, the
//   close's drain meets s in the queue (P before the shutdown) or S settles
//   it unrun (P after).
// - N's claim: N claims only an index it took; it takes s only after P,
//   under the tag it then reads (t + TAG).
// - a hand-off H writes PARKED -> MAIL only: the MAIL both loops read is
//   the one above; a later H to N's PARKED (N adopted the word back and
//   parked) is N's alone to take: S, past its take, gives back and leaves
//   and parks no more.
// - a close that does not drain: P after its queue's shutdown settles s
//   unrun (cancelled): a task Python would still run, lost to a thread
//   declared dead, as the reclaim's requeue after a shutdown does.
// W after G: between them s is S's alone, so an R_TAKE that reads s + 1 is
// a stale name of s (S's, or N's failing take's), never a live take's;
// after P, N may take s and name it (W before P keeps S's CAS off it).
// A failed G leaves R_TAKE as it is (it may be N's, or the winner's work).
// S dying (stopped from outside: an exit, a terminate where that stops a
// thread, out of memory):
// - before G, its record its own: R finds S's name (step 3), as before.
// - before G, the record N's: S's name is gone when N's failing take
//   cleared it, and nobody returns s (Left below).
// - between G and P: s is S's alone and lost, as in the reclaim's own
//   step 3 between its CAS and its put, and the give-back before (between
//   its exchange and its put).
// N dying anywhere: R' above; R dying: a later maintain repeats it.
// Left:
// - S stopped from outside between its take and N0, after N's failing
//   take cleared its name (S stalled through a whole thread start, then
//   stopped within a few steps).
// - ABA (above) with N's failing take's clear before S's give-back.
// - S's stores on N's record (one stall is enough: S loads its own MAIL,
//   or passes _next.ts's look before a take from the queue, while the
//   record is its own, then stalls through X, I and N's start): its R_TAG
//   and R_TAKE stores (s + 1, then 0 when its CAS fails) replace N's name
//   of a take of its own. N's claim uses its own tag (took), so N runs
//   that task; but N dying between its take and its claim leaves the
//   reclaim of N's record no name (tests/pool/take_mail_test.ts, todo).
//   A fix needs S's record writes made conditional on the record being
//   its own in one atomic step (R_TAKE moved only by CAS, R_TAG written
//   only by R_TAKE's holder, say).
// - A failing take's late name: N loads a MAIL and stalls before its
//   stores; S takes it and gives it back (in the queue); N's stores name it
//   under its current tag, N's CAS fails and N is declared dead before its
//   clear: the reclaim of N's record finds the name and puts the index in
//   the queue a second time (run once: the second claim fails on the tag).
//   The tag bits in the MAIL value (a CAS that fails on a slot's next
//   task) would close the ABA above; this one needs the clear and the
//   reclaim to take only a name whose index is in no queue.
// (tests/pool/take_mail_test.ts: each of these a skipped case.)
import type { Queue } from "../queue/bounded.ts";
import {
  type Block,
  BROKEN,
  CANCELLED,
  FREE,
  QUEUED,
  R_TAKE,
  S_STATE,
  S_WIDENT,
  STATE,
  TAG,
} from "./_layout.ts";
import { settleUnrun, wakeParked } from "./_park.ts";

/**
 * G, W and P above, for index `s` of a task of tag `tag` (the taker's own
 * read: took.tag) named in record `rec`: S's give-back, and the reclaim's
 * step 3 and a hand-back (_take.ts, with R_TAG's tag).
 */
export function giveBackTaken(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
  s: number,
  tag: number,
): void {
  const { v } = b;
  const at = b.slot(s) + S_STATE;
  if (
    Atomics.compareExchange(v, at, tag | QUEUED, (tag + TAG) | QUEUED) ===
      (tag | QUEUED)
  ) {
    Atomics.compareExchange(v, rec + R_TAKE, s + 1, 0);
    Atomics.store(v, b.slot(s) + S_WIDENT, 0);
    requeue(b, tasks, free, s);
  } else if (
    Atomics.compareExchange(v, at, tag | CANCELLED, tag | FREE) ===
      (tag | CANCELLED)
  ) {
    // W before the free: from the free queue a submit may reuse the slot.
    Atomics.compareExchange(v, rec + R_TAKE, s + 1, 0);
    free.put(s);
  }
}

/**
 * Puts index `s` (held, QUEUED or CANCELLED) back on the task queue for a
 * pool thread; once the queue is shut down, settles it unrun as a close's
 * drain would (_park.ts settleUnrun).
 */
export function requeue(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
  s: number,
): void {
  try {
    tasks.put(s); // never full: it holds every slot
    wakeParked(b, false);
    return;
  } catch {
    // Shut down.
  }
  settleUnrun(b, s, free, Atomics.load(b.v, STATE) === BROKEN);
}
