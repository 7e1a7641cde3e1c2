// Copyright 2026 the threadkit authors. MIT license.
// A thread that ends without its target returning (exit, close, an uncaught
// error or rejection outside the target, out of memory under resourceLimits)
// while it holds a Lock, an RLock, a Semaphore unit, or sits in
// Condition.wait, Barrier.wait or Queue.put: its joiner (blocking or async),
// the waiters on what it held, and the process all end, with the errors
// named in README "When threads fail". Each case is a subprocess
// (tests/_workers/programs/thread_death.ts), bounded in time (240 s, a
// bound on a hang). The cases about who takes a dead holder's lock over are in
// tests/sync/owner_exit_test.ts; out of memory and spare workers in
// tests/thread/death_oom_test.ts; the thread table's reuse in
// tests/thread/table_test.ts. Split so that each file ends well within the
// Node runner's bound on a file (120 s, scripts/ci_node.sh) at a load
// average of 30 on two cores: this one took 58 s of the 140 s of the three
// together there, the table alone 82 s.
import { describe, it } from "node:test";
import { type Case, caseName, checkCase, skipCase } from "./_death_cases.ts";

// Every kind of death meets every primitive at least once, and both joins.
const CASES: Case[] = [
  ["exit", "lock", "sync"],
  ["exit", "rlock", "async"],
  ["exit", "semaphore", "sync"],
  ["exit", "condition", "async"],
  ["exit", "barrier", "sync"],
  ["exit", "queue", "async"],
  ["close", "lock", "async"],
  ["close", "rlock", "sync"],
  ["close", "barrier", "async"],
  ["close", "queue", "sync"],
  // Daemon threads run on node:worker_threads workers on Deno, where
  // close() ends the worker with code 0 and no "exit" event inside it.
  ["close", "lock", "sync", "daemon"],
  ["close", "queue", "async", "daemon"],
  // An exit with code 0 is a death all the same, daemon or not.
  ["exit0", "lock", "sync"],
  ["exit0", "barrier", "async", "daemon"],
  ["error", "rlock", "sync"],
  ["error", "barrier", "async"],
  ["error", "semaphore", "async"],
  ["error", "queue", "sync"],
  ["reject", "lock", "sync"],
  ["reject", "condition", "sync"],
  ["reject", "barrier", "sync"],
];

describe("Thread death", () => {
  for (const c of CASES) {
    it(caseName(c), { skip: skipCase(c[0]) }, () => checkCase(c));
  }
});
