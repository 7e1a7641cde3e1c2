// Copyright 2026 the threadkit authors. MIT license.
// A put whose item went in reports no error (_state.ts "Accepted"): the
// getters' wake after the store (afterPut) is a call, and a call near the
// end of the stack can throw a RangeError at its entry. Thrown from put,
// that reported an accepted item refused: a caller that retries delivers
// it twice. The fault is planted at that wake: the queue's store answers
// its first read of `wakes` (afterPut's first step) with the RangeError an
// overflow at afterPut's entry would throw; later reads answer as before.
// Every put form of a queue whose store the core wakes for (LifoQueue,
// PriorityQueue, numeric and structured), fast path and full path (a
// getter waits), then the item comes out once and a waiting getter is woken.
// Before, put and putNowait threw the RangeError with the item in the queue.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, PriorityQueue, Thread } from "../../mod.ts";
import { stateOf } from "../../queue/_core.ts";
import type { QueueBase } from "../../queue/_core.ts";
import { GET_WAITERS, PUT_WAITERS } from "../../queue/_layout.ts";
import { plant } from "../_workers/planted_put.ts";
import { until } from "../_helpers.ts";
import type * as planted from "../_workers/planted_put.ts";

type Q = LifoQueue<number> | PriorityQueue<number>;

const worker = new URL("../_workers/planted_put.ts", import.meta.url);

const KINDS: [string, () => Q][] = [
  ["LifoQueue", () => new LifoQueue<number>({ capacity: 4 })],
  [
    "int32 LifoQueue",
    () => new LifoQueue<number>({ capacity: 4, type: "int32" }),
  ],
  ["PriorityQueue", () => new PriorityQueue<number>({ capacity: 4 })],
  [
    "int32 PriorityQueue",
    () => new PriorityQueue<number>({ capacity: 4, type: "int32" }),
  ],
];

const FORMS: [string, (q: Q, x: number) => unknown][] = [
  ["put", (q, x) => q.put(x)],
  ["put with a timeout", (q, x) => q.put(x, { timeout: 5_000 })],
  ["putNowait", (q, x) => q.putNowait(x)],
  ["putAsync", (q, x) => q.putAsync(x)],
  ["putMany", (q, x) => q.putMany([x])],
];

// Another thread: gets one item (timed) and returns it.
function getOne(q: Q): number {
  return q.get({ timeout: 60_000 });
}

describe("a put whose item went in reports no error", () => {
  for (const [kind, make] of KINDS) {
    for (const [form, put] of FORMS) {
      it(`${kind}.${form}: the wake after the store fails at its entry`, async () => {
        const q = make();
        const threw = plant(q);
        await put(q, 7);
        assert.equal(threw(), 1, "the planted fault was reached");
        assert.equal(q.qsize(), 1);
        assert.equal(q.getNowait(), 7);
        assert.equal(q.qsize(), 0);
      });
    }
    it(`${kind}.put: a getter that waits is woken though the wake failed`, async () => {
      const q = make();
      const t = new Thread({ target: getOne, args: [q] });
      t.start();
      // The getter registered (it waits on the queue): its count is read
      // from shared memory by the put; wait until it is there.
      const h = stateOf(q as unknown as QueueBase<unknown>).h;
      await until(
        () => Atomics.load(h, GET_WAITERS) !== 0,
        "the getter registered",
        60_000,
      );
      const threw = plant(q);
      q.put(5);
      assert.equal(threw(), 1);
      assert.equal(await t.joinAsync({ timeout: 60_000 }), 5);
      assert.equal(q.qsize(), 0);
    });
    it(`${kind}.put into a full queue (the full path): the wake after the store fails at its entry`, async () => {
      const q = make();
      for (let i = 0; i < 4; i++) q.put(i);
      const t = new Thread<typeof planted.putPlanted>({
        target: { module: worker, export: "putPlanted" },
        args: [q, 9],
      });
      t.start();
      // The putter registered (it waits for room): then room is made.
      const h = stateOf(q as unknown as QueueBase<unknown>).h;
      await until(
        () => Atomics.load(h, PUT_WAITERS) !== 0,
        "the putter registered",
        60_000,
      );
      const first = q.get({ timeout: 5_000 });
      assert.deepEqual(await t.joinAsync({ timeout: 60_000 }), ["put", 1]);
      const rest: number[] = [];
      while (q.qsize() > 0) rest.push(q.getNowait());
      assert.deepEqual([first, ...rest].sort(), [0, 1, 2, 3, 9]);
    });
  }
});
