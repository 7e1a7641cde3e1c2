// Copyright 2026 the threadkit authors. MIT license.
// A consumer lock held by a thread that has ended but whose JavaScript still
// runs: a thread whose target returned (its entry in the thread table is
// freed) while an un-awaited getAsync it started goes on, inside a custom
// decode the test controls. The thread has ended but not stopped
// (_core/runtime.ts, the stop ring), so no other get takes the lock over:
// a timed get times out, the holder delivers its item, and every item is
// delivered exactly once; HEAD (the structured FIFO ring's consumer
// counter, header slot 32) only moves forward and its TAKEN bit never
// flips. (queue/_decoding.ts's compareExchange steps keep even a wrong
// takeover harmless; with the stop ring none happens here.) Also: a LifoQueue/PriorityQueue getMany whose thread
// exits inside its second decode leaves every item in place.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmptyError,
  Thread,
  ThreadExitError,
} from "../../mod.ts";
import { until } from "../_helpers.ts";
import { type AnyQueue, type Item, KINDS, plain } from "./_codec_kinds.ts";

const JOIN = { timeout: 30_000 };
// Header slot of HEAD, its position mask and its takeover bit (queue/_head.ts).
const HEAD = 32;
const POSITION = (1 << 28) - 1;
const TAKEN = 1 << 30;

// flag[0]: the leftover get's decode of [_, "slow"] started; flag[1]: it may
// end (set by the test); flag[2]: the keep-alive child may end; flag[3]: it
// ended. out[0]: the leftover get's item number, or -1 if it threw; out[1]:
// 1 if what it threw was a TakenOverError.
function zombie(q: AnyQueue, flag: Int32Array, out: Int32Array): string {
  q.withCodec({
    encode: (x: Item) => new TextEncoder().encode(JSON.stringify(x)),
    decode: (b: Uint8Array) => {
      const x = JSON.parse(new TextDecoder().decode(b));
      if (x[1] === "slow") {
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
        Atomics.wait(flag, 1, 0, 20_000);
      }
      return x;
    },
  } as never);
  // A non-daemon child keeps this worker up after the target returns.
  new Thread({
    target: (f: Int32Array) => {
      Atomics.wait(f, 2, 0, 20_000);
      Atomics.store(f, 3, 1);
    },
    args: [flag],
  }).start();
  // Left over: runs after the target's end is recorded.
  q.getAsync({ timeout: 20_000 }).then(
    (x) => Atomics.store(out, 0, (x as Item)[0]),
    (e) => {
      Atomics.store(out, 1, (e as Error).name === "TakenOverError" ? 1 : 0);
      Atomics.store(out, 0, -1);
    },
  );
  return "returned";
}

// The dying getMany's codec: decoding [_, "die"] exits the thread.
function dieInSecondDecode(q: AnyQueue): unknown {
  const g = globalThis as unknown as {
    Deno?: { exit(code: number): never };
    process: { exit(code: number): never };
  };
  q.withCodec({
    encode: (x: Item) => new TextEncoder().encode(JSON.stringify(x)),
    decode: (b: Uint8Array) => {
      const x = JSON.parse(new TextDecoder().decode(b));
      if (x[1] === "die") {
        if (g.Deno) g.Deno.exit(4);
        g.process.exit(4);
      }
      return x;
    },
  } as never);
  return q.getMany(3, { timeout: 10_000 });
}

describe("Queue consumer lock held by a thread that ended but still runs", () => {
  for (const [kind, make] of KINDS) {
    it(`${kind}: a get does not take the lock over from a thread whose target returned but whose leftover get still decodes; each item is delivered once`, async () => {
      const q = make();
      const fifo = kind.startsWith("Queue");
      const flag = new Int32Array(new SharedArrayBuffer(16));
      const out = new Int32Array(new SharedArrayBuffer(8));
      const z = new Thread({ target: zombie, args: [q, flag, out] });
      z.start();
      assert.equal(await z.joinAsync(JOIN), "returned");
      assert.equal(z.isAlive(), false);
      // The leftover get is asleep on an empty queue. [1, "slow"] is taken
      // first in every kind (lowest priority, LIFO top, FIFO first).
      const items: Item[] = [[1, "slow"], [2, "a"], [3, "b"]];
      q.putMany(kind === "LifoQueue" ? items.slice().reverse() : items);
      try {
        await until(() => Atomics.load(flag, 0) === 1, "the slow decode");
        const h = new Int32Array(q.region.buffer, q.region.byteOffset, 40);
        const head0 = Atomics.load(h, HEAD);
        // Its holder has ended but still runs: not taken over. A timed get
        // waits for the decode until its deadline.
        assert.throws(() => q.get({ timeout: 300 }), QueueEmptyError);
        assert.equal(Atomics.load(h, HEAD) & TAKEN, head0 & TAKEN);
        // The holder's decode ends: it delivers its item, once.
        Atomics.store(flag, 1, 1);
        Atomics.notify(flag, 1);
        await until(() => Atomics.load(out, 0) !== 0, "the leftover get");
        assert.equal(Atomics.load(out, 0), 1, "the holder's item");
        assert.deepEqual(q.get({ timeout: 20_000 }), [2, "a"]);
        assert.deepEqual(q.get({ timeout: 20_000 }), [3, "b"]);
        if (kind === "Queue") {
          const head1 = Atomics.load(h, HEAD);
          assert.equal(head1 & TAKEN, head0 & TAKEN, "no takeover");
          assert.equal(head1 & POSITION, (head0 & POSITION) + 3);
        }
        assert.equal(q.qsize(), 0);
        q.put([4, "x"]);
        assert.deepEqual(q.getNowait(), [4, "x"]);
        assert.equal(q.qsize(), 0);
        if (fifo) {
          q.putMany([[5, "y"], [6, "z"]]);
          assert.deepEqual(q.getMany(), [[5, "y"], [6, "z"]]);
        }
      } finally {
        Atomics.store(flag, 1, 1);
        Atomics.notify(flag, 1);
        Atomics.store(flag, 2, 1);
        Atomics.notify(flag, 2);
      }
      await until(() => Atomics.load(flag, 3) === 1, "the child's end");
    });
  }

  for (const kind of ["LifoQueue", "PriorityQueue", "Queue"]) {
    it(`${kind}: a getMany whose thread exits inside its second decode leaves every item in place`, async () => {
      const q = kind === "LifoQueue"
        ? new LifoQueue<Item>({ capacity: 8, codec: plain })
        : kind === "PriorityQueue"
        ? new PriorityQueue<Item>({ capacity: 8, codec: plain })
        : new Queue<Item>({ capacity: 8, codec: plain });
      // Taken in the order [0, "ok"], [1, "die"], [2, "last"] by every kind.
      const items: Item[] = [[0, "ok"], [1, "die"], [2, "last"]];
      q.putMany(kind === "LifoQueue" ? items.slice().reverse() : items);
      const t = new Thread({ target: dieInSecondDecode, args: [q] });
      t.start();
      await assert.rejects(t.joinAsync(JOIN), ThreadExitError);
      assert.equal(q.qsize(), 3);
      // This thread's codec does not exit: each item comes once, in order.
      const got = [
        q.get({ timeout: 20_000 }),
        q.get({ timeout: 20_000 }),
        q.get({ timeout: 20_000 }),
      ];
      assert.deepEqual(got, items);
      assert.equal(q.qsize(), 0);
      q.put([9, "z"]);
      assert.deepEqual(q.getMany(), [[9, "z"]]);
    });
  }
});
