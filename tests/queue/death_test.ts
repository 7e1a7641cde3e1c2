// Copyright 2026 the threadkit authors. MIT license.
// A thread that dies inside a custom codec's decode holds the queue's store
// lock (LifoQueue, PriorityQueue) or its HEAD turn lock (Queue) at that
// moment: the other threads' nowait and timed calls still return within
// their timeouts, the item it died decoding is still there, and the queue
// stays usable through shutdown. A slow decode (one that waits on a word
// the test controls) holds up no nowait call of another thread, and timed
// and async calls only until their timeouts. Python's positional forms of
// the queue's calls are refused.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Queue,
  QueueEmptyError,
  QueueShutDownError,
  Thread,
  ThreadExitError,
} from "../../mod.ts";
import { type AnyQueue, type Item, KINDS, plain } from "./_codec_kinds.ts";
import { wordChanged } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };
// Slack over a call's timeout on a loaded machine (a nowait call's is 0).
const SLACK = 2_000;

// The dying thread's codec: decoding [_, "die"] exits the thread, inside
// the decode (a codec's functions cannot travel, so it is built there).
function dieInDecode(q: AnyQueue): unknown {
  const g = globalThis as unknown as {
    Deno?: { exit(code: number): never };
    process: { exit(code: number): never };
  };
  q.withCodec({
    encode: (x: [number, string]) =>
      new TextEncoder().encode(JSON.stringify(x)),
    decode: (b: Uint8Array) => {
      const x = JSON.parse(new TextDecoder().decode(b));
      if (x[1] === "die") {
        if (g.Deno) g.Deno.exit(4);
        g.process.exit(4);
      }
      return x;
    },
  } as never);
  return q.get({ timeout: 10_000 });
}

// dieInDecode, but the decode first publishes flag[0] and waits for flag[1].
function dieInDecodeLater(q: AnyQueue, flag: Int32Array): unknown {
  const g = globalThis as unknown as {
    Deno?: { exit(code: number): never };
    process: { exit(code: number): never };
  };
  q.withCodec({
    encode: (x: [number, string]) =>
      new TextEncoder().encode(JSON.stringify(x)),
    decode: (b: Uint8Array) => {
      const x = JSON.parse(new TextDecoder().decode(b));
      if (x[1] === "die") {
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
        Atomics.wait(flag, 1, 0, 20_000);
        if (g.Deno) g.Deno.exit(4);
        g.process.exit(4);
      }
      return x;
    },
  } as never);
  return q.get({ timeout: 10_000 });
}

// The slow thread's codec: decoding [_, "slow"] publishes flag[0] and then
// waits (in the decode, under the queue's consumer lock) until the test sets
// flag[1].
function slowDecode(q: AnyQueue, flag: Int32Array): unknown {
  q.withCodec({
    encode: (x: [number, string]) =>
      new TextEncoder().encode(JSON.stringify(x)),
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
  return q.get({ timeout: 20_000 });
}

function within<T>(ms: number, call: () => T): T {
  const t0 = performance.now();
  const out = call();
  const took = performance.now() - t0;
  assert.ok(took < ms + SLACK, `took ${took} ms (allowed ${ms} + ${SLACK})`);
  return out;
}

describe("Queue and thread death", () => {
  for (const [kind, make] of KINDS) {
    it(`${kind}: a thread that exits inside a custom codec's decode leaves the queue usable by the others`, async () => {
      const q = make();
      q.put([1, "die"]);
      const dying = new Thread({ target: dieInDecode, args: [q] });
      dying.start();
      await assert.rejects(dying.joinAsync(JOIN), (e: unknown) => {
        assert.ok(e instanceof ThreadExitError, String(e));
        assert.equal((e as ThreadExitError).code, 4);
        return true;
      });
      // The item it died decoding was not taken.
      assert.equal(q.qsize(), 1);
      assert.deepEqual(within(1_000, () => q.get({ timeout: 1_000 })), [
        1,
        "die",
      ]);
      within(0, () => q.putNowait([2, "x"]));
      assert.deepEqual(within(0, () => q.getNowait()), [2, "x"]);
      within(0, () => q.putNowait([3, "y"]));
      within(0, () => q.shutdown());
      assert.deepEqual(q.get({ timeout: 1_000 }), [3, "y"]);
      assert.throws(() => q.get({ timeout: 1_000 }), QueueShutDownError);
    });
  }

  for (const [kind, make] of KINDS) {
    it(`${kind}: after a thread exits inside a custom decode, the others' first calls are getNowait, putNowait and an immediate shutdown`, async () => {
      const q = make();
      q.put([1, "die"]);
      const dying = new Thread({ target: dieInDecode, args: [q] });
      dying.start();
      await assert.rejects(dying.joinAsync(JOIN), ThreadExitError);
      // getNowait takes the lock over from the dead holder at once, and the
      // item it died decoding is delivered, once.
      assert.deepEqual(within(0, () => q.getNowait()), [1, "die"]);
      assert.throws(() => within(0, () => q.getNowait()), QueueEmptyError);
      within(0, () => q.putNowait([2, "x"]));
      within(0, () => q.putNowait([3, "y"]));
      assert.equal(q.qsize(), 2);

      // Again, with an immediate shutdown as the first call after the death.
      const q2 = make();
      // The dying thread's get takes [1, "die"] first in all three kinds.
      if (kind === "LifoQueue") q2.put([2, "z"]);
      q2.put([1, "die"]);
      if (kind !== "LifoQueue") q2.put([2, "z"]);
      const dying2 = new Thread({ target: dieInDecode, args: [q2] });
      dying2.start();
      await assert.rejects(dying2.joinAsync(JOIN), ThreadExitError);
      within(0, () => q2.shutdown({ immediate: true }));
      assert.equal(q2.qsize(), 0);
      assert.equal(q2.join({ timeout: 1_000 }), true);
      assert.throws(() => q2.getNowait(), QueueShutDownError);
      assert.throws(() => q2.putNowait([4, "w"]), QueueShutDownError);

      // And with a timed get in another thread, while this one sleeps in
      // getAsync (neither may wait for the dead holder beyond a slice).
      const q3 = make();
      q3.put([1, "die"]);
      const dying3 = new Thread({ target: dieInDecode, args: [q3] });
      dying3.start();
      await assert.rejects(dying3.joinAsync(JOIN), ThreadExitError);
      const t0 = performance.now();
      assert.deepEqual(await q3.getAsync({ timeout: 1_000 }), [1, "die"]);
      assert.ok(performance.now() - t0 < 1_000 + SLACK);
    });
  }

  for (const [kind, make] of KINDS) {
    if (kind === "Queue (unbounded)") continue; // its header is the chain's
    it(`${kind}: a get already blocked on the lock when its holder exits inside a decode takes the item over`, async () => {
      const q = make();
      q.put([1, "die"]);
      // flag[0]: the decode started; flag[1]: it may exit (set below).
      const flag = new Int32Array(new SharedArrayBuffer(8));
      const dying = new Thread({ target: dieInDecodeLater, args: [q, flag] });
      dying.start();
      assert.equal(await wordChanged(flag, 0, 0), true);
      const getter = new Thread({
        // No timeout: it waits for the lock as long as it takes.
        target: (q: AnyQueue) =>
          q.withCodec({
            encode: (x: Item) => new TextEncoder().encode(JSON.stringify(x)),
            decode: (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)),
          } as never).get(),
        args: [q],
      });
      getter.start();
      // The getter sleeps on the lock once it marks it contended: HEAD's
      // CONTENDED bit (2^29) in a FIFO ring, the Lock word's (2^30) else.
      const h = new Int32Array(q.region.buffer, q.region.byteOffset, 96);
      const [slot, bit] = kind === "Queue" ? [32, 1 << 29] : [80, 1 << 30];
      const end = performance.now() + 20_000;
      while ((Atomics.load(h, slot) & bit) === 0) {
        assert.ok(performance.now() < end, "the getter never waited");
        await new Promise((r) => setTimeout(r, 2));
      }
      Atomics.store(flag, 1, 1);
      Atomics.notify(flag, 1);
      await assert.rejects(dying.joinAsync(JOIN), ThreadExitError);
      assert.deepEqual(await getter.joinAsync(JOIN), [1, "die"]);
      assert.equal(q.qsize(), 0);
      q.putNowait([2, "x"]);
      assert.deepEqual(q.getNowait(), [2, "x"]);
    });
  }

  for (const [kind, make] of KINDS) {
    it(`${kind}: a slow decode in another thread holds up no nowait call, and timed and async calls only until their timeouts`, async () => {
      const q = make();
      // The slow item is the one the slow thread's get takes first; another
      // waits behind it.
      if (kind === "LifoQueue") q.put([2, "b"]);
      q.put([1, "slow"]);
      if (kind !== "LifoQueue") q.put([2, "b"]);
      // flag[0]: the decode started; flag[1]: it may end (set by this test).
      const flag = new Int32Array(new SharedArrayBuffer(8));
      const slow = new Thread({ target: slowDecode, args: [q, flag] });
      slow.start();
      assert.equal(await wordChanged(flag, 0, 0), true);
      try {
        // Items are there, but the next one is being decoded: nowait calls
        // say so at once, timed calls when their timeout passes.
        assert.equal(q.qsize(), 2);
        assert.throws(() => within(0, () => q.getNowait()), /decoding/);
        assert.throws(
          () => within(100, () => q.get({ timeout: 100 })),
          /decoding.*timeout/,
        );
        assert.throws(
          () => within(0, () => q.getMany(2, { block: false })),
          /decoding/,
        );
        let t0 = performance.now();
        await assert.rejects(q.getAsync({ timeout: 100 }), /decoding/);
        assert.ok(performance.now() - t0 < 100 + SLACK);
        await assert.rejects(q.getAsync({ block: false }), /decoding/);
        if (kind.startsWith("Queue")) {
          // A FIFO put takes TAIL's lock, which no decode holds.
          within(0, () => q.putNowait([3, "c"]));
        } else {
          // One store lock for puts and gets.
          assert.throws(
            () => within(0, () => q.putNowait([3, "c"])),
            /decoding/,
          );
          assert.throws(
            () => within(100, () => q.put([3, "c"], { timeout: 100 })),
            /decoding.*timeout/,
          );
          t0 = performance.now();
          await assert.rejects(
            q.putAsync([3, "c"], { timeout: 100 }),
            /decoding/,
          );
          assert.ok(performance.now() - t0 < 100 + SLACK);
        }
        // An async get waits for the decode without blocking this event
        // loop: the timer below runs while it is pending.
        const pending = q.getAsync({ timeout: 20_000 });
        let ticked = false;
        await new Promise<void>((r) =>
          setTimeout(() => {
            ticked = true;
            r();
          }, 0)
        );
        assert.equal(ticked, true);
        Atomics.store(flag, 1, 1);
        Atomics.notify(flag, 1);
        assert.deepEqual(await pending, [2, "b"]);
      } finally {
        Atomics.store(flag, 1, 1);
        Atomics.notify(flag, 1);
      }
      assert.deepEqual(await slow.joinAsync(JOIN), [1, "slow"]);
      // Usable after: what is left, then shutdown.
      if (kind.startsWith("Queue")) {
        assert.deepEqual(q.getNowait(), [3, "c"]);
      }
      assert.equal(q.qsize(), 0);
      q.putNowait([4, "d"]);
      q.shutdown();
      assert.deepEqual(q.getNowait(), [4, "d"]);
      assert.throws(() => q.getNowait(), QueueShutDownError);
    });
  }

  it("Queue (unbounded): a slow decode in a retired segment holds up no nowait call, and a timed get only until its timeout", async () => {
    const q = new Queue<Item>({ codec: plain, initialCapacity: 2 });
    q.putMany([[1, "slow"], [2, "b"], [3, "c"]]); // [3, "c"]: a new segment
    const flag = new Int32Array(new SharedArrayBuffer(8));
    const slow = new Thread({ target: slowDecode, args: [q, flag] });
    slow.start();
    assert.equal(await wordChanged(flag, 0, 0), true);
    try {
      assert.throws(() => within(0, () => q.getNowait()), /decoding/);
      assert.throws(
        () => within(100, () => q.get({ timeout: 100 })),
        /decoding/,
      );
      const t0 = performance.now();
      await assert.rejects(q.getAsync({ timeout: 100 }), /decoding/);
      assert.ok(performance.now() - t0 < 100 + SLACK);
      const pending = q.getAsync({ timeout: 20_000 });
      Atomics.store(flag, 1, 1);
      Atomics.notify(flag, 1);
      assert.deepEqual(await pending, [2, "b"]);
    } finally {
      Atomics.store(flag, 1, 1);
      Atomics.notify(flag, 1);
    }
    assert.deepEqual(await slow.joinAsync(JOIN), [1, "slow"]);
    assert.deepEqual(q.getNowait(), [3, "c"]);
  });

  it("Queue calls refuse Python's positional forms with a TypeError saying what to write", async () => {
    const q = new Queue<number>({ capacity: 2, type: "int32" });
    assert.throws(() => q.get(false as never), /block: false/);
    assert.throws(() => q.put(1, false as never), /block: false/);
    assert.throws(() => q.get(100 as never), /timeout: 100/);
    assert.throws(() => q.put(1, 100 as never), /timeout: 100/);
    assert.throws(() => q.join(100 as never), /timeout: 100/);
    await assert.rejects(
      async () => await q.getAsync(100 as never),
      /timeout: 100/,
    );
    await assert.rejects(
      async () => await q.joinAsync(100 as never),
      /timeout: 100/,
    );
    assert.equal(q.qsize(), 0);
    q.put(1, { timeout: null });
    assert.equal(q.get({ timeout: null }), 1);
  });
});
