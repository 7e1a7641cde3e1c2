// Copyright 2026 the threadkit authors. MIT license.
// Thread start to first result: start a thread that returns n + 1, wait for
// the answer, and let the thread end. Each iteration starts a fresh thread.
// - raw web Worker (module file that posts back n + 1): the platform limit;
// - threadkit Thread with a module target and with a source target (source
//   targets load the package in the worker so its names are in scope);
// - `multithreading` spawn/join on a fresh pool (its pool starts the worker
//   on the first spawn) and `piscina` (new pool, run, destroy): what users
//   use instead;
// - the same two peers on a warm pool: no thread start at all, only task
//   dispatch, which a pool buys; shown for scale, not compared.
import { bench, run, summary } from "mitata";
import { Piscina } from "piscina";
import { moduleTarget, prestartThreads, Thread } from "../mod.ts";
import { move, mtJoin, mtPool, mtShutdown, spawn } from "./_peers.ts";
import { note } from "./_report.ts";
import type * as addOne from "./_workers/add_one.ts";

const RAW = new URL("./_workers/raw_add_one.ts", import.meta.url);
const TASK = new URL("./_workers/add_one.ts", import.meta.url);

/** Names the summary looks up. */
export const NAMES = {
  raw: "raw Worker start to first result",
  module: "Thread start to first result (module target)",
  source: "Thread start to first result (source target)",
  mtCold: "multithreading spawn/join, new pool",
  piscinaCold: "piscina run, new pool",
  mtWarm: "multithreading spawn/join, warm pool (no start)",
  piscinaWarm: "piscina run, warm pool (no start)",
  daemonCold: "Thread start to first result (daemon, no spare)",
  daemonSpare: "Thread start to first result (daemon, spare ready)",
} as const;

const scratch = new Int32Array(new SharedArrayBuffer(4));

/** Blocks until a spare worker is ready (untimed: a computed parameter). */
function spareReady(): number {
  const until = performance.now() + 30_000;
  while (prestartThreads(1) < 1) {
    if (performance.now() > until) throw new Error("No spare within 30 s");
    Atomics.wait(scratch, 0, 0, 1);
  }
  return ++n;
}

async function daemonStart(sent: number): Promise<void> {
  const t = new Thread({
    target: moduleTarget<typeof addOne.addOne>(TASK, "addOne"),
    args: [sent],
    daemon: true,
  });
  t.start();
  check(await t.joinAsync({ timeout: 60_000 }), sent);
}

let n = 0;

function check(got: unknown, sent: number): void {
  if (got !== sent + 1) throw new Error(`Expected ${sent + 1}, got ${got}`);
}

/** Registers the thread-start benchmarks with mitata. */
export function register(): void {
  summary(() => {
    bench(NAMES.raw, async () => {
      const sent = ++n;
      const w = new Worker(RAW, { type: "module" });
      const got = await new Promise<number>((resolve, reject) => {
        w.onmessage = (e) => resolve(e.data);
        w.onerror = (e) => reject(e.error ?? new Error(e.message));
        w.postMessage(sent);
      });
      w.terminate();
      check(got, sent);
    }).baseline(true);

    bench(NAMES.module, async () => {
      const sent = ++n;
      const t = new Thread({
        target: moduleTarget<typeof addOne.addOne>(TASK, "addOne"),
        args: [sent],
      });
      t.start();
      check(await t.joinAsync({ timeout: 60_000 }), sent);
    });

    bench(NAMES.source, async () => {
      const sent = ++n;
      const t = new Thread({ target: (n: number) => n + 1, args: [sent] });
      t.start();
      check(await t.joinAsync({ timeout: 60_000 }), sent);
    });

    bench(NAMES.mtCold, async () => {
      const sent = ++n;
      mtPool(1);
      check(await mtJoin(spawn(move(sent), (n: number) => n + 1)), sent);
      mtShutdown();
    });

    bench(NAMES.daemonCold, async () => {
      prestartThreads(0);
      await daemonStart(++n);
    });

    bench(NAMES.daemonSpare, function* () {
      yield {
        [0]: spareReady,
        bench: (sent: number) => daemonStart(sent),
      };
      prestartThreads(0);
    });

    bench(NAMES.piscinaCold, async () => {
      const sent = ++n;
      const pool = new Piscina({ filename: TASK.href, maxThreads: 1 });
      check(await pool.run(sent), sent);
      await pool.destroy();
    });
  });

  summary(() => {
    bench(NAMES.mtWarm, async function* () {
      mtPool(1);
      await mtJoin(spawn(move(0), (n: number) => n + 1));
      yield async () => {
        const sent = ++n;
        check(await mtJoin(spawn(move(sent), (n: number) => n + 1)), sent);
      };
      mtShutdown();
    });

    bench(NAMES.piscinaWarm, async function* () {
      const pool = new Piscina({ filename: TASK.href, maxThreads: 1 });
      await pool.run(0);
      yield async () => {
        const sent = ++n;
        check(await pool.run(sent), sent);
      };
      await pool.destroy();
    });
  });
  for (const name of Object.values(NAMES)) note(name, { ops: 1 });
}

if (import.meta.main) {
  register();
  await run();
  mtShutdown();
}
