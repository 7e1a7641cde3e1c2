// Copyright 2026 the threadkit authors. MIT license.
// `deno task bench`: threadkit against the strongest baselines, each ratio
// taken within one process (threadkit and baseline in alternating rounds,
// bench/_ab.ts) and repeated in several processes, on Deno and on Node (the
// npm build). Prints the table; with --write also puts it into
// BENCHMARKS.md and README.md (between the limits markers) and draws the
// chart bench/limits.svg that BENCHMARKS.md embeds.
//
//   deno task bench                 3 processes per runtime, then the table
//   deno task bench --write         ... and update BENCHMARKS.md, README.md,
//                                   bench/limits.svg
//   deno task bench --processes=5   more processes per runtime
//   deno task bench --no-node       Deno only
//   deno task bench --rows=event,condition
//   deno task bench --json[=FILE]   also the raw runs (bench/results.json)
//   deno task bench --from=FILE --write
//                                   re-render the table and chart from the
//                                   runs a --json file holds (no new run)
//   BENCH_QUICK=1 deno task bench   every row once, small rounds, one process
//                                   per runtime: proves the suite runs; no
//                                   verdicts, nothing written
// The mitata suite (uncontended Lock, RWLock, thread start, the peer
// packages, unbounded queues) is `deno task bench:suite` (bench/suite.ts).
import { buildNodeBench } from "./_node_build.ts";
import { aggregate, markdownTable, type Verdict } from "./_verdict.ts";
import { chartSvg } from "./_chart.ts";
import type { ProcessRun } from "./limits.ts";

const ROOT = new URL("../", import.meta.url);
const opts = parse(Deno.args);
const quick = opts.quick || Deno.env.get("BENCH_QUICK") === "1";
const processes = quick ? 1 : opts.processes;

const saved = opts.from === undefined
  ? undefined
  : JSON.parse(await Deno.readTextFile(opts.from)) as {
    machine: string;
    runs: ProcessRun[];
  };
if (opts.node && saved === undefined) {
  await run("build:npm", Deno.execPath(), ["task", "build:npm"]);
  buildNodeBench();
}
const limitsArgs = [
  ...(quick ? ["--quick"] : []),
  ...(opts.rows ? [`--rows=${opts.rows}`] : []),
];
const runs: ProcessRun[] = saved?.runs ?? [];
const started = performance.now();
const load0 = Deno.loadavg();
for (let p = 0; saved === undefined && p < processes; p++) {
  runs.push(
    await limits(`deno #${p + 1}`, Deno.execPath(), [
      "run",
      "-A",
      "bench/limits.ts",
      ...limitsArgs,
    ]),
  );
  if (opts.node) {
    runs.push(
      await limits(`node #${p + 1}`, "node", [
        "npm/bench/limits.js",
        ...limitsArgs,
      ]),
    );
  }
}
const seconds = (performance.now() - started) / 1000;
const load1 = Deno.loadavg();

const judgedQuick = quick || runs.some((r) => r.quick);
const perRuntime = runs.filter((r) => r.runtime === runs[0]?.runtime).length;
const verdicts: Verdict[] = aggregate(runs, judgedQuick);
const when = new Date().toISOString().slice(0, 16).replace("T", " ");
const machine = saved?.machine ??
  `${navigator.hardwareConcurrency} cores, ${
    runs.map((r) => r.runtime).filter((x, i, a) => a.indexOf(x) === i).join(
      " and ",
    )
  }; load average ${load0[0].toFixed(2)} before, ${
    load1[0].toFixed(2)
  } after; ${processes} process${processes > 1 ? "es" : ""} per runtime; ${
    seconds.toFixed(0)
  } s (${when} UTC)`;
const table = markdownTable(verdicts, perRuntime);
console.log(["", `Machine: ${machine}.`, "", ...table, ""].join("\n"));
const errors = runs.flatMap((r) =>
  r.rows.filter((x) => x.error).map((x) => `${r.runtime} ${x.id}: ${x.error}`)
);
for (const e of errors) console.log(`FAILED: ${e}`);

if (opts.json !== undefined) {
  const file = opts.json === ""
    ? new URL("results.json", import.meta.url)
    : opts.json;
  await Deno.writeTextFile(
    file,
    JSON.stringify({ machine, runs, verdicts }, null, 2) + "\n",
  );
}
if (opts.write && !judgedQuick) {
  const svg = chartSvg(verdicts, machine);
  await Deno.writeTextFile(new URL("bench/limits.svg", ROOT), svg);
  const block = [`Measured: ${machine}.`, "", ...table].join("\n");
  for (const doc of ["BENCHMARKS.md", "README.md"]) {
    await replaceBlock(new URL(doc, ROOT), block);
  }
  await run("fmt", Deno.execPath(), [
    "fmt",
    "BENCHMARKS.md",
    "README.md",
    "bench/limits.svg",
  ]);
  console.log("wrote bench/limits.svg, BENCHMARKS.md, README.md");
}
Deno.exit(errors.length > 0 ? 1 : 0);

/** Runs one bench/limits.ts process and parses its LIMITS line. */
async function limits(
  label: string,
  cmd: string,
  args: string[],
): Promise<ProcessRun> {
  console.error(`${label}: ${cmd} ${args.join(" ")}`);
  const out = await run(label, cmd, args, true);
  const line = out.split("\n").find((l) => l.startsWith("LIMITS "));
  if (line === undefined) throw new Error(`${label}: no LIMITS line`);
  return JSON.parse(line.slice(7)) as ProcessRun;
}

// Runs a command; returns its stdout. The build's own output (type errors
// in tests it reports as not fatal) is shown only when the step fails.
async function run(
  label: string,
  cmd: string,
  args: string[],
  showStderr = false,
): Promise<string> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: showStderr ? "inherit" : "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill(), 30 * 60_000);
  const result = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(result.stdout);
  if (result.code !== 0) {
    if (!showStderr) console.error(new TextDecoder().decode(result.stderr));
    console.error(text);
    throw new Error(`${label}: exit code ${result.code}`);
  }
  return text;
}

/** Replaces the text between the limits markers of a Markdown file. */
async function replaceBlock(file: URL, block: string): Promise<void> {
  const BEGIN = "<!-- limits:begin -->", END = "<!-- limits:end -->";
  const text = await Deno.readTextFile(file);
  const a = text.indexOf(BEGIN), b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file.pathname}: no limits markers`);
  await Deno.writeTextFile(
    file,
    `${text.slice(0, a + BEGIN.length)}\n${block}\n${text.slice(b)}`,
  );
}

function parse(args: readonly string[]) {
  const o = {
    quick: false,
    write: false,
    node: true,
    processes: 3,
    rows: undefined as string | undefined,
    json: undefined as string | undefined,
    from: undefined as string | undefined,
  };
  for (const a of args) {
    if (a === "--") continue;
    else if (a === "--quick") o.quick = true;
    else if (a === "--write") o.write = true;
    else if (a === "--no-node") o.node = false;
    else if (a.startsWith("--processes=")) o.processes = Number(a.slice(12));
    else if (a.startsWith("--rows=")) o.rows = a.slice(7);
    else if (a === "--json") o.json = "";
    else if (a.startsWith("--json=")) o.json = a.slice(7);
    else if (a.startsWith("--from=")) o.from = a.slice(7);
    else throw new TypeError(`Unknown argument ${a} (see bench/main.ts)`);
  }
  if (!(o.processes >= 1)) throw new RangeError("--processes: at least 1");
  return o;
}
