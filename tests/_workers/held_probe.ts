// Copyright 2026 the threadkit authors. MIT license.
// Module targets that look at a pool thread's held-references stack
// (queue/_held.ts) between its tasks: tests/pool/held_refs_test.ts.
import { held } from "../../queue/_held.ts";

/** The length of this thread's held stack: 0 between tasks. */
export function heldLength(): number {
  return held.length;
}

/** Returns `[value, n x's]`: over a small taskBytes for a large `n`. */
export function pair(value: unknown, n: number): unknown[] {
  return [value, "x".repeat(n)];
}
