// Copyright 2026 the threadkit authors. MIT license.
// A putter (getter) that stops between publishing its item (taking it) and
// waking the other side leaves NOT_EMPTY (NOT_FULL) unbumped: the sleeper
// still gets the item (puts its own) within a bound, because a queue's
// waiter looks again at each slice end (_core/wait.ts, "A waker that stops";
// queue/_state.ts). The stopping thread is a real thread that makes the
// library's own put (get) and stops at the wake's first step
// (tests/_workers/stop_waker.ts): by a real stack overflow there, which it
// catches and survives, or by exiting there. Each bounded kind (numeric
// ring, structured ring, the locked stores), blocking sleepers in a thread
// and async ones in the test's thread. Exact counts: the sleeper gets
// exactly the stopped put's item, and the queue is empty after.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, PriorityQueue, Queue, Thread } from "../../mod.ts";
import { until } from "../_helpers.ts";

const stop = new URL("../_workers/stop_waker.ts", import.meta.url);
const JOIN = { timeout: 30_000 };
// Bound on the sleeper's wait after the stop: slices are 50 ms; a loaded
// machine may hold a thread off the core for seconds. A lost wakeup hangs
// forever, so any bound catches it.
const BOUND = 15_000;
const GET_WAITERS = 3;
const PUT_WAITERS = 4;
const NOT_EMPTY = 64;
const NOT_FULL = 65;
const JOIN_WAITERS = 5;
const ALL_DONE = 66;

type AnyQueue = Queue<unknown> | LifoQueue<unknown> | PriorityQueue<unknown>;
const KINDS: [string, () => AnyQueue, unknown, unknown][] = [
  ["Queue<int32>", () => new Queue({ capacity: 2, type: "int32" }), 7, 8],
  ["Queue", () => new Queue({ capacity: 2 }), { n: 7 }, { n: 8 }],
  [
    "LifoQueue<int32>",
    () => new LifoQueue({ capacity: 2, type: "int32" }),
    7,
    8,
  ],
  ["LifoQueue", () => new LifoQueue({ capacity: 2 }), { n: 7 }, { n: 8 }],
  [
    "PriorityQueue<int32>",
    () => new PriorityQueue({ capacity: 2, type: "int32" }),
    7,
    8,
  ],
  [
    "PriorityQueue",
    () => new PriorityQueue({ capacity: 2 }),
    [7, "x"],
    [8, "y"],
  ],
];

// The queue's header words (its descriptor names them).
function header(q: AnyQueue): Int32Array {
  const key = Symbol.for("threadkit.toDescriptor");
  const d = (q as unknown as Record<
    symbol,
    () => {
      buffer: SharedArrayBuffer;
      byteOffset: number;
    }
  >)[key]();
  return new Int32Array(d.buffer, d.byteOffset, 80);
}

type Mode = "overflow" | "exit";

// After a failure: the wake the stopped thread did not make (its release
// may have cleared the SLEEPER bit, so a later put would not wake either),
// so no sleeper is left waiting.
function rescue(h: Int32Array, seq: number): void {
  Atomics.add(h, seq, 1);
  Atomics.notify(h, seq);
}

// Runs the stopping thread (its export, args) and checks how it ended:
// whether it stopped at the wake. It does not when its call found no
// sleeper registered: a sleeper looks again at each slice end, leaving the
// waiters' count for a moment (queue/_state.ts), and a call then makes no
// wake at all (the sleeper finds the item as it looks again).
async function runStopper(
  mode: Mode,
  exp: "putThenStop" | "getThenStop" | "callThenStop",
  args: unknown[],
  stopped: Int32Array,
): Promise<boolean> {
  const t: Thread = new Thread({
    target: { module: stop, export: exp },
    args: args as never,
  });
  t.start();
  const r = await t.joinAsync(JOIN).catch((error) => error);
  assert.equal(t.isAlive(), false);
  if (Atomics.load(stopped, 0) === 0) {
    assert.equal(r, "no stop");
    return false;
  }
  // A put into a locked store (LifoQueue, PriorityQueue) wakes after the
  // store with a call (afterPut): overflowing there, it wakes inline and
  // returns, the item in (queue/_state.ts "Accepted"); a ring's wake is in
  // its release, past the publish, and a get's after its take: they throw.
  const locked = args[0] instanceof LifoQueue ||
    args[0] instanceof PriorityQueue;
  if (mode === "overflow") {
    assert.equal(r, exp === "putThenStop" && locked ? "went on" : "RangeError");
  } else assert.ok(r instanceof Error, "it exited mid-call");
  return true;
}

// Waits until one waiter is registered in `h[waiters]` (`what`), then runs
// the stopping thread (export `exp`; `args`, then the mode and its stop
// word, then `after`) and checks how it ended (runStopper).
async function stopWhenWaiting(
  h: Int32Array,
  waiters: number,
  what: string,
  mode: Mode,
  exp: "putThenStop" | "getThenStop" | "callThenStop",
  args: unknown[],
  after: unknown[] = [],
): Promise<boolean> {
  await until(() => Atomics.load(h, waiters) === 1, what);
  const stopped = flag();
  return await runStopper(
    mode,
    exp,
    [...args, mode, stopped, ...after],
    stopped,
  );
}

// A shared word, 0 until a thread sets it.
function flag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

// Runs `round` until one has its waker stopped at the wake (see runStopper;
// every round checks that its sleeper gets through).
async function rounds(round: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 10; i++) if (await round()) return;
  assert.fail("no round had its waker stop at the wake");
}

// Resolves to `p`'s value, or rejects after BOUND ms.
async function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} never came`)), BOUND);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

for (const mode of ["overflow", "exit"] as const) {
  describe(`a waker that stops before its wake (${mode})`, () => {
    for (const [name, make, item, other] of KINDS) {
      it(`${name}: a blocking getter gets the item`, () =>
        rounds(async () => {
          const q = make();
          const h = header(q);
          const got = flag();
          const sleeper = new Thread({
            target: (q: AnyQueue, got: Int32Array) => {
              const x = q.get(); // no timeout: only a wake or a look again
              Atomics.store(got, 0, 1);
              return x;
            },
            args: [q, got],
          });
          sleeper.start();
          try {
            const hit = await stopWhenWaiting(
              h,
              GET_WAITERS,
              "a getter",
              mode,
              "putThenStop",
              [q, item, NOT_EMPTY],
            );
            await until(
              () => Atomics.load(got, 0) === 1,
              "the sleeper's item",
              BOUND,
            );
            assert.deepEqual(await sleeper.joinAsync(JOIN), item);
            assert.equal(q.qsize(), 0);
            return hit;
          } finally {
            if (sleeper.isAlive()) {
              q.put(other as never);
              rescue(h, NOT_EMPTY);
              await sleeper.joinAsync(JOIN);
            }
          }
        }));

      it(`${name}: an async getter gets the item`, () =>
        rounds(async () => {
          const q = make();
          const h = header(q);
          const getting = q.getAsync();
          try {
            const hit = await stopWhenWaiting(
              h,
              GET_WAITERS,
              "a getter",
              mode,
              "putThenStop",
              [q, item, NOT_EMPTY],
            );
            assert.deepEqual(await bounded(getting, "the item"), item);
            assert.equal(q.qsize(), 0);
            return hit;
          } finally {
            q.put(other as never); // ends a getter still waiting
            rescue(h, NOT_EMPTY);
            await getting.catch(() => {});
          }
        }));

      it(`${name}: a blocking putter puts its item`, () =>
        rounds(async () => {
          const q = make();
          const h = header(q);
          q.put(item as never);
          q.put(item as never); // full (capacity 2)
          const done = flag();
          const sleeper = new Thread({
            target: (q: AnyQueue, x: unknown, done: Int32Array) => {
              q.put(x as never); // no timeout: only a wake or a look again
              Atomics.store(done, 0, 1);
            },
            args: [q, other, done],
          });
          sleeper.start();
          try {
            const hit = await stopWhenWaiting(
              h,
              PUT_WAITERS,
              "a putter",
              mode,
              "getThenStop",
              [q, NOT_FULL],
            );
            await until(
              () => Atomics.load(done, 0) === 1,
              "the sleeper's put",
              BOUND,
            );
            await sleeper.joinAsync(JOIN);
            assert.equal(q.qsize(), 2);
            const left = [q.get({ block: false }), q.get({ block: false })];
            assert.equal(
              left.filter((x) => JSON.stringify(x) === JSON.stringify(other))
                .length,
              1,
            );
            return hit;
          } finally {
            if (sleeper.isAlive()) {
              q.get({ block: false });
              rescue(h, NOT_FULL);
              await sleeper.joinAsync(JOIN);
            }
          }
        }));
    }

    it("Queue.join: an async joiner returns after a stopped taskDone", () =>
      rounds(async () => {
        const q = new Queue({ capacity: 2, type: "int32" });
        const h = header(q);
        q.put(1);
        q.get();
        const held = new Int32Array(new SharedArrayBuffer(8));
        held[1] = 1; // go at once, once the joiner is registered
        const joining = q.joinAsync();
        try {
          const hit = await stopWhenWaiting(
            h,
            JOIN_WAITERS,
            "a joiner",
            mode,
            "callThenStop",
            [q, "", "taskDone", "add", ALL_DONE],
            [held],
          );
          assert.equal(await bounded(joining, "the join"), true);
          return hit;
        } finally {
          rescue(h, ALL_DONE);
          await joining.catch(() => {});
        }
      }));
  });
}
