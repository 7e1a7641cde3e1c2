// Copyright 2026 the threadkit authors. MIT license.
// RWLock benchmarks: a read-mostly workload (9 reads of a 256-entry shared
// table per write) on 1, 2 and 4 persistent threads, with threadkit's Lock
// guarding every operation (the baseline) beside an RWLock whose readers
// share; plus the uncontended read and write pairs beside Lock's.
import { bench, do_not_optimize, run, summary } from "mitata";
import { Lock, moduleTarget, RWLock, Thread } from "../mod.ts";
import { Crew } from "./_crew.ts";
import { THREADS } from "./lock.ts";
import { TABLE } from "./_workers/read_mostly.ts";
import type * as rm from "./_workers/read_mostly.ts";

/** Operations per timed round, split evenly between the crew's threads. */
const OPS = 40_000;
const CORES = navigator.hardwareConcurrency;
const CREW = new URL("./_workers/read_mostly.ts", import.meta.url);

/** The mitata name of a read-mostly bench (the summary looks them up). */
export function readMostlyName(what: string, threads: number): string {
  const over = threads > CORES ? ` on ${CORES} cores` : "";
  return `${what} read-mostly (90% reads), ${threads} thread${
    threads > 1 ? "s" : ""
  }${over}`;
}

function onThread(
  target: "lockReadMostly" | "rwReadMostly",
  args: unknown[],
): Promise<unknown> {
  const t = new Thread({
    target: moduleTarget<typeof rm.lockReadMostly>(CREW, target),
    args: args as Parameters<typeof rm.lockReadMostly>,
    name: target,
  });
  t.start();
  return t.joinAsync({ timeout: 120_000 });
}

/** Registers the RWLock benchmarks with mitata. */
export function register(): void {
  const lock = new Lock();
  const rw = new RWLock();
  summary(() => {
    bench("Lock acquire+release (uncontended, rw group)", () => {
      do_not_optimize(lock.acquire());
      lock.release();
    }).baseline(true);
    bench("RWLock acquireRead+releaseRead (uncontended)", () => {
      do_not_optimize(rw.acquireRead());
      rw.releaseRead();
    });
    bench("RWLock acquireWrite+releaseWrite (uncontended)", () => {
      do_not_optimize(rw.acquireWrite());
      rw.releaseWrite();
    });
  });

  for (const threads of THREADS) {
    summary(() => {
      for (const kind of ["Lock", "RWLock"] as const) {
        const name = readMostlyName(kind, threads);
        const ops = Math.floor(OPS / threads);
        bench(name, async function* () {
          const table = new Int32Array(new SharedArrayBuffer(TABLE * 4));
          const primitive = kind === "Lock" ? new Lock() : new RWLock();
          const crew = await Crew.start(
            threads,
            (ctl) =>
              onThread(
                kind === "Lock" ? "lockReadMostly" : "rwReadMostly",
                [primitive, ctl, table],
              ),
          );
          try {
            yield crew.guard(() => crew.round(ops));
          } finally {
            await crew.stop();
          }
        }).baseline(kind === "Lock");
      }
    });
  }
}

if (import.meta.main) {
  register();
  await run();
}
