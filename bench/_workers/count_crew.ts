// Copyright 2026 the threadkit authors. MIT license.
// Counting contention crews (bench/lock_counts.ts): the crew loop of
// bench/_workers/contend.ts over a Lock or the futex mutex, with this
// thread's Atomics replaced by counting wrappers first. The wrappers count
// only the calls on the lock's word (for the futex mutex: ctl[WORD]; for a
// Lock: every call on a buffer other than the control block's, which in
// this thread is only the lock's), so the driver can print atomics, spins,
// sleeps and wakes per 1000 pairs. Instrumented bench code only: the timing
// differs from the shipped path's, the protocol does not.
import type { Lock } from "../../mod.ts";
import { futexLock, futexUnlock } from "../_futex.ts";
import { crewLoop, WORD } from "./contend.ts";

// Counts block: Int32Array, one row of N_COUNTS slots per member (id 1..).
// | slot | name     | what                                           |
// |------|----------|------------------------------------------------|
// | 0    | CAS      | compareExchange calls on the lock word         |
// | 1    | RMW      | exchange, sub, add, or calls on the lock word  |
// | 2    | LOADS    | load calls on the lock word                    |
// | 3    | STORES   | store calls on the lock word                   |
// | 4    | WAITS    | Atomics.wait calls on the lock word            |
// | 5    | SLEPT_OK | waits that slept and were woken ("ok")         |
// | 6    | NOT_EQ   | waits that returned at once ("not-equal")      |
// | 7    | TIMED    | waits that timed out (a slice ended)           |
// | 8    | NOTIFIES | notify calls on the lock word                  |
// | 9    | WOKE     | waiters those notifies woke                    |
export const N_COUNTS = 10;
export const COUNT_NAMES = [
  "cas",
  "rmw",
  "load",
  "store",
  "wait",
  "slept+woken",
  "not-equal",
  "timed-out",
  "notify",
  "woke",
];

type AnyFn = (...args: unknown[]) => unknown;

function instrument(
  counts: Int32Array,
  id: number,
  mine: (view: Int32Array, index: number) => boolean,
): void {
  const row = id * N_COUNTS;
  const A = Atomics as unknown as Record<string, AnyFn>;
  const bump = (slot: number) => counts[row + slot]++;
  const wrap = (k: string, slot: number) => {
    const f = A[k];
    A[k] = (view, index, ...rest) => {
      if (mine(view as Int32Array, index as number)) bump(slot);
      return f.call(Atomics, view, index, ...rest);
    };
  };
  wrap("compareExchange", 0);
  for (const k of ["exchange", "sub", "add", "or"]) wrap(k, 1);
  wrap("load", 2);
  wrap("store", 3);
  const wait = A.wait;
  A.wait = (view, index, ...rest) => {
    const r = wait.call(Atomics, view, index, ...rest);
    if (mine(view as Int32Array, index as number)) {
      bump(4);
      bump(r === "ok" ? 5 : r === "not-equal" ? 6 : 7);
    }
    return r;
  };
  const notify = A.notify;
  A.notify = (view, index, ...rest) => {
    const r = notify.call(Atomics, view, index, ...rest) as number;
    if (mine(view as Int32Array, index as number)) {
      bump(8);
      counts[row + 9] += r;
    }
    return r;
  };
}

/** A Lock crew member whose Atomics count the lock's calls into `counts`. */
export function countedLockCrew(
  lock: Lock,
  counts: Int32Array,
  ctl: Int32Array,
  id: number,
): number {
  instrument(counts, id, (view) => view.buffer !== ctl.buffer);
  return crewLoop(ctl, id, () => lock.acquire(), () => lock.release());
}

/** A futex mutex crew member whose Atomics count its word's calls. */
export function countedFutexCrew(
  counts: Int32Array,
  ctl: Int32Array,
  id: number,
): number {
  instrument(counts, id, (view, index) => view === ctl && index === WORD);
  return crewLoop(
    ctl,
    id,
    () => futexLock(ctl, WORD),
    () => futexUnlock(ctl, WORD),
  );
}
