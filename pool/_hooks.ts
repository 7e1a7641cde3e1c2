// Copyright 2026 the threadkit authors. MIT license.
// Test-only hooks of the pool thread's loop (pool/_thread.ts): each is
// armed by a test's executor initializer through a global symbol and read
// once at the thread's start, so the loop pays nothing for them.

import { runtime } from "../_core/runtime.ts";
import type { Queue } from "../queue/bounded.ts";
import type { Block } from "./_layout.ts";

// Test-only (tests/pool/take_death_test.ts): when the initializer set
// globalThis[Symbol.for("threadkit.test.dieAfterTake")] to an Int32Array,
// the pool thread's take exits the thread (process.exit) right after it
// took an index, while word 0 is above 0 (decremented per death), before
// the claim: the take and the claim's window. Read once at the thread's
// start; undefined otherwise.
export function dieAfterTake<A extends unknown[]>(
  next: (...a: A) => number,
): typeof next | undefined {
  const armed = (globalThis as Record<symbol, unknown>)[
    Symbol.for("threadkit.test.dieAfterTake")
  ];
  if (!(armed instanceof Int32Array)) return undefined;
  return (...a: A): number => {
    const s = next(...a);
    if (s >= 0 && Atomics.sub(armed, 0, 1) > 0) {
      (globalThis as unknown as { process: { exit(c: number): void } })
        .process.exit(7);
    }
    return s;
  };
}

// Test-only (tests/pool/late_push_test.ts): when the initializer set
// globalThis[Symbol.for("threadkit.test.stallBeforePush")] to an Int32Array
// w, the push of a finished task (DONE, not yet on its owner's stack) first
// stalls while w[0] is above 0 (decremented per stall): it stores the
// thread's ident in w[1] (notified), waits until w[2] is not 0, then pushes
// and stores 1 in w[3] (notified); or, when w[2] is 2, exits the thread
// (process.exit) without pushing. Read once at the thread's start;
// undefined otherwise.
export function stallBeforePush(b: Block): ((s: number) => void) | undefined {
  const w = (globalThis as Record<symbol, unknown>)[
    Symbol.for("threadkit.test.stallBeforePush")
  ];
  if (!(w instanceof Int32Array)) return undefined;
  return (s: number): void => {
    if (Atomics.sub(w, 0, 1) > 0) {
      Atomics.store(w, 1, runtime().ident);
      Atomics.notify(w, 1);
      while (Atomics.load(w, 2) === 0) Atomics.wait(w, 2, 0, 1000);
      if (Atomics.load(w, 2) === 2) {
        (globalThis as unknown as { process: { exit(c: number): void } })
          .process.exit(7);
      }
      b.push(s);
      Atomics.store(w, 3, 1);
      Atomics.notify(w, 3);
      return;
    }
    b.push(s);
  };
}

// Test-only (tests/pool/stale_park_test.ts): when the initializer set
// globalThis[Symbol.for("threadkit.test.stallBeforePark")] to an Int32Array
// w, a park of the pool thread (pool/_park.ts) stalls right before its
// first write of the record's PARK word while w[0] is above 0 (decremented
// per park; a task may set it): it stores the thread's ident in w[1]
// (notified) and waits until w[2] is not 0. Read once at the thread's
// start; undefined otherwise.
export function stallBeforePark(): (() => void) | undefined {
  return holdAt("stallBeforePark");
}

// Test-only (tests/pool/give_back_test.ts): when the initializer set
// globalThis[Symbol.for("threadkit.test.stallBeforeGiveBack")] to an
// Int32Array w, a pool thread whose entry ended (declared dead) stalls
// right before it gives back the index it took (pool/_thread.ts) while
// w[0] is above 0, as stallBeforePark does (w[1] its ident, w[2] the
// release). Read once at the thread's start; undefined otherwise.
export function stallBeforeGiveBack(): (() => void) | undefined {
  return holdAt("stallBeforeGiveBack");
}

// stallBeforePark and stallBeforeGiveBack: while w[0] is above 0
// (decremented per call), store the ident in w[1] (notified) and wait
// until w[2] is not 0.
function holdAt(name: string): (() => void) | undefined {
  const w = (globalThis as Record<symbol, unknown>)[
    Symbol.for(`threadkit.test.${name}`)
  ];
  if (!(w instanceof Int32Array)) return undefined;
  return (): void => {
    if (Atomics.sub(w, 0, 1) <= 0) return;
    Atomics.store(w, 1, runtime().ident);
    Atomics.notify(w, 1);
    while (Atomics.load(w, 2) === 0) Atomics.wait(w, 2, 0, 1000);
  };
}

/** The two points of an idle thread's take-back (stallThenDie). */
export interface TakeBackHooks {
  /** Before the thread leaves its record. */
  before(): void;
  /** Right after it claimed the record back, before it names itself. */
  claimed(): void;
}

// Test-only (tests/pool/take_back_test.ts): when the initializer set
// globalThis[Symbol.for("threadkit.test.dieInTakeBack")] to an Int32Array
// w, the first idle leave of a thread while w[0] is above 0 (decremented)
// stores the thread's ident in w[1] (notified) and waits until w[2] is not
// 0; if it then takes its record back (a task arrived), the thread exits
// (process.exit) right after its claim: the stop that the take-back's
// negative ident leaves to a maintain. Read once at the thread's start;
// undefined otherwise.
export function dieInTakeBack(): TakeBackHooks | undefined {
  const w = (globalThis as Record<symbol, unknown>)[
    Symbol.for("threadkit.test.dieInTakeBack")
  ];
  if (!(w instanceof Int32Array)) return undefined;
  let armed = false;
  return {
    before(): void {
      armed = Atomics.sub(w, 0, 1) > 0;
      if (!armed) return;
      Atomics.store(w, 1, runtime().ident);
      Atomics.notify(w, 1);
      while (Atomics.load(w, 2) === 0) Atomics.wait(w, 2, 0, 1000);
    },
    claimed(): void {
      if (!armed) return;
      (globalThis as unknown as { process: { exit(c: number): void } })
        .process.exit(7);
    },
  };
}

// Test-only (tests/pool/close_test.ts): when the initializer set
// globalThis[Symbol.for("threadkit.test.stallBeforeGet")] to an Int32Array
// w, the task queue the thread takes from (takeQueued: after its peek and
// its record's R_TAKE, holding TAKER) stalls its first get while w[0] is
// above 0 (decremented per stall): it stores the thread's ident in w[1]
// (notified) and waits until w[2] is not 0, then gets. Read once at the
// thread's start; undefined otherwise (the thread uses the queue itself).
export function stallBeforeGet(
  tasks: Queue<number>,
): Queue<number> | undefined {
  const w = (globalThis as Record<symbol, unknown>)[
    Symbol.for("threadkit.test.stallBeforeGet")
  ];
  if (!(w instanceof Int32Array)) return undefined;
  return new Proxy(tasks, {
    get(t, k) {
      if (k === "getNowait") {
        return () => {
          if (Atomics.sub(w, 0, 1) > 0) {
            Atomics.store(w, 1, runtime().ident);
            Atomics.notify(w, 1);
            while (Atomics.load(w, 2) === 0) Atomics.wait(w, 2, 0, 1000);
          }
          return t.getNowait();
        };
      }
      const x = Reflect.get(t, k, t);
      return typeof x === "function" ? x.bind(t) : x;
    },
  });
}

// Test-only (tests/pool/give_back_test.ts, take_mail_test.ts): when the
// initializer set globalThis[Symbol.for("threadkit.test.stallInTakeMail")]
// to an Int32Array w, takeMail (pool/_park.ts) stalls at position p (0: its
// start; 1: before its CAS; 2: after a failed CAS, before TAKE = 0; 3: after
// a won CAS; 4: park()'s take loop, before its load) while w[p] is above 0
// (decremented per stall): the k-th stall (k = w[8]++) stores the thread's
// ident in w[9 + k] (notified on w[8]) and waits until w[5] > k.
export function stallInTakeMail(): ((p: number) => void) | undefined {
  const w = (globalThis as Record<symbol, unknown>)[
    Symbol.for("threadkit.test.stallInTakeMail")
  ];
  if (!(w instanceof Int32Array)) return undefined;
  return (p: number): void => {
    if (Atomics.sub(w, p, 1) <= 0) return;
    const k = Atomics.add(w, 8, 1);
    Atomics.store(w, 9 + k, runtime().ident);
    Atomics.notify(w, 8);
    for (let r = Atomics.load(w, 5); r <= k; r = Atomics.load(w, 5)) {
      Atomics.wait(w, 5, r, 1000);
    }
  };
}
