// Copyright 2026 the threadkit authors. MIT license.
// Lock benchmarks:
// - uncontended acquire+release beside the platform limit, a raw
//   compareExchange+store on one Int32Array word;
// - contention over 1, 2 and 4 threads: threadkit's Lock beside a minimal
//   three-state futex mutex (bench/_futex.ts, the limit) and the
//   `multithreading` package's Mutex (what users use instead), with
//   ownership handoffs counted, since contended throughput depends mostly on
//   how often the lock changes hands.
import { bench, do_not_optimize, run, summary } from "mitata";
import { Lock, moduleTarget, RLock, Thread } from "../mod.ts";
import { Crew } from "./_crew.ts";
import { move, mtJoin, mtPool, mtShutdown, Mutex, spawn } from "./_peers.ts";
import { note } from "./_report.ts";
import type * as contend from "./_workers/contend.ts";

/** Lock pairs per timed round, split evenly between the crew's threads. */
const PAIRS = 60_000;
/** The contention sweep. */
export const THREADS: readonly number[] = [1, 2, 4];
const CORES = navigator.hardwareConcurrency;
const CREW = new URL("./_workers/contend.ts", import.meta.url);

/** The mitata name of a contention bench (the summary looks them up). */
export function contendedName(what: string, threads: number): string {
  const over = threads > CORES ? ` on ${CORES} cores` : "";
  return `${what} contended, ${threads} thread${threads > 1 ? "s" : ""}${over}`;
}

/** Starts a crew member on a threadkit Thread and returns its end. */
function onThread(
  target: "lockCrew" | "futexCrew",
  args: unknown[],
): Promise<unknown> {
  const t = new Thread({
    target: moduleTarget<typeof contend.lockCrew>(CREW, target),
    args: args as Parameters<typeof contend.lockCrew>,
    name: target,
  });
  t.start();
  return t.joinAsync({ timeout: 120_000 });
}

/** The three locks under contention, each as a way to start a member. */
const CONTENDERS: {
  what: string;
  baseline: boolean;
  member: () => (ctl: Int32Array, id: number) => Promise<unknown>;
}[] = [
  {
    what: "futex mutex",
    baseline: true,
    member: () => (ctl, id) => onThread("futexCrew", [ctl, id]),
  },
  {
    what: "Lock",
    baseline: false,
    member: () => {
      const lock = new Lock();
      return (ctl, id) => onThread("lockCrew", [lock, ctl, id]);
    },
  },
  {
    what: "multithreading Mutex",
    baseline: false,
    member: () => {
      const mutex = new Mutex();
      const url = CREW.href;
      return (ctl, id) =>
        mtJoin(spawn(
          move(mutex, { ctl }, id, url),
          async (m: Mutex, box: { ctl: Int32Array }, id: number, url: string) =>
            (await import(url)).mtCrew(m, box.ctl, id) as number,
        ));
    },
  },
];

/** Registers the lock benchmarks with mitata. */
export function register(): void {
  const raw = new Int32Array(new SharedArrayBuffer(4));
  const lock = new Lock();
  const rlock = new RLock();
  const mutex = new Mutex();
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
    bench("multithreading Mutex blockingLock+dispose (uncontended)", () => {
      const guard = mutex.blockingLock();
      do_not_optimize(guard);
      guard.dispose();
    });
  });

  for (const threads of THREADS) {
    summary(() => {
      for (const { what, baseline, member } of CONTENDERS) {
        const name = contendedName(what, threads);
        const pairs = Math.floor(PAIRS / threads);
        bench(name, async function* () {
          // Untimed: start the crew and wait until every member is ready.
          mtPool(Math.max(...THREADS));
          const crew = await Crew.start(threads, member());
          try {
            yield crew.guard(() => crew.round(pairs));
          } finally {
            await crew.stop();
          }
          note(name, {
            ops: threads * pairs,
            handoffsPerOp: crew.handoffs / crew.ops,
          });
        }).baseline(baseline);
      }
    });
  }
}

if (import.meta.main) {
  register();
  await run();
  mtShutdown();
}
