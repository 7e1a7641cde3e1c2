// Copyright 2026 the threadkit authors. MIT license.
// Condition.waitFor and waitForAsync (sync/condition.ts): Python's
// wait_for loop over the public wait, with the deadline fixed once, so the
// timeout bounds the whole call, not each wait.

import { remaining, type Wait, type WaitOptions } from "../_core/wait.ts";

/** What the loops need of a Condition: its two waits. */
interface Waits {
  wait(options?: WaitOptions): boolean;
  waitAsync(options?: WaitOptions): Promise<boolean>;
}

/** Throws a TypeError unless `predicate` is a function. */
export function checkPredicate(predicate: unknown): void {
  if (typeof predicate !== "function") {
    throw new TypeError("Cannot wait: predicate must be a function");
  }
}

/** Waits (lock held) until `predicate()` is truthy or `w` runs out. */
export function waitForSync<T>(cond: Waits, predicate: () => T, w: Wait): T {
  const { deadline, signal } = w;
  let result = predicate();
  while (!result) {
    const timeout = remaining(deadline);
    if (timeout !== undefined && timeout <= 0) break;
    cond.wait({ timeout, signal });
    result = predicate();
  }
  return result;
}

/** waitForSync without blocking the event loop. */
export async function waitForAsync<T>(
  cond: Waits,
  predicate: () => T,
  w: Wait,
): Promise<T> {
  const { deadline, signal } = w;
  let result = predicate();
  while (!result) {
    const timeout = remaining(deadline);
    if (timeout !== undefined && timeout <= 0) break;
    await cond.waitAsync({ timeout, signal });
    result = predicate();
  }
  return result;
}
