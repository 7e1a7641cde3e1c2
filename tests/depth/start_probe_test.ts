// Copyright 2026 the threadkit authors. MIT license.
// Thread.start at every depth from the end of the stack up, in programs of
// their own: each started thread runs once and returns its own tag (no
// spare runs a refused start's record), spares that left the list taken
// are exactly those a started thread ran on, no run nobody started, the
// thread table as before (after a turn of the event loop), RangeError the
// only error, the program exits by itself. Also: several threads sweeping
// at once (their starts racing for the table), and the first start with a
// class instance in its args (the platform classes looked up at depth).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../_helpers.ts";

const env = (globalThis as { process?: { env: Record<string, string> } })
  .process?.env ?? {};
const own = new URL("./_own_sweep.ts", import.meta.url);
const classArg = new URL("./_class_arg_sweep.ts", import.meta.url);

function lastJson(stdout: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
  } catch {
    return undefined;
  }
}
const wanted = (name: string) =>
  env.ONLY === undefined || name.includes(env.ONLY);

const OWN: string[][] = [
  ["daemon", "4", "4", "shared"],
  ["plain", "4", "4", "shared"],
  ["daemon", "4", "4", "object"],
  ["plain", "4", "4", "object"],
  ["plain", "~4", "4", "shared"],
  ["daemon", "~4", "4", "object"],
  ["plain", "0", "4", "shared"],
  ["daemon", "0", "4", "object"],
  ["daemon", "4", "4", "shared", "long"],
  ["plain", "0", "4", "object", "long"],
  // A MessagePort in the args. Cold (the first such start of the program
  // made near the end): each refused attempt retries the lookups a first
  // start makes (node:worker_threads, the platform classes, node:util's
  // type tests), each a probe of 2,000 frames that overflows there, about
  // 70 a start, 20-90 ms at load 30-45: one sweep of it (3 took 80-350 s,
  // past the bound at load 56), and no spares (a refusal at a lookup comes
  // before a spare is taken). Warm (a port thread started and joined first):
  // refusals come at every later step (the move, the record's post to a
  // spare or a new worker), 3 sweeps with and without spares.
  ["daemon", "0", "1", "port"],
  ["daemon", "0", "3", "port", "warm"],
  ["plain", "4", "3", "port", "warm"],
];

describe("Thread.start at the end of the stack: each thread its own", () => {
  for (const args of OWN) {
    const name = `own ${args.join(" ")}`;
    if (!wanted(name)) continue;
    // A bound on a hang: a sweep program takes 5-60 s at load 30-45 on 2
    // cores; the cold port sweep 45-90 s there, and its kind ran 4.5 times
    // slower at load 56 than at 28: 900 s for it.
    const cold = args[3] === "port" && args[4] !== "warm";
    const bound = cold ? 900_000 : 300_000;
    it(
      `start swept (${name}): each started thread runs once with its own args, spares accounted, exits`,
      {
        timeout: bound + 60_000,
      },
      async () => {
        const r = await runProgram(own, bound, args);
        const out = lastJson(r.stdout);
        const line = JSON.stringify(out);
        assert.equal(r.timedOut, false, `did not exit by itself: ${line}`);
        assert.ok(out !== undefined, r.stdout + r.stderr.slice(-1500));
        assert.deepEqual(out.others, [], line);
        assert.ok((out.refused as number) > 0, line);
        assert.equal(
          out.wrong,
          0,
          `a thread ran another start's args: ${line}`,
        );
        assert.equal(out.joinErrors, 0, line);
        assert.equal(out.strays, 0, `a refused start's thread ran: ${line}`);
        assert.equal(out.twice, 0, `a thread ran twice: ${line}`);
        assert.equal(out.runs, out.k, line);
        // No start's "no room" outlives it (_core/host.ts probes).
        assert.deepEqual(out.probes, { starting: 0, full: false }, line);
        assert.equal(
          out.outTaken,
          out.spareRuns,
          `spares out of the list taken, against threads that ran on one: ${line}`,
        );
        for (const key of Object.keys(out.fateTurn as object)) {
          assert.ok(
            !key.startsWith("out-1") && !key.startsWith("out-0"),
            `a spare lost: ${line}`,
          );
        }
        type Table = {
          reserved: number;
          live: number;
          oddSeq: number;
          heap: number;
          named: number;
        };
        const before = out.tableBefore as Table;
        const after = out.tableTurn as Table;
        assert.equal(
          after.reserved,
          before.reserved,
          `entries left reserved: ${line}`,
        );
        assert.equal(after.live, 0, line);
        assert.equal(after.oddSeq, 0, `a name section left taken: ${line}`);
        // The heap holds no more than the long names entries keep (a block
        // of 256 bytes each: 200 characters and the block's header).
        assert.ok(
          after.heap - before.heap <= (after.named - before.named) * 256,
          `heap blocks lost: ${line}`,
        );
        assert.equal(r.code, 0, r.stderr.slice(-1500));
      },
    );
  }

  if (wanted("class")) {
    it(
      "the first start with a class instance in its args, swept: RangeError only, started ones joined",
      {
        timeout: 200_000,
      },
      async () => {
        const r = await runProgram(classArg, 120_000, ["3"]);
        const out = lastJson(r.stdout);
        const line = JSON.stringify(out);
        assert.equal(r.timedOut, false, `did not exit by itself: ${line}`);
        assert.ok(out !== undefined, r.stdout + r.stderr.slice(-1500));
        assert.deepEqual(out.others, [], line);
        assert.equal(out.joined, out.k, line);
        assert.equal(out.k, 3, line);
        assert.equal(r.code, 0, r.stderr.slice(-1500));
      },
    );
  }
});

describe("non-daemon threads started at the end of the stack hold the process", () => {
  const nojoin = new URL("./_nojoin_sweep.ts", import.meta.url);
  for (const spares of ["4", "0"]) {
    if (!wanted(`nojoin ${spares}`)) continue;
    it(
      `non-daemon starts swept, never joined (spares ${spares}): every started thread runs to its end before the process exits`,
      {
        timeout: 200_000,
      },
      async () => {
        const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
        const { tmpdir } = await import("node:os");
        const { join } = await import("node:path");
        const dir = mkdtempSync(join(tmpdir(), "nojoin-"));
        const path = join(dir, "ran.txt");
        try {
          const r = await runProgram(nojoin, 120_000, [
            path,
            spares,
            "4",
            "1500",
          ]);
          const out = lastJson(r.stdout);
          const line = JSON.stringify(out);
          assert.equal(r.timedOut, false, `did not exit by itself: ${line}`);
          assert.ok(out !== undefined, r.stdout + r.stderr.slice(-1500));
          let ran: number[] = [];
          try {
            ran = readFileSync(path, "utf8").trim().split("\n").filter((l) => l)
              .map(Number).sort((a, b) => a - b);
          } catch {
            // none ran to its end
          }
          assert.deepEqual(
            ran,
            (out.tags as number[]).slice().sort((a, b) => a - b),
            line,
          );
          assert.equal(r.code, 0, r.stderr.slice(-1500));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  }
});
