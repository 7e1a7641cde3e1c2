// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode local}: per-thread attributes, as Python's `threading.local`.
 * @module
 */

import { currentIdent, runtime } from "../_core/runtime.ts";
import {
  type Descriptor,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";

// What local() adds in JavaScript. Each worker already has its own globals,
// so a module-level object is per thread for free. What it does not give is
// one *name* for per-thread state that crosses threads: a local passed to a
// thread (in args, a result, or inside a queued item) arrives as that
// thread's own instance of the same local, starting from its defaults, never
// as a copy of the sender's attributes. And every handle a thread receives
// for one local is the same object in that thread.
//
// No shared memory: a local's identity is a string id ("ident:n", unique in
// the process because idents are), carried in the descriptor with the
// defaults. Instances live in a per-thread Map, forever: a local is meant to
// be long-lived, like Python's (which also lives as long as its object).

const TAG = "threadkit.local";
const instances = new Map<string, object>();
let counter = 0;

/** The extra of a local's descriptor. */
interface LocalForm {
  readonly id: string;
  readonly defaults: Record<string, unknown>;
}

/**
 * Creates thread-local state: an object whose attributes each thread sets
 * and reads for itself. The creating thread gets it now; another thread that
 * receives it (as a thread arg, a result, or inside a queued item) gets its
 * own instance of the same local, starting as a copy (structured clone) of
 * `defaults`, never with the sender's attributes. Every handle of one local
 * within a thread is the same object.
 *
 * Per thread, not per async task: all async tasks of a thread share its
 * instance, as coroutines of one Python thread share a `threading.local`.
 * For per-task state use `AsyncLocalStorage` (`node:async_hooks`).
 *
 * Python: `threading.local` (a subclass's `__init__` defaults become
 * `defaults`).
 *
 * Differences from Python:
 * - Defaults are data (structured-cloneable values), not an `__init__`.
 * - Within one thread a module-level object is already per thread (each
 *   worker has its own globals); `local()` matters for state that is named
 *   in one thread and used in others.
 *
 * @param defaults the attributes each thread's instance starts with.
 * @throws {TypeError} when `defaults` cannot be structured-cloned.
 *
 * @example Each thread sees only its own attributes
 * ```ts
 * import { local, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const state = local({ hits: 0 });
 * state.hits = 5; // the main thread's instance
 * const t = new Thread({
 *   target: (state: { hits: number }) => {
 *     state.hits++; // this thread's instance, from the defaults
 *     return state.hits;
 *   },
 *   args: [state],
 * });
 * t.start();
 * assert.equal(await t.joinAsync({ timeout: 10_000 }), 1);
 * assert.equal(state.hits, 5);
 * ```
 */
// deno-lint-ignore no-explicit-any
export function local<T extends Record<string, any> = Record<string, any>>(
  defaults?: T,
): T {
  const form: LocalForm = {
    id: `${currentIdent()}:${++counter}`,
    defaults: cloneDefaults(defaults ?? {}),
  };
  return instance(form) as T;
}

function cloneDefaults(defaults: unknown): Record<string, unknown> {
  if (typeof defaults !== "object" || defaults === null) {
    throw new TypeError("Cannot create local: defaults must be an object");
  }
  try {
    return structuredClone(defaults) as Record<string, unknown>;
  } catch (cause) {
    throw new TypeError(
      `Cannot create local: defaults must be structured-cloneable (${
        (cause as Error).message
      })`,
      { cause },
    );
  }
}

// The class of every local's instances. Not a plain object on purpose: the
// queue's codec sends plain objects as JSON, which would drop the hidden
// transfer method; an instance of a class goes through the transfer path.
// Its only method is symbol-keyed, so Object.keys, JSON and spread see only
// the thread's attributes.
const forms = new WeakMap<object, Descriptor>();
class Local {
  [TO_DESCRIPTOR](): Descriptor {
    return forms.get(this)!;
  }
}

// This thread's instance of the local `form` names, made on first sight.
function instance(form: LocalForm): object {
  let object = instances.get(form.id);
  if (object === undefined) {
    object = Object.assign(new Local(), structuredClone(form.defaults));
    forms.set(object, {
      tag: TAG,
      buffer: runtime().buffer,
      byteOffset: 0,
      extra: form,
    });
    instances.set(form.id, object);
  }
  return object;
}

registerTransfer(TAG, (d) => {
  const form = d.extra as Partial<LocalForm> | undefined;
  if (
    typeof form?.id !== "string" || typeof form.defaults !== "object" ||
    form.defaults === null
  ) {
    throw new TypeError("Cannot revive local: malformed descriptor");
  }
  return instance(form as LocalForm);
});
