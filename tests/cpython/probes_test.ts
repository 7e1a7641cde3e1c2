// Copyright 2026 the threadkit authors. MIT license.
// Adversarial probes of the public API, as an outside checker would write
// them against Python's model: bad arguments get a typed error at the call
// and change nothing; every wait, blocking and async, ends at its timeout,
// at its signal and at a thread's cancel(); primitives cross threads inside
// queue items; misuse from the wrong thread is refused; concurrent
// over-releases and extra taskDone() calls are refused exactly as often as
// they are too many.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  CancelledError,
  Condition,
  Event,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  QueueEmptyError,
  QueueFullError,
  RLock,
  RuntimeError,
  RWLock,
  Semaphore,
  Thread,
  TimeoutError,
  Timer,
} from "../../mod.ts";
import { until } from "../_helpers.ts";
import { bunch, JOIN, joinAll, words } from "./_bunch.ts";

// deno-lint-ignore no-explicit-any
const A = (x: unknown) => x as any;

describe("probes: bad arguments", () => {
  it("a placement that is not an object is a TypeError for every placeable primitive", () => {
    const cases: [string, (p: unknown) => unknown][] = [
      ["Lock", (p) => new Lock(A(p))],
      ["RLock", (p) => new RLock(A(p))],
      ["RWLock", (p) => new RWLock(A(p))],
      ["Event", (p) => new Event(A(p))],
      ["Condition", (p) => new Condition(undefined, A(p))],
      ["Semaphore", (p) => new Semaphore(1, A(p))],
      ["BoundedSemaphore", (p) => new BoundedSemaphore(1, A(p))],
    ];
    for (const [name, make] of cases) {
      for (const bad of [5, "x", true, null]) {
        assert.throws(() => make(bad), TypeError, `${name}(${String(bad)})`);
      }
    }
  });

  it("Python's positional forms are TypeErrors that say what to write", () => {
    const lock = new Lock();
    const q = new Queue<number>({ capacity: 2 });
    const e = new Event();
    const cases: [string, () => unknown, RegExp][] = [
      ["lock.acquire(false)", () => lock.acquire(A(false)), /blocking: false/],
      ["lock.acquire(1)", () => lock.acquire(A(1)), /timeout: 1/],
      ["event.wait(5)", () => e.wait(A(5)), /timeout: 5/],
      ["q.get(false)", () => q.get(A(false)), /block: false/],
      ["q.put(1, false)", () => q.put(1, A(false)), /block: false/],
      ["q.join(5)", () => q.join(A(5)), /timeout: 5/],
      ["q.shutdown(true)", () => q.shutdown(A(true)), /immediate: true/],
    ];
    for (const [name, call, says] of cases) {
      assert.throws(call, (e: unknown) => {
        assert.ok(e instanceof TypeError, `${name}: ${e}`);
        assert.match(e.message, says, name);
        return true;
      });
    }
    assert.equal(lock.locked(), false);
    assert.equal(q.isShutdown, false, "a refused shutdown(true) did nothing");
    assert.equal(q.qsize(), 0);
  });

  it("bad timeouts, counts and sizes are Type/RangeErrors and leave the state as it was", () => {
    const lock = new Lock();
    const sem = new Semaphore(0);
    const bsem = new BoundedSemaphore(2);
    const cond = new Condition();
    const q = new Queue<number>({ capacity: 2, type: "int32" });
    const cases: [string, () => unknown, ErrorConstructor][] = [
      ["acquire timeout -1", () => lock.acquire({ timeout: -1 }), RangeError],
      ["acquire timeout NaN", () => lock.acquire({ timeout: NaN }), RangeError],
      [
        "acquire timeout '5'",
        () => lock.acquire({ timeout: A("5") }),
        TypeError,
      ],
      ["acquire signal {}", () => lock.acquire({ signal: A({}) }), TypeError],
      [
        "blocking false + timeout",
        () => lock.acquire({ blocking: false, timeout: 1 }),
        TypeError,
      ],
      ["Semaphore(-1)", () => new Semaphore(-1), RangeError],
      ["Semaphore(1.5)", () => new Semaphore(1.5), TypeError],
      ["Semaphore(2**31)", () => new Semaphore(2 ** 31), RangeError],
      ["sem.release(0)", () => sem.release(0), RangeError],
      ["sem.release(1.5)", () => sem.release(1.5), TypeError],
      ["bsem over-release", () => bsem.release(), RangeError],
      ["notify(-1)", () => cond.withLock(() => cond.notify(-1)), RangeError],
      ["waitFor(5)", () => cond.withLock(() => cond.waitFor(A(5))), TypeError],
      ["Barrier(0)", () => new Barrier(0), RangeError],
      ["Barrier(1.5)", () => new Barrier(1.5), TypeError],
      ["Barrier action 5", () => new Barrier(2, { action: A(5) }), TypeError],
      ["Timer(-1)", () => new Timer(-1, () => 0), RangeError],
      ["Thread target 5", () => new Thread({ target: A(5) }), TypeError],
      [
        "Thread args 5",
        () => new Thread({ target: () => 0, args: A(5) }),
        TypeError,
      ],
      ["Queue capacity 1.5", () => new Queue({ capacity: 1.5 }), RangeError],
      ["LifoQueue(5) (positional)", () => new LifoQueue(A(5)), TypeError],
      ["int32 put 1.5", () => q.put(1.5), RangeError],
      ["int32 put 'a'", () => q.put(A("a")), TypeError],
      [
        "put a function",
        () => new Queue({ capacity: 1 }).put(A(() => 0)),
        TypeError,
      ],
      ["getMany(0)", () => q.getMany(0), RangeError],
      [
        "PriorityQueue put NaN",
        () => new PriorityQueue({ capacity: 1 }).put([NaN, 1]),
        RangeError,
      ],
    ];
    for (const [name, call, type] of cases) {
      assert.throws(call, type, name);
    }
    assert.equal(lock.locked(), false);
    assert.equal(sem.value, 0);
    assert.equal(bsem.value, 2);
    assert.equal(q.qsize(), 0);
    assert.equal(cond.withLock(() => cond.wait({ timeout: 1 })), false);
  });
});

/** A held lock and friends: every wait below can only time out. */
function blockedWaits() {
  const lock = new Lock();
  lock.acquire();
  const sem = new Semaphore(0);
  const event = new Event();
  const cond = new Condition();
  const barrier = new Barrier(2);
  const empty = new Queue<number>({ capacity: 1 });
  const full = new Queue<number>({ capacity: 1 });
  full.put(1);
  return { lock, sem, event, cond, barrier, empty, full };
}

describe("probes: timeouts and signals on every wait", () => {
  it("every blocking wait ends at its timeout with its documented outcome", () => {
    const w = blockedWaits();
    const T = { timeout: 20 };
    assert.equal(w.lock.acquire(T), false);
    assert.equal(w.sem.acquire(T), false);
    assert.equal(w.event.wait(T), false);
    assert.equal(w.cond.withLock(() => w.cond.wait(T)), false);
    assert.equal(w.cond.withLock(() => w.cond.waitFor(() => 0, T)), 0);
    assert.throws(() => w.barrier.wait(T), BrokenBarrierError);
    assert.throws(() => w.empty.get(T), QueueEmptyError);
    assert.throws(() => w.full.put(2, T), QueueFullError);
    assert.equal(w.full.join(T), false);
    w.lock.release();
  });

  it("every async wait ends at its timeout with its documented outcome", async () => {
    const w = blockedWaits();
    const T = { timeout: 20 };
    assert.equal(await w.lock.acquireAsync(T), false);
    assert.equal(await w.sem.acquireAsync(T), false);
    assert.equal(await w.event.waitAsync(T), false);
    assert.equal(await w.cond.withLockAsync(() => w.cond.waitAsync(T)), false);
    assert.equal(
      await w.cond.withLockAsync(() => w.cond.waitForAsync(() => 0, T)),
      0,
    );
    await assert.rejects(w.barrier.waitAsync(T), BrokenBarrierError);
    await assert.rejects(w.empty.getAsync(T), QueueEmptyError);
    await assert.rejects(w.full.putAsync(2, T), QueueFullError);
    assert.equal(await w.full.joinAsync(T), false);
    w.lock.release();
  });

  it("a signal aborted during an async wait rejects it with the reason, and the primitive stays usable", async () => {
    const w = blockedWaits();
    const waits: [string, (signal: AbortSignal) => Promise<unknown>][] = [
      ["Lock", (signal) => w.lock.acquireAsync({ signal })],
      ["Semaphore", (signal) => w.sem.acquireAsync({ signal })],
      ["Event", (signal) => w.event.waitAsync({ signal })],
      [
        "Condition",
        (signal) => w.cond.withLockAsync(() => w.cond.waitAsync({ signal })),
      ],
      ["Barrier", (signal) => w.barrier.waitAsync({ signal })],
      ["Queue.getAsync", (signal) => w.empty.getAsync({ signal })],
      ["Queue.putAsync", (signal) => w.full.putAsync(2, { signal })],
      ["Queue.joinAsync", (signal) => w.full.joinAsync({ signal })],
    ];
    for (const [name, wait] of waits) {
      const controller = new AbortController();
      const pending = wait(controller.signal);
      setTimeout(() => controller.abort(new Error(`stop ${name}`)), 10);
      await assert.rejects(pending, { message: `stop ${name}` }, name);
    }
    // Usable afterwards, and nothing was taken or added by the aborted waits.
    w.lock.release();
    assert.equal(w.lock.acquire({ blocking: false }), true);
    w.sem.release();
    assert.equal(w.sem.value, 1);
    assert.equal(w.cond.withLock(() => w.cond.wait({ timeout: 1 })), false);
    assert.equal(w.barrier.broken, true); // an interrupted wait breaks it
    w.barrier.reset();
    assert.equal(w.barrier.broken, false);
    assert.equal(w.empty.qsize(), 0);
    assert.equal(w.full.qsize(), 1);
  });

  it("an already aborted signal makes every blocking wait throw its reason", () => {
    const w = blockedWaits();
    const signal = AbortSignal.abort(new Error("gone"));
    const calls: [string, () => unknown][] = [
      ["Lock", () => w.lock.acquire({ signal })],
      ["Semaphore", () => w.sem.acquire({ signal })],
      ["Event", () => w.event.wait({ signal })],
      ["Condition", () => w.cond.withLock(() => w.cond.wait({ signal }))],
      ["Barrier", () => w.barrier.wait({ signal })],
      ["Queue.get", () => w.empty.get({ signal })],
      ["Queue.put", () => w.full.put(2, { signal })],
    ];
    for (const [name, call] of calls) {
      assert.throws(call, { message: "gone" }, name);
    }
    assert.equal(w.cond.withLock(() => w.cond.wait({ timeout: 1 })), false);
    assert.equal(w.full.qsize(), 1);
    w.lock.release();
  });

  it("Thread.join and joinAsync end at their timeout while the thread lives", async () => {
    const go = new Event();
    const t = new Thread({
      target: (go: Event) => go.wait({ timeout: 120_000 }),
      args: [go],
    });
    t.start();
    try {
      assert.equal(t.join({ timeout: 20 }), false);
      await assert.rejects(t.joinAsync({ timeout: 20 }), TimeoutError);
      await assert.rejects(
        t.joinAsync({ signal: AbortSignal.abort(new Error("ab")) }),
        { message: "ab" },
      );
      assert.equal(t.isAlive(), true);
    } finally {
      go.set();
    }
    assert.equal(await t.joinAsync(JOIN), true);
  });

  it("cancel() ends a thread's blocking and async waits on every primitive with CancelledError", async () => {
    const lock = new Lock();
    lock.acquire();
    const q = new Queue<number>({ capacity: 1 });
    const barrier = new Barrier(2);
    const cond = new Condition();
    const sem = new Semaphore(0);
    const started = words(1);
    const run = (what: string, args: unknown[]) => {
      const t = new Thread({
        target: async (
          started: Int32Array,
          what: string,
          ...rest: unknown[]
        ) => {
          Atomics.add(started, 0, 1);
          try {
            // deno-lint-ignore no-explicit-any
            const [p] = rest as any[];
            if (what === "lock") p.acquire();
            else if (what === "queue") p.get();
            else if (what === "barrier") p.wait();
            else if (what === "cond") p.withLock(() => p.wait());
            else await p.acquireAsync();
            return "returned";
          } catch (e) {
            return e instanceof CancelledError ? "cancelled" : String(e);
          }
        },
        args: [started, what, ...args],
      });
      t.start();
      return t;
    };
    const threads = [
      run("lock", [lock]),
      run("queue", [q]),
      run("barrier", [barrier]),
      run("cond", [cond]),
      run("sem", [sem]),
    ];
    await until(() => Atomics.load(started, 0) === threads.length, "started");
    // Whether each is asleep yet or about to be, cancel() ends its wait.
    for (const t of threads) t.cancel();
    assert.deepEqual(await joinAll(threads), Array(5).fill("cancelled"));
    assert.equal(barrier.broken, true);
    assert.equal(sem.value, 0);
    assert.equal(cond.withLock(() => cond.wait({ timeout: 1 })), false);
    lock.release();
  });
});

describe("probes: across threads", () => {
  it("primitives inside a queue item arrive as themselves and work", async () => {
    const q = new Queue<unknown>({ capacity: 4 });
    const lock = new Lock();
    const done = new Event();
    const sem = new Semaphore(0);
    const inner = new Queue<number>({ capacity: 2, type: "int32" });
    q.put({ lock, done, sem, inner, nested: [{ cond: new Condition(lock) }] });
    const t = new Thread({
      target: (q: Queue<unknown>) => {
        const { lock, done, sem, inner, nested } = q.get({
          timeout: 120_000,
          // deno-lint-ignore no-explicit-any
        }) as any;
        const c = nested[0].cond;
        c.acquire();
        inner.put(42);
        sem.release();
        c.notifyAll();
        c.release();
        done.set();
        return [lock instanceof Lock, c instanceof Condition, lock.locked()];
      },
      args: [q],
    });
    t.start();
    assert.equal(await done.waitAsync({ timeout: 120_000 }), true);
    assert.deepEqual(await t.joinAsync(JOIN), [true, true, false]);
    assert.equal(inner.get({ timeout: 1_000 }), 42);
    assert.equal(sem.value, 1);
  });

  it("a primitive in a buffer of its own is refused inside an item, and the queue is unchanged", () => {
    const q = new Queue<unknown>({ capacity: 4 });
    // A bounded queue over 8 MiB has a buffer of its own (an unbounded
    // Queue lives in the shared heap and travels).
    const large = new Queue<unknown>({ capacity: 4, bytes: 8 * 1024 * 1024 });
    assert.throws(() => q.put({ x: large }), TypeError);
    const buffer = new SharedArrayBuffer(Lock.byteLength);
    assert.throws(
      () => q.put([new Lock({ buffer, byteOffset: 0 })]),
      TypeError,
    );
    assert.equal(q.qsize(), 0);
  });

  it("misuse from the wrong thread: RLock release and Condition notify without the lock", async () => {
    const rlock = new RLock();
    rlock.acquire();
    const cond = new Condition();
    cond.acquire();
    const [r] = await joinAll(bunch(
      (rlock: RLock, cond: Condition) => {
        const out: string[] = [];
        for (
          const f of [
            () => rlock.release(),
            () => cond.notify(),
            () => cond.notifyAll(),
            () => cond.wait({ timeout: 1 }),
          ]
        ) {
          try {
            f();
            out.push("no error");
          } catch (e) {
            out.push(e instanceof RuntimeError ? "RuntimeError" : String(e));
          }
        }
        return out;
      },
      1,
      [rlock, cond],
    ));
    assert.deepEqual(r, Array(4).fill("RuntimeError"));
    assert.equal(rlock.count, 1);
    assert.equal(rlock.isOwned(), true);
    rlock.release();
    cond.release();
  });

  it("8 threads over-release a BoundedSemaphore(4) missing 4 units: exactly 4 succeed", async () => {
    const sem = new BoundedSemaphore(4);
    for (let i = 0; i < 4; i++) sem.acquire();
    const r = await joinAll(bunch(
      (s: BoundedSemaphore) => {
        try {
          s.release();
          return "ok";
        } catch (e) {
          return e instanceof RangeError ? "RangeError" : String(e);
        }
      },
      8,
      [sem],
    ));
    assert.equal(r.filter((x) => x === "ok").length, 4);
    assert.equal(r.filter((x) => x === "RangeError").length, 4);
    assert.equal(sem.value, 4);
  });

  it("6 threads call taskDone() for 3 tasks: exactly 3 succeed, join returns", async () => {
    const q = new Queue<number>({ capacity: 8 });
    q.putMany([1, 2, 3]);
    q.getMany(3);
    const r = await joinAll(bunch(
      (q: Queue<number>) => {
        try {
          q.taskDone();
          return "ok";
        } catch (e) {
          return e instanceof RuntimeError ? "RuntimeError" : String(e);
        }
      },
      6,
      [q],
    ));
    assert.equal(r.filter((x) => x === "ok").length, 3);
    assert.equal(r.filter((x) => x === "RuntimeError").length, 3);
    assert.equal(q.join({ timeout: 1_000 }), true);
  });

  it("Barrier abort and reset while threads wait: they get BrokenBarrierError, and after reset all pass", async () => {
    for (const how of ["abort", "reset"] as const) {
      const barrier = new Barrier(3);
      const threads = bunch(
        (b: Barrier) => {
          let first: string;
          try {
            b.wait({ timeout: 120_000 });
            first = "passed";
          } catch (e) {
            first = e instanceof BrokenBarrierError ? "broken" : String(e);
          }
          if (b.broken) return [first, -1];
          return [first, b.wait({ timeout: 120_000 })];
        },
        2,
        [barrier],
      );
      await until(() => barrier.nWaiting === 2, "2 waiters");
      if (how === "abort") {
        barrier.abort();
        assert.deepEqual(await joinAll(threads), [["broken", -1], [
          "broken",
          -1,
        ]]);
        assert.equal(barrier.broken, true);
      } else {
        barrier.reset();
        await until(() => barrier.nWaiting === 2, "2 waiters again");
        const mine = await barrier.waitAsync({ timeout: 120_000 });
        const r = await joinAll(threads) as [string, number][];
        assert.deepEqual(r.map((x) => x[0]), ["broken", "broken"]);
        assert.deepEqual([mine, ...r.map((x) => x[1])].sort(), [0, 1, 2]);
        assert.equal(barrier.broken, false);
      }
      assert.equal(barrier.nWaiting, 0);
    }
  });
});
