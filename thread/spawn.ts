// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode spawn}: start a thread in one call.
 * @module
 */

import { type ModuleTarget, Thread, type ThreadFunction } from "./thread.ts";

export type {
  JoinOptions,
  ModuleTarget,
  ResourceLimits,
  Thread,
  ThreadFunction,
  ThreadOptions,
  ThreadResult,
} from "./thread.ts";

/**
 * Creates and starts a (non-daemon unless the caller is a daemon) thread
 * running `target(...args)`, and returns it.
 *
 * Python: `threading.Thread(target=f, args=args).start()`.
 *
 * @example
 * ```ts
 * import { spawn } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const t = spawn((n: number) => n * 2, 21);
 * assert.equal(await t.joinAsync({ timeout: 10_000 }), 42);
 * ```
 */
export function spawn<F extends ThreadFunction>(
  target: F | ModuleTarget<F>,
  ...args: Parameters<F>
): Thread<F> {
  const thread = new Thread<F>({ target, args });
  thread.start();
  return thread;
}
