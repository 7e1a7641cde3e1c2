// Copyright 2026 the threadkit authors. MIT license.
// Test-only: a reclaim of a pool thread's record run by hand in a thread of
// its own, which first ends the pool thread's entry (declared dead, it may
// still run) and then either stalls right after its exchange of the
// record's PARK word, or exits right after an exchange of R_TAKE that
// found a name. Each by a wrapper of Atomics.exchange in its own thread.
import type { Queue } from "../../queue/bounded.ts";
import { Block, R_PARK, R_TAKE } from "../../pool/_layout.ts";
import { reclaimTake, taskView } from "../../pool/_take.ts";
import { takeName } from "../../pool/_names.ts";
import { endIdent } from "../../_core/runtime.ts";

function hold(w: Int32Array, at: number): void {
  const end = Date.now() + 30_000;
  while (Atomics.load(w, at) === 0 && Date.now() < end) {
    Atomics.wait(w, at, 0, 100);
  }
}

/**
 * Ready: w[0] = 1 (notified); waits for w[1]. Ends `dead`'s entry, then
 * reclaims record `rec`. `mode` "park": after the exchange of PARK it
 * stores what it found + 1 in w[2] (notified) and waits for w[3]. `mode`
 * "die": an exchange of R_TAKE that found a name, or a CAS that replaced
 * one, exits the thread (code 3). "die-marked": a store to R_TAKE of a
 * value with bit 31 set (a held name marked re-tagged) exits right after
 * it; "die-put": exits at the first load of a record's PARK word after
 * such a store (the wake that follows the requeue's put). "stall-name":
 * right after its take of a name (an exchange that found one, a CAS that
 * replaced one) it stores that name + 1 in w[2] (notified) and waits for
 * w[3].
 * Returns the task queue's size right after the reclaim, and w[4] = 1.
 */
export function reclaimBy(
  buffer: SharedArrayBuffer,
  tasks: Queue<number>,
  free: Queue<number>,
  rec: number,
  dead: number,
  w: Int32Array,
  mode: "park" | "die" | "die-marked" | "die-put" | "stall-name",
): number {
  const b = new Block(buffer);
  const A = Atomics as unknown as Record<string, unknown>;
  const xchg = Atomics.exchange, cas = Atomics.compareExchange;
  const st = Atomics.store, ld = Atomics.load;
  const exit = () =>
    (globalThis as unknown as { process: { exit(c: number): void } })
      .process.exit(3);
  let marked = false;
  const parks = new Set<number>();
  for (let r = 0; r < b.l.records; r++) parks.add(b.record(r) + R_PARK);
  A.store = (a: Int32Array, i: number, x: number): number => {
    const r = st(a, i, x);
    if (a.buffer === buffer && i === rec + R_TAKE && x < 0) {
      if (mode === "die-marked") exit();
      marked = true;
    }
    return r;
  };
  A.load = (a: Int32Array, i: number): number => {
    const r = ld(a, i);
    if (mode === "die-put" && marked && a.buffer === buffer && parks.has(i)) {
      exit();
    }
    return r;
  };
  const die = (r: number) => {
    if (takeName(b.l.slots, r) === 0) return;
    (globalThis as unknown as { process: { exit(c: number): void } })
      .process.exit(3);
  };
  let named = false;
  const stallNamed = (r: number) => {
    if (named || takeName(b.l.slots, r) === 0) return;
    named = true;
    Atomics.store(w, 2, r + 1);
    Atomics.notify(w, 2);
    hold(w, 3);
  };
  A.compareExchange = (
    a: Int32Array,
    i: number,
    e: number,
    x: number,
  ): number => {
    const r = cas(a, i, e, x);
    if (
      a.buffer === buffer && mode === "stall-name" && i === rec + R_TAKE &&
      r === e
    ) stallNamed(r);
    if (
      a.buffer === buffer && mode === "die" && i === rec + R_TAKE && r === e
    ) {
      die(r);
    }
    return r;
  };
  A.exchange = (a: Int32Array, i: number, x: number): number => {
    const r = xchg(a, i, x);
    if (a.buffer === buffer && mode === "park" && i === rec + R_PARK) {
      Atomics.store(w, 2, r + 1);
      Atomics.notify(w, 2);
      hold(w, 3);
    }
    if (a.buffer === buffer && mode === "die" && i === rec + R_TAKE) die(r);
    if (a.buffer === buffer && mode === "stall-name" && i === rec + R_TAKE) {
      stallNamed(r);
    }
    return r;
  };
  Atomics.store(w, 0, 1);
  Atomics.notify(w, 0);
  hold(w, 1);
  try {
    endIdent(dead);
    reclaimTake(b, taskView(tasks), tasks, free, rec, dead);
    return tasks.qsize();
  } finally {
    A.exchange = xchg;
    A.compareExchange = cas;
    A.store = st;
    A.load = ld;
    Atomics.store(w, 4, 1);
    Atomics.notify(w, 4);
  }
}
