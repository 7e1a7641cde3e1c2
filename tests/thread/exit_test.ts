// Copyright 2026 the threadkit authors. MIT license.
// Process exit as Python has it: daemon threads do not keep the process
// alive; non-daemon threads do, until they end. Each program runs in a
// subprocess bounded in time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../_helpers.ts";

const program = (name: string) =>
  new URL(`../_workers/programs/${name}`, import.meta.url);

describe("Thread process exit", () => {
  it("Thread daemon: a program whose only remaining thread is a blocked daemon exits", async () => {
    const run = await runProgram(program("daemon_exit.ts"), 30_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /main done, daemon alive: true, blocked: true/);
  });

  it("Thread non-daemon: the program exits only after the thread ends, by itself", async () => {
    const run = await runProgram(program("nondaemon_wait.ts"), 30_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [
      "main done",
      "thread done",
    ]);
  });

  it("Event.waitAsync and Lock.acquireAsync: pending async waits alone keep the process alive, and it exits by itself after the last", async () => {
    const run = await runProgram(program("async_keepalive.ts"), 30_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [
      "event true",
      "lock true",
    ]);
  });

  it("Thread non-daemon started by a thread outlives its starter", async () => {
    const run = await runProgram(program("nested_nondaemon.ts"), 30_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [
      "child returned",
      "grandchild done",
    ]);
  });

  it("Thread excepthook: an unjoined failure is reported once on stderr by default", async () => {
    const run = await runProgram(program("excepthook_default.ts"), 30_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stderr.match(/Exception in thread failing:/g)?.length,
      1,
      run.stderr,
    );
    assert.match(run.stderr, /RangeError: unjoined failure/);
  });

  it("Thread excepthook: errors taken by a pending joinAsync are not reported too; an unjoined one is, once", async () => {
    const run = await runProgram(program("excepthook_race.ts"), 60_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /caught 20/);
    assert.doesNotMatch(run.stderr, /Exception in thread joined-/, run.stderr);
    assert.equal(
      run.stderr.match(/Exception in thread unjoined:/g)?.length,
      1,
      run.stderr,
    );
  });

  it("Thread excepthook: under load (40 failing threads, 2 spinning), no error taken by a pending joinAsync is also reported", async () => {
    const run = await runProgram(
      program("excepthook_race.ts"),
      120_000,
      ["40", "2"],
    );
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /caught 40/);
    assert.doesNotMatch(run.stderr, /Exception in thread joined-/, run.stderr);
    assert.equal(
      run.stderr.match(/Exception in thread unjoined:/g)?.length,
      1,
      run.stderr,
    );
  });
});

describe("Runtime without threads", () => {
  it("Thread.start throws ThreadsUnavailableError where there is no Worker; the primitives work in one thread", async () => {
    const run = await runProgram(program("no_worker.ts"), 30_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [
      "ok Thread.start throws ThreadsUnavailableError",
      "ok the thread did not start",
      "ok Timer.start throws ThreadsUnavailableError",
      "ok spawn throws ThreadsUnavailableError",
      "ok Lock",
      "ok RLock",
      "ok Semaphore",
      "ok Event",
      "ok Condition",
      "ok Barrier",
      "ok Queue",
      "ok Queue int32",
      "done",
    ]);
  });
});
