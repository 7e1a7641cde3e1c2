// Copyright 2026 the threadkit authors. MIT license.
// A thread that puts into a full queue (the full path: putSlow, enterPut,
// leavePut) with the getters' wake after the store planted to fail at its
// first step (tests/queue/accepted_put_test.ts). Returns the outcome.
import { stateOf } from "../../queue/_core.ts";
import type { QueueBase } from "../../queue/_core.ts";

/**
 * Makes the next read of `wakes` on `q`'s store in this thread throw the
 * RangeError an overflow at afterPut's entry would; later reads answer as
 * before. Returns how many reads threw.
 */
export function plant(q: unknown): () => number {
  const store = stateOf(q as QueueBase<unknown>).store as { wakes?: boolean };
  const was = store.wakes;
  let threw = 0;
  Object.defineProperty(store, "wakes", {
    configurable: true,
    get() {
      if (threw > 0) return was;
      threw++;
      throw new RangeError("Maximum call stack size exceeded");
    },
  });
  return () => threw;
}

/** Plants the fault, then puts `x` (timed); "put" and the reads that threw, or the error. */
export function putPlanted(
  q: { put(x: number, o?: { timeout?: number }): void },
  x: number,
): [string, number] {
  const threw = plant(q);
  try {
    q.put(x, { timeout: 60_000 });
    return ["put", threw()];
  } catch (error) {
    return [String(error), threw()];
  }
}
