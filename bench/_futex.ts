// Copyright 2026 the threadkit authors. MIT license.
// The contention baseline: a minimal three-state futex mutex, Drepper's
// "mutex2" from "Futexes Are Tricky" (2011), with no spinning. It is the
// platform limit a blocking lock can reach on Atomics.wait/notify: one
// compareExchange when free, a wait only on the "contended" state, and a
// notify only when someone may sleep. Bench code only: the library's Lock
// lives in sync/lock.ts.

// One word of an Int32Array on a SharedArrayBuffer:
// | value | meaning                          |
// |-------|----------------------------------|
// | 0     | unlocked                         |
// | 1     | locked, nobody waits             |
// | 2     | locked, some thread may be asleep |
//
// lock:   CAS 0->1; else mark 2 (exchange) and sleep while it stays 2.
// unlock: decrement; if the old value was 2, store 0 and wake one.
// Why no lost wakeup: a waiter sleeps only while the word is 2, and only a
// waiter writes 2; the unlocker that sees 2 stores 0 before it notifies, so
// a waiter that had not yet slept sees 0 and does not sleep.

/** Acquires the futex mutex at `view[index]`, blocking the calling thread. */
export function futexLock(view: Int32Array, index: number): void {
  let c = Atomics.compareExchange(view, index, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(view, index, 2);
  while (c !== 0) {
    Atomics.wait(view, index, 2);
    c = Atomics.exchange(view, index, 2);
  }
}

/** Releases the futex mutex at `view[index]`, waking one sleeper if any. */
export function futexUnlock(view: Int32Array, index: number): void {
  if (Atomics.sub(view, index, 1) !== 1) {
    Atomics.store(view, index, 0);
    Atomics.notify(view, index, 1);
  }
}

/**
 * futexLock whose sleeps are timed slices of `sliceMs` (the wait helper's
 * SLICE_MS, 50 ms, by default), as a Lock's waiter sleeps so that it sees
 * its thread's cancellation and its holder's death (_core/wait.ts): the same
 * protocol, only each Atomics.wait is given a timeout. It measures what the
 * timeout costs on a runtime: on Deno 2.9 (V8 15) a timed Atomics.wait costs
 * more than an untimed one, on Node 20 (V8 11.3) about the same
 * (BENCHMARKS.md, Lock, 2 threads).
 */
export function futexLockSliced(
  view: Int32Array,
  index: number,
  sliceMs = 50,
): void {
  let c = Atomics.compareExchange(view, index, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(view, index, 2);
  while (c !== 0) {
    Atomics.wait(view, index, 2, sliceMs);
    c = Atomics.exchange(view, index, 2);
  }
}
