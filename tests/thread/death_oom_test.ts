// Copyright 2026 the threadkit authors. MIT license.
// The thread-death table (tests/thread/death_test.ts), continued: a thread
// that dies by running out of memory under resourceLimits, and threads on
// spare workers or keeping spares, while they hold a primitive or wait on
// one. Each case is a subprocess (tests/_workers/programs/thread_death.ts),
// bounded in time (240 s, a bound on a hang); a file of its own so that
// each file of the table ends well within the Node runner's bound on a
// file (see death_test.ts).
import { describe, it } from "node:test";
import { type Case, caseName, checkCase, skipCase } from "./_death_cases.ts";

const CASES: Case[] = [
  ["oom", "lock", "sync"],
  ["oom", "rlock", "async"],
  ["oom", "semaphore", "async"],
  // Out of memory with an async wait pending, after an await: Deno 2.9.6
  // swallows that stop and keeps the worker running; the thread sees its
  // grown heap limit and ends itself (thread/_worker.ts, watchHeapLimit).
  ["oom", "condition", "sync"],
  ["oom", "barrier", "sync"],
  ["oom", "queue", "async"],
  // On a spare worker (prestartThreads): its death hooks were installed
  // before it slept, and its outcome port is the spare's own. No "oom": a
  // thread with resourceLimits never takes a spare.
  ["exit", "lock", "sync", "spare"],
  ["exit0", "barrier", "async", "spare-daemon"],
  ["close", "queue", "async", "spare"],
  ["close", "rlock", "sync", "spare-daemon"],
  ["error", "semaphore", "sync", "spare"],
  ["reject", "condition", "async", "spare-daemon"],
  // A thread that keeps spares of its own: they stop with it, after its
  // entry is freed (an out-of-memory stop may cut its death hook short).
  ["oom", "lock", "sync", "keeps"],
  ["exit", "queue", "async", "keeps"],
];

describe("Thread death (out of memory, spare workers)", () => {
  for (const c of CASES) {
    it(caseName(c), { skip: skipCase(c[0]) }, () => checkCase(c));
  }
});
