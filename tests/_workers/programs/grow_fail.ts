// Copyright 2026 the threadkit authors. MIT license.
// An unbounded Queue whose buffer fails to grow (SharedArrayBuffer's grow
// throws, as when memory cannot be committed) must throw from the put that
// needed the room and stay usable: no put or get may spin afterwards. A
// regression spins forever, so the test runs this program in a subprocess
// bounded in time. Prints one line per check; a wrong result throws.
import { Queue, QueueEmptyError, Thread } from "../../../mod.ts";

function check(what: string, ok: boolean, detail: unknown = ""): void {
  if (!ok) throw new Error(`${what}: failed ${String(detail)}`);
  console.log(`ok ${what}`);
}

// The next `n` calls of grow() on any SharedArrayBuffer of this thread throw.
const realGrow = SharedArrayBuffer.prototype.grow;
let failures = 0;
SharedArrayBuffer.prototype.grow = function (length: number) {
  if (failures > 0) {
    failures--;
    throw new RangeError("simulated: cannot commit memory");
  }
  return realGrow.call(this, length);
};

function throws(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

const q = new Queue<number>({ type: "int32", initialCapacity: 2 });
q.put(1);
q.put(2);
failures = 1;
const error = throws(() => q.put(3));
check(
  "put throws the grow's error",
  error instanceof RangeError && /simulated/.test(error.message),
  error,
);
check("the queue is unchanged", q.qsize() === 2 && !q.isShutdown);
check("getNowait still takes the first item", q.getNowait() === 1);
q.putNowait(3); // the grow is retried and lays the segment in the same space
q.put(4, { timeout: 100 });
const t0 = performance.now();
const got = [q.get({ timeout: 100 }), await q.getAsync({ timeout: 100 })];
got.push(...q.getMany(10, { timeout: 100 }));
check("then every item comes out once, in order", got.join() === "2,3,4", got);
check(
  "an empty queue times out instead of spinning",
  throws(() => q.get({ timeout: 50 })) instanceof QueueEmptyError &&
    throws(() => q.getNowait()) instanceof QueueEmptyError &&
    performance.now() - t0 < 5_000,
);

// The async put and the batch puts: a failed grow throws (or, once some
// items went in, returns the count), and the queue goes on.
const a = new Queue<number>({ type: "int32", initialCapacity: 2 });
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
a.putMany([1, 2]);
failures = 1;
check(
  "putMany throws the grow's error when nothing went in",
  throws(() => a.putMany([3, 4, 5])) instanceof RangeError && a.qsize() === 2,
);
failures = 1;
let rejected: unknown;
await a.putAsync(3).catch((e) => rejected = e);
check(
  "putAsync rejects with the grow's error",
  rejected instanceof RangeError && a.qsize() === 2,
);
await a.putAsync(3);
failures = 1;
check(
  "putMany returns the count put before a failed grow",
  a.putMany([4, 5, 6, 7, 8]) === 3,
);
check("putManyAsync grows again", (await a.putManyAsync(range(7, 17))) === 11);
failures = 1;
check(
  "putManyAsync returns the count put before a failed grow",
  (await a.putManyAsync(range(18, 31))) === 13,
);
check("and goes on", (await a.putManyAsync([31])) === 1);
const all = a.getMany();
check("each item once, in order", all.join() === range(1, 31).join(), all);

// Another thread sees a usable queue: its timed gets and nowait puts return.
const b = new Queue<number>({ type: "int32", initialCapacity: 1 });
b.put(1);
failures = 1;
check(
  "put with a timeout throws too",
  throws(() => b.put(2, { timeout: 10 })) instanceof RangeError,
);
const thread = new Thread({
  target: (b: Queue<number>) => {
    const out: unknown[] = [b.get({ timeout: 100 })];
    try {
      b.get({ timeout: 100 });
    } catch (error) {
      out.push((error as Error).name);
    }
    b.putNowait(5);
    b.put(6, { timeout: 100 });
    return out;
  },
  args: [b],
});
thread.start();
const result = await thread.joinAsync({ timeout: 10_000 });
check(
  "a thread's gets and puts return",
  !thread.isAlive() && JSON.stringify(result) === '[1,"QueueEmptyError"]',
  JSON.stringify(result),
);
check("its items are there", b.getMany().join() === "5,6");
console.log("done");
