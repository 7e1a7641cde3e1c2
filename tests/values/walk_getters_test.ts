// Copyright 2026 the threadkit authors. MIT license.
// Values whose getters act on the walk under way, and Proxies, on every
// encode path (Thread args, a pool task's args, Queue put and putMany):
// each call ends, with the getter's own error, a TypeError that names the
// value, or the value as structured clone makes it; and a refusal leaves
// nothing held (the heap references of a Lock in the value, queue slots,
// the thread unstarted, the pool working).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lock, Queue, Thread, ThreadPoolExecutor } from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";

const JOIN = { timeout: 60_000 };

function refsOf(lock: Lock): () => number {
  const at = (lock as unknown as { [TO_DESCRIPTOR](): { byteOffset: number } })
    [TO_DESCRIPTOR]().byteOffset;
  return () => blockRefs(at);
}

// Detaches `buffer` (structured clone's transfer: every runtime has it).
function detach(buffer: ArrayBuffer): void {
  structuredClone(buffer, { transfer: [buffer] });
}

// Runs `send` (one path's synchronous call) on a fresh value; asserts it
// throws as `check` says, and that the Lock in the value holds no more
// references than before.
function refused(
  make: (lock: Lock) => unknown,
  send: (value: unknown) => unknown,
  check: (e: unknown) => boolean,
): void {
  const lock = new Lock();
  const refs = refsOf(lock);
  const before = refs();
  assert.throws(() => send(make(lock)), check);
  assert.equal(refs(), before, "heap references given back");
}

describe("getters that act on the walk, and Proxies, on every path", () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const q = new Queue<unknown>({ capacity: 8, bytes: 1 << 16 });
  // Each path: a synchronous call that encodes `value`.
  const paths: [string, (value: unknown) => unknown][] = [
    [
      "Thread args",
      (v) => new Thread({ target: (_: unknown) => 1, args: [v] }).start(),
    ],
    ["a pool task's args", (v) => pool.submit((_: unknown) => 1, v)],
    ["Queue.put", (v) => q.put(v)],
    ["Queue.putMany", (v) => q.putMany(["x", v])],
  ];

  it("a getter that throws: its own error, nothing held, the queue as it was", () => {
    for (const [name, send] of paths) {
      const boom = new Error(`boom ${name}`);
      refused(
        (lock) => ({
          lock,
          get g(): never {
            throw boom;
          },
        }),
        send,
        // The pool names the task and gives the getter's error as cause.
        (e) => e === boom || (e instanceof TypeError && e.cause === boom),
      );
      assert.equal(q.qsize(), 0, name);
    }
  });

  it("a getter that detaches the buffer of a view met before it: a TypeError naming the view, nothing held", () => {
    for (const [name, send] of paths) {
      refused(
        (lock) => {
          const buf = new ArrayBuffer(8);
          return {
            lock,
            v: new Uint8Array(buf),
            get g() {
              detach(buf);
              return 1;
            },
          };
        },
        send,
        (e) => {
          assert.ok(e instanceof TypeError, name);
          assert.match(
            e.message,
            name === "Thread args"
              ? /Cannot start thread .*args cannot be sent/
              : /item(\[0\])?\.v is a detached ArrayBuffer/,
            name,
          );
          return true;
        },
      );
      assert.equal(q.qsize(), 0, name);
    }
  });

  it("a Proxy: a TypeError naming it, its traps not run, nothing held", () => {
    for (const [name, send] of paths) {
      let traps = 0;
      const proxy = new Proxy({ a: 1 }, {
        get: (t, k) => (traps++, Reflect.get(t, k)),
        ownKeys: (t) => (traps++, Reflect.ownKeys(t)),
        getPrototypeOf: (t) => (traps++, Reflect.getPrototypeOf(t)),
      });
      refused(
        (lock) => [lock, { p: proxy }],
        send,
        (e) => {
          assert.ok(e instanceof TypeError, name);
          assert.match(e.message, /Proxy/, name);
          return true;
        },
      );
      assert.equal(traps, 0, name);
      assert.equal(q.qsize(), 0, name);
    }
  });

  it("a getter that pushes to the array being walked: it arrives as structured clone makes it (the length read first)", async () => {
    const make = () => {
      const arr: unknown[] = [1, 2, 3];
      Object.defineProperty(arr, 1, {
        get() {
          arr.push("pushed");
          return { two: 2 };
        },
        enumerable: true,
        configurable: true,
      });
      return arr;
    };
    const want = structuredClone(make());
    const t = new Thread({ target: (a: unknown) => a, args: [make()] });
    t.start();
    assert.deepEqual(await t.joinAsync(JOIN), want, "Thread args");
    q.put(make());
    q.putMany([make()]);
    assert.deepEqual(q.get({ timeout: 1_000 }), want, "Queue.put");
    assert.deepEqual(q.get({ timeout: 1_000 }), want, "Queue.putMany");
  });

  it("a getter that pushes to a pool task's array arg: it runs once", () => {
    let reads = 0;
    const arr: unknown[] = [1, 2, 3];
    Object.defineProperty(arr, 1, {
      get: () => (reads++, { two: 2 }),
      enumerable: true,
    });
    assert.deepEqual(pool.submit((a: unknown) => a, arr).result(JOIN), [
      1,
      { two: 2 },
      3,
    ]);
    assert.equal(reads, 1);
  });

  it("index getters of a pool task's array arg and result: each runs once, and the array stays itself inside", () => {
    const reads = [0, 0];
    const arr: unknown[] = [0, 0, 0];
    // A number first (the float64 path writes it), then a non-number (it
    // stops there), then the array itself.
    Object.defineProperty(arr, 0, {
      get: () => (reads[0]++, 5),
      enumerable: true,
    });
    Object.defineProperty(arr, 1, {
      get: () => (reads[1]++, { x: 1 }),
      enumerable: true,
    });
    arr[2] = arr;
    const got = pool.submit((a: unknown) => a, arr).result(JOIN) as unknown[];
    assert.deepEqual([got[0], got[1], got[2] === got], [5, { x: 1 }, true]);
    assert.deepEqual(reads, [1, 1]);
    // The same array made and returned in the pool thread: its getters
    // count in shared memory.
    const n = new Int32Array(new SharedArrayBuffer(8));
    const back = pool.submit((n: Int32Array) => {
      const a: unknown[] = [0, 0, 0];
      Object.defineProperty(a, 0, {
        get: () => (Atomics.add(n, 0, 1), 5),
        enumerable: true,
      });
      Object.defineProperty(a, 1, {
        get: () => (Atomics.add(n, 1, 1), { x: 1 }),
        enumerable: true,
      });
      a[2] = a;
      return a;
    }, n).result(JOIN) as unknown[];
    assert.deepEqual([back[0], back[1], back[2] === back], [5, { x: 1 }, true]);
    assert.deepEqual([...n], [1, 1]);
  });

  it("after the refusals the pool and the queue work on; the pool shuts down", () => {
    try {
      assert.equal(pool.submit((x: number) => x + 1, 41).result(JOIN), 42);
      q.put({ after: [1] });
      assert.deepEqual(q.get({ timeout: 1_000 }), { after: [1] });
      assert.equal(q.qsize(), 0);
    } finally {
      pool.shutdown({ wait: true });
    }
  });
});
