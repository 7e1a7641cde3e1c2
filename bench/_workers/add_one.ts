// Copyright 2026 the threadkit authors. MIT license.
// The thread-start task and piscina's task in the executor rows, as a module
// export: threadkit's module target names `addOne`, piscina runs the default
// export (Node runs its build, bench/_node_build.ts).

/** Returns `n + 1`. */
export function addOne(n: number): number {
  return n + 1;
}

/** The time it is called (performance.timeOrigin + now: bench/start_ab.ts). */
export function calledAt(): number {
  return performance.timeOrigin + performance.now();
}

export default addOne;
