// Copyright 2026 the threadkit authors. MIT license.
// Every thread of this process on one CPU (bench/rows_ab.ts --pin). On this
// VM a wake that crosses vCPUs is a slow, kernel-heavy mode: with a
// ping-pong's two threads pinned to one vCPU or to two, the raw
// Atomics.wait/notify round trip took 2.3 us against 430-510 us, Condition's
// 4.0-5.5 us against 310-440 (BENCHMARKS.md, "Condition's slow rounds").
// Unpinned, the scheduler places each pair's threads on one vCPU or two, so
// two pairs timed in alternating rounds can be in different modes at once.
// Runtime-neutral (Deno and Node): the Linux taskset command, one thread at
// a time (a thread that ends meanwhile is skipped); elsewhere nothing is
// pinned.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

/**
 * Pins every thread of this process to `cpu`; threads started after it
 * inherit it from the thread that starts them. Returns the undo, which puts
 * every thread back on the CPUs the process had, or undefined where nothing
 * could be pinned (not Linux, no taskset).
 */
export function pinProcess(cpu: number): (() => void) | undefined {
  let allowed: string;
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const m = /Cpus_allowed_list:\s*(\S+)/.exec(status);
    if (m === null) return undefined;
    allowed = m[1];
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
  } catch {
    return undefined;
  }
  pinThreads(String(cpu));
  return () => pinThreads(allowed);
}

/**
 * Pins the main thread (the process's first, its id the pid) to `main` and
 * every other thread to `others`: a ping-pong between main and a thread
 * then crosses CPUs on every wake. Returns the undo, or undefined where
 * nothing could be pinned. Threads started after it inherit their
 * starter's CPUs (a thread the main thread starts lands on `main`).
 */
export function pinApart(
  main: number,
  others: number,
): (() => void) | undefined {
  const undo = pinProcess(others);
  if (undo === undefined) return undefined;
  pinThreads(String(main), String(process.pid));
  return undo;
}

function pinThreads(cpus: string, only?: string): void {
  for (const tid of readdirSync("/proc/self/task")) {
    if (only !== undefined && tid !== only) continue;
    try {
      execFileSync("taskset", ["-p", "-c", cpus, tid], { stdio: "ignore" });
    } catch {
      // ended meanwhile
    }
  }
}
