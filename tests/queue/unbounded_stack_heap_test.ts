// Copyright 2026 the threadkit authors. MIT license.
// Unbounded LifoQueue and PriorityQueue (no capacity, or capacity <= 0, as
// Python's maxsize <= 0): the store's data block grows under the queue's
// lock (queue/_grow.ts) while threads put and get; order is kept across
// every growth; structured items of any size each have a heap block.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  Lock,
  PriorityQueue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  Thread,
} from "../../mod.ts";
import { runProgram, stressSize, wordChanged } from "../_helpers.ts";
import { Queue } from "../../mod.ts";
import { blockAlloc } from "../../_core/heap.ts";
import { runtime } from "../../_core/runtime.ts";
import { NumHeap, NumStack } from "../../queue/_num_stores.ts";
import { LIFO, MAGIC, numericInfo, PRIORITY } from "../../queue/_layout.ts";
import { DATA } from "../../queue/_grow.ts";

const JOIN = { timeout: 60_000 };
const LOCK_WORD = 80; // the header's LOCK slot (queue/_layout.ts)

type Unbounded<T> = LifoQueue<T> | PriorityQueue<T>;

// A shuffled 0 .. n-1 (a fixed LCG: the same order every run).
function shuffled(n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  let s = 12345;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe("LifoQueue and PriorityQueue without a capacity", () => {
  it("no capacity, {}, capacity 0 and a negative capacity make an unbounded queue (Python's maxsize <= 0), numeric and structured", () => {
    const inits = [undefined, {}, { capacity: 0 }, { capacity: -3 }];
    for (const init of inits) {
      for (const q of [new LifoQueue(init), new PriorityQueue(init)]) {
        assert.equal(q.capacity, 0);
        assert.equal(q.maxCapacity, 2 ** 20);
        assert.equal(q.full(), false);
        assert.equal(q.type, "structured");
        for (let i = 0; i < 300; i++) q.putNowait(i); // past the first block
        assert.equal(q.qsize(), 300);
        assert.equal(q.full(), false);
      }
    }
    const n = new PriorityQueue<number>({ type: "int16", capacity: 0 });
    assert.equal(n.capacity, 0);
    assert.ok(n instanceof PriorityQueue);
    assert.ok(new LifoQueue() instanceof LifoQueue);
  });

  for (const type of ["int32", "float64", "bigint64", "structured"] as const) {
    it(`LifoQueue (unbounded, ${type}) returns the newest first across every growth`, () => {
      const q = new LifoQueue<number | bigint>({ type, initialCapacity: 1 });
      const N = 5000;
      const v = (i: number) => type === "bigint64" ? BigInt(i) : i;
      for (let i = 0; i < N; i++) {
        q.put(v(i));
        if (i % 1000 === 999) assert.equal(q.get(), v(i)); // mid-growth
      }
      for (let i = N - 1; i >= 0; i--) {
        if (i % 1000 !== 999) assert.equal(q.getNowait(), v(i));
      }
      assert.throws(() => q.getNowait(), QueueEmptyError);
    });

    it(`PriorityQueue (unbounded, ${type}) returns the lowest first across every growth`, () => {
      const q = new PriorityQueue<number | bigint>({
        type,
        initialCapacity: 1,
      });
      const N = 5000;
      const keys = shuffled(N);
      const v = (i: number) => type === "bigint64" ? BigInt(i) : i;
      for (const k of keys) q.put(v(k));
      for (let i = 0; i < N; i++) assert.equal(q.getNowait(), v(i));
      assert.throws(() => q.getNowait(), QueueEmptyError);
    });
  }

  it("PriorityQueue (unbounded, structured): ties come out in put order across growth", () => {
    const q = new PriorityQueue<[number, number]>({ initialCapacity: 2 });
    const N = 3000;
    for (let i = 0; i < N; i++) q.put([i % 7, i]);
    let last: [number, number] = [-1, -1];
    for (let i = 0; i < N; i++) {
      const x = q.get();
      assert.ok(
        x[0] > last[0] || (x[0] === last[0] && x[1] > last[1]),
        `${x} after ${last}`,
      );
      last = x;
    }
  });

  it("PriorityQueue (unbounded, structured) holds items of mixed sizes, 1 byte to 64 KiB, in priority order", () => {
    const q = new PriorityQueue<[number, string]>({ initialCapacity: 1 });
    const N = 600;
    const keys = shuffled(N);
    const size = (k: number) => k % 5 === 0 ? 65_536 : 1 + ((k * 977) % 4000);
    for (const k of keys) {
      q.put([k, String.fromCharCode(97 + k % 26).repeat(size(k))]);
    }
    assert.equal(q.qsize(), N);
    const firsts = q.getMany(10);
    for (let i = 0; i < N; i++) {
      const [k, s] = i < 10 ? firsts[i] : q.getNowait();
      assert.equal(k, i);
      assert.equal(s.length, size(k));
      assert.equal(s, String.fromCharCode(97 + k % 26).repeat(size(k)));
    }
    assert.equal(q.empty(), true);
  });

  it("an unbounded structured queue refuses an item of 64 MiB or more with a RangeError, unchanged", () => {
    // Each refusal encodes 64 MiB: both forms on each queue under Deno; on
    // Node and Bun one form each, a different one (stressSize: the full size
    // is not paid three times), so each queue and each form is still checked.
    const forms = stressSize(2, 1);
    const queues = [new LifoQueue<unknown>(), new PriorityQueue<unknown>()];
    for (const [i, q] of queues.entries()) {
      q.put([1, "a"]);
      const huge = [2, "z".repeat(2 ** 26)];
      for (let j = i; j < i + forms; j++) {
        if (j % 2 === 0) assert.throws(() => q.putNowait(huge), RangeError);
        else assert.throws(() => q.putMany([[3, "ok"], huge]), RangeError);
      }
      assert.equal(q.qsize(), 1);
      assert.deepEqual(q.getNowait(), [1, "a"]);
    }
  });

  it("at maxCapacity a put waits or refuses like a bounded queue; full() is true only there", async () => {
    for (const Q of [LifoQueue, PriorityQueue]) {
      const q = new Q<number>({ initialCapacity: 1, maxCapacity: 4 });
      assert.equal(q.putMany([1, 2, 3, 4, 5], { block: false }), 4);
      assert.equal(q.full(), true);
      assert.equal(q.qsize(), 4);
      assert.throws(() => q.putNowait(9), QueueFullError);
      assert.throws(() => q.put(9, { timeout: 5 }), QueueFullError);
      const put = q.putAsync(0, { timeout: 30_000 });
      assert.equal(q.getNowait(), Q === LifoQueue ? 4 : 1);
      await put;
      assert.deepEqual(
        q.getMany(),
        Q === LifoQueue ? [0, 3, 2, 1] : [0, 2, 3, 4],
      );
    }
  });

  it("bad options of an unbounded queue are TypeErrors and RangeErrors", () => {
    for (const Q of [LifoQueue, PriorityQueue]) {
      assert.throws(() => new Q({ bytes: 1024 }), TypeError);
      const buffer = new SharedArrayBuffer(1 << 16);
      assert.throws(() => new Q({ buffer }), TypeError);
      assert.throws(() => Q.byteLength({}), TypeError);
      assert.throws(() => new Q({ singleWriter: true }), TypeError);
      assert.throws(() => new Q({ maxCapacity: 0 }), RangeError);
      assert.throws(
        () => new Q({ initialCapacity: 8, maxCapacity: 4 }),
        RangeError,
      );
      assert.throws(() => new Q({ initialCapacity: 1.5 }), RangeError);
      assert.throws(() => new Q({ type: "int33" as never }), TypeError);
    }
  });

  it("putMany, putManyAsync, getManyInto and getManyIntoAsync across growth", async () => {
    const s = new LifoQueue<number>({ type: "int32", initialCapacity: 2 });
    const items = Array.from({ length: 1000 }, (_, i) => i);
    assert.equal(s.putMany(items), 1000);
    assert.equal(await s.putManyAsync(items.map((i) => i + 1000)), 1000);
    const into = new Int32Array(1500);
    assert.equal(s.getManyInto(into), 1500);
    for (let i = 0; i < 1500; i++) assert.equal(into[i], 1999 - i);
    assert.equal(await s.getManyIntoAsync(into), 500);
    for (let i = 0; i < 500; i++) assert.equal(into[i], 499 - i);
    const p = new PriorityQueue<number>({
      type: "float64",
      initialCapacity: 1,
    });
    assert.equal(await p.putManyAsync(shuffled(3000)), 3000);
    assert.deepEqual(
      await p.getManyAsync(3000),
      items.concat(items.map((i) => i + 1000), items.map((i) => i + 2000)),
    );
  });

  it("a custom codec's getMany across growth takes each item once (structured, LIFO and priority)", () => {
    const codec = {
      encode: (x: unknown) => new TextEncoder().encode(JSON.stringify(x)),
      decode: (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)),
    };
    const l = new LifoQueue<number>({ codec, initialCapacity: 1 });
    const p = new PriorityQueue<number>({ codec, initialCapacity: 1 });
    for (let i = 0; i < 500; i++) {
      l.put(i);
      p.put(499 - i);
    }
    const lo = [...l.getMany(200), ...l.getMany()];
    assert.deepEqual(lo, Array.from({ length: 500 }, (_, i) => 499 - i));
    const po = [...p.getMany(200), ...p.getMany()];
    assert.deepEqual(po, Array.from({ length: 500 }, (_, i) => i));
  });

  it("a dropped unbounded queue gives its header, data and item blocks back to the heap", async () => {
    const run = await runProgram(
      new URL("../_workers/programs/heap_grow_store.ts", import.meta.url),
      90_000,
      [],
      { exposeGc: true },
    );
    assert.equal(run.timedOut, false, `timed out: ${run.stdout}${run.stderr}`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stdout.match(/come back/g)?.length, 4, run.stdout);
    assert.match(run.stdout, /\ndone\n?$/);
  });

  it("join and taskDone count across growth; for await drains after shutdown", async () => {
    const q = new LifoQueue<number>({ initialCapacity: 1 });
    for (let i = 0; i < 100; i++) q.put(i);
    assert.equal(q.join({ timeout: 1 }), false);
    q.shutdown();
    const seen: number[] = [];
    for await (const x of q) {
      seen.push(x);
      q.taskDone();
    }
    assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => 99 - i));
    assert.equal(await q.joinAsync({ timeout: 30_000 }), true);
  });
});

describe("unbounded LifoQueue and PriorityQueue: a handle made while a grow releases the data block", () => {
  // A handle made over the header (a revive, in a thread that decodes the
  // queue) reads DATA without the store's lock; a grow in another thread
  // may release that block and the heap hand it to another queue at once.
  // The state without the race: the header as read before the grow, DATA
  // naming a block a bounded queue now uses.
  const stores = [
    ["LifoQueue", (h: Int32Array) => new NumStack(h, numericInfo("int32")!)],
    ["PriorityQueue", (h: Int32Array) => new NumHeap(h, numericInfo("int32")!)],
  ] as const;
  for (const [name, store] of stores) {
    it(`${name}<int32>: the handle is made without reading the data block (its first call maps it)`, () => {
      const Q = name === "LifoQueue" ? LifoQueue : PriorityQueue;
      const q = new Q<number>({ type: "int32" });
      const { buffer, byteOffset } = q.region;
      const h = new Int32Array(buffer, byteOffset, 96);
      const before = Array.from(h); // what a reviving thread read first
      const old = before[DATA];
      for (let i = 0; i < 200; i++) q.put(i); // grows: `old` released
      assert.notEqual(Atomics.load(h, DATA), old);
      const keep = [];
      let reused = false;
      for (let i = 0; i < 2000 && !reused; i++) {
        const b = new Queue<number>({ capacity: 16, type: "int32" });
        keep.push(b);
        reused = b.region.byteOffset === old;
      }
      assert.ok(reused, "the released block was not reused (test setup)");
      const at = blockAlloc(384, false);
      const stale = new Int32Array(runtime().buffer, at, 96);
      stale.set(before);
      assert.doesNotThrow(() => store(stale));
      // A handle over the live header maps at its first call.
      const again = store(h);
      assert.equal(again.count(), 200);
      assert.equal(q.getNowait(), name === "LifoQueue" ? 199 : 0);
    });
  }
});

describe("unbounded LifoQueue and PriorityQueue and an older copy of the package", () => {
  it("the header's KIND fails the revive check of a copy that knows only bounded LifoQueue/PriorityQueue headers", () => {
    // Such a copy (same MAGIC) checks the discipline nibble of KIND and
    // would read the header as a bounded queue of capacity maxCapacity,
    // writing past it (queue/_init.ts checkRevivable before unbounded kinds).
    const olderAccepts = (kind: number, discipline: number) =>
      (kind & ~0xffff) === MAGIC && ((kind >> 4) & 0xf) === discipline;
    for (
      const [Q, d] of [[LifoQueue, LIFO], [PriorityQueue, PRIORITY]] as const
    ) {
      for (const type of ["int32", "structured"] as const) {
        const { buffer, byteOffset } = new Q({ type }).region;
        const kind = new Int32Array(buffer, byteOffset, 1)[0];
        assert.equal(olderAccepts(kind, d), false, `${Q.name} ${type}`);
        const { buffer: b2, byteOffset: o2 } =
          new Q({ type, capacity: 4 }).region;
        assert.equal(olderAccepts(new Int32Array(b2, o2, 1)[0], d), true);
      }
    }
  });
});

describe("unbounded LifoQueue and PriorityQueue with threads", () => {
  for (const kind of ["LifoQueue", "PriorityQueue"] as const) {
    for (const type of ["int32", "structured"] as const) {
      it(`${kind} (unbounded, ${type}): 2 producer threads, a consumer thread and an async consumer while it grows: each item exactly once`, async () => {
        const Q = kind === "LifoQueue" ? LifoQueue : PriorityQueue;
        const q = new Q<number>({ type, initialCapacity: 1 });
        const N = stressSize(20_000, 4000);
        const producers = [0, 1].map((id) =>
          new Thread({
            target: (q: Unbounded<number>, id: number, n: number) => {
              for (let i = 0; i < n; i++) {
                if (i % 3 === 0) q.putMany([id * n + i]);
                else q.put(id * n + i);
              }
            },
            args: [q, id, N],
          })
        );
        const consumer = new Thread({
          target: (q: Unbounded<number>, n: number) => {
            const seen: number[] = [];
            for (let i = 0; i < n; i++) seen.push(q.get({ timeout: 30_000 }));
            return seen;
          },
          args: [q, N],
        });
        for (const t of [...producers, consumer]) t.start();
        const mine: number[] = [];
        for (let i = 0; i < N; i++) {
          mine.push(await q.getAsync({ timeout: 30_000 }));
        }
        const theirs = await consumer.joinAsync(JOIN);
        for (const p of producers) await p.joinAsync(JOIN);
        const all = [...mine, ...theirs].sort((a, b) => a - b);
        assert.equal(all.length, 2 * N);
        for (let k = 0; k < all.length; k++) {
          if (all[k] !== k) assert.fail(`item ${k} is ${all[k]}`);
        }
        assert.equal(q.empty(), true);
        assert.throws(() => q.getNowait(), QueueEmptyError);
      });
    }
  }

  it("a thread handed the queue before growth and one handed it after see the same queue, as itself", async () => {
    for (const Q of [LifoQueue, PriorityQueue]) {
      const q = new Q<number>({ type: "float64", initialCapacity: 1 });
      q.put(-1);
      const flag = new Int32Array(new SharedArrayBuffer(8));
      const early = new Thread({
        target: (q: Unbounded<number>, flag: Int32Array, cls: string) => {
          Atomics.store(flag, 0, 1);
          Atomics.notify(flag, 0);
          Atomics.wait(flag, 1, 0, 30_000); // until the main thread grew it
          const got: number[] = [];
          while (!q.empty()) got.push(q.getNowait());
          return [q.constructor.name === cls, q.capacity, got.length, got[0]];
        },
        args: [q, flag, Q.name],
      });
      early.start();
      assert.ok(await wordChanged(flag, 0, 0), "the thread is ready");
      for (let i = 0; i < 3000; i++) q.put(i); // grows 12 times
      Atomics.store(flag, 1, 1);
      Atomics.notify(flag, 1);
      const [same, cap, n, first] = await early.joinAsync(JOIN);
      assert.deepEqual([same, cap, n], [true, 0, 3001]);
      assert.equal(first, Q === LifoQueue ? 2999 : -1);
      const late = new Thread({
        target: (q: Unbounded<number>, isQ: boolean) => {
          for (let i = 0; i < 10_000; i++) q.put(i);
          return isQ;
        },
        args: [q, true],
      });
      late.start();
      assert.equal(await late.joinAsync(JOIN), true);
      assert.equal(q.qsize(), 10_000);
      const out = q.getMany();
      assert.equal(out.length, 10_000);
      assert.equal(out[0], Q === LifoQueue ? 9999 : 0);
      assert.ok(q.empty());
    }
  });

  it("a handle whose views predate two grows remaps, though the second grow got back the first block's offset", async () => {
    for (const Q of [LifoQueue, PriorityQueue]) {
      const q = new Q<number>({ type: "int32", initialCapacity: 1 });
      const flag = new Int32Array(new SharedArrayBuffer(8));
      const t = new Thread({
        target: (q: Unbounded<number>, flag: Int32Array) => {
          q.put(100); // its views: the first block, 1 item
          q.get();
          Atomics.store(flag, 0, 1);
          Atomics.notify(flag, 0);
          Atomics.wait(flag, 1, 0, 30_000);
          return q.getMany();
        },
        args: [q, flag],
      });
      t.start();
      assert.ok(await wordChanged(flag, 0, 0), "the thread is ready");
      const data = new Int32Array(q.region.buffer, q.region.byteOffset, 96);
      const first = data[84]; // DATA (queue/_grow.ts)
      for (let i = 0; i < 4; i++) q.put(i); // grows 1 -> 2 -> 4 items
      Atomics.store(flag, 1, 1);
      Atomics.notify(flag, 1);
      const want = [0, 1, 2, 3];
      const got = await t.joinAsync(JOIN);
      assert.deepEqual(got, Q === LifoQueue ? want.reverse() : want);
      // The case this covers: the second grow's block is at the first's
      // offset (a queue chunk hands back the block the first grow freed).
      assert.equal(data[84], first, "the heap gave another offset");
    }
  });

  it("a thread receives the unbounded queue as instanceof its class", async () => {
    const l = new LifoQueue<number>();
    const p = new PriorityQueue<number>();
    const t = new Thread({
      target: (l: unknown, p: unknown) =>
        l instanceof LifoQueue && p instanceof PriorityQueue,
      args: [l, p],
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), true);
  });

  for (const form of ["putAsync", "putManyAsync", "getAsync"] as const) {
    it(`LifoQueue (unbounded).${form} does not block the event loop while another thread holds the store's lock (as a long grow would)`, async () => {
      const q = new LifoQueue<number>({ type: "int32", initialCapacity: 2 });
      q.putMany([1, 2]); // the next put grows
      const lock = new Lock({
        buffer: q.region.buffer,
        byteOffset: q.region.byteOffset + LOCK_WORD * 4,
      });
      const flag = new Int32Array(new SharedArrayBuffer(8));
      const t = new Thread({
        target: (lock: Lock, flag: Int32Array) => {
          lock.acquire();
          Atomics.store(flag, 0, 1);
          Atomics.notify(flag, 0);
          Atomics.wait(flag, 1, 0, 30_000);
          lock.release();
        },
        args: [lock, flag],
      });
      t.start();
      assert.ok(await wordChanged(flag, 0, 0), "the thread holds the lock");
      let settled = false;
      const call = form === "putAsync"
        ? q.putAsync(3)
        : form === "putManyAsync"
        ? q.putManyAsync([3])
        : q.getAsync();
      const done = call.then(() => {
        settled = true;
      });
      // A timer fires while the call waits for the lock.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const waited = !settled;
      Atomics.store(flag, 1, 1);
      Atomics.notify(flag, 1);
      await done;
      await t.joinAsync(JOIN);
      assert.equal(waited, true, "the call did not wait for the lock");
      assert.deepEqual(q.getMany(), form === "getAsync" ? [1] : [3, 2, 1]);
    });
  }

  for (const immediate of [false, true]) {
    it(`shutdown${immediate ? " (immediate)" : ""} while threads put into a growing queue: every accepted item is got once or discarded, puts after it throw`, async () => {
      const q = new PriorityQueue<[number, string]>({ initialCapacity: 1 });
      const N = stressSize(20_000, 4000);
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const producers = [0, 1].map((id) =>
        new Thread({
          target: (
            q: PriorityQueue<[number, string]>,
            id: number,
            n: number,
            flag: Int32Array,
          ) => {
            let put = 0;
            try {
              for (let i = 0; i < n; i++) {
                q.put([id * n + i, "x".repeat(i % 100)]);
                put++;
                if (put === 100) {
                  Atomics.add(flag, 0, 1), Atomics.notify(flag, 0);
                }
              }
            } catch (e) {
              if (!(e instanceof QueueShutDownError)) throw e;
            }
            return put;
          },
          args: [q, id, N, flag],
        })
      );
      for (const t of producers) t.start();
      for (let v = Atomics.load(flag, 0); v < 2; v = Atomics.load(flag, 0)) {
        await wordChanged(flag, 0, v);
      }
      q.shutdown({ immediate });
      const puts = [];
      for (const t of producers) puts.push(await t.joinAsync(JOIN));
      assert.throws(() => q.put([0, ""]), QueueShutDownError);
      const got: [number, string][] = [];
      for (;;) {
        try {
          got.push(q.getNowait());
        } catch (e) {
          assert.ok(e instanceof QueueShutDownError);
          break;
        }
      }
      if (immediate) assert.equal(got.length, 0);
      else {
        assert.equal(got.length, puts[0] + puts[1]);
        for (let i = 1; i < got.length; i++) {
          assert.ok(got[i - 1][0] < got[i][0], "priority order");
        }
        for (const [id, n] of puts.entries()) {
          const mine = got.filter(([k]) => Math.floor(k / N) === id);
          assert.equal(mine.length, n);
          for (const [j, [k, s]] of mine.entries()) {
            assert.equal(k, id * N + j);
            assert.equal(s.length, j % 100);
          }
        }
      }
      for (let i = 0; i < got.length; i++) q.taskDone();
      assert.equal(q.join({ timeout: 30_000 }), true);
    });
  }
});
