// Copyright 2026 the threadkit authors. MIT license.
// One process of the process-per-ratio benchmark: runs the rows of
// bench/_rows.ts (threadkit and its baselines timed in alternating rounds,
// bench/_ab.ts) and prints one line "LIMITS <json>" with every side's median
// ns per operation. bench/main.ts runs it in several processes on Deno and,
// built (npm/bench/limits.js), on Node, and aggregates the ratios.
//
//   deno run -A bench/limits.ts [--quick] [--rows=id,id]
//   node npm/bench/limits.js [--quick] [--rows=id,id]
// BENCH_QUICK=1 is the same as --quick: every row once, small rounds.
import process from "node:process";
import { compare, type Timing } from "./_ab.ts";
import { ROWS } from "./_rows.ts";
import { pinApart, pinProcess } from "./_pin.ts";

/** One row's outcome in one process. */
export interface RowRun {
  id: string;
  timings?: Timing[];
  error?: string;
  /** A row with a `pin` that could not pin here (no taskset, not Linux). */
  unpinned?: true;
}

/** What one process prints (after "LIMITS "). */
export interface ProcessRun {
  runtime: string;
  quick: boolean;
  rows: RowRun[];
}

function runtimeName(): string {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  return deno ? `deno ${deno.version.deno}` : `node ${process.versions.node}`;
}

const args = process.argv.slice(2);
const quick = args.includes("--quick") || process.env.BENCH_QUICK === "1";
const only = args.find((a) => a.startsWith("--rows="))?.slice(7).split(",");

const out: ProcessRun = { runtime: runtimeName(), quick, rows: [] };
// The process is busy until its last row: keep its event loop from running
// dry in between. The raw waitAsync baselines hold nothing (a pending
// Atomics.waitAsync does not keep a process alive: the process would exit
// with the row unfinished), and a loop that runs dry is the main thread's
// end for threadkit (_core/lifetime.ts). (Executor rows after that end used
// to find their thread's tasks freed unsettled; since ownerLive,
// pool/_layout.ts, they settle.)
const keepAlive = setInterval(() => {}, 1 << 30);
const kind = out.runtime.split(" ")[0] as "deno" | "node";
for (const row of ROWS) {
  if (only && !only.includes(row.id)) continue;
  if (row.runtimes && !row.runtimes.includes(kind)) continue;
  let unpinned = false;
  const pin = () => {
    const undo = row.pin === "one" ? pinProcess(0) : pinApart(0, 1);
    if (undo === undefined) {
      unpinned = true;
      process.stderr.write(`  ${row.id}: could not pin, ran unpinned\n`);
    }
    return undo;
  };
  try {
    const timings = await compare(
      row.sides(),
      quick ? row.quickN : row.n,
      quick ? 1 : row.reps,
      quick ? undefined : row.warm,
      row.pin === undefined ? undefined : pin,
    );
    out.rows.push({ id: row.id, timings, ...(unpinned ? { unpinned } : {}) });
  } catch (error) {
    out.rows.push({
      id: row.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  process.stderr.write(`  ${row.id} done\n`);
}
console.log(`LIMITS ${JSON.stringify(out)}`);
clearInterval(keepAlive);
// Exit explicitly: a failed side may leave a thread blocked, and a blocked
// thread keeps the process alive (terminate() does not stop it).
process.exit(0);
