// Copyright 2026 the threadkit authors. MIT license.
// The task of bench/stale_chain.ts as a module target: its first run on a
// pool thread loads this module and, through it, the whole library (a
// target module that is slow to load).
import { currentThread } from "../mod.ts";

/** Adds 1 to w[0]; returns the word before, as the inline task does. */
export function add(w: Int32Array): number {
  currentThread();
  return Atomics.add(w, 0, 1);
}
