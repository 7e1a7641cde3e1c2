// Copyright 2026 the threadkit authors. MIT license.
/**
 * The hook that reports errors of threads that nobody else handles.
 * @module
 */

import type { Thread } from "./thread.ts";
// deno-lint-ignore no-unused-vars
import type { ThreadExitError } from "../_core/errors.ts";

export type {
  JoinOptions,
  ModuleTarget,
  ResourceLimits,
  Thread,
  ThreadFunction,
  ThreadOptions,
  ThreadResult,
} from "./thread.ts";
import { defaultHook, setHook } from "./_hook.ts";

/**
 * What the hook is told about an error that ended a thread.
 *
 * Python: `threading.ExceptHookArgs`; `excType`, `excValue`,
 * `excTraceback` and `thread` are its `exc_type`, `exc_value`,
 * `exc_traceback` and `thread`.
 *
 * @example
 * ```ts
 * import { type ExceptHookArgs, setExcepthook, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * // A thread that fails while nobody joins it is reported through the hook.
 * const reported = new Promise<ExceptHookArgs>((resolve) => setExcepthook(resolve));
 * const t = new Thread({
 *   target: () => {
 *     throw new RangeError("bad");
 *   },
 *   name: "failing",
 * });
 * t.start();
 * let timer: ReturnType<typeof setTimeout> | undefined;
 * const args = await Promise.race([
 *   reported,
 *   new Promise<never>((_, reject) => {
 *     timer = setTimeout(() => reject(new Error("not reported")), 10_000);
 *   }),
 * ]);
 * clearTimeout(timer);
 * setExcepthook(undefined);
 * assert.equal(args.thread, t);
 * assert.equal(args.excType, RangeError);
 * assert.equal((args.excValue as Error).message, "bad");
 * assert.match(args.excTraceback ?? "", /RangeError: bad/);
 * ```
 */
export interface ExceptHookArgs {
  /** What the target threw (an Error rebuilt with its class name, message, stack and cause). */
  readonly error: unknown;
  /** The error's class (its constructor); `undefined` for a thrown primitive. Python: `exc_type`. */
  readonly excType: unknown;
  /** The same value as `error`. Python: `exc_value`. */
  readonly excValue: unknown;
  /** The error's stack text, if it has one. Python: `exc_traceback` (a traceback object). */
  readonly excTraceback: string | undefined;
  /** The thread it ended. */
  readonly thread: Thread;
}

/** A replacement for the default report. */
export type ExceptHook = (args: ExceptHookArgs) => void;

/**
 * The default hook: writes "Exception in thread NAME:" and the error's stack
 * to stderr, once per thread. Called with no thread, or one without a name
 * (Python: `thread=None`), it names the calling thread's ident instead.
 *
 * Python: `threading.__excepthook__`.
 *
 * @example Chaining to the default report
 * ```ts
 * import { defaultExcepthook, setExcepthook } from "@threadkit/threadkit";
 *
 * let failures = 0;
 * setExcepthook((args) => {
 *   failures++;
 *   defaultExcepthook(args); // still print the report
 * });
 * setExcepthook(undefined);
 * ```
 */
export const defaultExcepthook: (
  args: Omit<ExceptHookArgs, "thread"> & { readonly thread?: Thread | null },
) => void = defaultHook;

/**
 * Replaces the hook for errors of threads started by the calling thread
 * (hooks are functions, so each thread has its own). The hook runs in the
 * starting thread, once per thread that ends with an error (its target
 * threw, or it died: a {@linkcode ThreadExitError}) when no `join()` or
 * `joinAsync()` of it was waiting: a pending `joinAsync()` rejects with the
 * error instead, and a blocking `join()` leaves it in `error`, unreported.
 * A failure after the target ended (an uncaught error in a callback) is
 * reported too. Pass `undefined` to restore the default.
 *
 * Python: assigning `threading.excepthook`.
 *
 * @example Collecting errors instead of printing them
 * ```ts
 * import { setExcepthook, type ExceptHookArgs } from "@threadkit/threadkit";
 *
 * const seen: ExceptHookArgs[] = [];
 * setExcepthook((args) => seen.push(args));
 * setExcepthook(undefined);
 * ```
 */
export function setExcepthook(replacement: ExceptHook | undefined): void {
  if (replacement !== undefined && typeof replacement !== "function") {
    throw new TypeError("Cannot set excepthook: it must be a function");
  }
  setHook(replacement);
}
