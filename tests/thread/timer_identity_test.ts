// Copyright 2026 the threadkit authors. MIT license.
// A Timer's thread is a Timer wherever it is looked at, as in Python, where
// threading.current_thread() in a Timer's function and threading.enumerate()
// give the Timer object: currentThread() and enumerate() in the timer's own
// thread, and enumerate() in a thread that did not start it (which can
// cancel it through that handle). CPython's test_threading has no test of
// this (its TimerTests check the args only); these are the cases above.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  currentThread,
  enumerate,
  Event,
  getIdent,
  Thread,
  Timer,
} from "../../mod.ts";

const JOIN = { timeout: 30_000 };

describe("Timer identity", () => {
  it("currentThread() in a Timer's target is a Timer: the same handle as its entry in enumerate(), with its ident, name and interval", async () => {
    const timer = new Timer(
      5,
      () => {
        const me = currentThread();
        const listed = enumerate().find((t) => t.ident === getIdent());
        return {
          isTimer: me instanceof Timer,
          same: listed === me && currentThread() === me,
          ident: me.ident,
          name: me.name,
          interval: (me as Timer).interval,
          cancelled: (me as Timer).cancelled,
        };
      },
      [],
      { name: "self-timer" },
    );
    timer.start();
    assert.deepEqual(await timer.joinAsync(JOIN), {
      isTimer: true,
      same: true,
      ident: timer.ident,
      name: "self-timer",
      interval: 5,
      cancelled: false,
    });
  });

  it("enumerate() in a thread that did not start the Timer lists it as a Timer, which can cancel it there", async () => {
    const ran = new Event();
    // Far past the join's bound: only the cancel ends its wait in time.
    const timer = new Timer(3_600_000, (ran: Event) => ran.set(), [ran], {
      name: "far-timer",
    });
    timer.start();
    const other = new Thread({
      target: (ident: number) => {
        // The timer's thread names its timer in its entry once it runs
        // (before its wait): until then it is listed as a plain Thread.
        const scratch = new Int32Array(new SharedArrayBuffer(4));
        const end = performance.now() + 20_000;
        let listed = enumerate().find((t) => t.ident === ident);
        while (!(listed instanceof Timer) && performance.now() < end) {
          Atomics.wait(scratch, 0, 0, 2);
          listed = enumerate().find((t) => t.ident === ident);
        }
        if (!(listed instanceof Timer)) return { isTimer: false };
        const again = enumerate().find((t) => t.ident === ident);
        listed.cancel();
        return {
          isTimer: true,
          same: again === listed,
          name: listed.name,
          interval: listed.interval,
          cancelled: listed.cancelled,
        };
      },
      args: [timer.ident!],
    });
    other.start();
    assert.deepEqual(await other.joinAsync(JOIN), {
      isTimer: true,
      same: true,
      name: "far-timer",
      interval: 3_600_000,
      cancelled: true,
    });
    assert.equal(await timer.joinAsync(JOIN), undefined);
    assert.equal(timer.isAlive(), false, "the cancel ended its wait");
    assert.equal(timer.cancelled, true);
    assert.equal(ran.isSet(), false);
  });

  it("enumerate() in the starting thread lists the Timer it started (its own handle), and plain threads as Threads", async () => {
    const go = new Event();
    const timer = new Timer(3_600_000, () => {});
    const plain = new Thread({
      target: (go: Event) => go.wait({ timeout: 30_000 }),
      args: [go],
    });
    timer.start();
    plain.start();
    const listed = enumerate();
    assert.equal(listed.find((t) => t.ident === timer.ident), timer);
    const p = listed.find((t) => t.ident === plain.ident);
    assert.equal(p, plain);
    assert.equal(p instanceof Timer, false);
    const seen = new Thread({
      target: (ident: number) =>
        enumerate().find((t) => t.ident === ident) instanceof Timer,
      args: [plain.ident!],
    });
    seen.start();
    assert.equal(await seen.joinAsync(JOIN), false);
    timer.cancel();
    go.set();
    await timer.joinAsync(JOIN);
    await plain.joinAsync(JOIN);
  });
});
