// Copyright 2026 the threadkit authors. MIT license.
/**
 * Errors of the executor: {@linkcode BrokenExecutorError} and
 * {@linkcode ThreadDiedError}. A cancelled Future raises threadkit's
 * `CancelledError`, a timed-out wait `TimeoutError` (both in `./errors`).
 * @module
 */

import { RuntimeError } from "../_core/errors.ts";

export { RuntimeError } from "../_core/errors.ts";
import { registerErrorClass } from "../_core/outcome.ts";

/**
 * The executor cannot run tasks any more: a pool thread's `initializer`
 * threw, or the thread that created the executor ended (its pool threads
 * end with it). Every queued task fails with it, and `submit` throws it.
 *
 * Python: `concurrent.futures.thread.BrokenThreadPool` (a `BrokenExecutor`,
 * itself a `RuntimeError`, as here).
 *
 * @example
 * ```ts
 * import { BrokenExecutorError, RuntimeError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.ok(new BrokenExecutorError() instanceof RuntimeError);
 * ```
 */
export class BrokenExecutorError extends RuntimeError {
  /** Creates the error with a default message. */
  constructor(
    message =
      "The thread pool is broken: an initializer failed, or the thread that created the executor ended",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "BrokenExecutorError";
  }
}

/**
 * The pool thread running a task ended while the task ran (it exited,
 * closed itself, ran out of memory under `resourceLimits`, or failed
 * outside the task). Only that task's Future fails with it; the pool starts
 * a replacement thread.
 *
 * Python: none (a dying thread takes the interpreter with it).
 *
 * @example
 * ```ts
 * import { RuntimeError, ThreadDiedError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.ok(new ThreadDiedError() instanceof RuntimeError);
 * ```
 */
export class ThreadDiedError extends RuntimeError {
  /** Creates the error with a default message. */
  constructor(
    message = "The pool thread running the task died",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ThreadDiedError";
  }
}

registerErrorClass(BrokenExecutorError);
registerErrorClass(ThreadDiedError);
