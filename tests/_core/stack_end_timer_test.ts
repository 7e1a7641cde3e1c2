// Copyright 2026 the threadkit authors. MIT license.
// A program whose first async waits are made near the end of the stack:
// the keep-alive's first setInterval (_core/keep_alive.ts) was made there,
// and on Deno a stack overflow inside the runtime's first timer set-up left
// every later async wait pending for good (the program then ended with
// "Top-level await promise never resolved"). A fresh process each run: the
// set-up happens once a process.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../_helpers.ts";

const program = new URL(
  "../_workers/programs/first_wait_deep.ts",
  import.meta.url,
);

describe("async waits at the end of the stack", () => {
  for (const warm of [false, true]) {
    it(
      `Queue.getAsync: ${
        warm ? "after one shallow wait, " : "a program's first "
      }async waits near the end of the stack settle, and so do later ones`,
      { timeout: 120_000 },
      async () => {
        const r = await runProgram(program, 90_000, warm ? ["warm"] : []);
        assert.equal(r.timedOut, false, "the program ran out of time");
        const line = r.stdout.trim().split("\n").at(-1) ?? "";
        let out: Record<string, unknown> | undefined;
        try {
          out = JSON.parse(line);
        } catch {
          out = undefined;
        }
        assert.ok(out !== undefined, `no result: ${r.stdout}\n${r.stderr}`);
        assert.equal(out.other, "", line);
        // Every wait started settled: by its timeout or by the overflow.
        assert.equal(
          (out.empty as number) + (out.overflowed as number),
          out.k,
          line,
        );
        assert.ok((out.empty as number) > 0, line);
        assert.equal(out.last, "QueueEmptyError", line);
        assert.equal(r.code, 0, r.stderr.slice(0, 2000));
      },
    );
  }
});
