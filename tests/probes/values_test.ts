// Copyright 2026 the threadkit authors. MIT license.
// Odd values across threads, as an outside checker throws them: what a
// thread throws or returns (non-Error values, cycles, AggregateError,
// values that cannot be cloned) reaches join as structured clone gives it
// or as a TypeError that names the value; queue items with getters,
// proxies and a put made from inside a getter.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Lock,
  Queue,
  SimpleQueue,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";

// A Proxy over `target` that counts every trap its handler runs.
function watched(target: object): { proxy: object; traps: () => number } {
  let n = 0;
  const handler = new Proxy({}, {
    get(_, trap) {
      return (...a: unknown[]) => {
        n++;
        return (Reflect as unknown as Record<
          string,
          (...a: unknown[]) => unknown
        >)[
          trap as string
        ](...a);
      };
    },
  });
  return { proxy: new Proxy(target, handler), traps: () => n };
}

function run(target: (...args: never[]) => unknown): Promise<unknown> {
  const t = new Thread({ target });
  t.start();
  return t.joinAsync({ timeout: 30_000 });
}

describe("probes: what a thread throws and returns", () => {
  it("non-Error values thrown arrive as themselves (a string, undefined, null, a number, a cyclic object)", async () => {
    await assert.rejects(
      run(() => {
        throw "a string";
      }),
      (e) => e === "a string",
    );
    await assert.rejects(
      run(() => {
        throw undefined;
      }),
      (e) => e === undefined,
    );
    await assert.rejects(
      run(() => {
        throw null;
      }),
      (e) => e === null,
    );
    await assert.rejects(
      run(() => {
        throw 42;
      }),
      (e) => e === 42,
    );
    await assert.rejects(
      run(async () => {
        await Promise.resolve();
        throw "async";
      }),
      (e) => e === "async",
    );
    await assert.rejects(
      run(() => {
        const o: Record<string, unknown> = { a: 1 };
        o.self = o;
        throw o;
      }),
      (e) => {
        const o = e as Record<string, unknown>;
        return o.a === 1 && o.self === o;
      },
    );
  });

  it("an AggregateError keeps its class and its errors", async () => {
    await assert.rejects(
      run(() => {
        throw new AggregateError([new RangeError("a"), "b"], "both");
      }),
      (e) => {
        assert.ok(e instanceof AggregateError);
        assert.equal(e.message, "both");
        assert.ok(e.errors[0] instanceof RangeError);
        assert.equal(e.errors[1], "b");
        return true;
      },
    );
  });

  it("a value that cannot be cloned, thrown or returned, is a TypeError that says so at join", async () => {
    const cases: [string, (...args: never[]) => unknown, RegExp][] = [
      ["throw a symbol", () => {
        throw Symbol("s");
      }, /error/],
      ["throw an object with a method", () => {
        throw { f() {} };
      }, /error/],
      ["return a function", () => () => 1, /result/],
      ["return a symbol", () => Symbol("x"), /result/],
    ];
    for (const [name, target, says] of cases) {
      await assert.rejects(run(target), (e) => {
        assert.ok(e instanceof TypeError, `${name}: ${e}`);
        assert.match(e.message, /cannot be sent to another thread/, name);
        assert.match(e.message, says, name);
        return true;
      });
    }
  });

  it("a cyclic result with a primitive in it arrives with its cycle and the primitive as itself", async () => {
    const r = await run(() => {
      const o: Record<string, unknown> = { lock: new Lock() };
      o.self = o;
      return o;
    }) as { lock: Lock; self: unknown };
    assert.ok(r.lock instanceof Lock);
    assert.equal(r.self, r);
  });
});

describe("probes: queue items with getters and proxies", () => {
  it("a getter that throws fails the put with its error and leaves the queue as it was", () => {
    for (const q of [new Queue<unknown>({ capacity: 2 }), new SimpleQueue()]) {
      q.put(1);
      assert.throws(() =>
        q.put({
          get x() {
            throw new RangeError("getter");
          },
        }), { name: "RangeError", message: "getter" });
      assert.equal(q.qsize(), 1);
      assert.equal(q.get({ timeout: 1_000 }), 1);
    }
  });

  it("a Proxy over a plain object is refused, as structuredClone refuses it: a TypeError at the put, no trap run, nothing put", () => {
    const q = new Queue<unknown>({ capacity: 2 });
    const { proxy, traps } = watched({ a: 1, b: [2] });
    for (const item of [proxy, [proxy], { inner: { p: proxy } }]) {
      assert.throws(() => q.put(item), {
        name: "TypeError",
        message: /is a Proxy/,
      });
    }
    assert.equal(traps(), 0);
    assert.equal(q.qsize(), 0);
    assert.throws(() => structuredClone(proxy), { name: "DataCloneError" });
  });

  it(
    "a getter is read once, as structuredClone reads it, and the item has the value it read",
    () => {
      let reads = 0;
      const q = new Queue<unknown>({ capacity: 4 });
      q.put({
        get x() {
          return reads++ === 0 ? 1 : NaN;
        },
      });
      assert.equal(reads, 1);
      assert.deepEqual(q.get({ timeout: 1_000 }), { x: 1 });
      q.put({
        get y() {
          q.put("inner");
          return 2;
        },
      });
      assert.equal(q.qsize(), 2, "one inner put, then the item");
    },
  );

  it("a getter of an object the shape codec does not take (nested values) is read once", () => {
    // queue/_shape.ts reads the top level, then hands its copy to the JSON
    // path (_codec.ts encodeText), which reads no property of the item.
    let reads = 0;
    const q = new Queue<unknown>({ capacity: 4 });
    q.put({
      get x() {
        return reads++ === 0 ? 1 : NaN;
      },
      nested: [1],
    });
    assert.equal(reads, 1);
    assert.deepEqual(q.get({ timeout: 1_000 }), { x: 1, nested: [1] });
  });

  it("the top level is read once whatever ends the shape record: a cycle to the item, 256 keys, a key above Latin-1, a __proto__ key", () => {
    const q = new Queue<unknown>({ capacity: 4, bytes: 1 << 16 });
    let reads = 0;
    const getter = {
      get g() {
        return reads++ === 0 ? 1 : NaN;
      },
    };
    // A cycle to the item itself: tagged JSON, the reference kept.
    const cyclic = Object.defineProperties({} as Record<string, unknown>, {
      ...Object.getOwnPropertyDescriptors(getter),
    });
    cyclic.self = cyclic;
    q.put(cyclic);
    const c = q.get({ timeout: 1_000 }) as Record<string, unknown>;
    assert.equal(reads, 1);
    assert.equal(c.g, 1);
    assert.equal(c.self, c);
    // Nested under the item, back to it (tagged "@" to the top).
    reads = 0;
    const outer = Object.defineProperties({} as Record<string, unknown>, {
      ...Object.getOwnPropertyDescriptors(getter),
    });
    outer.inner = { up: outer, date: new Date(5) };
    q.put(outer);
    const o = q.get({ timeout: 1_000 }) as Record<string, unknown>;
    assert.equal(reads, 1);
    assert.equal((o.inner as { up: unknown }).up, o);
    assert.equal((o.inner as { date: Date }).date.getTime(), 5);
    for (
      const extra of [
        Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`k${i}`, i])),
        { "\u0100": "wide key" },
        JSON.parse('{"__proto__": 7}'),
      ]
    ) {
      reads = 0;
      const item = Object.defineProperties({} as Record<string, unknown>, {
        ...Object.getOwnPropertyDescriptors(getter),
        ...Object.getOwnPropertyDescriptors(extra),
      });
      q.put(item);
      const got = q.get({ timeout: 1_000 }) as Record<string, unknown>;
      assert.equal(reads, 1, Object.keys(extra)[0]);
      assert.deepEqual(Object.keys(got), Object.keys(item));
      assert.equal(got.g, 1);
      for (const k of Object.keys(extra)) {
        assert.ok(Object.hasOwn(got, k), k);
        assert.equal(got[k], extra[k as keyof typeof extra]);
      }
    }
  });
});

describe("probes: getters outside a queue item's top level", () => {
  it(
    "a getter in a Thread's args, a task's args or deeper in a queue item is read once, and a primitive it gives arrives as itself",
    { timeout: 60_000 },
    async () => {
      const lock = new Lock();
      const sneaky = () => {
        let reads = 0;
        return {
          get reads() {
            return reads;
          },
          value: {
            get g() {
              return ++reads === 1 ? 1 : lock;
            },
          },
        };
      };
      const probe = (x: { g: unknown }) =>
        x.g instanceof Lock ? "Lock" : typeof x.g;
      const thread = sneaky();
      const t = new Thread({ target: probe, args: [thread.value] });
      t.start();
      const inThread = await t.joinAsync({ timeout: 30_000 });
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      const task = sneaky();
      const inTask = await pool.submit(probe, task.value);
      const item = sneaky();
      const q = new Queue<unknown>();
      q.put([item.value]);
      const got = (q.get({ timeout: 1_000 }) as { g: unknown }[])[0];
      assert.deepEqual(
        [thread.reads, task.reads, item.reads],
        [1, 1, 1],
        "each getter read once",
      );
      assert.equal(inThread, "number");
      assert.equal(inTask, "number");
      assert.equal(got.g, 1);
    },
  );
});

describe("probes: a getter that throws in a Thread's args", () => {
  it("fails start() with the getter's own error, once, and starts nothing", () => {
    let reads = 0;
    const arg = {
      get bad() {
        reads++;
        throw new RangeError("getter");
      },
    };
    const t = new Thread({ target: (x: unknown) => x, args: [[1, arg]] });
    assert.throws(() => t.start(), { name: "RangeError", message: "getter" });
    assert.equal(reads, 1);
    assert.equal(t.ident, undefined);
  });
});

describe("probes: a getter in a Thread's args that starts a thread", () => {
  it("the outer args' primitive still arrives as itself (the inner start's encode does not hide it)", async () => {
    const lock = new Lock();
    const inner: Thread[] = [];
    const args: [Lock, { g: number }] = [lock, {
      get g() {
        const t = new Thread({
          target: (o: { n: number }) => o.n + 1,
          args: [{ n: 1 }],
        });
        t.start();
        inner.push(t);
        return 1;
      },
    }];
    const t = new Thread({
      target: (l: unknown, o: { g: number }) => [l instanceof Lock, o.g],
      args,
    });
    t.start();
    assert.deepEqual(await t.joinAsync({ timeout: 30_000 }), [true, 1]);
    assert.equal(inner.length, 1);
    assert.equal(await inner[0].joinAsync({ timeout: 30_000 }), 2);
  });
});

describe("probes: a Proxy as a Thread arg, a task arg and a queue item", () => {
  it(
    "is refused alike, as structured clone refuses it: a TypeError at the call that says Proxy, no trap run, nothing started or put",
    { timeout: 60_000 },
    async () => {
      const { proxy, traps } = watched({ a: 1, b: [2] });
      const t = new Thread({ target: (x: unknown) => x, args: [{ p: proxy }] });
      assert.throws(() => t.start(), {
        name: "TypeError",
        message: /Cannot start thread .*a Proxy/,
      });
      assert.equal(t.ident, undefined, "not started");
      assert.equal(t.isAlive(), false);
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      for (const args of [[proxy], [[proxy]], [1, { p: proxy }]]) {
        assert.throws(
          () => pool.submit((...a: unknown[]) => a.length, ...args),
          { name: "TypeError", message: /Cannot submit task: .*a Proxy/ },
        );
      }
      const q = new SimpleQueue<unknown>();
      assert.throws(() => q.put({ p: proxy }), {
        name: "TypeError",
        message: /item\.p is a Proxy/,
      });
      assert.equal(q.qsize(), 0);
      assert.equal(traps(), 0, "no trap ran");
      // What was refused left the pool as it was: its next task runs.
      assert.equal(await pool.submit((x: number) => x + 1, 1), 2);
    },
  );
});
