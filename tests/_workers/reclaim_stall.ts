// Copyright 2026 the threadkit authors. MIT license.
// Test-only: a reclaim of a dead pool thread's record stalled
// between its exchange of R_TAKE and what follows, and a pool thread held
// right after its claim's CAS. Each by a wrapper of one Atomics function in
// its own thread only.
import type { Queue } from "../../queue/bounded.ts";
import { Block, R_TAKE, TAKER } from "../../pool/_layout.ts";
import { reclaimTake, taskView } from "../../pool/_take.ts";
import { runtime } from "../../_core/runtime.ts";

/**
 * Executor initializer: the pool thread's next successful claim CAS
 * (tag|QUEUED -> tag|RUNNING) while w[0] > 0 stores its ident in w[1]
 * (notified) and waits until w[2] is not 0 (at most 30 s).
 */
export function armClaim(w: Int32Array, mail: Int32Array): void {
  const g = globalThis as Record<symbol, unknown>;
  g[Symbol.for("threadkit.test.stallInTakeMail")] = mail;
  const A = Atomics as unknown as Record<string, unknown>;
  const cas = Atomics.compareExchange;
  const sub = Atomics.sub, store = Atomics.store, load = Atomics.load;
  const wait = Atomics.wait, notify = Atomics.notify;
  const ident = () => runtime().ident;
  A.compareExchange = (
    a: Int32Array,
    i: number,
    exp: number,
    rep: number,
  ): number => {
    const r = cas(a, i, exp, rep);
    if (
      r === exp && (exp & 31) === 1 && rep === exp + 1 &&
      a.buffer !== w.buffer && load(w, 0) > 0 && sub(w, 0, 1) > 0
    ) {
      store(w, 1, ident());
      notify(w, 1);
      const end = Date.now() + 30_000;
      while (load(w, 2) === 0 && Date.now() < end) wait(w, 2, 0, 100);
    }
    return r;
  };
}

/**
 * Runs the reclaim of record `rec` (its thread `dead` ended), stalled right
 * after its exchange of R_TAKE: stores what the exchange found + 1 in w[3]
 * (notified), waits until w[4] is not 0, goes on. Returns the task queue's
 * size right after the reclaim.
 */
export function reclaimStalled(
  buffer: SharedArrayBuffer,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
  dead: number,
  w: Int32Array,
  atTaker = false,
): number {
  const A = Atomics as unknown as Record<string, unknown>;
  const xchg = Atomics.exchange, store = Atomics.store, load = Atomics.load;
  const wait = Atomics.wait, notify = Atomics.notify;
  let once = true;
  // atTaker: stalls after its (first) load of TAKER instead (step 2).
  if (atTaker) {
    A.load = (a: Int32Array, i: number): number => {
      const r = load(a, i);
      if (once && a.buffer === buffer && i === TAKER) {
        once = false;
        store(w, 3, r + 1);
        notify(w, 3);
        const end = Date.now() + 30_000;
        while (load(w, 4) === 0 && Date.now() < end) wait(w, 4, 0, 100);
      }
      return r;
    };
  }
  A.exchange = (a: Int32Array, i: number, x: number): number => {
    const r = xchg(a, i, x);
    if (!atTaker && a.buffer === buffer && i === rec + R_TAKE) {
      store(w, 3, r + 1);
      notify(w, 3);
      const end = Date.now() + 30_000;
      while (load(w, 4) === 0 && Date.now() < end) wait(w, 4, 0, 100);
    }
    return r;
  };
  // Ready (w[6]); go once w[5] is not 0 (the thread's entry just ended).
  store(w, 6, 1);
  notify(w, 6);
  const until = Date.now() + 30_000;
  while (load(w, 5) === 0 && Date.now() < until) wait(w, 5, 0, 100);
  try {
    const b = new Block(buffer);
    reclaimTake(b, taskView(tasks), tasks, free, rec, dead);
    return tasks.qsize();
  } finally {
    A.exchange = xchg;
    A.load = load;
  }
}

/** Executor initializer: arms stallBeforeGet (pool/_hooks.ts) with `get`. */
export function armGet(get: Int32Array): void {
  const g = globalThis as Record<symbol, unknown>;
  g[Symbol.for("threadkit.test.stallBeforeGet")] = get;
}
