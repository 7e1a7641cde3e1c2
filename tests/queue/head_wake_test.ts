// Copyright 2026 the threadkit authors. MIT license.
// A release of HEAD's turn (the structured FIFO ring's consumer lock,
// header slot 32: queue/_head.ts releaseHead) that leaves more than one
// item wakes two of the consumers asleep behind it, one otherwise. The test
// holds HEAD itself (LOCKED, no HOLDER mark: a copying holder), lets three
// threads' gets fall asleep behind it (each marks a word just before its
// Atomics.wait on HEAD, the builtin wrapped in that thread), releases with
// releaseHead and checks how many its notify asked for and woke (the main
// thread's Atomics.notify wrapped); then every item reaches one thread.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue } from "../../mod.ts";
import { releaseHead } from "../../queue/_head.ts";
import { until } from "../_helpers.ts";
import { startFlagged } from "./_flagged.ts";

const HEAD = 32;
const LOCKED = 1 << 28;
const CONTENDED = 1 << 29;
const JOIN = { timeout: 60_000 };

describe("Queue: the release of a held consumer turn", () => {
  for (const [items, wakes] of [[3, 2], [1, 1]]) {
    it(`with ${items} item(s) left wakes ${wakes} of 3 sleepers`, async () => {
      const C = 3;
      const q = new Queue<number>({ capacity: 8 });
      for (let i = 0; i < items; i++) q.put(i);
      const h = new Int32Array(q.region.buffer, q.region.byteOffset, 40);
      const free = Atomics.load(h, HEAD);
      assert.equal(free & (LOCKED | CONTENDED), 0);
      assert.equal(Atomics.compareExchange(h, HEAD, free, free | LOCKED), free);
      let held = true;
      const { threads, flags } = startFlagged(q, C, HEAD);
      try {
        await until(
          () => threads.every((_, i) => Atomics.load(flags, 2 * i) === 1),
          "3 gets asleep on HEAD",
          60_000,
        );
        assert.notEqual(Atomics.load(h, HEAD) & CONTENDED, 0);
        const notify = Atomics.notify;
        let asked = -1, woke = -1;
        Atomics.notify = function (v: Int32Array, i: number, n?: number) {
          const k = notify(v, i, n);
          if (i === HEAD) [asked, woke] = [n ?? Infinity, k];
          return k;
        } as typeof Atomics.notify;
        try {
          releaseHead(h, free | LOCKED, free); // nothing taken
          held = false;
        } finally {
          Atomics.notify = notify;
        }
        // The release asks for `wakes`; it wakes that many unless a getter
        // that flagged itself was not in the wait list yet, or was between
        // two slices of its wait (then fewer, none on a loaded machine: it
        // finds the turn free when it looks again).
        assert.equal(asked, wakes);
        assert.ok(woke >= 0 && woke <= wakes, `woke ${woke}`);
        for (let i = items; i < C; i++) q.put(i);
        const got = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
        assert.deepEqual(
          (got as number[]).sort((a, b) => a - b),
          Array.from({ length: C }, (_, i) => i),
        );
        assert.equal(q.qsize(), 0);
      } finally {
        if (held) {
          Atomics.store(h, HEAD, free);
          Atomics.notify(h, HEAD);
        }
        for (let i = 0; i < C; i++) {
          try {
            q.putNowait(-1); // stops the gets of a failed run
          } catch { /* full */ }
        }
        await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
      }
    });
  }
});
