// Copyright 2026 the threadkit authors. MIT license.
// A getter thread that shows when it sleeps: tests/queue/counted_wake_test.ts
// and head_wake_test.ts wait on its flags instead of sleeping.
import { Thread } from "../../mod.ts";

type Getter = { get(o?: { timeout?: number }): number };
type Putter = { put(x: number, o?: { timeout?: number }): void };

/**
 * A thread target: takes one item from `q` (timeout 30 s) and returns it;
 * flags[2i] is 1 while it sleeps (Atomics.wait, wrapped in the thread) on
 * header slot `slot`, and flags[2i + 1] counts those sleeps.
 */
export function flaggedGet(
  q: Getter,
  flags: Int32Array,
  i: number,
  slot: number,
): number {
  const wait = Atomics.wait;
  Atomics.wait = function (
    view: Int32Array,
    index: number,
    value: number,
    timeout?: number,
  ) {
    if (index === slot) {
      Atomics.add(flags, 2 * i + 1, 1);
      Atomics.store(flags, 2 * i, 1);
    }
    try {
      return wait(view, index, value, timeout);
    } finally {
      if (index === slot) Atomics.store(flags, 2 * i, 0);
    }
  } as typeof Atomics.wait;
  try {
    return q.get({ timeout: 30_000 });
  } finally {
    Atomics.wait = wait;
  }
}

/** Starts `n` flaggedGet threads over `q`; their flags (2n words). */
export function startFlagged(
  q: Getter,
  n: number,
  slot: number,
): { threads: Thread[]; flags: Int32Array } {
  const flags = new Int32Array(new SharedArrayBuffer(8 * n));
  const threads = Array.from({ length: n }, (_, i) => {
    const t = new Thread({ target: flaggedGet, args: [q, flags, i, slot] });
    t.start();
    return t;
  });
  return { threads, flags };
}

/**
 * A thread target: puts `x` into `q` (timeout 30 s), flagging its sleeps on
 * header slot `slot` as flaggedGet does; returns `x`.
 */
export function flaggedPut(
  q: Putter,
  flags: Int32Array,
  i: number,
  slot: number,
  x: number,
): number {
  const wait = Atomics.wait;
  Atomics.wait = function (
    view: Int32Array,
    index: number,
    value: number,
    timeout?: number,
  ) {
    if (index === slot) {
      Atomics.add(flags, 2 * i + 1, 1);
      Atomics.store(flags, 2 * i, 1);
    }
    try {
      return wait(view, index, value, timeout);
    } finally {
      if (index === slot) Atomics.store(flags, 2 * i, 0);
    }
  } as typeof Atomics.wait;
  try {
    q.put(x, { timeout: 30_000 });
    return x;
  } finally {
    Atomics.wait = wait;
  }
}

/** Starts `n` flaggedPut threads over `q` (thread i puts `base + i`). */
export function startFlaggedPutters(
  q: Putter,
  n: number,
  slot: number,
  base: number,
): { threads: Thread[]; flags: Int32Array } {
  const flags = new Int32Array(new SharedArrayBuffer(8 * n));
  const threads = Array.from({ length: n }, (_, i) => {
    const t = new Thread({
      target: flaggedPut,
      args: [q, flags, i, slot, base + i],
    });
    t.start();
    return t;
  });
  return { threads, flags };
}
