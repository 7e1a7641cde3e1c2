// Copyright 2026 the threadkit authors. MIT license.
// Test-only: a pool thread held at two points of its claim, by a wrapper of
// Atomics.compareExchange in its own thread only:
// 1. right after its claim's CAS (tag|QUEUED -> tag|RUNNING) while w[0] > 0
//    (decremented): stores its ident in w[1] (notified), waits until w[2]
//    is not 0;
// 2. right after a CAS that moved a word from 1 to a value below 0 (its
//    record's READY: the claim's move to the task's value) while w[3] > 0
//    (decremented): stores its ident in w[4] (notified), waits until w[5]
//    is not 0.
// Each wait is bounded (30 s).
import { runtime } from "../../_core/runtime.ts";

/** Executor initializer: arms both stalls (see the top). */
export function armReady(w: Int32Array): void {
  const A = Atomics as unknown as Record<string, unknown>;
  const cas = Atomics.compareExchange;
  const sub = Atomics.sub, store = Atomics.store, load = Atomics.load;
  const wait = Atomics.wait, notify = Atomics.notify;
  const hold = (at: number, release: number) => {
    store(w, at, runtime().ident);
    notify(w, at);
    const end = Date.now() + 30_000;
    while (load(w, release) === 0 && Date.now() < end) {
      wait(w, release, 0, 100);
    }
  };
  A.compareExchange = (
    a: Int32Array,
    i: number,
    exp: number,
    rep: number,
  ): number => {
    const r = cas(a, i, exp, rep);
    if (r !== exp || a.buffer === w.buffer) return r;
    if (
      (exp & 31) === 1 && rep === exp + 1 && load(w, 0) > 0 &&
      sub(w, 0, 1) > 0
    ) hold(1, 2);
    else if (exp === 1 && rep < 0 && load(w, 3) > 0 && sub(w, 3, 1) > 0) {
      hold(4, 5);
    }
    return r;
  };
}
