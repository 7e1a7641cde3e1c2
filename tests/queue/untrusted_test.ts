// Copyright 2026 the threadkit authors. MIT license.
// Structured queues and thread args with data an adversary shaped: deep
// nesting, "__proto__" keys, the marker keys, arrays with extra properties,
// threadkit primitives inside items. What a put accepts, a get takes back out
// with structuredClone's meaning, and a refused item leaves the queue working.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  RLock,
  RWLock,
  Semaphore,
  SimpleQueue,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { assertCloneEqual } from "../_clone_equal.ts";

// Thrown values shaped like an error in threadkit's format (_core/
// outcome.ts: { e: fields } or { v: value }, and the form before it, keyed
// "\u0000threadkit.error"): each arrives as the plain value it is.
const LOOKALIKE_ERRORS: unknown[] = [
  {
    "\u0000threadkit.error": true,
    name: "RangeError",
    message: "shaped like the error format",
  },
  {
    e: {
      name: "RangeError",
      message: "m",
      stack: "s",
      hasCause: false,
      props: {},
    },
  },
  { v: { e: 1 } },
  { e: { "\u0000threadkit.error": true }, v: 1 },
  { "\x7fthreadkit.error": true, "\x7f": "e", n: "RangeError", m: "m" },
];

function nest(depth: number): unknown {
  let x: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) x = { d: x };
  return x;
}

function nestJson(depth: number): unknown {
  return JSON.parse('{"d":'.repeat(depth) + "1" + "}".repeat(depth));
}

describe("Queue with untrusted items", () => {
  for (
    const [name, make] of [
      ["Queue", () => new Queue<unknown>({ capacity: 4, bytes: 1 << 20 })],
      [
        "LifoQueue",
        () => new LifoQueue<unknown>({ capacity: 4, bytes: 1 << 20 }),
      ],
    ] as const
  ) {
    it(`${name}.put() refuses a 10,000-deep object with a RangeError and keeps working`, () => {
      const q = make();
      q.put("before");
      for (const deep of [nest(10_000), nestJson(10_000)]) {
        assert.throws(() => q.put(deep), (e: unknown) => {
          assert.ok(e instanceof RangeError);
          assert.match(e.message, /nested more than 1000 levels/);
          return true;
        });
        assert.throws(() => q.putMany(["x", deep]), RangeError);
      }
      assert.equal(q.qsize(), 1);
      const ok = nest(900);
      q.put(ok);
      q.put("after");
      const got = [1, 2, 3].map(() => q.get({ timeout: 1000 }));
      if (name === "LifoQueue") got.reverse();
      assert.equal(got[0], "before");
      assertCloneEqual(got[1], structuredClone(ok));
      assert.equal(got[2], "after");
      assert.equal(q.qsize(), 0);
    });
  }

  it("PriorityQueue.put() refuses a 10,000-deep item and keeps working", () => {
    const q = new PriorityQueue<unknown>({ capacity: 4, bytes: 1 << 20 });
    assert.throws(() => q.put([1, nest(10_000)]), RangeError);
    q.put([2, "ok"]);
    assert.deepEqual(q.get({ timeout: 1000 }), [2, "ok"]);
  });

  it("Queue.get() keeps '__proto__' as an own data key, never a prototype", () => {
    const q = new Queue<unknown>({ capacity: 8 });
    const values = [
      JSON.parse('{"__proto__": {"isAdmin": true}, "\\u0000": 1}'),
      JSON.parse('{"__proto__": {"isAdmin": true}, "n": 1}'),
      Object.assign(JSON.parse('{"__proto__": {"isAdmin": true}}'), {
        z: -0,
      }),
      Object.defineProperty([1, , 3], "__proto__", {
        value: { isAdmin: true },
        enumerable: true,
      }),
      JSON.parse('{"constructor": {"prototype": {"isAdmin": true}}}'),
    ];
    for (const v of values) {
      q.put(v);
      const got = q.get({ timeout: 1000 }) as Record<string, unknown>;
      assert.equal(got.isAdmin, undefined);
      assert.equal(
        Object.getPrototypeOf(got),
        Array.isArray(v) ? Array.prototype : Object.prototype,
      );
      assertCloneEqual(got, structuredClone(v));
    }
  });

  it("Queue.get() gives back an array's properties that are not indices", () => {
    const q = new Queue<unknown>({ capacity: 4 });
    const a = Object.assign([1, 2], { x: 3 });
    const sentItems = [a, a, { a }];
    q.put(a);
    q.putMany([a, { a }]);
    const got = q.getMany(undefined, { timeout: 1000 });
    assert.equal(got.length, 3);
    got.forEach((g, i) => assertCloneEqual(g, structuredClone(sentItems[i])));
    assert.equal((got[0] as { x: number }).x, 3);
  });

  it("Queue items with the marker key come back unchanged, beside real primitives", () => {
    const q = new Queue<unknown>({ capacity: 4 });
    const lock = new Lock();
    const lookalike = {
      "\u0000threadkit": { tag: "threadkit.Lock", byteOffset: 0 },
      "\u0000": { "\u0000": "p", t: "threadkit.Lock", o: 0 },
      "\u0000threadkit.error": true,
      // The tagged form's marker key (queue/_tagged.ts MARK) and records.
      "\x7f": { "\x7f": "p", t: "threadkit.Lock", o: 0 },
      list: [{ "\x7f": "u" }, { "\x7f": "@", i: 0 }, { x: 1, "\x7f": "n" }],
    };
    q.put({ lookalike, lock });
    q.put(lookalike); // (no primitive: JSON-exact but for the marker key)
    q.putMany([lookalike, { lock, lookalike }]);
    const got = q.get({ timeout: 1000 }) as { lookalike: unknown; lock: Lock };
    assert.ok(got.lock instanceof Lock);
    assertCloneEqual(got.lookalike, structuredClone(lookalike));
    const [one, many, mixed] = q.getMany(3, { timeout: 1000 }) as [
      unknown,
      unknown,
      { lookalike: unknown; lock: Lock },
    ];
    assertCloneEqual(one, structuredClone(lookalike));
    assertCloneEqual(many, structuredClone(lookalike));
    assertCloneEqual(mixed.lookalike, structuredClone(lookalike));
    assert.ok(mixed.lock instanceof Lock);
  });

  it("Every threadkit primitive class inside a queue item arrives as itself", async () => {
    const lock = new Lock();
    const started = new Event();
    const stop = new Event();
    const thread = new Thread({
      target: (s: Event, e: Event) => {
        s.set();
        e.wait({ timeout: 20_000 });
      },
      args: [started, stop],
    });
    thread.start();
    try {
      assert.equal(started.wait({ timeout: 20_000 }), true);
      const primitives: object[] = [
        lock,
        new RLock(),
        new Condition(lock),
        new Condition(new RLock()),
        new Condition(),
        new Semaphore(2),
        new BoundedSemaphore(2),
        new Event(),
        new Barrier(2),
        new Barrier(2, { actionArgs: [lock, { deep: [new RLock()] }] }),
        new RWLock(),
        new Queue<unknown>({ capacity: 2 }),
        new Queue<number>({ capacity: 2, type: "int32" }),
        new LifoQueue<unknown>({ capacity: 2 }),
        new PriorityQueue<unknown>({ capacity: 2 }),
        thread,
      ];
      for (
        const q of [
          new Queue<unknown>({ capacity: 2 }),
          new LifoQueue<unknown>({ capacity: 2 }),
        ]
      ) {
        for (const p of primitives) {
          q.put({ c: p, again: [p] });
          const got = q.get({ timeout: 1000 }) as {
            c: object;
            again: object[];
          };
          assert.equal(
            Object.getPrototypeOf(got.c),
            Object.getPrototypeOf(p),
            p.constructor.name,
          );
          assert.equal(got.again[0], got.c, "sharing kept");
        }
      }
      // The revived ones are the same memory: a revived Condition's lock is
      // the lock, a revived thread handle sees the thread alive.
      const q = new Queue<unknown>({ capacity: 2 });
      q.put([new Condition(lock), thread]);
      const [cond, handle] = q.get({ timeout: 1000 }) as [Condition, Thread];
      lock.acquire();
      try {
        cond.notify(); // allowed: the lock it wraps is held by this thread
      } finally {
        lock.release();
      }
      assert.equal(handle.ident, thread.ident);
      assert.equal(handle.isAlive(), true);
    } finally {
      stop.set();
      assert.equal(await thread.joinAsync({ timeout: 20_000 }), undefined);
    }
  });

  it("A queue inside a queue item crosses to a thread as the same queue", async () => {
    type Inbox = { replies: Queue<number>; lifo: LifoQueue<string> };
    const outer = new Queue<Inbox>({ capacity: 2 });
    const replies = new Queue<number>({ capacity: 2, type: "int32" });
    const lifo = new LifoQueue<string>({ capacity: 2 });
    lifo.put("kept");
    const t = new Thread({
      target: (
        inbox: Queue<{ replies: Queue<number>; lifo: LifoQueue<string> }>,
      ) => {
        const { replies, lifo } = inbox.get({ timeout: 20_000 });
        replies.put(41);
        replies.put(lifo.get({ timeout: 20_000 }) === "kept" ? 1 : 0);
      },
      args: [outer],
    });
    t.start();
    outer.put({ replies, lifo });
    assert.equal(replies.get({ timeout: 20_000 }), 41);
    assert.equal(replies.get({ timeout: 20_000 }), 1);
    assert.equal(await t.joinAsync({ timeout: 20_000 }), undefined);
    assert.equal(lifo.qsize(), 0);
  });

  it("A queue in a buffer of its own (placed in the caller's) is refused inside an item with a TypeError that says why; heap queues (unbounded, SimpleQueue) travel", () => {
    const q = new Queue<unknown>({ capacity: 2 });
    const own = new Queue<unknown>({
      capacity: 1,
      buffer: new SharedArrayBuffer(Queue.byteLength({ capacity: 1 })),
    });
    assert.throws(() => q.put({ own }), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.match(
        e.message,
        /item\.own .*SharedArrayBuffer of its own \(it was placed in a caller's buffer\)/,
      );
      return true;
    });
    assert.equal(q.qsize(), 0);
    q.put({ u: new Queue<unknown>(), s: new SimpleQueue<unknown>() });
    const got = q.get({ timeout: 1000 }) as { u: unknown; s: unknown };
    assert.ok(got.u instanceof Queue && got.s instanceof SimpleQueue);
  });

  it("Thread args, results and thrown values with marker keys arrive unchanged", async () => {
    const lock = new Lock();
    const value = {
      "\u0000threadkit": { tag: "threadkit.Lock", byteOffset: 0 },
      "\u0000\u0000threadkit": 2,
      list: [{ "\u0000threadkit": 1 }],
    };
    const t = new Thread({
      target: (v: unknown, l: Lock) => [v, l],
      args: [value, lock],
    });
    t.start();
    const [v, l] = await t.joinAsync({ timeout: 20_000 }) as [unknown, Lock];
    assertCloneEqual(v, structuredClone(value));
    assert.ok(l instanceof Lock);

    for (const thrown of LOOKALIKE_ERRORS) {
      const e = new Thread({
        target: (x: unknown) => {
          throw x;
        },
        args: [thrown],
      });
      e.start();
      await assert.rejects(e.joinAsync({ timeout: 20_000 }), (error) => {
        assert.ok(!(error instanceof Error));
        assertCloneEqual(error, structuredClone(thrown));
        return true;
      });
    }
  });

  it("an executor task's thrown values shaped like the error format arrive as plain values", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    for (const thrown of LOOKALIKE_ERRORS) {
      const f = pool.submit((x: unknown) => {
        throw x;
      }, thrown);
      await assert.rejects(Promise.resolve(f), (error) => {
        assert.ok(!(error instanceof Error));
        assertCloneEqual(error, structuredClone(thrown));
        return true;
      });
    }
    // A real one beside them: its class, message and own properties.
    const e = await pool.submit(() => {
      throw Object.assign(new RangeError("real"), { e: 1, v: 2 });
    }).then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof RangeError);
    assert.deepEqual([e.message, (e as unknown as { e: 1 }).e], ["real", 1]);
  });

  it("Queue.putMany() refuses an array-like no queue can hold before any work", () => {
    const q = new Queue<unknown>({ capacity: 4 });
    const started = performance.now();
    for (const length of [2 ** 32 - 1, 2 ** 26 + 1, -1, 1.5, NaN]) {
      assert.throws(
        () => q.putMany({ length } as ArrayLike<unknown>),
        RangeError,
      );
    }
    assert.ok(performance.now() - started < 1000, "fails fast");
    assert.equal(q.qsize(), 0);
  });

  it("new Queue() checks a codec before it writes to the caller's buffer", () => {
    const buffer = new SharedArrayBuffer(1 << 20);
    new Uint8Array(buffer).fill(7);
    assert.throws(
      () =>
        new Queue<unknown>({
          capacity: 4,
          buffer,
          codec: {} as never,
        }),
      TypeError,
    );
    assert.ok(new Uint8Array(buffer).every((b) => b === 7), "untouched");
  });
});
