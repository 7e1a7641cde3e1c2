// Copyright 2026 the threadkit authors. MIT license.
// A getter thread stopped at a chosen point of its get, for
// tests/queue/retry_sleep_test.ts: the test sets up a held lock there
// instead of racing the thread to it.

type Getter = {
  get(o?: { timeout?: number }): number;
  region: { buffer: SharedArrayBuffer; byteOffset: number };
};

/**
 * A thread target (self-contained: sent as source). Takes one item from `q`
 * (untimed `get()`, or `get({ timeout })` when `timeout` >= 0) and returns
 * it. Atomics.add and Atomics.wait are wrapped in the thread:
 * - `gateAt` >= 0: the first add of 1 to slot `gateAt` of the queue's
 *   header (the getter's registration) first sets gate[0] = 1 and waits
 *   until the test stores gate[0] = 2, then adds;
 * - every wait on slot `slot` of the header at byte `at` of the queue's
 *   buffer: gate[1] is 1 while it sleeps, gate[2] counts those sleeps, and
 *   gate[3] keeps the smallest timeout (ms, rounded up, at most 2^31 - 1)
 *   one was given (the test starts it at 2^31 - 1).
 */
export function gatedGet(
  q: Getter,
  gate: Int32Array,
  gateAt: number,
  at: number,
  slot: number,
  timeout: number,
): number {
  const add = Atomics.add, wait = Atomics.wait;
  const base = q.region.byteOffset, buffer = q.region.buffer;
  let gated = gateAt < 0;
  Atomics.add = function (view: Int32Array, index: number, value: number) {
    if (
      !gated && index === gateAt && value === 1 && view.buffer === buffer &&
      view.byteOffset === base
    ) {
      gated = true;
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      while (Atomics.load(gate, 0) !== 2) wait(gate, 0, 1, 100);
    }
    return add(view, index, value);
  } as typeof Atomics.add;
  Atomics.wait = function (
    view: Int32Array,
    index: number,
    value: number,
    ms?: number,
  ) {
    const mine = index === slot && view.buffer === buffer &&
      view.byteOffset === at;
    if (mine) {
      const t = Math.min(Math.ceil(ms ?? Infinity), 0x7fffffff);
      if (t < Atomics.load(gate, 3)) Atomics.store(gate, 3, t);
      add(gate, 2, 1);
      Atomics.store(gate, 1, 1);
    }
    try {
      return wait(view, index, value, ms);
    } finally {
      if (mine) Atomics.store(gate, 1, 0);
    }
  } as typeof Atomics.wait;
  try {
    return timeout >= 0 ? q.get({ timeout }) : q.get();
  } finally {
    Atomics.add = add;
    Atomics.wait = wait;
  }
}
