// Copyright 2026 the threadkit authors. MIT license.
// Non-daemon Thread.start at every depth near the end of the stack, on a
// fresh worker and on a spare (tests/_workers/programs/start_deep.ts): every
// attempt starts its thread or throws a RangeError, and the process exits
// by itself once the started threads are joined. Before, on Deno, a start
// that overflowed after it had made its web Worker (while it set the
// worker's listeners or posted the start message) threw with the Worker
// alive, waiting for a start message that never came: the process never
// exited; and a spare taken by a start that overflowed before it was handed
// the thread was neither given back nor stopped.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isDeno, runProgram } from "../_helpers.ts";

const program = new URL(
  "../_workers/programs/start_deep.ts",
  import.meta.url,
);

for (const mode of ["fresh", "spare"]) {
  describe(`Thread.start at the end of the stack (${mode} worker)`, () => {
    it(
      `Thread.start (${mode} worker): each attempt starts or throws a RangeError, and nothing outlives the program`,
      { timeout: 180_000, skip: !isDeno && "a program for Deno" },
      async () => {
        const r = await runProgram(program, 120_000, [mode]);
        const line = r.stdout.trim().split("\n").at(-1) ?? "";
        assert.equal(
          r.timedOut,
          false,
          `the program did not exit by itself: ${line}\n${
            r.stderr.slice(0, 2000)
          }`,
        );
        const out = JSON.parse(line) as {
          tries: number;
          refused: number;
          k: number;
          results: unknown[];
          other: string[];
          taken: number;
        };
        assert.deepEqual(out.other, [], line);
        assert.equal(out.k, 6, line);
        assert.deepEqual(out.results, [1, 2, 3, 4, 5, 6], line);
        assert.equal(out.refused, out.tries - out.k, line);
        assert.ok(out.refused > out.k, line);
        // Every spare taken went to a started thread.
        if (mode === "spare") assert.equal(out.taken, out.k, line);
        else assert.equal(out.taken, 0, line);
        assert.equal(r.code, 0, r.stderr.slice(0, 2000));
      },
    );
  });
}
