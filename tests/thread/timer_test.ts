// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { currentThread, Thread, Timer } from "../../mod.ts";
import { wordChanged } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

describe("Timer", () => {
  it("Timer runs its target in its own thread after the interval (seed say_hi)", async () => {
    const t0 = performance.now();
    const timer = new Timer(
      100,
      (greeting: string) => `${currentThread().name} says ${greeting}`,
      ["Hi!"],
      { name: "hi-timer" },
    );
    assert.ok(timer instanceof Thread);
    timer.start();
    assert.equal(await timer.joinAsync(JOIN), "hi-timer says Hi!");
    assert.ok(performance.now() - t0 >= 95);
    assert.equal(timer.cancelled, false);
  });

  it("Timer cancelled before it fires never runs its target", async () => {
    const ran = new Int32Array(new SharedArrayBuffer(4));
    // An interval far past the join's bound: only cancel() can end the wait
    // before it (no timed assertion; a cancel that did not end it leaves the
    // thread alive after the bounded join).
    const timer = new Timer(
      3_600_000,
      (ran: Int32Array) => Atomics.store(ran, 0, 1),
      [ran],
    );
    timer.start();
    timer.cancel();
    assert.equal(await timer.joinAsync(JOIN), undefined);
    assert.equal(timer.isAlive(), false, "cancel ends the wait early");
    assert.equal(ran[0], 0);
    assert.equal(timer.cancelled, true);
    // Cancelled before start(): the thread ends at once, the target never runs.
    const early = new Timer(0, (ran: Int32Array) => Atomics.store(ran, 0, 2), [
      ran,
    ]);
    early.cancel();
    early.start();
    assert.equal(await early.joinAsync(JOIN), undefined);
    assert.equal(ran[0], 0);
  });

  it("Timer.cancel() after the target started changes nothing", async () => {
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const timer = new Timer(10, (flags: Int32Array) => {
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      // Wait (bounded) for the main thread's cancel() to have happened.
      Atomics.wait(flags, 1, 0, 20_000);
      return "finished";
    }, [flags]);
    timer.start();
    assert.ok(await wordChanged(flags, 0, 0), "the target started");
    timer.cancel();
    assert.equal(timer.cancelled, false);
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    assert.equal(await timer.joinAsync(JOIN), "finished");
  });

  it("Timer rejects bad input with TypeError/RangeError", () => {
    const f = () => 1;
    assert.throws(() => new Timer(-1, f), RangeError);
    assert.throws(() => new Timer(NaN, f), RangeError);
    assert.throws(() => new Timer("5" as never, f), TypeError);
    assert.throws(() => new Timer(5, "f" as never), TypeError);
    assert.throws(() => new Timer(5, f, 3 as never), TypeError);
  });
});
