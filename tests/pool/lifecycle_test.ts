// Copyright 2026 the threadkit authors. MIT license.
// Threads that come and go around an executor: submitting threads that end
// (their slots come back), pool threads that die while their owner polls
// in short waits (the death is seen), a home thread that blocks (it still
// starts pool threads) or ends (the executor breaks), shutdown with tasks
// still queued, idle pool threads that stay gone, and cancel() after
// shutdown({ cancelFutures }).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  enumerate,
  Event,
  Queue,
  Thread,
  ThreadDiedError,
  ThreadPoolExecutor,
  TimeoutError,
  wait,
} from "../../mod.ts";
import { isDeno, sleep, until } from "../_helpers.ts";
import { blocker, within } from "./_fixtures.ts";

// A task that ends its pool thread (process.exit exists on Deno too).
function die(): number {
  (globalThis as unknown as { process: { exit(c: number): void } })
    .process.exit(3);
  return -1;
}

describe("ThreadPoolExecutor: threads that end", () => {
  for (const how of ["return", "exit", "pending"]) {
    it(`ThreadPoolExecutor: submitting threads that end (${how}) leave every slot free`, async () => {
      // 4 slots; a thread may keep one for its next submit.
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 3 });
      // Warm: the pool thread's start is not in the threads' bounds.
      assert.equal(await within(pool.submit((x: number) => x, 0)), 0);
      for (let i = 0; i < 8; i++) {
        const t = new Thread({
          target: (p: ThreadPoolExecutor, i: number, how: string) => {
            const f = p.submitWith((x: number) => x + 1, [i], {
              timeout: 10_000,
            });
            if (how === "pending") return -1;
            const r = f.result({ timeout: 20_000 });
            if (how === "exit") {
              (globalThis as unknown as { process: { exit(c: number): void } })
                .process.exit(0);
            }
            return r;
          },
          args: [pool, i, how],
        });
        t.start();
        await within(t.joinAsync({ timeout: 30_000 })).catch((e) => {
          if (how !== "exit") throw e; // an exit ends the join in an error
        });
        if (how === "return") assert.equal(t.result, i + 1);
      }
      // Every slot is free: four blocked tasks are accepted at once.
      const release = new Event();
      const fs = Array.from(
        { length: 4 },
        () => pool.submitWith(blocker, [release], { timeout: 10_000 }),
      );
      release.set();
      assert.deepEqual(
        await within(Promise.all(fs)),
        ["released", "released", "released", "released"],
      );
    });
  }

  it("ThreadPoolExecutor: a blocking submit on a full queue sees its task's pool thread die", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 1 });
    const dying = pool.submit(die);
    const queued = pool.submit((x: number) => x, 2);
    // The queue is full until the death is seen (the dead task's slot).
    const third = pool.submitWith((x: number) => x, [3], { timeout: 30_000 });
    await assert.rejects(within(dying), ThreadDiedError);
    assert.deepEqual(await within(Promise.all([queued, third])), [2, 3]);
  });

  it("ThreadPoolExecutor: result() polled in waits shorter than the scan period sees its pool thread die", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit(die);
    const end = performance.now() + 20_000;
    let error: unknown;
    while (error === undefined && performance.now() < end) {
      try {
        f.result({ timeout: 50 });
      } catch (e) {
        if (!(e instanceof TimeoutError)) error = e;
      }
    }
    assert.ok(error instanceof ThreadDiedError, String(error));
  });

  it("ThreadPoolExecutor: wait() on two executors' Futures sees a pool thread die", async () => {
    await using a = new ThreadPoolExecutor({ maxWorkers: 1 });
    await using b = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event();
    const dying = a.submit(die);
    const blocked = b.submit(blocker, release);
    const { done } = wait([dying, blocked], {
      timeout: 20_000,
      returnWhen: "FIRST_COMPLETED",
    });
    release.set();
    assert.deepEqual([...done], [dying]);
    await assert.rejects(within(dying), ThreadDiedError);
    assert.equal(await within(blocked), "released");
  });

  it("ThreadPoolExecutor: a home thread blocked in a join still starts pool threads another thread needs", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const t = new Thread({
      target: (p: ThreadPoolExecutor) => {
        const first = p.submit(() => {
          (globalThis as unknown as { process: { exit(c: number): void } })
            .process.exit(3);
        });
        let name = "";
        try {
          first.result({ timeout: 20_000 });
        } catch (e) {
          name = (e as Error).name;
        }
        // The only pool thread died: home must start another.
        return [
          name,
          p.submit((x: number) => x + 1, 1).result({
            timeout: 20_000,
          }),
        ];
      },
      args: [pool],
    });
    t.start();
    // Blocking: home's event loop does not turn meanwhile.
    assert.equal(t.join({ timeout: 30_000 }), true);
    assert.equal(t.error, undefined);
    assert.deepEqual(t.result, ["ThreadDiedError", 2]);
  });

  it("ThreadPoolExecutor: shutdown({ wait: true }) with no pool thread left runs the tasks still queued", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ready = new Event();
    const t = new Thread({
      target: (p: ThreadPoolExecutor, ready: Event) => {
        try {
          p.submit(() => {
            (globalThis as unknown as { process: { exit(c: number): void } })
              .process.exit(3);
          }).result({ timeout: 20_000 });
        } catch {
          // ThreadDiedError: no pool thread lives now
        }
        const f = p.submit((x: number) => x + 1, 1);
        ready.set();
        return f.result({ timeout: 20_000 });
      },
      args: [pool, ready],
    });
    t.start();
    assert.equal(ready.wait({ timeout: 30_000 }), true);
    pool.shutdown({ wait: true });
    assert.equal(await within(t.joinAsync({ timeout: 30_000 })), 2);
  });

  it("ThreadPoolExecutor: when the thread that created it ends, the executor is broken: queued Futures fail, submit throws", async () => {
    // Home creates the executor and hands it to a thread of its own (which
    // outlives home's end), then ends once that thread has queued a task.
    const results = new Queue<string>({ capacity: 8 });
    const queued = new Event();
    const home = new Thread({
      target: (results: Queue<string>, queued: Event) => {
        const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
        const user = new Thread({
          target: (
            p: ThreadPoolExecutor,
            results: Queue<string>,
            queued: Event,
          ) => {
            const name = (f: () => unknown) => {
              try {
                return String(f());
              } catch (e) {
                return (e as Error).name;
              }
            };
            const release = new Event(), started = new Event();
            const running = p.submit(
              (r: Event, s: Event) => {
                s.set();
                return r.wait({ timeout: 30_000 });
              },
              release,
              started,
            );
            started.wait({ timeout: 30_000 });
            const waiting = p.submit((x: number) => x, 1);
            queued.set();
            results.put(name(() => waiting.result({ timeout: 20_000 })));
            results.put(name(() => p.submit((x: number) => x, 2)));
            release.set();
            results.put(name(() => running.result({ timeout: 20_000 })));
          },
          args: [pool, results, queued],
        });
        user.start();
        queued.wait({ timeout: 30_000 });
      },
      args: [results, queued],
    });
    home.start();
    await within(home.joinAsync({ timeout: 30_000 }));
    const got = [];
    for (let i = 0; i < 3; i++) {
      got.push(await within(results.getAsync({ timeout: 30_000 })));
    }
    // The running task finishes or dies with home's pool thread.
    assert.deepEqual(got.slice(0, 2), [
      "BrokenExecutorError",
      "BrokenExecutorError",
    ]);
    assert.ok(["true", "ThreadDiedError"].includes(got[2]), got[2]);
  });

  it("ThreadPoolExecutor({ idleTimeout }) that travelled: idle pool threads stay gone", async () => {
    // Its own pool threads, by name (other tests' threads may still end).
    const prefix = "idle-stays-gone";
    const mine = () =>
      enumerate().filter((t) => t.name.startsWith(prefix)).length;
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      idleTimeout: 20,
      threadNamePrefix: prefix,
    });
    const t = new Thread({
      target: (p: ThreadPoolExecutor) =>
        p.submit((x: number) => x, 1).result({ timeout: 20_000 }),
      args: [pool],
    });
    t.start();
    assert.equal(await within(t.joinAsync({ timeout: 30_000 })), 1);
    await until(() => mine() === 0, "the pool threads to idle out");
    // An observation window, not an ordering: the supervisor ticks every
    // 100 ms; before the fix it restarted every pool thread on each tick.
    await sleep(500);
    assert.equal(mine(), 0);
    await within(pool.shutdownAsync());
  });

  it("ThreadPoolExecutor: cancel() after shutdown({ cancelFutures }) returns true at once", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event();
    const busy = pool.submit(blocker, release, started);
    const queued = pool.submit((x: number) => x, 2);
    assert.equal(await started.waitAsync({ timeout: 30_000 }), true);
    pool.shutdown({ wait: false, cancelFutures: true });
    assert.equal(queued.cancel(), true);
    assert.equal(queued.cancelled(), true);
    release.set();
    assert.equal(await within(busy), "released");
    await within(pool.shutdownAsync());
  });

  it(
    "ThreadPoolExecutor: a task that closes its pool thread fails with ThreadDiedError; the pool goes on",
    { skip: !isDeno && "self.close() exists in Deno's workers only" },
    async () => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      const f = pool.submit(() => {
        (globalThis as unknown as { close(): void }).close();
        return 1;
      });
      await assert.rejects(within(f), ThreadDiedError);
      assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
    },
  );
});
