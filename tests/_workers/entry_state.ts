// Copyright 2026 the threadkit authors. MIT license.
// What the package's own modules see of the worker entry's state, from
// inside a thread: tests/thread/entry_bundle_test.ts. On Deno the entry is a
// bundle with copies of these modules (scripts/bundle_entry.ts), and what it
// sets must be what the package's copies read.
import { workerEntry } from "../../_core/entry.ts";
import { loadedScope } from "../../_core/scope.ts";

/** The worker entry this thread's threads start on (inherited at start). */
export function inheritedEntry(): string | undefined {
  return workerEntry()?.href;
}

/**
 * Whether the package's names are loaded in this thread, as the package's
 * copy of _core/scope.ts sees it (a Barrier action compiles with them).
 */
export function scopeLoaded(): boolean {
  return loadedScope() !== undefined;
}
