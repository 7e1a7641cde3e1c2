// Copyright 2026 the threadkit authors. MIT license.
// A thread dies without its target returning, while it holds or waits on a
// primitive; the main thread joins it and uses what it held, and the process
// must end by itself. Run as: thread_death.ts HOW HOLDS JOIN [daemon]
//   HOW   exit | exit0 | close | error | reject | oom
//   HOLDS lock | rlock | semaphore | condition | barrier | queue | rwlock
//         (held for writing) | cond-lock (a Condition's lock, taken while
//         the main thread sits in wait()) | action (a Barrier's action:
//         the thread dies running it, the main thread waiting) | solo
//         (the same with a Barrier of one: nobody waits, the main thread
//         then arrives) | solo-reset (the main thread then calls reset())
//   JOIN  sync | async
//   daemon: the thread is a daemon (a node:worker_threads worker on Deno)
//   spare, spare-daemon: the thread (a daemon or not) starts on a spare
//         worker (prestartThreads); "onSpare" says whether it took one
//   keeps: the thread keeps two spare workers of its own (ready) when it
//         dies (they stop with it)
// Prints one JSON line with what each call did, for the test to check.
import process from "node:process";
import {
  Barrier,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  prestartThreads,
  Queue,
  RLock,
  RWLock,
  Semaphore,
  Thread,
} from "../../../mod.ts";

const [how, holds, join, kind] = process.argv.slice(2);
const ready = new Event();
const lock = new Lock();
const rlock = new RLock();
const sem = new Semaphore(1);
const condLock = new RLock();
const cond = new Condition(condLock);
const barrier = new Barrier(3);
const rw = new RWLock();
// The action exits the thread that runs it while `dying[0]` is 1: the last
// to arrive, which is always the dying thread (it arrives once the main
// thread and a helper thread wait; a Barrier of one has no one else).
// dying[1]: how many spares of its own were ready when it went on to die
// ("keeps").
const dying = new Int32Array(new SharedArrayBuffer(8));
const acting = new Barrier(holds === "action" ? 3 : 1, {
  action: (dying: Int32Array) => {
    if (Atomics.load(dying, 0) !== 1) return;
    const g = globalThis as unknown as {
      Deno?: { exit(code: number): never };
      process: { exit(code: number): never };
    };
    if (g.Deno) g.Deno.exit(3);
    g.process.exit(3);
  },
  actionArgs: [dying],
});
const queue = new Queue<number>({ capacity: 1, type: "int32" });
queue.put(1); // full: the thread's put waits

const t = new Thread({
  name: "dying",
  daemon: kind === "daemon" || kind === "spare-daemon",
  resourceLimits: how === "oom" ? { maxOldGenerationSizeMb: 48 } : undefined,
  args: [
    how,
    holds,
    ready,
    lock,
    rlock,
    sem,
    cond,
    barrier,
    queue,
    rw,
    acting,
    dying,
    kind === "keeps",
  ],
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
    rw: RWLock,
    acting: Barrier,
    dying: Int32Array,
    keeps: boolean,
  ) => {
    const tick = () => new Promise((r) => setTimeout(r, 1));
    if (keeps) {
      prestartThreads(2);
      const until = performance.now() + 30_000;
      while (prestartThreads(2) < 2 && performance.now() < until) await tick();
      Atomics.store(dying, 1, prestartThreads(2));
    }
    if (holds === "action" || holds.startsWith("solo")) {
      // Ordered by the barrier's own word: the helper and the main thread
      // wait first (in a Barrier of one: nobody).
      while (acting.nWaiting < acting.parties - 1) await tick();
      ready.set();
      Atomics.store(dying, 0, 1);
      acting.wait({ timeout: 60_000 }); // runs the action, which exits
    }
    if (holds === "rwlock") rw.acquireWrite();
    if (holds === "cond-lock") cond.acquire({ timeout: 60_000 });
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

if (holds === "cond-lock") {
  // Held two deep; wait() lets go, the thread takes it and dies holding it.
  cond.acquire();
  cond.acquire();
}
const spare = kind === "spare" || kind === "spare-daemon";
if (spare) {
  // Bounded wait until a spare is ready, so that the thread takes it.
  const until = performance.now() + 30_000;
  while (prestartThreads(1) < 1 && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
  }
}
t.start();
// The spare it took is gone from the ready ones (no replacement yet).
if (spare) out.onSpare = prestartThreads(0) === 0;
if (holds === "cond-lock") {
  out.wait = what(() => cond.wait({ timeout: 20_000 }));
  out.owned = condLock.isOwned();
  out.count = condLock.count;
  cond.release();
  cond.release();
  out.locked = condLock.locked();
}
if (holds === "action") {
  // The helper reports through shared memory and is joined blocking: the
  // main thread must not yield to its event loop before it joins the dying
  // thread (a death that no join takes goes to the excepthook).
  const said = new Int32Array(new SharedArrayBuffer(4));
  const helper = new Thread({
    name: "helper",
    target: async (b: Barrier, said: Int32Array) => {
      try {
        await b.waitAsync({ timeout: 20_000 });
        Atomics.store(said, 0, 1);
      } catch (e) {
        Atomics.store(said, 0, e instanceof BrokenBarrierError ? 2 : 3);
      }
    },
    args: [acting, said],
  });
  helper.start();
  while (acting.nWaiting < 1) await new Promise((r) => setTimeout(r, 1));
  out.wait = what(() => acting.wait({ timeout: 20_000 }));
  helper.join({ timeout: 20_000 });
  out.helper = ["none", "index", "BrokenBarrierError", "other"][said[0]];
  out.waitMs = ms();
  out.broken = acting.broken;
  acting.reset();
  out.afterReset = acting.broken;
}
out.ready = ready.wait({ timeout: 90_000 });
if (join === "sync") {
  out.joined = t.join({ timeout: 90_000 });
  out.error = (t.error as Error | undefined)?.name;
} else {
  out.joined = await whatAsync(() => t.joinAsync({ timeout: 90_000 }));
}
const err = t.error as { reason?: string; code?: number } | undefined;
out.reason = err?.reason;
out.code = err?.code;
out.alive = t.isAlive();
out.joinMs = ms();
if (holds === "lock") {
  out.acquire = what(() => lock.acquire({ timeout: 10_000 }));
  out.held = lock.locked(); // taken over: held by this thread
  if (out.held) lock.release();
  out.again = lock.acquire({ timeout: 1000 });
}
if (holds === "rlock") {
  out.acquire = what(() => rlock.acquire({ timeout: 10_000 }));
  out.acquireAsync = await whatAsync(() =>
    rlock.acquireAsync({ timeout: 10_000 })
  ); // taken over by the acquire above: a reentry
  out.count = rlock.count;
  while (rlock.isOwned()) rlock.release();
}
if (holds.startsWith("solo")) {
  // Nobody waited: the main thread's call takes the barrier's lock over.
  Atomics.store(dying, 0, 0);
  if (holds === "solo-reset") acting.reset();
  else if (join === "sync") {
    out.wait = what(() => acting.wait({ timeout: 10_000 }));
  } else {
    out.wait = await whatAsync(() => acting.waitAsync({ timeout: 10_000 }));
  }
  out.broken = acting.broken;
  acting.reset();
  out.again = acting.wait({ timeout: 10_000 }); // usable: index 0
}
if (holds === "rwlock") {
  out.acquire = await whatAsync(() => rw.acquireReadAsync({ timeout: 10_000 }));
  out.held = rw.writeLocked(); // taken over for writing
  if (out.held) rw.releaseWrite();
  out.again = rw.acquireRead({ timeout: 1000 });
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
// The spares of its own that were ready when it went on to die ("keeps").
if (kind === "keeps") out.kept = Atomics.load(dying, 1);
console.log(JSON.stringify(out));
