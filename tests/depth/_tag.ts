// Copyright 2026 the threadkit authors. MIT license.
// A module target for the start probes: appends "<tag> <where>" to the file
// `path` (one line per run, so a run nobody started shows as a line too),
// posts on `port` when given one, and returns [tag, where]: "spare" when
// it runs on a spare worker, else "fresh".
import { appendFileSync } from "node:fs";
import { workerData } from "node:worker_threads";

/** Records this run and returns [tag, where]. */
export function tag(
  path: string,
  t: number,
  extra?: unknown,
): [number, string] {
  const data = workerData as Record<string, unknown> | null | undefined;
  const where = data != null && typeof data === "object" &&
      "threadkit.spare" in data
    ? "spare"
    : "fresh";
  appendFileSync(path, `${t} ${where}\n`);
  if (extra instanceof MessagePort) {
    extra.postMessage(`from ${t}`);
    extra.close();
  }
  return [t, where];
}
