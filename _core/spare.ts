// Copyright 2026 the threadkit authors. MIT license.
// Spare workers for _core/adapter.ts (the adapter constructs them: it alone
// knows the runtime; see spareHost).
//
// Spare workers: node:worker_threads workers started ahead on the entry,
// which load it (and the package) and then wait for their start message,
// so a thread start pays neither the worker's start nor the loading. A
// spare has run nothing but threadkit's own modules, so a thread still gets
// a worker of its own. Spares are unref'd (they never keep the process
// alive) and each holds one idle V8 isolate. prestartWorkers(n) keeps n
// spares; each one taken is replaced later (refillLater). Only ready spares
// are taken. Every thread may take one, daemon or not, on every runtime with
// node:worker_threads: on Deno a non-daemon thread then runs on a
// node:worker_threads worker instead of a web worker, ref'd by the adapter
// (on the main thread: tracked by _core/lifetime.ts like any of its
// non-daemon workers, unref'd while its code runs) (earlier builds kept
// those on web workers, blaming Deno's message delivery; the delay was the
// replacement's construction, see refillLater).
//
// A spare sleeps in a blocking wait on its word, not in its event loop: a
// taker writes the start record into the spare's block (or, when it does
// not fit there, posts it on the spare's own port), then sets the word and
// notifies, and the spare reads the record synchronously (from the block,
// or with receiveMessageOnPort). Waking a blocked thread took about half the time
// of delivering a message to an idle node:worker_threads worker on Deno
// 2.9.6 (0.8 ms against 1.7 ms, median of 9, three runs; about 1.7 against
// 2.3 ms on Node 20). A blocked, unref'd spare does not keep the process
// alive (measured on both).
//
// The spare's port is also its thread's result port: the record carries no
// port of its own (a MessagePort transferred in a message cost the spare
// 0.4-0.6 ms to receive and close, measured on Deno 2.9.6), the thread
// posts its outcome (or its death) on the port it was started with, and the
// taker reads it off `Spare.port` as it reads a fresh thread's result port.
// Before it sleeps a spare also runs, once, with threadkit's own values, the
// steps of its start path that cost most on first use (thread/_worker.ts,
// warmSpare): each ran 0.2-0.5 ms the first time in a fresh worker.
//
// The spare's block (its state word, and the start record and result when
// they go through shared memory) is described in _core/spare_block.ts.
// Spares serve the worker entry they were constructed on: a spare is taken
// only while that is still the entry (setWorkerEntry, the default entry
// named again, or setWorkerEntry(undefined) back to the default), and spares
// of another entry are stopped at the next prestart or take. A thread that
// ends stops the spares it kept (stopSpares, from the worker entry): on
// Deno a node:worker_threads worker outlives the worker that constructed it.

import type * as WorkerThreads from "node:worker_threads";
import { onEntryChange } from "./entry.ts";
import { OWED } from "./overflow.ts";
import {
  keepingSpares,
  READY,
  STATE,
  STOP,
  TAKEN,
  TAKEN_SHARED,
  writeRecord,
} from "./spare_block.ts";

export { SPARE_KEY, type SpareData } from "./spare_block.ts";
/** The taker's side of a spare worker. */
export interface Spare {
  readonly worker: WorkerThreads.Worker;
  /** Its block (_core/spare_block.ts). */
  readonly ready: Int32Array;
  readonly port: WorkerThreads.MessagePort;
  /** The href of the entry it loads (see spareHost). */
  readonly entry: string;
  /** The runtime block it was given (this thread's). */
  readonly runtime: SharedArrayBuffer;
}

/**
 * What the taker hears of a spare's worker: its "message", "error" and
 * "exit" events. A spare's listeners are attached when it is constructed
 * (off the start path) and pass the events on to these once it is taken;
 * before, an "error" or "exit" drops it from the list.
 */
export interface WorkerListeners {
  message(): void;
  error(error: unknown): void;
  exit(code: number): void;
}

// A spare's taker, once taken (see WorkerListeners).
const takers = new WeakMap<Spare, WorkerListeners>();

// What only the adapter knows (the runtime): how to construct a spare
// (undefined where there is no node:worker_threads), which entry a spare
// constructed now would load (its href), and how to unref a timer.
let construct: () => Spare | undefined = () => undefined;
let entryNow: () => string = () => "";
let unrefTimer: (timer: ReturnType<typeof setTimeout>) => void = () => {};

/** Internal: set once by _core/adapter.ts. */
export function spareHost(
  make: () => Spare | undefined,
  entry: () => string,
  unref: (timer: ReturnType<typeof setTimeout>) => void,
): void {
  construct = make;
  entryNow = entry;
  unrefTimer = unref;
}
const spares: Spare[] = [];
let spareCount = 0;
let filling = false;

/**
 * Keeps `n` spare workers started ahead (0 stops keeping any; the spares
 * already started stay until used, until the entry changes, or until this
 * thread ends).
 * @throws {RangeError} unless `n` is an integer from 0 to 64.
 */
export function prestartWorkers(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 64) {
    throw new RangeError(
      `Cannot prestart threads: n must be an integer from 0 to 64, got ${n}`,
    );
  }
  spareCount = n;
  fillSpares();
}

/** How many spare workers are ready now (started, waiting for a start). */
export function readySpares(): number {
  const entry = entryNow();
  return spares.filter((s) =>
    s.entry === entry && Atomics.load(s.ready, STATE) === READY
  ).length;
}

/**
 * A ready spare on the current entry (undefined when none is), for
 * handOver. It stays in the list until handOver's commit (its state word
 * leaving READY), so a start that throws before loses none. Spares of
 * another entry are stopped first, and taken ones still listed (handOver's
 * removal stopped by an overflow) dropped.
 */
export function takeSpare(): Spare | undefined {
  if (dropStale()) fillSoon();
  let found: Spare | undefined;
  for (let i = spares.length - 1; i >= 0; i--) {
    const state = Atomics.load(spares[i].ready, STATE);
    if (state === TAKEN || state === TAKEN_SHARED) spares.splice(i, 1);
    else if (state === READY) found = spares[i];
  }
  return found;
}

let taken = 0;

/**
 * How many spares this thread has handed to threads so far (tests: whether
 * a start took one, which the ready count cannot tell while other spares
 * finish loading at any moment).
 */
export function sparesTaken(): number {
  return taken;
}

/**
 * The blocks of the spares this thread keeps now (tests: a spare's state,
 * _core/spare_block.ts).
 */
export function spareBlocks(): Int32Array[] {
  return spares.map((s) => s.ready);
}

/** What a start record must be to go through a spare's block. */
export interface StartRecord {
  runtime: SharedArrayBuffer;
  ident: number;
  entry: number;
  nameSeq: number;
  target: Parameters<typeof writeRecord>[1]["target"];
  args: unknown[];
  claim?: Int32Array;
  limited: boolean;
  ports?: MessagePort[];
}

// Test-only (tests/thread/spare_start_test.ts): set to true, a record that
// goes by the port is posted 5 ms after the state word's store, so that
// the spare finds its port empty at first (thread/_spare.ts's later reads).
const LATE = Symbol.for("threadkit.test.spareLatePost");

/**
 * Starts a thread on a taken spare: its start record (in the spare's block
 * when it fits, else posted on the spare's port), then the state word; then
 * its worker's events go to the listeners `listen` makes. The record holds
 * no port (the spare's port is the thread's result port), no runtime and no
 * entry URL (the spare got both when it was constructed, from this thread,
 * on the entry that is still current: takeSpare checked).
 *
 * The notify comes first and the taker's bookkeeping after it (the
 * listeners, the refill's timer: 0.06-0.07 ms of start() on Deno 2.9.6,
 * and the caller's hold on the worker), so that the spare's wake overlaps
 * them. No event is missed: the worker's "message", "error" and "exit"
 * events are dispatched by this thread's event loop, which runs no task
 * before the synchronous start() that called this returns, and the
 * listeners attached at construction look the taker up at dispatch.
 *
 * Near the stack's end any call may throw (a stack overflow). Before the
 * commit (the state store) a throw leaves the spare READY in the list
 * (takeSpare did not take it out; the record in its block is read only
 * after the commit) and the post is the last step that may throw (one that
 * throws queued nothing: the record is cloned first). After the commit the
 * thread runs, so nothing may throw: each step there runs guarded, its
 * fallback set before the commit or needing no call (the taker, set before
 * the commit, makes its listeners at its first event; a taken spare still
 * listed is dropped by takeSpare; the hold is owed, _core/overflow.ts).
 */
export function handOver(
  spare: Spare,
  start: StartRecord,
  message: () => Record<string, unknown>,
  listen: () => WorkerListeners,
  hold?: () => void,
): void {
  // Only plain args: threadkit primitives need their claim word and the
  // package's decoding; a limited thread never takes a spare.
  // Ports (_core/ports.ts) go by transfer, in the posted record only.
  const shared = start.claim === undefined && start.ports === undefined &&
    !start.limited && start.runtime === spare.runtime &&
    writeRecord(spare.ready, start);
  const late = (globalThis as Record<symbol, unknown>)[LATE] === true; // test-only hook
  const ports = (start.ports ?? []) as never;
  // The taker before the commit (a builtin call may overflow too): one
  // that makes its listeners at its first event, replaced below by made
  // ones. Left behind by a start that throws before the commit, it hears
  // nothing: fillSpares' listeners pass events on only from a taken spare.
  let made: WorkerListeners | undefined;
  takers.set(spare, {
    message: () => (made ??= listen()).message(),
    error: (error) => (made ??= listen()).error(error),
    exit: (code) => (made ??= listen()).exit(code),
  });
  if (!shared && !late) spare.port.postMessage(message(), ports);
  // Why no lost wakeup: see _core/spare_block.ts (the record, then the
  // state, then the notify; the spare sleeps only while READY).
  Atomics.store(spare.ready, STATE, shared ? TAKEN_SHARED : TAKEN);
  Atomics.notify(spare.ready, STATE);
  // The thread runs from here: nothing may throw (see above).
  taken++;
  try {
    made ??= listen(); // now, so that the refill's timer starts now
  } catch {
    // made at the first event
  }
  try {
    if (!shared && late) {
      setTimeout(() => spare.port.postMessage(message(), ports), 5);
    }
    const at = spares.indexOf(spare);
    if (at >= 0) spares.splice(at, 1);
  } catch {
    // dropped by the next takeSpare (see above)
  }
  if (hold !== undefined) {
    try {
      hold();
    } catch {
      OWED[OWED.length] = hold;
    }
  }
}

/**
 * Stops every spare this thread keeps and keeps none from now on: for a
 * thread that ends (thread/_worker.ts), whose spares would otherwise stay
 * on Deno until the process ends. A spare still loading stops once loaded.
 */
export function stopSpares(): void {
  spareCount = 0;
  for (const spare of spares.splice(0)) {
    // A taken one still listed (handOver) runs its thread: not stopped.
    const state = Atomics.load(spare.ready, STATE);
    if (state !== TAKEN && state !== TAKEN_SHARED) stop(spare);
  }
}

// Stops a spare that is in no list any more: it exits (thread/_worker.ts).
// Why no lost wakeup: STOP is stored (exchange) before the notify; a spare
// asleep on READY is woken, one still LOADING fails its CAS to READY.
function stop(spare: Spare): void {
  Atomics.exchange(spare.ready, STATE, STOP);
  Atomics.notify(spare.ready, STATE);
}

// Stops and drops the spares of an entry that is no longer the current one;
// true when it dropped any.
function dropStale(): boolean {
  const entry = entryNow();
  const before = spares.length;
  for (let i = spares.length - 1; i >= 0; i--) {
    if (spares[i].entry !== entry) {
      const spare = spares.splice(i, 1)[0],
        state = Atomics.load(spare.ready, STATE);
      if (state !== TAKEN && state !== TAKEN_SHARED) stop(spare);
    }
  }
  return spares.length < before;
}

// setWorkerEntry changed the entry: the spares of the old one stop, and as
// many start on the new one (off this turn, as every refill).
onEntryChange(() => {
  if (dropStale()) fillSoon();
});

// When a taken spare is replaced. Constructing a worker is synchronous on the
// constructing thread and long on Deno 2.9.6 (20-140 ms measured for a
// node:worker_threads Worker, 15-80 ms for a web Worker, on this loaded
// machine); a replacement constructed right after the take held up the
// event loop that was to receive the thread's first result (45-170 ms to
// the first result, against 4-10 ms with the replacement left out, same
// run). So replacements are constructed only while no thread taken from a
// spare is still starting: each take counts in `starting` until its thread
// has posted its outcome or ended, or for REFILL_AFTER ms if it runs longer
// (an unref'd timer), and the last one to stop counting schedules the
// refill. The returned function is called on those events.
const REFILL_AFTER = 100;
let starting = 0;

/** Counts a take until the returned function is called (see above). */
export function refillLater(): () => void {
  starting++;
  let due = true;
  const timer = setTimeout(go, REFILL_AFTER);
  unrefTimer(timer);
  function go(): void {
    if (!due) return;
    due = false;
    clearTimeout(timer);
    if (--starting > 0) return; // the last one refills
    fillSoon();
  }
  return go;
}

// Fills up to spareCount, not in this turn (a thread's joiner runs first),
// and only while no taken spare is starting (that take refills when done).
function fillSoon(): void {
  if (filling || spares.length >= spareCount) return;
  filling = true;
  setTimeout(() => {
    filling = false;
    if (starting === 0) fillSpares(); // else a newer take refills
  }, 0);
}

function fillSpares(): void {
  dropStale();
  if (spareCount > 0) keepingSpares(stopSpares);
  while (spares.length < spareCount) {
    const spare = construct();
    if (spare === undefined) return; // browsers: no node:worker_threads
    const drop = () => {
      const at = spares.indexOf(spare);
      if (at >= 0) spares.splice(at, 1);
    };
    // The listeners first: on Node, adding a "message" listener refs the
    // worker, which unref() then undoes. Spares never post before taken.
    // A taker is set before its take's commit: it hears events only once
    // the spare left READY (handOver).
    const taker = () => {
      const state = Atomics.load(spare.ready, STATE);
      return state === TAKEN || state === TAKEN_SHARED
        ? takers.get(spare)
        : undefined;
    };
    spare.worker.on("message", () => taker()?.message());
    spare.worker.on("error", (error) => {
      const to = taker();
      if (to === undefined) drop();
      else to.error(error);
    });
    spare.worker.on("exit", (code) => {
      const to = taker();
      if (to === undefined) drop();
      else to.exit(code);
    });
    spare.worker.unref();
    spares.push(spare);
  }
}
