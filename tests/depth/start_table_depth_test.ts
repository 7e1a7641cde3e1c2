// Copyright 2026 the threadkit authors. MIT license.
// Thread.start at every depth from the end of the stack up, in programs of
// their own (tests/depth/_start_sweep.ts, tests/depth/_table_sweep.ts):
// every attempt started its thread (joined, ran once) or was refused with a
// RangeError and nothing else; the thread table's reserved entries are back
// to their start value; no spare taken by a refused start is lost; the
// program exits by itself (no Worker left alive).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram, stressSize } from "../_helpers.ts";

const env = (globalThis as { process?: { env: Record<string, string> } })
  .process?.env ?? {};
const sweepProgram = new URL("./_start_sweep.ts", import.meta.url);
const tableProgram = new URL("./_table_sweep.ts", import.meta.url);

const CASES: string[][] = [
  ["plain", "source", "0", "4"],
  ["plain", "module", "0", "4"],
  ["daemon", "source", "0", "4"],
  ["daemon", "module", "0", "4"],
  ["plain", "source", "4", "4"],
  ["plain", "module", "4", "4"],
  ["daemon", "source", "4", "4"],
  ["daemon", "module", "4", "4"],
  ["plain", "source", "~4", "4"],
  ["daemon", "module", "~4", "4"],
].filter((c) => env.ONLY === undefined || c.join(" ").includes(env.ONLY));

function lastJson(stdout: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
  } catch {
    return undefined;
  }
}

describe("Thread.start at the end of the stack, every path", () => {
  for (const args of CASES) {
    it(
      `start swept (${
        args.join(" ")
      }): started or refused with RangeError, table and spares as before, exits`,
      { timeout: 360_000 },
      async () => {
        // A bound on a hang, not on speed: each refused start near the end
        // of the stack is a stack overflow (1-15 ms at load 30-40 on 2
        // cores); "daemon module 0 4" (5,852 refused) took 99 s there.
        const r = await runProgram(sweepProgram, 300_000, args);
        const out = lastJson(r.stdout);
        const line = JSON.stringify(out);
        assert.equal(
          r.timedOut,
          false,
          `did not exit by itself: ${line}\n${r.stderr.slice(-1500)}`,
        );
        assert.ok(out !== undefined, r.stdout + r.stderr.slice(-1500));
        assert.deepEqual(out.others, [], line);
        assert.ok((out.refused as number) > 0, line);
        assert.equal(
          out.runs,
          out.k,
          `a thread ran for a refused start: ${line}`,
        );
        assert.deepEqual(out.results, (out.k as number) > 0 ? ["2"] : [], line);
        const before = out.tableBefore as { reserved: number };
        const after = out.tableAfter as { reserved: number; live: number };
        assert.equal(
          after.reserved,
          before.reserved,
          `entries left reserved: ${line}`,
        );
        assert.equal(after.live, 0, line);
        for (const key of Object.keys(out.fate as object)) {
          assert.ok(
            key.startsWith("listed-") || key === "out-TAKEN" ||
              key === "out-TAKEN_SHARED" || key === "out-STOP" ||
              key === "out-STOPPED",
            `a spare lost: ${line}`,
          );
        }
        assert.equal(r.code, 0, r.stderr.slice(-1500));
      },
    );
  }

  // 40 sweeps under Deno, 10 on Node and Bun (stressSize): each sweep is
  // every depth from the end of the stack up, so the rest are repetitions.
  const TABLE_SWEEPS = stressSize(40, 10);
  for (const mode of ["daemon", "plain"]) {
    if (env.ONLY !== undefined && !`table ${mode}`.includes(env.ONLY)) continue;
    it(
      `start swept ${TABLE_SWEEPS} times (${mode}): no thread-table entry left reserved, exits`,
      { timeout: 360_000 },
      async () => {
        // A bound on a hang: 40 sweeps (about 20,000 refused starts) took
        // 62-115 s at load 30-40 on 2 cores.
        const r = await runProgram(tableProgram, 300_000, [
          String(TABLE_SWEEPS),
          mode,
        ]);
        const out = lastJson(r.stdout);
        const line = JSON.stringify(out);
        assert.equal(r.timedOut, false, `did not exit by itself: ${line}`);
        assert.ok(out !== undefined, r.stdout + r.stderr.slice(-1500));
        assert.equal(out.reserved, 0, line);
        assert.equal(out.live, 0, line);
        assert.equal(out.after, 42, line);
        assert.equal(r.code, 0, r.stderr.slice(-1500));
      },
    );
  }
});
