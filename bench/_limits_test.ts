// Copyright 2026 the threadkit authors. MIT license.
// Checks of the benchmark's own machinery (part of `deno task test`): the
// baseline rings deliver every item in order across many laps, on one
// thread and between two with a ring so small that both sides park on
// nearly every item (a lost wakeup fails with the ring's "peer silent"
// after its 60 s park bound), and the verdicts follow their rules.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { IntRing, ringStorage, TextRing } from "./_ring.ts";
import { moduleTarget, Thread } from "../mod.ts";
import type * as Feed from "./_workers/ring_feed.ts";

const FEED = new URL("./_workers/ring_feed.ts", import.meta.url);
import { aggregate, markdownTable } from "./_verdict.ts";
import { ROWS } from "./_rows.ts";
import { chartSvg } from "./_chart.ts";
import type { ProcessRun } from "./limits.ts";
import { placement, type Snapshot } from "./_place.ts";

describe("bench baselines", () => {
  it("IntRing delivers every item once, in order, over many laps", () => {
    const s = ringStorage(64);
    const p = new IntRing(s), c = new IntRing(s);
    let next = 0;
    for (let i = 0; i < 10_000;) {
      const burst = 1 + (i % 16); // never more than the 16 slots
      for (let k = 0; k < burst; k++) p.put(i + k);
      for (let k = 0; k < burst; k++) assert.equal(c.get(), next++);
      i += burst;
    }
  });

  it("IntRing delivers every item once, in order, across its cursors' wrap (mod 2^30)", () => {
    const s = ringStorage(64);
    const start = 2 ** 30 - 37; // HEAD and TAIL words (slots 0 and 16)
    s.header[0] = s.header[16] = start;
    const p = new IntRing(s), c = new IntRing(s);
    let next = 0;
    for (let i = 0; i < 1_000;) {
      const burst = 1 + (i % 16);
      for (let k = 0; k < burst; k++) p.put(i + k);
      for (let k = 0; k < burst; k++) assert.equal(c.get(), next++);
      i += burst;
    }
    assert.ok(s.header[16] < start, "TAIL wrapped");
  });

  it("TextRing delivers every item once, in order, across the wrap marker", () => {
    const s = ringStorage(1024);
    const p = new TextRing(s), c = new TextRing(s);
    let next = 0;
    for (let i = 0; i < 3_000; i++) {
      const item = { id: i, payload: "x".repeat(i % 97), text: "é∑" };
      p.put(item);
      if (i % 3 === 2) {
        for (; next <= i; next++) {
          const got = c.get() as { id: number; payload: string };
          assert.equal(got.id, next);
          assert.equal(got.payload.length, next % 97);
        }
      }
    }
  });
});

// `handoffs`: the futex mutex's handoffs per 1000 pairs (Lock's 1), or
// both sides'.
function run(
  runtime: string,
  ratios: number[],
  handoffs?: number | { lock: number; futex: number },
  rounds?: { queue: number[]; ring: number[] },
): ProcessRun {
  const r = ratios.shift()!;
  const h = typeof handoffs === "object"
    ? handoffs
    : { lock: 1, futex: handoffs ?? 0 };
  return {
    runtime,
    quick: false,
    rows: [{
      id: "int-t2t",
      timings: [
        {
          name: "Queue",
          nsPerOp: 100,
          rounds: rounds?.queue ?? [100],
          cpuPerOp: 100,
        },
        {
          name: "ring",
          nsPerOp: 100 * r,
          rounds: rounds?.ring ?? [100 * r],
          cpuPerOp: 1,
        },
        // The row's third side (singleWriter+singleReader Queue), judged
        // against the ring by a second ratio.
        { name: "Queue solo", nsPerOp: 100, rounds: [100], cpuPerOp: 100 },
      ],
    }, {
      id: "lock-2",
      timings: [
        {
          name: "Lock",
          nsPerOp: 100,
          rounds: [100],
          cpuPerOp: 1,
          extra: { handoffsPer1k: h.lock },
        },
        {
          name: "futex",
          nsPerOp: 100,
          rounds: [100],
          cpuPerOp: 1,
          extra: { handoffsPer1k: h.futex },
        },
      ],
    }],
  };
}

// Starts `feed` on a thread putting n items into the ring over `s`, runs
// `take(i)` for each i on this thread, then joins the producer (bounded: a
// producer stuck on a full ring ends with "peer silent" after 60 s).
async function fromThread(
  feed: "feedInts" | "feedText",
  s: ReturnType<typeof ringStorage>,
  n: number,
  take: (i: number) => void,
): Promise<void> {
  const t = new Thread({
    target: moduleTarget<typeof Feed.feedInts>(FEED, feed),
    args: [s, n],
  });
  t.start();
  try {
    for (let i = 0; i < n; i++) take(i);
  } finally {
    assert.equal(await t.joinAsync({ timeout: 60_000 }), n);
  }
}

describe("bench baselines between two threads", () => {
  for (const [slots, n] of [[1, 50_000], [4, 20_000], [64, 100_000]]) {
    it(`IntRing of ${slots} slots: ${n} items once, in order, parking on both sides`, async () => {
      const s = ringStorage(slots * 4);
      const c = new IntRing(s);
      await fromThread("feedInts", s, n, (i) => assert.equal(c.get(), i));
    });
  }

  it("TextRing of 128 bytes: every record once, in order, parking on both sides", async () => {
    const s = ringStorage(128);
    const c = new TextRing(s);
    await fromThread("feedText", s, 20_000, (i) => {
      assert.deepEqual(c.get(), { id: i, payload: "x".repeat(i % 13) });
    });
  });
});

// The claim prototype (bench/_mpmc_proto.ts, kinds claim, claim-cas and
// claim-sl) in its own process: 4 producer threads and 2 consumer threads
// through a ring of 4 slots (every side parks on nearly every item: the
// producers for room and for their turn to publish, the consumers for
// items), cursors starting 100,000 short of the 2^30 wrap, three rounds of
// 60,000 a kind (the warm-up is one): every round checks that each value
// was taken exactly once and the sums. A miscount throws (exit code 1); a
// lost wakeup ends in the prototype's 60 s "silent" error or this test's
// 240 s bound, either a failure.
describe("bench prototype: the claim ring", () => {
  it("4 producers x 2 consumers, 4 slots, across the 2^30 wrap: every value once", async () => {
    const out = await runProto(
      ["2", "60000", "claim,claim-cas,claim-sl", "mpmc"],
      { MPMC_CAP: "4", MPMC_START: String(2 ** 30 - 100_000) },
    );
    assert.match(
      out,
      /^deno mpmc {2}claim [\d.]+M\/s {2}claim-cas .* claim-sl /m,
    );
  });

  // A producer handle idle while 2^29 + 8 positions pass must not take its
  // cached HEAD for room on a full ring (it overwrote an unconsumed slot
  // before the fix: "put into a full ring"). Mode aba, bench/_mpmc_proto.ts.
  it("an idle producer handle waits for room on a full ring after 2^29 positions", async () => {
    const out = await runProto(
      ["1", "1000", "claim,claim-cas,claim-sl", "aba"],
      {
        MPMC_CAP: "4",
      },
    );
    assert.equal(
      out.trim(),
      "deno aba claim ok\ndeno aba claim-cas ok\ndeno aba claim-sl ok",
    );
  });
});

// Runs bench/_mpmc_proto.ts with `args` in a process of its own (bounded:
// 240 s); resolves with its output, rejects when it fails.
async function runProto(
  args: string[],
  env: Record<string, string>,
): Promise<string> {
  const { execFile } = await import("node:child_process");
  const proto = new URL("./_mpmc_proto.ts", import.meta.url).pathname;
  return await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ["run", "-A", proto, ...args],
      { env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 240_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe("bench verdicts", () => {
  it("int-m2t-solo runs before every other row that puts from the main thread", () => {
    // Its fairness (BENCHMARKS.md, method): the main thread has put to no
    // other kind of queue when it runs, and limits.ts runs rows in ROWS
    // order. Only int-t2t, whose main thread never puts, may precede it.
    const ids = ROWS.map((r) => r.id);
    assert.deepEqual(ids.slice(0, ids.indexOf("int-m2t-solo")), ["int-t2t"]);
  });

  it("met needs every process; mixed and NOT met follow the median", () => {
    const verdict = (xs: number[]) => {
      const queue = [...xs];
      return aggregate(xs.map(() => run("deno 2.9.6", queue)), false)
        .find((v) => v.id === "int-t2t")!;
    };
    assert.equal(verdict([0.9, 0.85, 1.2]).status, "met");
    assert.match(verdict([0.9, 0.7, 1.2]).status, /^mixed: met in 2 of 3/);
    const no = verdict([0.5, 0.7, 0.9]);
    assert.equal(no.status, "NOT met");
    assert.equal(no.median, 0.7);
    assert.equal(no.min, 0.5);
    assert.equal(no.max, 0.9);
  });

  it("a paired row is judged by the median of its per-round ratios", () => {
    // Queue drew three slow rounds, the ring two: the sides' medians (300
    // and 100) would say 0.33x; round by round Queue ran at 0.9-0.93x the
    // ring beside it in four of five rounds.
    const v = aggregate([
      run("deno 2.9.6", [1], undefined, {
        queue: [100, 100, 300, 300, 300],
        ring: [90, 90, 280, 280, 100],
      }),
    ], false).find((x) => x.id === "int-t2t")!;
    assert.equal(v.median, 0.9);
  });

  it("a contention row whose baseline never handed over is not judged", () => {
    const lock = (h: number) =>
      aggregate([run("deno", [1], h), run("deno", [1], h)], false)
        .find((v) => v.id === "lock-2")!;
    assert.match(lock(0.2).status, /^not judged/);
    assert.equal(lock(1.5).status, "met (2 processes only)");
  });

  it("the handoff band is judged on the median over processes of each process's ratio to its own futex mutex, within 1/2x-2x both ways; the table keeps each process's ratio", () => {
    const lock = (pairs: [number, number][]) =>
      aggregate(
        pairs.map(([lock, futex]) => run("deno", [1], { lock, futex })),
        false,
      ).find((v) => v.id === "lock-2")!;
    // The futex mutex's handoffs over 55-216 between processes: one
    // process's ratio (0.28) misses, the median (0.83) meets it.
    const spread = lock([[50, 55], [60, 216], [100, 120]]);
    assert.equal(spread.status, "met");
    assert.deepEqual(
      spread.extra!.values.map((x) => x.toFixed(2)),
      ["0.91", "0.28", "0.83"],
    );
    assert.equal(spread.extra!.median.toFixed(2), "0.83");
    const row = markdownTable([spread], 3)[2];
    assert.match(row, /; handoffs 0\.83x \(0\.91, 0\.28, 0\.83\)/);
    assert.match(row, /handoffs 1\/2x-2x \(median over processes\)/);
    // Too few handoffs is outside the band as too many is.
    assert.equal(
      lock([[20, 100], [20, 100], [30, 100]]).status,
      "NOT met (handoffs 0.20x, outside 1/2x-2x)",
    );
    assert.equal(
      lock([[300, 100], [100, 100], [250, 100]]).status,
      "NOT met (handoffs 2.50x, outside 1/2x-2x)",
    );
    // A process whose futex mutex never handed over gives no ratio.
    const one = lock([[50, 0.2], [60, 100], [70, 100]]);
    assert.deepEqual(one.extra!.values.map((x) => x.toFixed(2)), [
      "0.60",
      "0.70",
    ]);
    assert.equal(one.status, "met");
  });

  it("a context ratio is shown, never judged, and has no target tick", () => {
    const timing = (name: string, ns: number) => ({
      name,
      nsPerOp: ns,
      rounds: [ns],
      cpuPerOp: ns,
    });
    const many = (): ProcessRun => ({
      runtime: "deno 2.9.6",
      quick: false,
      rows: [{
        id: "int-many",
        timings: [
          timing("Queue", 100),
          timing("ringbuf", 50),
          timing("f", 200),
        ],
      }],
    });
    const vs = aggregate([many(), many(), many()], false)
      .filter((v) => v.id === "int-many");
    assert.deepEqual(vs.map((v) => [v.status, v.met]), [
      ["NOT met", false],
      ["context: not judged", undefined],
    ]);
    assert.equal(vs[1].median, 2);
    assert.match(markdownTable(vs, 3)[3], /\| none \(context\) \|/);
    assert.equal(chartSvg(vs, "c").match(/stroke="red"/g)?.length, 1);
  });

  it("the table and the chart show every verdict, with the target tick", () => {
    const vs = aggregate([run("deno", [0.5]), run("node 20", [2])], false);
    const table = markdownTable(vs, 1);
    assert.equal(table.length, 2 + vs.length);
    assert.match(table[2], /\| deno \|/);
    const svg = chartSvg(vs, "caption");
    assert.ok(svg.startsWith("<svg"));
    assert.equal(svg.match(/stroke="red"/g)?.length, vs.length);
  });
});

describe("bench placement", () => {
  const at = (cpu: number, on: number, moves: number) => ({ cpu, on, moves });
  const snap = (...e: [string, ReturnType<typeof at>][]): Snapshot =>
    new Map(e);
  it("a round's placement: the caller and its busiest peer on one CPU, on two, moved, or not told", () => {
    const before = snap(["1", at(0, 0, 5)], ["2", at(0, 1, 3)], [
      "3",
      at(0, 0, 1),
    ]);
    // Thread 3 did most of the round's work besides the caller: the peer.
    const one = snap(["1", at(9, 0, 5)], ["2", at(1, 1, 3)], [
      "3",
      at(8, 0, 1),
    ]);
    assert.equal(placement(before, one, "1"), "1");
    const two = snap(["1", at(9, 0, 5)], ["2", at(1, 1, 3)], [
      "3",
      at(8, 1, 1),
    ]);
    assert.equal(placement(before, two, "1"), "2");
    const moved = snap(["1", at(9, 0, 6)], ["2", at(1, 1, 3)], [
      "3",
      at(8, 0, 1),
    ]);
    assert.equal(placement(before, moved, "1"), "moved");
    const untold = snap(["1", at(9, 0, -1)], ["3", at(8, 0, -1)]);
    assert.equal(placement(before, untold, "1"), "?");
    assert.equal(placement(before, snap(), "1"), "?");
  });
});
