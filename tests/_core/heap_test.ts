// Copyright 2026 the threadkit authors. MIT license.
// The shared heap grows: after millions of primitives created and dropped, a
// new one still lives in the heap and still travels inside a queue item.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, Lock, Queue, Thread } from "../../mod.ts";
import { heapAlloc, runtime } from "../../_core/runtime.ts";

const FIRST_BLOCK = 4 * 1024 * 1024;

describe("shared heap", () => {
  it("Lock: 2 million created and dropped, then a new one crosses to a thread in a queue item", async () => {
    for (let i = 0; i < 2_000_000; i++) new Lock();
    const rt = runtime();
    // 2e6 Locks of 4 bytes are more than the first 4 MiB block holds.
    assert.ok(rt.buffer.byteLength > FIRST_BLOCK, "the block grew");
    const lock = new Lock();
    const ready = new Event();
    const q = new Queue<{ lock: Lock; ready: Event }>({ capacity: 1 });
    lock.acquire();
    q.put({ lock, ready });
    const t = new Thread({
      target: (inbox: Queue<{ lock: Lock; ready: Event }>) => {
        const { lock, ready } = inbox.get({ timeout: 20_000 });
        const whileHeld = lock.acquire({ blocking: false });
        ready.set();
        const afterRelease = lock.acquire({ timeout: 20_000 });
        if (afterRelease) lock.release();
        return [whileHeld, afterRelease];
      },
      args: [q],
    });
    t.start();
    try {
      assert.equal(ready.wait({ timeout: 20_000 }), true);
    } finally {
      lock.release();
    }
    assert.deepEqual(await t.joinAsync({ timeout: 20_000 }), [false, true]);
  });

  it("heapAlloc() hands out disjoint, aligned ranges inside the grown block", () => {
    const a = heapAlloc(12, 8), b = heapAlloc(1 << 20, 16), c = heapAlloc(4, 4);
    assert.ok(a > 0 && b > 0 && c > 0);
    assert.equal(a % 8, 0);
    assert.equal(b % 16, 0);
    assert.ok(a + 12 <= b && b + (1 << 20) <= c);
    assert.ok(c + 4 <= runtime().buffer.byteLength);
    // Past the largest block: refused (the caller takes a buffer of its own).
    assert.equal(heapAlloc(2 ** 31, 4), -1);
  });
});
