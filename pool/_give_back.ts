// Copyright 2026 the threadkit authors. MIT license.
// Giving a taken task back, and a take across its record's reuse: a pool
// thread S declared dead (its entry ended: a scan would fail its tasks as
// its death, and a replacement serves the pool) that took an index before
// it saw that (_thread.ts), and the return of an index by the reclaim that
// took its name from a record (_take.ts step 3, a close's hand-back).
//
// Words (record: _layout.ts; values: _names.ts):
// | word   | values                                                    | written by |
// |--------|-----------------------------------------------------------|------------|
// | PARK   | ... MAIL(s, tag): slot s mailed, with its task's tag bits  | a hand-off (CAS from PARKED); the taker, a close's drain, a reclaim (CAS or exchange from it) |
// | R_TAKE | 0: no thread's; E(g): thread of generation g, no name;     | the thread: CAS only (E -> N, N -> E); a start, a take-back: E(g) (IDENT -1 / -ident; a start by CAS, never over H); a reclaim: CAS N -> H(N), store H'(N) after its re-tag, 0 when done (store also when it took the name's mail or found it at the head) |
// |        | N(g, s, t): E(g), the tag bits of t and s + 1: slot s, its task of tag t, named by that thread | |
// |        | H(N): N with generation 0 (held by the reclaim that took it); H'(N): H(N) with bit 31 (re-tagged) | |
// | STATE  | slot s's tag and phase (_layout.ts "Slot")                | CAS        |
//
// A take across a record's reuse. S, the record's thread (generation g),
// stalls anywhere in its take; the maintain's reclaim X of its record
// (step 1: PARK exchanged to NOBODY, a MAIL requeued and R_TAKE = 0; steps
// 2-3: R_TAKE exchanged to 0, a name returned, giveBackTaken), the free I
// (IDENT 0) and the start of the next thread N there (R_TAKE = E(g'),
// PARK its own value), a submit's hand-off H to N (PARKED -> MAIL(s', t'))
// and a close C (drainMail: MAIL -> WOKEN, settled unrun) come between.
// S's steps (takeMail; takeQueued under TAKER is the same with the get as
// T):
//   L  load PARK: MAIL(s, t)      A  load STATE: the tag (took.tag)
//   M  CAS R_TAKE E(g) -> N(g, s) (fails: GONE, nothing written)
//   T  CAS PARK MAIL(s, t) -> own (fails: CAS R_TAKE N(g, s) -> E(g))
//   then the claim (CAS STATE tag|QUEUED -> tag|RUNNING, then CAS R_TAKE
//   back to E(g)), or, declared dead, the give-back B: CAS R_TAKE
//   N(g, s) -> E(g); won: S requeues s; lost: the reclaim has it.
// Why S writes nothing on a reused record: X writes 0 to R_TAKE (each of
// its paths), N's start E(g'), and S's every write is a CAS from E(g) or
// N(g, s): once either came, they all fail (until generations repeat,
// _names.ts). So after X, M fails; and T, once M won before X, fails
// unless PARK holds MAIL(s, t) again: X took that value (requeued; R_TAKE
// 0); a later hand-off of slot s to N writes MAIL(s, t') with the task's
// new tag t' (the slot's next task: tag t + TAG at least), which differs
// (until K tasks of one slot, _names.ts).
// The cases park16 left (tests/pool/take_mail_test.ts), as interleavings:
// - case 5, ABA: S: L, A, M (its own record); X: MAIL(s, t) requeued; I;
//   N starts, runs s's task, the owner reuses slot s; H: MAIL(s, t') to N;
//   N: L, A, M (N(g', s)); S: T. Before, MAIL s was one value: S's T won
//   with the old tag in hand, N's T failed and cleared R_TAKE, and S's
//   give-back found neither its name nor its tag: the task was lost. Now
//   S's T fails (t' != t), its clear fails (R_TAKE is N's), it leaves
//   (GONE); N's T wins.
// - case 4, S's stores on N's record: S: L (before X); X; I; N starts; N
//   takes d from the queue (R_TAKE N(g', d)); S: A, M. Before, S's stores
//   (R_TAG, R_TAKE, then 0 at its failed T) replaced N's name, and N dying
//   between its get and its claim lost d. Now M fails: N's name stays,
//   and the reclaim of N's record returns d. (R_TAG is gone: the return
//   reads the tag from STATE, below.)
// - case 6, a failing take's late name: S stalled past its last look (its
//   record its own); X; I; N starts and parks; H: MAIL(c) to N; N: L; S:
//   L, A, M, T. Before, S took c (its stores on N's record), gave it back
//   as it was; N's late stores named c, its T failed, and a reclaim of N's
//   record put c in the queue a second time. Now S's M fails (N's E(g')),
//   and so does the late name of any thread whose record was reclaimed: N
//   declared dead in its stall after L: X' (N's record) takes MAIL(c) back
//   (R_TAKE 0) and requeues it; N's M fails. c is in the queue once.
// The give-back B (S declared dead, holding s, _thread.ts; and a holder's
// hand-back after a close's takeover, _take.ts handBack): S's name N(g, s)
// is in R_TAKE from its M until its claim, B, or a reclaim's exchange (X
// of S's own record: the record is not reused before X, and only X writes
// over a name). So B's CAS and X's exchange decide between them: B wins,
// S requeues s as it is (its tag read may be old; the index is S's alone,
// whatever task the slot holds); X wins, X returns s (giveBackTaken) and
// S writes nothing more. Who else returns s: nobody names it but S (its
// index is in no queue or PARK word while S holds it; a close's drain
// cannot reach it; the owner's cancel moves QUEUED -> CANCELLED, same tag,
// and both branches below take that).
// The return R (giveBackTaken, by the party that took the name): STATE
// read, its tag bits checked against the name's (not the named task: the
// slot went on since, not ours), then one CAS from tag|QUEUED (to the next
// tag, requeued: fences the taker's claim should it still run) or
// tag|CANCELLED (freed). The check is what makes a late read sound: a
// reclaim stalled between its exchange and its read while the taker
// claimed, ran, and its owner submitted the slot's next task (handed to
// another thread) read that task's QUEUED (tests/pool/reclaim_aba_test.ts).
// Up to the exchange a name names the index's current task: the named slot
// is held by the record's thread (or at the queue's head under its TAKER:
// step 2 decides, and step 3 runs under TAKER so that the thread cannot
// name the head between them), and only that thread (claim; its free of a
// cancel, which withdraws the name before the slot enters the free queue)
// and the owner (cancel) move its word. A drain's settle (a name of a mail
// the close took back, or of a head the close drained) moves it off
// QUEUED and marks a cancel (ABORT), so R matches neither branch.
// Deaths: S stopped from outside between T and B leaves its name: X finds
// it (step 3). S between B and its requeue: s is S's alone and lost (as a
// reclaim between its CAS and its put). N anywhere: the reclaim of N's
// record finds N's name (no stale store replaces it now). X between its
// take of the name and R: the name stays held in R_TAKE (takeHeld: no
// thread's generation; bit 31 once R re-tagged), no start reuses the
// record meanwhile (_start.ts), and the maintain that takes X's TAKER over
// once X is in the stop ring returns it (giveBackLeft, _take.ts holdFree).
// Cost per take that meets no stale thread: a load of STATE, the CAS of
// M, the take (T: one CAS; or the get), and the claim's CAS of R_TAKE:
// one atomic fewer than before (R_TAG's store is gone; two stores became
// CASes), plus a modulo to read a MAIL value.
// Left: generations repeat every 2^gb - 1 starts, a name's tag bits every
// 2^tb tasks of its slot, MAIL values every K tasks (_names.ts: 1023, 1024
// and about 2 million at the default maxQueue; 31, 32 and 2047 at the
// largest), as the tag does every 2^27: a thread or a reclaim stalled
// through that many in one step would pass its CAS or check.
import type { Queue } from "../queue/bounded.ts";
import {
  type Block,
  BROKEN,
  CANCELLED,
  FREE,
  QUEUED,
  R_TAKE,
  S_STATE,
  S_WENTRY,
  S_WIDENT,
  STATE,
  TAG,
  tagOf,
  unnamed,
} from "./_layout.ts";
import { settleUnrun, wakeParked } from "./_park.ts";
import { takeHeld, takeNameOf, takeTagIs } from "./_names.ts";

/**
 * S's give-back of index `s` it took (named in record `rec` from its own
 * empty value `empty`, _names.ts), once it saw itself declared dead: its
 * name withdrawn by one CAS, which decides against a reclaim's exchange of
 * R_TAKE. Won: the index is S's alone, whatever task its slot holds, and
 * goes back to the queue as it is (settled unrun after a shutdown). Lost:
 * the reclaim that took the name returns it (giveBackTaken); S writes
 * nothing.
 */
export function giveBack(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
  s: number,
  empty: number,
  tag: number,
): void {
  const name = takeNameOf(b.l.slots, empty, s, tag);
  if (Atomics.compareExchange(b.v, rec + R_TAKE, name, empty) === name) {
    requeue(b, tasks, free, s);
  }
}

/**
 * R, the return of index `s` by the party that took its name from a record
 * (a reclaim's exchange of R_TAKE, _take.ts step 3): by one CAS from the
 * slot's word as read now. QUEUED moves to the next tag (fencing the
 * taker's claim, should it still run) and the index goes back to the
 * queue; CANCELLED (its owner's) is freed; anything else was claimed or
 * settled (not ours). The read is the task the name names: while a name
 * of s is in a record, s is held by that record's thread (or at the
 * queue's head under its TAKER), and only that thread's claim, its free of
 * an owner's cancel and the owner's cancel move its word (see the top).
 */
export function giveBackTaken(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
  s: number,
  name: number,
  take?: number,
  read?: number,
): void {
  const { v } = b;
  const at = b.slot(s) + S_STATE;
  // `read`: the word as read before the name was taken (_take.ts
  // reclaimNamed); else read now (a stopped reclaim's held name).
  const was = read ?? Atomics.load(v, at), tag = tagOf(was);
  // Not the named task (the reclaim stalled after its exchange while the
  // slot went on to its next task): not ours.
  if (!takeTagIs(b.l.slots, name, was)) return;
  if (
    Atomics.compareExchange(v, at, tag | QUEUED, (tag + TAG) | QUEUED) ===
      (tag | QUEUED)
  ) {
    // Re-tagged: said in the held name (R_TAKE word `take`), for a reclaim
    // that finds it left there (giveBackLeft).
    if (take !== undefined) {
      Atomics.store(v, take, takeHeld(b.l.slots, name, true));
    }
    requeue(b, tasks, free, s); // unnamed under the new tag first
  } else if (
    Atomics.compareExchange(v, at, tag | CANCELLED, tag | FREE) ===
      (tag | CANCELLED)
  ) free.put(s);
}

/**
 * The return of index `s` whose held name `word` (takeHeld) a reclaim left
 * in R_TAKE word `take` when it stopped (its TAKER taken over, _take.ts
 * holdFree; the caller holds TAKER now). Not re-tagged (bit 31 clear): as
 * giveBackTaken (the tag check decides). Re-tagged: the task is at the
 * name's tag plus one step, moved by nobody else since (the index was that
 * reclaim's alone, its queue's consumers stopped by TAKER); it goes back
 * unless `inQueue` finds the put made.
 */
export function giveBackLeft(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
  s: number,
  word: number,
  take: number,
  inQueue: (s: number) => boolean,
): void {
  if (word >= 0) return giveBackTaken(b, tasks, free, s, word, take);
  const { v } = b;
  const at = b.slot(s) + S_STATE;
  const was = Atomics.load(v, at), tag = tagOf(was);
  if (!takeTagIs(b.l.slots, word, was - TAG) || inQueue(s)) return;
  if ((was & ~tag) === QUEUED) requeue(b, tasks, free, s);
  else if (
    Atomics.compareExchange(v, at, tag | CANCELLED, tag | FREE) ===
      (tag | CANCELLED)
  ) free.put(s);
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
  // Its next runner names itself by CAS from the task's unnamed value
  // under the tag it carries now (_thread.ts "NAME"): stored before the put,
  // atomically (a stale taker's CAS may race it; a cold path).
  const base = b.slot(s);
  const none = unnamed(Atomics.load(b.v, base + S_STATE));
  Atomics.store(b.v, base + S_WIDENT, none);
  Atomics.store(b.v, base + S_WENTRY, none);
  try {
    tasks.put(s); // never full: it holds every slot
    wakeParked(b, false);
    return;
  } catch {
    // Shut down.
  }
  settleUnrun(b, s, free, Atomics.load(b.v, STATE) === BROKEN);
}
