// Copyright 2026 the threadkit authors. MIT license.
// Helpers of the unbounded LifoQueue/PriorityQueue model tests.

// deno-lint-ignore no-explicit-any
export type Any = any;

/** A small unbounded queue: initialCapacity 1 if the class takes it. */
export function make(Cls: Any, init: Record<string, unknown> = {}): Any {
  // Harness check against the bounded kind: PROBE_BOUNDED=<capacity>.
  const bounded = (globalThis as Any).Deno?.env.get("PROBE_BOUNDED");
  if (bounded) {
    const { maxCapacity, ...rest } = init;
    return new Cls({ ...rest, capacity: maxCapacity ?? Number(bounded) });
  }
  try {
    return new Cls({ initialCapacity: 1, ...init });
  } catch (error) {
    if (!(error instanceof RangeError) && !(error instanceof TypeError)) {
      throw error;
    }
    return new Cls(init);
  }
}

/** A seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every item now (getMany without waiting), [] when empty. */
export function drain(q: Any): unknown[] {
  const out: unknown[] = [];
  for (;;) {
    let got: unknown[];
    try {
      got = q.getMany(1 << 20, { block: false });
    } catch (error) {
      const n = (error as Error)?.constructor?.name;
      if (n === "QueueEmptyError" || n === "QueueShutDownError") return out;
      throw error;
    }
    for (const x of got) out.push(x);
  }
}
