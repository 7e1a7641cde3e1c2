// Copyright 2026 the threadkit authors. MIT license.
// The summary after the mitata run: each threadkit figure beside its
// baseline from the same run, the ratio, and the issue's target with met /
// not met; plus the contention sweep with handoffs, and the --json file.
import process from "node:process";
import { noteOf } from "./_report.ts";

/** One measured benchmark, as the summary and the JSON file see it. */
export interface Result {
  name: string;
  /** Mean, median, p99, min and max time per iteration, ns. */
  avgNs: number;
  p50Ns: number;
  p99Ns: number;
  minNs: number;
  maxNs: number;
  samples: number;
  /** Operations per iteration, when the bench says (see _report.ts). */
  ops?: number;
  /** ops / avg, per second. */
  opsPerSec?: number;
  handoffsPerOp?: number;
  /** Process CPU time over wall time while the bench ran (setup included). */
  coresBusy?: number;
  error?: string;
}

/** How a row compares a threadkit figure with its baseline. */
export interface Row {
  figure: string;
  subject: string;
  /** The baseline bench's name; "" for an absolute target (`perSec`). */
  baseline: string;
  /**
   * "time": ratio = subject time / baseline time (lower is better);
   * "throughput": ratio = subject ops/s / baseline ops/s (higher is better).
   */
  measure: "time" | "throughput";
  /** The issue's target on the ratio; absent for figures shown for scale. */
  target?: { op: "<=" | ">="; ratio: number };
  /** Extra condition: the subject's cores busy must stay at or below this. */
  maxCores?: number;
  /** Absolute target instead of a baseline: ops/s at least this. */
  perSec?: number;
}

/** A row after the run. */
export interface Outcome extends Row {
  ratio?: number;
  met?: boolean;
  why?: string;
}

/** Minimal shape of mitata's run() result that we read. */
interface MitataRun {
  name: string;
  error?: unknown;
  stats?: {
    avg: number;
    p50: number;
    p99: number;
    min: number;
    max: number;
    samples: number[];
  };
}

/** CPU meter: call `mark()` after each trial; it returns cores busy since the last mark. */
export function cpuMeter(): { mark(): number } {
  let cpu = process.cpuUsage();
  let wall = performance.now();
  return {
    mark() {
      const used = process.cpuUsage(cpu);
      const now = performance.now();
      const busy = (used.user + used.system) / 1000 / (now - wall);
      cpu = process.cpuUsage();
      wall = now;
      return busy;
    },
  };
}

/** Turns mitata's benchmarks into results, with the notes and CPU figures. */
export function collect(
  benchmarks: { runs: MitataRun[] }[],
  cores: ReadonlyMap<string, number>,
): Map<string, Result> {
  const out = new Map<string, Result>();
  for (const b of benchmarks) {
    for (const r of b.runs) {
      const n = noteOf(r.name);
      const s = r.stats;
      // Benches that name their work ("..., 200000 items") need no note.
      const named = /, (\d+) (?:items|objects)$/.exec(r.name);
      const ops = n?.ops ?? (named ? Number(named[1]) : undefined);
      const res: Result = {
        name: r.name,
        avgNs: s?.avg ?? NaN,
        p50Ns: s?.p50 ?? NaN,
        p99Ns: s?.p99 ?? NaN,
        minNs: s?.min ?? NaN,
        maxNs: s?.max ?? NaN,
        samples: s?.samples.length ?? 0,
        coresBusy: cores.get(r.name),
      };
      if (ops !== undefined) {
        res.ops = ops;
        if (s) res.opsPerSec = ops / (s.avg / 1e9);
      }
      if (n?.handoffsPerOp !== undefined) res.handoffsPerOp = n.handoffsPerOp;
      if (r.error !== undefined || !s) {
        res.error = r.error instanceof Error
          ? r.error.message
          : String(r.error ?? "no stats");
      }
      out.set(r.name, res);
    }
  }
  return out;
}

/** Evaluates the rows against the results. */
export function evaluate(
  rows: readonly Row[],
  results: ReadonlyMap<string, Result>,
): Outcome[] {
  return rows.map((row) => {
    const s = results.get(row.subject);
    if (row.perSec !== undefined) {
      if (!s) return { ...row, why: `not run: ${row.subject}` };
      if (s.error) return { ...row, why: `failed: ${s.error}` };
      const ratio = (s.opsPerSec ?? NaN) / row.perSec;
      return { ...row, ratio, met: ratio >= 1 };
    }
    const b = results.get(row.baseline);
    if (!s || !b) {
      return { ...row, why: `not run: ${!s ? row.subject : row.baseline}` };
    }
    if (s.error || b.error) {
      return { ...row, why: `failed: ${s.error ?? b.error}` };
    }
    const sOps = s.ops ?? 1, bOps = b.ops ?? 1;
    const sPer = s.avgNs / sOps, bPer = b.avgNs / bOps;
    const ratio = row.measure === "time" ? sPer / bPer : bPer / sPer;
    let met: boolean | undefined;
    if (row.target) {
      met = row.target.op === "<="
        ? ratio <= row.target.ratio
        : ratio >= row.target.ratio;
      if (
        row.maxCores !== undefined && (s.coresBusy ?? Infinity) > row.maxCores
      ) {
        met = false;
      }
    }
    return { ...row, ratio, met };
  });
}

/** Formats ns. */
export function time(ns: number): string {
  if (!Number.isFinite(ns)) return "-";
  if (ns < 1e3) return `${ns.toFixed(2)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/** Formats a rate per second. */
export function rate(perSec: number): string {
  if (!Number.isFinite(perSec)) return "-";
  if (perSec >= 1e9) return `${(perSec / 1e9).toFixed(2)} G/s`;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)} M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k/s`;
  return `${perSec.toFixed(1)} /s`;
}

function figureOf(r: Result | undefined, measure: Row["measure"]): string {
  if (!r) return "not run";
  if (r.error) return "failed";
  const ops = r.ops ?? 1;
  return measure === "time" ? time(r.avgNs / ops) : rate(ops / (r.avgNs / 1e9));
}

function cores(r: Result | undefined): string {
  return r?.coresBusy === undefined ? "-" : r.coresBusy.toFixed(2);
}

/** The summary table as Markdown lines. */
export function summaryTable(
  outcomes: readonly Outcome[],
  results: ReadonlyMap<string, Result>,
): string[] {
  const lines = [
    "| figure | threadkit | baseline | ratio | target | met | cores busy (tk / base) |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const o of outcomes) {
    const s = results.get(o.subject), b = results.get(o.baseline);
    const ratio = o.ratio === undefined
      ? (o.why ?? "-")
      : `${o.ratio.toFixed(2)}x ${o.measure}`;
    const base = o.perSec !== undefined
      ? "(absolute)"
      : `${o.baseline}: ${figureOf(b, o.measure)}`;
    const target = o.perSec !== undefined
      ? `≥ ${rate(o.perSec)}`
      : o.target
      ? `${o.target.op === "<=" ? "≤" : "≥"} ${o.target.ratio}x${
        o.maxCores !== undefined ? `, ≤ ${o.maxCores} cores busy` : ""
      }`
      : "(for scale)";
    const met = o.met === undefined
      ? (o.target || o.perSec !== undefined ? "?" : "")
      : o.met
      ? "met"
      : "NOT met";
    lines.push(
      `| ${o.figure} | ${
        figureOf(s, o.measure)
      } | ${base} | ${ratio} | ${target} | ${met} | ${cores(s)} / ${
        cores(b)
      } |`,
    );
  }
  return lines;
}

/** The contention sweep as Markdown lines: pairs/s and handoffs per 1k pairs. */
export function contentionTable(
  threads: readonly number[],
  locks: readonly string[],
  nameOf: (what: string, threads: number) => string,
  results: ReadonlyMap<string, Result>,
  cpuCount: number,
): string[] {
  const head = locks.map((l) => `${l} pairs/s (handoffs/1k)`);
  const lines = [
    `| threads | ${head.join(" | ")} |`,
    `|---|${locks.map(() => "---").join("|")}|`,
  ];
  for (const n of threads) {
    const cells = locks.map((l) => {
      const r = results.get(nameOf(l, n));
      if (!r || r.error) return r ? "failed" : "not run";
      const h = r.handoffsPerOp === undefined
        ? "-"
        : (r.handoffsPerOp * 1000).toFixed(1);
      return `${rate(r.opsPerSec ?? NaN)} (${h})`;
    });
    const label = n > cpuCount
      ? `${n} (${cpuCount} cores: oversubscribed)`
      : `${n}`;
    lines.push(`| ${label} | ${cells.join(" | ")} |`);
  }
  return lines;
}
