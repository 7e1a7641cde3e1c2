// Copyright 2026 the threadkit authors. MIT license.
// A thread dies without its target returning, while it holds or waits on a
// primitive; the main thread joins it and uses what it held, and the process
// must end by itself. Run as: thread_death.ts HOW HOLDS JOIN [daemon]
//   HOW   exit | exit0 | close | error | reject | oom
//   HOLDS lock | rlock | semaphore | condition | barrier | queue
//   JOIN  sync | async
//   daemon: the thread is a daemon (a node:worker_threads worker on Deno)
// Prints one JSON line with what each call did, for the test to check.
import process from "node:process";
import {
  Barrier,
  Condition,
  Event,
  Lock,
  Queue,
  RLock,
  Semaphore,
  Thread,
} from "../../../mod.ts";

const [how, holds, join, kind] = process.argv.slice(2);
const ready = new Event();
const lock = new Lock();
const rlock = new RLock();
const sem = new Semaphore(1);
const cond = new Condition(new RLock());
const barrier = new Barrier(3);
const queue = new Queue<number>({ capacity: 1, type: "int32" });
queue.put(1); // full: the thread's put waits

const t = new Thread({
  name: "dying",
  daemon: kind === "daemon",
  resourceLimits: how === "oom" ? { maxOldGenerationSizeMb: 48 } : undefined,
  args: [how, holds, ready, lock, rlock, sem, cond, barrier, queue],
  target: async (
    how: string,
    holds: string,
    ready: Event,
    lock: Lock,
    rlock: RLock,
    sem: Semaphore,
    cond: Condition,
    barrier: Barrier,
    queue: Queue<number>,
  ) => {
    const tick = () => new Promise((r) => setTimeout(r, 1));
    if (holds === "lock") lock.acquire();
    if (holds === "rlock") rlock.acquire();
    if (holds === "semaphore") sem.acquire();
    if (holds === "condition") {
      cond.acquire();
      cond.waitAsync({ timeout: 60_000 }).catch(() => {});
    }
    if (holds === "barrier") {
      barrier.waitAsync({ timeout: 60_000 }).catch(() => {});
      // Ordered by the barrier's own word, not by time.
      while (barrier.nWaiting < 1) await tick();
    }
    if (holds === "queue") queue.putAsync(2).catch(() => {});
    await tick(); // the async waits above are registered
    ready.set();
    const g = globalThis as unknown as {
      Deno?: { exit(code: number): never };
      process?: { exit(code: number): never };
      close?: () => void;
    };
    if (how === "exit") {
      if (g.Deno) g.Deno.exit(3);
      else g.process!.exit(3);
    }
    if (how === "exit0") {
      if (g.Deno) g.Deno.exit(0);
      else g.process!.exit(0);
    }
    if (how === "close") g.close!();
    if (how === "error") {
      setTimeout(() => {
        throw new Error("late boom");
      });
    }
    if (how === "reject") Promise.reject(new Error("rejected boom"));
    if (how === "oom") {
      const hog: number[][] = [];
      for (;;) hog.push(new Array(100_000).fill(Math.random()));
    }
    await new Promise(() => {}); // never returns by itself
  },
});
const out: Record<string, unknown> = {};
const started = performance.now();
const ms = () => Math.round(performance.now() - started);
function what(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return (e as Error).name;
  }
}
async function whatAsync(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return await fn();
  } catch (e) {
    return (e as Error).name;
  }
}

t.start();
out.ready = ready.wait({ timeout: 20_000 });
if (join === "sync") {
  out.joined = t.join({ timeout: 20_000 });
  out.error = (t.error as Error | undefined)?.name;
} else {
  out.joined = await whatAsync(() => t.joinAsync({ timeout: 20_000 }));
}
const err = t.error as { reason?: string; code?: number } | undefined;
out.reason = err?.reason;
out.code = err?.code;
out.alive = t.isAlive();
out.joinMs = ms();
if (holds === "lock") {
  out.acquire = what(() => lock.acquire({ timeout: 10_000 }));
}
if (holds === "rlock") {
  out.acquire = what(() => rlock.acquire({ timeout: 10_000 }));
  out.acquireAsync = await whatAsync(() =>
    rlock.acquireAsync({ timeout: 10_000 })
  );
}
if (holds === "semaphore") out.acquire = sem.acquire({ timeout: 200 });
if (holds === "condition") {
  out.acquire = cond.acquire({ timeout: 10_000 });
  cond.notifyAll();
  out.wait = cond.wait({ timeout: 100 });
  cond.release();
}
if (holds === "barrier") {
  out.wait = what(() => barrier.wait({ timeout: 10_000 }));
  barrier.reset();
  out.broken = barrier.broken;
}
if (holds === "queue") {
  out.get = queue.get({ timeout: 1000 });
  out.put = what(() => queue.put(5, { timeout: 1000 }));
  queue.shutdown();
  out.afterShutdown = queue.get({ timeout: 1000 });
}
out.ms = ms();
console.log(JSON.stringify(out));
