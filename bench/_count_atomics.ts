// Copyright 2026 the threadkit authors. MIT license.
// Atomics calls counted per thread (bench/rt_counts.ts): every Atomics
// function of the calling thread wrapped in a counter into a shared block,
// and a raw ping-pong peer counted the same way.

/** The counted functions, in the block's order. */
export const NAMES = [
  "load",
  "store",
  "compareExchange",
  "exchange",
  "add",
  "sub",
  "or",
  "and",
  "wait",
  "waitAsync",
  "notify",
] as const;
/**
 * Int32 words of a block: one per name, then notifies that woke one or
 * more, waits that slept ("ok") and waits that found the word changed.
 */
export const SLOTS = NAMES.length + 3;

/** Wraps this thread's Atomics functions in counters into `buf`. */
export function countAtomics(buf: SharedArrayBuffer): void {
  const c = new Int32Array(buf);
  const A = Atomics as unknown as Record<string, (...a: unknown[]) => unknown>;
  const n = NAMES.length;
  NAMES.forEach((name, i) => {
    const f = A[name];
    A[name] = function (...a: unknown[]) {
      const r = f.apply(Atomics, a);
      c[i]++;
      if (name === "notify" && (r as number) > 0) c[n]++;
      if (name === "wait" && r === "ok") c[n + 1]++;
      if (name === "wait" && r === "not-equal") c[n + 2]++;
      return r;
    };
  });
}

/** The raw ping-pong peer (bench/_pingpong.ts), counted into `buf`. */
export function countedRawPeer(a: Int32Array, buf: SharedArrayBuffer): number {
  countAtomics(buf);
  let seen = 0;
  for (;;) {
    while (Atomics.load(a, 0) === seen) Atomics.wait(a, 0, seen, 60_000);
    seen = Atomics.load(a, 0);
    if (Atomics.load(a, 2) === 1) return seen;
    Atomics.store(a, 1, seen);
    Atomics.notify(a, 1);
  }
}
