// Copyright 2026 the threadkit authors. MIT license.
// Helpers shared by the test files: bounded sleeps and running a program in
// a subprocess of the current runtime (deno run -A, or node).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { prestartThreads, Thread } from "../mod.ts";
import { sparesTaken } from "../_core/spare.ts";

/** Whether the suite runs under Deno (else Node, against the npm build). */
export const isDeno: boolean = "Deno" in globalThis;

/** Whether the suite runs under Bun (against the npm build). */
export const isBun: boolean = "Bun" in globalThis;

/**
 * A stress test's size: `full` under Deno, `other` on Node and Bun. The
 * suite runs on every runtime; a stress figure is checked at its full size
 * once (under `deno test`, where the issues' acceptance figures are run)
 * and at a smaller count against the npm build, which runs the same library
 * code: every runtime still runs the test, and the full size is not paid
 * three times.
 */
export function stressSize(full: number, other: number): number {
  return isDeno ? full : other;
}

/** Resolves after `ms` milliseconds (does not block the event loop). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves once `check()` is true; polls every few ms and fails after `ms`.
 * For waiting on a state that another thread sets, not on time. The default
 * bound is a bound on a hang: on 2 cores at load 30-35 threads start in
 * seconds each, and waits for 6 threads' acquisitions ran past 20 s.
 */
export async function until(
  check: () => boolean,
  what = "the condition",
  ms = 120_000,
): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Resolves once `n` waiters (blocking or async, in any thread) are asleep on
 * `view[index]`: a notify that wakes them all says how many there were. The
 * wakes are harmless, since every threadkit wait re-checks its state and
 * sleeps again; this is how a test knows that a thread is blocked, instead
 * of sleeping and hoping. Fails after `ms`. On a queue's NOT_EMPTY
 * (NOT_FULL) it leaves GET_WAITERS (PUT_WAITERS) high by the waiters it
 * woke (only counted wakes may notify those words: queue/_state.ts):
 * harmless, a put (get) may notify nobody.
 */
export function sleepers(
  view: Int32Array,
  index: number,
  n: number,
  ms = 120_000, // as until's
): Promise<void> {
  let seen = 0;
  return until(
    () => {
      seen = Atomics.notify(view, index);
      return seen >= n;
    },
    `${n} sleepers (saw ${seen})`,
    ms,
  );
}

/**
 * Resolves to true once `view[index]` is no longer `from` (at once if it
 * already is), false after `ms`. An `Atomics.waitAsync` with a ref'd timer
 * beside it: a pending `Atomics.waitAsync` does not keep the process alive,
 * and neither do the main thread's running threads while its code runs
 * (_core/lifetime.ts), so a raw one would let `deno test` / `node --test`
 * see an empty event loop.
 */
export async function wordChanged(
  view: Int32Array,
  index: number,
  from: number,
  ms = 120_000, // a bound on a hang, as until's
): Promise<boolean> {
  const keep = setInterval(() => {}, 1_000);
  try {
    const r = Atomics.waitAsync(view, index, from, ms);
    const outcome = r.async ? await r.value : r.value;
    return outcome !== "timed-out" || Atomics.load(view, index) !== from;
  } finally {
    clearInterval(keep);
  }
}

/** Blocks the calling thread for `ms` milliseconds. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** What a subprocess did. */
export interface ProgramRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/**
 * Runs `file` as a program of the current runtime (with `programArgs`) and
 * resolves when it exits, or kills it after `timeoutMs` (then `timedOut` is
 * true). `exposeGc` runs it with a global `gc()` (V8's --expose-gc; Bun has
 * `Bun.gc` without a flag); `v8Flags` with those V8 flags (Deno, Node; Bun
 * runs JavaScriptCore, and ignores them).
 */
export function runProgram(
  file: URL,
  timeoutMs: number,
  programArgs: string[] = [],
  { exposeGc = false, v8Flags = [] }: {
    exposeGc?: boolean;
    v8Flags?: string[];
  } = {},
): Promise<ProgramRun> {
  const path = fileURLToPath(file);
  const flags = isBun ? [] : [...exposeGc ? ["--expose-gc"] : [], ...v8Flags];
  const gcFlag = flags.length === 0
    ? []
    : isDeno
    ? [`--v8-flags=${flags.join(",")}`]
    : flags;
  const args = isDeno
    ? ["run", "-A", ...gcFlag, path, ...programArgs]
    : [...gcFlag, path, ...programArgs];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "", stderr = "", timedOut = false;
    child.stdout.on("data", (d) => stdout += d);
    child.stderr.on("data", (d) => stderr += d);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout,
        stderr,
        ms: performance.now() - started,
        timedOut,
      });
    });
  });
}

/** Plain values of every kind a thread's result block carries. */
export const PLAIN_VALUES: readonly unknown[] = [
  7,
  -0,
  NaN,
  -Infinity,
  2n ** 70n,
  "é\u{1F600}\uD800",
  true,
  null,
  undefined,
];

/** What a value looks like after structuredClone, as a comparable list. */
export function cloneShape(v: unknown): unknown[] {
  return [typeof v, Object.is(v, -0), Number.isNaN(v), v];
}

/**
 * A self-contained thread target (source) that ends its thread's process
 * with its arg as the exit code: `where` is the body, its EXIT the exit.
 */
export function exitIn(where: string): (code: number) => unknown {
  return new Function(
    "code",
    where.replace(
      "EXIT",
      "(globalThis.Deno ? globalThis.Deno.exit(code) : globalThis.process.exit(code))",
    ),
  ) as (code: number) => unknown;
}

/**
 * Waits (bounded) until `n` spares are ready (prestartThreads). Under a
 * `deno test` that type-checks (not `deno task test`, which runs with
 * --no-check; see COLD_MS), the first spares on an entry also wait for its
 * type-check (15-18 s at load 25-30, prestart_test.ts): hence 120 s by
 * default, not 30.
 */
export async function spares(n: number, ms = 120_000): Promise<void> {
  const until = performance.now() + ms;
  while (prestartThreads(n) < n && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(
    prestartThreads(n),
    n,
    `${n} spares not ready within ${ms / 1000} s`,
  );
}

/**
 * The bound on the first worker of a process on a worker module that
 * `deno test` has not type-checked yet, here the watcher of a thread with
 * resourceLimits (_core/_watch.ts). On a cold check cache (a fresh
 * checkout, as CI's) the test runner type-checks that module's graph when a
 * worker first loads it, in the middle of whatever case starts that worker
 * (1.7-2.6 s of CPU for `deno check thread/_worker.ts`, cold; 11-22 s of
 * wall time at a load average of 15-18 on two cores): a pool's start in
 * tests/pool/stale_thread_test.ts ran past its 30 s at load 33, and a run
 * cut short there leaves the check uncached for the next. That time is the
 * runner's and grows with the load; the workers after it wait for nothing
 * of the kind. So a file that needs such a worker loads it first, bounded
 * by this (limitedLoaded()), and its cases keep their bounds.
 * `deno task test` (and so CI) runs with --no-check: `deno task check`
 * type-checks every module, doc examples included, and no worker of the
 * suite pays a check; this bound stays for a `deno test` run with checking.
 */
export const COLD_MS = 600_000;

/**
 * Starts a thread with resourceLimits and joins it, bounded by COLD_MS: its
 * watcher (_core/_watch.ts) is loaded, type-check and all (see COLD_MS),
 * before a case that times its own limited threads.
 */
export async function limitedLoaded(): Promise<void> {
  const t = new Thread({
    target: (n: number) => n + 1,
    args: [41],
    name: "limited load",
    resourceLimits: { maxOldGenerationSizeMb: 64 },
  });
  t.start();
  assert.equal(await t.joinAsync({ timeout: COLD_MS }), 42);
}

/** Starts `t` on a ready spare (checked by the count of spares taken). */
export function startOnSpare(t: Thread): void {
  const taken = sparesTaken();
  t.start();
  assert.equal(sparesTaken(), taken + 1, "the start took no spare");
}

/** The kinds of worker a thread starts on: fresh, fresh daemon, a spare. */
export const START_KINDS = ["fresh", "daemon", "spare"] as const;

/**
 * Starts `t` (made with `daemon: kind === "daemon"`) on the kind of worker
 * `kind` names: a ready spare (waited for, bounded: {@linkcode spares}), or
 * a fresh worker with no spare kept.
 */
export async function startAs(
  t: Thread,
  kind: typeof START_KINDS[number],
): Promise<void> {
  if (kind === "spare") {
    await spares(1);
    startOnSpare(t);
  } else {
    prestartThreads(0);
    t.start();
  }
}

/**
 * Asserts that a thread's `{ map, set, date, re }` result (a Map, a Set, a
 * Date and a RegExp) arrived as those classes, not as plain data.
 */
export function assertSlotValues(result: unknown): void {
  const r = result as Record<string, unknown>;
  assert.ok(r.map instanceof Map, `map: ${JSON.stringify(r.map)}`);
  assert.ok(r.set instanceof Set, `set: ${JSON.stringify(r.set)}`);
  assert.ok(r.date instanceof Date, `date: ${JSON.stringify(r.date)}`);
  assert.ok(r.re instanceof RegExp, `re: ${JSON.stringify(r.re)}`);
}
