// Copyright 2026 the threadkit authors. MIT license.
// A thread that keeps spare workers and then ends (tests/thread/
// prestart_test.ts): it returns the blocks of its spares, whose states the
// test watches (_core/spare_block.ts: STOP, then STOPPED as each exits).
import { prestartThreads } from "../../mod.ts";
import { spareBlocks } from "../../_core/spare.ts";

/**
 * Keeps `n` spares; with `ready`, waits (bounded) until all are ready;
 * with `exit`, exits its worker just after its result is posted (a death
 * after the target's end stops them too).
 */
export async function keep(
  n: number,
  ready: boolean,
  exit: boolean,
): Promise<Int32Array[]> {
  prestartThreads(n);
  const until = performance.now() + 30_000;
  while (ready && prestartThreads(n) < n && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
  }
  if (exit) {
    const g = globalThis as unknown as {
      Deno?: { exit(code: number): never };
      process: { exit(code: number): never };
    };
    setTimeout(() => g.Deno ? g.Deno.exit(0) : g.process.exit(0), 0);
  }
  return spareBlocks();
}
