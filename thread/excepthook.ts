// Copyright 2026 the threadkit authors. MIT license.
/**
 * The hook that reports errors of threads that nobody else handles.
 * @module
 */

import type { Thread } from "./thread.ts";
import { defaultHook, setHook } from "./_hook.ts";

/** What the hook is told about an error that ended a thread. */
export interface ExceptHookArgs {
  /** What the target threw (an Error rebuilt with its class name, message, stack and cause). */
  readonly error: unknown;
  /** The thread it ended. */
  readonly thread: Thread;
}

/** A replacement for the default report. */
export type ExceptHook = (args: ExceptHookArgs) => void;

/**
 * The default hook: writes "Exception in thread NAME:" and the error's stack
 * to stderr, once per thread.
 *
 * Python: `threading.__excepthook__`.
 */
export const defaultExcepthook: ExceptHook = defaultHook;

/**
 * Replaces the hook for errors of threads started by the calling thread
 * (hooks are functions, so each thread has its own). The hook runs in the
 * starting thread once per failed thread, when that thread learns of the
 * error: at `join`/`joinAsync` or, without a join, when the thread ends.
 * Pass `undefined` to restore the default.
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
