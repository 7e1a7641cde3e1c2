// Copyright 2026 the threadkit authors. MIT license.
// With an initializer that returns, a task that exits its
// pool thread, or a pool thread declared dead between tasks, fails only
// that task (ThreadDiedError) or nothing: the pool is not broken, and the
// next tasks run (each replacement runs the initializer again).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent } from "../../_core/runtime.ts";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";
import type { Queue } from "../../queue/bounded.ts";
import { ownerFor } from "../../pool/_owner.ts";
import { PARKED } from "../../pool/_park.ts";
import { Event, ThreadDiedError, ThreadPoolExecutor } from "../../mod.ts";
import { until } from "../_helpers.ts";
import { Block, R_IDENT, R_PARK } from "../../pool/_layout.ts";
import { within } from "./_fixtures.ts";

describe("pool: deaths after the initializer returned", () => {
  it("a task that exits fails alone; the pool goes on", async () => {
    const inits = new Int32Array(new SharedArrayBuffer(4));
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: (c: Int32Array) => void Atomics.add(c, 0, 1),
      initArgs: [inits],
    });
    try {
      assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
      for (let k = 0; k < 3; k++) {
        const f = pool.submit(() => {
          const g = globalThis as unknown as {
            Deno?: { exit(code: number): never };
            process: { exit(code: number): never };
          };
          if (g.Deno) g.Deno.exit(3);
          else g.process.exit(3);
        });
        await assert.rejects(within(f), ThreadDiedError);
        assert.equal(
          await within(pool.submit((x: number) => x * 2, 21), 60_000),
          42,
        );
      }
      assert.ok(Atomics.load(inits, 0) >= 2, `initializer ran ${inits[0]}`);
    } finally {
      await within(pool.shutdownAsync({ cancelFutures: true }), 60_000);
    }
  });

  it("a pool thread declared dead while idle: not broken", async () => {
    const inits = new Int32Array(new SharedArrayBuffer(4));
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: (c: Int32Array) => void Atomics.add(c, 0, 1),
      initArgs: [inits],
    });
    const b = new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);
    try {
      await within(Promise.all([pool.submit(() => 1), pool.submit(() => 2)]));
      // Both threads past their initializer, parked.
      await until(
        () =>
          Atomics.load(inits, 0) === 2 &&
          Atomics.load(b.v, b.record(0) + R_PARK) === PARKED &&
          Atomics.load(b.v, b.record(1) + R_PARK) === PARKED,
        "both parked after their initializer",
        30_000,
      );
      for (let w = 0; w < b.l.records; w++) {
        const id = Atomics.load(b.v, b.record(w) + R_IDENT);
        if (id > 0) endIdent(id);
      }
      const many = [];
      for (let i = 0; i < 10; i++) many.push(pool.submit((x: number) => x, i));
      const out = await within(
        Promise.all(
          many.map((f) => Promise.resolve(f).then((v) => v, (e: unknown) => e)),
        ),
        60_000,
      );
      for (let i = 0; i < 10; i++) {
        if (out[i] !== i) {
          assert.ok(
            out[i] instanceof ThreadDiedError,
            `task ${i}: ${String(out[i])}`,
          );
        }
      }
      assert.equal(
        await within(pool.submit((x: number) => x + 1, 1), 60_000),
        2,
      );
    } finally {
      await within(pool.shutdownAsync({ cancelFutures: true }), 60_000);
    }
  });
});

describe("pool: a thread declared dead inside its initializer", () => {
  it("whose initializer then returns: the pool is not broken", async () => {
    const inInit = new Int32Array(new SharedArrayBuffer(4));
    const go = new Event();
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: (c: Int32Array, e: Event) => {
        Atomics.add(c, 0, 1);
        e.wait({ timeout: 30_000 });
      },
      initArgs: [inInit, go],
    });
    const d = pool[TO_DESCRIPTOR]();
    const b = new Block(d.buffer as SharedArrayBuffer);
    const free = reviveDescriptor((d.extra as { free: unknown }).free) as Queue<
      number
    >;
    try {
      const fs = [
        pool.submit((x: number) => x, 1),
        pool.submit((x: number) => x, 2),
      ];
      await until(
        () => Atomics.load(inInit, 0) >= 1,
        "a thread in its initializer",
        30_000,
      );
      // Declared dead (it runs on, inside its initializer).
      const id = Atomics.load(b.v, b.record(0) + R_IDENT);
      assert.ok(id > 0 && endIdent(id));
      // A maintain meanwhile (a submit's or the owner's scan).
      fs.push(pool.submit((x: number) => x, 3));
      // An owner's scan now (its maintain looks at the records).
      ownerFor(b, free, () => {}).scan();
      go.set();
      const out = await within(
        Promise.all(
          fs.map((f) => Promise.resolve(f).then((v) => v, (e: unknown) => e)),
        ),
        60_000,
      );
      for (const r of out) {
        if (typeof r !== "number") {
          assert.ok(r instanceof ThreadDiedError, String(r));
        }
      }
      assert.equal(
        await within(pool.submit((x: number) => x + 1, 1), 60_000),
        2,
      );
    } finally {
      go.set();
      await within(pool.shutdownAsync({ cancelFutures: true }), 60_000);
    }
  });
});
