// Copyright 2026 the threadkit authors. MIT license.
// What users would use instead of threadkit, set up the way their READMEs
// show: `multithreading` (a worker pool with spawn/join, Mutex, channel) and
// `piscina` (a node:worker_threads pool). Both run on Deno 2.9.
//
// Import `multithreading` from here only. On Deno its entry module replaces
// the global Atomics.waitAsync with a wrapper that keeps the event loop
// turning with a recursive setImmediate until the wait settles: a busy main
// thread for as long as any async wait is pending. Left in place, that
// wrapper would slow every other waitAsync in the process (threadkit's
// joinAsync/acquireAsync and the raw waitAsync baselines) by keeping one of
// this machine's two cores spinning. So we load the package, keep its
// wrapper as `mtWaitAsync` for its own async benchmarks, and restore the
// native function at once.
const nativeWaitAsync = Atomics.waitAsync;
const mt: typeof import("multithreading") = await import("multithreading");
/** `multithreading`'s Atomics.waitAsync wrapper (install it only around its own async benches). */
export const mtWaitAsync: typeof Atomics.waitAsync = Atomics.waitAsync;
Atomics.waitAsync = nativeWaitAsync;

export const { channel, move, Mutex, spawn } = mt;
export type Mutex = InstanceType<typeof mt.Mutex>;

let mtWorkers = 0;

/**
 * Makes `multithreading`'s next spawn use a pool of `workers` threads. Its
 * pool defaults to navigator.hardwareConcurrency (2 here), which would queue
 * a 4-thread crew's members behind each other forever.
 */
export function mtPool(workers: number): void {
  if (mtWorkers === workers) return;
  mt.shutdown();
  mt.initRuntime({ maxWorkers: workers });
  mtWorkers = workers;
}

/** Ends `multithreading`'s pool (its idle workers keep the process alive). */
export function mtShutdown(): void {
  mt.shutdown();
  mtWorkers = 0;
}

/** Unwraps `multithreading`'s join() result: the value, or throws its error. */
export async function mtJoin<T>(
  handle: {
    join(): Promise<{ ok: true; value: T } | { ok: false; error: Error }>;
  },
): Promise<T> {
  const r = await handle.join();
  if (!r.ok) throw r.error;
  return r.value;
}
