// Copyright 2026 the threadkit authors. MIT license.
// A task's target load and the stale mark (pool/_load.ts): while a pool
// thread loads its task's target module, READY reads a load value, no mark is
// made, and the thread reads its port itself; so a stale thread's
// replacement whose first task loads a module is not marked in turn (the
// chain of starts: bench/stale_chain.ts). Real threads, exact counts
// (thread starts, marks), bounded waits; the load is held by an Event.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, type ModuleTarget } from "../../mod.ts";
import { type Block, NAMES, R_IDENT, R_READY } from "../../pool/_layout.ts";
import { isLoading } from "../../pool/_load.ts";
import { staleMarks } from "../../pool/_stale.ts";
import { until } from "../_helpers.ts";
import { staleLeft, twoWarm, within } from "./_fixtures.ts";

const SLOW = new URL("../_workers/slow_load.ts", import.meta.url);
const SLOW_ADD: ModuleTarget<(w: Int32Array) => number> = {
  module: SLOW,
  export: "add",
};
const LONG: ModuleTarget<
  (release: Event, started: Event, how: "return") => [number, number, number]
> = {
  module: new URL("../_workers/stale_long.ts", import.meta.url),
  export: "long",
};
const add = (w: Int32Array) => Atomics.add(w, 0, 1);
const fresh = () => new Int32Array(new SharedArrayBuffer(1 << 16));

// Records whose thread is loading a target (READY a load value).
function loadingRecords(b: Block): number[] {
  const ws = [];
  for (let w = 0; w < b.l.records; w++) {
    const r = b.record(w);
    if (
      Atomics.load(b.v, r + R_IDENT) > 0 &&
      isLoading(Atomics.load(b.v, r + R_READY))
    ) ws.push(w);
  }
  return ws;
}

describe("ThreadPoolExecutor: a task's target load and the stale mark", () => {
  it("a thread whose task loads a slow module is not marked under bursts of adds (350 in flight), the long task's is: one start", async () => {
    const gate = new Event();
    const [pool, b] = await twoWarm({
      initializer: {
        module: new URL("../_workers/slow_gate.ts", import.meta.url),
        export: "gate",
      },
      initArgs: [gate],
    });
    await using _ = pool;
    const before = staleMarks().marked;
    const release = new Event(), started = new Event();
    const fs: PromiseLike<number>[] = [];
    const ws: Int32Array[] = [];
    const burst = (n: number) => {
      for (let i = 0; i < n; i++) {
        const w = fresh();
        ws.push(w);
        fs.push(pool.submit(add, w));
      }
    };
    try {
      const long = pool.submit(LONG, release, started, "return");
      await within(started.waitAsync({ timeout: 30_000 }));
      // The other thread takes this one and loads SLOW until the gate.
      const slow = fresh();
      const first = pool.submit(SLOW_ADD, slow);
      await until(
        () => loadingRecords(b).length === 1,
        "the slow module's load",
        30_000,
      );
      const y = loadingRecords(b)[0];
      // 150 in flight: the long task's thread is marked at the 129th add
      // (DRAIN_AT + STALE_ALLOW) and its replacement runs them; the
      // loading one is not marked, nor at 200 more.
      burst(150);
      assert.equal(staleMarks().marked - before, 1);
      burst(200);
      assert.ok(isLoading(Atomics.load(b.v, b.record(y) + R_READY)));
      // Its own reads keep its port short; no exact figure (a timer's).
      gate.set();
      assert.equal(await within(first), 0);
      assert.deepEqual(await within(Promise.all(fs), 60_000), ws.map(() => 0));
      assert.deepEqual(ws.map((w) => w[0]), ws.map(() => 1));
      // The replacement's own short tasks may be marked too (a task that
      // spanned that many adds, _stale.ts); each mark made one start.
      const marks = staleMarks().marked - before;
      release.set();
      await within(long);
      await staleLeft(b, 2);
      assert.equal(b.v[NAMES], 2 + marks);
    } finally {
      gate.set();
      release.set();
    }
  });
});
