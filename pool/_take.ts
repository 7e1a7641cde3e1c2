// Copyright 2026 the threadkit authors. MIT license.
// Taking a task so that a pool thread that dies at any point leaves it
// findable. A slot index leaves the task queue (a get) or a PARK word (a
// hand-off, _park.ts) into one thread's hands; a thread that died there,
// before naming itself in the slot (WIDENT), stranded the task: QUEUED,
// its index in no queue and no PARK word, and no scan could tell whose it
// was. Now the thread names the task in its own record before it takes it
// (R_TAKE), and the reclaim of a dead thread's record (Pool.maintain,
// _pool.ts) finds it there.
//
// Words (Int32Array of the executor block, _layout.ts):
// | word           | name   | values                                          | written by                        |
// |----------------|--------|-------------------------------------------------|-----------------------------------|
// | header 16      | TAKER  | 0 free; the ident of the one pool thread taking from the task queue; minus the ident of the thread running a reclaim or a draining close (reclaiming()) | CAS by takers, reclaim, close; taken over from a stopped holder |
// | record + 3     | R_TAKE | the thread's generation and s + 1: slot s is being taken or is held unclaimed by the record's thread; its generation alone: none; 0: no thread's; a held name: a reclaim returns that index (_names.ts takeHeld) | the thread (CAS only, from its own generation's values); a start (CAS, never over a held name), a take-back (its empty value); a reclaim (CAS to held, store held and re-tagged, store 0) |
//
// A take (the record's thread, ident I):
// - from the queue: CAS TAKER 0 -> I (one consumer at a time: no other
//   thread removes an index meanwhile); read the index at the queue's head
//   without removing it (peek); its tag (took); CAS R_TAKE empty -> name
//   (fails: the record is not its own any more, _give_back.ts: nothing
//   taken, STOLEN); the get (it returns s: nobody else takes); CAS TAKER
//   I -> 0.
// - from its PARK word: load MAIL s; its tag; CAS R_TAKE empty -> name
//   (fails: GONE); CAS PARK MAIL s -> its own value (fails: a draining
//   close or a reclaim took it back; CAS R_TAKE back to empty).
// - the claim (_thread.ts "NAME"): CAS WENTRY, WIDENT from the task's
//   unnamed value (a requeue stores it first), CAS STATE tag|QUEUED ->
//   tag|RUNNING, then CAS R_TAKE back to empty. From the claim on, the
//   owner's scan sees a dead runner (RUNNING with a dead WIDENT, _owner.ts).
// The tag is read while the index is at the queue's head or in the PARK
// word: then nothing but the owner's cancel (QUEUED -> CANCELLED, same
// tag) changes the slot, so it is the tag of the index's task; the taker
// keeps it (took, _park.ts) for its claim. A reclaim reads it from STATE
// once it took the name (_give_back.ts giveBackTaken: while a name is in
// the record, the slot's word is the named task's).
//
// The reclaim of the record of a thread that died (maintain, any thread, any
// number at once), in this order, all of it under TAKER (taken over from
// the dead thread in step 2, else CAS 0 -> -1; held by another: the record
// waits for a later maintain), so that two reclaims of one record never
// interleave:
// 1. PARK: exchange to NOBODY; a MAIL found there was never taken: back to
//    the queue (R_TAKE named it at most: cleared, and step 3 skipped).
//    Under TAKER: a second reclaim that ran between this exchange and the
//    clear would find the thread's name of that mail in R_TAKE (step 3)
//    and return the index as well (tests/pool/reclaim_twice_test.ts).
// 2. TAKER still names the dead thread: taken over (CAS to -1; one reclaim
//    wins, the others leave the record for a later maintain) only once
//    that thread stopped (the stop ring, as a lock's holder: an ended
//    thread may still run, and gives TAKER back itself within a few
//    stores; until then the record waits). Nobody else takes from the
//    queue now, and the dead thread took at most the index R_TAKE names: it
//    took it iff that index is no longer at the head (the dead thread's own
//    get is the only way it left: an index is in the queue at most once).
//    Not taken: R_TAKE = 0. TAKER back to 0 after 3.
// 3. Under TAKER (as step 1), R_TAKE (a CAS to the name held, then 0 once
//    the index is back: one reclaim gets it, and every later write of the
//    thread fails) names slot s, taken and perhaps
//    claimed: STATE read, its tag t checked against the name's tag bits,
//    then CAS t|QUEUED -> (t + TAG)|QUEUED (unclaimed:
//    the index is ours; the new tag fences the dead thread's claim, should
//    it still run), then back to the queue; or CAS t|CANCELLED -> t|FREE
//    (cancelled while held: freed here); anything else was claimed (the
//    scan's) or settled. (_give_back.ts giveBackTaken; a declared-dead
//    thread's give-back of its take is a CAS of its name against this
//    CAS, giveBack.)
// Why each task is taken, run and settled once: an index is held by one
// party at a time (the queue, a PARK word, a thread, a reclaim); every hand
// over between them is one CAS or exchange (TAKER decides the queue's head,
// PARK the mail, R_TAKE the record, STATE the claim), so the thread's claim
// and a reclaim's re-tag cannot both win, and the index the reclaim puts
// back is the only one. A thread declared dead that still runs (an ended
// entry is not a stopped thread, _layout.ts "TAG") keeps TAKER until it
// gives it back (step 2 waits for a stop), and loses its claim to the
// re-tag of step 3; it leaves the pool when it sees its entry ended.
// A release of TAKER (takeQueued, step 2) wakes a parked pool thread when
// the queue is not empty: a park whose recheck found TAKER held sleeps.
// A draining close (holdTaker) does not wait for a stop: it takes TAKER
// over from a holder whose entry has ended (the thread table), which may
// have stopped without a record (together with its starter) or may still
// run, and keeps it through steps 1-3 and its drain. A holder that still
// runs finds its release CAS failed (STOLEN) and hands back the index its
// get took, if any (handBack): an index the close's drain took first is
// not there for its get; for the one its record names, the close's step 2
// leaves a name of the head to the holder (its get may still come) and
// takes one of an index gone from the head (step 3, returned by the
// close): the holder's hand-back is a CAS of its name against that
// exchange (one wins: the index goes back once); any other index its get
// took is its alone. So no index is dropped or put back twice, and no
// clock decides. A holder stalled between its peek and its name finds
// R_TAKE 0 after the close's steps (its CAS fails: nothing named). A name
// left of a head the drain settled: the settle (settleUnrun, _park.ts)
// moves the task to the next tag and marks it (CANCELLED | ABORT), so a
// later reclaim's step 3 matches neither branch (the same for a takeMail
// whose name came before a drain of its mail; tests/pool/
// take_residual_test.ts).
// A reclaim or a close that stops while it holds TAKER (minus its ident)
// is taken over once the stop ring has it (holdFree; any maintain looks,
// freeTaker): a name it had taken is left held in R_TAKE (takeHeld, from
// its CAS of the name to the re-tag's mark and the requeue) and returned
// by the taker-over (tests/pool/reclaim_death_test.ts). Left: a reclaim
// that stops between its exchange of PARK and its requeue of the mail
// (step 1), between its re-tag's CAS and the mark after it, or between
// its free of a cancelled slot and the put (one slot fewer).
// The peek: _task_view.ts.
import type { Queue } from "../queue/bounded.ts";
import { currentIdent, identStopped } from "../_core/runtime.ts";
import { waitSync } from "../_core/wait.ts";
import {
  type Block,
  R_PARK,
  R_TAKE,
  S_STATE,
  tagOf,
  TAKER,
} from "./_layout.ts";
import { MAIL, NOBODY, took, wakeParked, WOKEN } from "./_park.ts";
import {
  giveBack,
  giveBackLeft,
  giveBackTaken,
  requeue,
} from "./_give_back.ts";
import {
  mailSlot,
  takeHeld,
  takeIsHeld,
  takeName,
  takeNameOf,
} from "./_names.ts";

import {
  EMPTY_Q,
  peek,
  queued,
  SHUT_Q,
  type TaskView,
  taskView,
} from "./_task_view.ts";
export { EMPTY_Q, peek, SHUT_Q, type TaskView, taskView };
/** takeQueued: another pool thread is taking; look again soon. */
export const BUSY_Q = -3;
/** takeQueued: a reclaim took TAKER over (this thread was declared dead). */
export const STOLEN = -4;
/**
 * TAKER held by a reclaim or a draining close: minus the ident of the
 * thread that runs it, so that one that stopped holding it is known
 * (holdFree).
 */
export function reclaiming(): number {
  return -currentIdent();
}

/**
 * Takes the next index from the task queue for the thread `ident` of
 * record `rec` (its empty R_TAKE value `empty`, _names.ts), named in the
 * record before it leaves the queue (see the top of this file). Returns
 * the slot, or EMPTY_Q, SHUT_Q, BUSY_Q, STOLEN.
 */
export function takeQueued(
  b: Block,
  q: TaskView,
  tasks: Queue<number>,
  rec: number,
  ident: number,
  free: Queue<number>,
  empty: number,
): number {
  const { v } = b;
  if (Atomics.compareExchange(v, TAKER, 0, ident) !== 0) return BUSY_Q;
  let s = EMPTY_Q, x = -1, ours = false, gone = false;
  try {
    s = peek(q);
    if (s >= 0) {
      const word = took.word = Atomics.load(v, b.slot(s) + S_STATE);
      const tag = took.tag = tagOf(word);
      const name = takeNameOf(b.l.slots, empty, s, tag);
      // From its own empty value: fails once the record is not its own
      // (reclaimed: 0; the next thread's: its generation), and then it
      // names and takes nothing (_names.ts).
      gone = Atomics.compareExchange(v, rec + R_TAKE, empty, name) !== empty;
      // Still ours? A draining close may have taken TAKER over since our
      // CAS (holdTaker): then nothing is taken and the name is withdrawn.
      // Why no stale name survives: all Atomics are sequentially
      // consistent; if this load sees our ident, the takeover's CAS comes
      // after it, so its reclaim (reclaimHeld) reads R_TAKE after our name
      // and decides for s (at the head: left to our get and hand-back;
      // gone: re-tagged); if it does not, the withdrawal (a CAS: a reclaim
      // may have taken the name) keeps a later reclaim off a slot the drain
      // settles. One load of a word this thread has just written.
      if (gone) s = EMPTY_Q;
      else if (Atomics.load(v, TAKER) !== ident) {
        Atomics.compareExchange(v, rec + R_TAKE, name, empty);
        s = EMPTY_Q;
      } else {
        try {
          x = tasks.getNowait(); // s: the only consumer (TAKER)
        } catch (error) {
          Atomics.compareExchange(v, rec + R_TAKE, name, empty); // none
          throw error;
        }
      }
    }
  } finally {
    // Given back whatever happened: a throw must not leave it held.
    ours = Atomics.compareExchange(v, TAKER, ident, 0) === ident;
  }
  // Taken over: by a reclaim only from a holder that stopped, by a draining
  // close from one that ended (holdTaker). An index our get took is handed
  // back (handBack); then leave.
  if (!ours) {
    if (x >= 0) handBack(b, tasks, free, rec, s, x, empty);
    return STOLEN;
  }
  if (gone) {
    if (tasks.qsize() > 0) wakeParked(b, false); // as below
    return STOLEN;
  }
  if (s < 0) return s;
  if (x !== s) {
    throw new RangeError(
      `Cannot take task: the task queue's head was slot ${s} and the get returned ${x} (corrupt shared memory)`,
    );
  }
  // Why no lost wakeup: a pool thread whose park recheck found TAKER held
  // (and the queue not empty) sleeps; it stored PARKED before that load,
  // and this release comes before these loads, so either it saw TAKER free
  // (and did not sleep) or this sees it PARKED and wakes it for the rest.
  if (tasks.qsize() > 0) wakeParked(b, false);
  return s;
}

/**
 * The reclaim of record `rec`, whose thread `dead` ended (steps 1-3 at the
 * top of this file). False when the thread holds TAKER and has not stopped
 * (a draining close takes it over all the same, holdTaker), or another
 * reclaim or a close holds TAKER, or a pool thread's take held it past
 * TAKER_POLLS slices, with the record's task maybe still named:
 * the record must stay (a later maintain finishes), not be freed for a new
 * thread.
 */
export function reclaimTake(
  b: Block,
  q: TaskView,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
  dead: number,
): boolean {
  const { v } = b;
  // 2. It died holding TAKER: did its get happen?
  let taker = Atomics.load(v, TAKER);
  if (taker === dead) {
    // A lock: taken over only from a holder that stopped (the stop ring,
    // as sync/_holder.ts does). An ended thread may still run (an ended
    // entry is not a stopped thread): it gives TAKER back itself within a
    // few stores; its record waits for a later maintain.
    if (identStopped(dead) === undefined) return false;
    if (Atomics.compareExchange(v, TAKER, dead, reclaiming()) !== dead) {
      return false;
    }
    try {
      const mailed = takeBackMail(b, tasks, free, rec);
      reclaimHeld(b, q, tasks, free, rec, mailed, false);
    } finally {
      Atomics.store(v, TAKER, 0);
      if (tasks.qsize() > 0) wakeParked(b, false);
    }
    return true;
  }
  // Steps 1 and 3 under TAKER. Step 3: the thread (declared dead, it may
  // still run) could otherwise take TAKER after the look above and name
  // the queue's head before the exchange below, which would requeue an
  // index still at the head. Step 1: two reclaims of one record (any
  // thread's maintain, a draining close) would otherwise split a mail the
  // thread named and had not taken: one exchanges PARK (the index is its
  // to requeue), the other, before the first clears R_TAKE, exchanges the
  // name and returns the index too (tests/pool/reclaim_twice_test.ts).
  // Held by a pool thread's take (a few loads and stores): polled a little
  // (nothing notifies); by another reclaim or a close, or still held: the
  // record waits for a later maintain.
  for (let i = 0; taker > 0 && i < TAKER_POLLS; i++) {
    waitSync(v, TAKER, taker, performance.now() + 0.05, undefined, false);
    taker = Atomics.load(v, TAKER);
  }
  if (!holdFree(b, tasks, free)) return false;
  try {
    // A mail taken back: R_TAKE named it at most (cleared; step 3 skipped).
    if (!takeBackMail(b, tasks, free, rec)) {
      reclaimNamed(b, tasks, free, rec, false);
    }
  } finally {
    Atomics.store(v, TAKER, 0);
    if (tasks.qsize() > 0) wakeParked(b, false);
  }
  return true;
}

// reclaimTake: how many 0.05 ms slices it waits for a pool thread's take
// to give TAKER back.
const TAKER_POLLS = 20;

// 1. A hand-off it never took. The thread was parked, not taking: R_TAKE
// names that mail at most (its own store just before the CAS that lost),
// so step 3 is not for it (it would put the index back a second time).
// The word goes to NOBODY: no thread's own value, so the thread, should it
// still run, fails its next park's CAS and writes the word no more
// (_park.ts "GONE"). Every waiter there is woken (it looks, finds the word
// not PARKED, and leaves), and a WOKEN found is passed on to another
// parked thread: the put that wrote it woke nobody else.
export function takeBackMail(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
): boolean {
  const { v } = b, at = rec + R_PARK;
  const was = Atomics.exchange(v, at, NOBODY);
  if (was > 0) Atomics.notify(v, at); // PARKED, WOKEN or MAIL
  if (was === WOKEN) wakeParked(b, false);
  if (was < MAIL) return false;
  Atomics.store(v, rec + R_TAKE, 0);
  requeue(b, tasks, free, mailSlot(b.l.slots, was));
  return true;
}

/**
 * A start on record `rec` (claimed: IDENT -1, _start.ts): what its PARK
 * word holds is taken as step 1 takes it, before the new thread's own
 * value is stored. A free record's word holds NOBODY or the own value of
 * a thread that left (_park.ts "PARK word"); a MAIL there would have no
 * taker (none is made: PARKED is only stored by a CAS from the thread's
 * own value), so one is put back all the same rather than overwritten.
 */
export function clearPark(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
): void {
  takeBackMail(b, tasks, free, rec);
}

// Steps 2 (the get: did it happen?) and 3, for a caller that took TAKER
// over from the record's thread (it holds TAKER; the caller releases it).
// `runs`: the holder may still run (holdTaker): a name of the head is left
// to it (its get may still take that index; its hand-back withdraws the
// name, handBack), and the drain settles the index if its get does not.
export function reclaimHeld(
  b: Block,
  q: TaskView,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
  mailed: boolean,
  runs: boolean,
): void {
  const { v } = b;
  const t = takeName(b.l.slots, Atomics.load(v, rec + R_TAKE));
  if (t > 0 && peek(q) === t - 1) {
    if (runs) return;
    Atomics.store(v, rec + R_TAKE, 0);
  }
  reclaimNamed(b, tasks, free, rec, mailed);
}

// 3. A task it took and did not claim.
function reclaimNamed(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
  mailed: boolean,
): void {
  if (mailed) return;
  const { v } = b, at = rec + R_TAKE, { slots } = b.l;
  // The name taken: R_TAKE keeps it as held (no thread's generation: every
  // later write of the thread fails) until the index is back, so that a
  // reclaim that stops on the way leaves it findable; 0 once done.
  // The slot's word is read after the name's load and before the CAS that
  // takes it: with the name in R_TAKE at both, it is the named task's (or
  // a claim's since, which no branch of the return matches), and a stall
  // after the CAS no longer matters: the return CASes from that whole word
  // (_give_back.ts giveBackTaken "was").
  let word = Atomics.load(v, at), w0 = 0;
  for (;;) {
    const n = takeName(slots, word);
    if (n > 0) w0 = Atomics.load(v, b.slot(n - 1) + S_STATE);
    const to = n > 0 ? takeHeld(slots, word, word < 0) : 0;
    const was = Atomics.compareExchange(v, at, word, to);
    if (was === word) break;
    word = was;
  }
  const t = takeName(slots, word);
  if (t > 0) {
    // Held already: left by a reclaim that stopped (its TAKER taken over,
    // holdFree).
    if (takeIsHeld(slots, word)) {
      giveBackLeft(b, tasks, free, t - 1, word, at, (s) => queued(tasks, s));
    } else giveBackTaken(b, tasks, free, t - 1, word, at, w0);
  }
  Atomics.store(v, at, 0);
}

/**
 * TAKER for a reclaim or a close: CAS 0 -> reclaiming(), or taken over
 * from a reclaim or a close that stopped while it held it (the stop ring:
 * it runs no more JavaScript); the name it had taken, left held in a
 * record (its thread may have left the record since, which no start
 * reuses while it holds a held name, _start.ts), is returned here
 * (giveBackLeft). False: held by another.
 */
export function holdFree(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
): boolean {
  const { v } = b, me = reclaiming();
  const t = Atomics.compareExchange(v, TAKER, 0, me);
  if (t === 0) return true;
  if (t >= 0 || t === me || identStopped(-t) === undefined) return false;
  if (Atomics.compareExchange(v, TAKER, t, me) !== t) return false;
  for (let w = 0; w < b.l.records; w++) {
    const at = b.record(w) + R_TAKE, word = Atomics.load(v, at);
    if (!takeIsHeld(b.l.slots, word)) continue;
    const s = takeName(b.l.slots, word) - 1;
    giveBackLeft(b, tasks, free, s, word, at, (x) => queued(tasks, x));
    Atomics.store(v, at, 0);
  }
  return true;
}

// The index `x` that this thread's get took after TAKER was taken over from
// it (a draining close, holdTaker: its entry ended while it still ran),
// given back once. `s` is the index its peek saw and its record names
// (R_TAKE). x !== s: the close's drain took s first (its name withdrawn);
// x is in no record and no queue, ours alone: back to the queue (settled
// unrun once the queue is shut, requeue). x === s: the taker-over's
// reclaim took the name (step 3: it saw s gone from the head, and returns
// it) or left it (s still at the head then); the CAS of the name decides
// (_give_back.ts giveBack): won, the index is ours to put back as it is;
// lost, the reclaim has it. Only this branch of takeQueued runs it: no
// cost on a take.
function handBack(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
  s: number,
  x: number,
  empty: number,
): void {
  const tag = took.tag; // its peek's read of s
  if (x === s) return giveBack(b, tasks, free, rec, s, empty, tag);
  const name = takeNameOf(b.l.slots, empty, s, tag);
  Atomics.compareExchange(b.v, rec + R_TAKE, name, empty);
  requeue(b, tasks, free, x);
}

/**
 * A maintain's look at TAKER: held by a reclaim or a close that stopped,
 * it is taken over (holdFree returns what that one held) and given back.
 */
export function freeTaker(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
): void {
  if (Atomics.load(b.v, TAKER) >= 0 || !holdFree(b, tasks, free)) return;
  Atomics.store(b.v, TAKER, 0);
  if (tasks.qsize() > 0) wakeParked(b, false);
}
