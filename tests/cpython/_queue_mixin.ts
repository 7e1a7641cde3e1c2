// Copyright 2026 the threadkit authors. MIT license.
// CPython's Lib/test/test_queue.py BaseQueueTestMixin, shared by the files
// that run it for Queue (queue_test.ts), LifoQueue (lifo_queue_test.ts) and
// PriorityQueue (priority_queue_test.ts): one file per class, so each stays
// well within a per-file time limit on a loaded machine. What the port
// changes from CPython: queue_test.ts's header.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Event,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  RuntimeError,
} from "../../mod.ts";
import { bunch, JOIN, joinAll, words } from "./_bunch.ts";

const QUEUE_SIZE = 5;
const LAST = 1000, FULL = 1001, EMPTY = 1002;
const T = { timeout: 120_000 };

type AnyQueue = Queue<number> | LifoQueue<number> | PriorityQueue<number>;
export const types = [
  {
    name: "Queue",
    make: (n?: number) => new Queue<number>({ capacity: n }),
    order: [111, 333, 222],
  },
  {
    name: "LifoQueue",
    make: (n?: number) => new LifoQueue<number>({ capacity: n }),
    order: [222, 333, 111],
  },
  {
    name: "PriorityQueue",
    make: (n?: number) => new PriorityQueue<number>({ capacity: n }),
    order: [111, 222, 333],
  },
];

/**
 * CPython's do_blocking_test: `block()` must block until the trigger thread
 * ran `trigger` (here "put" or "get" on q), and return `block()`'s value.
 */
async function blockingTest<R>(
  q: AnyQueue,
  block: () => R,
  trigger: "put" | "get",
): Promise<R> {
  const flag = words(1);
  const [t] = bunch(
    (q: Queue<number>, flag: Int32Array, trigger: string) => {
      Atomics.store(flag, 0, 1); // before the trigger call: CPython's startedEvent
      if (trigger === "get") q.get({ timeout: 120_000 });
      else q.put(1002, { timeout: 120_000 });
    },
    1,
    [q, flag, trigger],
  );
  const r = block();
  assert.equal(Atomics.load(flag, 0), 1, "the blocking call did not block");
  await t.joinAsync(JOIN);
  return r;
}

/** Runs BaseQueueTestMixin's cases for one queue class of `types`. */
export function baseQueueTestMixin(
  { name, make, order }: typeof types[number],
): void {
  describe(`test_queue.BaseQueueTestMixin (${name})`, () => {
    async function simpleQueueTest(q: AnyQueue): Promise<void> {
      assert.equal(q.qsize(), 0, "Call this function with an empty queue");
      assert.equal(q.empty(), true);
      assert.equal(q.full(), false);
      // I guess we better check things actually queue correctly a little :)
      q.put(111);
      q.put(333);
      q.put(222);
      assert.deepEqual([q.get(), q.get(), q.get()], order);
      for (let i = 0; i < QUEUE_SIZE - 1; i++) {
        q.put(i);
        assert.equal(q.qsize() > 0, true);
      }
      assert.equal(q.full(), false);
      q.put(LAST);
      assert.equal(q.full(), true);
      assert.throws(() => q.put(FULL, { block: false }), QueueFullError);
      assert.throws(() => q.put(FULL, { timeout: 10 }), QueueFullError);
      assert.throws(() => q.putNowait(FULL), QueueFullError);
      assert.equal(q.qsize(), QUEUE_SIZE);
      // Test a blocking put
      await blockingTest(q, () => q.put(FULL), "get");
      // CPython's timeout is 10 s; T (120 s): the get comes from a thread that
      // starts first, and a start took over 10 s with the suites side by side
      // at load 30. The timeout bounds the wait, it is not what is tested.
      await blockingTest(q, () => q.put(FULL, T), "get");
      // Empty it
      for (let i = 0; i < QUEUE_SIZE; i++) q.get();
      assert.equal(q.empty(), true);
      assert.throws(() => q.get({ block: false }), QueueEmptyError);
      assert.throws(() => q.get({ timeout: 10 }), QueueEmptyError);
      assert.throws(() => q.getNowait(), QueueEmptyError);
      // Test a blocking get
      assert.equal(await blockingTest(q, () => q.get(), "put"), EMPTY);
      assert.equal(await blockingTest(q, () => q.get(T), "put"), EMPTY);
      assert.equal(q.empty(), true);
    }

    it("test_basic: simple_queue_test twice on one queue", async () => {
      const q = make(QUEUE_SIZE);
      await simpleQueueTest(q);
      await simpleQueueTest(q);
    });

    async function queueJoinTest(q: AnyQueue): Promise<void> {
      const cum = words(1);
      const threads = bunch(
        (q: Queue<number>, cum: Int32Array) => {
          for (;;) {
            const x = q.get({ timeout: 120_000 });
            if (x < 0) {
              q.taskDone();
              return;
            }
            Atomics.add(cum, 0, x);
            q.taskDone();
          }
        },
        2,
        [q, cum],
      );
      for (let i = 0; i < 100; i++) q.put(i);
      assert.equal(q.join(T), true);
      assert.equal(
        cum[0],
        4950,
        "q.join() did not block until all tasks were done",
      );
      for (let i = 0; i < 2; i++) q.put(-1); // instruct the threads to close
      assert.equal(q.join(T), true);
      await joinAll(threads);
    }

    it("test_queue_task_done: taskDone() without a put is an error (CPython: ValueError)", () => {
      const q = make();
      assert.throws(() => q.taskDone(), RuntimeError);
    });

    it("test_queue_join: join() waits for the workers' taskDone, twice", async () => {
      const q = make();
      await queueJoinTest(q);
      await queueJoinTest(q);
      assert.throws(() => q.taskDone(), RuntimeError);
    });

    it("test_negative_timeout_raises_exception (CPython: ValueError)", () => {
      const q = make(QUEUE_SIZE);
      assert.throws(() => q.put(1, { timeout: -1 }), RangeError);
      assert.throws(() => q.get({ timeout: -1 }), RangeError);
      assert.equal(q.qsize(), 0);
    });

    it("test_nowait", () => {
      const q = make(QUEUE_SIZE);
      for (let i = 0; i < QUEUE_SIZE; i++) q.putNowait(1);
      assert.throws(() => q.putNowait(1), QueueFullError);
      for (let i = 0; i < QUEUE_SIZE; i++) q.getNowait();
      assert.throws(() => q.getNowait(), QueueEmptyError);
    });

    it("put and get with block: false ignore a timeout, as Python's Queue.put/get do", async () => {
      const t0 = performance.now();
      const q = make(QUEUE_SIZE);
      for (let i = 0; i < QUEUE_SIZE; i++) {
        q.put(i, { block: false, timeout: 60_000 });
      }
      assert.throws(
        () => q.put(FULL, { block: false, timeout: 60_000 }),
        QueueFullError,
      );
      await assert.rejects(
        q.putAsync(FULL, { block: false, timeout: 60_000 }),
        QueueFullError,
      );
      assert.equal(q.qsize(), QUEUE_SIZE);
      // Python ignores the timeout whatever it is, a negative one too.
      for (let i = 0; i < QUEUE_SIZE; i++) {
        q.get({ block: false, timeout: i === 0 ? -1 : 60_000 });
      }
      assert.throws(
        () => q.get({ block: false, timeout: 60_000 }),
        QueueEmptyError,
      );
      await assert.rejects(
        q.getAsync({ block: false, timeout: 60_000 }),
        QueueEmptyError,
      );
      // Unbounded too (Python's type2test()).
      const u = make();
      u.put(LAST, { block: false, timeout: 5 });
      assert.equal(u.get({ block: false, timeout: -1 }), LAST);
      assert.throws(
        () => u.get({ block: false, timeout: 60_000 }),
        QueueEmptyError,
      );
      // None of these waited for its timeout.
      assert.ok(performance.now() - t0 < 30_000, "a block: false call waited");
    });

    it("test_shutdown_empty", () => {
      const q = make();
      q.shutdown();
      assert.throws(() => q.put(1), QueueShutDownError);
      assert.throws(() => q.get(), QueueShutDownError);
    });

    it("test_shutdown_nonempty", () => {
      const q = make();
      q.put(1);
      q.shutdown();
      assert.equal(q.get(), 1);
      assert.throws(() => q.get(), QueueShutDownError);
    });

    it("test_shutdown_immediate", () => {
      const q = make();
      q.put(1);
      q.shutdown({ immediate: true });
      assert.throws(() => q.get(), QueueShutDownError);
    });

    it("test_shutdown_allowed_transitions", () => {
      const q = make();
      assert.equal(q.isShutdown, false);
      q.shutdown();
      assert.equal(q.isShutdown, true);
      q.shutdown({ immediate: true });
      assert.equal(q.isShutdown, true);
      q.shutdown({ immediate: false });
      assert.equal(q.isShutdown, true);
    });

    for (const immediate of [false, true]) {
      it(`test_shutdown_${immediate ? "immediate_" : ""}all_methods_in_one_thread`, () => {
        const q = make(2);
        q.put(76); // "L"
        q.putNowait(79); // "O"
        q.shutdown({ immediate });
        assert.throws(() => q.put(69), QueueShutDownError);
        assert.throws(() => q.putNowait(87), QueueShutDownError);
        if (immediate) {
          assert.throws(() => q.get(), QueueShutDownError);
          assert.throws(() => q.getNowait(), QueueShutDownError);
          assert.throws(() => q.taskDone(), RuntimeError);
          assert.equal(q.join(T), true);
        } else {
          assert.ok([76, 79].includes(q.get()));
          q.taskDone();
          assert.ok([76, 79].includes(q.get()));
          q.taskDone();
          assert.equal(q.join(T), true);
          // when the queue is empty, gets raise ShutDown
          assert.throws(() => q.get(), QueueShutDownError);
          assert.throws(() => q.getNowait(), QueueShutDownError);
          assert.throws(() => q.get({ timeout: 1000 }), QueueShutDownError);
        }
      });

      it(`test_shutdown_${immediate ? "immediate_" : ""}get: getters that come after the shutdown`, async () => {
        const q = make(2);
        const go = new Event();
        q.put(89); // "Y"
        q.put(68); // "D": full
        const n = immediate ? 2 : 3;
        const threads = bunch(
          (q: Queue<number>, go: Event) => {
            go.wait({ timeout: 120_000 });
            try {
              q.get({ timeout: 120_000 });
              return "item";
            } catch (e) {
              if (e instanceof QueueShutDownError) return "shutdown";
              throw e;
            }
          },
          n,
          [q, go],
        );
        q.shutdown({ immediate });
        go.set();
        const results = (await joinAll(threads)).sort();
        assert.deepEqual(
          results,
          immediate ? ["shutdown", "shutdown"] : ["item", "item", "shutdown"],
        );
      });

      it(`test_shutdown_${immediate ? "immediate_" : ""}put: putters blocked on a full queue wake with ShutDown`, async () => {
        const q = make(2);
        q.put(89);
        q.put(68);
        const started = words(1);
        const threads = bunch(
          (q: Queue<number>, started: Int32Array) => {
            Atomics.add(started, 0, 1);
            try {
              q.put(69, { timeout: 120_000 });
              return "put";
            } catch (e) {
              if (e instanceof QueueShutDownError) return "shutdown";
              throw e;
            }
          },
          2,
          [q, started],
        );
        // Whether they are asleep yet or not, both must fail: the queue
        // stays full until the shutdown.
        q.shutdown({ immediate });
        assert.deepEqual(await joinAll(threads), ["shutdown", "shutdown"]);
        assert.equal(q.qsize(), immediate ? 0 : 2);
      });

      it(`test_shutdown_${immediate ? "immediate_" : ""}put_join: a joiner returns once the last task is done or discarded`, async () => {
        const q = make(2);
        const go = new Event();
        q.put(89);
        const threads = [
          ...bunch(
            (q: Queue<number>, go: Event) => {
              go.wait({ timeout: 120_000 });
              try {
                q.put(69);
                return false;
              } catch (e) {
                return e instanceof QueueShutDownError;
              }
            },
            1,
            [q, go],
          ),
          ...bunch((q: Queue<number>) => q.join({ timeout: 120_000 }), 1, [q]),
        ];
        assert.equal(q.join({ timeout: 0 }), false); // one unfinished task
        q.shutdown({ immediate });
        go.set();
        if (immediate) {
          assert.throws(() => q.getNowait(), QueueShutDownError);
        } else {
          assert.equal(q.get(), 89);
          q.taskDone();
        }
        assert.deepEqual(await joinAll(threads), [true, true]);
      });

      it(`test_shutdown_${immediate ? "immediate_" : ""}join: joiners return once the item is got and done${immediate ? " (discarded by the shutdown)" : ""}`, async () => {
        const q = make();
        const go = new Event();
        q.put(89);
        const joiners = bunch(
          (q: Queue<number>) => q.join({ timeout: 120_000 }),
          2,
          [q],
        );
        const getters = immediate ? [] : bunch(
          (q: Queue<number>, go: Event) => {
            go.wait({ timeout: 120_000 });
            const item = q.get({ timeout: 120_000 });
            q.taskDone();
            return item;
          },
          1,
          [q, go],
        );
        q.shutdown({ immediate });
        go.set();
        assert.deepEqual(await joinAll(getters), immediate ? [] : [89]);
        assert.deepEqual(await joinAll(joiners), [true, true]);
        assert.equal(q.join({ timeout: 0 }), true);
      });

      it(`test_shutdown_${immediate ? "immediate_" : ""}get_task_done_join`, async () => {
        const q = make(2);
        const go = new Event();
        q.put(89);
        q.put(68);
        const getters = bunch(
          (q: Queue<number>, go: Event) => {
            go.wait({ timeout: 120_000 });
            try {
              q.get({ timeout: 120_000 });
              q.taskDone();
              return "item";
            } catch (e) {
              if (e instanceof QueueShutDownError) return "shutdown";
              throw e;
            }
          },
          2,
          [q, go],
        );
        const joiners = bunch(
          (q: Queue<number>) => q.join({ timeout: 120_000 }),
          2,
          [q],
        );
        q.shutdown({ immediate });
        go.set();
        assert.deepEqual(
          await joinAll(getters),
          immediate ? ["shutdown", "shutdown"] : ["item", "item"],
        );
        assert.deepEqual(await joinAll(joiners), [true, true]);
      });

      it(`test_shutdown_${immediate ? "immediate_" : ""}all_methods_in_many_threads: blocked putters, getters and joiners all return`, async () => {
        // Full queue of 2 with 2 blocked putters; then emptied and 2 blocked
        // getters; 2 joiners throughout. Every item put is got once or
        // discarded; nothing hangs after the shutdown.
        const q = make(2);
        q.put(1);
        q.put(2);
        const c = words(4); // [0] puts ok, [1] put shutdowns, [2] gets ok, [3] get shutdowns
        const putters = bunch(
          (q: Queue<number>, c: Int32Array) => {
            try {
              q.put(3, { timeout: 120_000 });
              Atomics.add(c, 0, 1);
            } catch (e) {
              if (!(e instanceof QueueShutDownError)) throw e;
              Atomics.add(c, 1, 1);
            }
          },
          2,
          [q, c],
        );
        const joiners = bunch(
          (q: Queue<number>) => q.join({ timeout: 120_000 }),
          2,
          [q],
        );
        const getters = bunch(
          (q: Queue<number>, c: Int32Array) => {
            for (;;) {
              try {
                q.get({ timeout: 120_000 });
                Atomics.add(c, 2, 1);
                q.taskDone();
              } catch (e) {
                if (!(e instanceof QueueShutDownError)) throw e;
                Atomics.add(c, 3, 1);
                return;
              }
            }
          },
          3,
          [q, c],
        );
        q.shutdown({ immediate });
        await joinAll(putters);
        await joinAll(getters);
        assert.deepEqual(await joinAll(joiners), [true, true]);
        assert.equal(c[0] + c[1], 2);
        assert.equal(c[3], 3);
        // Not immediate: all accepted items got; immediate: some discarded.
        if (!immediate) assert.equal(c[2], 2 + c[0]);
        else assert.ok(c[2] <= 2 + c[0]);
        assert.equal(q.qsize(), 0);
      });
    }

    it("test_shutdown_pending_get: a getter asleep on an empty queue wakes with ShutDown", async () => {
      const q = make();
      const threads = bunch(
        (q: Queue<number>) => {
          try {
            return q.get({ timeout: 120_000 });
          } catch (e) {
            return e instanceof QueueShutDownError ? "shutdown" : String(e);
          }
        },
        1,
        [q],
      );
      q.shutdown();
      assert.deepEqual(await joinAll(threads), ["shutdown"]);
    });
  });
}
