// Copyright 2026 the threadkit authors. MIT license.
// A module target for map sweeps (tests/depth/_pool_sweep.ts): appends
// "<item> map" to the file named by the POOL_SWEEP_PATH environment
// variable (set by the program before its pool threads start) and returns
// [item, "map"].
import { appendFileSync } from "node:fs";
import process from "node:process";

/** Records this run of `t` and returns [t, "map"]. */
export function item(t: number): [number, string] {
  appendFileSync(process.env.POOL_SWEEP_PATH!, `${t} map\n`);
  return [t, "map"];
}
