// Copyright 2026 the threadkit authors. MIT license.
// How the unbounded Queue grows: items larger than a segment's byte region,
// a grow that fails, and growing from the async forms and from a thread that
// may not block. Programs that would spin or need an emulated runtime run in
// a subprocess bounded in time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Lock,
  Queue,
  QueueEmptyError,
  QueueFullError,
  SimpleQueue,
  Thread,
} from "../../mod.ts";
import { isDeno, runProgram, stressSize, wordChanged } from "../_helpers.ts";
import { heapLiveBytes } from "../../_core/heap.ts";

const JOIN = { timeout: 60_000 };
const program = (name: string) =>
  new URL(`../_workers/programs/${name}`, import.meta.url);

describe("Queue (unbounded) item sizes", () => {
  it("Queue (unbounded) takes items larger than its first segment's byte region, in order, whatever its past", async () => {
    const q = new Queue<string>(); // first segment: 1024 items, 256 KiB
    const big = (n: number, c: string) => c.repeat(n);
    q.putNowait("a");
    q.putNowait(big(1_000_000, "b")); // on a fresh queue
    q.put("c");
    await q.putAsync(big(3_000_000, "d"));
    assert.equal(q.putMany(["e", big(2_000_000, "f"), "g"]), 3);
    assert.equal(await q.putManyAsync([big(5_000_000, "h"), "i"]), 2);
    for (let i = 0; i < 3000; i++) q.putNowait("s"); // after it grew
    q.putNowait(big(300_000, "j"));
    assert.equal(q.qsize(), 3010);
    const want = [
      ["a", 1],
      ["b", 1_000_000],
      ["c", 1],
      ["d", 3_000_000],
      ["e", 1],
      ["f", 2_000_000],
      ["g", 1],
      ["h", 5_000_000],
      ["i", 1],
    ] as const;
    for (const [c, n] of want) {
      const x = q.getNowait();
      assert.equal(x.length, n);
      assert.equal(x[0], c);
    }
    for (let i = 0; i < 3000; i++) assert.equal(q.getNowait(), "s");
    assert.equal(q.getNowait().length, 300_000);
    assert.throws(() => q.getNowait(), QueueEmptyError);
  });

  it("Queue (unbounded) at its maximum still takes an item too large for the newest segment", () => {
    const q = new Queue<string>({ initialCapacity: 1, maxCapacity: 2 });
    q.putMany(["a", "b", "c"]);
    assert.throws(() => q.putNowait("d"), QueueFullError);
    // Each item is too large for the newest segment's region (twice the
    // last item's size): each adds a segment of 2 items.
    // (In the heap a region of 1 MiB or more fills its block: x4 steps.)
    const sizes = [100_000, 400_000, 1_600_000, 6_400_000];
    for (const n of sizes) q.putNowait("x".repeat(n));
    assert.deepEqual(q.getMany(3), ["a", "b", "c"]);
    for (const n of sizes) assert.equal(q.getNowait().length, n);
    q.putNowait("d");
    assert.equal(q.getNowait(), "d");
  });

  it("Queue (unbounded) refuses an item over 64 MiB with a RangeError naming the maximum, and stays usable", async () => {
    const q = new Queue<string>();
    q.put("first");
    const huge = "z".repeat(2 ** 26);
    // Each refusal encodes 64 MiB. The timed put runs under Deno only (the
    // rule of stressSize in tests/_helpers.ts: not paid three times): it
    // refuses in the same putOne as putNowait, before any wait.
    const timed = isDeno ? [() => q.put(huge, { timeout: 10 })] : [];
    for (
      const put of [
        () => q.putNowait(huge),
        ...timed,
        () => q.putMany(["ok", huge]),
      ]
    ) {
      assert.throws(put, (error: unknown) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /at most 67108863 bytes/);
        assert.doesNotMatch(error.message, /option/);
        return true;
      });
    }
    await assert.rejects(q.putAsync(huge), /at most 67108863 bytes/);
    assert.equal(q.qsize(), 1);
    q.put("second");
    assert.deepEqual(q.getMany(), ["first", "second"]);
    const s = new SimpleQueue<string>();
    assert.throws(() => s.put(huge), /at most 67108863 bytes/);
  });

  it("SimpleQueue takes a large item; a thread puts large items, the main thread gets each once in order", async () => {
    const s = new SimpleQueue<string>();
    s.put("y".repeat(4_000_000));
    assert.equal(s.get({ timeout: 1000 }).length, 4_000_000);
    const q = new Queue<{ i: number; text: string }>({ initialCapacity: 4 });
    const producer = new Thread({
      target: (q: Queue<{ i: number; text: string }>) => {
        for (let i = 0; i < 40; i++) {
          q.put({
            i,
            text: (i % 3 === 0 ? "L" : "s").repeat(i % 3 ? 10 : 700_000),
          });
        }
      },
      args: [q],
    });
    producer.start();
    for (let i = 0; i < 40; i++) {
      const x = await q.getAsync({ timeout: 30_000 });
      assert.equal(x.i, i);
      assert.equal(x.text.length, i % 3 ? 10 : 700_000);
    }
    await producer.joinAsync(JOIN);
    assert.equal(q.empty(), true);
  });
});

describe("Queue (unbounded) grow failures", () => {
  // The default heap under Deno: README's figure (about 6 million items, 58
  // segments, 1,416 MiB). Node and Bun fill a heap of 512 MiB instead
  // (stressSize in tests/_helpers.ts: the full size is not paid three
  // times): 1,361,380 items in 39 segments, still past segment 32 where
  // segments start doubling; only Deno reaches the doublings from segment
  // 40 on and the default heap's figure.
  const heap = stressSize(0, 512);
  const [about, segments, least, most] = heap === 0
    ? ["about 6 million", 58, 5_800_000, 6_100_000]
    : ["about 1.36 million", 39, 1_330_000, 1_400_000];
  it(
    `a default Queue() in the ${
      heap === 0 ? "" : `${heap} MiB `
    }heap holds ${about} small items (the queues' share: ${segments} segments, 8 MiB each and then doubling); past that a put throws QueueMemoryError at once and every item comes out in order`,
    async () => {
      const run = await runProgram(
        program("heap_share.ts"),
        300_000,
        heap === 0 ? [] : [`heap=${heap}`],
      );
      assert.equal(
        run.timedOut,
        false,
        `timed out: ${run.stdout}${run.stderr}`,
      );
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const held = Number(/held (\d+) items/.exec(run.stdout)?.[1]);
      assert.ok(held >= least && held <= most, `held ${held}`);
      assert.match(run.stdout, new RegExp(`in ${segments} segments`));
      assert.match(run.stdout, /ok every item comes out once, in order/);
      assert.match(run.stdout, /\ndone\n?$/);
    },
  );

  it("Queue (unbounded) where the shared heap cannot grow gets a growable buffer of its own, works, and is refused inside an item naming why", async () => {
    const run = await runProgram(program("fixed_heap.ts"), 30_000);
    assert.equal(run.timedOut, false, `spun: ${run.stdout}${run.stderr}`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /ok it grows and works/);
    assert.match(run.stdout, /\ndone\n?$/);
  });

  it("Queue (unbounded): a grow that fails throws from its put and leaves the queue usable (nothing spins)", async () => {
    const run = await runProgram(program("grow_fail.ts"), 30_000);
    assert.equal(run.timedOut, false, `spun: ${run.stdout}${run.stderr}`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /\ndone\n?$/);
  });
});

describe("Queue (unbounded) growing without blocking", () => {
  // A thread holds the chain's lock (the first word of the queue's buffer,
  // _chain.ts), as a slow grow would, until `release` is called (or 30 s
  // pass: a bug fails instead of hanging); resolves once it holds it.
  async function holdChainLock(q: Queue<number>) {
    const lock = new Lock({
      buffer: q.region.buffer,
      byteOffset: q.region.byteOffset,
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
    assert.ok(await wordChanged(flag, 0, 0), "the thread is ready");
    const release = () => {
      Atomics.store(flag, 1, 1);
      Atomics.notify(flag, 1);
    };
    return { t, release };
  }

  for (const form of ["putAsync", "putManyAsync"] as const) {
    it(`Queue (unbounded).${form} waits for another thread's grow without blocking the event loop`, async () => {
      const q = new Queue<number>({ type: "int32", initialCapacity: 2 });
      q.putMany([1, 2]);
      const { t, release } = await holdChainLock(q);
      let settled = false;
      const put = (form === "putAsync" ? q.putAsync(3) : q.putManyAsync([3]))
        .then(() => {
          settled = true;
        });
      // The loop runs on while the put waits for the lock: a timer fires,
      // and the put has not settled, since the grow cannot happen yet.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const waited = !settled;
      release();
      await put;
      await t.joinAsync(JOIN);
      assert.equal(waited, true, "the put did not wait for the grow");
      assert.deepEqual(q.getMany(), [1, 2, 3]);
    });
  }

  it("Queue (unbounded) on a thread that may not block: put and putNowait grow without CannotBlockError", async () => {
    const run = await runProgram(program("cannot_block_grow.ts"), 60_000);
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /\ndone\n?$/);
  });
});

describe("Queue (unbounded) batches", () => {
  // Items whose every read is counted: an encode reads each item once.
  const counted = (n: number) => {
    const reads = { n: 0 };
    const items = Array.from({ length: n }, (_, i) => ({
      get v() {
        reads.n++;
        return i;
      },
    }));
    return { items, reads };
  };

  for (const form of ["putMany", "putManyAsync"] as const) {
    it(`${form} encodes a batch once, however many segments it goes into, and every item comes out once, in order`, async () => {
      const q = new Queue<{ v: number }>({ initialCapacity: 2 });
      const { items, reads } = counted(1000); // 2 + 4 + ... : 9 segments
      const n = form === "putMany"
        ? q.putMany(items)
        : await q.putManyAsync(items);
      assert.equal(n, 1000);
      assert.equal(reads.n, 1000);
      const out = q.getMany(2000, { block: false }) as unknown as {
        v: number;
      }[];
      assert.deepEqual(out.map((x) => x.v), items.map((_, i) => i));
    });
  }

  for (const form of ["putMany", "putManyAsync"] as const) {
    it(`${form}: a large item sizes only the segment it goes into, not the ones the rest of the batch goes on to`, async () => {
      // The same items into two fresh queues: the large one put alone then
      // the rest as a batch, or all in one batch; the chains must take the
      // same heap bytes (segments after the large item's as the rest needs).
      const big = "x".repeat(1_000_000); // past a 256 KiB region
      const small = Array.from({ length: 200_000 }, (_, i) => ({ i }));
      const grown = async (batch: boolean) => {
        const q = new Queue<unknown>({ initialCapacity: 2 });
        const live = heapLiveBytes();
        const items = batch ? [big, ...small] : small;
        if (!batch) q.put(big);
        const n = form === "putMany"
          ? q.putMany(items)
          : await q.putManyAsync(items);
        assert.equal(n, items.length);
        const bytes = heapLiveBytes() - live;
        assert.equal(q.qsize(), small.length + 1);
        return bytes;
      };
      const apart = await grown(false), together = await grown(true);
      assert.ok(
        together < apart * 1.25,
        `one batch took ${together} heap bytes, the same items put apart ${apart}`,
      );
    });
  }

  it("a batch too large for the first segments' byte regions goes in, each item once", async () => {
    const q = new Queue<string>({ initialCapacity: 4 });
    const big = "x".repeat(400_000); // past a first segment's 256 KiB region
    const items = ["a", big, "b", big + "c", "d"];
    assert.equal(q.putMany(items), 5);
    assert.equal(await q.putManyAsync(items), 5);
    assert.deepEqual(q.getMany(20, { block: false }), [...items, ...items]);
  });
});
