// Copyright 2026 the threadkit authors. MIT license.
// A pool thread: the target of every thread an executor starts (a module
// target, so each pool thread imports this file once). It runs the
// initializer, then takes slot indices from the task queue, parked on its
// record's PARK word while the queue is empty (a submitter may hand it a
// slot there directly, pool/_park.ts), runs each task and pushes its slot to
// the owner's completion stack. Targets are resolved once per thread and
// kept by table id.
//
// How a pool thread ends (each frees its record and decrements LIVE; the
// last two leave it to the owner's scan, _owner.ts):
// - the task queue is shut down and empty (executor shutdown): returns;
// - idle for idleTimeout ms with nothing queued: returns;
// - its initializer threw: breaks the pool (queued tasks fail with
//   BrokenExecutorError, the task queue shuts down), returns;
// - home marked it stale inside a task (_stale.ts; its READY CAS at the
//   task's end finds the mark): it pushes that task's outcome, returns;
// - it dies (exit, close, out of memory, an error outside a task): its
//   table entry is freed by the thread machinery, and the next scan of an
//   owner with a task on it fails that task's Future with ThreadDiedError,
//   frees the record and starts a replacement.
// A task that throws fails its Future only; the thread goes on.
//
// NAME: the claim (_layout.ts "Slot", WENTRY and WIDENT). An owner's scan
// fails a RUNNING or FINISHING task whose named runner (WIDENT, WENTRY)
// has ended (_owner.ts), so the name in a claimed slot must be its
// claimer's. Steps:
// 1. Whoever makes a task takeable under tag t stores unnamed(t) (below
//    0: no ident, no entry) in WENTRY and WIDENT before it publishes the
//    index: the submit (nextTask, before its hand-off or queue put) and
//    every requeue (_give_back.ts requeue, before the put: a reclaim's
//    re-tag to t + 1, a give-back or hand-back of an index as it is).
// 2. A thread's take of the index loads STATE (took); at t|QUEUED it names
//    itself by CAS from unnamed(t): WENTRY, then WIDENT; then it claims
//    (CAS t|QUEUED -> t|RUNNING). A failed name CAS: the slot moved on,
//    no claim (a failed claim after its names: the owner's cancel, or a
//    re-tag whose requeue overwrites them).
// 3. Under one tag one thread names: the index is held by one party at a
//    time (_take.ts), and an index given back or handed back as it is was
//    never named by its giver (it gives back before step 2).
// 4. A thread S declared dead whose task a reclaim re-tagged (t -> t + 1)
//    and requeued: each CAS of S from unnamed(t) falls before the
//    requeue's store of unnamed(t + 1) (and is overwritten by it) or
//    after it (and fails: tags only grow, and the word never holds
//    unnamed(t) again but for a wrap of 2^27 tasks on the slot). The store
//    precedes the put, so the next runner names itself after it. So while
//    the slot is RUNNING or FINISHING under t + 1, WENTRY and WIDENT are
//    the ones its claimer wrote: S can neither run the task (its claim
//    names t) nor fail it (its ident is not there).
// Requeue's stores are atomic (a stale CAS from unnamed(t) may race them:
// it comes before the store, or fails after it). nextTask's are plain: no
// CAS can match the new tag's value, and the STATE store publishes them.

import { CancelledError } from "../_core/errors.ts";
import {
  cancelRequested,
  clearCancel,
  entryAlive,
  identStopped,
  runtime,
} from "../_core/runtime.ts";
import {
  type AnyFunction,
  explainMissing,
  resolveTarget,
  type WireTarget,
} from "../_core/target.ts";
import { loadScope } from "../_core/scope.ts";
import { waitSync } from "../_core/wait.ts";
import type { Queue } from "../queue/bounded.ts";
import { QueueEmptyError, QueueShutDownError } from "../queue/errors.ts";
import {
  ABORT,
  Block,
  BROKEN,
  CANCELLED,
  DONE,
  FINISHING,
  FREE,
  HELD_W,
  ownerLive,
  QUEUED,
  R_DRAIN,
  R_INIT,
  R_READY,
  R_TAKE,
  RUNNING,
  S_MODE,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  S_TARGET,
  S_WENTRY,
  S_WIDENT,
  setPhase,
  unnamed,
} from "./_layout.ts";
import { setTakeMailHook, took } from "./_park.ts";
import { loading } from "./_load.ts";
import { claimReady, taskMark } from "./_stale.ts";
import { STOLEN, taskView } from "./_take.ts";
import { giveBack } from "./_give_back.ts";
import { takeEmpty, takeNameOf } from "./_names.ts";
import { readOwnArgs, S_READ } from "./_args_held.ts";
import { nextOf } from "./_next.ts";
import { close } from "./_close.ts";
import { leave, leaveIdle, leaveStale } from "./_leave.ts";
import {
  dieAfterTake,
  dieInTakeBack,
  stallBeforeGet,
  stallBeforeGiveBack,
  stallBeforePark,
  stallBeforePush,
  stallInTakeMail,
} from "./_hooks.ts";
import { readTarget, writeError, writeResult } from "./_payload.ts";
import { type SharedStart, ThreadShared } from "./_shared.ts";

/** What a pool thread is started with (its Thread args). */
export type PoolThreadArgs = [
  buffer: SharedArrayBuffer,
  tasks: Queue<number>,
  free: Queue<number>,
  record: number,
  initializer: WireTarget | null,
  initArgs: unknown[],
  idleMs: number,
  shared: SharedStart,
  /** Its own PARK value (_park.ts ownValue). */
  ownPark: number,
];

/** Runs one pool thread until shutdown, idle timeout or a broken pool. */
export async function poolThread(...a: PoolThreadArgs): Promise<void> {
  const [b0, tasks, free, w, initializer, initArgs, idleMs, shared, ownPark] =
    a;
  const b = new Block(b0);
  const { v } = b;
  const rec = b.record(w);
  const ts = b.shared = new ThreadShared(shared, b, w);
  const { ident, entry } = runtime();
  // The package's primitives decode in args and results by tag: load them
  // all once (a warm thread pays this at start, not per task).
  await loadScope();
  if (initializer !== null) {
    try {
      const init = await resolveTarget(initializer);
      // Its module exited the thread as it loaded: run nothing (exited).
      if (exited(entry, ident)) return;
      await init(...initArgs);
      // An exit inside it that did not stop the thread: as one that did
      // (INIT stays 0: a maintain breaks the pool, _pool.ts).
      if (exited(entry, ident)) return;
    } catch (error) {
      console.error("Exception in initializer:", error);
      breakPool(b, tasks, free);
      leave(v, rec, ident);
      return;
    }
  }
  // Its initializer returned (_layout.ts INIT), by CAS from its start's
  // value (declared dead in it, its record may be another's by now).
  Atomics.compareExchange(v, rec + R_INIT, ownPark, 1);
  const fns = new Map<number, AnyFunction>();
  const drain = () => ts.drain(); // at a claim, or a park past DRAIN_AT
  let tasksRun = ((-1 - ownPark) & 0x3ff) << 20; // READY's base (_stale.ts)
  const withdraw = () => clearCancel(entry, ident);
  const q = taskView(tasks);
  const empty = takeEmpty(b.l.slots, ownPark); // its R_TAKE without a name (_names.ts)
  // Test-only hooks (tests/pool), chosen once: the loop pays nothing.
  const takeBack = dieInTakeBack(); // test-only, as take
  const taken = stallBeforeGet(tasks) ?? tasks; // test-only, as take
  const beforePark = stallBeforePark(); // test-only, as take
  setTakeMailHook(stallInTakeMail()); // test-only, as take
  const beforeGiveBack = stallBeforeGiveBack(); // test-only, as take
  // The finished task whose push is due (see nextOf(), _next.ts), or -1.
  let held = -1;
  // Test-only: a push that stalls first (stallBeforePush below), chosen
  // here so that the usual flush calls b.push directly.
  const stalled = stallBeforePush(b);
  const flush = stalled === undefined
    ? () => {
      if (held < 0) return;
      const s = held;
      held = -1;
      b.push(s);
    }
    : () => {
      if (held < 0) return;
      const s = held;
      held = -1;
      stalled(s);
    };
  const nextSlot = nextOf(
    b,
    w,
    ident,
    ownPark,
    q,
    taken,
    idleMs,
    withdraw,
    flush,
    free,
    drain,
    beforePark,
  );
  // Test-only: a death right after a take (take_death_test.ts).
  const take = dieAfterTake(nextSlot) ?? nextSlot;
  for (;;) {
    let s: number;
    try {
      s = take();
    } catch (error) {
      if (error instanceof QueueEmptyError) {
        if (leaveIdle(v, rec, ident, entry, ownPark, tasks, takeBack)) return;
        continue;
      }
      if (error instanceof QueueShutDownError) return leave(v, rec, ident);
      // A stray cancel of this thread between tasks: not ours to obey.
      if (error instanceof CancelledError) {
        clearCancel(entry, ident);
        continue;
      }
      throw error;
    }
    // A reclaim took the queue's turn from this thread: declared dead.
    if (s === STOLEN) return leave(v, rec, ident);
    // The task this index names: its tag (_layout.ts "TAG"), read while
    // the index was at the queue's head or in PARK (_take.ts), the index
    // named in this thread's record (TAKE) until the claim below.
    const tag = took.tag;
    const name = takeNameOf(b.l.slots, empty, s, tag); // its R_TAKE now
    // Ended for the others while idle or parked (its entry freed: a scan
    // would fail its tasks as its death, and a replacement serves the
    // pool): the index goes back to the queue for a live thread (after a
    // shutdown: settled unrun, as a reclaim's), and this thread leaves.
    // Its name is in its record until a reclaim takes it: the CAS of the
    // name decides against that reclaim's exchange (_give_back.ts B).
    if (!entryAlive(entry, ident)) {
      beforeGiveBack?.(); // test-only, as take
      giveBack(b, tasks, free, rec, s, empty, tag);
      return leave(v, rec, ident);
    }
    const base = b.slot(s);
    // Named in the slot (WENTRY, WIDENT) only while the slot still holds
    // the task: each by a CAS from the task's unnamed value (_layout.ts
    // "NAME"), which a reclaim's requeue replaces under the next tag before
    // the task's next runner can take it. So a take whose task a reclaim
    // re-tagged and queued again (this thread declared dead) names nothing
    // there, however long it stalled since its load of STATE: its name
    // never lands over the next runner's (which an owner's scan would take
    // for that task's runner, failing the task with ThreadDiedError once
    // this thread ends). A failed CAS: not its task (no claim, below).
    // STATE as the take read it (took, no reload): a re-tag since fails a
    // name CAS or the claim's, a cancel the claim's; it returns the word.
    let was = took.word, read = 0;
    if (was === (tag | QUEUED)) {
      // READ's submit number (_args_held.ts): read between the take's load
      // and the claim's CAS from the same word (which never comes back to
      // tag|QUEUED once left), so a won claim makes it this task's.
      read = Atomics.load(v, base + S_READ);
      // WENTRY first: an owner's scan reads WIDENT, then WENTRY.
      const none = unnamed(tag);
      if (
        Atomics.compareExchange(v, base + S_WENTRY, none, entry) === none &&
        Atomics.compareExchange(v, base + S_WIDENT, none, ident) === none
      ) {
        // The claim: from here an owner's scan sees this thread's death;
        // until here a reclaim of its record did (TAKE). Its re-tag and
        // this CAS start from the same word: one wins.
        was = Atomics.compareExchange(
          v,
          base + S_STATE,
          tag | QUEUED,
          tag | RUNNING,
        );
      } else was = -1; // moved on: neither its tag's QUEUED nor CANCELLED
    }
    if (was !== (tag | QUEUED)) {
      // Cancelled by its owner while queued: the owner forgot it, the slot
      // is ours to free (its index has left the queue with this take). A
      // CAS: a reclaim of this record (declared dead) may free it too.
      // TAKE names it until it is free (a stop before the free leaves it
      // to the reclaim).
      // The name withdrawn before the free: a reclaim that took it reads
      // FREE, not the slot's next task (_give_back.ts giveBackTaken).
      if (was === (tag | CANCELLED)) {
        const mine =
          Atomics.compareExchange(v, base + S_STATE, was, tag | FREE) === was;
        Atomics.compareExchange(v, rec + R_TAKE, name, empty);
        if (mine) free.put(s);
        if (!entryAlive(entry, ident)) return leave(v, rec, ident);
        continue;
      }
      Atomics.compareExchange(v, rec + R_TAKE, name, empty);
      // Anything else: a reclaim of this thread's record (its entry ended:
      // declared dead) moved the task on (_take.ts). Not ours; this thread
      // is ended for the others: it leaves.
      if (!entryAlive(entry, ident)) return leave(v, rec, ident);
      continue;
    }
    // Posts came since its last read: read them now, so that what home
    // counts from this claim on came during this task (one load per task;
    // _stale.ts). Then READY, this task's own value, before TAKE (claimed:
    // the scan's from here; replenish reads TAKE, then READY, _started.ts),
    // both by CAS (_stale.ts "A record's next thread").
    if (Atomics.load(v, rec + R_DRAIN) > 0) drain();
    const mine = taskMark(tasksRun++);
    claimReady(v, rec, mine, name, empty);
    let ok = true, value: unknown, settled = false;
    try {
      const id = v[base + S_TARGET];
      let fn = fns.get(id);
      if (fn === undefined) {
        fn = await loading(b, rec, mine, () => load(b, id, fns), drain);
        // Its module exited the thread as it loaded: run nothing (exited).
        if (exited(entry, ident)) return;
      }
      const args = readOwnArgs(b, s, base, read);
      // Settled elsewhere (the scan fenced READ: this thread was declared
      // dead, and the scan's RUNNING -> DONE CAS settles it as that death):
      // nothing ran, nothing is published (as STALE, below).
      if (args === undefined) settled = true;
      else if (v[base + S_MODE] === 1) {
        const items = args[0] as unknown[], out = new Array(items.length);
        for (let i = 0; i < items.length; i++) {
          let r = fn(items[i]);
          if (isThenable(r)) r = await r;
          out[i] = r;
        }
        value = out;
      } else {
        value = fn(...args);
        if (isThenable(value)) value = await value;
      }
    } catch (error) {
      ok = false;
      value = error;
      // The target failed to load (`read` false), or the decode threw: the
      // owner's settle releases the args' heap references (_args_held.ts).
    }
    // An exit inside the task that did not stop the thread (see exited):
    // no outcome, no write; the owner's scan fails the task as its death.
    if (exited(entry, ident)) return;
    // A map chunk's results: an array built here (own: no other keys).
    const own = ok && v[base + S_MODE] === 1;
    // READY 1 before the push (finish, flush). A CAS: home's stale mark is
    // a CAS from this task's value too (_stale.ts); one wins. Marked, this
    // was its last.
    const last = Atomics.compareExchange(v, rec + R_READY, mine, 1) !== mine;
    held = settled
      ? STALE
      : finish(b, free, s, tag, ok, value, entry, ident, own);
    // A finish that found its task settled by an owner's scan: this thread
    // was declared dead (its entry ended while it ran). It takes no more
    // tasks: each would be failed as its runner's death.
    if (held === STALE) {
      held = -1;
      if (!entryAlive(entry, ident)) {
        // Marked too: its leave unmarks (if its own CAS frees the record).
        return last ? leaveStale(v, rec, ident) : leave(v, rec, ident);
      }
    }
    if (last) {
      flush();
      return leaveStale(v, rec, ident);
    }
  }
}

// finish(): the task was settled by an owner's scan (this thread declared
// dead); nothing written, nothing to push.
const STALE = -2;

// Publishes a task's outcome: claim the slot (RUNNING -> FINISHING, with
// the task's tag), write, mark DONE (FINISHING -> DONE, same tag). A failed
// claim means an owner's scan declared this thread dead and settled the
// task: the slot is no longer ours (it may hold another task by now, in
// RUNNING too: the tag tells them apart), write nothing (STALE). An owner
// that has ended never drains its stack: its slot is freed here. Returns
// the slot to push to its owner's completion stack (or -1, or STALE): the
// caller pushes it as late as it can without delaying it (`flush`).
function finish(
  b: Block,
  free: Queue<number>,
  s: number,
  tag: number,
  ok: boolean,
  value: unknown,
  entry: number,
  ident: number,
  own: boolean,
): number {
  const { v } = b;
  const at = b.slot(s) + S_STATE;
  let aborted = false;
  const running = tag | RUNNING;
  if (Atomics.compareExchange(v, at, running, tag | FINISHING) !== running) {
    if (
      Atomics.compareExchange(v, at, running | ABORT, tag | FINISHING) !==
        (running | ABORT)
    ) return STALE;
    aborted = true;
  }
  if (ok) writeResult(b, s, value, own);
  else {
    const fnName = "task target";
    writeError(b, s, explainMissing(value, `Pool ${fnName}`));
  }
  // A compareExchange, not a store: a scan may have settled the task while
  // this thread, declared dead, wrote (_layout.ts: FINISHING at two scans,
  // HELD_W). Our writes are over: the slot is free now, freed here (CAS: the
  // owner's scan frees it too once this thread is in the stop ring).
  const found = Atomics.compareExchange(v, at, tag | FINISHING, tag | DONE);
  if (found !== (tag | FINISHING)) {
    const held = tag | HELD_W;
    if (found === held) {
      if (Atomics.compareExchange(v, at, held, tag | FREE) === held) {
        free.put(s);
      }
    }
    return STALE;
  }
  const base = b.slot(s);
  const oentry = v[base + S_OENTRY], oident = v[base + S_OIDENT];
  if (!ownerLive(oentry, oident)) {
    setPhase(v, at, FREE);
    free.put(s);
    if (aborted) clearAbort(entry, ident, oentry, oident);
    return -1;
  }
  if (!aborted) return s;
  b.push(s);
  clearAbort(entry, ident, oentry, oident);
  return -1;
}

// The owner that aborted a running task marked the slot, then requests the
// cancel (same turn of its event loop): wait for the request to land, then
// withdraw it, so it cannot interrupt this thread's next task. Bounded by
// the owner's life: an owner that died between the two steps never
// requests (a time bound instead would let a stalled owner's late request
// cancel the next task).
const scratch = new Int32Array(new SharedArrayBuffer(4));
function clearAbort(
  entry: number,
  ident: number,
  oentry: number,
  oident: number,
): void {
  while (!cancelRequested() && ownerLive(oentry, oident)) {
    // A short sleep on a private word nobody notifies.
    waitSync(scratch, 0, 0, performance.now() + 0.05, undefined, false);
  }
  clearCancel(entry, ident);
}

// Whether this thread exited (Deno.exit, process.exit, close) while it
// still runs: its own death is recorded (its entry freed, its stop in the
// ring, thread/_worker.ts), so every other thread takes it as stopped (a
// lock's or TAKER's holder taken over, a HELD_W slot freed) and it must
// write nothing more. A Thread ends at its exit; so does a pool thread
// (its task fails with ThreadDiedError, a replacement serves the pool).
// Measured (Deno 2.9.6, node:worker_threads workers): Deno.exit while a
// dynamic import evaluates the module (a task's target loading, an
// import() inside a task) records the death but does not stop the worker,
// and later exits do not either; the import resolves and the thread runs
// on. A thread declared dead by others (its entry ended, no stop of its
// own) is not this: it may finish its task (its finish CAS decides).
function exited(entry: number, ident: number): boolean {
  return !entryAlive(entry, ident) && identStopped(ident) !== undefined;
}

async function load(
  b: Block,
  id: number,
  fns: Map<number, AnyFunction>,
): Promise<AnyFunction> {
  const fn = await resolveTarget(readTarget(b, id));
  fns.set(id, fn);
  return fn;
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof (x as PromiseLike<unknown>)?.then === "function";
}

// The initializer failed (or home ended, _orphans.ts): the pool is broken.
// Every task not yet taken fails with BrokenExecutorError, and the task
// queue shuts so the other pool threads leave (_close.ts).
export function breakPool(
  b: Block,
  tasks: Queue<number>,
  free: Queue<number>,
): void {
  close(b, tasks, free, BROKEN, true);
}
