// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode prestartThreads}: workers started ahead, so that a thread
 * starts without waiting for a worker.
 * @module
 */

import { prestartWorkers, readySpares } from "../_core/adapter.ts";

/**
 * Keeps `n` spare workers started ahead in this thread: the next
 * `Thread.start()` hands its thread to a spare that has already loaded
 * threadkit's worker entry, and a replacement starts in the background.
 * A spare has run nothing before its thread, so module state never leaks
 * between threads. Spares never keep the process alive; each holds an idle
 * V8 isolate (about 16 MB on Deno, 13 MB on Node). No spares are kept until
 * this is called; `prestartThreads(0)` stops replacing them. Daemon and
 * non-daemon threads alike take spares. Spares kept by a thread stop when
 * it ends. Spares serve the worker entry they started on (see
 * `setWorkerEntry`). Where there is no `node:worker_threads` (browsers) it
 * does nothing.
 *
 * Python: none.
 *
 * @returns how many spares are ready now (more may be loading).
 * @throws {RangeError} unless `n` is an integer from 0 to 64.
 * @example
 * ```ts
 * import { prestartThreads, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * prestartThreads(1);
 * const t = new Thread({ target: (n: number) => n + 1, args: [41] });
 * t.start();
 * assert.equal(await t.joinAsync({ timeout: 10_000 }), 42);
 * ```
 */
export function prestartThreads(n: number): number {
  prestartWorkers(n);
  return readySpares();
}
