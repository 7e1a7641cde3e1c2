// Copyright 2026 the threadkit authors. MIT license.
// Same-process A/B of the wake-up rows (Event blocking, Event.waitAsync,
// Condition blocking and async) and of the 2-thread contended Lock between
// this tree and a baseline tree (a checkout of an older commit), beside the
// platform limit (the raw Atomics ping-pong, and for the async rows a raw one
// whose waitAsync has no timeout; the futex mutex of bench/_futex.ts): the
// sides of each row are started once and timed in alternating rounds
// (bench/_ab.ts), so the machine's load hits them alike. Prints one line per
// row: new/base, new/raw and base/raw (median ns per round trip, or per
// acquire/release pair; "raw" is the futex mutex there, with each side's
// handoffs per 1000 pairs, beside the futex mutex with 50 ms timed sleeps
// and the load average), then the medians of the per-round ratios.
//
//   git -C . worktree add /tmp/base <commit>   (or any copy of the tree)
//   deno run -A bench/wake_ab.ts --base=/tmp/base [--rows=event,condition]
//   deno run -A bench/wake_ab.ts --base=/tmp/base --rows=lock-2 --n=1000000
//   node npm/bench/wake_ab.js --base=/tmp/base/npm   (both trees built:
//   deno task build:npm && deno run -A bench/_node_build.ts, in each)
// The baseline's pairs and crews come from its own bench/_pingpong and
// bench/_sides, over its own copy of the package (its threads load its
// modules).
import process from "node:process";
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { compare, median } from "./_ab.ts";
import { conditionPair, eventPair, type Pair, rawPair } from "./_pingpong.ts";
import { contended, pingPong } from "./_sides.ts";
import { Lock } from "../mod.ts";

interface Pairs {
  eventPair(): Pair;
  conditionPair(): Pair;
  rawPair(): Pair;
}

const args = process.argv.slice(2);
const base = args.find((a) => a.startsWith("--base="))?.slice(7);
if (base === undefined) throw new Error("wake_ab: --base=<tree> is required");
const only = args.find((a) => a.startsWith("--rows="))?.slice(7).split(",");
const n = Number(args.find((a) => a.startsWith("--n="))?.slice(4) ?? 4000);
const reps = Number(args.find((a) => a.startsWith("--reps="))?.slice(7) ?? 9);
const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const old = await import(
  pathToFileURL(`${base}/bench/_pingpong${ext}`).href
) as Pairs;
const oldSides = await import(
  pathToFileURL(`${base}/bench/_sides${ext}`).href
) as { contended: typeof contended };
const oldMod = await import(
  pathToFileURL(`${base}/mod${ext}`).href
) as { Lock: typeof Lock };

const rows: [string, keyof Pairs, boolean][] = [
  ["event", "eventPair", false],
  ["event-async", "eventPair", true],
  ["condition", "conditionPair", false],
  ["condition-async", "conditionPair", true],
];
const mine: Pairs = { eventPair, conditionPair, rawPair };
const keepAlive = setInterval(() => {}, 1 << 30);
const f = (x: number) => x.toFixed(3);
const us = (x: number) => (x / 1000).toFixed(2);
if (only?.includes("lock-2")) {
  const [a, b, raw, sliced] = await compare(
    [
      contended("lock-2 new", "lockCrew", () => [new Lock()]),
      oldSides.contended("lock-2 base", "lockCrew", () => [new oldMod.Lock()]),
      contended("lock-2 futex", "futexCrew", () => []),
      // The futex mutex whose sleeps are 50 ms timed slices, as a Lock
      // waiter's are (bench/_futex.ts futexLockSliced): new/sliced is what
      // Lock adds beyond its slices, sliced/futex what the slices cost.
      contended("lock-2 futex sliced", "futexSlicedCrew", () => []),
    ],
    n === 4000 ? 1_000_000 : n,
    reps,
  );
  const h = (t: typeof a) => (t.extra?.handoffsPer1k ?? NaN).toFixed(1);
  // Throughput ratios: the inverse of the time ratios.
  console.log(
    `LOCK lock-2 load ${loadavg()[0].toFixed(1)} new/base ${
      f(b.nsPerOp / a.nsPerOp)
    } new/futex ${f(raw.nsPerOp / a.nsPerOp)} base/futex ${
      f(raw.nsPerOp / b.nsPerOp)
    } new/sliced ${f(sliced.nsPerOp / a.nsPerOp)} sliced/futex ${
      f(raw.nsPerOp / sliced.nsPerOp)
    }; handoffs/1k new ${h(a)} base ${h(b)} futex ${h(raw)} sliced ${
      h(sliced)
    }; cpu us/pair new ${us(a.cpuPerOp)} base ${us(b.cpuPerOp)} futex ${
      us(raw.cpuPerOp)
    } sliced ${us(sliced.cpuPerOp)}`,
  );
}
for (const [id, kind, async] of rows) {
  if (only && !only.includes(id)) continue;
  const [a, b, raw, untimed] = await compare(
    [
      pingPong(`${id} new`, mine[kind], async),
      pingPong(`${id} base`, old[kind], async),
      pingPong(`${id} raw`, rawPair, async),
      // The async rows also against a raw waitAsync with no timeout.
      ...(async
        ? [pingPong(`${id} raw untimed`, () => rawPair(true), true)]
        : []),
    ],
    n,
    reps,
  );
  // Per-round ratios (rounds alternate, so round i of each side ran at
  // nearly the same time): their median is steadier than a ratio of medians.
  const perRound = (x: number[], y: number[]) =>
    f(median(x.map((t, i) => t / y[i])));
  console.log(
    `WAKE ${id} new/base ${f(a.nsPerOp / b.nsPerOp)} new/raw ${
      f(a.nsPerOp / raw.nsPerOp)
    } base/raw ${f(b.nsPerOp / raw.nsPerOp)} (per-round medians: new/base ${
      perRound(a.rounds, b.rounds)
    } new/raw ${perRound(a.rounds, raw.rounds)} base/raw ${
      perRound(b.rounds, raw.rounds)
    }${
      untimed === undefined
        ? ""
        : `; new/raw untimed ${
          perRound(a.rounds, untimed.rounds)
        } raw/raw untimed ${perRound(raw.rounds, untimed.rounds)}`
    }) raw ${(raw.nsPerOp / 1000).toFixed(2)} us; cpu us/op new ${
      us(a.cpuPerOp)
    } base ${us(b.cpuPerOp)} raw ${us(raw.cpuPerOp)}; wall us/op new ${
      us(a.nsPerOp)
    } base ${us(b.nsPerOp)}`,
  );
}
clearInterval(keepAlive);
process.exit(0);
