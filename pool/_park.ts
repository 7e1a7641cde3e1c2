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
// | value  | name   | meaning                                         | written by                      |
// |--------|--------|-------------------------------------------------|---------------------------------|
// | 0      | BUSY   | the thread is not parked                        | the thread (exchange), reclaim  |
// | 1      | PARKED | asleep on this word, or about to be             | the thread (CAS from BUSY)      |
// | 2      | WOKEN  | look at the queue (a put or a stop raced it)    | submitters, stop (CAS from 1)   |
// | s + 3  | MAIL   | slot s is handed to this thread                 | a submitter (CAS from 1)        |
//
// PARK states:
// BUSY   -queue empty (thread, CAS)->                PARKED, then re-check queue and STATE
//         (the CAS finds MAIL, PARKED or WOKEN instead: an orphan, below)
// PARKED -re-check finds work, or timeout (thread)-> BUSY (CAS; a MAIL seen here is taken, below)
// PARKED -submit, slot s (CAS)->                     MAIL s, notify
// PARKED -put to the queue, stop, broken pool (CAS)-> WOKEN, notify
// MAIL   -woken thread: names it in its record (TAKE, TAG, _take.ts),
//         then CAS->                                 BUSY (the slot is the thread's)
// WOKEN  -woken thread (CAS)->                       BUSY
// MAIL   -a close that drains (cancelFutures, broken; CAS)-> WOKEN, notify; the
//         slot is settled unrun (_close.ts)
// any    -the thread died (reclaim, maintain, _take.ts)-> BUSY; a MAIL goes back to the queue
// any    -the thread saw GONE after its CAS (leavePark, _take.ts, CAS)-> BUSY,
//         notify; a MAIL goes back to the queue, a WOKEN is passed on
// Only the thread leaves PARKED for BUSY and only others leave it for MAIL or
// WOKEN, each by a CAS or exchange, so a slot handed over is taken exactly
// once: by the thread's CAS, by a draining close's CAS, or by the reclaim
// of a dead thread's record (exchange).
//
// A record that is no longer the thread's (GONE). A thread declared dead
// (its entry ended) may still run (an ended entry is not a stopped thread,
// _layout.ts "TAG"): stalled in its push, or asleep here. Meanwhile a
// maintain reclaims its record (PARK -> BUSY, _take.ts), frees it (IDENT
// 0) and starts a replacement there (_pool.ts): from then on the record's
// PARK, TAKE and TAG words are that thread's. `gone` (its entry ended and
// IDENT no longer names it) is looked at before each write of the record
// on the way to a take: before PARKED, after `beforeSleep` (its push may
// stall, tests/pool/late_push_test.ts), and after each wake or slice end of
// the sleep (waitSync's check); the park then returns GONE (after its
// own move off BUSY, leavePark puts the word back: "Orphans" below), and
// the thread leaves (_thread.ts). Before, it parked on its
// replacement's PARK word and never left: it took that thread's hand-offs
// and wakes, and named its takes in that thread's TAKE and TAG: a take
// whose TAKE the replacement overwrote before the give-back was never
// given back, and a TAG it overwrote failed the replacement's claim (each
// a task out of the queue, never run: its Future waited for good). A wake
// it took may have been the replacement's: passed on (notify 1; spurious
// at worst). IDENT and not the entry alone: while IDENT still names it,
// the record and what is mailed there are its own (it takes, sees its
// entry ended and gives the task back, _thread.ts).
//
// Orphans. A look at `gone` and the write that follows it are two steps:
// the reclaim's exchange of PARK to BUSY (one step of a maintain) may land
// between the stale thread's look (IDENT still its own) and its move to
// PARKED, which then stays on a record no thread serves; a submit's
// handOff mails its task there (PARKED -> MAIL, a notify to nobody): in no
// queue and no TAKE, and no reclaim looks at a record with IDENT 0. Before,
// the stale thread left at its next look, and the record's next thread
// stored PARKED over the mail (the task lost, its Future waiting for good).
// Now (tests/pool/orphan_park_test.ts):
// - each park moves the word by a CAS from BUSY, the value the thread left
//   there (its take loop's CAS, a reclaim's exchange, a leavePark, a fresh
//   record). A live thread's CAS that fails found an orphan: MAIL is a task
//   handed to this record, taken by the take loop as any hand-off (the
//   thread is the record's now); PARKED or WOKEN: parked on as if stored.
// - once that CAS ran (stored or not), every GONE goes through leavePark
//   (_take.ts): a CAS of what it reads back to BUSY, a notify, a MAIL
//   requeued as the reclaim's step 1 requeues one (not R_TAKE: the new
//   thread's), a WOKEN passed on (wakeParked). Looked at after the push,
//   at each wake or slice end, and once more before the take loop (the
//   drain's stretch, p90 425 us).
// Interleavings of the stale thread S (look L, CAS P, later looks G),
// the reclaim R (exchange X to BUSY, then IDENT 0), the replacement N
// (its first park's CAS Q, its take loop) and a submit H (PARKED -> MAIL):
// - L, X, P: S's CAS moves the BUSY X left to PARKED (the orphan), or
//   fails on what N's Q and an H wrote since (S goes on as a live thread
//   would: a MAIL to the look before its take loop). Its next
//   G sees GONE (IDENT 0 comes before N exists): leavePark. H before it:
//   S's CAS takes the MAIL and requeues it; H after it: H sees BUSY and
//   queues. N before it: Q finds PARKED (parks on as if stored) or MAIL
//   (takes it); then S's CAS, or N's take loop's CAS, or a close's drain
//   (MAIL -> WOKEN) takes the MAIL, one of them: the others find it gone.
//   S's CAS of N's own PARKED (or WOKEN) to BUSY costs N one look at the
//   queue (the notify wakes it; its take loop then CASes BUSY to BUSY).
// - L, P, X: X moves S's PARKED (or a MAIL: requeued by R) to BUSY; S's G
//   finds BUSY, or what N and H wrote since, as above.
// - X before L: L sees GONE once IDENT is 0: nothing written.
// So a task handed to the record is taken once: by one CAS or exchange
// from MAIL (S's leavePark, R, N's or S's takeMail, a close), and the
// taker runs it or puts it back; none stays in a word no thread reads once
// S ran its last look. An orphan that S never takes back (S died between
// P and G: its stop, not a declared death) waits for the record's next
// thread, whose first park takes it. Left: S passes its last look (the one
// before the take loop) with IDENT still its own and stalls there through
// a whole reclaim, a thread start, N's park and H: its take loop then
// takes N's hand-off, names it in N's TAKE and TAG, sees its entry ended
// and gives the task back (_thread.ts); N's take loop finds BUSY. (If N
// named a take of its own in TAKE between S's takeMail and its give-back,
// a second stall of S, the give-back is not made: that task is lost.)

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
  R_TAG,
  R_TAKE,
  S_KIND,
  S_STATE,
  setPhase,
  shiftNext,
  tagOf,
} from "./_layout.ts";

export const BUSY = 0, PARKED = 1, WOKEN = 2, MAIL = 3;
/** park(): the record is no longer this thread's (see "GONE" above). */
export const GONE = -2;

/**
 * Hands slot `s` (written and QUEUED) to a parked pool thread, if one is.
 * @returns whether it was handed over (else the caller queues it).
 */
export function handOff(b: Block, s: number): boolean {
  const { v } = b;
  for (let w = 0; w < b.l.records; w++) {
    const at = b.record(w) + R_PARK;
    if (Atomics.load(v, at) !== PARKED) continue;
    // The CAS publishes the slot's words to the thread (its exchange).
    if (Atomics.compareExchange(v, at, PARKED, s + MAIL) === PARKED) {
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
 * GONE once `gone()` (see "GONE" above): nothing of the record written,
 * or, once this call moved the word off BUSY, `leave()` ran (_take.ts
 * leavePark: the word back to BUSY, a hand-off found there requeued).
 */
export function park(
  b: Block,
  w: number,
  deadline: number,
  recheck: () => boolean,
  onCancel: () => void,
  beforeSleep?: () => void,
  drain?: () => void,
  gone: () => boolean = () => false,
  leave: () => void = () => {},
  beforePark?: () => void,
): number {
  const { v } = b;
  const rec = b.record(w), at = rec + R_PARK;
  if (gone()) return GONE;
  beforePark?.(); // test-only (_hooks.ts stallBeforePark)
  // From BUSY, the value this thread left (see "Orphans" above): a MAIL
  // found instead is a hand-off to an orphaned PARKED, its task now.
  const was = Atomics.compareExchange(v, at, BUSY, PARKED);
  if (was < MAIL && !recheck()) {
    beforeSleep?.();
    if (gone()) return leave(), GONE; // (its push may have stalled)
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
      if (gone()) return leave(), GONE; // (leave passes the wake on)
      if (r === "timed-out") break;
    }
  }
  // (The drain's stretch: a reclaim may have come since the last look.)
  if (gone()) return leave(), GONE;
  // Leaves PARKED (or WOKEN) for BUSY; a slot handed over meanwhile is
  // taken here, named in the record first.
  for (;;) {
    const was = Atomics.load(v, at);
    if (was >= MAIL) {
      const s = takeMail(b, rec, was);
      if (s >= 0) return s;
    } else if (Atomics.compareExchange(v, at, was, BUSY) === was) return -1;
  }
}

/**
 * Takes the slot mailed to record `rec` (its PARK word read `was`, a
 * MAIL), named in the record before the take (_take.ts): R_TAG, then
 * R_TAKE, then the CAS that takes it. Returns the slot, or -1 when a
 * draining close or a reclaim took it back first (R_TAKE cleared again).
 * R_TAG is the task's: while its index is mailed, only the owner's cancel
 * (same tag) changes the slot.
 */
export function takeMail(b: Block, rec: number, was: number): number {
  const { v } = b;
  const s = was - MAIL;
  Atomics.store(v, rec + R_TAG, tagOf(Atomics.load(v, b.slot(s) + S_STATE)));
  Atomics.store(v, rec + R_TAKE, s + 1);
  if (Atomics.compareExchange(v, rec + R_PARK, was, BUSY) === was) return s;
  Atomics.store(v, rec + R_TAKE, 0);
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
    settleUnrun(b, was - MAIL, free, broken);
  }
}

/**
 * A queued task that will not run (taken from the task queue, or a hand-off
 * never taken): QUEUED is cancelled (`broken`: failed with
 * BrokenExecutorError) and pushed to its owner; a slot its owner cancelled
 * meanwhile (its index is ours now) is freed. The CAS from QUEUED decides
 * against a runner's or an owner's. A pool thread's record may still name
 * the task (a holder of TAKER taken over by this close whose R_TAG read and
 * R_TAKE store land after the takeover, or a takeMail whose R_TAKE store
 * came before this drain of its mail), and a later reclaim of that record
 * must find no match: its `tag|CANCELLED -> tag|FREE` (_take.ts takeNamed)
 * would free a slot that sits on its owner's stack. So the settle moves the
 * task to the next tag (an R_TAG read before it names the old one) and
 * marks a cancel with ABORT beside CANCELLED (an R_TAG read after it names
 * the new tag, and `tag|CANCELLED` still differs from the word by the
 * mark). Every exact compare against CANCELLED (takeNamed; the claim,
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
