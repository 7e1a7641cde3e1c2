// Copyright 2026 the threadkit authors. MIT license.
// How a thread's death crosses to its starter (thread/_worker.ts posts it,
// thread/thread.ts turns it into a ThreadExitError), and the resourceLimits
// option that makes running out of memory a death of one thread.

import { ThreadExitError } from "../_core/errors.ts";
import { decodeError, type Outcome } from "../_core/outcome.ts";
import { decodeTransfer } from "../_core/transfer.ts";
import type { SeqName } from "../_core/names.ts";

/** How a thread died, posted on its result port in place of an outcome. */
export interface Died {
  ok: false;
  died: {
    reason: "exit" | "close" | "error" | "out-of-memory";
    code?: number;
  };
  /** The uncaught error (encoded when the codec was loaded), for "error". */
  error?: unknown;
  encoded?: boolean;
  /** The thread's final name, if renamed (_core/names.ts, "Final names"). */
  final?: SeqName;
}

/** The error a thread's death becomes (see ThreadExitError). */
function exitError(
  name: string,
  reason: string,
  code: number | undefined,
  cause: unknown,
): ThreadExitError {
  const options = cause === undefined ? undefined : { cause };
  const message = reason === "exit"
    ? `Thread "${name}" exited with code ${code ?? "unknown"}`
    : reason === "close"
    ? `Thread "${name}" closed its worker`
    : reason === "out-of-memory"
    ? `Thread "${name}" ran out of memory (its resourceLimits)`
    : `Thread "${name}" died of an error outside its target: ${
      cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
    }`;
  return new ThreadExitError(message, reason, code, options);
}

/** The outcome a thread posted (or the death it recorded), decoded. */
export function decodePosted(posted: Outcome | Died, name: string): Outcome {
  if ("died" in posted) {
    const cause = posted.encoded ? decodeError(posted.error) : posted.error;
    const { reason, code } = posted.died;
    return { ok: false, error: exitError(name, reason, code, cause) };
  }
  return posted.ok
    ? { ok: true, value: decodeTransfer(posted.value) }
    : { ok: false, error: decodeError(posted.error) };
}

/**
 * The error of a thread whose worker failed ("error" event: `error`) or
 * exited with `code` before its thread recorded anything.
 */
export function failure(
  name: string,
  error: unknown,
  code: number | undefined,
): ThreadExitError {
  const reason = isOutOfMemory(error)
    ? "out-of-memory"
    : error === undefined
    ? "exit"
    : "error";
  return exitError(name, reason, code, error);
}

/** The error of a thread with limits that its runtime stopped silently. */
export function stopped(name: string): ThreadExitError {
  return exitError(name, "out-of-memory", 1, undefined);
}

function isOutOfMemory(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code ===
    "ERR_WORKER_OUT_OF_MEMORY";
}
