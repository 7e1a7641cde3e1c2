// Copyright 2026 the threadkit authors. MIT license.
// Test-only: a pool thread held right before it names itself in a slot
// (its write of WIDENT, after it loaded the slot's STATE), by a wrapper of
// Atomics.store and Atomics.compareExchange in its own thread only.
import {
  MAGIC_VALUE,
  readLayout,
  S_WIDENT,
  SLOT_WORDS,
} from "../../pool/_layout.ts";
import { runtime } from "../../_core/runtime.ts";

/**
 * Executor initializer: the pool thread's next write of a slot's WIDENT
 * while w[0] > 0 stores its ident in w[1] and the word's index in w[3]
 * (notified), waits until w[2] is not 0 (at most 30 s), then writes.
 */
export function armName(w: Int32Array): void {
  const A = Atomics as unknown as Record<string, unknown>;
  const cas = Atomics.compareExchange, put = Atomics.store;
  const sub = Atomics.sub, load = Atomics.load;
  const wait = Atomics.wait, notify = Atomics.notify;
  const ident = () => runtime().ident;
  const stall = (a: Int32Array, i: number) => {
    if (a.buffer === w.buffer || load(w, 0) <= 0) return;
    if (!(a instanceof Int32Array) || a[0] !== MAGIC_VALUE) return;
    const at = readLayout(a).slotsAt;
    if (i < at || (i - at) % SLOT_WORDS !== S_WIDENT) return;
    if (sub(w, 0, 1) <= 0) return;
    put(w, 3, i);
    put(w, 1, ident());
    notify(w, 1);
    const end = Date.now() + 30_000;
    while (load(w, 2) === 0 && Date.now() < end) wait(w, 2, 0, 100);
  };
  A.store = (a: Int32Array, i: number, x: number): number => {
    stall(a, i);
    return put(a, i, x);
  };
  A.compareExchange = (
    a: Int32Array,
    i: number,
    e: number,
    x: number,
  ): number => {
    stall(a, i);
    return cas(a, i, e, x);
  };
}
