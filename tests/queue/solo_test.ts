// Copyright 2026 the threadkit authors. MIT license.
// Queue's single-side modes (singleWriter, singleReader; queue/_solo.ts):
// option checks, the role (a second thread's put/get throws RoleError and
// changes nothing; the role passes on once its thread has stopped), the
// waits and shutdown in these modes, the counter-wrap cases of
// races_test.ts in these modes, corrupt words, and stress with real
// threads and exact counts in every mode. Header slots: queue/_layout.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  moduleTarget,
  PriorityQueue,
  Queue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  RoleError,
  RuntimeError,
  SimpleQueue,
  Thread,
} from "../../mod.ts";
import type * as work from "../_workers/queue_stress.ts";
import { identStopped } from "../../_core/runtime.ts";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { until } from "../_helpers.ts";

const JOIN = { timeout: 60_000 };
const GET_WAITERS = 3;
const PUT_WAITERS = 4;
const MODULUS = 8;
const PHASE = 9;
const TAIL = 16;
const LAPS = 17;
const WRITER = 18;
const HEAD = 32;
const READER = 36;
const DONE = 48;
const LOCKED = 1 << 28;

type Modes = { singleWriter?: boolean; singleReader?: boolean };
const MODES: [string, Modes][] = [
  ["singleWriter", { singleWriter: true }],
  ["singleReader", { singleReader: true }],
  ["singleWriter+singleReader", { singleWriter: true, singleReader: true }],
];

function header(q: Queue<number>): Int32Array {
  return new Int32Array(q.region.buffer, q.region.byteOffset, 96);
}

function words(q: Queue<number>): number[] {
  const h = header(q);
  return [TAIL, HEAD, LAPS, PHASE, WRITER, READER].map((i) =>
    Atomics.load(h, i)
  );
}

// Runs in a thread: every put or get form, each expected to throw RoleError
// naming `role`; returns what each threw (or "no error").
async function tryAll(
  q: Queue<number>,
  side: "put" | "get",
): Promise<string[]> {
  const out: string[] = [];
  const calls: (() => unknown)[] = side === "put"
    ? [
      () => q.put(1),
      () => q.putNowait(1),
      () => q.put(1, { timeout: 5 }),
      () => q.putMany([1, 2]),
      () => q.putMany(new Int32Array([1, 2])),
      () => q.putAsync(1),
      () => q.putManyAsync([1]),
    ]
    : [
      () => q.get(),
      () => q.getNowait(),
      () => q.get({ timeout: 5 }),
      () => q.getMany(2),
      () => q.getManyInto(new Int32Array(2)),
      () => q.getAsync(),
      () => q.getManyAsync(2),
      () => q.getManyIntoAsync(new Int32Array(2)),
    ];
  for (const call of calls) {
    try {
      await call();
      out.push("no error");
    } catch (e) {
      const r = e as RoleError;
      out.push(`${r.name} ${r.role} ${r.holder}`);
    }
  }
  return out;
}

describe("Queue singleWriter/singleReader", () => {
  it("checks the options: booleans, bounded numeric Queue only", () => {
    const int32 = { capacity: 4, type: "int32" } as const;
    for (const key of ["singleWriter", "singleReader"]) {
      assert.throws(
        () => new Queue({ ...int32, [key]: 1 }),
        { name: "TypeError", message: new RegExp(`${key} must be a boolean`) },
      );
      assert.throws(() => new Queue({ capacity: 4, [key]: true }), TypeError);
      assert.throws(() => new Queue({ type: "int32", [key]: true }), TypeError);
      assert.throws(() => new LifoQueue({ ...int32, [key]: true }), TypeError);
      assert.throws(
        () => new PriorityQueue({ ...int32, [key]: true }),
        TypeError,
      );
      new Queue({ ...int32, [key]: false }).put(1); // false: the default
      // Unbounded queues, SimpleQueue included: any value but false/undefined.
      assert.throws(() => new Queue({ type: "int32", [key]: 0 }), TypeError);
      assert.throws(() => new SimpleQueue({ [key]: true } as never), TypeError);
      new SimpleQueue({ [key]: false } as never).put(1);
    }
  });

  for (const [name, modes] of MODES) {
    it(`${name}: another thread's put/get throws RoleError and changes nothing`, async () => {
      const q = new Queue<number>({ capacity: 4, type: "int32", ...modes });
      q.put(10); // main takes the roles it declares
      q.put(11);
      assert.equal(q.get(), 10);
      const me = header(q)[modes.singleWriter ? WRITER : READER];
      assert.ok(me > 0);
      const before = words(q);
      for (const side of ["put", "get"] as const) {
        const single = side === "put" ? modes.singleWriter : modes.singleReader;
        if (!single) continue;
        const t = new Thread({ target: tryAll, args: [q, side] });
        t.start();
        const got = await t.joinAsync(JOIN) as string[];
        const role = side === "put" ? "writer" : "reader";
        assert.deepEqual(got, got.map(() => `RoleError ${role} ${me}`));
        assert.deepEqual(words(q), before);
        assert.equal(q.qsize(), 1);
      }
      // Every thread may still look, count, finish tasks and shut down.
      const t = new Thread({
        target: (q: Queue<number>) => {
          const r = [q.qsize(), q.empty(), q.full()];
          q.taskDone();
          q.shutdown();
          return r;
        },
        args: [q],
      });
      t.start();
      assert.deepEqual(await t.joinAsync(JOIN), [1, false, false]);
      assert.throws(() => q.put(1), QueueShutDownError);
      if (modes.singleWriter) { // shut down tells any thread so, as Python
        const late = new Thread({
          target: (q: Queue<number>) => {
            try {
              q.putNowait(1);
            } catch (e) {
              return (e as Error).name;
            }
          },
          args: [q],
        });
        late.start();
        assert.equal(await late.joinAsync(JOIN), "QueueShutDownError");
      }
      assert.equal(q.get(), 11);
      assert.throws(() => q.getNowait(), QueueShutDownError);
    });

    it(`${name}: the role passes to the next thread once its thread has stopped`, async () => {
      const q = new Queue<number>({ capacity: 8, type: "int32", ...modes });
      const flag = new Int32Array(new SharedArrayBuffer(8));
      const t = new Thread({
        target: (q: Queue<number>, flag: Int32Array) => {
          q.putMany([1, 2, 3]);
          const x = q.get();
          Atomics.store(flag, 0, 1); // it holds its roles
          Atomics.notify(flag, 0);
          Atomics.wait(flag, 1, 0, 30_000); // until the test has tried
          return x;
        },
        args: [q, flag],
      });
      t.start();
      await until(() => Atomics.load(flag, 0) === 1, "the roles taken");
      const h = header(q);
      const before = words(q);
      if (modes.singleWriter) {
        assert.equal(h[WRITER], t.ident);
        assert.throws(() => q.put(9), (e) => e instanceof RoleError);
      }
      if (modes.singleReader) {
        assert.equal(h[READER], t.ident);
        assert.throws(() => q.getMany(), (e) => e instanceof RoleError);
      }
      assert.deepEqual(words(q), before);
      Atomics.store(flag, 1, 1);
      Atomics.notify(flag, 1);
      assert.equal(await t.joinAsync(JOIN), 1);
      await until(() => identStopped(t.ident!) !== undefined, "the stop");
      // It gave its roles back itself before it recorded its stop.
      assert.deepEqual([h[WRITER], h[READER]], [0, 0]);
      // A stop seen only from outside (no hook ran): the role word still
      // names the thread, and the stop ring says it stopped.
      if (modes.singleWriter) h[WRITER] = t.ident!;
      if (modes.singleReader) h[READER] = t.ident!;
      q.put(4); // takes over whichever role is declared
      assert.deepEqual(q.getMany(), [2, 3, 4]);
      if (modes.singleWriter) assert.notEqual(h[WRITER], t.ident);
      if (modes.singleReader) assert.notEqual(h[READER], t.ident);
    });

    it(`${name}: blocking, timed, async and aborted waits; sleepers woken`, async () => {
      const q = new Queue<number>({ capacity: 2, type: "int32", ...modes });
      q.putMany([1, 2]);
      assert.throws(() => q.putNowait(3), QueueFullError);
      assert.throws(() => q.put(3, { timeout: 10 }), QueueFullError);
      const ac = new AbortController();
      const p = q.putAsync(3, { signal: ac.signal });
      ac.abort();
      await assert.rejects(p, { name: "AbortError" });
      assert.deepEqual(q.getMany(), [1, 2]);
      assert.throws(() => q.getNowait(), QueueEmptyError);
      assert.throws(() => q.get({ timeout: 10 }), QueueEmptyError);
      // A getter asleep in a thread (GET_WAITERS up, SLEEPER in TAIL) is
      // woken by the writer's put; a putter asleep on a full queue by the
      // reader's get. Roles: main writes and reads, so the sleeper of each
      // kind is main itself through the async forms.
      const h = header(q);
      const got = q.getAsync({ timeout: 30_000 });
      await until(() => Atomics.load(h, GET_WAITERS) > 0, "a getter");
      q.put(5);
      assert.equal(await got, 5);
      q.putMany([6, 7]);
      const put = q.putAsync(8, { timeout: 30_000 });
      await until(() => Atomics.load(h, PUT_WAITERS) > 0, "a putter");
      assert.equal(q.get(), 6);
      await put;
      assert.deepEqual(q.getMany(), [7, 8]);
    });
  }

  it("singleWriter: a thread asleep in get is woken by the writer's put", async () => {
    const q = new Queue<number>({
      capacity: 2,
      type: "int32",
      singleWriter: true,
    });
    const h = header(q);
    const t = new Thread({
      target: (
        q: Queue<number>,
      ) => [q.get({ timeout: 30_000 }), q.get({ timeout: 30_000 })],
      args: [q],
    });
    t.start();
    await until(
      () => Atomics.load(h, GET_WAITERS) > 0 && h[TAIL] < 0,
      "the getter's mark",
    );
    q.put(1);
    await until(
      () => Atomics.load(h, GET_WAITERS) > 0 && h[TAIL] < 0,
      "the getter's mark",
    );
    q.putMany([2]);
    assert.deepEqual(await t.joinAsync(JOIN), [1, 2]);
  });

  it("singleWriter+singleReader: many putAsync calls in flight from the writer thread deliver every item once", async () => {
    const q = new Queue<number>({
      capacity: 4,
      type: "int32",
      singleWriter: true,
      singleReader: true,
    });
    const n = 2000;
    const t = new Thread({
      target: (q: Queue<number>, n: number) => {
        const seen = new Uint8Array(n);
        for (let i = 0; i < n; i++) seen[q.get({ timeout: 30_000 })]++;
        return seen.every((x) => x === 1);
      },
      args: [q, n],
    });
    t.start();
    const puts = [];
    for (let i = 0; i < n; i++) puts.push(q.putAsync(i, { timeout: 30_000 }));
    await Promise.all(puts);
    assert.equal(await t.joinAsync(JOIN), true);
    assert.equal(q.qsize(), 0);
  });

  it("a RoleError thrown in a thread arrives at join as a RoleError", async () => {
    const q = new Queue<number>({
      capacity: 4,
      type: "int32",
      singleWriter: true,
    });
    q.put(1);
    const t = new Thread({ target: (q: Queue<number>) => q.put(2), args: [q] });
    t.start();
    await assert.rejects(
      t.joinAsync(JOIN),
      (e) => e instanceof RoleError && /single writer/.test(e.message),
    );
    assert.equal(q.qsize(), 1);
  });

  it("singleReader: an immediate shutdown from another thread discards the items", async () => {
    const q = new Queue<number>({
      capacity: 8,
      type: "int32",
      singleReader: true,
    });
    q.putMany([1, 2, 3]);
    assert.equal(q.get(), 1); // main is the reader
    const t = new Thread({
      target: (q: Queue<number>) => q.shutdown({ immediate: true }),
      args: [q],
    });
    t.start();
    await t.joinAsync(JOIN);
    assert.equal(q.qsize(), 0);
    assert.throws(() => q.getNowait(), QueueShutDownError);
    q.taskDone();
    q.join({ timeout: 1000 }); // the discarded items count as done
  });

  it("singleWriter: corrupt TAIL and WRITER words throw RangeError", () => {
    const q = new Queue<number>({
      capacity: 4,
      type: "int32",
      singleWriter: true,
    });
    const h = header(q);
    q.put(1);
    Atomics.or(h, TAIL, LOCKED); // no single-writer put writes a lock bit
    assert.throws(() => q.put(2), RangeError);
    Atomics.and(h, TAIL, ~LOCKED);
    Atomics.store(h, WRITER, 1 << 29); // names no thread started
    assert.throws(() => q.put(2), RangeError);
    Atomics.store(h, WRITER, 0);
    q.put(2);
    assert.deepEqual(q.getMany(), [1, 2]);
  });

  // races_test.ts's counter-wrap cases in these modes: the counters are
  // stored directly to stand in for about 2^28 items of traffic.
  for (const [name, modes] of MODES) {
    it(`${name}: put on a handle idle across a counter wrap sees the queue full`, () => {
      const q = new Queue<number>({ capacity: 4, type: "int32", ...modes });
      const h = header(q);
      const m = h[MODULUS];
      q.put(1); // this handle last saw HEAD 0 and left TAIL 1
      Atomics.store(h, LAPS, 1); // one lap on: TAIL 1, HEAD 1 - 4
      Atomics.store(h, HEAD, m - 3);
      new Int32Array(q.region.buffer, q.region.byteOffset + 384, 4)
        .set([10, 11, 12, 13]);
      assert.throws(() => q.putNowait(99), QueueFullError);
      assert.equal(Atomics.load(h, TAIL), 1);
      assert.deepEqual(q.getMany(), [11, 12, 13, 10]);
    });

    it(`${name}: get on a handle idle across a wrap finds the items although TAIL equals its old HEAD`, () => {
      const buffer = new SharedArrayBuffer(1024);
      const q = new Queue<number>({
        capacity: 4,
        type: "int32",
        buffer,
        ...modes,
      });
      const h = header(q);
      const data = new Int32Array(buffer, 384, 4);
      const m = h[MODULUS];
      const other = reviveDescriptor(q[TO_DESCRIPTOR]()) as Queue<number>;
      q.putMany([1, 2, 3, 4]);
      assert.equal(q.get(), 1);
      assert.deepEqual(other.getMany(), [2, 3, 4]); // same thread: allowed
      data[3] = 77;
      data[0] = 88;
      Atomics.store(h, HEAD, m - 1);
      Atomics.store(h, TAIL, 1);
      Atomics.add(h, LAPS, 1);
      Atomics.add(h, PHASE, 4);
      assert.equal(q.qsize(), 2);
      assert.equal(q.getNowait(), 77);
      q.shutdown();
      assert.deepEqual([q.get({ timeout: 1000 }), q.qsize()], [88, 0]);
    });

    it(`${name}: a get on a handle whose cache another handle of its thread made stale, a lap on, finds the queue empty`, () => {
      const q = new Queue<number>({ capacity: 4, type: "int32", ...modes });
      const h = header(q);
      const other = reviveDescriptor(q[TO_DESCRIPTOR]()) as Queue<number>;
      q.putMany([1, 2, 3, 4]);
      assert.equal(q.get(), 1); // q's cache: HEAD 1, TAIL 4
      assert.equal(other.get(), 2);
      // As if other had taken one lap of items more: HEAD and TAIL back at
      // q's cached HEAD (mod M), the queue empty, slot 1 still holding 2.
      for (const [i, v] of [[HEAD, 1], [TAIL, 1], [LAPS, 1], [PHASE, 4]]) {
        Atomics.store(h, i, v);
      }
      assert.throws(() => q.getNowait(), QueueEmptyError);
      assert.equal(Atomics.load(h, HEAD), 1);
      q.put(9);
      assert.equal(q.get(), 9);
    });

    it(`${name}: a second handle of the writer's thread puts after the first (stale cache)`, () => {
      const q = new Queue<number>({ capacity: 4, type: "int32", ...modes });
      const other = reviveDescriptor(q[TO_DESCRIPTOR]()) as Queue<number>;
      q.putMany([1, 2, 3]);
      assert.equal(other.get(), 1);
      other.putMany([4, 5]); // this handle never put: TAIL 3, not its 0
      assert.throws(() => q.putNowait(6), QueueFullError); // q's hint: TAIL 3
      assert.deepEqual(q.getMany(), [2, 3, 4, 5]);
      q.put(6);
      assert.deepEqual(other.getMany(), [6]);
    });
  }
});

// Stress: real threads, every item counted (tests/_workers/queue_stress.ts:
// one byte per item, FIFO per producer checked by each consumer).
const WORK = new URL("../_workers/queue_stress.ts", import.meta.url);
const N = 60_000;

function start(name: keyof typeof work, args: unknown[]): Thread {
  const t = new Thread({
    target: moduleTarget<(...a: never[]) => unknown>(WORK, name),
    args: args as never,
    name,
  });
  t.start();
  return t;
}

async function soloStress(
  q: Queue<number>,
  producers: [keyof typeof work, unknown[]][],
  consumers: [keyof typeof work, unknown[]][],
) {
  const seen = new Uint8Array(new SharedArrayBuffer(producers.length * N));
  const ps = producers.map(([f, a]) => start(f, [q, ...a]));
  const cs = consumers.map(([f, a]) =>
    start(f, [q, seen, N, producers.length, ...a])
  );
  for (const p of ps) assert.equal(await p.joinAsync(JOIN), N);
  q.shutdown(); // consumers drain what is left, then end
  let total = 0;
  for (const c of cs) {
    const r = await c.joinAsync(JOIN) as work.Consumed;
    assert.equal(r.ordered, true, "a producer's items arrived out of order");
    total += r.count;
  }
  assert.equal(total, producers.length * N);
  const bad = seen.findIndex((x) => x !== 1);
  assert.equal(bad, -1, `item ${bad} delivered ${seen[bad]} times`);
  assert.equal(q.qsize(), 0);
}

describe("Queue singleWriter/singleReader stress", () => {
  for (const capacity of [4, 5]) {
    it(`singleWriter+singleReader, capacity ${capacity}: one thread puts ${N} items by every put form, one gets them by every get form, each exactly once, in order`, async () => {
      const q = new Queue<number>({
        capacity,
        type: "int32",
        singleWriter: true,
        singleReader: true,
      });
      await soloStress(q, [["produceMixed", [0, N]]], [["consumeMixed", []]]);
    });
  }

  for (const [name, modes] of MODES.slice(1)) {
    it(`${name}, capacity 4: an immediate shutdown from a third thread races the reader's gets: every accepted item is taken once or discarded, and the task count ends at exactly 0`, async () => {
      for (let round = 0; round < 6; round++) {
        const q = new Queue<number>({ capacity: 4, type: "int32", ...modes });
        const n = 1 << 20;
        const seen = new Uint8Array(new SharedArrayBuffer(n));
        const progress = new Int32Array(new SharedArrayBuffer(4));
        const w = start("produceUntilShut", [q, n]);
        const r = start("consumeUntilShut", [q, seen, progress]);
        const at = 200 + round * 500;
        await until(() => Atomics.load(progress, 0) >= at, "reader progress");
        q.shutdown({ immediate: true });
        const accepted = await w.joinAsync(JOIN) as number;
        const taken = await r.joinAsync(JOIN) as number;
        assert.ok(taken >= at && taken <= accepted, `${taken} of ${accepted}`);
        assert.equal(q.qsize(), 0);
        // Taken: items 0 .. taken - 1, once each (the reader checked the
        // order); discarded: the rest of the accepted ones, counted done.
        assert.equal(seen.findIndex((x, i) => x !== (i < taken ? 1 : 0)), -1);
        assert.equal(q.join({ timeout: 10_000 }), true);
        assert.throws(() => q.taskDone(), RuntimeError); // DONE == TAIL
      }
    });
  }

  // The single writer's fast put hands a put that wraps M or crosses a
  // multiple of PHASE's stride to its slow path: the counters start just
  // below such a position (as if about 2^28 items had passed; DONE with
  // them, so the task count is 0) and real threads run across it.
  for (
    const [capacity, where, at, mixed] of [
      [
        4,
        "the wrap of M (also a stride crossing)",
        (m: number) => m - 30_000,
        false,
      ],
      [
        5,
        "a stride crossing (M not a multiple of the stride)",
        () => 7 * 2 ** 25 - 30_000,
        false,
      ],
      [
        5,
        "the wrap of M (no stride crossing there)",
        (m: number) => m - 30_000,
        false,
      ],
      [
        5,
        "the wrap of M (no stride crossing there)",
        (m: number) => m - 30_000,
        true,
      ],
    ] as const
  ) {
    it(`singleWriter+singleReader, capacity ${capacity}: ${N} items across ${where}, ${mixed ? "every put and get form" : "single put and get"}, each exactly once, in order`, async () => {
      const q = new Queue<number>({
        capacity,
        type: "int32",
        singleWriter: true,
        singleReader: true,
      });
      const h = header(q);
      const m = h[MODULUS], start = at(m), phase = Atomics.load(h, PHASE);
      for (const i of [TAIL, HEAD, DONE]) Atomics.store(h, i, start);
      await soloStress(
        q,
        [mixed ? ["produceMixed", [0, N]] : ["produce", [0, N, false, 1]]],
        [mixed ? ["consumeMixed", []] : ["consume", [1]]],
      );
      const tail = Atomics.load(h, TAIL) & (LOCKED - 1);
      assert.equal(tail, (start + N) % h[MODULUS]);
      // PHASE moved once for each multiple of the stride the puts reached
      // (0, the wrap, is one), no more, no less (queue/_ring.ts).
      const stride = (1 << (31 - Math.clz32(Math.floor(m / 4)))) - 1;
      let crossings = 0;
      for (let k = 1; k <= N; k++) {
        if ((((start + k) % m) & stride) === 0) crossings++;
      }
      assert.ok(crossings >= 1);
      assert.equal(Atomics.load(h, PHASE) - phase, crossings);
      for (let i = 0; i < N; i++) q.taskDone(); // DONE across the wrap too
      assert.equal(q.join({ timeout: 10_000 }), true);
      assert.throws(() => q.taskDone(), RuntimeError); // DONE == TAIL
    });
  }

  it(`singleWriter, capacity 7: one writer thread, three consumers (get, getMany, for await), every item exactly once`, async () => {
    const q = new Queue<number>({
      capacity: 7,
      type: "int32",
      singleWriter: true,
    });
    await soloStress(q, [["produceMixed", [0, N]]], [
      ["consume", [1]],
      ["consume", [13]],
      ["consumeAsync", []],
    ]);
  });

  it(`singleReader, capacity 8: three producers (put, typed putMany, putAsync), one reader thread, every item exactly once`, async () => {
    const q = new Queue<number>({
      capacity: 8,
      type: "int32",
      singleReader: true,
    });
    await soloStress(q, [
      ["produce", [0, N, false, 1]],
      ["produceTyped", [1, N, 7]],
      ["produceAsync", [2, N, false]],
    ], [["consumeMixed", []]]);
  });
});
