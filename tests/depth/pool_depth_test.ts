// Copyright 2026 the threadkit authors. MIT license.
// ThreadPoolExecutor and Future calls at every depth from the end of the
// stack up, each in a program of its own (tests/depth/_pool_sweep.ts, on
// the sweep of tests/queue/_stack_end.ts): each call completes or throws
// the overflow's RangeError with the executor as before. Every accepted
// task runs once and its Future settles with its own outcome, a refused or
// cancelled one never runs, every slot is back in the free queue once, and
// the program exits by itself.
//
// Before: done(), result() and wait() swept with completions on the stack
// settled other Futures with the RangeError as their task's outcome and
// left their slots in phase DONE (33 of 48 Futures, 17 slots); cancel()
// swept left every queued Future pending for good (16 of 16, the program
// never exited); a refused submit whose give-back overflowed lost its slot
// (12 of 257); map swept ran an item of a refused map, then the
// iteration's first step overflowed and ended the iteration; the blocking
// asCompleted iterator's next() swept ended the iteration (0 of 16 yielded),
// and so did a map's blocking iterator (0 of 8 items, the window cancelled).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../_helpers.ts";

const program = new URL("./_pool_sweep.ts", import.meta.url);

// [mode, sweeps, workers, variant]
const CASES: [string, string, string, string][] = [
  ["drain", "2", "2", "one"],
  ["result", "2", "2", "one"],
  ["wait", "2", "2", "one"],
  ["drain", "2", "2", "waiters"],
  ["result", "2", "2", "waiters"],
  ["wait", "2", "2", "waiters"],
  ["asCompleted", "2", "2", "sync"],
  ["asCompleted", "2", "2", "async"],
  ["cancel", "2", "2", "one"],
  ["refs", "2", "1", "one"],
  ["map", "3", "3", "one"],
  ["mapSync", "2", "2", "one"],
  ["callback", "3", "2", "one"],
  ["shutdown", "1", "2", "cancel"],
  ["submitAsync", "2", "3", "dense"],
];

describe("ThreadPoolExecutor and Future calls at the end of the stack", () => {
  for (const [mode, sweeps, workers, variant] of CASES) {
    it(
      `${mode} swept (${variant}, ${sweeps} sweeps, maxWorkers ${workers}): completes or throws RangeError, nothing lost, nothing run twice`,
      { timeout: 180_000 },
      async () => {
        const r = await runProgram(program, 120_000, [
          mode,
          sweeps,
          workers,
          variant,
        ]);
        assert.equal(
          r.timedOut,
          false,
          `did not exit: ${r.stderr.slice(-1500)}`,
        );
        let out: Record<string, unknown> | undefined;
        try {
          out = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "");
        } catch {
          out = undefined;
        }
        assert.ok(out !== undefined, r.stdout + r.stderr.slice(-1500));
        const line = JSON.stringify(out);
        assert.ok((out.refused as number) > 0, `never at the end: ${line}`);
        assert.deepEqual(out.others, [], line); // RangeError only
        assert.equal(out.shutdown, "ok", line);
        assert.equal(out.live, 0, line);
        for (const key of ["wrong", "hung", "strays", "twice", "missing"]) {
          if (key in out) assert.equal(out[key], 0, `${key}: ${line}`);
        }
        if (mode !== "shutdown") {
          assert.equal(out.freeGot, out.slots, `a slot lost: ${line}`);
          assert.equal(out.freeDistinct, out.slots, line);
          assert.equal(out.notFree, 0, line);
        }
        if (mode === "refs") {
          assert.equal(out.refsAfter, out.refsBefore, line);
          assert.equal(out.heldAfter, out.heldBefore, line);
        }
        if (mode === "callback") {
          assert.equal(out.called, out.registered, line);
          assert.equal(out.total, out.registered, line);
          assert.equal(out.calledWrong, 0, line);
        }
        if (mode === "shutdown") {
          assert.equal(out.later, "RuntimeError", line);
          assert.equal(out.cancelled, 32, line);
        }
      },
    );
  }
});
