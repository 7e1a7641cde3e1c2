// Copyright 2026 the threadkit authors. MIT license.
// The chart of `deno task bench --write` (bench/limits.svg, embedded by
// BENCHMARKS.md): one horizontal bar per ratio and runtime, hand-written
// SVG. Every bar shows threadkit's speed relative to its baseline, so longer
// is better everywhere: throughput ratios as they are, time ratios (wake-up
// round trips) inverted. The whisker spans the processes' min to max; the
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
  const top = Math.max(
    1,
    ...targets,
    ...shown.map((v) => speed(v, v.measure === "time" ? v.min : v.max)),
  );
  const scaleMax = Math.min(8, Math.ceil(top * 1.05 * 2) / 2);
  const plot = WIDTH - LEFT - RIGHT;
  const x = (s: number) => LEFT + Math.min(s, scaleMax) / scaleMax * plot;
  const height = TOP + shown.length * LANE + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">threadkit speed relative to the strongest baseline (longer is better; red tick: target)</text>`,
    `<text x="10" y="38" fill="#555">${esc(caption)}</text>`,
  ];
  for (let g = 0; g <= scaleMax; g += scaleMax > 4 ? 1 : 0.5) {
    out.push(
      `<line x1="${x(g)}" y1="${TOP - 6}" x2="${x(g)}" y2="${
        TOP + shown.length * LANE
      }" stroke="${g === 1 ? "#999" : "#e5e5e5"}"/>`,
      `<text x="${x(g)}" y="${
        TOP + shown.length * LANE + 16
      }" text-anchor="middle" fill="#555">${g}x</text>`,
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
    out.push(
      `<text x="${LEFT - 8}" y="${y + 15}" text-anchor="end">${
        esc(label.length > 70 ? label.slice(0, 69) + "…" : label)
      }</text>`,
      `<rect x="${LEFT}" y="${y + 4}" width="${
        Math.max(1, x(s) - LEFT)
      }" height="${LANE - 8}" fill="${color}" fill-opacity="0.75"/>`,
      `<line x1="${x(lo)}" y1="${y + LANE / 2}" x2="${x(hi)}" y2="${
        y + LANE / 2
      }" stroke="black"/>`,
      `<line x1="${x(t)}" y1="${y + 1}" x2="${x(t)}" y2="${
        y + LANE - 1
      }" stroke="red" stroke-width="3"/>`,
      `<text x="${Math.min(x(hi), LEFT + plot) + 6}" y="${y + 15}">${
        s.toFixed(2)
      }x${s > scaleMax ? " →" : ""}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
