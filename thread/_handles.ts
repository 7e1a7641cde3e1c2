// Copyright 2026 the threadkit authors. MIT license.
// The calling thread's Thread handles (not exported by the package): the
// threads it started ("owned", which a worker waits for before it exits)
// and handles for threads it did not start ("foreign": from enumerate(),
// currentThread(), or passed in args), kept for identity. thread.ts fills in
// the two hooks that need Thread's private state; this file imports nothing
// of thread.ts, so imports run one way (current.ts, _worker.ts -> here).

import type { EntryInfo } from "../_core/runtime.ts";
import { threadState } from "../_core/host.ts";

/** What this registry needs of a Thread. */
export interface Handle {
  readonly daemon: boolean;
}

// One registry per thread and copy of the package (threadState): the bundled
// worker entry (thread/_worker_bundle.js) has a copy of this file (it waits
// for `owned`), and the package's copy is the one thread.ts fills. Both take
// the same object; another copy of the package in the thread has its own
// (its hooks use its own Thread class's private state).
interface Registry {
  hooks: Hooks;
  owned: Map<number, Handle>;
  foreign: Map<number, Handle>;
}
const registry: Registry = threadState("handles", () => ({
  hooks: {},
  owned: new Map(),
  foreign: new Map(),
}));

/** What Thread provides to the registry. */
interface Hooks {
  /** Makes a handle for a thread this thread did not start. */
  adopt?: (info: EntryInfo) => Handle;
  /**
   * Makes the next Thread constructed (a subclass's super() call: a Timer
   * handle) a handle for the thread of `info`, as `adopt` does.
   */
  adoptNext?: (info: EntryInfo) => void;
  /** An owned thread's result port until its outcome is collected. */
  port?: (thread: Handle) => MessagePort | undefined;
  /** Waits for an owned thread's end, then collects its outcome. */
  awaitEnd?: (thread: Handle) => Promise<void>;
  /**
   * Set by timer.ts: `of` makes a Timer handle for a Timer's thread (else
   * undefined), `fits` says whether a handle is one.
   */
  timer?: {
    of: (info: EntryInfo) => Handle | undefined;
    fits: (handle: Handle) => boolean;
  };
}

/** Set by Thread's static block. */
export const hooks: Hooks = registry.hooks;

/** Threads started by this thread, by ident. */
export const owned: Map<number, Handle> = registry.owned;
const foreign = registry.foreign;

/**
 * A handle for a live thread this thread did not start (or the current one):
 * the same object for the same thread. `adopt` and `fits` make and accept a
 * handle of a subclass (a Timer received here): a plain handle made earlier
 * (by enumerate(), say) is replaced by the subclass's.
 */
export function threadHandle(
  info: EntryInfo,
  adopt: (info: EntryInfo) => Handle = hooks.adopt!,
  fits?: (handle: Handle) => boolean,
): Handle {
  const own = owned.get(info.ident);
  if (own !== undefined) return own;
  let handle = foreign.get(info.ident);
  // A Timer's thread gets a Timer handle (also in place of a plain one made
  // before its entry named its timer), as Python's enumerate() and
  // current_thread() give the Timer object.
  const timer = hooks.timer;
  if (
    fits === undefined && timer !== undefined &&
    (handle === undefined || !timer.fits(handle))
  ) {
    const made = timer.of(info);
    if (made !== undefined) {
      foreign.set(info.ident, made);
      return made;
    }
  }
  if (handle === undefined || (fits !== undefined && !fits(handle))) {
    handle = adopt(info);
    foreign.set(info.ident, handle);
  }
  return handle;
}

/** Forgets foreign handles of threads that ended (called by enumerate). */
export function pruneHandles(alive: Set<number>): void {
  for (const ident of foreign.keys()) {
    if (!alive.has(ident)) foreign.delete(ident);
  }
}

/**
 * Waits until every non-daemon thread started by this thread has ended, and
 * reports their errors through the excepthook as their own ends would. Used by
 * a worker whose target is done, before it exits.
 */
export async function awaitOwnedThreads(): Promise<void> {
  for (;;) {
    const running = [...owned.values()].filter((t) => !t.daemon);
    if (running.length === 0) return;
    await Promise.all(running.map(hooks.awaitEnd!));
  }
}

/**
 * The result port of `thread`, a thread this thread started, while its
 * outcome is not yet collected: a message posted on it reaches the thread
 * (_core/host.ts resultPort).
 */
export function threadPort(thread: Handle): MessagePort | undefined {
  return hooks.port!(thread);
}
