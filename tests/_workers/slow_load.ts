// Copyright 2026 the threadkit authors. MIT license.
// A target module that is slow to load, for tests/pool/stale_load_test.ts:
// its evaluation waits for the Event the executor's initializer
// (slow_gate.ts) left on the pool thread, so a test holds a task in its
// target's load for as long as it needs, with no sleep.
import type { Event } from "../../mod.ts";

const held = globalThis as { stale_load_gate?: Event };
if (!await held.stale_load_gate?.waitAsync({ timeout: 30_000 })) {
  throw new Error("the load was never let through");
}

/** Adds 1 to w[0]; returns the word before. */
export function add(w: Int32Array): number {
  return Atomics.add(w, 0, 1);
}
