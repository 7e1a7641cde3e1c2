// Copyright 2026 the threadkit authors. MIT license.
// The names a source function sees. A Thread's or Timer's function target and
// a Barrier's action are compiled from source text (new Function, see
// target.ts) with every public export of the package as free names, so
// `(lock) => { using _ = lock.guard(); ... }` can name `Lock` without an
// import. The package root is the top of the import graph, so nothing below
// it may import it statically: this module is the one place that names it,
// and loads it on demand (a dynamic import, never on a thread's critical path
// unless that thread needs the names or revives primitives). The loaded names
// are kept for synchronous use: a Barrier action is compiled inside a
// blocking wait, which cannot await an import.

/** The package's public names, once loaded in this thread. */
let names: Record<string, unknown> | undefined;
let loading: Promise<Record<string, unknown>> | undefined;

/**
 * Loads the whole package in this thread (so every primitive class has
 * registered its transfer tag) and resolves to its public names.
 */
export function loadScope(): Promise<Record<string, unknown>> {
  return loading ??= import("../mod.ts").then((mod) => names = { ...mod });
}

/**
 * The package's public names if this thread has loaded them (through
 * {@linkcode loadScope}), else undefined.
 */
export function loadedScope(): Record<string, unknown> | undefined {
  return names;
}
