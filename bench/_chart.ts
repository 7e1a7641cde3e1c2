// Copyright 2026 the threadkit authors. MIT license.
// The chart of `deno task bench --write` (bench/limits.svg, embedded by
// BENCHMARKS.md): one horizontal bar per ratio and runtime, hand-written
// SVG. Every bar shows threadkit's speed relative to its baseline on a log
// scale centred on 1x: a bar to the right is faster than the baseline, to
// the left slower (throughput ratios as they are, time ratios of wake-up
// round trips inverted). The whisker spans the processes' min to max; the
// red tick is the target, converted the same way.
import type { Verdict } from "./_verdict.ts";

const LANE = 22, LEFT = 430, WIDTH = 980, TOP = 56, RIGHT = 70;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Speed relative to the baseline (higher is better) of a ratio value. */
function speed(v: Verdict, x: number): number {
  return v.measure === "time" ? 1 / x : x;
}

/** The SVG document. */
export function chartSvg(
  verdicts: readonly Verdict[],
  caption: string,
): string {
  const shown = verdicts.filter((v) => v.values.length > 0);
  const targets = shown.map((v) =>
    v.measure === "time" ? 1 / v.target.ratio : v.target.ratio
  );
  const plot = WIDTH - LEFT - RIGHT;
  // log2 scale from 1/8x to 8x, 1x in the middle; values beyond are clamped.
  const x = (sp: number) =>
    LEFT + (Math.max(-3, Math.min(3, Math.log2(sp))) + 3) / 6 * plot;
  const height = TOP + shown.length * LANE + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">threadkit speed relative to the strongest baseline (right of 1x: faster; red tick: target)</text>`,
    `<text x="10" y="38" fill="#555">${esc(caption)}</text>`,
  ];
  for (const g of [0.125, 0.25, 0.5, 1, 2, 4, 8]) {
    out.push(
      `<line x1="${x(g)}" y1="${TOP - 6}" x2="${x(g)}" y2="${
        TOP + shown.length * LANE
      }" stroke="${g === 1 ? "#666" : "#e5e5e5"}"/>`,
      `<text x="${x(g)}" y="${
        TOP + shown.length * LANE + 16
      }" text-anchor="middle" fill="#555">${g < 1 ? `1/${1 / g}` : g}x</text>`,
    );
  }
  shown.forEach((v, i) => {
    const y = TOP + i * LANE;
    const s = speed(v, v.median);
    const lo = speed(v, v.measure === "time" ? v.max : v.min);
    const hi = speed(v, v.measure === "time" ? v.min : v.max);
    const t = targets[i];
    const color = v.met === true
      ? "#2e7d32"
      : v.met === false
      ? "#c62828"
      : "#757575";
    const label = `${v.runtime.split(" ")[0]} · ${v.figure} vs ${v.baseline}`;
    const x0 = Math.min(x(1), x(s)), x1 = Math.max(x(1), x(s));
    out.push(
      `<text x="${LEFT - 8}" y="${y + 15}" text-anchor="end">${
        esc(label.length > 70 ? label.slice(0, 69) + "…" : label)
      }</text>`,
      `<rect x="${x0}" y="${y + 4}" width="${Math.max(1, x1 - x0)}" height="${
        LANE - 8
      }" fill="${color}" fill-opacity="0.75"/>`,
      `<line x1="${x(lo)}" y1="${y + LANE / 2}" x2="${x(hi)}" y2="${
        y + LANE / 2
      }" stroke="black"/>`,
      // A context ratio (not judged) has no target tick.
      v.context
        ? ""
        : `<line x1="${x(t)}" y1="${y + 1}" x2="${x(t)}" y2="${
          y + LANE - 1
        }" stroke="red" stroke-width="3"/>`,
      `<text x="${Math.max(x(hi), v.context ? 0 : x(t)) + 6}" y="${y + 15}">${
        s.toFixed(2)
      }x</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
