// Copyright 2026 the threadkit authors. MIT license.
// The module target of README.md's "Threads" example: an exported function
// that any thread can import by URL.

/** Adds two numbers (in whichever thread imports this module). */
export function sum(a: number, b: number): number {
  return a + b;
}
