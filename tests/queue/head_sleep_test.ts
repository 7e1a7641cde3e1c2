// Copyright 2026 the threadkit authors. MIT license.
// A blocking get behind a held consumer turn (HEAD, the structured FIFO
// ring's consumer lock, header slot 32: queue/_head.ts) sleeps until the
// holder's release wakes it, a slice at a time, timed or not; it does not
// nap a millisecond at a time. Naps were what a timed get did: with 50
// consumers behind a preempted holder on 2 cores, 3,800-15,000 wakes a run
// that took the CPU the holder needed (bench/_sq_probe.ts).
// The test holds HEAD itself (LOCKED set, no HOLDER mark: a copying holder,
// waited for as long as the call may wait), and a thread's get counts its
// Atomics.wait calls on HEAD (the builtin wrapped in that thread, and put
// back before the target returns).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, Thread } from "../../mod.ts";
import { sleep, sleepers } from "../_helpers.ts";

// queue/_layout.ts HEAD; queue/_turn.ts LOCKED, CONTENDED.
const HEAD = 32;
const LOCKED = 1 << 28;
const CONTENDED = 1 << 29;
// How long the test holds HEAD, and the most waits a get that sleeps in
// slices (50 ms) makes meanwhile: HOLD / 50, one more for the notify that
// `sleepers` sends, and room for a late slice. A get that naps 1 ms makes
// many times that (60 or more at a nap of 10 ms).
const HOLD = 600;
const MOST = HOLD / 50 + 6;

describe("Queue: a get behind a held consumer turn", () => {
  for (const timeout of [undefined, 10_000]) {
    it(`${timeout === undefined ? "untimed" : "timed"}: sleeps until the release wakes it (no 1 ms naps) and takes the item`, async () => {
      const q = new Queue<number>({ capacity: 8 });
      q.put(7);
      const h = new Int32Array(q.region.buffer, q.region.byteOffset, 40);
      const free = Atomics.load(h, HEAD);
      assert.equal(free & (LOCKED | CONTENDED), 0);
      assert.equal(Atomics.compareExchange(h, HEAD, free, free | LOCKED), free);
      const t = new Thread({
        target: (q: Queue<number>, timeout: number | undefined) => {
          const { buffer, byteOffset } = q.region;
          const head = (byteOffset >> 2) + 32;
          const wait = Atomics.wait;
          let waits = 0;
          Atomics.wait = (view, index, value, ms) => {
            if (
              view.buffer === buffer && (view.byteOffset >> 2) + index === head
            ) waits++;
            return wait(view as Int32Array, index, value as number, ms);
          };
          try {
            const x = q.get(timeout === undefined ? undefined : { timeout });
            return [x, waits];
          } finally {
            Atomics.wait = wait;
          }
        },
        args: [q, timeout],
      });
      t.start();
      let held = true;
      try {
        await sleepers(h, HEAD, 1);
        await sleep(HOLD); // the span the waits are counted over
        // Release as releaseHead does: the word free, one sleeper woken.
        const v = Atomics.exchange(h, HEAD, free);
        held = false;
        assert.equal(v & ~CONTENDED, free | LOCKED);
        if ((v & CONTENDED) !== 0) Atomics.notify(h, HEAD, 1);
        const [x, waits] = await t.joinAsync({ timeout: 30_000 }) as number[];
        assert.equal(x, 7);
        assert.ok(waits <= MOST, `${waits} waits on HEAD in ${HOLD} ms`);
        assert.equal(q.qsize(), 0);
      } finally {
        if (held) {
          Atomics.store(h, HEAD, free);
          Atomics.notify(h, HEAD);
        }
        if (t.isAlive()) await t.joinAsync({ timeout: 30_000 });
      }
    });
  }
});
