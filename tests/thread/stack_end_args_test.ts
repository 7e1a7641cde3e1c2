// Copyright 2026 the threadkit authors. MIT license.
// Thread.start with object args at every depth near the end of the stack,
// in a program of its own (tests/_workers/programs/start_args_deep.ts):
// every attempt starts its thread or throws the overflow's RangeError.
// Before, an overflow in the args' trial clone reached the caller wrapped
// in a TypeError ("its args cannot be sent to a thread"), as if the args
// were at fault.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../_helpers.ts";

const program = new URL(
  "../_workers/programs/start_args_deep.ts",
  import.meta.url,
);

describe("Thread.start with args at the end of the stack", () => {
  it(
    "Thread.start({ args }): started, or refused with the overflow's RangeError only",
    { timeout: 240_000 },
    async () => {
      const r = await runProgram(program, 180_000);
      assert.equal(r.timedOut, false, "the program ran out of time");
      const line = r.stdout.trim().split("\n").at(-1) ?? "";
      let out: { others: string[]; k: number } | undefined;
      try {
        out = JSON.parse(line);
      } catch {
        out = undefined;
      }
      assert.ok(out !== undefined, `no result: ${r.stdout}\n${r.stderr}`);
      assert.deepEqual(out.others, [], line);
      assert.equal(out.k, 10, line);
      // On Node too: a fresh start's MessageChannel made near the stack's
      // end was half made there, and closing it crashed the process at its
      // end (node:internal/event_target, "reading 'get'"), after the result
      // line (_core/overflow.ts: the room asked for before it is made).
      assert.equal(r.code, 0, r.stderr.slice(0, 2000));
    },
  );
});
