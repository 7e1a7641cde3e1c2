// Copyright 2026 the threadkit authors. MIT license.
// Futures in each state for the executor tests (CPython's PENDING_FUTURE,
// CANCELLED_FUTURE, EXCEPTION_FUTURE and SUCCESSFUL_FUTURE, made by real
// tasks since only executors make Futures here), and a bounded await.

import {
  Barrier,
  Event,
  type Future,
  ThreadPoolExecutor,
  type ThreadPoolExecutorOptions,
} from "../../mod.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import {
  Block,
  LIVE,
  R_DRAIN,
  R_IDENT,
  R_READY,
  STALES,
} from "../../pool/_layout.ts";
import { until } from "../_helpers.ts";

/**
 * Resolves as `p` does, or rejects after `ms` ms (every wait has a timeout).
 * The default is a bound on a hang, as tests/_helpers.ts until's: a pool
 * thread's start took over 30 s on 2 cores at load 30-35.
 */
export function within<T>(p: PromiseLike<T>, ms = 120_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    Promise.resolve(p),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A task that blocks until `release` is set (at most 120 s: a bound on a hang), then returns "released". */
export function blocker(release: Event, started?: Event): string {
  started?.set();
  if (!release.wait({ timeout: 120_000 })) throw new Error("never released");
  return "released";
}

/** Futures in the states CPython's tests name, and how to clean up. */
export interface Fixtures {
  successful: Future<number>;
  failed: Future<number>;
  cancelled: Future<number>;
  /** Blocked until `release` is set. */
  pending: Future<string>;
  release: Event;
  close(): Promise<void>;
}

/** Makes one future in each state on a 1-thread executor of its own. */
export async function fixtures(): Promise<Fixtures> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const release = new Event(), started = new Event();
  const successful = pool.submit((a: number, b: number) => a * b, 6, 7);
  const failed = pool.submit((): number => {
    throw new RangeError("this is an exception");
  });
  await within(successful);
  await within(failed).catch(() => {});
  const pending = pool.submit(blocker, release, started);
  await within(started.waitAsync({ timeout: 30_000 }));
  const cancelled = pool.submit((x: number) => x, 1);
  if (!cancelled.cancel()) throw new Error("could not cancel a queued task");
  return {
    successful,
    failed,
    cancelled,
    pending,
    release,
    async close() {
      release.set();
      await pool.shutdownAsync();
    },
  };
}

/**
 * An executor of two pool threads, both started (a task on each, met at a
 * Barrier), and its block.
 */
export async function twoWarm(
  options: ThreadPoolExecutorOptions = {},
): Promise<[ThreadPoolExecutor, Block]> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 2, ...options });
  const warm = new Barrier(2);
  await within(
    Promise.all(
      [0, 1].map(() =>
        pool.submit((b: Barrier) => b.wait({ timeout: 30_000 }), warm)
      ),
    ),
  );
  const b = new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);
  return [pool, b];
}

/** The record of the one pool thread of `b` in a task (READY below 0). */
export function inTask(b: Block): number {
  const ws = [];
  for (let w = 0; w < b.l.records; w++) {
    const r = b.record(w);
    if (
      Atomics.load(b.v, r + R_IDENT) > 0 && Atomics.load(b.v, r + R_READY) < 0
    ) {
      ws.push(w);
    }
  }
  if (ws.length !== 1) throw new Error(`records in a task: ${ws}`);
  return ws[0];
}

/** Record `w`'s DRAIN: posts its thread has not read (pool/_shared.ts). */
export const drainOf = (b: Block, w: number): number =>
  Atomics.load(b.v, b.record(w) + R_DRAIN);

/** Resolves once `live` pool threads are left in `b` and none is stale. */
export function staleLeft(b: Block, live: number): Promise<void> {
  return until(
    () => Atomics.load(b.v, LIVE) === live && Atomics.load(b.v, STALES) === 0,
    "the stale threads' leave",
    30_000,
  );
}
