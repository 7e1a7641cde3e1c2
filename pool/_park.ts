// Copyright 2026 the threadkit authors. MIT license.
// Direct hand-off to an idle pool thread. A pool thread that finds the task
// queue empty parks on its record's PARK word; a submitter that finds a
// parked thread hands it the slot index in that word and wakes it, so one
// task at a time costs one raw wait/notify each way instead of a trip
// through the task Queue (its turn lock, its count and its own waiters: a
// ping-pong through two int32 Queues measured 2.7x the raw one). Under load
// the pool threads are busy, no PARK word reads PARKED, and tasks go through
// the queue as before.
//
// PARK word: record word R_PARK (_layout.ts), one per pool-thread record.
// | value  | name   | meaning                                          | written by                          |
// |--------|--------|--------------------------------------------------|-------------------------------------|
// | < 0    | own    | the record's thread (one value per start: its own, ownValue) is not parked | a start, a take-back (store, while IDENT reads -1 / -ident); the thread (CAS) |
// | 0      | NOBODY | no thread's: a fresh record, or one reclaimed    | a reclaim, a start (exchange)       |
// | 1      | PARKED | asleep on this word, or about to be              | the thread (CAS from its own value) |
// | 2      | WOKEN  | look at the queue (a put or a stop raced it)     | submitters, stop (CAS from 1)       |
// | s + 3  | MAIL   | slot s is handed to this thread                  | a submitter (CAS from 1)            |
//
// PARK states (T the record's thread, own its own value):
// own    -queue empty (T, CAS)->                     PARKED, then re-check queue and STATE
//         (the CAS fails: not T's word any more, GONE below)
// PARKED -re-check finds work, or timeout (T, CAS)->  own
// PARKED -submit, slot s (CAS)->                     MAIL s, notify 1
// PARKED -put to the queue, stop, broken pool (CAS)-> WOKEN, notify 1
// MAIL   -woken T: names it in its record (TAKE, _take.ts),
//         then CAS->                                 own (the slot is T's)
// WOKEN  -woken T (CAS)->                            own
// MAIL   -a close that drains (cancelFutures, broken; CAS)-> WOKEN, notify; the
//         slot is settled unrun (_close.ts)
// any    -T declared dead (the reclaim X, maintain, _take.ts; exchange)-> NOBODY,
//         notify all; a MAIL goes back to the queue, a WOKEN is passed on
// NOBODY or another's own -a start or a take-back (IDENT -1 / -ident: X and
//         every other writer are off the word)->      the new thread's own
// own'   -T finds another thread's own value (only "Past G3", below; CAS)-> own
// Only T moves its own value to PARKED and PARKED back to its own (but
// see "Past G3"), and only others leave PARKED for MAIL or WOKEN, each by a
// CAS or exchange, so a slot handed over is taken exactly once: by T's
// CAS, by a draining close's CAS, or by the reclaim of a dead thread's
// record (exchange).
//
// GONE: a record that is no longer the thread's. A thread declared dead
// (its entry ended) may still run (an ended entry is not a stopped thread,
// _layout.ts "TAG"): stalled anywhere, or asleep here. Meanwhile a maintain
// reclaims its record (X, above; then TAKER and TAKE, _take.ts), frees it
// (I: IDENT -> 0) and starts the next thread N there (_pool.ts): from then
// on the record's PARK, TAKE and DRAIN words are N's. `gone` (its
// entry ended and IDENT no longer names it) becomes true at I and stays
// true (only this thread writes its own ident back, leaveIdle).
// The stale thread S writes nothing of the record once X ran:
// - P, its park's CAS from its own value, fails once X ran: X leaves
//   NOBODY, a start stores N's own value, and no one but a start for S
//   and S itself writes S's own value (one per start). So a PARKED from S
//   lands only before X, on a word X then takes; none is left on a freed
//   record, where a hand-off would wait for another submit's start (Before,
//   the word's "not parked" value was one BUSY for every thread: S's P
//   could land after X, and S dying before its next look left PARKED on a
//   free record: tests/pool/stale_park_test.ts).
// - the look after its push (beforeSleep) G1: S may have stalled there
//   through X, I, a start and N's park (tests/pool/late_push_test.ts); it
//   then leaves before it drains (R_DRAIN is N's) or sleeps on N's PARKED.
// - the look at each wake and slice end G2 (waitSync's check): S asleep
//   here when X came (X wakes it) or, past its last slice's look, on N's
//   PARKED; it leaves within a slice, and passes on every wake (notify
//   all): a wake it took may have been N's, and another stale thread may
//   sleep there too.
// - the look before the take loop G3 (the drain's stretch): the take loop
//   would name a hand-off of N's in N's TAKE (its CAS fails now, _names.ts).
//   Skipped when G2 looked after the last wait (one load earlier: a reclaim
//   between them is one after G3, which the take loop's CASes meet).
// - the look before a take from the queue (_next.ts): the take would write
//   N's TAKE (tests/pool/stale_park_test.ts).
// (tests/pool/park_gone_test.ts, one case each: G1, G2, G3, the pass-on.)
// Interleavings of S (P; its push; G1; drain; sleep; G2; G3; take loop T),
// the maintain R (X; TAKER and TAKE; I), a start for N (its own value;
// IDENT N; N's park Q), a hand-off H and a wake W (from PARKED), a close's
// drain C (from MAIL); "dies" is an exit, a throw, out of memory, at that
// point, with no cancel:
// - X before P: P fails; S returns GONE, writes nothing. Dies anywhere:
//   nothing of it is on the word.
// - P before X: the word is S's PARKED, or H's MAIL or W's WOKEN on it. X
//   takes it (NOBODY, every sleeper woken, a MAIL requeued: one of X's
//   exchange, S's takeMail CAS and C's CAS wins it; a WOKEN passed on).
//   S's looks after I leave at once; a look between X and I still sees
//   its ident: its sleep loop finds the word not PARKED and its take loop
//   finds NOBODY: GONE. S dies after P, before X: its PARKED (or a MAIL,
//   WOKEN) is on a record whose IDENT names a dead thread: X takes it.
//   S dies after X: nothing of it is on the word.
// - H or W against X: before X, X takes what they wrote; after X they
//   find NOBODY (or N's words) and skip the record.
// - R dies between X and I: the record reads a dead ident and NOBODY: the
//   next maintain runs X again (nothing there) and I. A start dies with
//   home only (home's end breaks the pool).
// So every PARKED is its writer's own while IDENT names it or X is still
// to come, and every MAIL is taken by the record's thread, a close or X.
// Past G3: passing it while IDENT still names it, S may stall through I, a
// start, N's park and a hand-off H; its take loop then moves N's PARKED or
// WOKEN to its own value, or loads N's MAIL (its name's CAS fails: N's
// record, _give_back.ts; it takes nothing, GONE). N's loop finds S's
// value, adopts the word (CAS; not gone) and looks at the queue; meanwhile H
// and W skip the word, and S's next park's CAS may store PARKED on it once
// before its G1 (N's take loop or sleep goes on from PARKED). Passing G1 the
// same way, S's drain subtracts what it read from N's DRAIN (N's posts wake
// it later, bounded). Every write of S to R_TAKE is a CAS from its own
// generation's values, and a MAIL value carries its task's tag bits
// (_names.ts), so S names and takes nothing on N's record: not N's MAIL,
// not the same slot mailed again for its next task (ABA), and no store of
// S lands over N's name (_give_back.ts: the interleavings, the deaths).

import { CancelledError } from "../_core/errors.ts";
import { waitSync } from "../_core/wait.ts";
import type { Queue } from "../queue/bounded.ts";
import {
  ABORT,
  type Block,
  CANCELLED,
  DONE,
  FREE,
  K_BROKEN,
  QUEUED,
  R_DRAIN,
  R_PARK,
  R_TAKE,
  S_KIND,
  S_STATE,
  setPhase,
  shiftNext,
  tagOf,
} from "./_layout.ts";
import { MAIL, mailSlot, mailValue, takeEmpty, takeNameOf } from "./_names.ts";

export const NOBODY = 0, PARKED = 1, WOKEN = 2;
export { MAIL } from "./_names.ts";
/**
 * The PARK value of a pool thread that is not parked: its own, one per
 * start (`n`: the executor's NAMES count at the start, _start.ts), from -1
 * down to -2^30 (NAMES wraps; a value comes back after 2^30 starts).
 */
export function ownValue(n: number): number {
  return -((n & 0x3fffffff) + 1);
}
/**
 * The STATE word of the task this thread took last (takeMail, _take.ts
 * takeQueued), as its take read it, and its tag: its claim's (_thread.ts
 * starts from this word, not a second load). A reclaim reads the tag from
 * STATE once it took the name (_give_back.ts).
 */
export const took: { tag: number; word: number } = { tag: 0, word: 0 };
/** park(): the record is no longer this thread's (see "GONE" above). */
export const GONE = -2;

/**
 * Hands slot `s` (written and QUEUED: its STATE word `state`, as nextTask
 * stored it) to a parked pool thread, if one is; the MAIL value carries
 * the task's tag (_names.ts).
 * @returns whether it was handed over (else the caller queues it).
 */
export function handOff(b: Block, s: number, state: number): boolean {
  const { v } = b;
  const mail = mailValue(b.l.slots, s, state);
  for (let w = 0; w < b.l.records; w++) {
    const at = b.record(w) + R_PARK;
    if (Atomics.load(v, at) !== PARKED) continue;
    // The CAS publishes the slot's words to the thread (its exchange).
    if (Atomics.compareExchange(v, at, PARKED, mail) === PARKED) {
      // Why no lost wakeup: the thread sleeps only while it reads PARKED,
      // and this CAS moved the word off PARKED before the notify.
      Atomics.notify(v, at, 1);
      return true;
    }
  }
  return false;
}

/**
 * After a put to the task queue (or its shutdown): wakes one parked pool
 * thread (`all`: every one) to look at the queue.
 * Why no lost wakeup: the thread stores PARKED, then reads the queue's count
 * and the executor's STATE; the caller changed one of those, then reads
 * PARK here. All are sequentially consistent, so either the thread sees the
 * new task (or state) and does not sleep, or this sees PARKED and wakes it.
 */
export function wakeParked(b: Block, all: boolean): void {
  const { v } = b;
  for (let w = 0; w < b.l.records; w++) {
    const at = b.record(w) + R_PARK;
    if (Atomics.load(v, at) !== PARKED) continue;
    if (Atomics.compareExchange(v, at, PARKED, WOKEN) === PARKED) {
      Atomics.notify(v, at, 1);
      if (!all) return;
    }
  }
}

/**
 * Posts home made to a pool thread's port (_shared.ts) past which it reads
 * them, parked or not (R_DRAIN, _layout.ts): what an idle pool thread's
 * port holds (each add holds its buffer) stays below about this many.
 */
export const DRAIN_AT = 32;

/**
 * Home posted a message to the port of record `w`'s thread: counts it in
 * DRAIN, and from DRAIN_AT on wakes the thread if it is parked (PARKED ->
 * WOKEN, as a queue put does: it looks at the queue, finds it empty and
 * parks again, draining first, see park()). Not a drop at once: the
 * round robin over KEEP + 1 buffers (_shared.ts) drops one per task, and a
 * wake per drop and parked thread would cost each such task a wake.
 * Why no lost wakeup: this adds to DRAIN, then loads PARK; the thread
 * stores PARKED, then loads DRAIN before it sleeps (park()). All are
 * sequentially consistent, so either the thread sees the count and drains,
 * or this sees PARKED and wakes it (both: one spurious wake, harmless: it
 * parks again). A busy thread is not woken: it drains at its next claim
 * of a task (DRAIN > 0, _thread.ts), its next task that names a buffer
 * (ThreadShared.begin) or its next park; one still in the task it was in
 * at home's previous add, with DRAIN_AT unread, is marked stale at home's
 * add instead of posted to (_stale.ts). A thread that dies with posts unread frees them
 * with its port.
 */
export function posted(b: Block, w: number): void {
  const { v } = b, rec = b.record(w);
  if (Atomics.add(v, rec + R_DRAIN, 1) + 1 < DRAIN_AT) return;
  const at = rec + R_PARK;
  if (
    Atomics.load(v, at) === PARKED &&
    Atomics.compareExchange(v, at, PARKED, WOKEN) === PARKED
  ) {
    Atomics.notify(v, at, 1);
  }
}

/**
 * Parks the calling pool thread on its record's PARK word until it is
 * handed a slot, told to look at the queue, or `deadline` passes.
 * `recheck()` runs after PARKED is stored: true means work may be there
 * (the queue is not empty, the executor is not open), so do not sleep.
 * @returns the handed slot, or -1 (look at the queue; after the deadline:
 * nothing came).
 * A cancel of this thread while parked (none of its tasks runs) is passed
 * to `onCancel` (which withdraws it), and the thread parks on.
 * `beforeSleep` runs once the recheck found nothing, before the sleep
 * (the thread pushes its last outcome there, _thread.ts). Then, with
 * DRAIN_AT or more posts unread in its port (one load), `drain` reads
 * them (see posted(); a wake for it returns -1 and the caller parks again).
 * `own`: this thread's own PARK value (its start's, ownValue).
 * `beforePark`: a test-only stall (_hooks.ts).
 * GONE when the word is no longer this thread's (its CAS from `own`
 * failed, a reclaim took it, or `gone()`: see "GONE" above): nothing of
 * the record written.
 */
export function park(
  b: Block,
  w: number,
  own: number,
  deadline: number,
  recheck: () => boolean,
  onCancel: () => void,
  beforeSleep?: () => void,
  drain?: () => void,
  gone: () => boolean = () => false,
  beforePark?: () => void,
): number {
  const { v } = b;
  const rec = b.record(w), at = rec + R_PARK;
  beforePark?.(); // test-only (_hooks.ts stallBeforePark)
  // From this thread's own value: fails only once a reclaim took the word
  // (NOBODY, or what the record's next thread wrote since): "GONE" above.
  if (Atomics.compareExchange(v, at, own, PARKED) !== own) return GONE;
  let looked = false; // gone() read after the last wait (see below)
  if (!recheck()) {
    beforeSleep?.();
    // (Its push may have stalled through a reclaim: the word is not its.)
    if (gone()) return GONE;
    // After PARKED is stored: see posted(). Read while PARKED, so a
    // hand-off meanwhile is taken below, after the drain: that task waits
    // for it (32 messages, half with a buffer: measured median 98 us,
    // p90 425 us on Deno, 32 / 106 us on Node, load 8), once per DRAIN_AT
    // posts per idle thread.
    if (Atomics.load(v, rec + R_DRAIN) >= DRAIN_AT) drain?.();
    // Why no lost wakeup: see handOff and wakeParked (each moves the word
    // off PARKED before it notifies); sleep only while it reads PARKED.
    while (Atomics.load(v, at) === PARKED) {
      let r: ReturnType<typeof waitSync> | undefined;
      try {
        r = waitSync(v, at, PARKED, deadline, undefined, true, "wait", gone);
      } catch (error) {
        // Anything else ends the thread; its record's reclaim takes a
        // slot handed over meanwhile.
        if (!(error instanceof CancelledError)) throw error;
        onCancel();
      }
      if (gone()) {
        // Why no lost wakeup: a wake this thread took may have been for
        // the record's next thread, asleep on the same word: every waiter
        // wakes and looks again (spurious at worst).
        Atomics.notify(v, at);
        return GONE;
      }
      looked = true;
      if (r === "timed-out") break;
    }
  }
  // (The drain's stretch: a reclaim may have come since the last look.)
  // Not again right after a wait's look: one load later, a reclaim is as
  // one that comes after this look, which the take below meets (its CASes
  // from this thread's own values fail: GONE).
  if (!looked && gone()) return GONE;
  // Leaves PARKED (or WOKEN) for its own value; a slot handed over
  // meanwhile is taken here, named in the record first.
  for (;;) {
    takeMailHook?.(4);
    const was = Atomics.load(v, at);
    if (was >= MAIL) {
      const s = takeMail(b, rec, was, own);
      if (s >= 0 || s === GONE) return s;
      if (gone()) return GONE; // (a failed take: off the hot path)
    } else if (was === PARKED || was === WOKEN) {
      if (Atomics.compareExchange(v, at, was, own) === was) return -1;
    } else if (was === own) return -1;
    // NOBODY: a reclaim took it (this thread was declared dead).
    else if (was === NOBODY || gone()) return GONE;
    // Another thread's own value: a stale thread's take loop (see "Past G3"
    // above) took this thread's PARKED; the word is this thread's again.
    else if (Atomics.compareExchange(v, at, was, own) === was) return -1;
  }
}

/**
 * Takes the slot mailed to record `rec` (its PARK word read `was`, a
 * MAIL), named in the record before the take (_take.ts): its tag read
 * (took: while its index is mailed, only the owner's cancel, same tag,
 * changes the slot), the CAS of R_TAKE from the taker's empty value (own's
 * generation, _names.ts), then the CAS that takes it (to `own`, the
 * taker's own value). Returns the slot; -1 when a draining close or a
 * reclaim took it back first (the name withdrawn by CAS); GONE when the
 * name's CAS failed (the record is not the taker's: nothing written).
 */
let takeMailHook: ((p: number) => void) | undefined;
/** Test-only: stalls in the take loop and takeMail (_hooks.ts stallInTakeMail). */
export function setTakeMailHook(f: ((p: number) => void) | undefined): void {
  takeMailHook = f;
}
export function takeMail(
  b: Block,
  rec: number,
  was: number,
  own: number,
): number {
  const { v } = b;
  const s = mailSlot(b.l.slots, was);
  takeMailHook?.(0);
  const word = took.word = Atomics.load(v, b.slot(s) + S_STATE);
  const tag = took.tag = tagOf(word);
  // The name, from this thread's own empty value: fails once the record
  // was reclaimed (0) or is the next thread's (its own generation).
  const { slots } = b.l, empty = takeEmpty(slots, own);
  const name = takeNameOf(slots, empty, s, tag);
  if (Atomics.compareExchange(v, rec + R_TAKE, empty, name) !== empty) {
    return GONE;
  }
  takeMailHook?.(1);
  if (Atomics.compareExchange(v, rec + R_PARK, was, own) === was) {
    takeMailHook?.(3);
    return s;
  }
  takeMailHook?.(2);
  Atomics.compareExchange(v, rec + R_TAKE, name, empty);
  return -1;
}

/**
 * A draining close (_close.ts): every slot handed to a pool thread that has
 * not taken it yet is taken back and settled unrun, as a queued one is.
 * The CAS from MAIL decides against the thread's exchange (it then finds
 * WOKEN and looks at the shut-down queue).
 */
export function drainMail(
  b: Block,
  free: Queue<number>,
  broken: boolean,
): void {
  const { v } = b;
  for (let w = 0; w < b.l.records; w++) {
    const at = b.record(w) + R_PARK;
    const was = Atomics.load(v, at);
    if (was < MAIL) continue;
    if (Atomics.compareExchange(v, at, was, WOKEN) !== was) continue;
    // Why no lost wakeup: the word left PARKED before handOff's notify,
    // which woke the thread already; this one is for a thread still on
    // its way to that wake.
    Atomics.notify(v, at, 1);
    settleUnrun(b, mailSlot(b.l.slots, was), free, broken);
  }
}

/**
 * A queued task that will not run (taken from the task queue, or a hand-off
 * never taken): QUEUED is cancelled (`broken`: failed with
 * BrokenExecutorError) and pushed to its owner; a slot its owner cancelled
 * meanwhile (its index is ours now) is freed. The CAS from QUEUED decides
 * against a runner's or an owner's. A pool thread's record may still name
 * the task (a holder of TAKER taken over by this close whose name of the
 * queue's head the close left, or a takeMail whose name came before this
 * drain of its mail), and a later reclaim of that record must find no
 * match: its `tag|CANCELLED -> tag|FREE` (_give_back.ts giveBackTaken,
 * with the tag read from STATE) would free a slot that sits on its owner's
 * stack. So the settle moves the task to the next tag and marks a cancel
 * with ABORT beside CANCELLED (`tag|CANCELLED` differs from the word by the
 * mark). Every exact compare against CANCELLED (giveBackTaken; the claim,
 * _thread.ts, which frees an owner's cancel) fails on a marked word, so
 * only its owner's drain frees it: #settle (_owner.ts) and the sweep
 * (_orphans.ts) read the phase (PHASE masks ABORT) and setPhase() clears
 * it. ABORT otherwise means an abort while RUNNING, which a cancelled slot
 * never is. DONE (broken) needs no mark: no record's compare names DONE.
 */
export function settleUnrun(
  b: Block,
  s: number,
  free: Queue<number>,
  broken: boolean,
): void {
  const { v } = b;
  const at = b.slot(s) + S_STATE;
  if (broken) v[b.slot(s) + S_KIND] = K_BROKEN;
  const was = shiftNext(v, at, QUEUED, broken ? DONE : CANCELLED | ABORT);
  if (was === QUEUED) b.push(s);
  else if (was === CANCELLED) {
    setPhase(v, at, FREE);
    free.put(s);
  }
}
