// Copyright 2026 the threadkit authors. MIT license.
// A probe of bench/simple_queue_threads.ts's slow mode (n feeders, n
// consumers, parked on a gate, then released; 1 or 2 runs of 4-6 took
// 22-66 s for 50x50). Nothing in the library changes: each thread wraps
// Atomics.wait and Atomics.notify and counts, per shared word, every wait
// by outcome and length (and, for a segment's NOT_EMPTY, whether items were
// queued when a slice timed out), every notify (calls, threads woken, calls
// that woke nobody), and the wake latency (a notified wait's return less the
// word's last notify, a lower bound). Consumers publish what they do
// (running, in get, asleep on word w) and their kernel thread id; the main
// thread watches a take counter and, when no item was taken for STALL ms
// while items are queued, samples FRONT, SEGMENTS, the front segment's
// TAIL, HEAD, GET_WAITERS, NOT_EMPTY, HOLDER, the consumers' states and how
// many of the threads the kernel has runnable (/proc task state R).
// Rounds of these kinds alternate in one process, on the same threads:
// - lib: SimpleQueue, `get({ timeout: 60_000 })` (the bench's "block");
// - libu: SimpleQueue, `get()` (untimed);
// - queue: a bounded Queue (capacity 1024), blocking puts, timed gets;
// - raw: the same shape with a raw counted queue (a CAS takes an item; a
//   consumer with none registers in a count, reads a sequence word, looks
//   again and sleeps on it in 50 ms slices; a producer adds its item, then
//   bumps and notifies one when a sleeper is counted);
// - rawlock: raw, each take under a futex mutex (spin 200, then CAS a
//   contended bit and sleep on the word in 1 ms naps, as a timed get waits
//   for the structured ring's HEAD turn; release wakes one if contended).
//
// - rawnotify: raw, the producers bumping and notifying one after every
//   item, sleeper or not (as a put does while more getters are registered
//   than it wakes: _turn.ts SLEEPER), most of them waking nobody.
//
//   deno run -A bench/_sq_probe.ts [n] [total] [kinds, comma-separated]
import { Queue, SimpleQueue, Thread } from "../mod.ts";
import { TO_DESCRIPTOR } from "../_core/transfer.ts";
import {
  FRONT,
  HEADER_WORDS as CHAIN_WORDS,
  OFFSET,
  SEGMENTS,
} from "../queue/_chain_memory.ts";
import {
  GET_WAITERS,
  HEAD,
  HEADER_WORDS,
  HOLDER,
  NOT_EMPTY,
  NOT_FULL,
  PSLEEP,
  PUT_WAITERS,
  TAIL,
} from "../queue/_layout.ts";

const n = Number(Deno.args[0] ?? 50);
const total = Number(Deno.args[1] ?? 10_000);
const kinds = (Deno.args[2] ?? "lib,raw,lib,raw").split(",");
const STALL = 20;
const R = kinds.length;

// Per thread (2n: feeder 2i, consumer 2i + 1): [state, word, tid, value];
// state 0 running, 1 in get, 2 in Atomics.wait (word: absolute Int32 index),
// 3 in Atomics.notify.
const table = new Int32Array(new SharedArrayBuffer(16 * 2 * n));
// Round r's words at 16 r: 0 next, 1 gate, 2 taken, 3 items, 4 seq,
// 5 waiters, 6 lock, 7 take order. Word 0 of the last block: parked count.
const w = new Int32Array(new SharedArrayBuffer(64 * (R + 1)));
const PARKED = 16 * R;
// Last notify per word (hashed mod 4096), absolute ms.
const lastNotify = new Float64Array(new SharedArrayBuffer(8 * 4096));

// Installed in each thread: wraps Atomics.wait/notify; returns a function
// that hands over this round's counts and starts the next.
const INSTALL = `
  const [table, slot, consumer, lastNotify] = arguments;
  const realWait = Atomics.wait, realNotify = Atomics.notify;
  const origin = performance.timeOrigin;
  let counts = new Map();
  const row = (k) => {
    let r = counts.get(k);
    if (r === undefined) counts.set(k, r = { ok: 0, ne: 0, to: 0, toItems: 0, toFree: 0, toShut: 0,
      ms1: 0, ms10: 0, ms45: 0, msMore: 0, notify: 0, woke: 0, nobody: 0,
      lat1: 0, lat10: 0, lat45: 0, latMore: 0, latSum: 0, neSlow: 0,
      notifySlow: 0, notify10: 0, notifyMs: 0 });
    return r;
  };
  Atomics.wait = function (view, index, value, timeout) {
    const k = (view.byteOffset >> 2) + index;
    const was = Atomics.load(table, 4 * slot);
    Atomics.store(table, 4 * slot + 1, k);
    Atomics.store(table, 4 * slot + 3, value);
    Atomics.store(table, 4 * slot, 2);
    const t0 = performance.now();
    const out = realWait(view, index, value, timeout);
    const t1 = performance.now();
    const dt = t1 - t0;
    Atomics.store(table, 4 * slot, was);
    const r = row(k);
    if (out === "ok") {
      r.ok++;
      const lat = origin + t1 - lastNotify[k & 4095];
      r.latSum += lat;
      if (lat < 1) r.lat1++;
      else if (lat < 10) r.lat10++;
      else if (lat < 45) r.lat45++;
      else r.latMore++;
    } else if (out === "not-equal") {
      r.ne++;
      if (dt >= 1) r.neSlow++; // no sleep: the call alone took >= 1 ms
    }
    else {
      r.to++;
      // A queue header (KIND holds MAGIC) and its NOT_EMPTY: were items
      // there when the slice ended?
      const queue = view.length >= 96 &&
        [0x5175, 0x5176, 0x5177].includes(Atomics.load(view, 0) >>> 16);
      // ... and was that queue (a segment) shut down or retired?
      if (index === 64 && queue && Atomics.load(view, 2) !== 0) r.toShut++;
      if (index === 64 && queue) {
        const M = view[8];
        const t = Atomics.load(view, 16) & 0xfffffff;
        const h = Atomics.load(view, 32) & 0xfffffff;
        if (((t - h) % M + M) % M > 0) r.toItems++;
      }
      // A segment header's HEAD turn: free when the wait timed out?
      if (index === 32 && queue && (Atomics.load(view, 32) & 0x10000000) === 0) r.toFree++;
    }
    if (out !== "not-equal") {
      if (dt < 1) r.ms1++;
      else if (dt < 10) r.ms10++;
      else if (dt < 45) r.ms45++;
      else r.msMore++;
    }
    return out;
  };
  Atomics.notify = function (view, index, count) {
    const k = (view.byteOffset >> 2) + index;
    lastNotify[k & 4095] = origin + performance.now();
    const n0 = performance.now();
    const was = Atomics.load(table, 4 * slot);
    Atomics.store(table, 4 * slot, 3); // in notify
    const woke = realNotify(view, index, count);
    Atomics.store(table, 4 * slot, was);
    const r = row(k);
    const nd = performance.now() - n0;
    if (nd >= 1) r.notifySlow++; // the call alone took >= 1 ms
    if (nd >= 10) r.notify10++;
    r.notifyMs += nd;
    r.notify++;
    r.woke += woke;
    if (woke === 0) r.nobody++;
    return woke;
  };
  const tid = Number(Deno.readLinkSync("/proc/thread-self").split("/").pop());
  Atomics.store(table, 4 * slot + 2, tid);
  return () => {
    const out = Object.fromEntries(counts);
    counts = new Map();
    return out;
  };
`;

type AnyQueue = SimpleQueue<number> | Queue<number>;
const queues: AnyQueue[] = kinds.map((k) =>
  k === "queue" ? new Queue<number>({ capacity: 1024 }) : new SimpleQueue()
);
const threads: Thread[] = [];
// Feeders at even slots, consumers at odd ones: one target for both.
const target = (
  queues: AnyQueue[],
  kinds: string[],
  w: Int32Array,
  total: number,
  table: Int32Array,
  slot: number,
  install: string,
  lastNotify: Float64Array,
) => {
  const consumer = slot % 2 === 1;
  const report = new Function(install)(table, slot, consumer, lastNotify);
  const PARKED = 16 * kinds.length;
  Atomics.add(w, PARKED, 1);
  Atomics.notify(w, PARKED);
  if (!consumer) {
    const out = [];
    for (let r = 0; r < kinds.length; r++) {
      const b = 16 * r, q = queues[r], kind = kinds[r];
      while (Atomics.load(w, b + 1) === 0) Atomics.wait(w, b + 1, 0, 1000);
      for (;;) {
        const k = Atomics.add(w, b, 1);
        if (kind.startsWith("raw")) {
          Atomics.add(w, b + 3, 1);
          if (kind === "rawnotify" || Atomics.load(w, b + 5) > 0) {
            Atomics.add(w, b + 4, 1);
            Atomics.notify(w, b + 4, 1);
          }
          if (k >= total) break;
          continue;
        }
        if (k >= total) {
          q.put(-1);
          break;
        }
        q.put(k);
      }
      out.push(report());
    }
    return JSON.stringify(out);
  }
  const out = [];
  const LOCKED = 1, CONTENDED = 2;
  for (let r = 0; r < kinds.length; r++) {
    const b = 16 * r, q = queues[r], kind = kinds[r];
    while (Atomics.load(w, b + 1) === 0) Atomics.wait(w, b + 1, 0, 1000);
    let got = 0;
    for (;;) {
      Atomics.store(table, 4 * slot, 1);
      let v: number;
      if (kind === "lib" || kind === "queue") v = q.get({ timeout: 60_000 });
      else if (kind === "libu") v = q.get();
      else {
        for (;;) {
          let took = false;
          if (kind === "rawlock") { // a futex mutex, as HEAD's turn
            let extra = 0, spins = 0;
            for (;;) {
              const x = Atomics.load(w, b + 6);
              if ((x & LOCKED) === 0) {
                if (
                  Atomics.compareExchange(w, b + 6, x, LOCKED | extra) === x
                ) break;
                continue;
              }
              if (spins++ < 200) continue;
              if (
                (x & CONTENDED) === 0 &&
                Atomics.compareExchange(w, b + 6, x, x | CONTENDED) !== x
              ) continue;
              Atomics.wait(w, b + 6, x | CONTENDED, 1);
              extra = CONTENDED;
            }
          }
          const c = Atomics.load(w, b + 3);
          if (c > 0) {
            took = Atomics.compareExchange(w, b + 3, c, c - 1) === c;
          }
          if (kind === "rawlock") {
            const x = Atomics.exchange(w, b + 6, 0);
            if ((x & CONTENDED) !== 0) Atomics.notify(w, b + 6, 1);
          }
          if (took) break;
          if (c > 0) continue;
          Atomics.add(w, b + 5, 1);
          const s = Atomics.load(w, b + 4);
          if (Atomics.load(w, b + 3) === 0) Atomics.wait(w, b + 4, s, 50);
          Atomics.sub(w, b + 5, 1);
        }
        const t = Atomics.add(w, b + 7, 1);
        v = t >= total ? -1 : t; // the last n takes are the sentinels
      }
      Atomics.store(table, 4 * slot, 0);
      Atomics.add(w, b + 2, 1);
      if (v === -1) break;
      got++;
    }
    out.push({ got, counts: report() });
  }
  return JSON.stringify(out);
};
for (let i = 0; i < n; i++) {
  for (const slot of [2 * i, 2 * i + 1]) {
    const t = new Thread({
      target,
      args: [queues, kinds, w, total, table, slot, INSTALL, lastNotify],
    });
    t.start();
    threads.push(t);
  }
}
while (Atomics.load(w, PARKED) < 2 * n) {
  await new Promise((r) => setTimeout(r, 5));
}
const identOf = new Map(threads.map((t, j) => [t.ident, j]));

function taskState(tid: number): string {
  try {
    const s = Deno.readTextFileSync(`/proc/self/task/${tid}/stat`);
    return s.slice(s.lastIndexOf(")") + 2, s.lastIndexOf(")") + 3);
  } catch {
    return "?";
  }
}
function runDelayMs(): number { // run-queue wait of all our threads, summed
  let sum = 0;
  for (let j = 0; j < 2 * n; j++) {
    try {
      const s = Deno.readTextFileSync(
        `/proc/self/task/${table[4 * j + 2]}/schedstat`,
      );
      sum += Number(s.split(" ")[1]) / 1e6;
    } catch { /* ended */ }
  }
  return sum;
}

for (let r = 0; r < R; r++) {
  const kind = kinds[r], b = 16 * r, q = queues[r];
  const lib = kind === "lib" || kind === "libu" || kind === "queue";
  const bounded = kind === "queue"; // one header, no chain
  const { buffer, byteOffset } = (q as unknown as {
    [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
  })[TO_DESCRIPTOR]();
  const ch = new Int32Array(buffer, byteOffset, CHAIN_WORDS);
  const seg = (s: number) =>
    new Int32Array(
      buffer,
      bounded ? byteOffset : Atomics.load(ch, OFFSET + s) >>> 0,
      HEADER_WORDS,
    );
  const SEG: Record<number, string> = {
    [GET_WAITERS]: "GET_WAITERS",
    [PUT_WAITERS]: "PUT_WAITERS",
    [TAIL]: "TAIL",
    [HEAD]: "HEAD",
    [HOLDER]: "HOLDER",
    [PSLEEP]: "PSLEEP",
    [NOT_EMPTY]: "NOT_EMPTY",
    [NOT_FULL]: "NOT_FULL",
  };
  const RAW = ["next", "gate", "taken", "items", "SEQ", "WAITERS", "LOCK"];
  const nameOf = (k: number): string => {
    if (k === b + 1) return "gate"; // w's own words (another buffer)
    if (!lib) return RAW[k - b] ?? `w${k}`;
    const c = k - (byteOffset >> 2);
    if (bounded) {
      return c >= 0 && c < HEADER_WORDS ? `q.${SEG[c] ?? c}` : `word${k}`;
    }
    if (c >= 0 && c < CHAIN_WORDS) return c === 0 ? "chain.LOCK" : `chain${c}`;
    const last = Atomics.load(ch, SEGMENTS) - 1;
    for (let s = 0; s <= last; s++) {
      const d = k - (Atomics.load(ch, OFFSET + s) >>> 2);
      if (d >= 0 && d < HEADER_WORDS) return `seg${s}.${SEG[d] ?? d}`;
    }
    return `word${k}`;
  };
  const stalls: Record<string, unknown>[] = [];
  let stallMs = 0, stallCount = 0;
  const delay0 = runDelayMs();
  const t0 = performance.now();
  Atomics.store(w, b + 1, 1);
  Atomics.notify(w, b + 1);
  let lastTaken = 0, lastAt = t0, inStall = false, stallAt = 0;
  while (Atomics.load(w, b + 2) < total + n) {
    await new Promise((r) => setTimeout(r, 2));
    const now = performance.now();
    const taken = Atomics.load(w, b + 2);
    if (taken !== lastTaken) {
      if (inStall) {
        stallMs += now - stallAt;
        stallCount++;
      }
      inStall = false;
      lastTaken = taken;
      lastAt = now;
      continue;
    }
    const queued = lib ? q.qsize() : Atomics.load(w, b + 3);
    if (inStall || now - lastAt < STALL || queued === 0) continue;
    inStall = true;
    stallAt = lastAt;
    if (stalls.length >= 6) continue;
    const states: Record<string, number> = {};
    let runnable = 0;
    for (let j = 0; j < 2 * n; j++) {
      if (taskState(table[4 * j + 2]) === "R") runnable++;
      // Kernel state (R runnable, S asleep) and, for a sleeper, whether its
      // word still holds the value it sleeps on ("same") or was changed
      // ("changed": woken and not run yet if R; not notified if S).
      const st = Atomics.load(table, 4 * j);
      const ks = taskState(table[4 * j + 2]);
      let key = (j % 2 === 0 ? "F " : "C ") +
        (st === 3 ? "in notify" : st === 1 ? "in get" : "out");
      if (st === 2) {
        const k = Atomics.load(table, 4 * j + 1);
        const name = nameOf(k);
        const view = name.startsWith("seg") || name.startsWith("chain") ||
            name.startsWith("q.")
          ? new Int32Array(buffer)
          : w;
        const same = Atomics.load(view, k) === Atomics.load(table, 4 * j + 3);
        key = `${j % 2 === 0 ? "F" : "C"} asleep ${name} ${
          same ? "same" : "changed"
        }`;
      }
      key += "/" + ks;
      states[key] = (states[key] ?? 0) + 1;
    }
    let words = {};
    if (lib) {
      const s = bounded ? 0 : Atomics.load(ch, FRONT);
      const h = seg(s);
      const holder = Atomics.load(h, HOLDER) & 0xffff;
      const hj = identOf.get(holder);
      words = {
        FRONT: s,
        SEGMENTS: bounded ? 1 : Atomics.load(ch, SEGMENTS),
        TAIL: (Atomics.load(h, TAIL) >>> 0).toString(16),
        HEAD: (Atomics.load(h, HEAD) >>> 0).toString(16),
        GET_WAITERS: Atomics.load(h, GET_WAITERS),
        NOT_EMPTY: Atomics.load(h, NOT_EMPTY),
        HOLDER: holder,
        holderTask: hj === undefined ? "-" : taskState(table[4 * hj + 2]),
      };
    } else words = { LOCK: Atomics.load(w, b + 6), WAITERS: w[b + 5] };
    stalls.push({
      atMs: Math.round(now - t0),
      queued,
      taken,
      runnable,
      words,
      states,
    });
  }
  const ms = performance.now() - t0;
  const delay = runDelayMs() - delay0;
  console.log(JSON.stringify({
    round: r,
    kind,
    n,
    total,
    queuePhaseMs: Math.round(ms),
    stallCount,
    stallMs: Math.round(stallMs),
    runDelayMsPerThread: Math.round(delay / (2 * n)),
    load: Deno.loadavg()[0],
  }));
  (globalThis as Record<string, unknown>)[`names${r}`] = nameOf;
  for (const s of stalls) console.log("  stall", JSON.stringify(s));
}
const results = (await Promise.all(
  threads.map((t) => t.joinAsync({ timeout: 300_000 })),
)) as string[];
for (let r = 0; r < R; r++) {
  const nameOf = (globalThis as Record<string, unknown>)[`names${r}`] as (
    k: number,
  ) => string;
  const sum: Record<string, Record<string, number>> = {};
  let items = 0;
  for (const g of results) {
    const x = JSON.parse(g)[r];
    const counts = (x.counts ?? x) as Record<string, Record<string, number>>;
    items += x.got ?? 0;
    for (const [k, row] of Object.entries(counts)) {
      const into = sum[nameOf(Number(k))] ??= {};
      for (const [f, v] of Object.entries(row)) into[f] = (into[f] ?? 0) + v;
    }
  }
  console.log(`round ${r} ${kinds[r]}: items ${items}`);
  for (const [k, v] of Object.entries(sum).sort()) {
    if (k === "gate" || k === "next" || k.startsWith("w")) continue;
    v.latSum = Math.round(v.latSum);
    v.notifyMs = Math.round(v.notifyMs);
    console.log("  " + k.padEnd(18), JSON.stringify(v));
  }
}
Deno.exit(0);
