// Copyright 2026 the threadkit authors. MIT license.
// Test-only: a pool thread held right after its claim's CAS (tag|QUEUED ->
// tag|RUNNING), by a wrapper of Atomics.compareExchange in its own thread
// only: between its claim and its decode of the task's args.
import { runtime } from "../../_core/runtime.ts";

/**
 * Executor initializer: while w[0] > 0 (decremented per stall), a claim
 * CAS that won makes the k-th stall (k = w[1]++) store the thread's ident
 * in w[8 + k] (notified on w[1]) and wait until w[2] > k (at most 30 s).
 */
export function armClaims(w: Int32Array): void {
  const A = Atomics as unknown as Record<string, unknown>;
  const cas = Atomics.compareExchange;
  const sub = Atomics.sub, add = Atomics.add, store = Atomics.store;
  const load = Atomics.load, wait = Atomics.wait, notify = Atomics.notify;
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
      const k = add(w, 1, 1);
      store(w, 8 + k, ident());
      notify(w, 1);
      const end = Date.now() + 30_000;
      for (let x = load(w, 2); x <= k && Date.now() < end; x = load(w, 2)) {
        wait(w, 2, x, 100);
      }
    }
    return r;
  };
}
