// Copyright 2026 the threadkit authors. MIT license.
// Every task runs its own target on its own args, and its Future gets its
// own outcome, while pool threads end by idleTimeout and new ones replace
// them (each new thread resolves targets afresh from the executor's target
// table, pool/_payload.ts), slots are kept and taken back (KEPT,
// pool/_owner.ts; reclaimKept, pool/_orphans.ts) and submits race idle ends
// (the direct hand-off to a parked thread that is timing out, pool/_park.ts;
// the queue put against leaveIdle, pool/_thread.ts). Each target is
// distinct (its source names its number) and each result is checked
// exactly: a task run with another task's target, args or outcome fails
// here. The jitter between rounds varies the interleavings only: no check
// depends on it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { activeCount, Thread, ThreadPoolExecutor } from "../../mod.ts";
import { within } from "./_fixtures.ts";
import { sleep, stressSize, until } from "../_helpers.ts";

const JOIN = { timeout: 120_000 };

/** Target k: x -> x * 1000 + k, a function of its own source. */
function targets(n: number): ((x: number) => number)[] {
  return Array.from(
    { length: n },
    (_, k) => new Function("x", `return x * 1000 + ${k};`) as never,
  );
}

/**
 * A submitting thread: `rounds` rounds of one task at a time (the hand-off
 * path) and bursts of three (the queue), each with a target of its own
 * among `n`, every result checked; short pauses around the idle timeout
 * between some rounds. Returns [tasks checked, wrong results, first wrong].
 */
function submitter(
  pool: ThreadPoolExecutor,
  me: number,
  rounds: number,
  n: number,
  idleMs: number,
): [number, number, string] {
  const fns = Array.from(
    { length: n },
    (_, k) =>
      new Function("x", `return x * 1000 + ${k};`) as (x: number) => number,
  );
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let checked = 0, bad = 0, first = "";
  const check = (got: unknown, want: number) => {
    checked++;
    if (got !== want) {
      bad++;
      first ||= `thread ${me}: got ${got}, want ${want}`;
    }
  };
  for (let r = 0; r < rounds; r++) {
    const k = (r * 7 + me * 13) % n;
    if (r % 4 === 0) {
      const fs = [0, 1, 2].map((j) => pool.submit(fns[(k + j) % n], r + j));
      fs.forEach((f, j) =>
        check(f.result({ timeout: 60_000 }), (r + j) * 1000 + (k + j) % n)
      );
    } else {
      check(pool.submit(fns[k], r).result({ timeout: 60_000 }), r * 1000 + k);
    }
    // A pause of 0 to 2 idle timeouts (jitter only).
    if (r % 3 === 0) Atomics.wait(pause, 0, 0, Math.random() * 2 * idleMs);
  }
  return [checked, bad, first];
}

describe("ThreadPoolExecutor: each task runs its own target on its own args", () => {
  it("after idle pool threads end, a new task runs its own target (rounds of the idleTimeout test)", async () => {
    const fns = targets(64);
    // 24 rounds under Deno, 12 on Node and Bun (stressSize): every pair of
    // round kind (r % 3) and idle timeout (r % 4).
    const ROUNDS = stressSize(24, 12);
    let checked = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const base = activeCount();
      await using pool = new ThreadPoolExecutor({
        maxWorkers: 2,
        idleTimeout: 5 + (r % 4) * 10,
      });
      const first = fns[r % 64], next = fns[(r + 1) % 64];
      const got = await within(
        Promise.all(Array.from({ length: 4 }, (_, i) => pool.submit(first, i))),
      );
      assert.deepEqual(got, [0, 1, 2, 3].map((i) => i * 1000 + r % 64));
      checked += 4;
      // Round kinds: wait for the pool threads' end (bounded; other tests'
      // threads may still be ending, so it is not asserted), submit while
      // they time out, or at once.
      if (r % 3 === 0) {
        await until(() => activeCount() <= base, "threads' end", 10_000)
          .catch(() => {});
      } else if (r % 3 === 1) await sleep(Math.random() * 40);
      assert.equal(await within(pool.submit(next, 1)), 1000 + (r + 1) % 64);
      assert.equal(
        await within(pool.submit((x: number) => x + 1, 1)),
        2,
      );
      assert.equal(await within(pool.submit(first, 7)), 7000 + r % 64);
      checked += 3;
    }
    assert.equal(checked, ROUNDS * 7);
  });

  it("many targets from three threads, with idle ends racing submits and kept slots taken back", async () => {
    // 160 rounds under Deno, 40 on Node and Bun (stressSize; a multiple of 4).
    const idleMs = 2, rounds = stressSize(160, 40), n = 48;
    // 4 slots (maxQueue 2 + 2 workers): submitters find the free queue
    // empty and take back each other's kept slots.
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      idleTimeout: idleMs,
      maxQueue: 2,
    });
    const threads = [1, 2].map((me) =>
      new Thread({ target: submitter, args: [pool, me, rounds, n, idleMs] })
    );
    for (const t of threads) t.start();
    // The main thread submits too, awaiting (its reaper, async waits).
    const fns = targets(n);
    let checked = 0;
    for (let r = 0; r < rounds; r++) {
      const k = (r * 5) % n;
      if (r % 4 === 1) {
        const got = await within(
          Promise.all([0, 1, 2].map((j) => pool.submit(fns[(k + j) % n], r))),
        );
        assert.deepEqual(
          got,
          [0, 1, 2].map((j) => r * 1000 + (k + j) % n),
          `main, round ${r}`,
        );
        checked += 3;
      } else {
        assert.equal(
          await within(pool.submit(fns[k], r)),
          r * 1000 + k,
          `main, round ${r}`,
        );
        checked++;
      }
      if (r % 2 === 0) await sleep(Math.random() * 2 * idleMs);
    }
    const perThread = rounds / 4 * 3 + rounds * 3 / 4;
    assert.equal(checked, perThread);
    for (const t of threads) {
      const [done, bad, first] = await t.joinAsync(JOIN) as [
        number,
        number,
        string,
      ];
      assert.equal(bad, 0, first);
      assert.equal(done, perThread);
    }
  });
});
