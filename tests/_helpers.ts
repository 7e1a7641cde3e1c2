// Copyright 2026 the threadkit authors. MIT license.
// Helpers shared by the test files: bounded sleeps and running a program in
// a subprocess of the current runtime (deno run -A, or node).

import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** Whether the suite runs under Deno (else Node, against the npm build). */
export const isDeno: boolean = "Deno" in globalThis;

/** Whether the suite runs under Bun (against the npm build). */
export const isBun: boolean = "Bun" in globalThis;

/** Resolves after `ms` milliseconds (does not block the event loop). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
 * Runs `file` as a program of the current runtime and resolves when it
 * exits, or kills it after `timeoutMs` (then `timedOut` is true).
 */
export function runProgram(file: URL, timeoutMs: number): Promise<ProgramRun> {
  const path = fileURLToPath(file);
  const args = isDeno ? ["run", "-A", path] : [path];
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
