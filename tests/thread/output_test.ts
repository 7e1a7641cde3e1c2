// Copyright 2026 the threadkit authors. MIT license.
// What a thread writes to stdout and stderr is out when its write returns:
// before its result is taken or its join returns, and before the program
// ends (thread/_stdio.ts: on Node a worker's writes went to the main
// thread as messages, one at a time, the next only once the worker's event
// loop ran).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isBun, runProgram } from "../_helpers.ts";

const program = new URL(
  "../_workers/programs/thread_output.ts",
  import.meta.url,
);
const mainOrder = new URL(
  "../_workers/programs/main_write_order.ts",
  import.meta.url,
);

describe("a thread's console output", () => {
  for (
    const [mode, name] of [
      [
        "pool",
        "a pool task's three lines and one on stderr are out before its result is taken, and the program ends with them",
      ],
      ["plain", "a thread's lines are out before its join returns"],
      [
        "daemon",
        "a daemon thread's lines are out before its join returns, and the program ends with them",
      ],
      [
        "spare",
        "a thread on a spare worker: its lines are out before its join returns",
      ],
    ] as const
  ) {
    it(name, async () => {
      const run = await runProgram(program, 120_000, [mode]);
      assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, "a\nb\nc\ndone\n");
      assert.equal(run.stderr, "e\n");
    });
  }

  it(
    "a thread's line written while the main thread's larger write was still going out comes after all of it",
    // Bun 1.4.4's main thread cuts its own queued 1 MiB write with its next
    // console.log, no thread involved (measured): not a thread's doing.
    { skip: isBun },
    async () => {
      const run = await runProgram(mainOrder, 120_000);
      assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.split("\n").map((l) =>
        l.replace(/x+/g, (x) => `x*${x.length}`)
      );
      assert.deepEqual(lines, [`x*${1 << 20}`, "T", "M", ""]);
    },
  );
});
