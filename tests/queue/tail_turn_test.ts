// Copyright 2026 the threadkit authors. MIT license.
// No user code runs while a put holds a FIFO ring's TAIL turn
// (queue/_glue.ts plainView, queue/_corrupt.ts): a thread that exited there
// would leave the turn held and every later put waiting for good. A caller's
// typed array (putMany) or a codec's bytes with an own or overridden
// `subarray`/`length`, a subclass or a Proxy, each of which records whether
// TAIL was locked when it ran.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, Thread } from "../../mod.ts";
import { until } from "../_helpers.ts";
import { TAIL } from "../../queue/_layout.ts";
import { CONTENDED, LOCKED } from "../../queue/_turn.ts";

const JOIN = { timeout: 30_000 };

// The queue's header words (the region starts with them).
function header(q: Queue<unknown>): Int32Array {
  const { buffer, byteOffset } = q.region;
  return new Int32Array(buffer, byteOffset, TAIL + 1);
}

describe("Queue TAIL turn runs no user code", () => {
  it("Queue.putMany of an Int32Array with an own subarray and length, a subclass, and a Proxy: nothing of the caller's runs under TAIL's turn", () => {
    const q = new Queue<number>({ capacity: 64, type: "int32" });
    const h = header(q as Queue<unknown>);
    const underTurn: string[] = [];
    const seen = (what: string) => {
      if ((Atomics.load(h, TAIL) & LOCKED) !== 0) underTurn.push(what);
    };
    const own = new Int32Array([1, 2]);
    Object.defineProperty(own, "subarray", {
      value: (...a: number[]) => {
        seen("own subarray");
        return Int32Array.prototype.subarray.apply(own, a as never);
      },
    });
    class Sub extends Int32Array {
      override subarray(a?: number, b?: number): Int32Array<ArrayBuffer> {
        seen("subclass subarray");
        return super.subarray(a, b);
      }
      override set(a: ArrayLike<number>, o?: number): void {
        seen("subclass set");
        super.set(a, o);
      }
    }
    const sub = new Sub([3, 4]);
    const proxy = new Proxy(new Int32Array([5, 6]), {
      get(target, key) {
        seen(`proxy get ${String(key)}`);
        const v = Reflect.get(target, key, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    assert.equal(q.putMany(own), 2);
    assert.equal(q.putMany(sub), 2);
    assert.equal(q.putMany(proxy), 2);
    assert.deepEqual(underTurn, []);
    assert.deepEqual(q.getMany(), [1, 2, 3, 4, 5, 6]);
  });

  it("Queue.put with a codec whose bytes override subarray/length: nothing of it runs under TAIL's turn; a Proxy is refused", () => {
    let h: Int32Array | undefined = undefined;
    const underTurn: string[] = [];
    const seen = (what: string) => {
      if (h !== undefined && (Atomics.load(h, TAIL) & LOCKED) !== 0) {
        underTurn.push(what);
      }
    };
    let proxy = false;
    class Bytes extends Uint8Array {
      override get length(): number {
        seen("length");
        return super.length;
      }
      override subarray(a?: number, b?: number): Uint8Array<ArrayBuffer> {
        seen("subarray");
        return super.subarray(a, b);
      }
    }
    const q = new Queue<string>({
      capacity: 4,
      codec: {
        encode: (s: string) => {
          const bytes = Bytes.from(new TextEncoder().encode(s)) as Bytes;
          return proxy ? new Proxy(bytes, {}) : bytes;
        },
        decode: (b: Uint8Array) => new TextDecoder().decode(b.slice()),
      },
    });
    h = header(q as Queue<unknown>);
    q.put("one");
    q.putMany(["two", "three"]);
    assert.deepEqual(underTurn, []);
    proxy = true;
    assert.throws(() => q.put("four"), TypeError);
    assert.deepEqual(q.getMany(), ["one", "two", "three"]);
  });

  it("Queue.putMany in a thread whose typed array exits in its own subarray: the exit never runs, later timed puts go through", async () => {
    const q = new Queue<number>({ capacity: 8, type: "int32" });
    const t = new Thread({
      target: (q: Queue<number>) => {
        const a = new Int32Array([1, 2]);
        Object.defineProperty(a, "subarray", {
          value: () => {
            const g = globalThis as unknown as {
              Deno?: { exit(c: number): never };
              process: { exit(c: number): never };
            };
            return g.Deno ? g.Deno.exit(3) : g.process.exit(3);
          },
        });
        return q.putMany(a);
      },
      args: [q],
    });
    t.start();
    // Were the exit run under the turn, this would reject (ThreadExitError)
    // and the put below would wait for good: checked first, bounded.
    assert.equal(await t.joinAsync(JOIN), 2);
    q.put(3, { timeout: 5_000 });
    assert.deepEqual(q.getMany(), [1, 2, 3]);
  });
});

// TAIL as a put left it when its thread stopped inside the turn (locked at
// its position; nothing else changed): queue/_turn.ts "A holder that stops".
function stopInTurn(h: Int32Array): number {
  const word = Atomics.load(h, TAIL);
  Atomics.store(h, TAIL, word | LOCKED);
  return word;
}

// The turn given back as that holder's release would (nothing put).
function release(h: Int32Array, word: number): void {
  Atomics.store(h, TAIL, word);
  Atomics.notify(h, TAIL);
}

describe("Queue TAIL turn held by a thread that stopped in it", () => {
  for (const type of ["int32", "structured"] as const) {
    it(`${type}: nowait, timed and async puts in a thread give up with QueueFullError, nothing put; an untimed put waits for the turn and lands once`, async () => {
      const q = new Queue<number>({ capacity: 8, type });
      q.put(1);
      const h = header(q as Queue<unknown>);
      const word = stopInTurn(h);
      const t = new Thread({
        target: async (q: Queue<number>) => {
          const out: string[] = [];
          const name = (f: () => unknown) => {
            try {
              f();
              return "put";
            } catch (error) {
              return (error as Error).name;
            }
          };
          out.push(name(() => q.putNowait(2)));
          out.push(name(() => q.put(3, { timeout: 100 })));
          out.push(name(() => q.putMany([4, 5], { timeout: 100 })));
          out.push(
            await q.putAsync(6, { timeout: 300 }).then(
              () => "put",
              (error: Error) => error.name,
            ),
          );
          return out;
        },
        args: [q],
      });
      t.start();
      assert.deepEqual(await t.joinAsync(JOIN), [
        "QueueFullError",
        "QueueFullError",
        "QueueFullError",
        "QueueFullError",
      ]);
      assert.equal(Atomics.load(h, TAIL) & ~CONTENDED, word | LOCKED);
      // An untimed put waits (it marks the word CONTENDED before it sleeps)
      // until the turn comes back, then puts once.
      const u = new Thread({
        target: (q: Queue<number>) => q.put(7),
        args: [q],
      });
      u.start();
      await until(
        () => (Atomics.load(h, TAIL) & CONTENDED) !== 0,
        "the untimed put's sleep",
      );
      release(h, word);
      await u.joinAsync(JOIN);
      assert.deepEqual(q.getMany(), [1, 7]);
    });
  }
});
