// Copyright 2026 the threadkit authors. MIT license.
// Options spelled as the other call or as Python spells them, as a user
// coming from Python (or from the other primitive) writes them from plain
// JavaScript, where no type checks the keys. Python itself names the flag
// two ways: Lock.acquire(blocking=) and Semaphore.acquire(blocking=), but
// Queue.get(block=) and Queue.put(block=); threadkit keeps both. An unknown
// key is otherwise ignored, as JavaScript options are, and these changed
// what the call did: `q.get({ blocking: false })` on an empty queue waited
// forever, `lock.acquire({ block: false })` waited for the lock,
// `shutdown({ cancel_futures: true })` cancelled nothing and
// `wait(fs, { return_when })` waited for all, `Thread({ kwargs })` ran the
// target without them. Each is a TypeError at the
// call that names the spelling to write, and changes nothing.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BoundedSemaphore,
  Event,
  FIRST_COMPLETED,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  RLock,
  Semaphore,
  SimpleQueue,
  Thread,
  ThreadPoolExecutor,
  wait,
  waitAsync,
} from "../../mod.ts";
import { blocker, within } from "../pool/_fixtures.ts";

// deno-lint-ignore no-explicit-any
const A = (x: unknown) => x as any;

/** Asserts that `call` throws a TypeError whose message names `write`. */
function refused(name: string, call: () => unknown, write: string): void {
  assert.throws(call, (e: unknown) => {
    assert.ok(e instanceof TypeError, `${name}: ${e}`);
    assert.ok(
      (e as Error).message.includes(write),
      `${name}: the message names ${write}: ${(e as Error).message}`,
    );
    return true;
  }, name);
}

/** As `refused`, for an async form: it throws or rejects with a TypeError. */
async function refusedAsync(
  name: string,
  call: () => Promise<unknown>,
  write: string,
): Promise<void> {
  let p: Promise<unknown>;
  try {
    p = call();
  } catch (e) {
    refused(name, () => {
      throw e;
    }, write);
    return;
  }
  await assert.rejects(within(p, 5_000), (e: unknown) => {
    assert.ok(e instanceof TypeError, `${name}: ${e}`);
    assert.ok((e as Error).message.includes(write), name);
    return true;
  }, name);
}

describe("probes: an option spelled as the other call spells it", () => {
  it("queues take Python's block, not blocking: refused, and nothing is taken or added", async () => {
    const queues = [
      new Queue<number>({ capacity: 2 }),
      new Queue<number>(),
      new LifoQueue<number>({ capacity: 2 }),
      new PriorityQueue<number>({ capacity: 2 }),
      new SimpleQueue<number>(),
    ];
    for (const q of queues) {
      const name = q.constructor.name;
      // Empty: before, a get waited for its timeout (here 50 ms; without
      // one, forever) instead of failing at once.
      refused(
        `${name} get`,
        () => q.get(A({ blocking: false, timeout: 50 })),
        "block",
      );
      await refusedAsync(
        `${name} getAsync`,
        () => q.getAsync(A({ blocking: false, timeout: 50 })),
        "block",
      );
      q.put(1);
      if (!(q instanceof SimpleQueue)) {
        q.put(2);
        // Full, or unbounded: a put refused either way.
        refused(`${name} put`, () => q.put(3, A({ blocking: false })), "block");
        await refusedAsync(
          `${name} putAsync`,
          () => q.putAsync(3, A({ blocking: false })),
          "block",
        );
      }
      const size = q.qsize();
      refused(
        `${name} get (items)`,
        () => q.get(A({ blocking: true })),
        "block",
      );
      assert.equal(q.qsize(), size, `${name}: nothing taken or added`);
    }
  });

  it("locks and semaphores take Python's blocking, not block: refused, and nothing is acquired", async () => {
    const held = new Lock();
    held.acquire();
    const cases: [string, { acquire(o?: unknown): boolean }][] = [
      ["Lock (held)", held],
      ["Lock (free)", new Lock()],
      ["RLock", new RLock()],
      ["Semaphore(0)", new Semaphore(0)],
      ["BoundedSemaphore(1)", new BoundedSemaphore(1)],
    ];
    for (const [name, x] of cases) {
      refused(
        name,
        () => x.acquire(A({ block: false, timeout: 50 })),
        "blocking",
      );
      await refusedAsync(
        `${name} async`,
        () =>
          (x as unknown as { acquireAsync(o: unknown): Promise<boolean> })
            .acquireAsync(A({ block: false, timeout: 50 })),
        "blocking",
      );
    }
    assert.equal(held.locked(), true);
    assert.equal((cases[1][1] as Lock).locked(), false, "nothing acquired");
    assert.equal((cases[2][1] as RLock).locked(), false, "nothing acquired");
    assert.equal((cases[4][1] as BoundedSemaphore).value, 1);
  });

  it("the executor: Python's max_workers, thread_name_prefix, initargs, cancel_futures and return_when are refused; the pool is as it was", async () => {
    refused(
      "ThreadPoolExecutor({ max_workers })",
      () => new ThreadPoolExecutor(A({ max_workers: 1 })),
      "maxWorkers",
    );
    refused(
      "ThreadPoolExecutor({ thread_name_prefix })",
      () => new ThreadPoolExecutor(A({ thread_name_prefix: "p" })),
      "threadNamePrefix",
    );
    refused(
      "ThreadPoolExecutor({ initargs })",
      () => new ThreadPoolExecutor(A({ initializer: () => {}, initargs: [1] })),
      "initArgs",
    );
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    const busy = pool.submit(blocker, release, started);
    const queued = pool.submit((x: number) => x + 1, 1);
    try {
      refused(
        "shutdown({ cancel_futures })",
        () => pool.shutdown(A({ cancel_futures: true, wait: false })),
        "cancelFutures",
      );
      await refusedAsync(
        "shutdownAsync({ cancel_futures })",
        () => pool.shutdownAsync(A({ cancel_futures: true })),
        "cancelFutures",
      );
      refused(
        "wait({ return_when })",
        () => wait([busy, queued], A({ return_when: FIRST_COMPLETED })),
        "returnWhen",
      );
      await refusedAsync(
        "waitAsync({ return_when })",
        () => waitAsync([busy, queued], A({ return_when: FIRST_COMPLETED })),
        "returnWhen",
      );
      assert.equal(queued.cancelled(), false, "nothing was cancelled");
    } finally {
      release.set();
    }
    assert.equal(await within(queued), 2);
    await within(busy);
    // Not shut down: it still takes tasks.
    assert.equal(await within(pool.submit((x: number) => x * 2, 4)), 8);
  });

  it("Thread: Python's kwargs is refused (the target would run without them); nothing starts", () => {
    refused(
      "Thread({ kwargs })",
      () =>
        new Thread(A({
          target: (o?: { a: number }) => o?.a,
          kwargs: { a: 1 },
        })),
      "args",
    );
  });

  it("a thread's own waits refuse them too (the options are read in the thread)", async () => {
    const t = new Thread({
      target: (q: Queue<number>, lock: Lock) => {
        const seen: string[] = [];
        for (
          const call of [
            () => q.get({ blocking: false, timeout: 50 } as never),
            () => lock.acquire({ block: false, timeout: 50 } as never),
          ]
        ) {
          try {
            call();
            seen.push("returned");
          } catch (e) {
            seen.push((e as Error).name);
          }
        }
        return seen;
      },
      args: [new Queue<number>({ capacity: 1 }), new Lock()],
    });
    t.start();
    assert.deepEqual(await t.joinAsync({ timeout: 30_000 }), [
      "TypeError",
      "TypeError",
    ]);
  });
});
