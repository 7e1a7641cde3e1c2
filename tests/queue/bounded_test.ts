// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Lock,
  Queue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  RuntimeError,
  Thread,
} from "../../mod.ts";
import { sleepers, until } from "../_helpers.ts";

// The queue header's wake words (queue/_layout.ts): getters sleep on
// NOT_EMPTY, putters on NOT_FULL.
const NOT_EMPTY = 64;
const NOT_FULL = 65;
function header(
  q: { region: { buffer: SharedArrayBuffer; byteOffset: number } },
) {
  return new Int32Array(q.region.buffer, q.region.byteOffset, 96);
}

const JOIN = { timeout: 30_000 };
const WAIT = { timeout: 10_000 };

function ints(capacity = 4): Queue<number> {
  return new Queue<number>({ capacity, type: "int32" });
}

/** Takes every item without waiting, leaving the queue empty. */
function contents<T>(q: Queue<T>): T[] {
  return q.empty() ? [] : q.getMany(undefined, { block: false });
}

describe("Queue", () => {
  it("Queue echo server (seed example): a thread echoes every integer back on a second queue", async () => {
    const requests = ints(16);
    const replies = ints(16);
    const server = new Thread({
      name: "echo",
      target: (inq: Queue<number>, outq: Queue<number>) => {
        let n = 0;
        try {
          for (;;) {
            outq.put(inq.get({ timeout: 30_000 }), { timeout: 30_000 });
            n++;
          }
        } catch (e) {
          if (!(e instanceof QueueShutDownError)) throw e;
        }
        return n;
      },
      args: [requests, replies],
    });
    server.start();
    for (let i = 0; i < 2000; i++) {
      await requests.putAsync(i, WAIT);
      assert.equal(await replies.getAsync(WAIT), i);
    }
    requests.shutdown();
    assert.equal(await server.joinAsync(JOIN), 2000);
  });

  it("Queue.put()/get() keep FIFO order and qsize()/empty()/full() track the count", () => {
    const q = ints(3);
    assert.equal(q.empty(), true);
    q.put(1);
    q.put(2);
    q.put(3);
    assert.equal(q.qsize(), 3);
    assert.equal(q.full(), true);
    assert.equal(q.get(), 1);
    q.put(4);
    assert.deepEqual(contents(q), [2, 3, 4]);
    assert.equal(q.empty(), true);
  });

  it("Queue keeps order across many laps of the ring, for every numeric type", () => {
    const cases: [string, unknown[]][] = [
      ["int8", [-128, 127, 0]],
      ["uint8", [0, 255, 7]],
      ["int16", [-32768, 32767, 1]],
      ["uint16", [0, 65535, 2]],
      ["int32", [-(2 ** 31), 2 ** 31 - 1, 3]],
      ["uint32", [0, 2 ** 32 - 1, 4]],
      ["float32", [1.5, -0, NaN]],
      ["float64", [Math.PI, -0, -Infinity]],
      ["bigint64", [-(2n ** 63n), 2n ** 63n - 1n, 5n]],
      ["biguint64", [0n, 2n ** 64n - 1n, 6n]],
    ];
    for (const [type, values] of cases) {
      const q = new Queue<unknown>({ capacity: 2, type: type as "int32" });
      for (let lap = 0; lap < 5; lap++) {
        for (const v of values) {
          q.put(v);
          const got = q.get();
          assert.ok(
            Object.is(got, v),
            `${type}: ${String(got)} !== ${String(v)}`,
          );
        }
      }
    }
  });

  it("Queue with capacity 1 holds exactly one item", () => {
    const q = ints(1);
    q.put(7);
    assert.equal(q.full(), true);
    assert.throws(() => q.putNowait(8), QueueFullError);
    assert.equal(q.get(), 7);
    q.put(9);
    assert.deepEqual(contents(q), [9]);
  });

  it("Queue counters wrap around their modulus without losing items or tasks", () => {
    // White box: start a capacity-2 ring one position before the wrap.
    const buffer = new SharedArrayBuffer(
      Queue.byteLength({ capacity: 2, type: "int32" }),
    );
    const q = new Queue<number>({ capacity: 2, type: "int32", buffer });
    const h = new Int32Array(buffer);
    const m = h[8]; // MODULUS
    h[16] = h[32] = h[48] = m - 1; // TAIL, HEAD, DONE
    const seq = new Int32Array(buffer, 384, 2);
    seq[1] = m - 1; // slot of position m - 1: free for it
    seq[0] = 0; // slot of position 0 (next lap): free for it
    for (let i = 0; i < 10; i++) {
      q.put(i);
      q.put(i + 100);
      assert.equal(q.qsize(), 2);
      assert.deepEqual([q.get(), q.get()], [i, i + 100]);
      q.taskDone();
      q.taskDone();
      assert.equal(q.join({ timeout: 0 }), true);
    }
    assert.throws(() => q.taskDone(), RuntimeError);
  });

  it("Queue.putNowait() on a full queue throws QueueFullError and leaves it unchanged", () => {
    const q = ints(2);
    q.put(1);
    q.put(2);
    assert.throws(() => q.putNowait(3), QueueFullError);
    assert.throws(() => q.put(3, { block: false }), QueueFullError);
    assert.deepEqual(contents(q), [1, 2]);
  });

  it("Queue.getNowait() on an empty queue throws QueueEmptyError", () => {
    const q = ints();
    assert.throws(() => q.getNowait(), QueueEmptyError);
    assert.throws(() => q.get({ block: false }), QueueEmptyError);
  });

  it("Queue.get({ timeout }) throws QueueEmptyError after the timeout", async () => {
    const q = ints();
    const t0 = performance.now();
    assert.throws(() => q.get({ timeout: 30 }), QueueEmptyError);
    assert.ok(performance.now() - t0 >= 25);
    await assert.rejects(q.getAsync({ timeout: 30 }), QueueEmptyError);
  });

  it("Queue.put({ timeout }) throws QueueFullError after the timeout, queue unchanged", async () => {
    const q = ints(1);
    q.put(1);
    assert.throws(() => q.put(2, { timeout: 20 }), QueueFullError);
    await assert.rejects(q.putAsync(2, { timeout: 20 }), QueueFullError);
    assert.deepEqual(contents(q), [1]);
  });

  it("Queue.getAsync() rejects with the signal's reason on abort, and the queue still works", async () => {
    const q = ints();
    const ac = new AbortController();
    const pending = q.getAsync({ signal: ac.signal, timeout: 10_000 });
    setTimeout(() => ac.abort(new Error("stop")), 20);
    await assert.rejects(pending, /stop/);
    q.put(5);
    assert.equal(await q.getAsync(WAIT), 5);
  });

  it("Queue.getAsync() waiters are woken one per item, blocking putter in a thread", async () => {
    const q = ints(4);
    const waiting = [q.getAsync(WAIT), q.getAsync(WAIT), q.getAsync(WAIT)];
    const t = new Thread({
      target: (q: Queue<number>) => {
        for (let i = 1; i <= 3; i++) q.put(i, { timeout: 10_000 });
      },
      args: [q],
    });
    t.start();
    const got = await Promise.all(waiting);
    assert.deepEqual(got.sort(), [1, 2, 3]);
    await t.joinAsync(JOIN);
  });

  it("Queue.put() blocks a thread while full and proceeds after a get", async () => {
    const q = ints(1);
    q.put(0);
    const t = new Thread({
      target: (q: Queue<number>) => {
        q.put(1, { timeout: 10_000 });
        return "put";
      },
      args: [q],
    });
    t.start();
    await sleepers(header(q), NOT_FULL, 1); // the putter waits for room
    assert.equal(q.qsize(), 1);
    assert.equal(await q.getAsync(WAIT), 0);
    assert.equal(await t.joinAsync(JOIN), "put");
    assert.equal(q.get(WAIT), 1);
  });

  it("Queue.shutdown() wakes every blocked getter and putter with QueueShutDownError", async () => {
    const empty = ints(2);
    const full = ints(1);
    full.put(1);
    const getter = (q: Queue<number>) => {
      try {
        q.get({ timeout: 20_000 });
        return "got";
      } catch (e) {
        return (e as Error).name;
      }
    };
    const putter = (q: Queue<number>) => {
      try {
        q.put(2, { timeout: 20_000 });
        return "put";
      } catch (e) {
        return (e as Error).name;
      }
    };
    const threads = [
      new Thread({ target: getter, args: [empty] }),
      new Thread({ target: getter, args: [empty] }),
      new Thread({ target: putter, args: [full] }),
      new Thread({ target: putter, args: [full] }),
    ];
    for (const t of threads) t.start();
    const asyncGet = empty.getAsync({ timeout: 20_000 });
    const asyncPut = full.putAsync(3, { timeout: 20_000 });
    await sleepers(header(empty), NOT_EMPTY, 3); // two threads and here
    await sleepers(header(full), NOT_FULL, 3);
    empty.shutdown();
    full.shutdown();
    await assert.rejects(asyncGet, QueueShutDownError);
    await assert.rejects(asyncPut, QueueShutDownError);
    for (const t of threads) {
      assert.equal(await t.joinAsync(JOIN), "QueueShutDownError");
    }
    assert.deepEqual(contents(full), [1]); // gets drain a shut-down queue
  });

  it("Queue.shutdown(): puts throw, gets drain the items and then throw", () => {
    const q = ints();
    q.put(1);
    q.put(2);
    q.shutdown();
    assert.equal(q.isShutdown, true);
    assert.throws(() => q.put(3), QueueShutDownError);
    assert.throws(() => q.putNowait(3), QueueShutDownError);
    assert.equal(q.get(), 1);
    assert.equal(q.getNowait(), 2);
    assert.throws(() => q.get({ timeout: 1000 }), QueueShutDownError);
    assert.throws(() => q.getNowait(), QueueShutDownError);
  });

  it("Queue.shutdown({ immediate: true }) discards the items and lets join() return", async () => {
    const q = new Queue<unknown>({ capacity: 8 });
    q.putMany(["a", "b", "c"]);
    q.get();
    // One item taken but not done: join waits for it after the drain.
    q.shutdown({ immediate: true });
    assert.equal(q.qsize(), 0);
    assert.throws(() => q.get(), QueueShutDownError);
    assert.equal(q.join({ timeout: 10 }), false);
    q.taskDone();
    assert.equal(await q.joinAsync(WAIT), true);
    assert.throws(() => q.taskDone(), RuntimeError);
  });

  it("Queue.join() returns after the last taskDone() in a worker thread", async () => {
    const q = ints(8);
    q.putMany([1, 2, 3]);
    assert.equal(q.join({ timeout: 10 }), false);
    const t = new Thread({
      target: (q: Queue<number>) => {
        let sum = 0;
        for (let i = 0; i < 3; i++) {
          sum += q.get({ timeout: 10_000 });
          q.taskDone();
        }
        return sum;
      },
      args: [q],
    });
    t.start();
    assert.equal(q.join(JOIN), true);
    assert.equal(await t.joinAsync(JOIN), 6);
    assert.throws(() => q.taskDone(), RuntimeError);
  });

  it("Queue for await ends at shutdown, and a waiting main-thread loop does not block the event loop", async () => {
    const q = ints(4);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const t = new Thread({
      target: (q: Queue<number>) => {
        const pause = new Int32Array(new SharedArrayBuffer(4));
        for (let i = 0; i < 5; i++) {
          Atomics.wait(pause, 0, 0, 40);
          q.put(i, { timeout: 10_000 });
        }
        q.shutdown();
      },
      args: [q],
    });
    t.start();
    const got = [];
    try {
      for await (const x of q) got.push(x);
    } finally {
      clearInterval(timer);
    }
    await t.joinAsync(JOIN);
    assert.deepEqual(got, [0, 1, 2, 3, 4]);
    assert.ok(ticks >= 10, `the timer fired only ${ticks} times`);
  });

  it("Queue.putMany()/getMany() move batches; partial puts return the count", () => {
    const q = ints(4);
    assert.equal(
      q.putMany(new Int32Array([1, 2, 3, 4, 5]), { block: false }),
      4,
    );
    assert.deepEqual(q.getMany(3), [1, 2, 3]);
    assert.equal(q.putMany([6, 7, 8], { timeout: 10 }), 3);
    assert.throws(() => q.putMany([9], { block: false }), QueueFullError);
    assert.deepEqual(q.getMany(), [4, 6, 7, 8]);
    assert.throws(() => q.getMany(2, { block: false }), QueueEmptyError);
    assert.equal(q.putMany([]), 0);
  });

  it("Queue<structured>.putMany()/getMany() keep order across byte-region wraps, mixing plain, non-ASCII and tagged items", () => {
    const q = new Queue<unknown>({ capacity: 8, bytes: 160 });
    const items = (i: number) => [
      { i, s: "plain" },
      `caf\u00e9 ${i}`,
      { i, when: new Date(i), none: undefined },
      [i, -0],
    ];
    const model: unknown[] = []; // what the queue should hold, in order
    let wrapped = 0;
    for (let lap = 0; lap < 40; lap++) {
      const batch = items(lap);
      // Nothing fits: putMany throws QueueFullError, the queue unchanged
      // (which laps meet it depends on the items' byte lengths).
      let n = 0;
      try {
        n = q.putMany(batch, { block: false });
      } catch (error) {
        if (!(error instanceof QueueFullError)) throw error;
        assert.equal(q.qsize(), model.length);
      }
      if (n < batch.length) wrapped++;
      model.push(...batch.slice(0, n).map((x) => structuredClone(x)));
      const got = q.getMany(lap % 4 + 1, { block: false });
      assert.deepEqual(got, model.splice(0, got.length));
      assert.equal(q.qsize(), model.length);
    }
    assert.ok(wrapped > 0, "some puts found the region full");
    assert.deepEqual(contents(q), model);
    // Room for some only: the put stops early and says how many.
    const big = Array.from({ length: 6 }, (_, i) => "x".repeat(30) + i);
    const n = q.putMany(big, { block: false });
    assert.ok(n > 0 && n < 6, `put ${n}`);
    assert.deepEqual(contents(q), big.slice(0, n));
  });

  it("Queue.putManyAsync()/getManyAsync() wait without blocking the event loop", async () => {
    const q = ints(4);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const put = q.putManyAsync([1, 2, 3, 4, 5, 6], WAIT);
      assert.deepEqual(await q.getManyAsync(3, WAIT), [1, 2, 3]);
      await until(() => ticks > 0, "a tick while the put waits");
      assert.equal(await put, 6);
      assert.deepEqual(await q.getManyAsync(10, WAIT), [4, 5, 6]);
      const get = q.getManyAsync(10, WAIT);
      await sleepers(header(q), NOT_EMPTY, 1); // the get waits
      q.putMany([7, 8]);
      assert.deepEqual(await get, [7, 8]);
      q.shutdown();
      await assert.rejects(q.getManyAsync(1, WAIT), QueueShutDownError);
      await assert.rejects(q.putManyAsync([1]), QueueShutDownError);
    } finally {
      clearInterval(timer);
    }
  });

  it("Queue rejects bad capacities, types and options with RangeError/TypeError", () => {
    // 0 and below (and no capacity) make an unbounded queue, as Python's
    // maxsize <= 0 does: tests/queue/unbounded_test.ts.
    for (const capacity of [1.5, NaN, Infinity, 2 ** 27]) {
      assert.throws(
        () => new Queue({ capacity: capacity as number }),
        RangeError,
        String(capacity),
      );
    }
    // Not a number: a TypeError that says so (not "got 8", which reads as
    // a valid capacity).
    for (const capacity of ["8", 8n, {}]) {
      assert.throws(
        () => new Queue({ capacity: capacity as number }),
        { name: "TypeError", message: /capacity must be a number, got / },
        String(capacity),
      );
    }
    assert.throws(
      () => new Queue({ capacity: 4, type: "int64" as "int32" }),
      TypeError,
    );
    assert.throws(
      () => new Queue({ capacity: 4, type: "int32", bytes: 100 } as never),
      TypeError,
    );
    assert.throws(() => new Queue({ capacity: 4, bytes: 8 }), RangeError);
    assert.throws(() => new Queue(null as never), TypeError);
    const q = ints();
    q.put(1);
    assert.throws(() => q.get({ timeout: -1 }), RangeError);
    assert.throws(() => q.get({ timeout: NaN }), RangeError);
    assert.throws(() => q.get({ block: "no" as never }), TypeError);
    assert.throws(() => q.getMany(0), RangeError);
    assert.throws(() => q.shutdown({ immediate: 1 as never }), TypeError);
    assert.deepEqual(contents(q), [1]);
    assert.equal(q.isShutdown, false);
  });

  it("Queue<int32> refuses values it cannot store exactly and stays unchanged", () => {
    const q = ints(4);
    q.put(1);
    assert.throws(() => q.put(1.5), RangeError);
    assert.throws(() => q.put(2 ** 31), RangeError);
    assert.throws(() => q.put(NaN), RangeError);
    assert.throws(() => q.put("2" as never), TypeError);
    assert.throws(() => q.put(2n as never), TypeError);
    assert.throws(() => q.putMany([2, 3, 4.5]), RangeError);
    assert.deepEqual(contents(q), [1]);
    const b = new Queue<bigint>({ capacity: 2, type: "bigint64" });
    assert.throws(() => b.put(1 as never), TypeError);
    assert.throws(() => b.put(2n ** 64n), RangeError);
    assert.equal(b.qsize(), 0);
  });

  it("Queue<structured> refuses unserialisable and oversize items and stays unchanged", () => {
    const q = new Queue<unknown>({ capacity: 4, bytes: 64 });
    const placed = new Queue<unknown>({ // a buffer of its own
      capacity: 1,
      buffer: new SharedArrayBuffer(Queue.byteLength({ capacity: 1 })),
    });
    q.put({ keep: 1 });
    const bad: [unknown, new (...a: never[]) => Error][] = [
      [() => 1, TypeError],
      [{ nested: { f: () => 1 } }, TypeError],
      [Symbol("s"), TypeError],
      [{ sab: new SharedArrayBuffer(4) }, TypeError],
      [[new Int32Array(new SharedArrayBuffer(4))], TypeError],
      [new WeakMap(), TypeError],
      [Promise.resolve(1), TypeError],
      [{ placed }, TypeError],
      // A queue travels (heap), but not with 64 bytes more in 64; an
      // unbounded one (heap) too. (A queue alone encodes to fewer than 64
      // bytes: it would fit, and a blocking put would wait for room.)
      [{ q, pad: "x".repeat(64) }, RangeError],
      [{ u: new Queue(), pad: "x".repeat(64) }, RangeError],
      ["x".repeat(100), RangeError],
    ];
    for (const [value, cls] of bad) {
      assert.throws(() => q.put(value), cls);
      assert.throws(() => q.putNowait(value), cls);
    }
    assert.throws(() => q.putMany(["ok", () => 1]), TypeError);
    assert.throws(
      () => q.put({ f() {} }),
      /item\.f is a function/,
    );
    assert.deepEqual(contents(q), [{ keep: 1 }]);
  });

  it("Queue<structured> carries null, undefined and primitives in the shared heap as themselves", async () => {
    const q = new Queue<unknown>({ capacity: 8 });
    const lock = new Lock();
    q.put(null);
    q.put(undefined);
    q.put({ lock, tag: "job" });
    const t = new Thread({
      target: (q: Queue<unknown>) => {
        const a = q.get({ timeout: 10_000 });
        const b = q.get({ timeout: 10_000 });
        const { lock } = q.get({ timeout: 10_000 }) as { lock: Lock };
        lock.acquire();
        return [a, b === undefined, lock instanceof Lock];
      },
      args: [q],
    });
    t.start();
    assert.deepEqual(await t.joinAsync(JOIN), [null, true, true]);
    assert.equal(lock.locked(), true); // the thread locked our lock
    lock.release();
  });

  it("Queue refuses a Lock placed in a caller's buffer inside an item, with a hint", () => {
    const q = new Queue<unknown>({ capacity: 2 });
    const lock = new Lock({ buffer: new SharedArrayBuffer(4) });
    assert.throws(
      () => q.put({ lock }),
      /a queue cannot carry: .*Pass it to a thread as a thread arg/,
    );
    assert.equal(q.qsize(), 0);
  });

  it("Queue placed in a caller's buffer is shared by every handle of that memory", async () => {
    const bytes = Queue.byteLength({ capacity: 8, type: "float64" });
    const buffer = new SharedArrayBuffer(bytes + 64);
    const q = new Queue<number>({
      capacity: 8,
      type: "float64",
      buffer,
      byteOffset: 64,
    });
    assert.throws(
      () => new Queue({ capacity: 8, type: "float64", buffer, byteOffset: 4 }),
      RangeError,
    );
    assert.throws(
      () =>
        new Queue({
          capacity: 8,
          type: "float64",
          buffer: new ArrayBuffer(bytes) as never,
        }),
      TypeError,
    );
    q.put(0.5);
    const t = new Thread({
      target: (q: Queue<number>) => q.get({ timeout: 10_000 }) + q.capacity,
      args: [q],
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), 8.5);
    assert.deepEqual(q.region, { buffer, byteOffset: 64 });
  });

  it("Queue with a custom codec needs withCodec() in a thread it was passed to", async () => {
    const codec = {
      encode: (s: string) => new TextEncoder().encode(s.toUpperCase()),
      decode: (b: Uint8Array) => new TextDecoder().decode(b),
    };
    const q = new Queue<string>({ capacity: 4, codec });
    q.put("hi");
    assert.equal(q.get(), "HI");
    assert.throws(() => ints().withCodec(codec as never), TypeError);
    q.put("x");
    const t = new Thread({
      target: (q: Queue<string>) => {
        try {
          q.get({ timeout: 10_000 });
          return "no error";
        } catch (e) {
          return (e as Error).message;
        }
      },
      args: [q],
    });
    t.start();
    assert.match(await t.joinAsync(JOIN) as string, /withCodec/);
    assert.equal(q.get(), "X"); // the refused get took nothing
  });
});
