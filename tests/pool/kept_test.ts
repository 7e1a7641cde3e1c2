// Copyright 2026 the threadkit authors. MIT license.
// Slots an owner keeps for its next submit (KEPT, pool/_owner.ts): a thread
// that submits one task at a time keeps its slot while idle, and a
// submitter that finds the free queue empty takes kept slots back from
// live owners (reclaimKept, pool/_orphans.ts), blocking and async alike.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, Thread, ThreadPoolExecutor } from "../../mod.ts";
import { blocker, within } from "./_fixtures.ts";

const JOIN = { timeout: 30_000 };

// A thread that awaits one task (its reaper keeps the slot: it is then idle
// with one slot kept), says so, and once told submits again: its kept slot
// was taken back meanwhile, so this takes another.
async function keeper(
  pool: ThreadPoolExecutor,
  kept: Event,
  go: Event,
): Promise<number[]> {
  const a = await pool.submit((x: number) => x + 1, 1);
  kept.set();
  if (!await go.waitAsync({ timeout: 30_000 })) throw new Error("no go");
  const b = await pool.submitWith((x: number) => x + 2, [1], {
    timeout: 10_000,
  });
  return [a, b];
}

describe("ThreadPoolExecutor: kept slots", () => {
  for (const form of ["submit", "submitAsync"]) {
    it(`ThreadPoolExecutor: a slot a live idle thread keeps is taken back by a ${form} that finds none free`, async () => {
      // 4 slots; an idle owner keeps one.
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 3 });
      const kept = new Event(), go = new Event();
      const t = new Thread({ target: keeper, args: [pool, kept, go] });
      t.start();
      assert.equal(await kept.waitAsync({ timeout: 30_000 }), true);
      // Four tasks that block until released need all four slots, the
      // one the idle thread keeps included.
      const release = new Event();
      const fs = [];
      for (let i = 0; i < 4; i++) {
        fs.push(
          form === "submit"
            ? pool.submitWith(blocker, [release], { timeout: 10_000 })
            : (await within(
              pool.submitAsync(blocker, release),
              15_000,
            )).future,
        );
      }
      release.set();
      assert.deepEqual(
        await within(Promise.all(fs)),
        ["released", "released", "released", "released"],
      );
      go.set();
      assert.deepEqual(await within(t.joinAsync(JOIN)), [2, 3]);
    });
  }

  it("ThreadPoolExecutor: one task at a time reuses its slot; every result exact over 2000 round trips from two threads", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2, maxQueue: 2 });
    const rounds = async (p: ThreadPoolExecutor, n: number, k: number) => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const y = await p.submit((x: number, k: number) => x * k, i, k);
        if (y !== i * k) throw new Error(`task ${i}: got ${y}`);
        sum += y;
      }
      return sum;
    };
    const t = new Thread({ target: rounds, args: [pool, 1000, 3] });
    t.start();
    const mine = await within(rounds(pool, 1000, 2));
    assert.equal(mine, 2 * 999 * 1000 / 2);
    assert.equal(await within(t.joinAsync(JOIN)), 3 * 999 * 1000 / 2);
  });
});
