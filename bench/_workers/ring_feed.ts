// Copyright 2026 the threadkit authors. MIT license.
// Producers for bench/_limits_test.ts's two-thread checks of the baseline
// rings: each puts 0..n-1 into a ring its caller consumes.
import { IntRing, type RingStorage, TextRing } from "../_ring.ts";

/** Puts the ints 0..n-1 into the IntRing over `s`. */
export function feedInts(s: RingStorage, n: number): number {
  const r = new IntRing(s);
  for (let i = 0; i < n; i++) r.put(i);
  return n;
}

/** Puts n records `{ id, payload }` into the TextRing over `s`. */
export function feedText(s: RingStorage, n: number): number {
  const r = new TextRing(s);
  for (let i = 0; i < n; i++) r.put({ id: i, payload: "x".repeat(i % 13) });
  return n;
}
