// Copyright 2026 the threadkit authors. MIT license.
// Module targets for the executor tests and the stress test.

/** Returns `n + 1`. */
export function addOne(n: number): number {
  return n + 1;
}

/** Resolves to `n * 2` after a microtask (an async task). */
export async function asyncDouble(n: number): Promise<number> {
  await null;
  return n * 2;
}

/** The stress test's per-item task: counts the run, returns a checkable value. */
export function stressItem(i: number): number {
  const runs = (globalThis as { STRESS_RUNS?: Int32Array }).STRESS_RUNS!;
  Atomics.add(runs, i, 1);
  return i * 2 + 1;
}

/** The stress test's initializer: keeps the run counters in the thread. */
export function stressInit(runs: Int32Array): void {
  (globalThis as { STRESS_RUNS?: Int32Array }).STRESS_RUNS = runs;
}
