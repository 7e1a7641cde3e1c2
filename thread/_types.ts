// Copyright 2026 the threadkit authors. MIT license.
// The public types of a thread's target, options and result, moduleTarget(),
// and the checks of a Thread's options; re-exported by thread.ts, kept apart
// so the Thread class file holds the thread's life only.

import type { WaitOptions } from "../_core/wait.ts";
import { checkTarget } from "../_core/target.ts";
import { refuseSpellings } from "../_core/options.ts";

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
  /**
   * Memory limits enforced on this thread alone: a thread that exceeds them
   * ends with a {@linkcode ThreadExitError} (reason "out-of-memory") and the
   * process lives on. Without them, a thread that runs out of memory takes
   * the whole process down on Deno (web workers; exit 133) and runs into
   * the process's heap limit on Node. With limits, the thread runs on a
   * `node:worker_threads` worker on Deno too (its start is slower).
   */
  resourceLimits?: ResourceLimits;
}

/**
 * Per-thread memory limits, in MB: those of `node:worker_threads`, which
 * enforces them per worker in Node and in Deno.
 */
export interface ResourceLimits {
  /** Most MB of the main (old generation) heap. */
  maxOldGenerationSizeMb?: number;
  /** Most MB of the young generation heap. */
  maxYoungGenerationSizeMb?: number;
  /** MB reserved for generated code. */
  codeRangeSizeMb?: number;
  /**
   * The thread's stack size in MB, at least 0.3 (a
   * smaller stack cannot run the thread's start on Node).
   */
  stackSizeMb?: number;
}

/** Options of join: a timeout in ms and an AbortSignal. */
export type JoinOptions = WaitOptions;

/** The result type of a thread running `F`. */
export type ThreadResult<F extends ThreadFunction> = Awaited<ReturnType<F>>;

/** A Thread's checked options (thread/thread.ts). */
export interface CheckedOptions<F extends ThreadFunction> {
  target: F | ModuleTarget<F>;
  args: unknown[];
  name: string | undefined;
  daemon: boolean | undefined;
  limits: Record<string, number> | undefined;
}

/**
 * Checks a Thread's options.
 * @throws {TypeError} for a bad target, args, daemon, name or limit key.
 * @throws {RangeError} for a limit that is not a positive number.
 */
export function checkOptions<F extends ThreadFunction>(
  options: ThreadOptions<F>,
): CheckedOptions<F> {
  // Python's kwargs, ignored, ran the target without them.
  refuseSpellings("create thread", options, {
    kwargs: "args (a target takes positional args: pass an object in args)",
  });
  const { target, args = [], name, daemon, resourceLimits } = options ?? {};
  const checked = checkTarget(target) as F | ModuleTarget<F>;
  if (!Array.isArray(args)) {
    throw new TypeError("Cannot create thread: args must be an array");
  }
  if (daemon !== undefined && typeof daemon !== "boolean") {
    throw new TypeError("Cannot create thread: daemon must be a boolean");
  }
  if (name !== undefined && typeof name !== "string") {
    throw new TypeError("Cannot create thread: name must be a string");
  }
  const limits = checkLimits(resourceLimits);
  return { target: checked, args, name, daemon, limits };
}

/**
 * Returns encoded `args` if they can be sent to a thread.
 * @throws {TypeError} naming the thread, with the clone error as cause.
 */
export function sendable(name: string, args: unknown): unknown {
  // Primitives other than symbols always clone: no trial clone for them.
  // A loop, not every (which a program can replace).
  if (Array.isArray(args)) {
    let i = 0;
    while (i < args.length && clones(args[i])) i++;
    if (i === args.length) return args;
  }
  try {
    structuredClone(args);
    return args;
  } catch (cause) {
    throw argsRefused(name, cause);
  }
}

/**
 * The error for a thread's args that cannot be sent, `cause` saying why; a
 * RangeError (a stack overflow in the clone's walk: at the end of the
 * stack, or args nested past it) is thrown as it is, as every overflow.
 */
export function argsRefused(
  name: string,
  cause: unknown,
): TypeError | RangeError {
  if (cause instanceof RangeError) return cause;
  return new TypeError(
    `Cannot start thread "${name}": its args cannot be sent to a thread (${
      (cause as Error).message
    })`,
    { cause },
  );
}

function clones(value: unknown): boolean {
  return value === null ||
    (typeof value !== "object" && typeof value !== "function" &&
      typeof value !== "symbol");
}

const LIMIT_KEYS = [
  "maxOldGenerationSizeMb",
  "maxYoungGenerationSizeMb",
  "codeRangeSizeMb",
  "stackSizeMb",
] as const;

/**
 * The smallest `resourceLimits.stackSizeMb` (300 KiB). Node keeps 192 KiB of
 * a worker's stack in reserve, and its worker start runs in the rest: with
 * 0.25 MB the thread ran out of stack before its target (ThreadExitError,
 * "out-of-memory"), with 0.255 MB it ran (Node 20.20.2; Deno 2.9.6 and
 * Bun 1.4.4 ran at 0.25 and below). The floor keeps room above that edge.
 */
export const MIN_STACK_MB = 0.3;

/**
 * Checks resource limits (`what`: the refused call, e.g. "Cannot create
 * thread").
 * @throws {TypeError} for an unknown key or a limits value not an object.
 * @throws {RangeError} for a limit that is not a positive number, or a
 * stackSizeMb below {@linkcode MIN_STACK_MB}.
 */
export function checkLimits(
  limits: ResourceLimits | undefined,
  what = "Cannot create thread",
): Record<string, number> | undefined {
  if (limits === undefined) return undefined;
  if (typeof limits !== "object" || limits === null) {
    throw new TypeError(`${what}: resourceLimits must be an object`);
  }
  const out: Record<string, number> = {};
  for (const key of Object.keys(limits)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key)) {
      throw new TypeError(
        `${what}: unknown resource limit "${key}" (known: ${
          LIMIT_KEYS.join(", ")
        })`,
      );
    }
    const value = (limits as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !(value > 0) || value === Infinity) {
      throw new RangeError(
        `${what}: resourceLimits.${key} must be a positive number of MB, got ${
          String(value)
        }`,
      );
    }
    if (key === "stackSizeMb" && value < MIN_STACK_MB) {
      throw new RangeError(
        `${what}: resourceLimits.stackSizeMb must be at least ${MIN_STACK_MB} (MB), got ${value} (a smaller stack cannot start a thread on Node)`,
      );
    }
    out[key] = value;
  }
  return out;
}
