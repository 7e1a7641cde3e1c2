// Copyright 2026 the threadkit authors. MIT license.
// A thread that ends without its target returning (exit, close, an uncaught
// error or rejection outside the target, out of memory under resourceLimits)
// while it holds a Lock, an RLock, a Semaphore unit, or sits in
// Condition.wait, Barrier.wait or Queue.put: its joiner (blocking or async),
// the waiters on what it held, and the process all end, with the errors
// named in README "When threads fail". Each case is a subprocess
// (tests/_workers/programs/thread_death.ts), bounded in time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isBun, isDeno, runProgram } from "../_helpers.ts";
import { activeCount, Thread, ThreadExitError } from "../../mod.ts";

const PROGRAM = new URL(
  "../_workers/programs/thread_death.ts",
  import.meta.url,
);

type How = "exit" | "exit0" | "close" | "error" | "reject" | "oom";
type Holds = "lock" | "rlock" | "semaphore" | "condition" | "barrier" | "queue";

// Every kind of death meets every primitive at least once, and both joins.
const CASES: [How, Holds, "sync" | "async", "daemon"?][] = [
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
  ["oom", "lock", "sync"],
  ["oom", "rlock", "async"],
  ["oom", "semaphore", "async"],
  // Out of memory with an async wait pending, after an await: Deno 2.9.6
  // swallows that stop and keeps the worker running; the thread sees its
  // grown heap limit and ends itself (thread/_worker.ts, watchHeapLimit).
  ["oom", "condition", "sync"],
  ["oom", "barrier", "sync"],
  ["oom", "queue", "async"],
];

// What the thread's end is, as the joiner sees it.
const REASON: Record<How, string> = {
  exit: "exit",
  exit0: "exit",
  close: "close",
  error: "error",
  reject: "error",
  oom: "out-of-memory",
};

describe("Thread death", () => {
  for (const [how, holds, join, daemon] of CASES) {
    // Node's worker_threads have no self.close(). Bun 1.4 does not enforce
    // resourceLimits per worker (measured: the thread grows past the limit).
    const skip = (how === "close" && !isDeno) || (how === "oom" && isBun);
    it(
      `${
        daemon ? "Daemon thread" : "Thread"
      } dying by ${how} while it holds a ${holds}: ${join} join, waiters and the process end`,
      {
        skip,
      },
      async () => {
        const run = await runProgram(PROGRAM, 60_000, [
          how,
          holds,
          join,
          ...(daemon ? [daemon] : []),
        ]);
        assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
        assert.equal(run.code, 0, run.stderr);
        const line = run.stdout.trim().split("\n").at(-1)!;
        const out = JSON.parse(line);
        assert.equal(out.ready, true, line);
        if (join === "sync") {
          assert.equal(out.joined, true, line);
          assert.equal(out.error, "ThreadExitError", line);
        } else {
          assert.equal(out.joined, "ThreadExitError", line);
        }
        // Bun 1.4 ends a worker whose rejection is unhandled as an exit with
        // code 0 (measured): the death is seen, its kind is not.
        if (isBun && how === "reject") assert.equal(out.reason, "exit", line);
        else assert.equal(out.reason, REASON[how], line);
        if (how === "exit") assert.equal(out.code, 3, line);
        if (how === "exit0") assert.equal(out.code, 0, line);
        assert.equal(out.alive, false, line);
        // Generous bounds: they exist so that a hang fails.
        assert.ok(out.joinMs < 15_000, line);
        if (holds === "lock" || holds === "rlock") {
          assert.equal(out.acquire, "OwnerDiedError", line);
        }
        if (holds === "rlock") assert.equal(out.acquireAsync, "OwnerDiedError");
        // A semaphore has no owner: the unit the thread took is gone, and a
        // waiter's timeout is what ends its wait (as in Python).
        if (holds === "semaphore") assert.equal(out.acquire, false, line);
        if (holds === "condition") {
          assert.equal(out.acquire, true, line);
          assert.equal(out.wait, false, line);
        }
        if (holds === "barrier") {
          assert.equal(out.wait, "BrokenBarrierError", line);
          assert.ok(out.ms - out.joinMs < 5_000, line); // not the 10 s timeout
          assert.equal(out.broken, false, line); // reset() made it usable
        }
        if (holds === "queue") {
          assert.equal(out.get, 1, line);
          assert.equal(out.afterShutdown, 5, line); // the dead put never landed
        }
        // Reported once at most: a join took the error, so never.
        assert.doesNotMatch(run.stderr, /Exception in thread/, run.stderr);
      },
    );
  }

  // Bun 1.4: under load some of twenty workers that call process.exit at
  // once were not seen to end within 30 s (measured in CI): Bun's worker
  // exit needs its own look, so this runs on Deno and Node.
  it(
    "Thread table: 260 threads that exit free their entries (256 may live at once)",
    {
      skip: isBun,
    },
    async () => {
      const before = activeCount();
      const exit = (code: number) => {
        const g = globalThis as unknown as {
          Deno?: { exit(code: number): never };
          process: { exit(code: number): never };
        };
        if (g.Deno) g.Deno.exit(code);
        g.process.exit(code);
      };
      let exited = 0;
      for (let batch = 0; batch < 13; batch++) {
        const threads = Array.from(
          { length: 20 },
          (_, i) => new Thread({ target: exit, args: [i + 1] }),
        );
        for (const t of threads) t.start();
        // Joined at once (pending joins take the errors: nothing is reported).
        const ends = await Promise.allSettled(
          threads.map((t) => t.joinAsync({ timeout: 30_000 })),
        );
        for (const [i, end] of ends.entries()) {
          assert.equal(end.status, "rejected");
          const e = (end as PromiseRejectedResult).reason;
          assert.ok(e instanceof ThreadExitError, String(e));
          assert.equal(e.code, i + 1);
          exited++;
        }
      }
      assert.equal(exited, 260);
      assert.equal(activeCount(), before);
    },
  );
});
