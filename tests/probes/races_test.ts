// Copyright 2026 the threadkit authors. MIT license.
// Exactly-once under races, with real threads and exact counts: a queue's
// shutdown({ immediate }) against producers and consumers (every accepted
// item is delivered at most once and only if accepted, the rest discarded,
// and join() returns); Future.cancel() against the pool threads taking the
// tasks (each task runs exactly when its cancel failed); an AbortSignal
// against acquireAsync on a contended Lock and Semaphore (each wait either
// holds or rejects, never both, and nothing leaks).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Event,
  Lock,
  Queue,
  QueueShutDownError,
  Semaphore,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { until } from "../_helpers.ts";
import { blocker, within } from "../pool/_fixtures.ts";

const JOIN = { timeout: 60_000 };
const PER_PRODUCER = 20_000;

function words(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

describe("probes: exactly once under races", () => {
  for (const type of ["structured", "int32"] as const) {
    it(`Queue (${type}) shutdown({ immediate }) against 2 producers and 2 consumers: no item twice, none not accepted, join returns`, async () => {
      const q = new Queue<number>({ capacity: 64, type });
      // accepted[p]: items producer p put; seen[p * PER_PRODUCER + i]: gets of item i.
      const accepted = words(2), seen = words(2 * PER_PRODUCER), got = words(1);
      const producers = [0, 1].map((p) => {
        const t = new Thread({
          target: (
            q: Queue<number>,
            accepted: Int32Array,
            p: number,
            n: number,
          ) => {
            for (let i = 0; i < n; i++) {
              try {
                q.put(p * n + i, { timeout: 30_000 });
              } catch (e) {
                if (e instanceof QueueShutDownError) return "shut down";
                throw e;
              }
              Atomics.store(accepted, p, i + 1);
            }
            return "all put";
          },
          args: [q, accepted, p, PER_PRODUCER],
        });
        t.start();
        return t;
      });
      const consumers = [0, 1].map(() => {
        const t = new Thread({
          target: (q: Queue<number>, seen: Int32Array, got: Int32Array) => {
            for (;;) {
              let item: number;
              try {
                item = q.get({ timeout: 30_000 });
              } catch (e) {
                if (e instanceof QueueShutDownError) return "shut down";
                throw e;
              }
              Atomics.add(seen, item, 1);
              Atomics.add(got, 0, 1);
              q.taskDone();
            }
          },
          args: [q, seen, got],
        });
        t.start();
        return t;
      });
      await until(() => Atomics.load(got, 0) >= 2_000, "2000 items through");
      q.shutdown({ immediate: true });
      const ends = await Promise.all(
        [...producers, ...consumers].map((t) => t.joinAsync(JOIN)),
      );
      assert.deepEqual(ends.slice(2), ["shut down", "shut down"]);
      let delivered = 0;
      for (let p = 0; p < 2; p++) {
        const n = Atomics.load(accepted, p);
        for (let i = 0; i < PER_PRODUCER; i++) {
          const k = seen[p * PER_PRODUCER + i];
          assert.ok(k <= 1, `item ${p}:${i} delivered ${k} times`);
          assert.ok(k === 0 || i < n, `item ${p}:${i} delivered, not accepted`);
          delivered += k;
        }
      }
      assert.equal(delivered, Atomics.load(got, 0));
      assert.equal(q.qsize(), 0, "the rest was discarded");
      assert.equal(await q.joinAsync({ timeout: 10_000 }), true);
    });
  }

  it("Future.cancel() against 2 pool threads taking 600 tasks: each runs exactly when its cancel returned false", async () => {
    const n = 600;
    const ran = words(n);
    // A shared Int32Array goes to the pool threads through initArgs (task
    // args refuse it: see "a shared Int32Array as a task arg" below).
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: (ran: Int32Array) => {
        (globalThis as { ran?: Int32Array }).ran = ran;
      },
      initArgs: [ran],
    });
    // Both pool threads held on `go` while the tasks queue behind them.
    const go = new Event();
    const gates = [0, 1].map(() => pool.submit(blocker, go));
    const fs = Array.from(
      { length: n },
      (_, i) =>
        pool.submit((i: number) => {
          Atomics.add((globalThis as unknown as { ran: Int32Array }).ran, i, 1);
          return i;
        }, i),
    );
    // The last task is cancelled before the race, the first never: both
    // outcomes occur. Then cancel from the far end while the pool threads
    // take from the front.
    const answers = new Array<boolean>(n).fill(false);
    answers[n - 1] = fs[n - 1].cancel();
    go.set();
    for (let i = n - 2; i >= 1; i -= 1) answers[i] = fs[i].cancel();
    assert.deepEqual(await within(Promise.all(gates)), [
      "released",
      "released",
    ]);
    await pool.shutdownAsync();
    let cancelled = 0;
    for (let i = 0; i < n; i++) {
      const f = fs[i];
      assert.equal(f.done(), true, `${i} done`);
      assert.ok(ran[i] <= 1, `task ${i} ran ${ran[i]} times`);
      assert.equal(f.cancelled(), answers[i], `${i}: cancel() said`);
      assert.equal(f.cancelled(), ran[i] === 0, `${i}: cancelled xor ran`);
      if (f.cancelled()) cancelled++;
      else assert.equal(f.result({ timeout: 0 }), i);
    }
    assert.equal(answers[n - 1], true);
    assert.equal(ran[0], 1);
    assert.ok(
      cancelled >= 1 && cancelled < n,
      `cancelled ${cancelled} of ${n}`,
    );
  });

  it("AbortSignal against acquireAsync on a Lock and a Semaphore(2) churned by a thread: each wait holds or rejects, never both", async () => {
    const lock = new Lock();
    const sem = new Semaphore(2);
    const stop = new Event();
    const inside = words(2); // threads inside the lock; units held of sem
    const churn = new Thread({
      target: (lock: Lock, sem: Semaphore, stop: Event, inside: Int32Array) => {
        let rounds = 0;
        while (!stop.isSet()) {
          lock.acquire();
          if (Atomics.add(inside, 0, 1) !== 0) throw new Error("two inside");
          Atomics.sub(inside, 0, 1);
          lock.release();
          sem.acquire();
          if (Atomics.add(inside, 1, 1) >= 2) throw new Error("three units");
          Atomics.sub(inside, 1, 1);
          sem.release();
          rounds++;
        }
        return rounds;
      },
      args: [lock, sem, stop, inside],
    });
    churn.start();
    let held = 0, aborted = 0;
    try {
      for (let round = 0; round < 300; round++) {
        const c = new AbortController();
        const useSem = round % 2 === 1;
        const p = useSem
          ? sem.acquireAsync({ signal: c.signal })
          : lock.acquireAsync({ signal: c.signal });
        // Abort at once, after a turn of the loop, or after a timer.
        if (round % 3 === 0) c.abort(new Error("abort"));
        else if (round % 3 === 1) {
          queueMicrotask(() => c.abort(new Error("abort")));
        } else setTimeout(() => c.abort(new Error("abort")), 0);
        let ok: boolean;
        try {
          ok = await within(p, 30_000);
        } catch (e) {
          assert.equal((e as Error).message, "abort");
          aborted++;
          continue;
        }
        assert.equal(ok, true);
        held++;
        const slot = useSem ? 1 : 0;
        const before = Atomics.add(inside, slot, 1);
        assert.ok(before < (useSem ? 2 : 1), "mutual exclusion");
        Atomics.sub(inside, slot, 1);
        if (useSem) sem.release();
        else lock.release();
      }
    } finally {
      stop.set();
    }
    assert.ok(typeof await churn.joinAsync(JOIN) === "number");
    assert.equal(held + aborted, 300);
    assert.equal(lock.locked(), false, "no aborted wait kept the lock");
    assert.equal(sem.value, 2, "no aborted wait kept a unit");
  });

  it(
    "ThreadPoolExecutor: a shared Int32Array as a task arg arrives over the same memory, as in a Thread's args",
    async () => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      const w = words(1);
      const f = pool.submit((w: Int32Array) => Atomics.add(w, 0, 5), w);
      assert.equal(await within(f), 0);
      assert.equal(w[0], 5);
    },
  );
});
