// Copyright 2026 the threadkit authors. MIT license.
// The ports of CPython's threading tests run their thread bodies as threads
// started here: CPython's `Bunch(f, n)` (lock_tests.py) as `bunch`, with
// shared words in place of the Python lists the threads append to.

import { Thread } from "../../mod.ts";

/**
 * The bound on every join of these tests (a bug fails, never hangs): a
 * bound on a hang, not on speed (joins of a bunch ran past 30 s on 2 cores
 * at load 30-35).
 */
export const JOIN = { timeout: 120_000 };

/** A fresh Int32Array of `n` shared words, all 0. */
export function words(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

/**
 * Starts `n` threads running `target(...args, i)` (i = 0..n-1) and returns
 * them; `joinAll` waits for them (bounded).
 */
// deno-lint-ignore no-explicit-any
export function bunch<A extends any[]>(
  // deno-lint-ignore no-explicit-any
  target: (...args: any[]) => unknown,
  n: number,
  args: A,
): Thread[] {
  const threads: Thread[] = [];
  for (let i = 0; i < n; i++) {
    const t = new Thread({ target, args: [...args, i] });
    t.start();
    threads.push(t);
  }
  return threads;
}

/** Joins every thread (bounded) and returns their results in start order. */
export function joinAll(threads: Thread[]): Promise<unknown[]> {
  return Promise.all(threads.map((t) => t.joinAsync(JOIN)));
}
