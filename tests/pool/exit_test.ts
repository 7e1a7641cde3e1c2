// Copyright 2026 the threadkit authors. MIT license.
// Process exit with an executor: idle pool threads never keep the process
// alive, a pending Future does. Each program runs in a subprocess bounded
// in time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isBun, runProgram } from "../_helpers.ts";

const program = (name: string) =>
  new URL(`../_workers/programs/${name}`, import.meta.url);

describe("ThreadPoolExecutor process exit", () => {
  it("ThreadPoolExecutor: a program that awaits its tasks and never shuts down exits by itself", async () => {
    const run = await runProgram(program("pool_idle_exit.ts"), 30_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /results 2,4,6/);
  });

  it("ThreadPoolExecutor: a program that shuts down exits at once", async () => {
    const run = await runProgram(program("pool_shutdown_exit.ts"), 30_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /results 2,3,4/);
  });

  it("ThreadPoolExecutor: a pending Future keeps the process alive until its task is done", async () => {
    const run = await runProgram(program("pool_pending_exit.ts"), 30_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), ["main done", "task done"]);
  });

  it("ThreadPoolExecutor: Futures submitted after the main thread's end is recorded (its loop ran dry under a raw Atomics.waitAsync) settle", async () => {
    const run = await runProgram(program("pool_after_main_end.ts"), 60_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    // The end was recorded before the later submits (so the test shows
    // them after it); Bun's loop-empty event is not pinned here.
    if (!isBun) assert.equal(lines[1], "main alive false", run.stdout);
    assert.deepEqual(lines.filter((l) => !l.startsWith("main alive")), [
      "before 2",
      "after 3",
      "new pool 4",
      "blocking 5",
      "done",
    ], run.stdout + run.stderr);
  });
});
