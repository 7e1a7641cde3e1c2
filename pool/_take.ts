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
// | header 16      | TAKER  | 0 free; the ident of the one pool thread taking from the task queue; -1 a reclaim or a draining close | CAS by takers, reclaim, close |
// | record + 3     | R_TAKE | the thread's generation and s + 1: slot s is being taken or is held unclaimed by the record's thread; its generation alone: none; 0: no thread's (_names.ts) | the thread (CAS only, from its own generation's values); a start, a take-back (its empty value); a reclaim (exchange, store 0) |
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
// - the claim (_thread.ts): WENTRY, WIDENT, CAS STATE tag|QUEUED ->
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
// number at once), in this order:
// 1. PARK: exchange to NOBODY; a MAIL found there was never taken: back to
//    the queue (R_TAKE named it at most: cleared, and step 3 skipped).
// 2. TAKER still names the dead thread: taken over (CAS to -1; one reclaim
//    wins, the others leave the record for a later maintain) only once
//    that thread stopped (the stop ring, as a lock's holder: an ended
//    thread may still run, and gives TAKER back itself within a few
//    stores; until then the record waits). Nobody else takes from the
//    queue now, and the dead thread took at most the index R_TAKE names: it
//    took it iff that index is no longer at the head (the dead thread's own
//    get is the only way it left: an index is in the queue at most once).
//    Not taken: R_TAKE = 0. TAKER back to 0 after 3.
// 3. Under TAKER (CAS 0 -> -1, or held since step 2; held by another: the
//    record waits), R_TAKE (exchange to 0: one reclaim gets it, and every
//    later write of the thread fails) names slot s, taken and perhaps
//    claimed: STATE read, its tag t checked against the name's tag bits,
//    then CAS t|QUEUED -> (t + TAG)|QUEUED (unclaimed:
//    the index is ours; the new tag fences the dead thread's claim, should
//    it still run), then back to the queue; or CAS t|CANCELLED -> t|FREE
//    (cancelled while held: freed here); anything else was claimed (the
//    scan's) or settled. (_give_back.ts giveBackTaken; a declared-dead
//    thread's give-back of its take is a CAS of its name against this
//    exchange, giveBack.)
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
// A reclaim or close that dies while it holds TAKER (-1) stops every take
// from the queue (hand-offs go on); an owner thread that dies inside its
// maintain or close is not covered here.
// The peek reads the int32 ring of queue/_ring.ts in place (its header's
// HEAD, TAIL and SHUTDOWN words, DATA[p % capacity]); tests/pool/
// take_test.ts pins it to getNowait across the ring's wrap.
import type { Queue } from "../queue/bounded.ts";
import { TO_DESCRIPTOR } from "../_core/transfer.ts";
import {
  CAPACITY,
  HEAD,
  HEADER_BYTES,
  HEADER_WORDS,
  OPEN as Q_OPEN,
  SHUTDOWN as Q_SHUTDOWN,
  TAIL,
} from "../queue/_layout.ts";
import { POSITION } from "../queue/_turn.ts";
import { entryAlive, identStopped } from "../_core/runtime.ts";
import { waitSync } from "../_core/wait.ts";
import {
  type Block,
  R_ENTRY,
  R_IDENT,
  R_PARK,
  R_TAKE,
  S_STATE,
  tagOf,
  TAKER,
} from "./_layout.ts";
import { MAIL, NOBODY, took, wakeParked, WOKEN } from "./_park.ts";
import { giveBack, giveBackTaken, requeue } from "./_give_back.ts";
import { mailSlot, takeName, takeNameOf } from "./_names.ts";
import { strandedTaker } from "./_taker.ts";

/** takeQueued: the queue is empty (and open: more may come). */
export const EMPTY_Q = -1;
/** takeQueued: the queue is shut down and empty (no item comes any more). */
export const SHUT_Q = -2;
/** takeQueued: another pool thread is taking; look again soon. */
export const BUSY_Q = -3;
/** takeQueued: a reclaim took TAKER over (this thread was declared dead). */
export const STOLEN = -4;
/** TAKER held by a reclaim or a draining close. */
const RECLAIMING = -1;

/** The task queue's ring, read in place (peek; _ring.ts layout). */
export interface TaskView {
  readonly h: Int32Array;
  readonly data: Int32Array;
  readonly cap: number;
}

const views = new WeakMap<Queue<number>, TaskView>();

/** The view of the task queue's ring (a bounded int32 FIFO Queue). */
export function taskView(tasks: Queue<number>): TaskView {
  let q = views.get(tasks);
  if (q === undefined) {
    const d = tasks[TO_DESCRIPTOR]();
    const at = d.byteOffset as number;
    const buffer = d.buffer as SharedArrayBuffer;
    const h = new Int32Array(buffer, at, HEADER_WORDS);
    const cap = h[CAPACITY];
    q = { h, data: new Int32Array(buffer, at + HEADER_BYTES, cap), cap };
    views.set(tasks, q);
  }
  return q;
}

/**
 * The index at the queue's head, without taking it; EMPTY_Q or SHUT_Q.
 * Meaningful for a caller that holds TAKER (no other consumer moves HEAD).
 * Why the read is sound: HEAD is loaded first, then TAIL; TAIL > HEAD means
 * the position was published (the release of TAIL, an Atomics write, after
 * the slot's store), and it is not overwritten before HEAD passes it.
 * SHUTDOWN is read before both: shut down, then empty, stays empty
 * (_get.ts: a put never lands after SHUTDOWN shows).
 */
export function peek(q: TaskView): number {
  const shut = Atomics.load(q.h, Q_SHUTDOWN) !== Q_OPEN;
  const head = Atomics.load(q.h, HEAD) & POSITION;
  const tail = Atomics.load(q.h, TAIL) & POSITION;
  if (head === tail) return shut ? SHUT_Q : EMPTY_Q;
  return q.data[head % q.cap];
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
      const tag = took.tag = tagOf(Atomics.load(v, b.slot(s) + S_STATE));
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
 * reclaim or a close holds TAKER with the record's task maybe still named:
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
  const mailed = takeBackMail(b, tasks, free, rec);
  // 2. It died holding TAKER: did its get happen?
  const taker = Atomics.load(v, TAKER);
  if (taker === dead) {
    // A lock: taken over only from a holder that stopped (the stop ring,
    // as sync/_holder.ts does). An ended thread may still run (an ended
    // entry is not a stopped thread): it gives TAKER back itself within a
    // few stores; its record waits for a later maintain.
    if (identStopped(dead) === undefined) return false;
    if (Atomics.compareExchange(v, TAKER, dead, RECLAIMING) !== dead) {
      return false;
    }
    try {
      reclaimHeld(b, q, tasks, free, rec, mailed, false);
    } finally {
      Atomics.store(v, TAKER, 0);
      if (tasks.qsize() > 0) wakeParked(b, false);
    }
    return true;
  }
  // Step 1 took a mail back: R_TAKE is 0 (its thread names nothing now).
  if (mailed) return true;
  // Step 3 under TAKER: the thread (declared dead, it may still run) could
  // otherwise take TAKER after the look above and name the queue's head
  // before the exchange below, which would requeue an index still at the
  // head. Held by another: the record waits for a later maintain.
  if (Atomics.compareExchange(v, TAKER, 0, RECLAIMING) !== 0) return false;
  try {
    reclaimNamed(b, tasks, free, rec, false);
  } finally {
    Atomics.store(v, TAKER, 0);
    if (tasks.qsize() > 0) wakeParked(b, false);
  }
  return true;
}

// 1. A hand-off it never took. The thread was parked, not taking: R_TAKE
// names that mail at most (its own store just before the CAS that lost),
// so step 3 is not for it (it would put the index back a second time).
// The word goes to NOBODY: no thread's own value, so the thread, should it
// still run, fails its next park's CAS and writes the word no more
// (_park.ts "GONE"). Every waiter there is woken (it looks, finds the word
// not PARKED, and leaves), and a WOKEN found is passed on to another
// parked thread: the put that wrote it woke nobody else.
function takeBackMail(
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
function reclaimHeld(
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
  const { v } = b;
  const word = mailed ? 0 : Atomics.exchange(v, rec + R_TAKE, 0);
  const t = takeName(b.l.slots, word);
  if (t > 0) giveBackTaken(b, tasks, free, t - 1, word);
}

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
    const t = Atomics.compareExchange(v, TAKER, 0, RECLAIMING);
    if (t === 0) return;
    if (t > 0) {
      // Stopped with no record (_taker.ts): it holds nothing.
      if (strandedTaker(b, t)) {
        if (Atomics.compareExchange(v, TAKER, t, RECLAIMING) === t) return;
        continue;
      }
      for (let w = 0; w < b.l.records; w++) {
        const rec = b.record(w);
        if (
          Atomics.load(v, rec + R_IDENT) !== t ||
          entryAlive(v[rec + R_ENTRY], t)
        ) continue;
        // Ended: taken over (one CAS, against its own release).
        if (Atomics.compareExchange(v, TAKER, t, RECLAIMING) !== t) break;
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

/** Gives TAKER back after holdTaker. */
export function releaseTaker(b: Block): void {
  Atomics.store(b.v, TAKER, 0);
}
