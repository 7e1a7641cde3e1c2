// Copyright 2026 the threadkit authors. MIT license.
// Pieces of the executor's calls (executor.ts): the ids of its task
// targets, a submit's abort signal, Python's option spellings it refuses.

import { jsonStringify } from "../_core/primordials.ts";
import { checkTarget, wireTarget } from "../_core/target.ts";
import { jsonCalls, toJSONRefused } from "../queue/_codec.ts";
import type { Block } from "./_layout.ts";
import { addTarget } from "./_payload.ts";
import { abortFuture, type Future, onSettle } from "./future.ts";

// Python's keyword names where threadkit's differ: refused, not ignored
// (max_workers made a default pool, cancel_futures cancelled nothing).
export const PYTHON_OPTIONS = {
  max_workers: "maxWorkers",
  thread_name_prefix: "threadNamePrefix",
  initargs: "initArgs",
};
export const PYTHON_SHUTDOWN = { cancel_futures: "cancelFutures" };

/** One executor's target ids (this thread's copy of its target table). */
export class Targets {
  readonly #ids = new WeakMap<object, number>();
  readonly #byText = new Map<string, number>();

  /** The id of `target` in `b`'s table (added when new). */
  id(b: Block, target: unknown): number {
    if (
      typeof target === "object" && target !== null ||
      typeof target === "function"
    ) {
      const known = this.#ids.get(target);
      if (known !== undefined) return known;
    }
    const wire = wireTarget(checkTarget(target, "Cannot submit task"));
    if (jsonCalls()) throw toJSONRefused(); // before a program's toJSON runs
    const key = jsonStringify(wire);
    let id = this.#byText.get(key);
    if (id === undefined) {
      id = addTarget(b, wire);
      this.#byText.set(key, id);
    }
    this.#ids.set(target as object, id);
    return id;
  }
}

/** Aborting the signal cancels a queued task or cancels a running one. */
export function watch(future: Future, signal: AbortSignal): void {
  const onAbort = () => abortFuture(future);
  signal.addEventListener("abort", onAbort, { once: true });
  onSettle(future, () => signal.removeEventListener("abort", onAbort));
}
