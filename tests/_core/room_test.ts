// Copyright 2026 the threadkit authors. MIT license.
// The room a fresh worker asks for (_core/overflow.ts roomForWorker): near
// the stack's end it throws in every tier, cold, optimised and hot, in a
// program of its own (V8's natives syntax; not on Bun, whose engine has
// none).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isBun, runProgram } from "../_helpers.ts";

const program = new URL(
  "../_workers/programs/room_optimized.ts",
  import.meta.url,
);

describe("the room check before a worker is made", () => {
  // The optimising tiers V8 picks by default, and TurboFan alone.
  for (const extra of [[], ["--no-maglev"]]) {
    it(
      `roomForWorker throws at the 100 deepest frames, cold, optimised and hot (${
        extra.join(" ") || "default tiers"
      })`,
      { timeout: 120_000, skip: isBun },
      async () => {
        const r = await runProgram(program, 90_000, [], {
          v8Flags: ["--allow-natives-syntax", ...extra],
        });
        assert.equal(r.timedOut, false, "the program ran out of time");
        const line = r.stdout.trim().split("\n").at(-1) ?? "";
        assert.equal(r.code, 0, r.stderr.slice(0, 2000));
        const out = JSON.parse(line);
        assert.deepEqual(
          { cold: out.cold, optimized: out.optimized, hot: out.hot },
          { cold: 0, optimized: 0, hot: 0 },
          line,
        );
      },
    );
  }
});
