// Copyright 2026 the threadkit authors. MIT license.
// The main thread ends when its code is done, as in Python: a thread that
// joins mainThread() returns then, sees it not alive, and the process exits
// when the non-daemon threads have ended (CPython's ThreadJoinOnShutdown).
// Each program runs in a subprocess bounded in time; its thread's join of
// the main thread has a 120 s timeout, so a main thread that never ends
// shows as a timed-out run, not as a slow pass.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isDeno, runProgram } from "../_helpers.ts";
import { findWebRef, webWorkersUnref } from "../../_core/adapter.ts";

const program = new URL("../_workers/programs/main_end.ts", import.meta.url);
const ownerProgram = new URL(
  "../_workers/programs/main_end_owner.ts",
  import.meta.url,
);
const BOUND = 60_000;

async function run(mode: string, file = program) {
  const r = await runProgram(file, BOUND, [mode]);
  assert.equal(r.timedOut, false, `did not exit: ${r.stdout}${r.stderr}`);
  return r;
}

const lines = (s: string) => s.trim().split("\n");

describe("mainThread() end", () => {
  it("Thread.join of mainThread() returns once the main thread's code is done; isAlive() is false from the thread and at exit", async () => {
    const r = await run("join");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      "main done, main alive true",
      // enumerate() lists only the joiner (ident 2) once main has ended.
      "joined true, main alive false, 2",
      "exit: current MainThread 1, main alive false",
    ]);
  });

  it("Thread.joinAsync of mainThread() resolves once the main thread's code is done", async () => {
    const r = await run("join-async");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      "main done, main alive true",
      "joined true, main alive false, 2",
    ]);
  });

  it("Thread non-daemon: the process waits for a thread that works on after the main thread's end", async () => {
    const r = await run("work-after");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      "main done, main alive true",
      "joined true, main alive false, 2",
      "thread done",
    ]);
  });

  it("Thread non-daemon on a spare worker: the main thread ends while it runs, and the process waits for it", async () => {
    const r = await run("spare");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      "ready after start 1",
      "main done, main alive true",
      "joined true, main alive false, 2",
      "thread done",
    ]);
  });

  it("Thread daemon: a daemon joining the main thread does not keep the process alive", async () => {
    const r = await run("daemon");
    assert.equal(r.code, 0, r.stderr);
    const [first, ...rest] = lines(r.stdout);
    assert.equal(first, "main done, main alive true");
    // The daemon may or may not print before the process exits; if it did,
    // it saw the main thread's end.
    for (const line of rest) {
      assert.match(line, /^joined true, main alive false/);
    }
  });

  it("mainThread() is alive while its code runs in callbacks: a timer after the module's end runs before the join returns", async () => {
    const r = await run("late-timer");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      "main done, main alive true",
      "main timer",
      "joined true, main alive false, 2",
    ]);
  });

  it("an uncaught error of the main thread still ends the process at once with exit code 1 (the thread joining it is not waited for)", async () => {
    const r = await run("throw");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /main failed/);
    assert.doesNotMatch(r.stdout, /joined/);
  });

  it("the main thread's exit code is kept when the process exits after its threads", async () => {
    const r = await run("exit-code");
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      "main done, main alive true",
      "joined true, main alive false, 2",
    ]);
  });

  it("threads started inside the program's own node:worker_threads worker run to their end before that worker exits (its threads' workers stay ref'd there)", async () => {
    const r = await runProgram(
      new URL("../_workers/programs/user_worker.ts", import.meta.url),
      BOUND,
    );
    assert.equal(r.timedOut, false, `did not exit: ${r.stdout}${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      // threadkit's main thread in that worker is ident 1, as in the process.
      "worker: module done, ident 1",
      "worker exit 0, thread done before: true",
    ]);
  });

  it("threads that close their worker or exit are forgotten by the main thread's worker tracking once ended (none of 16 left at exit)", async () => {
    const r = await runProgram(
      new URL("../_workers/programs/self_end.ts", import.meta.url),
      BOUND,
    );
    assert.equal(r.timedOut, false, `did not exit: ${r.stdout}${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ["ended 16", "tracked at exit 0"]);
  });

  it("the internal Deno ref method is taken only if its source is a ref count's (a method of the same shape that does something else is not)", () => {
    const key = Symbol();
    const other = { [key](_on: boolean) {} };
    assert.equal(findWebRef(other), null);
    const like = {
      [key](t: boolean) {
        const refCount = t ? 1 : 0;
        return { refCount, unrefOpPromise: undefined };
      },
    };
    assert.equal(findWebRef(like), key);
    // Two candidates: ambiguous, none taken.
    const two = { ...like, [Symbol()](_on: boolean) {} };
    assert.equal(findWebRef(two), null);
  });

  // The main thread's end is an end, not a stop: its code may run again
  // (here an unref'd timer), so nothing it holds or waits at is a dead
  // thread's.
  const byWho = (stdout: string) =>
    Object.fromEntries(
      lines(stdout).map((l) => JSON.parse(l)).map((o) => [o.who, o]),
    );

  it("RLock held by the main thread across its end is not taken over: a waiter times out, then gets it when the main thread's later code releases it", async () => {
    const r = await run("rlock", ownerProgram);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = byWho(r.stdout);
    assert.equal(out.module?.alive, true, r.stdout);
    assert.deepEqual(out.thread, {
      who: "thread",
      ended: true,
      first: "false",
      second: "true",
      released: true,
    }, r.stdout);
    assert.equal(out.main?.released, true, r.stdout);
  });

  it("Barrier: the main thread waiting at it after its end does not break it; all three parties pass", async () => {
    const r = await run("barrier", ownerProgram);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = byWho(r.stdout);
    assert.deepEqual(out.t2, {
      who: "t2",
      ended: true,
      both: true,
      broken: false,
      out: "passed",
    }, r.stdout);
    assert.equal(out.t1?.out, "passed", r.stdout);
    assert.equal(out.main?.out, "passed", r.stdout);
  });

  it(
    "Deno's web Worker can be unref'd here (the internal ref method the adapter relies on is there)",
    { skip: !isDeno },
    () => {
      assert.equal(webWorkersUnref(), true);
    },
  );
});
