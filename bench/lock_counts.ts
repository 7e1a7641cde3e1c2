// Copyright 2026 the threadkit authors. MIT license.
// Counts, per 1000 acquire/release pairs, what a 2-thread contended Lock and
// the futex mutex (bench/_futex.ts) do on their lock word: compareExchange,
// other read-modify-writes, loads (a Lock's spin), stores, waits (and how
// they ended: woken, not-equal, slice timed out), notifies and the waiters
// they woke, beside handoffs. Instrumented crews (bench/_workers/
// count_crew.ts), so the times are not the shipped path's; the counts are.
//   deno run -A bench/lock_counts.ts [--n=1000000] [--rounds=3] [--uncontended]
// --uncontended runs one thread (the atomics of an uncontended pair).
import process from "node:process";
import { loadavg } from "node:os";
import { Lock, moduleTarget, Thread } from "../mod.ts";
import { Crew } from "./_crew.ts";
import { COUNT_NAMES, N_COUNTS } from "./_workers/count_crew.ts";
import type * as counted from "./_workers/count_crew.ts";

const args = process.argv.slice(2);
const n = Number(args.find((a) => a.startsWith("--n="))?.slice(4) ?? 1e6);
const rounds = Number(
  args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 3,
);
const threads = args.includes("--uncontended") ? 1 : 2;
const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const WORKER = new URL(`./_workers/count_crew${ext}`, import.meta.url);

async function run(
  name: string,
  target: "countedLockCrew" | "countedFutexCrew",
  lockArgs: unknown[],
): Promise<void> {
  const counts = new Int32Array(
    new SharedArrayBuffer((threads + 1) * N_COUNTS * 4),
  );
  const crew = await Crew.start(threads, (ctl, id) => {
    const t = new Thread({
      target: moduleTarget<typeof counted.countedLockCrew>(WORKER, target),
      args: [...lockArgs, counts, ctl, id] as Parameters<
        typeof counted.countedLockCrew
      >,
      name: target,
    });
    t.start();
    return t.joinAsync({ timeout: 600_000 });
  });
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) crew.round(n);
  const ms = performance.now() - t0;
  await crew.stop();
  const per = (slot: number) => {
    let s = 0;
    for (let id = 1; id <= threads; id++) s += counts[id * N_COUNTS + slot];
    return (s / crew.ops * 1000).toFixed(1);
  };
  console.log(
    `${name}: ${
      (crew.ops / ms / 1000).toFixed(2)
    } M pairs/s (instrumented), per 1000 pairs: handoffs ${
      (crew.handoffs / crew.ops * 1000).toFixed(1)
    } ${COUNT_NAMES.map((c, i) => `${c} ${per(i)}`).join(" ")}`,
  );
}

const keepAlive = setInterval(() => {}, 1 << 30);
console.log(
  `load ${
    loadavg()[0].toFixed(1)
  }, ${threads} thread(s), ${rounds} x ${n} pairs each`,
);
await run("Lock", "countedLockCrew", [new Lock()]);
await run("futex", "countedFutexCrew", []);
clearInterval(keepAlive);
process.exit(0);
