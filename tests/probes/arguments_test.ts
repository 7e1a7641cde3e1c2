// Copyright 2026 the threadkit authors. MIT license.
// Bad input at every call of the public API, as an outside checker writes
// it (tests/cpython/probes_test.ts has the first set): wrong types,
// NaN/negative/infinite numbers, Python's spellings, a lock released twice,
// taskDone() once too often, a Future used after cancel, an executor used
// after shutdown. Each gets a typed error at the call (Python's exception
// where it translates: ValueError is RangeError, RuntimeError is
// RuntimeError) and leaves the state as it was.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  asCompleted,
  Barrier,
  BoundedSemaphore,
  CancelledError,
  Condition,
  Event,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  RLock,
  RuntimeError,
  RWLock,
  Semaphore,
  SimpleQueue,
  Thread,
  ThreadPoolExecutor,
  TimeoutError,
  Timer,
  wait,
} from "../../mod.ts";
import { blocker, within } from "../pool/_fixtures.ts";

// deno-lint-ignore no-explicit-any
const A = (x: unknown) => x as any;

type Case = [string, () => unknown, ErrorConstructor];

function refuseAll(cases: Case[]): void {
  for (const [name, call, type] of cases) {
    assert.throws(call, (e: unknown) => {
      assert.ok(e instanceof type, `${name}: ${e}`);
      assert.ok((e as Error).message.length > 0, name);
      return true;
    }, name);
  }
}

describe("probes: bad arguments, second set", () => {
  it("numbers: NaN, -Infinity, fractions, strings and bigints for counts, timeouts and sizes", () => {
    const lock = new Lock();
    const sem = new Semaphore(2);
    const e = new Event();
    const cond = new Condition();
    refuseAll([
      [
        "acquire timeout -Infinity",
        () => lock.acquire({ timeout: -Infinity }),
        RangeError,
      ],
      ["acquire timeout 5n", () => lock.acquire({ timeout: A(5n) }), TypeError],
      ["acquire blocking 0", () => lock.acquire({ blocking: A(0) }), TypeError],
      [
        "acquire blocking 'no'",
        () => lock.acquire({ blocking: A("no") }),
        TypeError,
      ],
      ["acquire options 'x'", () => lock.acquire(A("x")), TypeError],
      ["acquire options null", () => lock.acquire(A(null)), TypeError],
      ["Semaphore(NaN)", () => new Semaphore(NaN), TypeError],
      ["Semaphore(Infinity)", () => new Semaphore(Infinity), TypeError],
      ["Semaphore('3')", () => new Semaphore(A("3")), TypeError],
      ["Semaphore(null)", () => new Semaphore(A(null)), TypeError],
      ["BoundedSemaphore(-1)", () => new BoundedSemaphore(-1), RangeError],
      ["sem.release(-1)", () => sem.release(-1), RangeError],
      ["sem.release(NaN)", () => sem.release(NaN), TypeError],
      ["sem.release(Infinity)", () => sem.release(Infinity), TypeError],
      ["sem.release(2**31)", () => sem.release(2 ** 31), RangeError],
      ["sem.release('1')", () => sem.release(A("1")), TypeError],
      ["Barrier(-1)", () => new Barrier(-1), RangeError],
      ["Barrier(NaN)", () => new Barrier(NaN), TypeError],
      ["Barrier(Infinity)", () => new Barrier(Infinity), TypeError],
      ["Barrier('2')", () => new Barrier(A("2")), TypeError],
      ["Barrier()", () => new Barrier(A(undefined)), TypeError],
      ["Barrier(2**31)", () => new Barrier(2 ** 31), RangeError],
      ["Barrier timeout -1", () => new Barrier(2, { timeout: -1 }), RangeError],
      [
        "Barrier timeout NaN",
        () => new Barrier(2, { timeout: NaN }),
        RangeError,
      ],
      [
        "Barrier(2, action) (Python's positional action)",
        () => new Barrier(2, A(() => 0)),
        TypeError,
      ],
      ["barrier.wait(5)", () => new Barrier(1).wait(A(5)), TypeError],
      ["event.wait timeout -1", () => e.wait({ timeout: -1 }), RangeError],
      ["event.wait timeout NaN", () => e.wait({ timeout: NaN }), RangeError],
      ["event.wait(null)", () => e.wait(A(null)), TypeError],
      ["notify(1.5)", () => cond.withLock(() => cond.notify(1.5)), RangeError],
      ["notify(NaN)", () => cond.withLock(() => cond.notify(NaN)), RangeError],
      [
        "notify(Infinity)",
        () => cond.withLock(() => cond.notify(Infinity)),
        RangeError,
      ],
      ["Condition(5)", () => new Condition(A(5)), TypeError],
      ["Condition({})", () => new Condition(A({})), TypeError],
      [
        "Condition(Semaphore)",
        () => new Condition(A(new Semaphore())),
        TypeError,
      ],
      ["Timer(NaN)", () => new Timer(NaN, () => 0), RangeError],
      ["Timer(5, 5)", () => new Timer(5, A(5)), TypeError],
      [
        "Thread name 5",
        () => new Thread({ target: () => 0, name: A(5) }),
        TypeError,
      ],
      [
        "Thread daemon 'x'",
        () => new Thread({ target: () => 0, daemon: A("x") }),
        TypeError,
      ],
      ["Thread() (no options)", () => new Thread(A(undefined)), TypeError],
      [
        "Thread(fn) (Python's positional target)",
        () => new Thread(A(() => 0)),
        TypeError,
      ],
    ]);
    assert.equal(lock.locked(), false);
    assert.equal(sem.value, 2);
    assert.equal(e.isSet(), false);
    assert.equal(cond.withLock(() => cond.wait({ timeout: 1 })), false);
  });

  it("Infinity and a huge timeout wait forever (Python's None), and return at once when free", () => {
    const lock = new Lock();
    assert.equal(lock.acquire({ timeout: Infinity }), true);
    lock.release();
    assert.equal(lock.acquire({ timeout: 1e100 }), true);
    lock.release();
    assert.equal(new Semaphore(1).acquire({ timeout: Infinity }), true);
    const e = new Event();
    e.set();
    assert.equal(e.wait({ timeout: Number.MAX_VALUE }), true);
    assert.equal(e.wait({ timeout: 0 }), true);
  });

  it("locks released too often: RuntimeError, and the lock stays usable", () => {
    const lock = new Lock();
    assert.throws(() => lock.release(), RuntimeError);
    lock.acquire();
    lock.release();
    assert.throws(() => lock.release(), RuntimeError, "released twice");
    assert.equal(lock.locked(), false);
    assert.equal(lock.acquire({ blocking: false }), true);
    lock.release();
    const r = new RLock();
    assert.throws(() => r.release(), RuntimeError);
    assert.throws(() => r.releaseAll(), RuntimeError);
    r.acquire();
    r.release();
    assert.throws(() => r.release(), RuntimeError);
    assert.equal(r.count, 0);
    assert.throws(() => r.restoreCount(-1), RangeError);
    assert.throws(() => r.restoreCount(1.5), RangeError);
    const rw = new RWLock();
    assert.throws(() => rw.releaseRead(), RuntimeError);
    assert.throws(() => rw.releaseWrite(), RuntimeError);
    assert.equal(rw.locked(), false);
    const c = new Condition();
    assert.throws(() => c.release(), RuntimeError);
    const b = new BoundedSemaphore(0);
    assert.throws(() => b.release(), RangeError);
    assert.equal(b.value, 0);
  });

  it("a guard released by hand twice: RuntimeError; its scope's end after a release by hand releases nothing", () => {
    const sem = new Semaphore(2);
    {
      using g = sem.guard();
      assert.equal(sem.value, 1);
      g.release();
      assert.equal(sem.value, 2);
      assert.throws(() => g.release(), RuntimeError);
      assert.equal(sem.value, 2, "not released twice");
    }
    assert.equal(sem.value, 2, "the scope's end released nothing more");
    const lock = new Lock();
    {
      using _held = lock.guard();
      assert.equal(lock.locked(), true);
    }
    assert.equal(lock.locked(), false);
  });

  it("guard forms that cannot acquire throw (RuntimeError without blocking, TimeoutError after a timeout) and hold nothing", async () => {
    const lock = new Lock();
    lock.acquire();
    const sem = new Semaphore(0);
    const rw = new RWLock();
    rw.acquireWrite();
    assert.throws(() => {
      using _g = lock.guard({ blocking: false });
    }, RuntimeError);
    assert.throws(() => {
      using _g = sem.guard({ timeout: 5 });
    }, TimeoutError);
    await assert.rejects(async () => {
      await using _g = await lock.guardAsync({ timeout: 5 });
    }, TimeoutError);
    await assert.rejects(async () => {
      await using _g = await rw.readGuardAsync({ blocking: false });
    }, RuntimeError);
    assert.throws(
      () => lock.withLock(() => 1, { blocking: false }),
      RuntimeError,
    );
    assert.equal(sem.value, 0);
    rw.releaseWrite();
    assert.equal(rw.locked(), false);
    lock.release();
    assert.equal(lock.locked(), false);
    // And a guard that did acquire releases when its scope throws.
    assert.throws(() => {
      using _g = lock.guard();
      throw new SyntaxError("inside");
    }, SyntaxError);
    assert.equal(lock.locked(), false);
  });

  it("queues: Python's maxsize, a positional SimpleQueue arg, bad sizes and items; nothing is taken or added", () => {
    const q = new Queue<unknown>({ capacity: 2 });
    q.put("kept");
    refuseAll([
      ["Queue({ maxsize: 4 })", () => new Queue(A({ maxsize: 4 })), TypeError],
      [
        "LifoQueue({ maxsize: 4 })",
        () => new LifoQueue(A({ maxsize: 4 })),
        TypeError,
      ],
      [
        "PriorityQueue({ maxsize })",
        () => new PriorityQueue(A({ maxsize: 4, capacity: 2 })),
        TypeError,
      ],
      ["SimpleQueue(5)", () => new SimpleQueue(A(5)), TypeError],
      [
        "SimpleQueue({ maxsize })",
        () => new SimpleQueue(A({ maxsize: 1 })),
        TypeError,
      ],
      ["Queue(4) (positional)", () => new Queue(A(4)), TypeError],
      ["capacity NaN", () => new Queue({ capacity: NaN }), RangeError],
      [
        "capacity Infinity",
        () => new Queue({ capacity: Infinity }),
        RangeError,
      ],
      ["capacity 2**31", () => new Queue({ capacity: 2 ** 31 }), RangeError],
      ["capacity '4'", () => new Queue({ capacity: A("4") }), TypeError],
      [
        "type int64",
        () => new Queue({ capacity: 2, type: A("int64") }),
        TypeError,
      ],
      ["bytes -1", () => new Queue({ capacity: 2, bytes: -1 }), RangeError],
      ["put a symbol", () => q.put(A(Symbol("x"))), TypeError],
      ["put a method", () => q.put({ f() {} }), TypeError],
      ["put a WeakMap", () => q.put(new WeakMap()), TypeError],
      ["put 20 MB", () => q.put(new Uint8Array(20 * 1024 * 1024)), RangeError],
      ["get timeout -1", () => q.get({ timeout: -1 }), RangeError],
      ["get timeout NaN", () => q.get({ timeout: NaN }), RangeError],
      ["getMany(-1)", () => q.getMany(-1), RangeError],
      ["getMany(NaN)", () => q.getMany(NaN), RangeError],
      ["putMany(5)", () => q.putMany(A(5)), TypeError],
      [
        "shutdown({ immediate: 'yes' })",
        () => q.shutdown({ immediate: A("yes") }),
        TypeError,
      ],
    ]);
    assert.equal(q.qsize(), 1);
    assert.equal(q.isShutdown, false);
    assert.equal(q.get({ timeout: 1_000 }), "kept");
    // Python: maxsize <= 0 is unbounded, and so is capacity 0 or less here.
    assert.equal(new Queue({ capacity: 0 }).capacity, 0);
    assert.equal(new Queue({ capacity: -1 }).capacity, 0);
  });

  it("taskDone() more often than items were put: RuntimeError (CPython: ValueError), and join still counts right", () => {
    const q = new Queue<number>({ capacity: 4 });
    q.put(1);
    q.put(2);
    q.taskDone(); // as in Python, a put counts, not a get
    assert.equal(q.join({ timeout: 1 }), false, "one task left");
    q.taskDone();
    assert.throws(() => q.taskDone(), RuntimeError, "two puts, third taskDone");
    assert.equal(q.join({ timeout: 1_000 }), true);
    q.put(3);
    assert.equal(
      q.join({ timeout: 1 }),
      false,
      "the refused call took nothing off",
    );
    q.taskDone();
    assert.equal(q.join({ timeout: 1_000 }), true);
  });

  it("Thread: join, joinAsync and start misuse are RuntimeErrors; a thread is started once", async () => {
    const t = new Thread({ target: () => 1 });
    assert.throws(() => t.join({ timeout: 1 }), RuntimeError);
    await assert.rejects(t.joinAsync({ timeout: 1 }), RuntimeError);
    assert.equal(t.isAlive(), false);
    t.start();
    assert.throws(() => t.start(), RuntimeError);
    assert.equal(await t.joinAsync({ timeout: 30_000 }), 1);
    assert.throws(() => t.start(), RuntimeError);
  });

  it("executor options: Python's max_workers 0 and -1 and other bad values are Range/TypeErrors", () => {
    refuseAll([
      [
        "maxWorkers 0",
        () => new ThreadPoolExecutor({ maxWorkers: 0 }),
        RangeError,
      ],
      [
        "maxWorkers -1",
        () => new ThreadPoolExecutor({ maxWorkers: -1 }),
        RangeError,
      ],
      [
        "maxWorkers 1.5",
        () => new ThreadPoolExecutor({ maxWorkers: 1.5 }),
        RangeError,
      ],
      [
        "maxWorkers NaN",
        () => new ThreadPoolExecutor({ maxWorkers: NaN }),
        RangeError,
      ],
      [
        "maxWorkers Infinity",
        () => new ThreadPoolExecutor({ maxWorkers: Infinity }),
        RangeError,
      ],
      ["maxQueue 0", () => new ThreadPoolExecutor({ maxQueue: 0 }), RangeError],
      [
        "idleTimeout -1",
        () => new ThreadPoolExecutor({ idleTimeout: -1 }),
        RangeError,
      ],
      [
        "initializer 5",
        () => new ThreadPoolExecutor({ initializer: A(5) }),
        TypeError,
      ],
      [
        "initArgs 5",
        () => new ThreadPoolExecutor({ initArgs: A(5) }),
        TypeError,
      ],
      [
        "threadNamePrefix 5",
        () => new ThreadPoolExecutor({ threadNamePrefix: A(5) }),
        TypeError,
      ],
      [
        "taskBytes 0",
        () => new ThreadPoolExecutor({ taskBytes: 0 }),
        RangeError,
      ],
    ]);
  });

  it("executor calls: bad targets, map options and huge args are refused at the call", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const id = (x: number) => x;
    refuseAll([
      ["submit(5)", () => pool.submit(A(5)), TypeError],
      ["submit()", () => pool.submit(A(undefined)), TypeError],
      [
        "map chunksize 0",
        () => pool.map(id, [1], { chunksize: 0 }),
        RangeError,
      ],
      [
        "map chunksize -1",
        () => pool.map(id, [1], { chunksize: -1 }),
        RangeError,
      ],
      [
        "map chunksize NaN",
        () => pool.map(id, [1], { chunksize: NaN }),
        RangeError,
      ],
      [
        "map chunksize Infinity",
        () => pool.map(id, [1], { chunksize: Infinity }),
        RangeError,
      ],
      ["map items 5", () => pool.map(id, A(5)), TypeError],
      ["map timeout -1", () => pool.map(id, [1], { timeout: -1 }), RangeError],
      ["map signal {}", () => pool.map(id, [1], { signal: A({}) }), TypeError],
      ["shutdown('x')", () => pool.shutdown(A("x")), TypeError],
      [
        "20 MB of args",
        () =>
          pool.submit(
            (a: Uint8Array) => a.length,
            new Uint8Array(20 * 1024 * 1024),
          ),
        RangeError,
      ],
    ]);
    // Nothing was queued by the refused calls; the pool still works.
    assert.equal(await within(pool.submit(id, 5)), 5);
  });

  it("Future after cancel: cancelled, done, result/exception/await throw CancelledError, cancel stays true", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    const running = pool.submit(blocker, release, started);
    await within(started.waitAsync({ timeout: 30_000 }));
    const queued = pool.submit((x: number) => x, 2);
    assert.equal(queued.cancel(), true);
    assert.deepEqual(
      [queued.cancelled(), queued.done(), queued.running()],
      [true, true, false],
    );
    assert.throws(() => queued.result({ timeout: 0 }), CancelledError);
    assert.throws(() => queued.exception({ timeout: 0 }), CancelledError);
    await assert.rejects(within(queued), CancelledError);
    assert.equal(queued.cancel(), true, "cancel() again: still true");
    assert.equal(running.cancel(), false, "a running task is not cancelled");
    assert.throws(
      () => running.result({ timeout: -1 }),
      RangeError,
      "bad options fail the same way before the end",
    );
    release.set();
    assert.equal(await within(running), "released");
    assert.equal(running.cancel(), false);
    assert.equal(running.cancelled(), false);
    assert.throws(() => running.result({ timeout: NaN }), RangeError);
    assert.throws(() => running.addDoneCallback(A(5)), TypeError);
    await pool.shutdownAsync();
  });

  it("submit and submitAsync after shutdown: RuntimeError at the call; futures wait and asCompleted refuse bad options", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit((x: number) => x, 1);
    await within(f);
    pool.shutdown();
    assert.throws(() => pool.submit((x: number) => x, 1), RuntimeError);
    await assert.rejects(pool.submitAsync((x: number) => x, 1), RuntimeError);
    pool.shutdown(); // again: nothing to do
    refuseAll([
      ["wait timeout -1", () => wait([f], { timeout: -1 }), RangeError],
      [
        "wait returnWhen",
        () => wait([f], { returnWhen: A("SOME") }),
        TypeError,
      ],
      ["wait(5)", () => wait(A(5)), TypeError],
      ["asCompleted(5)", () => asCompleted(A(5)), TypeError],
      [
        "asCompleted timeout NaN",
        () => asCompleted([f], { timeout: NaN }),
        RangeError,
      ],
    ]);
  });
});

describe("probes: bad arguments the executor does not refuse at the call yet", () => {
  it(
    "map() after shutdown throws RuntimeError at the call (CPython: Executor.map submits at once)",
    () => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      pool.shutdown();
      assert.throws(() => pool.map((x: number) => x, [1]), RuntimeError);
    },
  );

  it(
    "map() with a target that is not a function throws TypeError at the call",
    () => {
      using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      assert.throws(() => pool.map(A(5), [1]), TypeError);
    },
  );

  it(
    "wait() and asCompleted() over things that are not Futures: a TypeError that says so",
    () => {
      for (const call of [() => wait(A([5])), () => asCompleted(A([{}]))]) {
        assert.throws(call, (e: unknown) => {
          assert.ok(e instanceof TypeError);
          assert.match((e as Error).message, /Future/);
          return true;
        });
      }
    },
  );
});
