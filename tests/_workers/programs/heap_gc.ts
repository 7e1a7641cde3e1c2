// Copyright 2026 the threadkit authors. MIT license.
// Heap reclamation under a real garbage collector (run with gc() exposed:
// tests/_core/heap_gc_test.ts). Prints one "ok" line per check; a wrong
// result throws (exit code 1).
//
// 1. Every async wait keeps its handle, and so its heap block, alive while
//    it is pending, even when the caller dropped every other reference: a
//    block freed under a pending wait would be reused by a new primitive,
//    and the stale waiter would take holds on, or write into, the new one.
// 2. A primitive returned from a thread, or thrown by one, takes over its
//    in-flight reference: dropping the handle releases it.
import {
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
} from "../../../mod.ts";
import { blockRefs } from "../../../_core/heap.ts";
import { runtime } from "../../../_core/runtime.ts";
import { check, exposedGc } from "./_check.ts";

const TO_DESCRIPTOR = Symbol.for("threadkit.toDescriptor");
type Described = Record<
  symbol,
  () => { buffer: SharedArrayBuffer; byteOffset: number }
>;
const describe = (p: object) => (p as Described)[TO_DESCRIPTOR]();
const offsetOf = (p: object) => describe(p).byteOffset;

const gc = exposedGc();

const tick = () => new Promise((r) => setTimeout(r, 10));

// Collects and lets finalizers run until every block in `ats` has `refs`
// references or fewer, or `rounds` passed; returns the counts.
async function collect(ats: number[], refs: number, rounds = 30) {
  for (let i = 0; i < rounds; i++) {
    if (ats.every((at) => blockRefs(at) <= refs)) break;
    gc!();
    await tick();
  }
  return ats.map(blockRefs);
}

const BOUND = { timeout: 30_000 };

// The RLock case needs a holder in another thread (RLock is owned).
const rlock = new RLock();
const held = new Event(), go = new Event();
const holder = new Thread({
  target: (rl: RLock, held: Event, go: Event) => {
    rl.acquire();
    held.set();
    go.wait({ timeout: 30_000 });
    rl.release();
  },
  args: [rlock, held, go],
});
holder.start();
check("RLock holder started", held.wait({ timeout: 30_000 }));

// A SimpleQueue whose second handle (revived from an item) is the one a
// case drops: this first handle stays, as the RLock above does.
const simple = new SimpleQueue<number>({ type: "int32" });
// Cases whose block keeps one other handle's reference after they settle.
const kept = ["RLock.acquireAsync", "SimpleQueue.getAsync (revived)"];

// An unbounded queue grown to several segments: the wait is in the newest.
function grown(): Queue<number> {
  const q = new Queue<number>({ type: "int32", initialCapacity: 2 });
  for (let i = 0; i < 100; i++) q.put(i);
  q.getMany();
  return q;
}

type Start = (signal: AbortSignal) => [object, Promise<unknown>];
const cases: Record<string, Start> = {
  "Lock.acquireAsync": (signal) => {
    const l = new Lock();
    l.acquire();
    return [l, l.acquireAsync({ ...BOUND, signal })];
  },
  "RLock.acquireAsync": (signal) => {
    // A second handle over the held RLock: the one this wait must keep.
    const q = new Queue<RLock>({ capacity: 1 });
    q.put(rlock);
    const r = q.get();
    return [r, r.acquireAsync({ ...BOUND, signal })];
  },
  "RWLock.acquireReadAsync": (signal) => {
    const rw = new RWLock();
    rw.acquireWrite();
    return [rw, rw.acquireReadAsync({ ...BOUND, signal })];
  },
  "RWLock.acquireWriteAsync": (signal) => {
    const rw = new RWLock();
    rw.acquireRead();
    return [rw, rw.acquireWriteAsync({ ...BOUND, signal })];
  },
  "Condition.acquireAsync": (signal) => {
    // The wait is on the lock's words: the lock's block must stay.
    const lock = new Lock();
    const c = new Condition(lock);
    c.acquire();
    return [lock, c.acquireAsync({ ...BOUND, signal })];
  },
  "Condition.waitAsync": (signal) => {
    const c = new Condition();
    c.acquire();
    return [c, c.waitAsync({ ...BOUND, signal })];
  },
  "Condition.waitForAsync": (signal) => {
    const c = new Condition();
    c.acquire();
    return [c, c.waitForAsync(() => false, { ...BOUND, signal })];
  },
  "Semaphore.acquireAsync": (signal) => {
    const s = new Semaphore(0);
    return [s, s.acquireAsync({ ...BOUND, signal })];
  },
  "BoundedSemaphore.acquireAsync": (signal) => {
    const s = new BoundedSemaphore(1);
    s.acquire();
    return [s, s.acquireAsync({ ...BOUND, signal })];
  },
  "Event.waitAsync": (signal) => {
    const e = new Event();
    return [e, e.waitAsync({ ...BOUND, signal })];
  },
  "Barrier.waitAsync": (signal) => {
    const b = new Barrier(2);
    return [b, b.waitAsync({ ...BOUND, signal })];
  },
  "Queue.getAsync": (signal) => {
    const q = new Queue<number>({ capacity: 1 });
    return [q, q.getAsync({ ...BOUND, signal })];
  },
  "Queue.putAsync (full)": (signal) => {
    const q = new Queue<number>({ capacity: 1 });
    q.put(1);
    return [q, q.putAsync(2, { ...BOUND, signal })];
  },
  "Queue.putManyAsync (full)": (signal) => {
    const q = new Queue<number>({ capacity: 1 });
    q.put(1);
    return [q, q.putManyAsync([2, 3], { ...BOUND, signal })];
  },
  "Queue.getManyAsync": (signal) => {
    const q = new Queue<number>({ capacity: 2 });
    return [q, q.getManyAsync(2, { ...BOUND, signal })];
  },
  "Queue.joinAsync": (signal) => {
    const q = new Queue<number>({ capacity: 1 });
    q.put(1);
    return [q, q.joinAsync({ ...BOUND, signal })];
  },
  "Queue for await": (signal) => {
    const q = new Queue<number>({ capacity: 1 });
    const it = q[Symbol.asyncIterator]();
    signal.addEventListener("abort", () => q.shutdown(), { once: true });
    return [q, it.next()];
  },
  "LifoQueue.getAsync": (signal) => {
    const q = new LifoQueue<number>({ capacity: 1 });
    return [q, q.getAsync({ ...BOUND, signal })];
  },
  "PriorityQueue.putAsync (full)": (signal) => {
    const q = new PriorityQueue<number>({ capacity: 1 });
    q.put(1);
    return [q, q.putAsync(2, { ...BOUND, signal })];
  },
  "PriorityQueue.getAsync": (signal) => {
    const q = new PriorityQueue<[number, string]>({ capacity: 1 });
    return [q, q.getAsync({ ...BOUND, signal })];
  },
  // The unbounded queue's waits run in its segments (heap blocks its chain
  // owns): the queue's handle, whose chain block frees them, must stay.
  "Queue (unbounded).getAsync": (signal) => {
    const q = grown();
    return [q, q.getAsync({ ...BOUND, signal })];
  },
  "Queue (unbounded).getManyAsync": (signal) => {
    const q = grown();
    return [q, q.getManyAsync(2, { ...BOUND, signal })];
  },
  "Queue (unbounded).putAsync (at its maximum)": (signal) => {
    const q = new Queue<number>({
      type: "int32",
      initialCapacity: 1,
      maxCapacity: 2,
    });
    q.putMany([1, 2, 3]);
    return [q, q.putAsync(4, { ...BOUND, signal })];
  },
  "Queue (unbounded).putManyAsync (at its maximum)": (signal) => {
    const q = new Queue<number>({
      type: "int32",
      initialCapacity: 1,
      maxCapacity: 2,
    });
    q.putMany([1, 2, 3]);
    return [q, q.putManyAsync([4, 5], { ...BOUND, signal })];
  },
  "Queue (unbounded).joinAsync": (signal) => {
    const q = grown();
    q.put(1);
    return [q, q.joinAsync({ ...BOUND, signal })];
  },
  "Queue (unbounded) for await": (signal) => {
    const q = grown();
    const it = q[Symbol.asyncIterator]();
    signal.addEventListener("abort", () => q.shutdown(), { once: true });
    return [q, it.next()];
  },
  "SimpleQueue.getAsync": (signal) => {
    const q = new SimpleQueue<string>();
    return [q, q.getAsync({ ...BOUND, signal })];
  },
  "SimpleQueue.getAsync (revived)": (signal) => {
    const carrier = new Queue<SimpleQueue<number>>({ capacity: 1 });
    carrier.put(simple);
    const q = carrier.get();
    return [q, q.getAsync({ ...BOUND, signal })];
  },
};

// Start every wait, keeping only the block's offset and the promise.
const names = Object.keys(cases);
const ats: number[] = [];
const before: number[] = [];
const pending: Promise<unknown>[] = [];
const settled: boolean[] = [];
const abort = new AbortController();
for (const [i, name] of names.entries()) {
  let [handle, promise] = cases[name](abort.signal);
  const d = describe(handle);
  check(`${name}: in the heap`, d.buffer === runtime().buffer);
  ats.push(d.byteOffset);
  before.push(blockRefs(d.byteOffset));
  settled.push(false);
  pending.push(promise.then(
    () => settled[i] = true,
    () => settled[i] = true,
  ));
  handle = undefined as unknown as object; // the wait is the only holder
}

// A control: a dropped handle with no wait gives its reference back, so the
// collector and the finalizers do run in this process (the checks below
// could not fail otherwise).
const control = [offsetOf(new Lock()), offsetOf(new RWLock())];
const after = await collect([...control, ...ats], 0);
check(
  "control: dropped handles without a wait are released",
  after[0] === 0 && after[1] === 0,
  after.slice(0, 2),
);
for (const [i, name] of names.entries()) {
  const refs = after[i + 2];
  check(
    `${name}: the pending wait keeps its handle's reference`,
    !settled[i] && refs === before[i],
    `settled ${settled[i]}, refs ${before[i]} -> ${refs}`,
  );
}
abort.abort();
go.set();
await Promise.all(pending);
check("RLock holder joined", (await holder.joinAsync(BOUND), true));
// Once settled, nothing holds the handles: every block is given back (the
// RLock's keeps the references of the other handles and the holder thread).
const end = await collect(ats, 0);
check(
  "settled waits release their handles",
  end.every((refs, i) =>
    kept.includes(names[i]) ? refs === before[i] - 1 : refs === 0
  ),
  `${end} (before: ${before})`,
);

// 2. A thread's result and a thread's thrown value take over the in-flight
// reference their encoding took.
// The thread object keeps its result (and error): the checks run in a
// function, so that only the block's offset outlives it.
async function receive(mode: "result" | "thrown"): Promise<number> {
  const t = new Thread({
    target: (mode: string) => {
      const lock = new Lock();
      lock.acquire();
      // Kept reachable for the thread's life: its event loop turns after
      // the target returns (the end's bookkeeping), and a collection there
      // would run this handle's finalizer and release its reference.
      (globalThis as Record<string, unknown>).kept = lock;
      if (mode === "thrown") throw { lock };
      return { lock };
    },
    args: [mode],
  });
  t.start();
  let lock: Lock;
  try {
    lock = (await t.joinAsync(BOUND) as { lock: Lock }).lock;
  } catch (error) {
    lock = (error as { lock: Lock }).lock;
  }
  check(`${mode}: arrives as a Lock`, lock instanceof Lock && lock.locked());
  const d = describe(lock);
  check(
    `${mode}: revived over this thread's heap`,
    d.buffer === runtime().buffer,
  );
  // The ended thread's handle (kept reachable until it ended, and an ended
  // thread runs no finalizer) and this thread's.
  const at = d.byteOffset;
  check(`${mode}: two references`, blockRefs(at) === 2, blockRefs(at));
  // It travels inside a queue item.
  const q = new Queue<{ lock: Lock }>({ capacity: 1 });
  q.put({ lock });
  check(`${mode}: in a queue item`, q.get().lock.locked());
  return at;
}

for (const mode of ["result", "thrown"] as const) {
  const at = await receive(mode);
  const [refs] = await collect([at], 1);
  check(
    `${mode}: dropping the handle releases its reference`,
    refs === 1,
    refs,
  );
}
console.log("done");
