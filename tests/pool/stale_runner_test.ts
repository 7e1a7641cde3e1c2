// Copyright 2026 the threadkit authors. MIT license.
// A pool thread that an owner's scan declared dead while it still runs (its
// table entry ended, its JavaScript goes on: Deno's terminate(), a starter
// that presumed it ended) must not touch the task that reuses its slot: the
// tag in the slot's STATE word (pool/_layout.ts) makes its compareExchange
// fail, and it leaves the pool.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent, identStopped } from "../../_core/runtime.ts";
import {
  currentThread,
  Event,
  Queue,
  ThreadDiedError,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

describe("ThreadPoolExecutor: a pool thread declared dead that still runs", () => {
  it("cannot settle the task that reuses its slot, and leaves the pool", async () => {
    // 2 slots (maxQueue 1 + 1 worker): A takes slot 0, then 1 and 0 again.
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 1 });
    const ids = new Queue<number>({ capacity: 1, type: "int32" });
    const goA = new Event();
    const a = pool.submit(
      (ids: Queue<number>, go: Event) => {
        ids.put(currentThread().ident!);
        if (!go.wait({ timeout: 30_000 })) throw new Error("never released");
        return "A";
      },
      ids,
      goA,
    );
    const stale = await within(ids.getAsync({ timeout: 30_000 }));
    // Its entry ends; its JavaScript runs on (blocked in A until goA).
    assert.ok(endIdent(stale));
    await assert.rejects(within(a), ThreadDiedError);
    // A replacement thread runs the next tasks: slot 1, then slot 0 again.
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
    const startedB = new Event(), goB = new Event();
    const b = pool.submit(
      (started: Event, go: Event) => {
        started.set();
        if (!go.wait({ timeout: 30_000 })) throw new Error("never released");
        return "B";
      },
      startedB,
      goB,
    );
    await within(startedB.waitAsync({ timeout: 30_000 }));
    // The stale thread finishes A while B runs in A's old slot.
    goA.set();
    let settled = false;
    b.then(() => settled = true, () => settled = true);
    // Either it settles B (the bug) or it stops: it finds its claim gone
    // and leaves (its worker exits, a recorded stop).
    await until(
      () => settled || identStopped(stale) !== undefined,
      "the stale thread's stop or the settle",
      30_000,
    );
    assert.equal(settled, false, "the stale thread settled B's Future");
    goB.set();
    assert.equal(await within(b), "B");
    // The pool goes on with exact results.
    const more = Array.from(
      { length: 50 },
      (_, i) => pool.submit((x: number) => x * 2, i),
    );
    assert.deepEqual(
      await within(Promise.all(more)),
      Array.from({ length: 50 }, (_, i) => i * 2),
    );
  });

  it("an idle pool thread declared dead takes no more tasks: it gives the index back and leaves", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const stale = await within(pool.submit(() => currentThread().ident!));
    // Its entry ends while it idles (parked or about to be).
    assert.ok(endIdent(stale));
    const ran: number[] = [];
    for (let i = 0; i < 20; i++) {
      ran.push(await within(pool.submit(() => currentThread().ident!)));
    }
    assert.equal(ran.length, 20);
    assert.equal(ran.filter((x) => x === stale).length, 0);
    await until(
      () => identStopped(stale) !== undefined,
      "the stale thread's stop",
      30_000,
    );
  });
});
