// Copyright 2026 the threadkit authors. MIT license.
// Lock benchmarks: the uncontended acquire+release pair beside the platform
// limit, a raw compareExchange+store on one Int32Array word.
import { bench, do_not_optimize, run, summary } from "mitata";
import { Lock, RLock } from "../mod.ts";

/** Registers the lock benchmarks with mitata. */
export function register(): void {
  const raw = new Int32Array(new SharedArrayBuffer(4));
  const lock = new Lock();
  const rlock = new RLock();
  summary(() => {
    bench("raw compareExchange+store pair", () => {
      do_not_optimize(Atomics.compareExchange(raw, 0, 0, 1));
      Atomics.store(raw, 0, 0);
    }).baseline(true);
    bench("Lock acquire+release (uncontended)", () => {
      do_not_optimize(lock.acquire());
      lock.release();
    });
    bench("RLock acquire+release (uncontended)", () => {
      do_not_optimize(rlock.acquire());
      rlock.release();
    });
  });
}

if (import.meta.main) {
  register();
  await run();
}
