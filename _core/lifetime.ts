// Copyright 2026 the threadkit authors. MIT license.
// The main thread's end, and the process's wait for the non-daemon threads
// after it (Python: threading._shutdown, which marks the main thread ended
// once the main module's code is done, then joins the non-daemon threads).
//
// In JavaScript the main thread's code is done when its event loop has
// nothing left to do: no timer, socket, pending threadkit async wait (each
// holds a ref'd timer, _core/wait.ts) or callback to come. The runtime says so
// with an event (Node and Bun: process "beforeExit"; Deno: globalThis
// "beforeunload"), but only if the workers of running threads do not keep the
// loop busy themselves. So the main thread's own non-daemon workers do not
// hold the process while its code runs (the adapter unrefs them and hands
// them here); threadkit holds it for them from the main thread's end on:
//
// | state   | event                                | action                                     |
// |---------|--------------------------------------|--------------------------------------------|
// | RUNNING | holdWorker(w)                        | w unref'd, tracked                         |
// | RUNNING | loop empty (loopEmpty)               | main's entry freed (joiners wake, isAlive  |
// |         |                                      | false), every tracked w ref'd -> ENDED     |
// | ENDED   | holdWorker(w)                        | w stays ref'd, tracked                     |
// | ENDED   | loop empty again                     | tracked w not yet ref'd are ref'd; if none |
// |         |                                      | was, nothing: the process exits            |
//
// Each worker is ref'd at most once, so the loop-empty event repeats at most
// once per tracked worker before the process exits: the process ends when
// its last non-daemon worker ends, as before (it was ref'd from its start
// then). Daemon workers are never tracked: they never hold the process.
// Only the main thread does this; a started thread's own workers stay ref'd
// (it waits for its non-daemon threads itself, thread/_worker.ts).
//
// The end is recorded the first time the loop runs out of work. A program
// whose own "beforeExit"/"beforeunload" listener schedules more work runs
// that work after the main thread's end (the runtime gives no way to tell).

import { endEntry } from "./runtime.ts";

/** A worker whose hold on the process threadkit controls. */
export interface HeldWorker {
  /** Makes the worker keep the process alive (called at most once). */
  ref(): void;
}

interface Tracked {
  worker: HeldWorker;
  refd: boolean;
}

// Held strongly: an unref'd web Worker that nothing else holds is collected
// by Deno while its thread still runs (measured, Deno 2.9.6: a WeakRef to it
// was empty at the loop's end, and the thread never finished). The adapter
// drops a worker at its end (the function holdWorker returns): a
// node:worker_threads worker at its "exit" event, a web worker at the last
// message the worker entry posts before it closes, or at its "error" event.
// A web worker that closes itself or exits (thread/_worker.ts records those
// deaths) sends no such message and stays here: a few hundred bytes each, and
// ref'ing it later does nothing.
const tracked = new Set<Tracked>();
let ended = false;

/** Whether the main thread's end has been recorded. */
export function mainEnded(): boolean {
  return ended;
}

/**
 * Tracks a non-daemon worker started by the main thread. The caller has
 * unref'd it, unless the main thread has already ended (then it stays
 * ref'd: `mainEnded()` is checked first). Returns the function that forgets
 * it (at its end).
 */
export function holdWorker(worker: HeldWorker): () => void {
  const entry: Tracked = { worker, refd: ended };
  tracked.add(entry);
  return () => tracked.delete(entry);
}

/**
 * The main thread's event loop has nothing left to do (the adapter's
 * listener of the runtime's event). Records the main thread's end once, then
 * refs the tracked workers not yet ref'd. Returns whether it ref'd any: the
 * runtime must then keep running (Deno needs preventDefault for that).
 */
export function loopEmpty(): boolean {
  if (!ended) {
    ended = true;
    // The main thread is entry 0, ident 1 (_core/runtime.ts). A normal end:
    // not in the died ring, so a Lock it holds is not a dead holder's.
    // Why no lost wakeup for joiners: see endEntry (write, then notify).
    endEntry(0, 1, false);
  }
  let kept = false;
  for (const t of tracked) {
    if (t.refd) continue;
    t.refd = true;
    t.worker.ref();
    kept = true;
  }
  return kept;
}
