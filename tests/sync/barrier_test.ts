// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  BrokenBarrierError,
  RuntimeError,
  Thread,
} from "../../mod.ts";
import { until } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

describe("Barrier", () => {
  it("Barrier of 5 threads: the action runs exactly once per generation, before any waiter leaves, over 3 generations", async () => {
    // stats: [0] action runs, [1..3] threads past the barrier per generation,
    // [4] actions that saw a thread already past their generation.
    const stats = new Int32Array(new SharedArrayBuffer(4 * 8));
    const barrier = new Barrier(5, {
      action: (stats: Int32Array) => {
        const gen = Atomics.add(stats, 0, 1) + 1;
        if (Atomics.load(stats, gen) !== 0) Atomics.add(stats, 4, 1);
      },
      actionArgs: [stats],
    });
    const threads = [0, 1, 2, 3, 4].map((i) =>
      new Thread({
        target: async (b: Barrier, stats: Int32Array, i: number) => {
          const indices: number[] = [];
          for (let gen = 1; gen <= 3; gen++) {
            // Random-ish arrival order, as in the seed's random sleeps.
            Atomics.wait(
              new Int32Array(new SharedArrayBuffer(4)),
              0,
              0,
              (i * 7 + gen * 3) % 5 * 4,
            );
            indices.push(
              i % 2 === 0
                ? b.wait({ timeout: 20_000 })
                : await b.waitAsync({ timeout: 20_000 }),
            );
            Atomics.add(stats, gen, 1);
          }
          return indices;
        },
        args: [barrier, stats, i],
      })
    );
    for (const t of threads) t.start();
    const indices = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
    assert.equal(stats[0], 3);
    assert.deepEqual([...stats.subarray(1, 5)], [5, 5, 5, 0]);
    for (let gen = 0; gen < 3; gen++) {
      assert.deepEqual(indices.map((x) => x[gen]).sort(), [0, 1, 2, 3, 4]);
    }
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false);
  });

  it("Barrier.abort() while 5 threads wait raises BrokenBarrierError in all of them (seed)", async () => {
    const barrier = new Barrier(6);
    const threads = [0, 1, 2, 3, 4].map((i) =>
      new Thread({
        target: async (b: Barrier, useAsync: boolean) => {
          try {
            if (useAsync) await b.waitAsync({ timeout: 20_000 });
            else b.wait({ timeout: 20_000 });
            return "released";
          } catch (e) {
            return `${(e as Error).name} ${e instanceof BrokenBarrierError}`;
          }
        },
        args: [barrier, i % 2 === 0],
      })
    );
    for (const t of threads) t.start();
    await until(() => barrier.nWaiting === 5);
    assert.equal(barrier.parties, 6);
    barrier.abort();
    const results = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(results, Array(5).fill("BrokenBarrierError true"));
    assert.equal(barrier.broken, true);
    assert.equal(barrier.nWaiting, 0);
    // Later arrivals fail too, until reset().
    assert.throws(() => barrier.wait({ timeout: 1000 }), BrokenBarrierError);
    barrier.reset();
    assert.equal(barrier.broken, false);
  });

  it("Barrier.wait() timeout breaks the barrier for every waiter; the error crosses threads as itself", async () => {
    const barrier = new Barrier(3);
    const t = new Thread({
      target: (b: Barrier) => b.wait({ timeout: 20_000 }),
      args: [barrier],
    });
    t.start();
    await until(() => barrier.nWaiting === 1);
    assert.throws(() => barrier.wait({ timeout: 50 }), BrokenBarrierError);
    await assert.rejects(t.joinAsync(JOIN), (e) => {
      assert.ok(e instanceof BrokenBarrierError);
      assert.ok(e instanceof RuntimeError);
      return true;
    });
    assert.equal(barrier.broken, true);
    barrier.reset();
    // Usable again: the default timeout comes from the options.
    const b2 = new Barrier(2, { timeout: 30 });
    await assert.rejects(b2.waitAsync(), BrokenBarrierError);
  });

  it("Barrier.reset() while threads wait wakes them with BrokenBarrierError and leaves the barrier usable", async () => {
    const barrier = new Barrier(3);
    const threads = [0, 1].map(() =>
      new Thread({
        target: (b: Barrier) => {
          try {
            b.wait({ timeout: 20_000 });
            return "released";
          } catch (e) {
            return (e as Error).name;
          }
        },
        args: [barrier],
      })
    );
    for (const t of threads) t.start();
    await until(() => barrier.nWaiting === 2);
    barrier.reset();
    const results = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(results, ["BrokenBarrierError", "BrokenBarrierError"]);
    assert.equal(barrier.broken, false);
    const one = new Barrier(1);
    assert.equal(one.wait(), 0);
    assert.equal(await one.waitAsync(), 0);
  });

  it("Barrier action that throws breaks the barrier: its thread gets the error, the others BrokenBarrierError", async () => {
    const barrier = new Barrier(2, {
      action: () => {
        throw new TypeError("action failed");
      },
    });
    const t = new Thread({
      target: (b: Barrier) => b.wait({ timeout: 20_000 }),
      args: [barrier],
    });
    t.start();
    await until(() => barrier.nWaiting === 1);
    assert.throws(() => barrier.wait({ timeout: 20_000 }), /action failed/);
    await assert.rejects(t.joinAsync(JOIN), BrokenBarrierError);
    assert.equal(barrier.broken, true);
  });

  it("Barrier action that captures a variable fails with an explaining ReferenceError", () => {
    // Not a literal: Bun would fold a literal const into the source text.
    const captured = Number("1");
    const barrier = new Barrier(1, { action: () => captured });
    assert.throws(() => barrier.wait(), /cannot capture variables/);
    assert.equal(barrier.broken, true);
  });

  it("Barrier rejects bad input with TypeError/RangeError", () => {
    assert.throws(() => new Barrier(0), RangeError);
    assert.throws(() => new Barrier(-1), RangeError);
    assert.throws(() => new Barrier(NaN), TypeError);
    assert.throws(() => new Barrier(1.5), TypeError);
    assert.throws(() => new Barrier(2, { action: "x" as never }), TypeError);
    assert.throws(
      // A builtin reachable from globalThis is an action (it travels by its
      // path, _core/target.ts); a bound function is not.
      () => new Barrier(2, { action: Math.max.bind(Math) as never }),
      TypeError,
    );
    assert.throws(
      () => new Barrier(2, { actionArgs: 3 as never }),
      TypeError,
    );
    assert.throws(() => new Barrier(2, { timeout: -1 }), RangeError);
    assert.throws(() => new Barrier(2, { timeout: NaN }), RangeError);
    assert.throws(
      () => new Barrier(2, { buffer: new SharedArrayBuffer(16) }),
      RangeError,
    );
    const barrier = new Barrier(2);
    assert.throws(() => barrier.wait({ timeout: NaN }), RangeError);
    assert.throws(() => barrier.waitAsync({ timeout: -1 }), RangeError);
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false);
  });
});
