// Copyright 2026 the threadkit authors. MIT license.
// getNowait/putNowait of a LifoQueue and a PriorityQueue (numeric and
// structured: the stores under the queue's Lock, queue/_locked.ts) while
// another live thread holds that Lock, and when it dies holding it. Python's
// get_nowait and put_nowait never wait for an item or for room; they do
// take the queue's mutex, which a holder keeps for a copy. Here a nowait
// call waits for a holder at most IDLE_GRACE ms (queue/_decoding.ts), so it
// returns in bounded time even behind a holder that never lets go; a
// report of Empty or Full it makes then leaves the queue exactly as it was;
// a holder that dies holding the Lock is taken over (sync/_holder.ts), and
// its items are all still there, delivered once.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  PriorityQueue,
  QueueEmptyError,
  Thread,
  ThreadExitError,
} from "../../mod.ts";
import { IDLE_GRACE } from "../../queue/_decoding.ts";
import { wordChanged } from "../_helpers.ts";
import type * as holderModule from "../_workers/store_holder.ts";

const JOIN = { timeout: 30_000 };
// Slack over a call's bound on a loaded machine.
const SLACK = 5_000;
const holder = new URL("../_workers/store_holder.ts", import.meta.url);

type Q = LifoQueue<unknown> | PriorityQueue<unknown>;
// Each kind: a maker, three items (the next get's item last), and one more.
const KINDS: [string, () => Q, unknown[], unknown][] = [
  ["LifoQueue<int32>", () => new LifoQueue({ capacity: 4, type: "int32" }), [
    1,
    2,
    3,
  ], 4],
  ["LifoQueue<structured>", () => new LifoQueue({ capacity: 4 }), [
    "a",
    { b: 2 },
    [3, "c"],
  ], "d"],
  [
    "PriorityQueue<int32>",
    () => new PriorityQueue({ capacity: 4, type: "int32" }),
    [3, 2, 1],
    4,
  ],
  ["PriorityQueue<structured>", () => new PriorityQueue({ capacity: 4 }), [
    [3, "c"],
    [2, "b"],
    [1, "a"],
  ], [4, "d"]],
];

function startHolder(q: Q, die: boolean, named: boolean) {
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const t = new Thread<typeof holderModule.holdStore>({
    target: { module: holder, export: "holdStore" },
    args: [q as never, flag, die, named],
  });
  t.start();
  return { t, flag };
}

function letGo(flag: Int32Array): void {
  Atomics.store(flag, 1, 1);
  Atomics.notify(flag, 1);
}

// A nowait call in a thread of its own: [what it got or the error's name,
// the ms it took]. flag[0] is set as it starts.
function nowaitCall(q: Q, put: unknown, flag: Int32Array): [unknown, number] {
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const t0 = performance.now();
  try {
    const got = put === undefined ? q.getNowait() : (q.putNowait(put), "put");
    return [got, performance.now() - t0];
  } catch (error) {
    return [(error as Error).name, performance.now() - t0];
  }
}

function timed<T>(call: () => T): [T | string, number] {
  const t0 = performance.now();
  try {
    return [call(), performance.now() - t0];
  } catch (error) {
    return [(error as Error).name, performance.now() - t0];
  }
}

describe("LifoQueue and PriorityQueue nowait calls and a holder of the store lock", () => {
  for (
    const [kind, make, items, more, named] of KINDS.flatMap((k) =>
      [false, true].map((named) => [...k, named] as const)
    )
  ) {
    // named: the holder names itself in HOLDER, outside a decode (a
    // custom-codec get between its decodes); else only the Lock word names
    // it (a put, a default-codec get).
    const title = `${kind}${named ? ", holder named in HOLDER" : ""}`;
    it(`${title}: behind a live holder, getNowait and putNowait return within IDLE_GRACE, and a busy report changes nothing`, async () => {
      const q = make();
      for (const x of items) q.put(x);
      const { t, flag } = startHolder(q, false, named);
      try {
        assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
        const [got, tookGet] = timed(() => q.getNowait());
        assert.equal(got, "QueueEmptyError", "the lock was held throughout");
        assert.ok(tookGet < IDLE_GRACE + SLACK, `getNowait took ${tookGet}`);
        const [put, tookPut] = timed(() => q.putNowait(more));
        assert.equal(put, "QueueFullError");
        assert.ok(tookPut < IDLE_GRACE + SLACK, `putNowait took ${tookPut}`);
      } finally {
        letGo(flag);
      }
      assert.equal(await t.joinAsync(JOIN), "released");
      // Unchanged: every item once, none added.
      assert.equal(q.qsize(), 3);
      assert.deepEqual(q.getNowait(), items[2]);
      q.putNowait(more);
      assert.deepEqual(
        [q.getNowait(), q.getNowait(), q.getNowait()],
        [
          more,
          items[1],
          items[0],
        ].sort(kind.startsWith("Priority") ? byPriority : () => 0),
      );
      assert.throws(() => q.getNowait(), QueueEmptyError);
    });

    it(`${title}: a getNowait and a putNowait in other threads while the holder lets go: each succeeds, or reports busy only after IDLE_GRACE; nothing lost or doubled`, async () => {
      const q = make();
      for (const x of items) q.put(x);
      const { t, flag } = startHolder(q, false, named);
      const f1 = new Int32Array(new SharedArrayBuffer(4));
      const f2 = new Int32Array(new SharedArrayBuffer(4));
      let getter: Thread | undefined, putter: Thread | undefined;
      try {
        assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
        getter = new Thread({ target: nowaitCall, args: [q, undefined, f1] });
        putter = new Thread({ target: nowaitCall, args: [q, more, f2] });
        getter.start();
        putter.start();
        assert.equal(await wordChanged(f1, 0, 0), true);
        assert.equal(await wordChanged(f2, 0, 0), true);
      } finally {
        letGo(flag);
      }
      assert.equal(await t.joinAsync(JOIN), "released");
      const [got, tookGet] = await getter!.joinAsync(JOIN) as [unknown, number];
      const [put, tookPut] = await putter!.joinAsync(JOIN) as [unknown, number];
      if (got === "QueueEmptyError") {
        assert.ok(tookGet >= IDLE_GRACE, `Empty after ${tookGet} ms`);
      }
      if (put === "QueueFullError") {
        assert.ok(tookPut >= IDLE_GRACE, `Full after ${tookPut} ms`);
      }
      const left = q.getMany();
      const all = got === "QueueEmptyError" ? left : [got, ...left];
      const expect = put === "put" ? [...items, more] : [...items];
      assert.deepEqual(sorted(all), sorted(expect), "each item once");
    });

    it(`${title}: a holder that dies holding the store lock is taken over by getNowait and putNowait; its items are all there`, async () => {
      const q = make();
      for (const x of items) q.put(x);
      const { t, flag } = startHolder(q, true, named);
      assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
      letGo(flag);
      await assert.rejects(t.joinAsync(JOIN), (e: unknown) => {
        assert.ok(e instanceof ThreadExitError, String(e));
        assert.equal((e as ThreadExitError).code, 5);
        return true;
      });
      const [got, tookGet] = timed(() => q.getNowait());
      assert.deepEqual(got, items[2]);
      assert.ok(tookGet < IDLE_GRACE + SLACK, `getNowait took ${tookGet}`);
      const [put] = timed(() => q.putNowait(more));
      assert.equal(put, undefined);
      assert.equal(q.qsize(), 3);
      assert.deepEqual(
        sorted(q.getMany()),
        sorted([items[0], items[1], more]),
      );
    });

    it(`${title}: a getNowait waiting in another thread when the holder dies: it takes the item over, or reports Empty only after IDLE_GRACE; nothing lost`, async () => {
      const q = make();
      for (const x of items) q.put(x);
      const { t, flag } = startHolder(q, true, named);
      const f1 = new Int32Array(new SharedArrayBuffer(4));
      assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
      const getter = new Thread({
        target: nowaitCall,
        args: [q, undefined, f1],
      });
      getter.start();
      assert.equal(await wordChanged(f1, 0, 0), true);
      letGo(flag);
      await assert.rejects(t.joinAsync(JOIN), ThreadExitError);
      const [got, took] = await getter.joinAsync(JOIN) as [unknown, number];
      if (got === "QueueEmptyError") {
        assert.ok(took >= IDLE_GRACE, `Empty after ${took} ms`);
      } else assert.deepEqual(got, items[2]);
      const left = q.getMany();
      const all = got === "QueueEmptyError" ? left : [got, ...left];
      assert.deepEqual(sorted(all), sorted(items), "each item once");
    });
  }
});

function byPriority(a: unknown, b: unknown): number {
  const k = (x: unknown) => (Array.isArray(x) ? x[0] : x) as number;
  return k(a) - k(b);
}

function sorted(xs: unknown[]): string[] {
  return xs.map((x) => JSON.stringify(x)).sort();
}
