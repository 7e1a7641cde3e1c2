// Copyright 2026 the threadkit authors. MIT license.
// The executor's shared block: header, pool-thread records, one completion
// stack head per thread-table entry, the task slots, the target table and
// each slot's payload bytes. Both sides use it: the submitting threads
// (executor.ts, _owner.ts) and the pool threads (_thread.ts).
//
// Executor block: one SharedArrayBuffer, Int32Array view `v`.
// | words                 | name     | values                                   | written by                 |
// |-----------------------|----------|------------------------------------------|----------------------------|
// | 0                     | MAGIC    | 0x74706f6c                               | constructor                |
// | 1                     | SLOTS    | number of task slots                     | constructor                |
// | 2                     | BYTES    | payload bytes per slot (taskBytes)       | constructor                |
// | 3                     | WORKERS  | maxWorkers                               | constructor                |
// | 4                     | STATE    | OPEN 0, SHUTDOWN 1, BROKEN 2             | shutdown, a failed init    |
// | 5                     | LIVE     | pool-thread records in use               | starters, exits, the scan  |
// | 6                     | TOP      | bytes used in the target table           | CAS by registering threads |
// | 7                     | NAMES    | counter for pool thread names            | Atomics.add by starters    |
// | 8                     | NEED     | 1: a thread other than home wants threads | submitters, owners' scans |
// | 9                     | ID       | unique in the process: a shared-heap offset | constructor              |
// | 10                    | HIDENT   | the home thread's ident (it starts pool threads) | constructor          |
// | 11                    | HENTRY   | the home thread's table entry            | constructor                |
// | 12                    | GATED    | submits inside the shared gate (their entry's gate word was taken, _close.ts) | add/sub by submitters |
// | 13                    | STALES   | records whose thread is stale: in its last task, taking no more (READY STALE_MARK, _stale.ts) | add by home's mark, sub by whoever moves READY off STALE_MARK |
// | 14-15                 | IDS      | the next registered shared buffer's number, a 64-bit word (_shared.ts, _mesh.ts; never repeats) | Atomics.add (BigInt64Array) by home and holders |
// | 16                    | TAKER    | the pool thread taking from the task queue (its ident), -1 a reclaim or close, 0 none (_take.ts) | CAS by takers |
// | 32 + 8 w              | record w (2 maxWorkers of them: a stale thread's replacement takes a second, _stale.ts) | IDENT (0 free, -1 starting, < -1 its thread -ident taking it back, > 0 ident), ENTRY, PARK (_park.ts, _names.ts), TAKE (_take.ts, _names.ts), INIT (the start's own PARK value, stored while IDENT reads -1; 1 by the thread's CAS from it once its initializer returned: a stopped thread's record below 0 stopped in it, and the pool breaks, _pool.ts maintain), READY (1 while the thread runs no task: from its start, and from each task's end to the next claim; in a task its value, below 0, _stale.ts; STALE_MARK), DRAIN (posts made to its port that it has not read, _shared.ts), GEN (_mesh.ts) | see "Records" |
// | HEADS + e             | head e   | completion stack of thread entry e (EMPTY -1) | CAS push, exchange pop |
// | GATES + e             | gate e   | ident of entry e's thread while it is between a submit's STATE check and its hand-off or queue put; 0 otherwise (_close.ts) | that thread |
// | SLOTS_AT + 16 s       | slot s   | see "Slot"                               |                            |
// | TARGETS_AT / 4        | targets  | [byte length, UTF-8 JSON wire target]... | bump-allocated             |
// | PAYLOAD_AT + s*BYTES  | payload  | slot s's args, then its result           | the slot's current holder  |
import { entryAlive } from "../_core/runtime.ts";
import type { SharedSide } from "./_side.ts";

export const MAGIC = 0;
export const SLOTS = 1;
export const BYTES = 2;
export const WORKERS = 3;
export const STATE = 4;
export const LIVE = 5;
export const TOP = 6;
export const NAMES = 7;
export const NEED = 8;
export const ID = 9;
export const HIDENT = 10;
export const HENTRY = 11;
export const GATED = 12;
export const STALES = 13;
export const IDS = 14; // and 15: one 64-bit word (8-byte aligned)
// On a cache line of its own (bytes 64-127): pool threads that find it
// held spin on it, and STATE, which every submit loads, sits on line 0.
export const TAKER = 16;
export const MAGIC_VALUE = 0x74706f6c;
export const RECORDS = 32;
export const RECORD_WORDS = 8;
export const R_IDENT = 0;
export const R_ENTRY = 1;
export const R_PARK = 2;
export const R_TAKE = 3, R_INIT = 4;
// 1 while the record's thread runs no task (starting, between tasks,
// parked): it will take a queued task, so a start is not needed for one
// (_started.ts readyThreads, which also skips a thread holding a task not
// yet claimed: PARK MAIL, or TAKE naming an index no longer at the task
// queue's head). A hint, not a claim: set by home before
// IDENT (a start), then by the thread only: its task's value (< 0, one per
// task, _stale.ts taskMark) at its claim (before TAKE's clear), 1 after its
// task (before the completion's push, so an owner that saw the result and
// submits again sees 1 or a later value); >= 3 while its target loads
// (_load.ts). STALE_MARK: home's mark (CAS from the task's value,
// _stale.ts); the thread's end is a CAS from it too.
export const R_READY = 5;
/** READY: the thread is stale, in its last task (_stale.ts). */
export const STALE_MARK = 2;
// DRAIN: how many messages home posted to the record's thread's port
// (_shared.ts: adds and drops of registered buffers) that the thread has
// not read yet. Home adds 1 after each post (0 at a start, before IDENT);
// the thread subtracts what it read at each drain. Past DRAIN_AT, home
// wakes the thread if it is parked, and a thread about to sleep drains
// first (_park.ts posted, park): an idle thread's port holds a bounded count;
// one in a task is marked stale at home's add from DRAIN_AT (_stale.ts).
export const R_DRAIN = 6;
// GEN: which start of the record's threads this is (home adds 1 before
// each start, and again once it sees that thread ended): a holder's port
// to the record's thread is live while GEN reads what it was given with
// that port (_mesh.ts).
export const R_GEN = 7;
/** Executor states (STATE). */
export const OPEN = 0, SHUTDOWN = 1, BROKEN = 2;
/** An empty completion stack. */
export const EMPTY = -1;
/**
 * A slot's NEXT from its submit until a push writes it: the task's slot has
 * never been on a completion stack (_layout.ts "HELD").
 */
export const UNPUSHED = -2;
/** One head per thread-table entry (runtime.ts MAX_THREADS). */
export const HEAD_COUNT = 256;
export const TARGET_BYTES = 256 * 1024;
// Slot: 16 words (64 B); words 12-15 hold two float64 (inline numbers).
// | word | name   | values                                            | written by                  |
// |------|--------|---------------------------------------------------|-----------------------------|
// | 0    | STATE  | bits 0-3 the phase (below); bit 4 (ABORT) set by an abort while RUNNING, or beside CANCELLED by a drain's settle; bits 5-31 the TAG | CAS, see below |
// | 1    | OENTRY | submitting thread's table entry (its head)        | submitter, before queueing  |
// | 2    | OIDENT | submitting thread's ident                         | submitter, before queueing  |
// | 3    | NEXT   | next slot in the owner's completion stack; UNPUSHED (-2) from the submit to the first push | submitter, then pusher before its CAS |
// | 4    | TARGET | target table id                                   | submitter                   |
// | 5    | KIND   | payload kind: args, then the result               | submitter, then the runner  |
// | 6    | LEN    | payload length in bytes, or number count          | as KIND                     |
// | 7    | WIDENT | ident of the pool thread that claimed the task; below 0 (unnamed(tag): -1 - the tag step) until then | submitter and requeue: unnamed; the runner: CAS from unnamed(its tag), after WENTRY, before RUNNING ("NAME") |
// | 8    | WENTRY | its table entry; unnamed(tag) until then          | as WIDENT, before it        |
// | 9    | MODE   | 0 call target(...args), 1 map target over args[0] | submitter                   |
// | 10   | READ   | the args' decode: the slot's submit number k * 8 + its decode's phase (0 not begun), then CAS from k's values (S_READ and the protocol: _args_held.ts) | submitter (k + 1) * 8, runner, owner's settle |
// | 12   | NUM    | two float64: inline numbers (args or result)      | as KIND                     |
//
// Slot states:
// FREE      -submit (slot taken from the free queue)->     QUEUED, next TAG (index put in the task queue)
// QUEUED    -a pool thread takes the index (CAS)->          RUNNING
// QUEUED    -the thread that took the index died before its CAS (its record's
//            TAKE names the slot, _take.ts), seen by a reclaim (CAS)->
//                                                           QUEUED, next TAG, index back in the task queue
// CANCELLED -the same, cancelled meanwhile (CAS)->          FREE (index put in the free queue)
// QUEUED    -Future.cancel() (CAS, owner)->                 CANCELLED; the thread that takes
//                                                           the index frees the slot
// QUEUED    -shutdown({ cancelFutures }) or a broken pool   CANCELLED | ABORT / DONE (kind BROKEN),
//            drains the index from the queue or takes its   next TAG, by the drainer, pushed to
//            hand-off back (CAS, _close.ts)->                the owner (_park.ts settleUnrun: the
//                                                           mark fails every exact CANCELLED compare)
// RUNNING   -abort (CAS, owner)->                           RUNNING | ABORT, then cancel request
// RUNNING   -task ends (CAS, runner)->                      FINISHING (the runner writes the outcome)
// FINISHING -outcome written (CAS, runner)->                DONE, pushed to the owner's stack
//                                                           (just before the runner sleeps or
//                                                           takes its next task, _thread.ts);
//                                                           FREE instead when the owner has ended
// DONE      -the runner died before its push: still DONE, not drained, runner dead
//            at two owner's scans in a row, same tag (CAS)-> HELD, settled with its outcome
// RUNNING   -runner died, seen by the owner's scan (CAS)-> DONE (kind DIED), settled
// FINISHING -runner dead at two owner's scans in a row, same tag (CAS)-> HELD_W, settled
//                                                           with ThreadDiedError
// HELD      -its runner's late push, drained by the owner (CAS)-> FREE (free queue)
// HELD      -its runner in the stop ring, seen by the owner's scan after a
//            drain (CAS)->                                  FREE (free queue)
// HELD      -pushed on the stack of an ended owner, sweep (CAS)-> FREE
// HELD      -never pushed (NEXT UNPUSHED), runner in the stop ring, owner
//            ended, seen by any maintain's sweep (CAS)->     FREE (free queue)
// HELD_W    -its runner's failed FINISHING -> DONE (CAS)->  FREE (free queue)
// HELD_W    -its runner in the stop ring, seen by an owner's scan or by
//            any maintain's sweep (CAS)->                   FREE (free queue)
// DONE, CANCELLED (pushed) -owner settles the Future->      FREE (index put in the free queue)
//                                                           or KEPT (in the owner's own cache)
// KEPT      -the owner's next submit (CAS)->               FREE, then taken as above
// KEPT      -the owner ended, seen by a sweep (CAS)->       FREE (index put in the free queue)
// KEPT      -a submitter found the free queue empty         FREE (index put in the free queue)
//            (reclaimKept, CAS; the owner may live)->
// DONE, CANCELLED on the stack of an ended owner -sweep->   FREE (index put in the free queue)
// Exactly one thread holds a slot at a time: the submitter until the queue
// put, the thread that took the index, then the owner after the push.
//
// The TAG (bits 5-31 of STATE) numbers the slot's tasks: the submit adds
// one TAG step as it stores QUEUED (it holds the slot: FREE, taken from the
// free queue or its cache), and every later transition of that task keeps
// the tag (shift(), setPhase()). Why: a pool thread that an owner's scan
// declared dead may still run (an ended entry is not a stopped thread:
// Deno's terminate(), a starter that presumed its child ended). Its task
// was settled (DONE, kind DIED) and the slot may since carry another task,
// in the same phase the stale thread expects (QUEUED, RUNNING). Without a
// tag its compareExchange (QUEUED -> RUNNING, RUNNING -> FINISHING) would
// win on the new task: it would run it a second time, or write its own
// outcome into it and settle that Future with the wrong result. With the
// tag each of the runner's compareExchanges names the task it took: the
// claim's expected word is the one read while the index was still at the
// queue's head or in the runner's PARK word (_take.ts: nothing but the
// owner's cancel, which keeps the tag, changes a slot whose index is
// queued or mailed, so the read names the index's task), and the finish's
// is the claim's tag. A stale runner's compareExchange fails, and it writes
// nothing: each task is settled exactly once, by its own runner's
// FINISHING -> DONE or by one CAS of an owner's scan or a drain. Idents are
// never reused, so WIDENT names one thread for good. The tag wraps after
// 2^27 tasks on one slot: a stale thread would have to stall between its
// read and its CAS through 2^27 reuses of that slot.
// Taken but not claimed: a runner that dies between taking an index (the
// queue's get, or its PARK word's MAIL) and its claim is named by its
// record (TAKE, written before the take, _take.ts): the reclaim of
// its record moves the task to the next tag (fencing that runner's claim,
// should it still run) and puts the index back; the task then runs on
// another thread. The claim and the reclaim's move are CASes from the same
// word: one wins.
// Settled, not yet free (HELD): a runner declared dead in FINISHING (it
// may still be writing the outcome into the payload, KIND and LEN) or in
// DONE before its push (it may still push) is settled by its owner at the
// second scan in a row that finds the same STATE word (the same tag:
// the same task), by a CAS to HELD with that tag, but the slot is not
// freed: a write into it would land in the next task's args, and a push
// of a slot reused meanwhile either links it into a stack it is on
// already (NEXT pointing into itself: a drain that never ends) or frees it
// a second time (two tasks on one slot). Exactly once, per case:
// - FINISHING -> HELD_W: the runner's FINISHING -> DONE CAS now fails, so
//   it never pushes; it frees the slot itself (CAS HELD_W -> FREE, same
//   tag) once its writes are over, or, if it has stopped (the stop ring,
//   _core/runtime.ts: it runs no more JavaScript), the owner's scan or any
//   thread's maintain (sweep, _orphans.ts) does: the slot is on no stack,
//   so its owner need not live (it may end before its runner stops).
// - DONE -> HELD: the runner may push once, before or after the CAS; the
//   owner's drain of a HELD slot frees it (CAS HELD -> FREE). A runner
//   that stopped without pushing is freed by the owner's scan: it drains
//   first (a push made before the stop is on the stack then, and the drain
//   frees it), then CASes HELD -> FREE. One CAS wins; the Future was settled
//   once, by the CAS to HELD (the pending entry is removed there, and a
//   drained HELD slot settles nothing).
// The words compared are whole (tag included), so a later task on the slot
// never matches. Why the owner keeps the STATE word it saw rather than the
// Future keeping the submit's tag: a reclaim re-tags a task that is still
// queued (above), so a Future's task may finish under a later tag than its
// submit's. A HELD slot whose runner never stops nor pushes (its stop not
// recorded: stopped together with its starter, or pushed out of the ring)
// stays HELD: one slot fewer, never a slot twice.
// A HELD (from DONE) slot whose owner ends before its runner stops without
// pushing: while the owner lives it frees it at its next scan (after its
// next submit or wait, when it has nothing pending). Once it has ended, the
// slot may sit on its stack (pushed before the stop), which only a sweep's
// walk of the stack may free: a free outside that walk could hand the slot
// on while a concurrent sweep still walks through it (reading its NEXT
// after a new push rewrote it: a walk into another stack). So the sweep
// frees outside a walk only a slot that was never pushed: the submit
// stores NEXT = UNPUSHED (before the queue put that publishes the slot's
// words), and a push writes NEXT (a slot number or EMPTY) before its CAS.
// With the runner in the stop ring (it runs no more JavaScript: its NEXT
// write, if any, was made before its stop was recorded, which the ring's
// atomic store publishes) NEXT still UNPUSHED means it never began a push
// and never will: the slot is on no stack, and no walk can reach it. The
// free is one CAS from the whole HELD word (tag included), against the
// owner's own release and drain should it still run (ended is not
// stopped), so one of them wins; a NEXT read after the slot went on to a
// later task (UNPUSHED again) meets a word that no longer matches. A runner
// that stopped between its NEXT store and its CAS leaves the slot HELD: one
// slot fewer, never one twice.
// NAME: WENTRY, WIDENT hold unnamed(tag) until the runner's CAS (_thread.ts).
export const FREE = 0,
  QUEUED = 1,
  RUNNING = 2,
  DONE = 3,
  CANCELLED = 4,
  FINISHING = 5,
  KEPT = 6,
  HELD = 7,
  HELD_W = 8;
export const ABORT = 16;
/** The phase bits of STATE. */
export const PHASE = 15;
/** The phase and ABORT bits: what shift() compares. */
const LOW = 31;
/** One step of the TAG (bits 5-31 of STATE): one task on the slot. */
export const TAG = 32;

/** The TAG bits of a STATE word. */
export function tagOf(state: number): number {
  return state & ~LOW;
}

/**
 * STATE word of slot `base` for its next task: the next tag, QUEUED, no
 * runner named. Only its holder calls it (FREE): read plainly, no writer.
 */
export function nextTask(v: Int32Array, base: number): number {
  const w = ((tagOf(v[base + S_STATE]) + TAG) | 0) | QUEUED;
  v[base + S_WENTRY] = v[base + S_WIDENT] = unnamed(w); // "NAME"
  Atomics.store(v, base + S_STATE, w);
  return w;
}

/** WENTRY and WIDENT while STATE word `state`'s task has no runner named. */
export function unnamed(state: number): number {
  return -1 - (state >>> 5);
}

/**
 * Moves STATE at `at` from phase bits `from` (ABORT included) to `to`,
 * keeping the tag, for a caller that holds the slot's current task (its
 * owner, or the thread that took its index): returns `from` when it moved,
 * else the phase bits it found. A change of the tag cannot happen under
 * such a caller, so only a phase change makes it fail.
 */
export function shift(
  v: Int32Array,
  at: number,
  from: number,
  to: number,
): number {
  for (;;) {
    const w = Atomics.load(v, at);
    if ((w & LOW) !== from) return w & LOW;
    if (Atomics.compareExchange(v, at, w, tagOf(w) | to) === w) return from;
  }
}

/**
 * As shift(), but the slot moves to the next tag: for a task settled unrun
 * by the holder of its index (a close's drain, _park.ts settleUnrun), so
 * that a record naming the task under its old tag (a stale R_TAKE, _take.ts)
 * can never match it again.
 */
export function shiftNext(
  v: Int32Array,
  at: number,
  from: number,
  to: number,
): number {
  for (;;) {
    const w = Atomics.load(v, at);
    if ((w & LOW) !== from) return w & LOW;
    const next = ((tagOf(w) + TAG) | 0) | to;
    if (Atomics.compareExchange(v, at, w, next) === w) return from;
  }
}

/**
 * Stores phase `to` at `at`, keeping the tag (read plainly, as nextTask):
 * for the slot's only holder (nobody else writes it; a stale runner's
 * compareExchange names an older tag or another phase and fails).
 */
export function setPhase(v: Int32Array, at: number, to: number): void {
  Atomics.store(v, at, tagOf(v[at]) | to);
}
export const SLOT_WORDS = 16;
export const S_STATE = 0;
export const S_OENTRY = 1;
export const S_OIDENT = 2;
export const S_NEXT = 3;
export const S_TARGET = 4;
export const S_KIND = 5;
export const S_LEN = 6;
export const S_WIDENT = 7;
export const S_WENTRY = 8;
export const S_MODE = 9;
export const S_NUM = 12;

/** Payload kinds (KIND). */
export const K_NONE = 0, // no args / result undefined
  K_NUMS = 1, // LEN numbers (at most 2) inline
  K_BYTES = 2, // LEN bytes of the queue codec in the slot's payload
  K_ERROR = 3, // LEN bytes: the error codec's form, queue-encoded
  K_DIED = 4, // the runner died (WIDENT names it)
  K_BROKEN = 5, // the pool broke before the task ran
  K_F64 = 6, // LEN float64 in the payload: args [numbers], result numbers
  K_VIEWS = 7, // as K_BYTES, shared buffers named by number (_shared.ts)
  K_LARGE = 8; // result or error over taskBytes, even as a short RangeError

/** Where everything is, for a given size. */
export interface Layout {
  readonly slots: number;
  readonly bytes: number;
  readonly workers: number;
  /** Pool-thread records: 2 workers (_stale.ts). */
  readonly records: number;
  readonly heads: number;
  readonly gates: number;
  readonly slotsAt: number;
  readonly targetsAt: number;
  readonly payloadAt: number;
  readonly byteLength: number;
}

/** The layout of a block with `slots` slots of `bytes` payload bytes. */
export function layout(slots: number, bytes: number, workers: number): Layout {
  const records = 2 * workers;
  const heads = RECORDS + RECORD_WORDS * records;
  const gates = heads + HEAD_COUNT;
  const slotsAt = align(gates + HEAD_COUNT, 2);
  const targetsAt = (slotsAt + SLOT_WORDS * slots) * 4;
  const payloadAt = targetsAt + TARGET_BYTES;
  return {
    slots,
    bytes,
    workers,
    records,
    heads,
    gates,
    slotsAt,
    targetsAt,
    payloadAt,
    byteLength: payloadAt + slots * bytes,
  };
}

/** Reads the layout back from a block's header. */
export function readLayout(v: Int32Array): Layout {
  if (v.length < RECORDS || Atomics.load(v, MAGIC) !== MAGIC_VALUE) {
    throw new TypeError(
      "Cannot revive executor: the buffer is not an executor block",
    );
  }
  return layout(v[SLOTS], v[BYTES], v[WORKERS]);
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The views of one block in one thread. */
export class Block {
  readonly v: Int32Array;
  readonly f: Float64Array;
  readonly u: Uint8Array;
  readonly l: Layout;
  /**
   * How this thread names shared buffers in this executor's slots
   * (_shared.ts): set by its Pool, or by a pool thread.
   */
  shared: SharedSide | undefined = undefined;
  constructor(readonly buffer: SharedArrayBuffer) {
    this.v = new Int32Array(buffer);
    this.f = new Float64Array(buffer);
    this.u = new Uint8Array(buffer);
    this.l = readLayout(this.v);
  }

  /** Word index of slot `s`. */
  slot(s: number): number {
    return this.l.slotsAt + SLOT_WORDS * s;
  }

  /** Word index of the completion head of thread entry `entry`. */
  head(entry: number): number {
    return this.l.heads + entry;
  }

  /** Word index of the submit gate of thread entry `entry` (_close.ts). */
  gate(entry: number): number {
    return this.l.gates + entry;
  }

  /** Word index of pool-thread record `w`. */
  record(w: number): number {
    return RECORDS + RECORD_WORDS * w;
  }

  /**
   * Pushes slot `s` on its owner's completion stack (a Treiber stack whose
   * only pop takes everything, so no ABA).
   * Why no lost wakeup: the owner waits on the head only while it reads
   * EMPTY; this push moves it off EMPTY (CAS) before notifying, and only
   * the push that leaves EMPTY needs to notify: later pushes find the owner
   * not yet waiting again (it exchanges the head back to EMPTY, then looks).
   * Notifies all: the owner may have an async waiter (its reaper) and a
   * blocking one (`result()`) on the same word.
   */
  push(s: number): void {
    const { v } = this;
    const base = this.slot(s);
    const head = this.head(v[base + S_OENTRY]);
    for (let old = v[head], got = old;; old = got) {
      v[base + S_NEXT] = old; // published by the CAS (old: a plain guess first)
      got = Atomics.compareExchange(v, head, old, s);
      if (got === old) {
        if (old === EMPTY) Atomics.notify(v, head);
        return;
      }
    }
  }

  /** Copies `bytes` into slot `s`'s payload; false when they do not fit. */
  writeBytes(s: number, bytes: Uint8Array): boolean {
    if (bytes.length > this.l.bytes) return false;
    this.u.set(bytes, this.l.payloadAt + s * this.l.bytes);
    return true;
  }

  /** A private copy of slot `s`'s payload (`len` bytes). */
  readBytes(s: number, len: number): Uint8Array {
    const at = this.l.payloadAt + s * this.l.bytes;
    return this.u.slice(at, at + len);
  }

  /** Float64 index of slot `s`'s payload (taskBytes is a multiple of 8). */
  payloadF64(s: number): number {
    return (this.l.payloadAt + s * this.l.bytes) / 8;
  }

  /** Float64 index of slot `s`'s first inline number. */
  num(s: number): number {
    return (this.slot(s) + S_NUM) / 2;
  }
}

/**
 * Whether the thread that owns entry `entry` as `ident` may still run code
 * that uses this executor: it is alive, or it is the main thread (entry 0,
 * which no other thread ever takes). The main thread's end is recorded when
 * its event loop first runs dry (_core/lifetime.ts: joins of it return then,
 * as in Python), but that is an end, never a stop: a raw Atomics.waitAsync
 * (which holds nothing) or an unref'd timer may resume its code, which then
 * submits and awaits as before. So for the executor it runs until the
 * process exits, and everything with it: a pool thread pushes its results,
 * a sweep leaves its slots, a close waits for its submit gate, and an
 * executor it made is not broken by its end (its pool threads live on).
 * For any other thread: alive (`entryAlive`).
 */
export function ownerLive(entry: number, ident: number): boolean {
  return entry === 0 || entryAlive(entry, ident);
}
