// Copyright 2026 the threadkit authors. MIT license.
// An async queue call behind a turn that another thread holds while it
// copies (HEAD for a structured Queue's get, TAIL for a Queue's put, the
// store Lock for LifoQueue and PriorityQueue: queue/_held_turn.ts) leaves
// its event loop running: a chain of zero-delay timers keeps ticking while
// the call is pending, and the holder is let go only after the chain has
// ticked TICKS times. The call then completes with the right item, exactly
// once. Before, the call's try napped inside the call until the holder let
// go (up to IDLE_GRACE, then again), so no tick ran until it settled.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmptyError,
  QueueFullError,
  Thread,
} from "../../mod.ts";
import { DECODING, IDLE_GRACE } from "../../queue/_decoding.ts";
import { HOLDER } from "../../queue/_layout.ts";
import { OFFSET } from "../../queue/_chain_memory.ts";
import { wordChanged } from "../_helpers.ts";
import type * as holderModule from "../_workers/store_holder.ts";

const JOIN = { timeout: 60_000 };
const TICKS = 10;
const holder = new URL("../_workers/store_holder.ts", import.meta.url);

type Held = { region: { buffer: SharedArrayBuffer; byteOffset: number } };

// A thread that holds `q`'s turn: "head", "tail" or "lock" (the store Lock).
function startHolder(q: Held, what: "head" | "tail" | "lock") {
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const t = what === "lock"
    ? new Thread<typeof holderModule.holdStore>({
      target: { module: holder, export: "holdStore" },
      args: [q as never, flag, false],
    })
    : new Thread<typeof holderModule.holdTurn>({
      target: { module: holder, export: "holdTurn" },
      args: [q as never, flag, what === "head"],
    });
  t.start();
  return { t, flag };
}

/**
 * Runs `call` while the holder holds its turn; the holder is let go after
 * TICKS ticks of a zero-delay timer chain. Returns the call's settlement
 * and the ticks that ran before it settled.
 */
async function behindHolder<T>(
  flag: Int32Array,
  call: () => Promise<T>,
  every = 0,
): Promise<{ value?: T; error?: unknown; ticks: number }> {
  let ticks = 0, settled = -1;
  const p = call().then(
    (value) => ({ value }),
    (error) => ({ error }),
  ).finally(() => settled = ticks);
  await new Promise<void>((resolve) => {
    const tick = () => {
      if (settled >= 0) return resolve();
      if (++ticks === TICKS) {
        Atomics.store(flag, 1, 1);
        Atomics.notify(flag, 1);
      }
      setTimeout(tick, every);
    };
    setTimeout(tick, every);
  });
  const r = await p;
  return { ...r, ticks: settled };
}

const byJson = (a: unknown, b: unknown) =>
  JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;

function letGo(flag: Int32Array): void {
  Atomics.store(flag, 1, 1);
  Atomics.notify(flag, 1);
}

type AnyQueue = {
  put(x: unknown): void;
  getAsync(o?: { block?: boolean }): Promise<unknown>;
  putAsync(x: unknown): Promise<void>;
  getNowait(): unknown;
  qsize(): number;
} & Held;

const KINDS: [string, () => AnyQueue, "head" | "tail" | "lock", boolean][] = [
  [
    "Queue (structured): getAsync behind HEAD",
    () => new Queue({ capacity: 8 }),
    "head",
    true,
  ],
  [
    "Queue (structured): putAsync behind TAIL",
    () => new Queue({ capacity: 8 }),
    "tail",
    false,
  ],
  [
    "Queue<int32>: putAsync behind TAIL",
    () => new Queue({ capacity: 8, type: "int32" }) as never,
    "tail",
    false,
  ],
  [
    "LifoQueue: getAsync behind the Lock",
    () => new LifoQueue({ capacity: 8 }),
    "lock",
    true,
  ],
  [
    "LifoQueue: putAsync behind the Lock",
    () => new LifoQueue({ capacity: 8 }),
    "lock",
    false,
  ],
  [
    "PriorityQueue<int32>: getAsync behind the Lock",
    () => new PriorityQueue({ capacity: 8, type: "int32" }) as never,
    "lock",
    true,
  ],
];

describe("an async queue call behind a held turn does not block its event loop", () => {
  for (const [title, make, what, get] of KINDS) {
    it(`${title}: the loop turns while it waits; the item moves exactly once`, async () => {
      const q = make();
      const item = what === "lock" || title.includes("int32") ? 7 : "x";
      if (get) q.put(item);
      const { t, flag } = startHolder(q, what);
      let r: Awaited<ReturnType<typeof behindHolder>>;
      try {
        assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
        r = await behindHolder(
          flag,
          () => get ? q.getAsync() : q.putAsync(item),
        );
      } finally {
        letGo(flag);
      }
      assert.equal(await t.joinAsync(JOIN), "released", "let go by the test");
      assert.equal(r.error, undefined, String(r.error));
      assert.ok(r.ticks >= TICKS, `only ${r.ticks} ticks ran while it waited`);
      if (get) {
        assert.equal(r.value, item);
        assert.equal(q.qsize(), 0);
      } else {
        assert.equal(q.qsize(), 1);
        assert.equal(q.getNowait(), item);
      }
      assert.throws(() => q.getNowait(), QueueEmptyError);
    });
  }

  for (const block of [true, false]) {
    it(
      `Queue (structured): putManyAsync${
        block ? "" : "({ block: false })"
      } and putAsync behind TAIL keep their items while this thread encodes others meanwhile`,
      async () => {
        const q = new Queue<unknown>({ capacity: 8 });
        const other = new Queue<unknown>({ capacity: 8 });
        const { t, flag } = startHolder(q, "tail");
        const o = block ? undefined : { block: false };
        let many: Promise<number>, one: Promise<void>;
        try {
          assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
          many = q.putManyAsync(["first", { n: 1 }, [2, "two"]], o);
          one = q.putAsync({ last: "x".repeat(40) }, o);
          // Both wait for TAIL; this thread's next encodings meanwhile:
          other.putMany(["zzzzzzzz", { zz: 99 }, [9, "nine"]]);
          other.put({ other: "y".repeat(40) });
        } finally {
          letGo(flag);
        }
        assert.equal(await t.joinAsync(JOIN), "released");
        // With block: false a call may report Full, past IDLE_GRACE only.
        const [m, l] = await Promise.allSettled([many!, one!]);
        const want: unknown[] = [];
        if (m.status === "fulfilled") {
          assert.equal(m.value, 3);
          want.push("first", { n: 1 }, [2, "two"]);
        } else assert.ok(!block && m.reason instanceof QueueFullError);
        if (l.status === "fulfilled") want.push({ last: "x".repeat(40) });
        else assert.ok(!block && l.reason instanceof QueueFullError);
        assert.deepEqual(q.getMany(8).sort(byJson), want.sort(byJson));
      },
    );
  }

  it("unbounded Queue: putAsync behind its segment's TAIL held past IDLE_GRACE (the put grows the queue, retiring that segment) keeps the loop turning", async () => {
    const q = new Queue<string>({ initialCapacity: 8 });
    q.put("a");
    const r0 = q.region;
    const chain = new Int32Array(r0.buffer, r0.byteOffset, OFFSET + 1);
    const seg = { buffer: r0.buffer, byteOffset: Atomics.load(chain, OFFSET) };
    const { t, flag } = startHolder({ region: seg }, "tail");
    let r: Awaited<ReturnType<typeof behindHolder>>;
    try {
      assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
      // Ticks 60 ms apart: the holder is let go at the 10th, past
      // IDLE_GRACE, when the put has given up on the segment and grows.
      r = await behindHolder(flag, () => q.putAsync("z"), 60);
    } finally {
      letGo(flag);
    }
    assert.equal(await t.joinAsync(JOIN), "released", "let go by the test");
    assert.equal(r.error, undefined, String(r.error));
    assert.ok(r.ticks >= TICKS, `only ${r.ticks} ticks ran while it waited`);
    assert.deepEqual([q.getNowait(), q.getNowait(), q.qsize()], ["a", "z", 0]);
  });

  it("Queue (structured): putAsync({ block: false }) behind TAIL waits for TAIL while a get decodes (no decode holds TAIL)", async () => {
    const q = new Queue<string>({ capacity: 8 });
    const h = new Int32Array(q.region.buffer, q.region.byteOffset, 40);
    const { t, flag } = startHolder(q, "tail");
    let r: Awaited<ReturnType<typeof behindHolder>>;
    let t0 = 0;
    let took = 0;
    try {
      assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
      // A get decoding meanwhile: HOLDER names a live thread, DECODING set.
      Atomics.store(h, HOLDER, 1 | DECODING);
      r = await behindHolder(flag, () => {
        t0 = performance.now();
        return q.putAsync("p", { block: false }).finally(() =>
          took = performance.now() - t0
        );
      });
    } finally {
      Atomics.store(h, HOLDER, 0);
      letGo(flag);
    }
    assert.equal(await t.joinAsync(JOIN), "released");
    if (r.error !== undefined) { // Full only past IDLE_GRACE (a loaded machine)
      assert.ok(r.error instanceof QueueFullError, String(r.error));
      assert.ok(took >= IDLE_GRACE, `Full after ${took} ms`);
      assert.equal(q.qsize(), 0);
    } else {
      assert.ok(r.ticks >= TICKS, `settled after ${r.ticks} ticks`);
      assert.equal(q.getNowait(), "p");
    }
  });

  it("Queue (structured): getAsync({ block: false }) behind HEAD waits off the loop, then gets the item or reports busy only after IDLE_GRACE", async () => {
    const q = new Queue<string>({ capacity: 8 });
    q.put("x");
    const { t, flag } = startHolder(q, "head");
    let r: Awaited<ReturnType<typeof behindHolder>>;
    const t0 = performance.now();
    let took = 0;
    try {
      assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
      r = await behindHolder(
        flag,
        () =>
          q.getAsync({ block: false }).finally(() =>
            took = performance.now() - t0
          ),
      );
    } finally {
      letGo(flag);
    }
    await t.joinAsync(JOIN);
    assert.ok(r.ticks >= 1, "the loop turned while it waited");
    if (r.error !== undefined) {
      assert.ok(r.error instanceof QueueEmptyError, String(r.error));
      assert.ok(took >= IDLE_GRACE, `busy after ${took} ms`);
      assert.equal(q.getNowait(), "x");
    } else assert.equal(r.value, "x");
    assert.equal(q.qsize(), 0);
  });
});
