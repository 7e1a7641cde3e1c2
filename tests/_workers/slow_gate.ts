// Copyright 2026 the threadkit authors. MIT license.
// The initializer of tests/pool/stale_load_test.ts's executor: leaves the
// Event that slow_load.ts's evaluation waits for on the pool thread.
import type { Event } from "../../mod.ts";

/** Keeps `e` for slow_load.ts. */
export function gate(e: Event): void {
  (globalThis as { stale_load_gate?: Event }).stale_load_gate = e;
}
