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
// taker posts the start record on the spare's own port, then sets the word
// and notifies, and the spare reads the record synchronously
// (receiveMessageOnPort). Waking a blocked thread took about half the time
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
// Spare word: Int32Array over its own 4-byte SharedArrayBuffer.
// | slot | name  | values                                         | written by             |
// |------|-------|------------------------------------------------|------------------------|
// | 0    | STATE | 0 LOADING, 1 READY (asleep on it), 2 TAKEN     | spare 0->1, taker 1->2 |
// Why no lost wakeup: the taker posts the start record before it stores
// TAKEN and notifies; the spare sleeps only while the word is READY and
// reads its port after it sees TAKEN, so the record is there.

import type * as WorkerThreads from "node:worker_threads";

/** The key under which a spare worker finds its readiness word. */
export const SPARE_KEY = "threadkit.spare";

/** The spare's side of a spare worker (workerData[SPARE_KEY]). */
export interface SpareData {
  readonly word: Int32Array;
  readonly port: MessagePort;
}
/** Spare word states (see the table above). */
export const SPARE_READY = 1;
const SPARE_TAKEN = 2;
/** The taker's side of a spare worker. */
export interface Spare {
  readonly worker: WorkerThreads.Worker;
  readonly ready: Int32Array;
  readonly port: WorkerThreads.MessagePort;
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
// (undefined where there is no node:worker_threads) and to unref a timer.
let construct: () => Spare | undefined = () => undefined;
let unrefTimer: (timer: ReturnType<typeof setTimeout>) => void = () => {};

/** Internal: set once by _core/adapter.ts. */
export function spareHost(
  make: () => Spare | undefined,
  unref: (timer: ReturnType<typeof setTimeout>) => void,
): void {
  construct = make;
  unrefTimer = unref;
}
const spares: Spare[] = [];
let spareCount = 0;
let filling = false;

/**
 * Keeps `n` spare workers started ahead (0 stops keeping any; the spares
 * already started stay until used or the process ends).
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
  return spares.filter((s) => Atomics.load(s.ready, 0) === SPARE_READY)
    .length;
}

/**
 * A ready spare, taken out of the list (undefined when none is); its
 * worker's events go to the listeners `listen` makes from now on.
 */
export function takeSpare(listen: () => WorkerListeners): Spare | undefined {
  const i = spares.findIndex((s) => Atomics.load(s.ready, 0) === SPARE_READY);
  if (i < 0) return undefined;
  const spare = spares.splice(i, 1)[0];
  takers.set(spare, listen());
  taken++;
  return spare;
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
 * Starts a thread on a taken spare: its start record, then the word. The
 * record holds no port (the spare's port is the thread's result port).
 */
export function handOver(
  spare: Spare,
  message: Record<string, unknown>,
): void {
  spare.port.postMessage(message);
  // Why no lost wakeup: see the spare word's table (message, then TAKEN).
  Atomics.store(spare.ready, 0, SPARE_TAKEN);
  Atomics.notify(spare.ready, 0);
}

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
    // Not in the event's own turn: the thread's joiner runs first.
    if (!filling && spares.length < spareCount) {
      filling = true;
      setTimeout(() => {
        filling = false;
        if (starting === 0) fillSpares(); // else a newer take refills
      }, 0);
    }
  }
  return go;
}

function fillSpares(): void {
  while (spares.length < spareCount) {
    const spare = construct();
    if (spare === undefined) return; // browsers: no node:worker_threads
    const drop = () => {
      const at = spares.indexOf(spare);
      if (at >= 0) spares.splice(at, 1);
    };
    // The listeners first: on Node, adding a "message" listener refs the
    // worker, which unref() then undoes. Spares never post before taken.
    spare.worker.on("message", () => takers.get(spare)?.message());
    spare.worker.on("error", (error) => {
      const taker = takers.get(spare);
      if (taker === undefined) drop();
      else taker.error(error);
    });
    spare.worker.on("exit", (code) => {
      const taker = takers.get(spare);
      if (taker === undefined) drop();
      else taker.exit(code);
    });
    spare.worker.unref();
    spares.push(spare);
  }
}
