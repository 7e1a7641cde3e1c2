// Copyright 2026 the threadkit authors. MIT license.
// Condition.wait({ timeout: 0 }) swept over the stack's end in fresh
// programs (tests/sync/_cold_wait_sweep.ts) after a warm-up long enough
// for V8 to optimize the wait while the sweep runs (its tier changes at a
// moment that depends on the machine): after every throw the lock is held
// as before and no waiter is left counted. A step that is a call in one
// tier and inlined in another (an Atomics built-in) overflows in the first.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../_helpers.ts";

const program = new URL("./_cold_wait_sweep.ts", import.meta.url);
const RUNS = 16;

describe("Condition.wait at the stack's end across V8 tiers", () => {
  for (const kind of ["Lock", "RLock"]) {
    it(
      `Condition(${kind}).wait: ${RUNS} fresh programs, each warmed then swept 300 times, none leaves the state changed`,
      { timeout: 600_000 },
      async () => {
        const bad: string[] = [];
        for (let i = 0; i < RUNS; i += 2) {
          const runs = await Promise.all(
            [0, 1].map(() =>
              runProgram(program, 240_000, [kind, "20000", "300", "stack"])
            ),
          );
          for (const r of runs) {
            assert.equal(r.timedOut, false);
            const line = r.stdout.trim().split("\n")[0] ?? "";
            const out = JSON.parse(line);
            if (out.bad !== 0 || out.others !== 0) {
              bad.push(r.stdout.trim().split("\n").slice(0, 4).join(" | "));
            }
          }
        }
        assert.deepEqual(bad, []);
      },
    );
  }
});
