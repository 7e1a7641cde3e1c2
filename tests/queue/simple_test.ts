// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  QueueEmptyError,
  QueueFullError,
  SimpleQueue,
  Thread,
} from "../../mod.ts";

const JOIN = { timeout: 60_000 };

describe("SimpleQueue", () => {
  it("SimpleQueue: put never waits, get returns items in order, no task tracking", () => {
    const q = new SimpleQueue<{ n: number }>({ initialCapacity: 4 });
    for (let n = 0; n < 1000; n++) q.put({ n });
    assert.equal(q.qsize(), 1000);
    for (let n = 0; n < 1000; n++) {
      assert.deepEqual(q.get({ timeout: 100 }), { n });
    }
    assert.equal(q.empty(), true);
    assert.throws(() => q.getNowait(), QueueEmptyError);
    assert.throws(() => q.get({ timeout: 5 }), QueueEmptyError);
    const api = q as unknown as Record<string, unknown>;
    for (const name of ["taskDone", "join", "shutdown", "full"]) {
      assert.equal(api[name], undefined, name);
    }
  });

  it("SimpleQueue passes to threads: two producer threads, the main thread consumes, each item once and in each producer's order", async () => {
    const q = new SimpleQueue<number>({ type: "int32", initialCapacity: 16 });
    const N = 20_000;
    const producers = [0, 1].map((id) =>
      new Thread({
        target: (q: SimpleQueue<number>, id: number, n: number) => {
          for (let i = 0; i < n; i++) q.put(id * n + i);
        },
        args: [q, id, N],
      })
    );
    for (const t of producers) t.start();
    const last = [-1, N - 1];
    for (let k = 0; k < 2 * N; k++) {
      const x = k % 2 === 0
        ? q.get({ timeout: 30_000 })
        : await q.getAsync({ timeout: 30_000 });
      const id = x >= N ? 1 : 0;
      assert.ok(
        x > last[id],
        `producer ${id} out of order: ${x} after ${last[id]}`,
      );
      last[id] = x;
    }
    assert.deepEqual(last, [N - 1, 2 * N - 1]);
    for (const t of producers) await t.joinAsync(JOIN);
    assert.equal(q.empty(), true);
  });

  it("SimpleQueue.getMany takes what is there, up to max, in order, across segments; refuses a bad max", async () => {
    const q = new SimpleQueue<{ n: number }>({ initialCapacity: 2 });
    for (let n = 0; n < 7; n++) q.put({ n }); // grows: several segments
    assert.deepEqual(q.getMany(3), [{ n: 0 }, { n: 1 }, { n: 2 }]);
    assert.deepEqual(q.getMany(), [{ n: 3 }, { n: 4 }, { n: 5 }, { n: 6 }]);
    assert.throws(
      () => q.getMany(undefined, { block: false }),
      QueueEmptyError,
    );
    assert.throws(() => q.getMany(2, { timeout: 5 }), QueueEmptyError);
    await assert.rejects(
      q.getManyAsync(2, { block: false }),
      QueueEmptyError,
    );
    for (const bad of [0, -1, 1.5, NaN]) {
      assert.throws(() => q.getMany(bad), RangeError, String(bad));
    }
    assert.equal(q.qsize(), 0);
  });

  it("SimpleQueue.getMany and getManyAsync across threads: two producers, every item exactly once, in each producer's order", async () => {
    const q = new SimpleQueue<number>({ type: "int32", initialCapacity: 16 });
    const N = 20_000;
    const producers = [0, 1].map((id) =>
      new Thread({
        target: (q: SimpleQueue<number>, id: number, n: number) => {
          for (let i = 0; i < n; i++) q.put(id * n + i);
        },
        args: [q, id, N],
      })
    );
    for (const t of producers) t.start();
    const last = [-1, N - 1];
    let got = 0, calls = 0;
    while (got < 2 * N) {
      const batch = calls++ % 2 === 0
        ? q.getMany(100, { timeout: 30_000 })
        : await q.getManyAsync(100, { timeout: 30_000 });
      assert.ok(batch.length >= 1 && batch.length <= 100);
      for (const x of batch) {
        const id = x >= N ? 1 : 0;
        if (x <= last[id]) {
          assert.fail(`producer ${id}: ${x} after ${last[id]}`);
        }
        last[id] = x;
      }
      got += batch.length;
    }
    assert.equal(got, 2 * N);
    assert.deepEqual(last, [N - 1, 2 * N - 1]);
    for (const t of producers) await t.joinAsync(JOIN);
    assert.equal(q.empty(), true);
  });

  it("SimpleQueue at its stated maximum throws QueueFullError instead of waiting", () => {
    const q = new SimpleQueue<number>({
      type: "uint8",
      initialCapacity: 1,
      maxCapacity: 2,
    });
    q.put(1);
    q.put(2);
    q.put(3);
    assert.throws(() => q.put(4), QueueFullError);
    assert.throws(() => q.putNowait(4), QueueFullError);
    assert.equal(q.getNowait(), 1);
  });

  it("SimpleQueue shows its type and size when inspected", () => {
    const q = new SimpleQueue<number>({ type: "float64" });
    q.put(1.5);
    assert.equal(
      inspect(q),
      `SimpleQueue { type: ${inspect("float64")}, size: 1 }`,
    );
  });
});
