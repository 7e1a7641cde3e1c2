// Copyright 2026 the threadkit authors. MIT license.
// Test-only: a reclaim of a dead pool thread's record stalled
// between its exchange of R_TAKE and what follows, and a pool thread held
// right after its claim's CAS. Each by a wrapper of one Atomics function in
// its own thread only.
import type { Queue } from "../../queue/bounded.ts";
import { Block, R_PARK, R_TAKE, TAKER } from "../../pool/_layout.ts";
import { takeName } from "../../pool/_names.ts";
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
 * after its take of the name in R_TAKE (exchange or compareExchange): stores what the exchange found + 1 in w[3]
 * (notified), waits until w[4] is not 0, goes on; a reclaim that took no
 * name stores 1 there as it returns. Returns the task queue's size right
 * after the reclaim.
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
  // The reclaim's take of the name: an exchange, or the compareExchange
  // that makes it held (pool/_take.ts reclaimNamed); the first only.
  const took = (r: number) => {
    if (atTaker || !once) return;
    once = false;
    store(w, 3, r + 1);
    notify(w, 3);
    const end = Date.now() + 30_000;
    while (load(w, 4) === 0 && Date.now() < end) wait(w, 4, 0, 100);
  };
  A.exchange = (a: Int32Array, i: number, x: number): number => {
    const r = xchg(a, i, x);
    if (a.buffer === buffer && i === rec + R_TAKE) took(r);
    return r;
  };
  const cas = Atomics.compareExchange;
  A.compareExchange = (
    a: Int32Array,
    i: number,
    e: number,
    x: number,
  ): number => {
    const r = cas(a, i, e, x);
    if (a.buffer === buffer && i === rec + R_TAKE && r === e) took(r);
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
    // It took no name (TAKER held by the owner's own reclaim of the
    // record, or the record already freed): answered as "found nothing".
    if (load(w, 3) === 0) {
      store(w, 3, 1);
      notify(w, 3);
    }
    return tasks.qsize();
  } finally {
    A.exchange = xchg;
    A.compareExchange = cas;
    A.load = load;
  }
}

/** Executor initializer: arms stallBeforeGet (pool/_hooks.ts) with `get`. */
export function armGet(get: Int32Array): void {
  const g = globalThis as Record<symbol, unknown>;
  g[Symbol.for("threadkit.test.stallBeforeGet")] = get;
}

/**
 * Runs the reclaim of record `rec` (its thread `dead` ended), stalled right
 * after its exchange of PARK (step 1): stores what the exchange found + 1
 * in w[3] (notified), waits until w[4] is not 0, goes on. Ready: w[6] = 1
 * (notified); starts once w[5] is not 0. Returns [what reclaimTake
 * returned (1 or 0), the task queue's size right after it].
 */
export function reclaimParkStalled(
  buffer: SharedArrayBuffer,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
  dead: number,
  w: Int32Array,
): [number, number] {
  const A = Atomics as unknown as Record<string, unknown>;
  const xchg = Atomics.exchange, store = Atomics.store, load = Atomics.load;
  const wait = Atomics.wait, notify = Atomics.notify;
  A.exchange = (a: Int32Array, i: number, x: number): number => {
    const r = xchg(a, i, x);
    if (a.buffer === buffer && i === rec + R_PARK) {
      store(w, 3, r + 1);
      notify(w, 3);
      const end = Date.now() + 30_000;
      while (load(w, 4) === 0 && Date.now() < end) wait(w, 4, 0, 100);
    }
    return r;
  };
  store(w, 6, 1);
  notify(w, 6);
  const until = Date.now() + 30_000;
  while (load(w, 5) === 0 && Date.now() < until) wait(w, 5, 0, 100);
  try {
    const b = new Block(buffer);
    const done = reclaimTake(b, taskView(tasks), tasks, free, rec, dead);
    return [done ? 1 : 0, tasks.qsize()];
  } finally {
    A.exchange = xchg;
  }
}

/** Executor initializer: arms stallInTakeMail (pool/_hooks.ts) with `mail`. */
export function armMail(mail: Int32Array): void {
  const g = globalThis as Record<symbol, unknown>;
  g[Symbol.for("threadkit.test.stallInTakeMail")] = mail;
}

/**
 * Runs the reclaim of record `rec` (its thread `dead` ended) and exits this
 * thread (process.exit) right after the reclaim took a name from R_TAKE
 * (an exchange or a compareExchange that replaced a name), before it
 * returns the index. Ready: w[6] = 1 (notified); starts once w[5] is not
 * 0. Returns what R_TAKE held when no name was found (+ 1).
 */
export function reclaimDies(
  buffer: SharedArrayBuffer,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
  dead: number,
  w: Int32Array,
): number {
  const A = Atomics as unknown as Record<string, unknown>;
  const xchg = Atomics.exchange, cas = Atomics.compareExchange;
  const store = Atomics.store, load = Atomics.load;
  const wait = Atomics.wait, notify = Atomics.notify;
  const b = new Block(buffer);
  const die = (r: number) => {
    if (takeName(b.l.slots, r) === 0) return;
    store(w, 3, 1);
    notify(w, 3);
    (globalThis as unknown as { process: { exit(c: number): never } })
      .process.exit(7);
  };
  A.exchange = (a: Int32Array, i: number, x: number): number => {
    const r = xchg(a, i, x);
    if (a.buffer === buffer && i === rec + R_TAKE) die(r);
    return r;
  };
  A.compareExchange = (
    a: Int32Array,
    i: number,
    e: number,
    x: number,
  ): number => {
    const r = cas(a, i, e, x);
    if (a.buffer === buffer && i === rec + R_TAKE && r === e) die(r);
    return r;
  };
  store(w, 6, 1);
  notify(w, 6);
  const until = Date.now() + 30_000;
  while (load(w, 5) === 0 && Date.now() < until) wait(w, 5, 0, 100);
  try {
    reclaimTake(b, taskView(tasks), tasks, free, rec, dead);
    return load(b.v, rec + R_TAKE) + 1;
  } finally {
    A.exchange = xchg;
    A.compareExchange = cas;
  }
}
