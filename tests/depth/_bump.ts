// Copyright 2026 the threadkit authors. MIT license.
// A module target for the start sweeps: counts its run in counter[0].

/** Adds one to counter[0] and wakes its waiters; returns x + 1. */
export function bump(counter: Int32Array, x: number): number {
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
  return x + 1;
}
