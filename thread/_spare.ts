// Copyright 2026 the threadkit authors. MIT license.
// A spare worker's side (_core/spare.ts keeps spares, _core/spare_block.ts
// holds their shared block): loaded by the worker entry (thread/_worker.ts)
// only in a spare, so a worker started for one thread does not load it. A
// spare loads the package (what a source target or primitives in args need;
// threadkit's own modules, never a user's), installs the death hooks (inert
// until a thread is handed over), runs the start path's costliest first uses
// once, then sleeps on its block until it is taken or stopped.

import { exitWorker, START_KEY, workerThreads } from "../_core/host.ts";
// URL as at load: this module's lazy imports name threadkit's own modules.
import { LoadTimeURL as URL } from "../_core/host.ts";
import { takeMessage } from "../_core/adapter.ts";
import { adoptRuntime, endEntry, HEAP_BASE } from "../_core/runtime.ts";
import { loadScope } from "../_core/scope.ts";
import {
  BLOCK_BYTES,
  LOADING,
  readRecord,
  READY,
  type SpareData,
  STATE,
  STOP,
  STOPPED,
  TAKEN,
  TAKEN_SHARED,
  writeRecord,
  writeResult,
} from "../_core/spare_block.ts";
import { compilePlain, type WireTarget } from "../_core/target.ts";
import type * as WaitModule from "../_core/wait.ts";
import { call, post, type Start } from "./_call.ts";

/** What the entry lends a spare: running a thread, installing its hooks. */
export interface EntrySteps {
  run(start: Start | undefined, kind: "node"): Promise<void>;
  watchDeath(kind: "node"): void;
}

/** Serves as a spare until taken (then runs the thread) or stopped. */
export async function serveAsSpare(
  spare: SpareData,
  steps: EntrySteps,
): Promise<void> {
  await loadScope();
  const wait = await (import(
    new URL("../_core/wait.ts", import.meta.url).href
  ) as Promise<typeof WaitModule>);
  const { word, port } = spare;
  steps.watchDeath("node");
  await warmSpare(steps);
  // Stopped while loading (its keeper ended, or the entry changed): exit
  // without sleeping (_core/spare_block.ts, the state machine).
  if (Atomics.compareExchange(word, STATE, LOADING, READY) !== LOADING) {
    return exitStopped(word, port);
  }
  // Why no lost wakeup: the taker writes or posts the start record, then
  // stores TAKEN_SHARED or TAKEN and notifies (a stop stores STOP and
  // notifies); sleep only while the word is READY.
  while (Atomics.load(word, STATE) === READY) {
    wait.waitSync(word, STATE, READY, Infinity, undefined, false);
  }
  const state = Atomics.load(word, STATE);
  if (state === STOP) return exitStopped(word, port);
  // The spare's port is the thread's result port (_core/spare.ts); the
  // block may carry its result; the entry override came at construction.
  const own = { port, block: word, entryUrl: spare.entryUrl };
  if (state === TAKEN_SHARED) {
    // The record in the block, published by the state just loaded.
    const record = readRecord(word);
    steps.run({
      ...record,
      ...own,
      runtime: spare.runtime,
      limited: false,
    }, "node");
    return;
  }
  // The record on the port: read as every thread reads its port
  // (synchronously, never as an event, which would also take the buffer
  // posts a pool thread's home makes there and break pool/_shared.ts's
  // argument and its DRAIN count). The taker posted it before it stored
  // TAKEN, and a post is in the port's queue before it returns (the
  // property pool/_shared.ts names), so the first read finds it; the later
  // reads, 1 ms apart for up to RECORD_MS, are a bound, not a path seen
  // (tests/thread/spare_start_test.ts forces it).
  const deadline = performance.now() + RECORD_MS;
  for (;;) {
    const got = takeMessage(port) as
      | { message: Record<string, Start> }
      | undefined;
    if (got !== undefined) {
      steps.run({ ...got.message[START_KEY], ...own }, "node");
      return;
    }
    if (performance.now() >= deadline) {
      throw new Error(
        `A spare worker was taken but its start record did not reach it within ${RECORD_MS} ms`,
      );
    }
    wait.waitSync(word, STATE, TAKEN, performance.now() + 1, undefined, false);
  }
}

// How long a taken spare reads its port for a start record the taker
// posted (see serveAsSpare: the first read finds it). Past it the throw
// rejects serveAsSpare's promise, unhandled in the worker: the worker dies
// of it, the taker's listeners see its error and exit events, and the join
// fails with ThreadExitError ("died of an error outside its target: Error:
// A spare worker was taken but its start record did not reach it ...";
// Deno 2.9.6, forced with RECORD_MS 1 and the late post).
const RECORD_MS = 30_000;

// A spare told to stop: says it saw the stop (tests wait for it), exits.
// On Deno by close() (Deno gives node:worker_threads workers one): a
// process.exit() in a worker whose parent worker has ended left its OS
// thread behind (Deno 2.9.6, measured: 4 stopped spares of an ended thread
// kept 4 threads; with close(), none). Node ends a worker's workers with it,
// and process.exit() ends a spare whose keeper lives (an entry change).
function exitStopped(word: Int32Array, port: MessagePort): void {
  Atomics.store(word, STATE, STOPPED);
  Atomics.notify(word, STATE);
  port.close();
  const close = (globalThis as { close?: () => void }).close;
  if (typeof close === "function") close();
  else exitWorker("node");
}

// A spare runs once, with threadkit's own values only, the steps of a
// thread's start that cost most the first time they run in a fresh worker
// (each 0.2-0.5 ms on Deno 2.9.6, measured): compiling a source target,
// calling a target and encoding its value, a port's post, synchronous
// receive and close, and the block's record and result codec. None of it
// touches the runtime block, the user's modules or global state a thread
// can see.
async function warmSpare(steps: EntrySteps): Promise<void> {
  const wire: WireTarget = {
    kind: "source",
    source: "(a) => [a, { a }]",
    name: "",
  };
  const value = await call(compilePlain(wire)!, [1], wire);
  const { port1, port2 } = new MessageChannel();
  post(port1, { ok: true, value });
  workerThreads().receiveMessageOnPort(port2 as never);
  // Makes V8 compile run() (it compiles a function on its first call).
  steps.run(undefined, "node");
  port1.close();
  port2.close();
  // The first calls of _core/runtime.ts's code in a spare cost 0.08-0.13 ms
  // (adoptRuntime) and 0.07-0.1 ms (endEntry, between the result and the
  // joiner's wake) of a start (Deno 2.9.6, load 6-9; V8 compiles a
  // function on its first call, and the first of a module costs most):
  // adoptRuntime refuses a buffer too small for a runtime before it touches
  // any state, and endEntry on a scratch table with ident -1 (no thread's)
  // frees nothing and notifies nobody.
  try {
    adoptRuntime(new SharedArrayBuffer(4), 0, 0);
  } catch {
    // refused, as meant
  }
  endEntry(0, -1, new Int32Array(HEAP_BASE / 4));
  const scratch = new Int32Array(new SharedArrayBuffer(BLOCK_BYTES));
  writeRecord(scratch, {
    ident: 1,
    entry: 0,
    nameSeq: 2,
    target: wire,
    args: [1, "a"],
  });
  readRecord(scratch);
  writeResult(scratch, 1, { name: "a", seq: 4 });
}
