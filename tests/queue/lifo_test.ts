// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  Thread,
} from "../../mod.ts";

const JOIN = { timeout: 30_000 };

describe("LifoQueue", () => {
  it("LifoQueue.get() returns the newest item first, numeric and structured", () => {
    const n = new LifoQueue<number>({ capacity: 3, type: "uint16" });
    n.putMany([1, 2, 3]);
    assert.throws(() => n.putNowait(4), QueueFullError);
    assert.deepEqual(n.getMany(), [3, 2, 1]);
    assert.throws(() => n.getNowait(), QueueEmptyError);
    const s = new LifoQueue<unknown>({ capacity: 4, bytes: 64 });
    s.put({ a: 1 });
    s.put(undefined);
    s.put("xyz");
    assert.deepEqual([s.get(), s.get(), s.get()], ["xyz", undefined, { a: 1 }]);
  });

  it("LifoQueue<structured> counts bytes: a full byte region refuses more, oversize is a RangeError", () => {
    const s = new LifoQueue<string>({ capacity: 10, bytes: 32 });
    s.put("aaaaaaaaaa"); // 1 + 12 JSON bytes -> 16 + 4 length
    assert.throws(() => s.putNowait("bbbbbbbbbb"), QueueFullError);
    assert.throws(() => s.put("c".repeat(40)), RangeError);
    // As in Python, block: false ignores a timeout: full at once.
    assert.throws(
      () => s.put("bbbbbbbbbb", { block: false, timeout: 60_000 }),
      QueueFullError,
    );
    assert.deepEqual(s.getMany(), ["aaaaaaaaaa"]);
  });

  it("LifoQueue passes to a thread as itself, and shutdown ends its consumer", async () => {
    const q = new LifoQueue<number>({ capacity: 64, type: "int32" });
    const t = new Thread({
      target: (q: LifoQueue<number>) => {
        let sum = 0;
        try {
          for (;;) sum += q.get({ timeout: 10_000 });
        } catch (e) {
          if (!(e instanceof QueueShutDownError)) throw e;
        }
        return sum;
      },
      args: [q],
    });
    t.start();
    for (let i = 1; i <= 1000; i++) await q.putAsync(i, { timeout: 10_000 });
    q.shutdown();
    assert.equal(await t.joinAsync(JOIN), 500500);
  });
});
