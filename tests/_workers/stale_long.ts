// Copyright 2026 the threadkit authors. MIT license.
// The long task of tests/pool/stale_thread_test.ts: it holds its pool
// thread until `release` is set, then ends as `how` says. "return": it
// takes what its port holds unread (home's posts, pool/_shared.ts) and
// returns [messages, buffers among them, this thread's ident]; "throw":
// throws a RangeError; "exit": ends its thread; "oom": runs its thread out
// of memory (resourceLimits).
import type { Event } from "../../mod.ts";
import { takeBacklog } from "./port_backlog.ts";

/** See the top of this file. */
export function long(
  release: Event,
  started: Event,
  how: "return" | "throw" | "exit" | "oom",
): [number, number, number] {
  started.set();
  if (!release.wait({ timeout: 30_000 })) throw new Error("never released");
  if (how === "throw") throw new RangeError("long task failed");
  if (how === "exit") {
    (globalThis as unknown as { process: { exit(c: number): void } })
      .process.exit(3);
  }
  if (how === "oom") {
    const keep: number[][] = [];
    // About 320 MB at most, ten times the test's limit.
    for (let i = 0; i < 40; i++) keep.push(new Array(1 << 20).fill(i));
    return [keep.length, -1, -1];
  }
  return takeBacklog();
}

/**
 * A home thread: makes a 2-thread executor (`prefix` names its threads),
 * holds one thread in a long task (`long`, "return") until `release`, and
 * submits 40 tasks over fresh buffers to the other, so the held one is
 * marked stale; returns the marks it made, then ends (home's end) while
 * the stale thread still runs its task.
 */
export async function homeEnds(
  release: Event,
  prefix: string,
): Promise<number> {
  const { ThreadPoolExecutor, Event } = await import("../../mod.ts");
  const { staleMarks } = await import("../../pool/_stale.ts");
  const pool = new ThreadPoolExecutor({
    maxWorkers: 2,
    threadNamePrefix: prefix,
  });
  const started = new Event();
  pool.submit(
    { module: new URL(import.meta.url), export: "long" },
    release,
    started,
    "return",
  );
  started.wait({ timeout: 30_000 });
  const add = (w: Int32Array) => Atomics.add(w, 0, 1);
  for (let i = 0; i < 40; i++) {
    pool.submit(add, new Int32Array(new SharedArrayBuffer(64)))
      .result({ timeout: 30_000 });
  }
  return staleMarks().marked;
}
