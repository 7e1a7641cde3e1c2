// Copyright 2026 the threadkit authors. MIT license.
// The thread-start task as a module export: threadkit's module target names
// `addOne`, piscina runs the default export.

/** Returns `n + 1`. */
export function addOne(n: number): number {
  return n + 1;
}

export default addOne;
