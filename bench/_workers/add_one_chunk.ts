// Copyright 2026 the threadkit authors. MIT license.
// piscina's side of the map benchmark: one task per chunk of items.

/** Returns each item plus one. */
export default function addOneChunk(xs: number[]): number[] {
  const out = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i] + 1;
  return out;
}
