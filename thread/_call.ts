// Copyright 2026 the threadkit authors. MIT license.
// The worker entry's start record and its two steps around a thread's
// target (thread/_worker.ts): calling it, and posting its outcome on the
// thread's result port. Kept apart from the entry so each file stays within
// its size.

// Dynamic imports by URL: see the note above INTERNAL in thread/_worker.ts.
import type * as OutcomeModule from "../_core/outcome.ts";
import type { Outcome } from "../_core/outcome.ts";
import type { SeqName } from "../_core/names.ts";
import { entryName } from "../_core/runtime.ts";
// URL as at load: this module's lazy imports name threadkit's own codec.
import { loadSlotTests, LoadTimeURL as URL } from "../_core/host.ts";
import type * as TransferModule from "../_core/transfer.ts";
import type * as ClaimModule from "../_core/claim.ts";
import {
  type AnyFunction,
  explainMissing,
  type WireTarget,
} from "../_core/target.ts";

/** A thread's start record, as the entry runs it. */
export interface Start {
  runtime: SharedArrayBuffer;
  ident: number;
  entry: number;
  /** NAME_SEQ of its name at the reservation (_core/names.ts, "Final names"). */
  nameSeq: number;
  target: WireTarget;
  args: unknown[];
  /** The args' claim word when they hold primitives (_core/claim.ts). */
  claim?: Int32Array;
  /** Whether the thread runs under resourceLimits. */
  limited: boolean;
  port: MessagePort;
  /** The worker entry's URL when set with setWorkerEntry (bundles). */
  entryUrl?: string;
  /** Where a plain result may go: a spare's block, or a fresh worker's (_core/spare_block.ts). */
  block?: Int32Array;
}

/**
 * The args' claim (_core/claim.ts; the entry loads it only for args with
 * primitives), with the slot tests its decode asks: on Deno loaded by
 * import() alongside it (loadSlotTests), before the target's module loads,
 * so that a process.getBuiltinModule the module replaces is never asked.
 */
export async function claims(): Promise<typeof ClaimModule> {
  const slots = loadSlotTests(); // (never rejects)
  const claim = await (import(
    new URL("../_core/claim.ts", import.meta.url).href
  ) as Promise<typeof ClaimModule>);
  await slots;
  return claim;
}

// Calls the target and awaits its value, whatever it is: the microtasks the
// target queued run before the outcome is posted (what its joiner sees, and
// a death in one of them fails the join), as a primitive's await lets them.
// `waits` is called when the target returned something that may make the
// thread wait before its outcome is posted (a promise, or an object, which
// is encoded after an import): anything but a primitive.
export async function call(
  fn: AnyFunction,
  args: unknown[],
  target: WireTarget,
  waits?: () => void,
): Promise<unknown> {
  let value: unknown;
  try {
    const returned = fn(...args);
    if (
      (typeof returned === "object" && returned !== null) ||
      typeof returned === "function"
    ) waits?.();
    value = await returned;
  } catch (error) {
    throw explain(error, target);
  }
  // Only an object can be or hold a threadkit primitive, or a key that
  // needs escaping (the marker key, _core/transfer.ts), so objects are
  // always encoded, and nothing else is (encodeTransfer returns any other
  // value as it is).
  if (typeof value !== "object" || value === null) return value;
  // The host's slot tests, not ones the thread's code replaced (Deno),
  // loaded alongside the codec (the promise never rejects).
  const slots = loadSlotTests();
  const codec = await (import(
    new URL("../_core/transfer.ts", import.meta.url).href
  ) as Promise<typeof TransferModule>);
  await slots;
  return codec.encodeTransfer(value);
}

function explain(error: unknown, target: WireTarget): unknown {
  return target.kind === "source"
    ? explainMissing(error, `Thread target "${target.name || "anonymous"}"`)
    : error;
}

/**
 * The thread's final name if it was renamed since its start (_core/names.ts,
 * "Final names"): read with no wait between it and the thread's endEntry.
 */
export function finalName(start: Start): SeqName | undefined {
  try {
    return entryName(start.entry, start.ident, start.nameSeq);
  } catch {
    return undefined; // out of memory (a death's hook): the name stays behind
  }
}

// Posts the outcome: at once for a result that can be sent (a thrown
// error needs the error codec, which may still be loading), with the
// thread's final name (read after that load: nothing waits from there on).
export function post(
  port: MessagePort,
  outcome: Outcome,
  start?: Start,
): Promise<void> | undefined {
  if (outcome.ok) {
    try {
      const last = start && finalName(start);
      port.postMessage(
        last === undefined ? outcome : { ...outcome, final: last },
      );
      return;
    } catch (cause) {
      outcome = {
        ok: false,
        error: new TypeError(
          `Cannot return the thread's result: it cannot be sent to another thread (${
            (cause as Error).message
          })`,
          { cause },
        ),
      };
    }
  }
  return postError(port, outcome.error, start);
}

async function postError(
  port: MessagePort,
  error: unknown,
  start: Start | undefined,
): Promise<void> {
  const slots = loadSlotTests(); // (as in call)
  const { encodeError } = await (import(
    new URL("../_core/outcome.ts", import.meta.url).href
  ) as Promise<typeof OutcomeModule>);
  await slots;
  const last = start && finalName(start);
  try {
    port.postMessage({ ok: false, error: encodeError(error), final: last });
  } catch (cause) {
    port.postMessage({
      ok: false,
      final: last,
      error: encodeError(
        new TypeError(
          `Cannot return the thread's error: it cannot be sent to another thread (${
            (cause as Error).message
          })`,
          { cause },
        ),
      ),
    });
  }
}
