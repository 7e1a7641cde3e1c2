// Copyright 2026 the threadkit authors. MIT license.
// Condition.wait's reacquire (sync/_reacquire.ts waitHeld) when every call
// of the lock's acquire overflows (a waiter at the end of its stack) and
// another thread holds the lock: the waiter sleeps on the lock word, marked,
// until the holder's release wakes it, and returns holding the lock. The
// lock here is a stand-in whose acquire always throws a RangeError, as a
// call at the end of the stack does; its word is a real Lock word. Before,
// waitHeld called that acquire again and again for as long as the lock
// stayed held, a busy spin that never slept (failed: thousands of calls, no
// sleeper seen by the holder).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Lock, Thread } from "../../mod.ts";
import { waitHeld } from "../../sync/_reacquire.ts";
import { ticketSleep } from "../../sync/_tickets.ts";
import { CONTENDED, HOLDER } from "../../sync/_holder.ts";
import { currentIdent } from "../../_core/runtime.ts";
import { until } from "../_helpers.ts";

// ctl words: the holder started, a sleeper seen on the lock word (1) or the
// bound passed first (2).
const STARTED = 0, SEEN = 1;

/**
 * Takes the lock word the moment the waiter's release frees it, grants the
 * waiter's permit as Condition.notify does (sync/_tickets.ts grant) and
 * wakes it, then keeps the lock until a thread sleeps on its word (up to
 * `bound` ms) and releases it as Lock.release does.
 */
function holder(
  lw: Int32Array,
  cw: Int32Array,
  ctl: Int32Array,
  bound: number,
) {
  const SEQ = 0, WAITERS = 1, PERMITS = 2, CONTENDED = 1 << 30, ME = 7;
  const STARTED = 0, SEEN = 1;
  Atomics.store(ctl, STARTED, 1);
  const stuck = performance.now() + 10_000;
  while (Atomics.compareExchange(lw, 0, 0, ME) !== 0) {
    if (performance.now() > stuck) throw new Error("the lock stayed held");
  }
  if (Atomics.load(cw, WAITERS) !== 1) throw new Error("no waiter counted");
  Atomics.sub(cw, WAITERS, 1);
  Atomics.add(cw, PERMITS, 1);
  Atomics.add(cw, SEQ, 1);
  Atomics.notify(cw, SEQ);
  const end = performance.now() + bound;
  for (;;) {
    // A sleeper woken here looks at the word, finds it held, sleeps again.
    if (Atomics.notify(lw, 0, 1) > 0) {
      Atomics.store(ctl, SEEN, 1);
      break;
    }
    if (performance.now() > end) {
      Atomics.store(ctl, SEEN, 2);
      break;
    }
    Atomics.wait(lw, 0, Atomics.load(lw, 0), 1);
  }
  if (Atomics.exchange(lw, 0, 0) >= CONTENDED) Atomics.notify(lw, 0, 1);
}

describe("Condition.wait's reacquire where every acquire call overflows", () => {
  it("sleeps on the held lock's word, marked, and returns holding the lock after one call", async () => {
    const lw = new Int32Array(new SharedArrayBuffer(4));
    const cw = new Int32Array(new SharedArrayBuffer(12));
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    const me = currentIdent();
    let calls = 0;
    const lock = {
      release(): void {
        Atomics.store(lw, 0, 0);
      },
      acquire(): boolean {
        calls++;
        throw new RangeError("Maximum call stack size exceeded");
      },
    } as unknown as Lock;
    Atomics.store(lw, 0, me); // held by this thread, as wait() requires
    const t = new Thread({ target: holder, args: [lw, cw, ctl, 3_000] });
    t.start();
    let result: boolean | undefined;
    try {
      await until(() => Atomics.load(ctl, STARTED) === 1, "the holder");
      result = waitHeld(
        cw,
        lock,
        lw,
        ticketSleep({ timeout: 10_000 }, () => {}, undefined),
      );
    } finally {
      if ((Atomics.load(lw, 0) & HOLDER) !== me) {
        Atomics.store(lw, 0, 0); // a failed wait: let the holder end
      }
      await t.joinAsync({ timeout: 30_000 });
    }
    assert.equal(result, true);
    assert.equal(Atomics.load(ctl, SEEN), 1, "the holder saw no sleeper");
    assert.equal(calls, 1, `acquire called ${calls} times`);
    assert.equal(Atomics.load(lw, 0), me | CONTENDED);
    assert.deepEqual([...cw].slice(1), [0, 0]); // no waiter, no permit
  });
});
