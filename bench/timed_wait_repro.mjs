// Copyright 2026 the threadkit authors. MIT license.
// Standalone repro, raw Atomics only (no threadkit code): what a timeout
// costs Atomics.wait, in the runtime that runs this file. For a report to
// Deno / V8: threadkit's Lock sleeps in timed 50 ms slices (cancellation,
// holder death, a waker that stopped) and pays it (BENCHMARKS.md, "Lock,
// 2 threads").
//
//   deno run -A bench/timed_wait_repro.mjs     (Deno 2.9: V8 15)
//   node bench/timed_wait_repro.mjs            (Node 20: V8 11.3)
//
// 1. "not-equal": one thread, Atomics.wait on a word that does not hold the
//    expected value (returns at once), with no timeout and with a 50 ms
//    timeout, in alternating loops of 200,000 calls.
// 2. ping-pong: two worker threads hand a token back and forth through one
//    word each way (store, notify; wait while unchanged), every wait with no
//    timeout or every wait with a 50 ms timeout (never reached), in
//    alternating rounds of 5,000 round trips on the same two threads.
// Prints the medians (ns per call, us per round trip) and the median of the
// per-round ratios timed/untimed. Nothing else runs in the process.
import { isMainThread, Worker, workerData } from "node:worker_threads";

const ROUNDS = 9;
const CALLS = 200_000;
const TRIPS = 5_000;
const TIMEOUT = 50; // ms, never reached
// Control block: GEN (round, -1 ends), MODE (0 untimed, 1 timed), DONE, and
// the two ping-pong words on their own cache lines.
const GEN = 0;
const MODE = 1;
const DONE = 2;
const PING = 16;
const PONG = 32;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function side(ctl, role) {
  const mine = role === 0 ? PING : PONG;
  const theirs = role === 0 ? PONG : PING;
  for (let gen = 0;;) {
    while (Atomics.load(ctl, GEN) === gen) Atomics.wait(ctl, GEN, gen);
    gen = Atomics.load(ctl, GEN);
    if (gen < 0) return;
    const timed = Atomics.load(ctl, MODE) === 1;
    // Counters, not flags: side 0 bumps the peer's word to i + 1, then
    // waits for its own to reach i + 1 (the driver zeroes both per round).
    for (let i = 1; i <= TRIPS; i++) {
      if (role === 0) {
        Atomics.store(ctl, theirs, i);
        Atomics.notify(ctl, theirs, 1);
      }
      for (
        let v = Atomics.load(ctl, mine);
        v < i;
        v = Atomics.load(ctl, mine)
      ) {
        if (timed) Atomics.wait(ctl, mine, v, TIMEOUT);
        else Atomics.wait(ctl, mine, v);
      }
      if (role === 1) {
        Atomics.store(ctl, theirs, i);
        Atomics.notify(ctl, theirs, 1);
      }
    }
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}

function notEqual() {
  const w = new Int32Array(new SharedArrayBuffer(4));
  const ns = [[], []];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = [0, 0];
    for (const mode of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      if (mode === 0) { for (let i = 0; i < CALLS; i++) Atomics.wait(w, 0, 1); }
      else for (let i = 0; i < CALLS; i++) Atomics.wait(w, 0, 1, TIMEOUT);
      t[mode] = (performance.now() - t0) * 1e6 / CALLS;
      ns[mode].push(t[mode]);
    }
    ratios.push(t[1] / t[0]);
  }
  return {
    untimed: median(ns[0]),
    timed: median(ns[1]),
    ratio: median(ratios),
  };
}

async function pingPong() {
  const ctl = new Int32Array(new SharedArrayBuffer(48 * 4));
  const url = new URL(import.meta.url);
  const workers = [0, 1].map((role) =>
    new Worker(url, { workerData: { ctl, role } })
  );
  const us = [[], []];
  const ratios = [];
  const round = (mode) => {
    Atomics.store(ctl, MODE, mode);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, PING, 0);
    Atomics.store(ctl, PONG, 0);
    const t0 = performance.now();
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    for (let d = Atomics.load(ctl, DONE); d < 2; d = Atomics.load(ctl, DONE)) {
      Atomics.wait(ctl, DONE, d, 60_000);
    }
    return (performance.now() - t0) * 1000 / TRIPS;
  };
  round(0); // warm-up, untimed sides and timed
  round(1);
  for (let r = 0; r < ROUNDS; r++) {
    const t = [0, 0];
    for (const mode of r % 2 === 0 ? [0, 1] : [1, 0]) {
      t[mode] = round(mode);
      us[mode].push(t[mode]);
    }
    ratios.push(t[1] / t[0]);
  }
  Atomics.store(ctl, GEN, -1);
  Atomics.notify(ctl, GEN);
  await Promise.all(workers.map((w) => new Promise((r) => w.on("exit", r))));
  return {
    untimed: median(us[0]),
    timed: median(us[1]),
    ratio: median(ratios),
  };
}

if (!isMainThread) {
  side(workerData.ctl, workerData.role);
} else {
  const runtime = typeof Deno !== "undefined"
    ? `Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`
    : `Node ${process.version} (V8 ${process.versions.v8})`;
  const f = (x) => x.toFixed(3);
  const a = notEqual();
  console.log(
    `${runtime} not-equal: untimed ${f(a.untimed)} ns, timed ${
      f(a.timed)
    } ns per call; timed/untimed ${f(a.ratio)}`,
  );
  const b = await pingPong();
  console.log(
    `${runtime} ping-pong: untimed ${f(b.untimed)} us, timed ${
      f(b.timed)
    } us per round trip; timed/untimed ${f(b.ratio)}`,
  );
}
