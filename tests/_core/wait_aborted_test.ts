// Copyright 2026 the threadkit authors. MIT license.
// The one rule for an AbortSignal that is already aborted when a wait is
// called (_core/wait_options.ts, README "Waiting"): the wait throws its
// reason (blocking forms) or returns a promise that rejects with it (async
// forms) before anything else, even when it would not have had to sleep (a
// set Event, a free Lock, a true predicate, an ended thread, a done
// Future), and it changes nothing. Bad options still come first (a
// synchronous TypeError or RangeError). One row per wait of the library.
import { it } from "node:test";
import assert from "node:assert/strict";
import {
  asCompleted,
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  RLock,
  RWLock,
  Semaphore,
  SimpleQueue,
  Thread,
  ThreadPoolExecutor,
  Timer,
  wait,
  waitAsync,
} from "../../mod.ts";

const JOIN = { timeout: 30_000 };

/**
 * A wait that would succeed at once, and a check that the aborted call
 * changed nothing (run after it).
 */
interface Row {
  readonly name: string;
  readonly form: "blocking" | "async";
  readonly call: (signal: AbortSignal) => unknown;
  readonly unchanged: () => void;
}

async function fixtures() {
  const lock = new Lock();
  const rlock = new RLock();
  const owned = new RLock();
  owned.acquire(); // its reentry would succeed at once
  const rw = new RWLock();
  const sem = new Semaphore(1);
  const bsem = new BoundedSemaphore(1);
  const cond = new Condition();
  const event = new Event();
  event.set();
  const barrier = new Barrier(1); // a wait of one party trips at once
  const queues = {
    bounded: new Queue<number>({ capacity: 4 }),
    unbounded: new Queue<number>(),
    int32: new Queue<number>({ capacity: 4, type: "int32" }),
    lifo: new LifoQueue<number>({ capacity: 4 }),
    priority: new PriorityQueue<number>({ capacity: 4 }),
  };
  for (const q of Object.values(queues)) q.put(1); // get() and put() go at once
  // Queues with every task done: join() returns at once.
  const idle = {
    bounded: new Queue<number>({ capacity: 4 }),
    unbounded: new Queue<number>(),
    int32: new Queue<number>({ capacity: 4, type: "int32" }),
    lifo: new LifoQueue<number>({ capacity: 4 }),
    priority: new PriorityQueue<number>({ capacity: 4 }),
  };
  const simple = new SimpleQueue<number>();
  simple.put(1);
  const ended = new Thread({ target: () => 5 });
  ended.start();
  assert.equal(await ended.joinAsync(JOIN), 5);
  const timer = new Timer(0, () => 6);
  timer.start();
  assert.equal(await timer.joinAsync(JOIN), 6);
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const done = pool.submit((x: number) => x + 1, 1);
  assert.equal(await done, 2);
  return {
    lock,
    rlock,
    owned,
    rw,
    sem,
    bsem,
    cond,
    event,
    barrier,
    queues,
    idle,
    simple,
    ended,
    timer,
    pool,
    done,
  };
}

function rows(f: Awaited<ReturnType<typeof fixtures>>): Row[] {
  const { lock, rlock, owned, rw, sem, bsem, cond, event, barrier } = f;
  const free = (l: { locked(): boolean }) => () =>
    assert.equal(l.locked(), false);
  const depth1 = () => {
    owned.release();
    assert.equal(owned.locked(), false); // its depth stayed 1
    owned.acquire();
  };
  const rwFree = () => {
    assert.equal(rw.acquireWrite({ blocking: false }), true);
    rw.releaseWrite();
  };
  const value1 = (s: Semaphore) => () => assert.equal(s.value, 1);
  const setStill = () => assert.equal(event.isSet(), true);
  const barrierIdle = () => {
    assert.equal(barrier.broken, false);
    assert.equal(barrier.nWaiting, 0);
  };
  // A Condition's waits run with its lock held; after the aborted call the
  // lock is still held by this thread (the release below would throw).
  let predicateCalls = 0;
  const predicate = () => {
    predicateCalls++;
    return true;
  };
  const held = <T>(fn: () => T): T => {
    cond.acquire();
    try {
      return fn();
    } finally {
      cond.release();
    }
  };
  const heldAsync = <T>(fn: () => Promise<T>): Promise<T> => {
    cond.acquire();
    let p: Promise<T>;
    try {
      p = fn();
    } catch (error) {
      cond.release();
      throw error;
    }
    return p.finally(() => cond.release());
  };
  const condUnchanged = () => {
    assert.equal(predicateCalls, 0);
    assert.equal(cond.acquire({ blocking: false }), true);
    cond.release();
  };
  const list: [string, Row["form"], Row["call"], () => void][] = [
    [
      "Lock.acquire",
      "blocking",
      (s) => lock.acquire({ signal: s }),
      free(lock),
    ],
    [
      "Lock.acquireAsync",
      "async",
      (s) => lock.acquireAsync({ signal: s }),
      free(lock),
    ],
    ["Lock.guard", "blocking", (s) => lock.guard({ signal: s }), free(lock)],
    [
      "Lock.guardAsync",
      "async",
      (s) => lock.guardAsync({ signal: s }),
      free(lock),
    ],
    [
      "Lock.withLock",
      "blocking",
      (s) => lock.withLock(() => assert.fail("ran"), { signal: s }),
      free(lock),
    ],
    [
      "Lock.withLockAsync",
      "async",
      (s) => lock.withLockAsync(() => assert.fail("ran"), { signal: s }),
      free(lock),
    ],
    [
      "RLock.acquire",
      "blocking",
      (s) => rlock.acquire({ signal: s }),
      free(rlock),
    ],
    [
      "RLock.acquireAsync",
      "async",
      (s) => rlock.acquireAsync({ signal: s }),
      free(rlock),
    ],
    [
      "RLock.acquire (reentry)",
      "blocking",
      (s) => owned.acquire({ signal: s }),
      depth1,
    ],
    [
      "RLock.acquireAsync (reentry)",
      "async",
      (s) => owned.acquireAsync({ signal: s }),
      depth1,
    ],
    [
      "RWLock.acquireRead",
      "blocking",
      (s) => rw.acquireRead({ signal: s }),
      rwFree,
    ],
    [
      "RWLock.acquireReadAsync",
      "async",
      (s) => rw.acquireReadAsync({ signal: s }),
      rwFree,
    ],
    [
      "RWLock.acquireWrite",
      "blocking",
      (s) => rw.acquireWrite({ signal: s }),
      rwFree,
    ],
    [
      "RWLock.acquireWriteAsync",
      "async",
      (s) => rw.acquireWriteAsync({ signal: s }),
      rwFree,
    ],
    [
      "Semaphore.acquire",
      "blocking",
      (s) => sem.acquire({ signal: s }),
      value1(sem),
    ],
    [
      "Semaphore.acquireAsync",
      "async",
      (s) => sem.acquireAsync({ signal: s }),
      value1(sem),
    ],
    [
      "BoundedSemaphore.acquire",
      "blocking",
      (s) => bsem.acquire({ signal: s }),
      value1(bsem),
    ],
    [
      "BoundedSemaphore.acquireAsync",
      "async",
      (s) => bsem.acquireAsync({ signal: s }),
      value1(bsem),
    ],
    [
      "Condition.acquire",
      "blocking",
      (s) => cond.acquire({ signal: s }),
      condUnchanged,
    ],
    [
      "Condition.acquireAsync",
      "async",
      (s) => cond.acquireAsync({ signal: s }),
      condUnchanged,
    ],
    [
      "Condition.wait",
      "blocking",
      (s) => held(() => cond.wait({ signal: s })),
      condUnchanged,
    ],
    [
      "Condition.waitAsync",
      "async",
      (s) => heldAsync(() => cond.waitAsync({ signal: s })),
      condUnchanged,
    ],
    [
      "Condition.waitFor (true predicate)",
      "blocking",
      (s) => held(() => cond.waitFor(predicate, { signal: s })),
      condUnchanged,
    ],
    [
      "Condition.waitForAsync (true predicate)",
      "async",
      (s) => heldAsync(() => cond.waitForAsync(predicate, { signal: s })),
      condUnchanged,
    ],
    [
      "Event.wait (set)",
      "blocking",
      (s) => event.wait({ signal: s }),
      setStill,
    ],
    [
      "Event.waitAsync (set)",
      "async",
      (s) => event.waitAsync({ signal: s }),
      setStill,
    ],
    [
      "Barrier.wait (1 party)",
      "blocking",
      (s) => barrier.wait({ signal: s }),
      barrierIdle,
    ],
    [
      "Barrier.waitAsync (1 party)",
      "async",
      (s) => barrier.waitAsync({ signal: s }),
      barrierIdle,
    ],
    [
      "Thread.join (ended)",
      "blocking",
      (s) => f.ended.join({ signal: s }),
      () => {},
    ],
    [
      "Thread.joinAsync (ended)",
      "async",
      (s) => f.ended.joinAsync({ signal: s }),
      () => {},
    ],
    [
      "Timer.join (ended)",
      "blocking",
      (s) => f.timer.join({ signal: s }),
      () => {},
    ],
    [
      "Timer.joinAsync (ended)",
      "async",
      (s) => f.timer.joinAsync({ signal: s }),
      () => {},
    ],
    [
      "Future.result (done)",
      "blocking",
      (s) => f.done.result({ signal: s }),
      () => {},
    ],
    [
      "Future.exception (done)",
      "blocking",
      (s) => f.done.exception({ signal: s }),
      () => {},
    ],
    ["wait (done)", "blocking", (s) => wait([f.done], { signal: s }), () => {}],
    [
      "waitAsync (done)",
      "async",
      (s) => waitAsync([f.done], { signal: s }),
      () => {},
    ],
    [
      "asCompleted, for...of (done)",
      "blocking",
      (s) => [...asCompleted([f.done], { signal: s })],
      () => {},
    ],
    [
      "asCompleted, for await (done)",
      "async",
      (s) =>
        asCompleted([f.done], { signal: s })[Symbol.asyncIterator]().next(),
      () => {},
    ],
    [
      "ThreadPoolExecutor.map, for...of",
      "blocking",
      (s) => [...f.pool.map((x: number) => x, [1], { signal: s })],
      () => {},
    ],
    [
      "ThreadPoolExecutor.map, for await",
      "async",
      (s) =>
        f.pool.map((x: number) => x, [1], { signal: s })[
          Symbol.asyncIterator
        ]().next(),
      () => {},
    ],
    [
      "ThreadPoolExecutor.submitWith",
      "blocking",
      (s) => f.pool.submitWith(() => assert.fail("ran"), [], { signal: s }),
      () => {},
    ],
    [
      "SimpleQueue.get",
      "blocking",
      (s) => f.simple.get({ signal: s }),
      () => assert.equal(f.simple.qsize(), 1),
    ],
    [
      "SimpleQueue.getAsync",
      "async",
      (s) => f.simple.getAsync({ signal: s }),
      () => assert.equal(f.simple.qsize(), 1),
    ],
  ];
  const out: Row[] = list.map(([name, form, call, unchanged]) => ({
    name,
    form,
    call,
    unchanged,
  }));
  for (const [kind, q] of Object.entries(f.queues)) {
    const one = () => assert.equal(q.qsize(), 1);
    const idle = f.idle[kind as keyof typeof f.idle];
    const none = () => assert.equal(idle.join({ timeout: 0 }), true);
    const into = new Int32Array(2);
    const numeric = kind === "int32";
    out.push(
      {
        name: `${kind} Queue.get`,
        form: "blocking",
        call: (s) => q.get({ signal: s }),
        unchanged: one,
      },
      {
        name: `${kind} Queue.getAsync`,
        form: "async",
        call: (s) => q.getAsync({ signal: s }),
        unchanged: one,
      },
      {
        name: `${kind} Queue.put`,
        form: "blocking",
        call: (s) => q.put(2, { signal: s }),
        unchanged: one,
      },
      {
        name: `${kind} Queue.putAsync`,
        form: "async",
        call: (s) => q.putAsync(2, { signal: s }),
        unchanged: one,
      },
      {
        name: `${kind} Queue.putMany`,
        form: "blocking",
        call: (s) => q.putMany([2, 3], { signal: s }),
        unchanged: one,
      },
      {
        name: `${kind} Queue.getMany`,
        form: "blocking",
        call: (s) => q.getMany(2, { signal: s }),
        unchanged: one,
      },
      {
        name: `${kind} Queue.getManyAsync`,
        form: "async",
        call: (s) => q.getManyAsync(2, { signal: s }),
        unchanged: one,
      },
      {
        name: `${kind} Queue.join (no task left)`,
        form: "blocking",
        call: (s) => idle.join({ signal: s }),
        unchanged: none,
      },
      {
        name: `${kind} Queue.joinAsync (no task left)`,
        form: "async",
        call: (s) => idle.joinAsync({ signal: s }),
        unchanged: none,
      },
    );
    if (numeric) {
      const nq = q as Queue<number> & {
        getManyInto(t: Int32Array, o?: object): number;
        getManyIntoAsync(t: Int32Array, o?: object): Promise<number>;
      };
      out.push(
        {
          name: `${kind} Queue.getManyInto`,
          form: "blocking",
          call: (s) => nq.getManyInto(into, { signal: s }),
          unchanged: one,
        },
        {
          name: `${kind} Queue.getManyIntoAsync`,
          form: "async",
          call: (s) => nq.getManyIntoAsync(into, { signal: s }),
          unchanged: one,
        },
      );
    }
  }
  return out;
}

it("every wait: an already aborted signal throws (blocking) or rejects (async) with its reason before anything else, and changes nothing", async () => {
  const f = await fixtures();
  const table = rows(f);
  try {
    const wrong: string[] = []; // every row that breaks the rule, at once
    for (const row of table) {
      const reason = new Error(`aborted: ${row.name}`);
      const signal = AbortSignal.abort(reason);
      try {
        if (row.form === "blocking") {
          assert.throws(() => row.call(signal), (e) => e === reason);
        } else {
          let p: unknown;
          assert.doesNotThrow(() => {
            p = row.call(signal);
          });
          assert.ok(p instanceof Promise, "returns a promise");
          await assert.rejects(p, (e) => e === reason);
        }
        row.unchanged();
      } catch (error) {
        wrong.push(`${row.name}: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(table.length >= 90, `${table.length} rows`);
    // Without the signal the same calls go through at once.
    assert.equal(f.event.wait(), true);
    assert.equal(f.ended.join(JOIN), true);
    assert.equal(f.done.result(), 2);
    assert.equal(f.barrier.wait(JOIN), 0);
  } finally {
    f.owned.release();
    f.pool.shutdown();
  }
});

it("every wait: bad options come before the aborted signal (a synchronous TypeError or RangeError)", async () => {
  const signal = AbortSignal.abort(new Error("x"));
  const event = new Event();
  event.set();
  const cond = new Condition();
  const q = new Queue<number>({ capacity: 1 });
  const calls: [string, () => unknown, ErrorConstructor][] = [
    ["Event.wait", () => event.wait({ timeout: -1, signal }), RangeError],
    [
      "Event.waitAsync",
      () => event.waitAsync({ timeout: -1, signal }),
      RangeError,
    ],
    [
      "Condition.waitFor",
      () => cond.waitFor(1 as never, { signal }),
      TypeError,
    ],
    [
      "Lock.acquireAsync",
      () => new Lock().acquireAsync({ timeout: NaN, signal }),
      RangeError,
    ],
    ["Queue.get positional", () => q.get(false as never), TypeError],
  ];
  for (const [name, call, type] of calls) {
    assert.throws(call, type, name);
  }
  await Promise.resolve();
});
