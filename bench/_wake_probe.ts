// Copyright 2026 the threadkit authors. MIT license.
// One round of a wake-up count: `p` producer threads put `total` items into
// a queue of one kind while `c` consumer threads get them, all parked on a
// gate first; every thread (and the main thread, which puts the consumers'
// stop items) wraps Atomics.notify and Atomics.wait and counts, per word of
// a queue header (a segment's, for a chain), the notify calls, how many
// woke nobody, the threads woken, and the waits by outcome. The round's
// time runs from the gate's release until all `total` items were taken.
// Used by bench/wake_count_ab.ts, which imports this file from two trees
// (each side's threads load its own tree's modules).
//
// Kinds: "queue" (bounded, capacity 1024, structured items), "queue-int32"
// (the same over the numeric ring), "unbounded" (new Queue(), structured),
// "simple" (SimpleQueue), "lifo" and "priority" (capacity 1024).
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  SimpleQueue,
  Thread,
} from "../mod.ts";

/** Counts of one header word, summed over the round's threads. */
export interface WordCounts {
  notify: number;
  nobody: number;
  woke: number;
  waitOk: number;
  waitNotEqual: number;
  waitTimedOut: number;
}

/** One round's figures. */
export interface WakeRound {
  ms: number;
  words: Record<string, WordCounts>;
}

// Header words by slot (queue/_layout.ts).
const NAMES: Record<number, string> = {
  3: "GET_WAITERS",
  16: "TAIL",
  32: "HEAD",
  33: "HOLDER",
  64: "NOT_EMPTY",
  65: "NOT_FULL",
  80: "LOCK",
};

// Installed in each thread and the main thread: wraps Atomics.wait and
// notify; returns a function that hands over the counts and restores both.
const INSTALL = `
  const NAMES = arguments[0];
  const realWait = Atomics.wait, realNotify = Atomics.notify;
  const counts = {};
  const queueWord = (view, index) => {
    if (!(view instanceof Int32Array) || view.length < 96) return undefined;
    const magic = Atomics.load(view, 0) >>> 16; // 0x5175-0x5177 (older ones too)
    if (magic < 0x5175 || magic > 0x5177) return undefined;
    return NAMES[index] ?? "w" + index;
  };
  const row = (k) => counts[k] ??= { notify: 0, nobody: 0, woke: 0,
    waitOk: 0, waitNotEqual: 0, waitTimedOut: 0 };
  Atomics.wait = function (view, index, value, timeout) {
    const out = realWait(view, index, value, timeout);
    const k = queueWord(view, index);
    if (k !== undefined) {
      const r = row(k);
      if (out === "ok") r.waitOk++;
      else if (out === "not-equal") r.waitNotEqual++;
      else r.waitTimedOut++;
    }
    return out;
  };
  Atomics.notify = function (view, index, count) {
    const woke = realNotify(view, index, count);
    const k = queueWord(view, index);
    if (k !== undefined) {
      const r = row(k);
      r.notify++;
      r.woke += woke;
      if (woke === 0) r.nobody++;
    }
    return woke;
  };
  return () => {
    Atomics.wait = realWait;
    Atomics.notify = realNotify;
    return counts;
  };
`;

type AnyQueue = {
  put(x: number, o?: unknown): void;
  get(o?: unknown): number;
};

function make(kind: string): AnyQueue {
  switch (kind) {
    case "queue":
      return new Queue<number>({ capacity: 1024 });
    case "queue-int32":
      return new Queue<number>({ capacity: 1024, type: "int32" });
    case "unbounded":
      return new Queue<number>();
    case "simple":
      return new SimpleQueue<number>();
    case "lifo":
      return new LifoQueue<number>({ capacity: 1024 });
    case "priority":
      return new PriorityQueue<number>({ capacity: 1024 });
  }
  throw new RangeError(`unknown kind ${kind}`);
}

// Words: 0 next item, 1 gate, 2 parked, 3 taken.
const target = (
  q: AnyQueue,
  w: Int32Array,
  total: number,
  consumer: boolean,
  install: string,
  names: Record<number, string>,
): string => {
  const report = new Function(install)(names);
  Atomics.add(w, 2, 1);
  Atomics.notify(w, 2);
  while (Atomics.load(w, 1) === 0) Atomics.wait(w, 1, 0, 1000);
  if (!consumer) {
    for (;;) {
      const k = Atomics.add(w, 0, 1);
      if (k >= total) break;
      q.put(k, { timeout: 120_000 });
    }
  } else {
    for (;;) {
      const v = q.get({ timeout: 120_000 });
      if (v === -1) break;
      Atomics.add(w, 3, 1);
    }
  }
  return JSON.stringify(report());
};

/** Runs one round: `p` producers, `c` consumers, `total` items of `kind`. */
export async function wakeRound(
  kind: string,
  c: number,
  p: number,
  total: number,
): Promise<WakeRound> {
  const q = make(kind);
  const w = new Int32Array(new SharedArrayBuffer(16));
  const threads: Thread[] = [];
  for (let i = 0; i < p + c; i++) {
    const t = new Thread({
      target,
      args: [q, w, total, i >= p, INSTALL, NAMES],
    });
    t.start();
    threads.push(t);
  }
  while (Atomics.load(w, 2) < p + c) {
    await new Promise((r) => setTimeout(r, 2));
  }
  const restore = new Function(INSTALL)(NAMES);
  const t0 = performance.now();
  Atomics.store(w, 1, 1);
  Atomics.notify(w, 1);
  while (Atomics.load(w, 3) < total) {
    await new Promise((r) => setTimeout(r, 1));
  }
  const ms = performance.now() - t0;
  for (let i = 0; i < c; i++) q.put(-1, { timeout: 120_000 });
  const words: Record<string, WordCounts> = {};
  const add = (counts: Record<string, WordCounts>) => {
    for (const [k, r] of Object.entries(counts)) {
      const into = words[k] ??= {
        notify: 0,
        nobody: 0,
        woke: 0,
        waitOk: 0,
        waitNotEqual: 0,
        waitTimedOut: 0,
      };
      for (const f of Object.keys(r) as (keyof WordCounts)[]) {
        into[f] += r[f];
      }
    }
  };
  for (const t of threads) {
    const out = await t.joinAsync({ timeout: 300_000 });
    if (typeof out !== "string") throw new Error("a thread did not end");
    add(JSON.parse(out));
  }
  add(restore()); // the main thread's stop items
  return { ms, words };
}
