// Copyright 2026 the threadkit authors. MIT license.
// Counts what one task at a time costs in Atomics calls, against the raw
// wait/notify round trip: every Atomics function of the submitting thread
// (patched before the package loads) and of the pool thread (patched by the
// executor's initializer, counted into a shared block) is wrapped in a
// counter, then N round trips of submit + result() (or submit + await) run
// on a warm executor of one pool thread. Prints the calls per round trip by
// function and thread, and wait/notify outcomes (a notify that woke
// someone; a wait that slept), beside the raw round trip's, counted the
// same way in its peer. Counting slows every call: the figures are counts,
// not times.
//
//   deno run -A bench/rt_counts.ts [result|await] [N]
import process from "node:process";
import { countAtomics, NAMES, SLOTS } from "./_count_atomics.ts";

const mode = process.argv[2] ?? "result";
const N = Number(process.argv[3] ?? 20_000);
const mainBuf = new SharedArrayBuffer(SLOTS * 4);
const mainCounts = new Int32Array(mainBuf);
countAtomics(mainBuf);
const { Thread, ThreadPoolExecutor } = await import("../mod.ts");

function table(what: string, c: Int32Array, n: number): void {
  const row: Record<string, number> = {};
  NAMES.forEach((name, i) => {
    if (c[i] > 0) row[name] = Number((c[i] / n).toFixed(2));
  });
  const k = NAMES.length;
  row.total = Number(
    (NAMES.reduce((s, name, i) => s + (name === "wait" ? 0 : c[i]), 0) / n)
      .toFixed(2),
  );
  row["notify woke"] = Number((c[k] / n).toFixed(2));
  row["wait slept"] = Number((c[k + 1] / n).toFixed(2));
  console.log(`${what}: ${JSON.stringify(row)}`);
}

const COUNTER = new URL("./_count_atomics.ts", import.meta.url).href;
const addOne = (x: number) => x + 1;
const poolBuf = new SharedArrayBuffer(SLOTS * 4);
const pool = new ThreadPoolExecutor({
  maxWorkers: 1,
  initializer: { module: COUNTER, export: "countAtomics" },
  initArgs: [poolBuf],
});
for (let i = 0; i < 2000; i++) await pool.submit(addOne, i);
for (let i = 0; i < 2000; i++) pool.submit(addOne, i).result();
const poolCounts = new Int32Array(poolBuf);
const snap = (c: Int32Array) => Int32Array.from(c);
const m0 = snap(mainCounts), p0 = snap(poolCounts);
for (let i = 0; i < N; i++) {
  const y = mode === "result"
    ? pool.submit(addOne, i).result({ timeout: 60_000 })
    : await pool.submit(addOne, i);
  if (y !== i + 1) throw new Error(`bad ${y}`);
}
const m1 = snap(mainCounts), p1 = snap(poolCounts);
table(`executor ${mode}, submitting thread`, m1.map((x, i) => x - m0[i]), N);
table(`executor ${mode}, pool thread`, p1.map((x, i) => x - p0[i]), N);
await pool.shutdownAsync();

// The raw round trip, counted the same way (its peer counts its own).
const a = new Int32Array(new SharedArrayBuffer(12));
const peerBuf = new SharedArrayBuffer(SLOTS * 4);
const peer = new Thread({
  target: { module: COUNTER, export: "countedRawPeer" },
  args: [a, peerBuf],
});
peer.start();
let sent = 0;
const trip = async () => {
  const i = ++sent;
  Atomics.store(a, 0, i);
  Atomics.notify(a, 0);
  while (Atomics.load(a, 1) !== i) {
    if (mode === "result") Atomics.wait(a, 1, i - 1, 60_000);
    else {
      const r = Atomics.waitAsync(a, 1, i - 1);
      if (r.async) await r.value;
    }
  }
};
for (let i = 0; i < 2000; i++) await trip();
const r0 = snap(mainCounts), q0 = snap(new Int32Array(peerBuf));
for (let i = 0; i < N; i++) await trip();
const r1 = snap(mainCounts), q1 = snap(new Int32Array(peerBuf));
table(`raw ${mode}, main`, r1.map((x, i) => x - r0[i]), N);
table(`raw ${mode}, peer`, q1.map((x, i) => x - q0[i]), N);
Atomics.store(a, 2, 1);
Atomics.store(a, 0, ++sent);
Atomics.notify(a, 0);
await peer.joinAsync({ timeout: 60_000 });
process.exit(0);
