// Copyright 2026 the threadkit authors. MIT license.
// The verdicts of `deno task bench` (bench/main.ts): every ratio of every
// row, per runtime, over the processes that ran it: median, min and max,
// the target, and whether it is met. "met" needs every process to meet the
// target (a single lucky process proves nothing on a loaded machine);
// "NOT met" means the median misses; "mixed" means the median meets it and
// some process did not. Quick runs are not judged.
// A row with an extra band (lock-2's handoffs per 1000 pairs against the
// futex mutex's) judges it on the median over processes of the per-process
// ratio (Lock's handoffs / the futex mutex's in the same process), within
// [1/factor, factor]: the futex mutex's own handoffs vary 4x between
// processes (55-216 per 1000 pairs on Node), with its speed (it hands over
// most where it is slowest), so a band that every process must meet fails
// on the processes where Lock is fastest, and a ratio of the two sides'
// medians pairs figures from different processes (BENCHMARKS.md, "Lock, 2
// threads"). The per-process ratios stay in the table.
import { type LimitRow, type Ratio, ROWS } from "./_rows.ts";
import type { ProcessRun } from "./limits.ts";
import { median } from "./_ab.ts";

/** One ratio of one row on one runtime, over processes. */
export interface Verdict {
  id: string;
  figure: string;
  runtime: string;
  subject: string;
  baseline: string;
  measure: Ratio["measure"];
  target: Ratio["target"];
  /** Median ns per operation over processes. */
  subjectNs: number;
  baselineNs: number;
  /** The ratio in each process, in the target's direction. */
  values: number[];
  median: number;
  min: number;
  max: number;
  /**
   * An extra figure (handoffs per 1000 pairs), if the row has one: the
   * medians of each side, the per-process ratios (subject / baseline, of
   * the processes whose baseline handed over at least once per 1000 pairs)
   * and their median, which the band [1/factor, factor] judges.
   */
  extra?: {
    key: string;
    subject: number;
    baseline: number;
    factor: number;
    values: number[];
    median: number;
  };
  status: string;
  met: boolean | undefined;
  /** A context ratio (Ratio.context): shown, not judged. */
  context: boolean;
  rawRoundTrip: boolean;
  limits: string;
  errors: string[];
}

function meets(t: Ratio["target"], v: number): boolean {
  return t.op === ">=" ? v >= t.ratio : v <= t.ratio;
}

/** Aggregates the process runs into verdicts, in row order, Deno first. */
export function aggregate(
  runs: readonly ProcessRun[],
  quick: boolean,
): Verdict[] {
  const runtimes = [...new Set(runs.map((r) => r.runtime))];
  const out: Verdict[] = [];
  for (const row of ROWS) {
    for (const ratio of row.ratios) {
      for (const rt of runtimes) {
        if (ratio.runtime && !rt.startsWith(ratio.runtime)) continue;
        const mine = runs.filter((r) => r.runtime === rt)
          .map((r) => r.rows.find((x) => x.id === row.id))
          .filter((x) => x !== undefined);
        if (mine.length === 0) continue;
        out.push(verdict(row, ratio, rt, mine, quick));
      }
    }
  }
  return out;
}

function verdict(
  row: LimitRow,
  ratio: Ratio,
  runtime: string,
  runs: ProcessRun["rows"],
  quick: boolean,
): Verdict {
  const of = ratio.of ?? 0;
  // A run that lacks either side (an older row's sides) counts as failed.
  const ok = runs.filter((r) =>
    r.timings !== undefined && r.timings.length > Math.max(of, ratio.vs)
  );
  const values = ok.map((r) => {
    const st = r.timings![of], bt = r.timings![ratio.vs];
    const f = (s: number, b: number) =>
      ratio.measure === "throughput" ? b / s : s / b;
    // A paired row: the median of the per-round ratios (round r of each
    // side ran in the same alternation, next to each other), so a slow
    // round of one side meets the other's round beside it, not the other
    // side's median over the whole process.
    if (row.paired && st.rounds.length === bt.rounds.length) {
      return median(st.rounds.map((s, i) => f(s, bt.rounds[i])));
    }
    return f(st.nsPerOp, bt.nsPerOp);
  });
  const first = ok[0]?.timings;
  const v: Verdict = {
    id: row.id,
    figure: ratio.label ? `${row.figure}, ${ratio.label}` : row.figure,
    runtime,
    subject: first?.[of].name ?? "",
    baseline: first?.[ratio.vs].name ?? "",
    measure: ratio.measure,
    target: ratio.target,
    subjectNs: median(ok.map((r) => r.timings![of].nsPerOp)),
    baselineNs: median(ok.map((r) => r.timings![ratio.vs].nsPerOp)),
    values,
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    status: "",
    met: undefined,
    context: ratio.context === true,
    rawRoundTrip: row.rawRoundTrip === true,
    limits: row.limits,
    errors: runs.flatMap((r) => r.error ? [r.error] : []),
  };
  if (ratio.extraWithin) {
    const key = ratio.extraWithin.key;
    const sides = ok.map((r) => [
      r.timings![of].extra?.[key] ?? NaN,
      r.timings![ratio.vs].extra?.[key] ?? NaN,
    ]);
    // A process whose baseline (almost) never handed over ran its threads
    // one at a time (see "not judged" below): no ratio.
    const values = sides.filter(([, b]) => b >= 1).map(([s, b]) => s / b);
    v.extra = {
      key,
      factor: ratio.extraWithin.factor,
      subject: median(sides.map(([s]) => s)),
      baseline: median(sides.map(([, b]) => b)),
      values,
      median: values.length === 0 ? NaN : median(values),
    };
  }
  if (values.length === 0) {
    v.status = "failed";
    return v;
  }
  if (quick) {
    v.status = "quick run: not judged";
    return v;
  }
  if (v.context) {
    v.status = "context: not judged";
    return v;
  }
  // Two contending threads that (almost) never hand the lock over did not
  // run at the same time: the machine had no two free cores, and the row
  // measured time slicing, not contention.
  if (
    v.extra !== undefined &&
    (!(v.extra.baseline >= 1) || v.extra.values.length === 0)
  ) {
    v.status = `not judged: the threads did not overlap (baseline ${
      v.extra.baseline.toFixed(2)
    } handoffs/1k)`;
    return v;
  }
  // The band on the median of the per-process ratios (see the top).
  const extraOk = v.extra === undefined ||
    (v.extra.median <= v.extra.factor &&
      v.extra.median >= 1 / v.extra.factor);
  const all = values.filter((x) => meets(ratio.target, x)).length;
  if (!meets(ratio.target, v.median) || !extraOk) {
    v.met = false;
    v.status = "NOT met" +
      (extraOk
        ? ""
        : ` (handoffs ${v.extra!.median.toFixed(2)}x, outside 1/${
          v.extra!.factor
        }x-${v.extra!.factor}x)`);
  } else if (all === values.length) {
    v.met = true;
    v.status = values.length >= 3
      ? "met"
      : `met (${values.length} process${values.length > 1 ? "es" : ""} only)`;
  } else {
    v.met = false;
    v.status = `mixed: met in ${all} of ${values.length} processes`;
  }
  return v;
}

/** Formats ns per operation as a rate or a time, as the row measures. */
export function figure(ns: number, measure: Ratio["measure"]): string {
  if (!Number.isFinite(ns)) return "-";
  if (measure === "time") {
    return ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
  }
  const perSec = 1e9 / ns;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)} M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(0)} k/s`;
  return `${perSec.toFixed(0)} /s`;
}

/** The verdicts as a Markdown table. */
export function markdownTable(
  verdicts: readonly Verdict[],
  processes: number,
): string[] {
  const lines = [
    `| figure | runtime | threadkit | strongest baseline | ratio: median (min–max over ${processes} process${
      processes > 1 ? "es" : ""
    }) | target | verdict | what limits it |`,
    "|---|---|---|---|---|---|---|---|",
  ];
  let lastLimits = "";
  for (const v of verdicts) {
    const limits = v.limits === lastLimits ? "as above" : v.limits;
    lastLimits = v.limits;
    const extra = (side: "subject" | "baseline") =>
      v.extra ? `, ${v.extra[side].toFixed(1)} handoffs/1k` : "";
    const base = v.rawRoundTrip
      ? `${v.baseline}: raw round trip ${figure(v.baselineNs, v.measure)}`
      : `${v.baseline}: ${figure(v.baselineNs, v.measure)}${extra("baseline")}`;
    // The handoff band's ratio: its median, then each process's.
    const band = v.extra && v.extra.values.length > 0
      ? `; handoffs ${v.extra.median.toFixed(2)}x (${
        v.extra.values.map((x) => x.toFixed(2)).join(", ")
      })`
      : "";
    const ratio = v.values.length === 0
      ? v.errors[0] ?? "-"
      : `${v.median.toFixed(2)}x (${v.min.toFixed(2)}–${
        v.max.toFixed(2)
      })${band}`;
    const target = v.context
      ? "none (context)"
      : `${v.target.op === ">=" ? "≥" : "≤"} ${v.target.ratio}x${
        v.measure === "time" ? " time" : ""
      }${
        v.extra
          ? `, handoffs 1/${v.extra.factor}x-${v.extra.factor}x (median over processes)`
          : ""
      }`;
    lines.push(
      `| ${v.figure} | ${v.runtime.split(" ")[0]} | ${
        figure(v.subjectNs, v.measure)
      }${
        extra("subject")
      } | ${base} | ${ratio} | ${target} | ${v.status} | ${limits} |`,
    );
  }
  return lines;
}
