// Copyright 2026 the threadkit authors. MIT license.
// The same-process A/B timer of bench/limits.ts: a threadkit subject and its
// baseline are both started (untimed), then timed in alternating rounds
// (subject, baseline, baseline, subject, ...) so that a change in the
// machine's load during the run hits both alike; each side's figure is the
// median of its rounds. Beside wall time each round records the process's
// CPU time (all its threads), so a side that spins or wakes needlessly shows
// more CPU per operation. Runtime-neutral (Deno and Node): no Deno API.
import process from "node:process";
import { loadavg } from "node:os";

/** One started side of a comparison. */
export interface Runner {
  /** Does one timed round of `n` operations; returns the operations done. */
  round(n: number): number | Promise<number>;
  /** Stops the side's threads; throws if they did not do exactly the work. */
  stop(): Promise<void>;
  /** Figures besides time the side measured (handoffs per 1000 pairs...). */
  extra?(): Record<string, number>;
}

/** A side of a comparison, not yet started. */
export interface Side {
  name: string;
  start(): Promise<Runner>;
}

/** One side's result: median ns per operation over its rounds. */
export interface Timing {
  name: string;
  nsPerOp: number;
  rounds: number[];
  /** Median CPU ns per operation over the rounds (every thread of the process). */
  cpuPerOp: number;
  extra?: Record<string, number>;
}

/**
 * Times `sides` (the first is the subject) in alternating rounds, after an
 * untimed round of `warm` operations each (default n / 10). `started`, if
 * given, runs once every side has started, before the warm-up (it may pin
 * the sides' threads to CPUs, bench/_pin.ts); its return runs at the end.
 */
export async function compare(
  sides: readonly Side[],
  n: number,
  reps: number,
  warm: number = Math.max(1, Math.floor(n / 10)),
  started?: () => (() => void) | undefined,
): Promise<Timing[]> {
  const runners: Runner[] = [];
  let result: Timing[] | undefined;
  let failure: unknown;
  let undo: (() => void) | undefined;
  try {
    for (const s of sides) runners.push(await s.start());
    undo = started?.();
    // One untimed round each: code warmed up, threads running.
    for (const r of runners) await r.round(warm);
    const per: number[][] = sides.map(() => []);
    const cpu: number[][] = sides.map(() => []);
    for (let rep = 0; rep < reps; rep++) {
      const order = runners.map((_, i) => i);
      if (rep % 2 === 1) order.reverse();
      for (const i of order) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const ops = await runners[i].round(n);
        per[i].push((performance.now() - t0) * 1e6 / ops);
        const c = process.cpuUsage(c0);
        cpu[i].push((c.user + c.system) * 1e3 / ops);
      }
    }
    result = sides.map((s, i) => ({
      name: s.name,
      nsPerOp: median(per[i]),
      rounds: per[i],
      cpuPerOp: median(cpu[i]),
      extra: runners[i].extra?.(),
    }));
  } catch (error) {
    failure = error;
  }
  undo?.();
  // Stop every side that started, even after a failure (its threads must
  // not stay blocked); the first error wins.
  for (const r of runners) {
    await r.stop().catch((e) => failure ??= e);
  }
  if (failure !== undefined || result === undefined) throw failure;
  return result;
}

/** The median of `xs` (NaN for none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The line a two-tree A/B prints for row `row` (bench/rows_ab.ts,
 * bench/async_turn_ab.ts): both medians (ns per item), their ratio and the
 * median per-round ratio (this / base: below 1 is faster), the CPU per item
 * and the load average at the start (`load0`) and now.
 */
export function abLine(
  row: string,
  ta: Timing,
  tb: Timing,
  load0: number,
): string {
  const per = ta.rounds.map((x, i) => x / tb.rounds[i]);
  return JSON.stringify({
    row,
    thisNs: Number(ta.nsPerOp.toFixed(1)),
    baseNs: Number(tb.nsPerOp.toFixed(1)),
    ratio: Number((ta.nsPerOp / tb.nsPerOp).toFixed(3)),
    roundRatio: Number(median(per).toFixed(3)),
    thisCpu: Number(ta.cpuPerOp.toFixed(1)),
    baseCpu: Number(tb.cpuPerOp.toFixed(1)),
    load: [Number(load0.toFixed(1)), Number(loadavg()[0].toFixed(1))],
  });
}
