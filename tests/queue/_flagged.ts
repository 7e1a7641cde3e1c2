// Copyright 2026 the threadkit authors. MIT license.
// A getter thread that shows when it sleeps: tests/queue/counted_wake_test.ts
// and head_wake_test.ts wait on its flags instead of sleeping.
import { Thread } from "../../mod.ts";

type Getter = { get(o?: { timeout?: number }): number };
type Putter = { put(x: number, o?: { timeout?: number }): void };

/**
 * A thread target (self-contained: sent as source): takes one item from
 * `q` (timeout 30 s) and returns it, or with `x` a number puts `x` (timeout
 * 30 s) and returns it; flags[2i] is 1 while it sleeps (Atomics.wait,
 * wrapped in the thread) on header slot `slot`, and flags[2i + 1] counts
 * those sleeps. With `slice` (ms), each of those sleeps lasts until a
 * notify or `slice` ms, not the wait helper's 50 ms slice: no slice ends
 * while the test reads the header, so no thread is then between two
 * slices of its wait (where its slice-end look may take it off a waiter
 * count, or its re-try sleep on a turn or lock does). With `ends`, each of
 * those sleeps is counted by how it ended: ends[2i] woken ("ok"), ends[2i +
 * 1] not (the word had changed before it slept, or the slice ran out). A
 * raised flag says the thread is about to sleep, not that it sleeps yet:
 * only a notify that wakes it can tell (tests/_helpers.ts sleepers), so a
 * test reads `ends` to know which sleeps a notify could have woken.
 */
export function flaggedCall(
  q: Getter & Partial<Putter>,
  flags: Int32Array,
  i: number,
  slot: number,
  x?: number,
  slice = 0,
  ends?: Int32Array,
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
      if (timeout !== undefined && timeout < slice) timeout = slice;
    }
    try {
      const r = wait(view, index, value, timeout);
      if (index === slot && ends !== undefined) {
        Atomics.add(ends, r === "ok" ? 2 * i : 2 * i + 1, 1);
      }
      return r;
    } finally {
      if (index === slot) Atomics.store(flags, 2 * i, 0);
    }
  } as typeof Atomics.wait;
  try {
    if (x === undefined) return q.get({ timeout: 30_000 });
    q.put!(x, { timeout: 30_000 });
    return x;
  } finally {
    Atomics.wait = wait;
  }
}

/**
 * Starts `n` flaggedCall getter threads over `q` (with `slice`, if given);
 * their flags and ends (2n words each).
 */
export function startFlagged(
  q: Getter,
  n: number,
  slot: number,
  slice?: number,
): { threads: Thread[]; flags: Int32Array; ends: Int32Array } {
  const flags = new Int32Array(new SharedArrayBuffer(8 * n));
  const ends = new Int32Array(new SharedArrayBuffer(8 * n));
  const threads = Array.from({ length: n }, (_, i) => {
    const t = new Thread({
      target: flaggedCall,
      args: [q, flags, i, slot, undefined, slice ?? 0, ends],
    });
    t.start();
    return t;
  });
  return { threads, flags, ends };
}

/** Starts `n` flaggedCall putter threads over `q` (thread i puts `base + i`). */
export function startFlaggedPutters(
  q: Getter & Putter,
  n: number,
  slot: number,
  base: number,
): { threads: Thread[]; flags: Int32Array; ends: Int32Array } {
  const flags = new Int32Array(new SharedArrayBuffer(8 * n));
  const ends = new Int32Array(new SharedArrayBuffer(8 * n));
  const threads = Array.from({ length: n }, (_, i) => {
    const t = new Thread({
      target: flaggedCall,
      args: [q, flags, i, slot, base + i, 0, ends],
    });
    t.start();
    return t;
  });
  return { threads, flags, ends };
}

/**
 * Counts the calling thread's Atomics.notify calls on slot `index` (any
 * queue header) while `body` runs, and the threads they woke; restores
 * Atomics.notify after.
 */
export function notifiesOf(
  index: number,
  body: () => void,
): { calls: number; woke: number; each: number[] } {
  const notify = Atomics.notify;
  const seen = { calls: 0, woke: 0, each: [] as number[] }; // each: woke a call
  Atomics.notify = function (view: Int32Array, i: number, count?: number) {
    const woke = notify(view, i, count);
    if (i === index) {
      seen.calls++;
      seen.woke += woke;
      seen.each.push(woke);
    }
    return woke;
  } as typeof Atomics.notify;
  try {
    body();
  } finally {
    Atomics.notify = notify;
  }
  return seen;
}

/**
 * The ways off the waiter count other than `wokeHere` wakes by this thread:
 * the flagged threads' sleeps that no notify ended (the word had changed
 * before they slept, or a slice ran out) and their wakes by notifies of the
 * flagged threads' own (one passes on a wake it may hold), from `ends` of n
 * threads.
 */
export function othersOff(
  ends: Int32Array,
  n: number,
  wokeHere: number,
): number {
  let unwoken = 0, woke = 0;
  for (let i = 0; i < n; i++) {
    unwoken += Atomics.load(ends, 2 * i + 1);
    woke += Atomics.load(ends, 2 * i);
  }
  return unwoken + woke - wokeHere;
}
