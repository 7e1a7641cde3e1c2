// Copyright 2026 the threadkit authors. MIT license.
// A program whose first daemon Thread.start is made near the end of the
// stack: on Deno it loads node:worker_threads there (_core/host.ts
// nodeThreads), and a stack overflow inside Deno's first load of a Node
// module broke it for good (no thread started at any depth, and every
// later start threw a ReferenceError: "default is not defined", or
// "Cannot access 'F' before initialization"). A fresh process: the load
// happens once. (A first non-daemon start there, which made a web Worker
// per attempt that overflowed after it: tests/depth/start_table_depth_test.ts.)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../_helpers.ts";

const program = new URL(
  "../_workers/programs/first_thread_deep.ts",
  import.meta.url,
);

describe("the first daemon Thread.start at the end of the stack", () => {
  it(
    "Thread.start: a first daemon start near the end of the stack starts its thread, and later starts work",
    { timeout: 120_000 },
    async () => {
      const r = await runProgram(program, 90_000);
      assert.equal(r.timedOut, false, "the program ran out of time");
      const line = r.stdout.trim().split("\n").at(-1) ?? "";
      let out: Record<string, unknown> | undefined;
      try {
        out = JSON.parse(line);
      } catch {
        out = undefined;
      }
      assert.ok(out !== undefined, `no result: ${r.stdout}\n${r.stderr}`);
      assert.equal(out.k, 1, line); // the first start that fit started it
      assert.deepEqual(out.deep, [2], line);
      assert.equal(out.thread, 42, line);
      assert.equal(out.daemonThread, 42, line);
      assert.equal(r.code, 0, r.stderr.slice(0, 2000));
    },
  );
});
