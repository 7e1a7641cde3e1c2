// Copyright 2026 the threadkit authors. MIT license.
// A registered waiter's re-try that sleeps on HEAD (getter) or TAIL's turn
// (putter) is taken off its count (queue/_registered.ts sleepOff) and put
// back after the wait (sleepOn, in a finally). If the wait throws (a stack
// overflow at the call: _core/wait.ts "A waker that stops"), the caller's
// catch (abandon) takes the registration off too; without the finally the
// count ended one low for good and a later put skipped its notify while a
// getter slept. Simulated by making the waiter thread's Atomics.wait on
// that word throw a RangeError once.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, Thread } from "../../mod.ts";
import { releaseHead } from "../../queue/_head.ts";
import { releaseTurn } from "../../queue/_turn.ts";
import { until } from "../_helpers.ts";
import { startFlagged } from "./_flagged.ts";

const GET_WAITERS = 3;
const HEAD = 32;
const NOT_EMPTY = 64;
const LOCKED = 1 << 28;
const JOIN = { timeout: 60_000 };
// The flagged getter's sleeps last until a notify (or 20 s), not the wait
// helper's slices: no slice end takes it off GET_WAITERS while the put runs.
const SLICE = 20_000;

// Thread target: stops at its registration (gate[0] = 1, waits for 2),
// then its first wait on HEAD throws a RangeError, which it catches.
function throwingGet(
  q: {
    get(o?: object): unknown;
    put(x: unknown, o?: object): void;
    region: { buffer: SharedArrayBuffer; byteOffset: number };
  },
  gate: Int32Array,
  put = false,
): string {
  const slot = put ? 4 : 3, word = put ? 16 : 32;
  const add = Atomics.add, wait = Atomics.wait;
  const base = q.region.byteOffset, buffer = q.region.buffer;
  let gated = false, thrown = false;
  const mine = (v: Int32Array) => v.buffer === buffer && v.byteOffset === base;
  Atomics.add = function (view: Int32Array, index: number, value: number) {
    if (!gated && index === slot && value === 1 && mine(view)) {
      gated = true;
      Atomics.store(gate, 0, 1);
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
    if (gated && !thrown && index === word && mine(view)) {
      thrown = true;
      Atomics.store(gate, 1, 1);
      throw new RangeError("Maximum call stack size exceeded");
    }
    return wait(view, index, value, ms);
  } as typeof Atomics.wait;
  try {
    if (put) q.put(9, { timeout: 30_000 });
    else q.get({ timeout: 30_000 });
    return "item";
  } catch (error) {
    return (error as Error).name;
  } finally {
    Atomics.add = add;
    Atomics.wait = wait;
  }
}

describe("A throw from a registered waiter's sleep on the store's lock", () => {
  it("leaves GET_WAITERS as it was, and a later put still wakes a sleeper", async () => {
    const q = new Queue<number>({ capacity: 8 });
    const h = new Int32Array(q.region.buffer, q.region.byteOffset, 96);
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const t = new Thread({ target: throwingGet, args: [q, gate] });
    t.start();
    let free = -1;
    try {
      await until(() => Atomics.load(gate, 0) === 1, "registering", 60_000);
      q.put(0); // an item, so the re-try takes HEAD
      free = Atomics.load(h, HEAD);
      assert.equal(Atomics.compareExchange(h, HEAD, free, free | LOCKED), free);
      Atomics.store(gate, 0, 2);
      assert.equal(await t.joinAsync(JOIN), "RangeError");
      assert.equal(Atomics.load(gate, 1), 1, "the HEAD wait threw");
      releaseHead(h, Atomics.load(h, HEAD), free);
      free = -1;
      assert.equal(q.get({ timeout: 1_000 }), 0);
      assert.equal(
        Atomics.load(h, GET_WAITERS),
        0,
        "GET_WAITERS after the getter left by a throw",
      );
    } finally {
      if (free !== -1) releaseHead(h, Atomics.load(h, HEAD), free);
      Atomics.store(gate, 0, 2);
      await t.joinAsync(JOIN);
    }
    // What a low count does: a sleeping getter is not notified by a put.
    const { threads: [g], flags } = startFlagged(
      q as never,
      1,
      NOT_EMPTY,
      SLICE,
    );
    try {
      await until(
        () => Atomics.load(flags, 0) === 1,
        "a getter asleep on NOT_EMPTY",
        60_000,
      );
      // Counted: the put's notifies of NOT_EMPTY (wakeCounted makes one
      // only if GET_WAITERS counts a getter), not the threads they woke:
      // the getter, flagged just before its wait, may not be in the wait
      // list yet, and then finds NOT_EMPTY changed, woken by nobody.
      const notify = Atomics.notify;
      let notified = 0;
      Atomics.notify = function (v: Int32Array, i: number, n?: number) {
        if (i === NOT_EMPTY) notified++;
        return notify(v, i, n);
      } as typeof Atomics.notify;
      try {
        q.put(5);
      } finally {
        Atomics.notify = notify;
      }
      assert.equal(await g.joinAsync(JOIN), 5);
      assert.equal(notified, 1, "the put notified the sleeping getter");
    } finally {
      try {
        q.putNowait(-1);
      } catch { /* full */ }
      await g.joinAsync(JOIN);
    }
  });

  for (const type of ["structured", "int32"] as const) {
    it(`${type} Queue: a putter's throw from its sleep on TAIL's turn leaves PUT_WAITERS as it was`, async () => {
      const q = new Queue<number>({ capacity: 2, type });
      q.put(1);
      q.put(2); // full
      const h = new Int32Array(q.region.buffer, q.region.byteOffset, 96);
      const gate = new Int32Array(new SharedArrayBuffer(8));
      const t = new Thread({ target: throwingGet, args: [q, gate, true] });
      t.start();
      let free = -1;
      try {
        await until(() => Atomics.load(gate, 0) === 1, "registering", 60_000);
        assert.equal(q.get({ timeout: 1_000 }), 1); // room, so the re-try takes TAIL
        free = Atomics.load(h, 16);
        assert.equal(Atomics.compareExchange(h, 16, free, free | LOCKED), free);
        Atomics.store(gate, 0, 2);
        assert.equal(await t.joinAsync(JOIN), "RangeError");
        assert.equal(Atomics.load(gate, 1), 1, "the TAIL wait threw");
        const v = Atomics.load(h, 16);
        releaseTurn(h, 16, v, v & ((1 << 28) - 1), 0, 0, 0, 0);
        free = -1;
        assert.equal(
          Atomics.load(h, 4),
          0,
          "PUT_WAITERS after the putter left by a throw",
        );
      } finally {
        if (free !== -1) {
          const v = Atomics.load(h, 16);
          releaseTurn(h, 16, v, v & ((1 << 28) - 1), 0, 0, 0, 0);
        }
        Atomics.store(gate, 0, 2);
        await t.joinAsync(JOIN);
      }
    });
  }
});
