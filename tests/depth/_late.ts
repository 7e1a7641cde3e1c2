// Copyright 2026 the threadkit authors. MIT license.
// A module target for tests/depth/_nojoin_sweep.ts: works `ms` (a bounded
// blocking wait on a word nobody notifies), then appends `tag` to the file
// `path`: a line there says the thread ran to its end before the process
// exited.
import { appendFileSync } from "node:fs";

/** Blocks `ms`, then records `tag` in `path`. */
export function late(path: string, tag: number, ms: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  appendFileSync(path, `${tag}\n`);
  return tag;
}
