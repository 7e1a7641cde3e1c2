// Copyright 2026 the threadkit authors. MIT license.
// A done callback runs while its owner settles the completions it took: a
// callback that looks at another Future (done(), result(), wait(): each
// drains) and submits a task must leave the settle it runs inside intact.
// Its slot may be settled by the callback's drain and handed to the
// callback's submit: the settle that called the callback must not then
// untrack the new task's Future, overwrite the new task's slot state or
// list the slot again.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, type Future, ThreadPoolExecutor, wait } from "../../mod.ts";
import { within } from "./_fixtures.ts";

const BOUND = 30_000;

describe("Future.addDoneCallback: a callback that drains and submits", () => {
  for (const look of ["done", "wait", "running"] as const) {
    it(`callback calls ${look}() of a pending Future, then submits: the new task runs once and its Future settles`, async () => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
      const release = new Event(), started = new Event();
      const blocker = pool.submit(
        (r: Event, s: Event) => (s.set(), r.wait({ timeout: 30_000 }), 0),
        release,
        started,
      );
      try {
        await within(started.waitAsync({ timeout: BOUND }), BOUND);
        const chained: Future<number>[] = [];
        for (let round = 0; round < 8; round++) {
          const x = pool.submit((n: number) => n + 1, round);
          x.addDoneCallback(() => {
            if (look === "done") blocker.done();
            else if (look === "running") blocker.running();
            else wait([blocker], { timeout: 0 });
            chained.push(pool.submit((n: number) => n * 10, round));
          });
          assert.equal(await within(x, BOUND), round + 1);
          assert.equal(chained.length, round + 1);
          assert.equal(await within(chained[round], BOUND), round * 10);
        }
      } finally {
        release.set();
        await within(blocker, BOUND);
      }
    });
  }

  it("callback calls done() of a pending Future: every later task of this thread still settles with its own result", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const release = new Event(), started = new Event();
    const blocker = pool.submit(
      (r: Event, s: Event) => (s.set(), r.wait({ timeout: 30_000 }), 0),
      release,
      started,
    );
    try {
      await within(started.waitAsync({ timeout: BOUND }), BOUND);
      const x = pool.submit((n: number) => n + 1, 1);
      x.addDoneCallback(() => void blocker.done());
      assert.equal(await within(x, BOUND), 2);
      // The slot x had is this thread's again once: 64 tasks, each its own.
      const fs = Array.from(
        { length: 64 },
        (_, i) => pool.submit((n: number) => n * 3, i),
      );
      const rs = await within(Promise.all(fs), BOUND);
      assert.deepEqual(rs, fs.map((_, i) => i * 3));
    } finally {
      release.set();
      await within(blocker, BOUND);
    }
  });
});
