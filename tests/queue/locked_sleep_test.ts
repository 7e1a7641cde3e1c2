// Copyright 2026 the threadkit authors. MIT license.
// A timed get on a LifoQueue or PriorityQueue (the stores under the queue's
// Lock, queue/_locked.ts) behind a thread that holds that Lock while it
// copies: it sleeps on the Lock word with the CONTENDED mark and is woken by
// the release, not napping 1 ms at a time without the mark (which cost
// 15,000-118,000 timed-out naps a 10,000-item round at 50 consumers). The
// getter thread's waits on the Lock word are counted (tests/queue/_gated.ts),
// and the holder lets go only once the getter sleeps there.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, PriorityQueue, Thread } from "../../mod.ts";
import { LOCK } from "../../queue/_layout.ts";
import { CONTENDED } from "../../sync/_holder.ts";
import { until, wordChanged } from "../_helpers.ts";
import { gatedGet } from "./_gated.ts";
import type * as holderModule from "../_workers/store_holder.ts";

const JOIN = { timeout: 60_000 };
const BIG = 0x7fffffff;
const holder = new URL("../_workers/store_holder.ts", import.meta.url);

const KINDS: [string, () => LifoQueue<number> | PriorityQueue<number>][] = [
  ["LifoQueue<int32>", () => new LifoQueue({ capacity: 4, type: "int32" })],
  ["LifoQueue (structured)", () => new LifoQueue({ capacity: 4 })],
  [
    "PriorityQueue<int32>",
    () => new PriorityQueue({ capacity: 4, type: "int32" }),
  ],
];

describe("a timed get behind a held store Lock", () => {
  for (const [kind, make] of KINDS) {
    it(`${kind}: sleeps on the Lock word with the CONTENDED mark until the release wakes it, then gets the item once`, async () => {
      const q = make();
      q.put(5);
      const h = new Int32Array(q.region.buffer, q.region.byteOffset, LOCK + 1);
      const flag = new Int32Array(new SharedArrayBuffer(8));
      const held = new Thread<typeof holderModule.holdStore>({
        target: { module: holder, export: "holdStore" },
        args: [q as never, flag, false],
      });
      held.start();
      const gate = new Int32Array(new SharedArrayBuffer(16));
      gate[3] = BIG;
      let getter: Thread | undefined;
      try {
        assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
        getter = new Thread({
          target: gatedGet,
          args: [q as never, gate, -1, q.region.byteOffset, LOCK, 30_000],
        });
        getter.start();
        await until(
          () => Atomics.load(gate, 1) === 1,
          "asleep on LOCK",
          60_000,
        );
        assert.notEqual(Atomics.load(h, LOCK) & CONTENDED, 0, "marked");
        // A nap is a 1 ms wait; a notified sleep waits a slice (50 ms).
        assert.ok(Atomics.load(gate, 3) > 1, `a ${gate[3]} ms nap`);
      } finally {
        Atomics.store(flag, 1, 1);
        Atomics.notify(flag, 1);
      }
      assert.equal(await held.joinAsync(JOIN), "released");
      assert.equal(await getter!.joinAsync(JOIN), 5);
      assert.equal(q.qsize(), 0);
      assert.equal(Atomics.load(h, LOCK), 0, "the lock is free");
    });
  }
});
