// Copyright 2026 the threadkit authors. MIT license.
// The names a source function sees. A Thread's or Timer's function target and
// a Barrier's action are compiled from source text (new Function, see
// target.ts) with every public export of the package as free names, so
// `(lock) => { using _ = lock.guard(); ... }` can name `Lock` without an
// import. The package root is the top of the import graph, so nothing below
// it may import it statically: this module is the one place that names it,
// and loads it on demand (a dynamic import, never on a thread's critical path
// unless that thread needs the names or revives primitives). The loaded names
// are kept for synchronous use: a Barrier action is compiled inside a
// blocking wait, which cannot await an import.

import { threadState } from "./host.ts";
// URL as at load: this module's lazy import names threadkit's own mod.ts.
import { LoadTimeURL as URL } from "./host.ts";

/**
 * Every public name of the package root (mod.ts), known without loading it;
 * tests/_core/scope_test.ts checks the list against mod.ts. A source target
 * that names none of them is compiled without loading the package: loading
 * it (every primitive, queue and the executor) was most of a cold thread
 * start with a source target (see {@linkcode needsScope}).
 */
export const SCOPE_NAMES: ReadonlySet<string> = new Set([
  "ALL_COMPLETED",
  "Barrier",
  "BoundedSemaphore",
  "BrokenBarrierError",
  "BrokenExecutorError",
  "CancelledError",
  "CannotBlockError",
  "Condition",
  "Event",
  "FIRST_COMPLETED",
  "FIRST_EXCEPTION",
  "Future",
  "Guard",
  "LifoQueue",
  "Lock",
  "OwnerDiedError",
  "PriorityQueue",
  "Queue",
  "QueueBase",
  "QueueEmptyError",
  "QueueFullError",
  "QueueMemoryError",
  "QueueShutDownError",
  "RLock",
  "RWLock",
  "RoleError",
  "RuntimeError",
  "Semaphore",
  "SimpleQueue",
  "Thread",
  "ThreadDiedError",
  "ThreadExitError",
  "ThreadPoolExecutor",
  "ThreadsUnavailableError",
  "TimeoutError",
  "Timer",
  "activeCount",
  "asCompleted",
  "currentThread",
  "defaultExcepthook",
  "enumerate",
  "getIdent",
  "getNativeId",
  "local",
  "mainThread",
  "moduleTarget",
  "prestartThreads",
  "setExcepthook",
  "setWorkerEntry",
  "spawn",
  "wait",
  "waitAsync",
]);

/**
 * Whether a function's source text may use the package's names: it contains
 * one of them as a word, or `eval` (a direct eval sees them too). A name in
 * a string or comment counts as well; that costs only the load.
 */
export function needsScope(source: string): boolean {
  // Most sources contain none of the names even as a substring: a look for
  // each with includes() says so without the word scan, whose regular
  // expression a fresh worker compiles on its first use (the scan and the
  // compile took 0.14 ms of a cold start, Deno 2.9.6).
  if (!source.includes("eval") && !containsName(source)) return false;
  for (const word of source.match(/[A-Za-z_$][\w$]*/g) ?? []) {
    if (word === "eval" || SCOPE_NAMES.has(word)) return true;
  }
  return false;
}

// Whether one of SCOPE_NAMES is a substring of `source`.
function containsName(source: string): boolean {
  for (const name of SCOPE_NAMES) if (source.includes(name)) return true;
  return false;
}

/**
 * The package's public names, once loaded in this thread, and the load in
 * progress: one per thread (threadState; the bundled worker entry,
 * thread/_worker_bundle.js, has a copy of this file beside the package's).
 */
interface Loaded {
  names?: Record<string, unknown>;
  loading?: Promise<Record<string, unknown>>;
}
const loaded: Loaded = threadState("scope", () => ({}));

/**
 * Loads the whole package in this thread (so every primitive class has
 * registered its transfer tag) and resolves to its public names.
 */
export function loadScope(): Promise<Record<string, unknown>> {
  // A URL, not a string literal: Deno loads (reads and parses) every module
  // a literal dynamic import names, transitively, when a worker that may
  // reach it starts (this is the whole package, for every thread's entry);
  // the npm build turns it back into the literal bundlers follow
  // (scripts/build_npm.ts).
  return loaded.loading ??=
    (import(new URL("../mod.ts", import.meta.url).href) as Promise<
      Record<string, unknown>
    >).then((mod) => loaded.names = { ...mod });
}

/**
 * The package's public names if this thread has loaded them (through
 * {@linkcode loadScope}), else undefined.
 */
export function loadedScope(): Record<string, unknown> | undefined {
  return loaded.names;
}
