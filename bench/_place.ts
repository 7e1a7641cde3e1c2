// Copyright 2026 the threadkit authors. MIT license.
// Where a round's threads ran (Linux /proc): a ping-pong on this VM has two
// modes, its two threads on one vCPU (a few µs a round trip) or on two
// (hundreds of µs; BENCHMARKS.md, "Condition's slow rounds"), and the
// scheduler picks one per pair, so a ratio of two unpinned pairs compares
// like with like only when both rounds ran in the same mode. `snapshot()`
// before and after a round, `placement()` of the two: the calling thread and
// the busiest other thread of the process over the round (the peer that
// answered its round trips), each one's CPU at the end and whether either
// moved in between (se.nr_migrations). Runtime-neutral (Deno and Node);
// elsewhere than Linux, nothing is known.
import { readdirSync, readFileSync } from "node:fs";

interface ThreadStat {
  /** CPU time so far, ns. */
  cpu: number;
  /** The CPU it last ran on. */
  on: number;
  /** Times it moved between CPUs so far (-1: not told). */
  moves: number;
}

/** Every thread of the process at one moment, by thread id. */
export type Snapshot = Map<string, ThreadStat>;

function statOf(tid: string): ThreadStat | undefined {
  try {
    const dir = `/proc/self/task/${tid}`;
    const cpu = Number(readFileSync(`${dir}/schedstat`, "utf8").split(" ")[0]);
    // Field 39 (processor), counted after the ") " that ends the name.
    const stat = readFileSync(`${dir}/stat`, "utf8");
    const on = Number(stat.slice(stat.lastIndexOf(") ") + 2).split(" ")[36]);
    let moves = -1;
    try {
      const m = /se\.nr_migrations\s*:\s*(\d+)/.exec(
        readFileSync(`${dir}/sched`, "utf8"),
      );
      if (m !== null) moves = Number(m[1]);
    } catch { /* no sched file: moves unknown */ }
    return { cpu, on, moves };
  } catch {
    return undefined; // ended meanwhile, or not Linux
  }
}

/** Every thread's CPU time, CPU and moves now (empty where not told). */
export function snapshot(): Snapshot {
  const out: Snapshot = new Map();
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return out;
  }
  for (const tid of tids) {
    const s = statOf(tid);
    if (s !== undefined) out.set(tid, s);
  }
  return out;
}

/**
 * A round's placement: "1" (the caller and its busiest peer ran on one CPU
 * and neither moved), "2" (on two CPUs, neither moved), "moved" (either
 * moved during the round), "?" (not told).
 */
export type Placement = "1" | "2" | "moved" | "?";

/** The placement of the round between `before` and `after`. */
export function placement(
  before: Snapshot,
  after: Snapshot,
  self: string,
): Placement {
  const me0 = before.get(self), me1 = after.get(self);
  if (me0 === undefined || me1 === undefined) return "?";
  let peer: string | undefined, most = -1;
  for (const [tid, s] of after) {
    if (tid === self) continue;
    const d = s.cpu - (before.get(tid)?.cpu ?? 0);
    if (d > most) [peer, most] = [tid, d];
  }
  const p0 = peer === undefined ? undefined : before.get(peer);
  const p1 = peer === undefined ? undefined : after.get(peer);
  if (p0 === undefined || p1 === undefined) return "?";
  if (me1.moves < 0 || p1.moves < 0) return "?";
  if (me1.moves !== me0.moves || p1.moves !== p0.moves) return "moved";
  return me1.on === p1.on ? "1" : "2";
}
