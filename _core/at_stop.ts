// Copyright 2026 the threadkit authors. MIT license.
// What a thread gives back by itself just before it records its own stop
// (thread/_worker.ts stop(), at the sites listed there, after which none of
// its JavaScript runs): words that name it by its ident and that others
// would otherwise free only by reading its stop in the stop ring
// (_core/runtime.ts), which keeps the last 1024 stops only. A queue's
// single-side role (queue/_solo.ts) is one: with the release here, the role
// passes on however many threads stopped since. Stops seen from outside
// (a worker that exited, ran out of memory) run no hook: for those the ring
// stays the only record, with its bound.

import { threadState } from "./host.ts";

// One set per thread (threadState): thread/_worker.ts runs the hooks from the
// bundled entry's copy of this module, the queues register them through the
// package's copy.
const hooks: Set<() => void> = threadState("atStop", () => new Set());

/**
 * Runs `hook` in this thread just before it records its own stop; the
 * returned function unregisters it. A hook must not throw or wait.
 */
export function atStop(hook: () => void): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/** Runs and clears this thread's stop hooks (thread/_worker.ts stop()). */
export function runStopHooks(): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // A hook that throws gives back nothing; the stop ring still records.
    }
  }
  hooks.clear();
}
