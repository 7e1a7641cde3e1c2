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
// Only the process's main thread does this; a started thread's own workers
// stay ref'd (it waits for its non-daemon threads itself, thread/_worker.ts),
// and so do those of a worker the program started itself, where threadkit's
// main thread is not the process's (its end is that worker's, which the
// runtime does not signal: _core/adapter.ts onProcessMain).
//
// The end is recorded the first time the loop runs out of work. A program
// whose own "beforeExit"/"beforeunload" listener schedules more work runs
// that work after the main thread's end (the runtime gives no way to tell),
// and so does one whose loop ran dry while a raw Atomics.waitAsync (which
// holds nothing) waited for a thread: the thread's answer resumes the main
// thread's code. So the end recorded here is what Python's is for joins,
// isAlive and enumerate, never a stop: what the main thread owns stays its
// own until the process exits (locks, barriers: sync/_holder.ts; executor
// results and slots: ownerLive, pool/_layout.ts).

import { settleOwed } from "./overflow.ts";
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
// message the worker entry posts before it closes (after a normal end, and
// after a death it records: close(), Deno.exit, an uncaught error), or at its
// "error" event. Only a web worker stopped by the runtime before it could post
// (out of memory, which also raises "error") would stay.
const tracked = new Set<Tracked>();
let ended = false;

/** How many workers are tracked (for tests: they are forgotten at their end). */
export function trackedCount(): number {
  return tracked.size;
}

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
  // A shallow frame: what starts stopped by an overflow owe (overflow.ts).
  try {
    settleOwed();
  } catch {
    // still owed
  }
  if (!ended) {
    ended = true;
    // The main thread is entry 0, ident 1 (_core/runtime.ts). An end, never
    // a stop: its code may still run (an unref'd timer, a raw waitAsync's
    // callback), so it is never recorded in the stop ring, and a lock it
    // holds is never taken over nor a Barrier broken for it (sync/_holder.ts,
    // sync/_parties.ts). Why no lost wakeup for joiners: see endEntry.
    endEntry(0, 1);
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
