// Copyright 2026 the threadkit authors. MIT license.
// A thread that ends by exiting (or failing outside its target) while it
// holds a lock that others wait for: the one waiter that takes the lock
// over gets OwnerDiedError holding it (an RWLock for writing; a Condition's
// lock at the depth its waiter held it), and a Barrier whose action exits
// its thread breaks for the waiters (blocking and async) and for an
// arrival, and reset() recovers it. Each case is a subprocess of
// tests/_workers/programs/thread_death.ts (tests/thread/_death_cases.ts
// checks its report), bounded in time.
import { describe, it } from "node:test";
import {
  type Case,
  caseName,
  checkCase,
  skipCase,
} from "../thread/_death_cases.ts";

const CASES: Case[] = [
  ["exit", "rwlock", "sync"],
  ["error", "rwlock", "async"],
  ["exit", "cond-lock", "async"],
  ["reject", "cond-lock", "sync"],
  ["exit", "action", "sync"],
  ["exit", "solo", "sync"],
  ["exit", "solo", "async"],
  ["exit", "solo-reset", "sync"],
];

describe("Owner exits", () => {
  for (const c of CASES) {
    it(caseName(c), { skip: skipCase(c[0]) }, () => checkCase(c));
  }
});
