// Copyright 2026 the threadkit authors. MIT license.
// A runtime without threads (Deno Deploy, edge isolates): `Worker` is
// deleted, and node:worker_threads hidden, before threadkit is imported.
// Thread, Timer and spawn must throw ThreadsUnavailableError; Lock, RLock,
// Condition, Semaphore, Event, Barrier and Queue keep working in the one
// thread. Prints one line per check; a wrong result throws (exit code 1).
const g = globalThis as unknown as {
  Worker?: unknown;
  process?: { getBuiltinModule?(id: string): unknown };
};
delete g.Worker;
const builtin = g.process?.getBuiltinModule;
if (builtin !== undefined) {
  g.process!.getBuiltinModule = (id: string) =>
    /worker_threads/.test(id) ? undefined : builtin.call(g.process, id);
}

const tk = await import("../../../mod.ts");
const {
  Barrier,
  Condition,
  Event,
  Lock,
  Queue,
  RLock,
  Semaphore,
  spawn,
  Thread,
  ThreadsUnavailableError,
  Timer,
} = tk;

function check(what: string, ok: boolean): void {
  if (!ok) throw new Error(`${what}: failed`);
  console.log(`ok ${what}`);
}

function refused(start: () => unknown): boolean {
  try {
    start();
  } catch (error) {
    return error instanceof ThreadsUnavailableError &&
      /this runtime has no Worker/.test(error.message);
  }
  return false;
}

const thread = new Thread({ target: () => 1 });
check(
  "Thread.start throws ThreadsUnavailableError",
  refused(() => thread.start()),
);
check(
  "the thread did not start",
  !thread.isAlive() && thread.ident === undefined,
);
check(
  "Timer.start throws ThreadsUnavailableError",
  refused(() => new Timer(1, () => 1).start()),
);
check("spawn throws ThreadsUnavailableError", refused(() => spawn(() => 1)));

const lock = new Lock();
check(
  "Lock",
  lock.acquire() && !lock.acquire({ timeout: 10 }) &&
    (lock.release(), !lock.locked()),
);
const rlock = new RLock();
check(
  "RLock",
  rlock.acquire() && rlock.acquire() &&
    (rlock.release(), rlock.release(), true),
);
const sem = new Semaphore(2);
check(
  "Semaphore",
  sem.acquire() && sem.acquire() && !sem.acquire({ blocking: false }) &&
    (sem.release(2), sem.acquire({ timeout: 10 })),
);
const event = new Event();
check(
  "Event",
  !event.wait({ timeout: 10 }) && (event.set(), event.wait({ timeout: 10 })) &&
    await event.waitAsync({ timeout: 10 }),
);
const cond = new Condition();
cond.acquire();
check(
  "Condition",
  cond.wait({ timeout: 10 }) === false && (cond.notifyAll(), true),
);
cond.release();
const barrier = new Barrier(1);
check("Barrier", barrier.wait({ timeout: 10 }) === 0);
const q = new Queue<{ n: number }>({ capacity: 4 });
q.put({ n: 1 });
await q.putAsync({ n: 2 });
check(
  "Queue",
  q.get().n === 1 && (await q.getAsync({ timeout: 10 })).n === 2 && q.empty(),
);
const ints = new Queue<number>({ capacity: 2, type: "int32" });
ints.putMany([7, 8]);
check("Queue int32", JSON.stringify(ints.getMany()) === "[7,8]");
console.log("done");
