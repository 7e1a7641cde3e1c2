// Copyright 2026 the threadkit authors. MIT license.
/**
 * Error classes shared by every threadkit module.
 *
 * Bad arguments throw the built-in `TypeError` or `RangeError`; conditions a
 * caller may want to catch get a named class from this file.
 *
 * @module
 */

/**
 * Misuse of a primitive or a thread, such as releasing a lock that is not
 * held, joining a thread that was never started, or starting one twice.
 *
 * Python: `RuntimeError` (raised by `threading` for the same misuse).
 *
 * @example Releasing an unheld lock
 * ```ts
 * import { Lock, RuntimeError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => new Lock().release(), RuntimeError);
 * ```
 */
export class RuntimeError extends Error {
  /** Creates the error; `options.cause` is kept as `cause`. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeError";
  }
}

/**
 * Thrown by a threadkit wait inside a thread whose cancellation was requested
 * with {@linkcode Thread.prototype.cancel}. Cancellation is cooperative: the
 * thread sees it at its next (or current) threadkit wait, or when it checks
 * `currentThread().cancelled` itself.
 *
 * Python: none (Python threads cannot be cancelled).
 *
 * @example Catching a cancellation in a thread
 * ```ts
 * import { CancelledError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const err = new CancelledError();
 * assert.equal(err.name, "CancelledError");
 * ```
 */
export class CancelledError extends Error {
  /** Creates the error with a default message. */
  constructor(message = "The thread was cancelled", options?: ErrorOptions) {
    super(message, options);
    this.name = "CancelledError";
  }
}

/**
 * Thrown (or rejected with) when a wait that must produce a value, such as
 * {@linkcode Thread.prototype.joinAsync} or a `guard()`, runs out of time.
 * Waits that Python reports with `False` (`acquire`, `Event.wait`) return
 * `false` instead.
 *
 * Python: `TimeoutError`.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new TimeoutError().name, "TimeoutError");
 * ```
 */
export class TimeoutError extends Error {
  /** Creates the error with a default message. */
  constructor(message = "The operation timed out", options?: ErrorOptions) {
    super(message, options);
    this.name = "TimeoutError";
  }
}

/**
 * Raised in every thread waiting at a {@linkcode Barrier} that is broken: by
 * `abort()`, by a wait's timeout, by an action that threw, or by `reset()`
 * while threads wait; and in every thread that arrives while it is broken.
 *
 * Python: `threading.BrokenBarrierError` (a `RuntimeError`, as here).
 *
 * @example
 * ```ts
 * import { BrokenBarrierError, RuntimeError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.ok(new BrokenBarrierError() instanceof RuntimeError);
 * ```
 */
export class BrokenBarrierError extends RuntimeError {
  /** Creates the error with a default message. */
  constructor(message = "The barrier is broken", options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenBarrierError";
  }
}

/**
 * Thrown by `Thread.start()` (and so by `Timer` and `spawn`) where the
 * runtime has no way to start a thread: no `Worker` (Deno Deploy's isolates,
 * some edge runtimes) and no `node:worker_threads`. Everything else in
 * threadkit (locks, conditions, semaphores, events, barriers, queues) still
 * works within the one thread.
 *
 * Python: none (`RuntimeError: can't start new thread` is the nearest).
 *
 * @example
 * ```ts
 * import { RuntimeError, ThreadsUnavailableError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const err = new ThreadsUnavailableError();
 * assert.ok(err instanceof RuntimeError);
 * assert.match(err.message, /no Worker/);
 * ```
 */
export class ThreadsUnavailableError extends RuntimeError {
  /** Creates the error with a message that names the limitation. */
  constructor(
    message =
      "Cannot start thread: this runtime has no Worker; threadkit's primitives and queues work within one thread, threads cannot start",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ThreadsUnavailableError";
  }
}

/**
 * Thrown to the one waiter that takes over a lock whose holder ended without
 * releasing it and never can: the owner of an {@linkcode RLock} (or of a
 * Condition's RLock) that ended in any way, or the thread that acquired a
 * {@linkcode Lock} and then died (its target threw, or it exited, closed
 * itself, failed outside its target or ran out of memory). A Lock whose
 * acquirer's target returned normally is not "dead": any thread may release
 * a Lock, so the acquirer may have meant another thread to.
 *
 * When this is thrown, the calling thread holds the lock (an RLock at depth
 * 1; a `Condition.wait` returns the lock as it was held before): the data
 * the lock guards may be half-changed. Make it consistent (or discard it),
 * then release; the lock is then usable again. The other waiters keep
 * waiting for the lock and get it in turn. An `RWLock` writer that died is
 * taken over the same way, for writing. `ident` names the thread that
 * ended.
 *
 * Python: none (Python's waiters sleep forever); pthread's `EOWNERDEAD`
 * (robust mutexes), without `pthread_mutex_consistent`: catching the error
 * is the acknowledgement, and a release makes the lock usable again.
 *
 * @example Recovering a lock whose holder died
 * ```ts
 * import { Lock, OwnerDiedError, RuntimeError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * function update(lock: Lock, repair: () => void, change: () => void) {
 *   try {
 *     lock.acquire();
 *   } catch (error) {
 *     if (!(error instanceof OwnerDiedError)) throw error;
 *     repair(); // the lock is ours here: thread error.ident died holding it
 *   }
 *   try {
 *     change();
 *   } finally {
 *     lock.release();
 *   }
 * }
 * update(new Lock(), () => {}, () => {});
 * const err = new OwnerDiedError("Lock taken over from a dead holder", 7);
 * assert.ok(err instanceof RuntimeError);
 * assert.equal(err.ident, 7);
 * ```
 */
export class OwnerDiedError extends RuntimeError {
  /** The ident of the thread that stopped while holding the lock (0 if unknown). */
  ident: number;
  /**
   * Whether the lock was released again before this error was thrown: true
   * from the guard and `with...` forms (`guard`, `guardAsync`, `withLock`,
   * `withLockAsync`, and RWLock's), which have no handle to give the caller;
   * false from `acquire`, `acquireAsync` and `Condition.wait`, which throw
   * holding the lock.
   */
  released = false;
  /** Creates the error; `ident` names the thread that ended. */
  constructor(
    message = "The lock's owner ended while holding it",
    ident = 0,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "OwnerDiedError";
    this.ident = ident;
  }
}

/**
 * Thrown by a blocking form (`acquire`, `wait`, `get`, `put`, `join`, ...)
 * when it would have to wait on a thread that may not block: a browser
 * page's main thread, where `Atomics.wait` is not allowed. The message and
 * `asyncForm` name the async form to use instead. A blocking form that need
 * not wait (a free lock, a set event, a queue with items) succeeds there, as
 * its non-blocking call would.
 *
 * Python: none.
 *
 * @example
 * ```ts
 * import { CannotBlockError, RuntimeError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const err = new CannotBlockError("Cannot get: ...", { asyncForm: "getAsync" });
 * assert.ok(err instanceof RuntimeError);
 * assert.equal(err.asyncForm, "getAsync");
 * ```
 */
export class CannotBlockError extends RuntimeError {
  /** The async form to call instead, such as "acquireAsync". */
  readonly asyncForm: string | undefined;

  /** Creates the error; `options.asyncForm` names the async form. */
  constructor(
    message = "Cannot wait: this thread may not block; use the async form",
    options?: ErrorOptions & { asyncForm?: string },
  ) {
    super(message, options);
    this.name = "CannotBlockError";
    this.asyncForm = options?.asyncForm;
  }
}

/**
 * How a thread ended without its target returning or throwing: it called
 * `Deno.exit()`/`process.exit()` (`reason` "exit", `code` set), closed its
 * worker with `self.close()` ("close"), failed outside its target with an
 * uncaught error or rejection ("error", the error as `cause`), or ran out of
 * memory under its `resourceLimits` ("out-of-memory", the runtime's error as
 * `cause`). `join()` returns and `error` holds it; `joinAsync()` rejects with
 * it.
 *
 * Python: none (a Python thread cannot end its process alone).
 *
 * @example
 * ```ts
 * import { RuntimeError, ThreadExitError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const err = new ThreadExitError("Thread exited with code 3", "exit", 3);
 * assert.ok(err instanceof RuntimeError);
 * assert.equal(err.code, 3);
 * ```
 */
export class ThreadExitError extends RuntimeError {
  /** "exit", "close", "error" or "out-of-memory". */
  reason: string;
  /** The exit code for "exit" (and the worker's for the others, when known). */
  code: number | undefined;
  /** Creates the error. */
  constructor(
    message = "The thread ended without its target returning",
    reason = "exit",
    code?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ThreadExitError";
    this.reason = reason;
    this.code = code;
  }
}

/**
 * Thrown by a put (or get) on a queue created with `singleWriter: true` (or
 * `singleReader: true`) when the calling thread is not the queue's writer
 * (reader): the first thread that put (got) took that role, and it has not
 * stopped. The call changed nothing. A role whose thread has stopped (its
 * target returned or failed and it runs no more JavaScript) passes to the
 * next thread that puts (gets): a thread that stops by itself gives its
 * roles back; one stopped from outside (its worker exited or ran out of
 * memory) is recognised among the process's last 1024 stops only. On a
 * queue that is shut down, every thread's put throws QueueShutDownError.
 *
 * Python: none (Python's queues have no single-side modes; .NET's
 * `BoundedChannelOptions.SingleWriter`/`SingleReader` state the same promise
 * without checking it).
 *
 * @example
 * ```ts
 * import { RoleError, RuntimeError } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const err = new RoleError("Cannot put: thread 2 is the writer", "writer", 2);
 * assert.ok(err instanceof RuntimeError);
 * assert.equal(err.role, "writer");
 * assert.equal(err.holder, 2);
 * ```
 */
export class RoleError extends RuntimeError {
  /** The role the call needed: "writer" (puts) or "reader" (gets). */
  readonly role: "writer" | "reader";
  /** The ident of the thread that holds the role. */
  readonly holder: number;
  /** Creates the error. */
  constructor(
    message = "Cannot use queue: another thread holds this side's role",
    role: "writer" | "reader" = "writer",
    holder = 0,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "RoleError";
    this.role = role;
    this.holder = holder;
  }
}
