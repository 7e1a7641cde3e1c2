// Copyright 2026 the threadkit authors. MIT license.
/**
 * Functions about the running threads: {@linkcode currentThread},
 * {@linkcode mainThread}, {@linkcode getIdent}, {@linkcode enumerate} and
 * {@linkcode activeCount}. They read the thread table in shared memory, so
 * they give the same answers from every thread.
 * @module
 */

import {
  currentIdent,
  entryInfo,
  liveEntries,
  runtime,
} from "../_core/runtime.ts";
import { pruneHandles, type Thread, threadHandle } from "./thread.ts";

/**
 * The Thread of the caller: the main thread's handle on the main thread, the
 * thread's own handle inside a started thread.
 *
 * Python: `threading.current_thread`.
 *
 * @example
 * ```ts
 * import { currentThread, getIdent } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(currentThread().ident, getIdent());
 * ```
 */
export function currentThread(): Thread {
  const { entry } = runtime();
  const info = entryInfo(entry);
  if (info === undefined) {
    // Only reachable after this thread's target ended (the entry is freed
    // then, while the worker waits for its own non-daemon threads).
    return threadHandle({
      ident: currentIdent(),
      entry,
      name: `Thread-${currentIdent()}`,
      daemon: false,
    });
  }
  return threadHandle(info);
}

/**
 * The main thread's handle (ident 1, name "MainThread"), from any thread.
 *
 * Python: `threading.main_thread`.
 */
export function mainThread(): Thread {
  return threadHandle(
    entryInfo(0) ?? { ident: 1, entry: 0, name: "MainThread", daemon: false },
  );
}

/**
 * The calling thread's ident: 1 on the main thread, unique per thread.
 *
 * Python: `threading.get_ident`.
 */
export function getIdent(): number {
  return currentIdent();
}

/**
 * Every live thread, the main thread first: threads started by the caller as
 * the caller's own Thread objects, others as handles.
 *
 * Python: `threading.enumerate`.
 *
 * @example
 * ```ts
 * import { enumerate, mainThread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(enumerate()[0], mainThread());
 * ```
 */
export function enumerate(): Thread[] {
  const entries = liveEntries();
  pruneHandles(new Set(entries.map((e) => e.ident)));
  return entries.map(threadHandle);
}

/**
 * How many threads are alive, the main thread included.
 *
 * Python: `threading.active_count`.
 */
export function activeCount(): number {
  return liveEntries().length;
}
