// Copyright 2026 the threadkit authors. MIT license.
// Slots an owner keeps for its next submit (KEPT, pool/_owner.ts): a thread
// that submits one task at a time keeps its slot while idle, and a
// submitter that finds the free queue empty takes kept slots back from
// live owners (reclaimKept, pool/_orphans.ts), blocking and async alike.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, Thread, ThreadPoolExecutor } from "../../mod.ts";
import { runtime } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { Block, KEPT, PHASE, S_OENTRY, S_STATE } from "../../pool/_layout.ts";
import { blocker, within } from "./_fixtures.ts";

// How many slots this thread keeps (KEPT, its entry in OENTRY).
function keptBy(b: Block): number {
  let n = 0;
  for (let s = 0; s < b.l.slots; s++) {
    const base = b.slot(s);
    if (
      (Atomics.load(b.v, base + S_STATE) & PHASE) === KEPT &&
      b.v[base + S_OENTRY] === runtime().entry
    ) n++;
  }
  return n;
}

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

// Submits n tasks that block until `release` (holding n slots), says so,
// and returns how many finished.
async function holder(
  pool: ThreadPoolExecutor,
  release: Event,
  ready: Event,
  n: number,
): Promise<number> {
  const fs = Array.from({ length: n }, () =>
    pool.submit((e: Event) => {
      if (!e.wait({ timeout: 30_000 })) throw new Error("never released");
      return 1;
    }, release));
  ready.set();
  return (await Promise.all(fs)).length;
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

  it("ThreadPoolExecutor: a thread whose tasks all settled keeps the slots it freed while the free queue has others, and gives them back once it has none", async () => {
    // 64 + 2 slots; a thread keeps up to a quarter (16).
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2, maxQueue: 64 });
    const b = new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);
    const add = (x: number) => x + 1;
    for (let round = 0; round < 3; round++) {
      const fs = Array.from({ length: 40 }, (_, i) => pool.submit(add, i));
      const ys = await within(Promise.all(fs));
      assert.deepEqual(ys, Array.from({ length: 40 }, (_, i) => i + 1));
      // Idle now, with 26 or more slots in the free queue: the 16 kept
      // stay kept (they used to go back at each idle moment, and the next
      // submits took them from the free queue again).
      assert.equal(keptBy(b), 16, `round ${round}`);
    }
    // Another thread holds every other slot: the free queue is empty when
    // this thread's last task settles, so it gives back what it kept but
    // the slot of that task (a submitter may wait on the free queue).
    const mine = new Event(), theirs = new Event(), ready = new Event();
    const fs = Array.from({ length: 16 }, () => pool.submit(blocker, mine));
    const t = new Thread({ target: holder, args: [pool, theirs, ready, 50] });
    t.start();
    assert.equal(await ready.waitAsync({ timeout: 30_000 }), true);
    mine.set();
    assert.equal((await within(Promise.all(fs))).length, 16);
    assert.equal(keptBy(b), 1);
    theirs.set();
    assert.equal(await within(t.joinAsync(JOIN)), 50);
  });

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
