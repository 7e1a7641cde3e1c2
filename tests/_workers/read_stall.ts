// Copyright 2026 the threadkit authors. MIT license.
// Test-only: a pool thread held right after its CAS that begins the decode
// of a task's args (slot word READ: a value with phase 0 to phase 1,
// pool/_args_held.ts), before it reads the payload. By a wrapper of
// Atomics.compareExchange in the pool thread only (an executor
// initializer).
import {
  MAGIC,
  MAGIC_VALUE,
  readLayout,
  SLOT_WORDS,
} from "../../pool/_layout.ts";
import { runtime } from "../../_core/runtime.ts";

const READ = 10; // the slot word (pool/_args_held.ts S_READ)

/**
 * Executor initializer: while w[0] > 0 (decremented per stall), a won CAS
 * of a slot's READ from phase 0 to phase 1 stores the thread's ident in
 * w[1] (notified) and waits until w[2] is not 0 (at most 30 s). `mail`
 * arms stallInTakeMail (pool/_hooks.ts) too.
 */
export function armRead(w: Int32Array, mail?: Int32Array): void {
  if (mail !== undefined) {
    (globalThis as Record<symbol, unknown>)[
      Symbol.for("threadkit.test.stallInTakeMail")
    ] = mail;
  }
  const A = Atomics as unknown as Record<string, unknown>;
  const cas = Atomics.compareExchange;
  const load = Atomics.load, sub = Atomics.sub, store = Atomics.store;
  const wait = Atomics.wait, notify = Atomics.notify;
  A.compareExchange = (
    a: Int32Array,
    i: number,
    exp: number,
    rep: number,
  ): number => {
    const r = cas(a, i, exp, rep);
    if (
      r === exp && (exp & 7) === 0 && rep === exp + 1 &&
      a.buffer !== w.buffer && a.length > 32 && a[MAGIC] === MAGIC_VALUE &&
      (i - readLayout(a).slotsAt) % SLOT_WORDS === READ &&
      load(w, 0) > 0 && sub(w, 0, 1) > 0
    ) {
      store(w, 1, runtime().ident);
      notify(w, 1);
      const end = Date.now() + 30_000;
      while (load(w, 2) === 0 && Date.now() < end) wait(w, 2, 0, 100);
    }
    return r;
  };
}
