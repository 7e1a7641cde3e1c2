// Copyright 2026 the threadkit authors. MIT license.
// The public types of a thread's target, options and result, and
// moduleTarget(); re-exported by thread.ts, kept apart so the Thread class
// file holds the thread's life only.

import type { WaitOptions } from "../_core/wait.ts";

/** Any function a thread can run. */
// deno-lint-ignore no-explicit-any
export type ThreadFunction = (...args: any[]) => unknown;

/**
 * A thread target exported by a module: any thread can import it by URL. Give
 * the function's type as `F` to have `args` and the result type-checked.
 */
export interface ModuleTarget<F extends ThreadFunction = ThreadFunction> {
  /** Absolute URL (or bare specifier) of the module, e.g. `new URL("./work.ts", import.meta.url)`. */
  readonly module: string | URL;
  /** The name of the exported function. */
  readonly export: string;
  /** Type only, never set: the function's signature. */
  readonly signature?: F;
}

/**
 * Names an exported function as a thread target, typed by `F`.
 *
 * @example
 * ```ts ignore
 * import { moduleTarget, Thread } from "@threadkit/threadkit";
 * import type * as work from "./work.ts";
 *
 * const t = new Thread({
 *   target: moduleTarget<typeof work.sum>(new URL("./work.ts", import.meta.url), "sum"),
 *   args: [1, 2],
 * });
 * ```
 */
export function moduleTarget<F extends ThreadFunction>(
  module: string | URL,
  exportName: string,
): ModuleTarget<F> {
  return { module, export: exportName };
}

/** Options of {@linkcode Thread}. */
export interface ThreadOptions<F extends ThreadFunction = ThreadFunction> {
  /**
   * What the thread runs: a module export ({@linkcode ModuleTarget}), or a
   * self-contained function, which is sent as source text and so cannot use
   * variables of its enclosing scope (threadkit's own exports are in scope).
   */
  target: F | ModuleTarget<F>;
  /** Arguments for the target; threadkit primitives arrive as themselves. */
  args?: Parameters<F>;
  /** The thread's name; default "Thread-N (target)". */
  name?: string;
  /**
   * Whether the thread is a daemon: the process may exit while it runs.
   * Default: the daemon flag of the thread that creates it, as in Python.
   */
  daemon?: boolean;
}

/** Options of join: a timeout in ms and an AbortSignal. */
export type JoinOptions = WaitOptions;

/** The result type of a thread running `F`. */
export type ThreadResult<F extends ThreadFunction> = Awaited<ReturnType<F>>;
