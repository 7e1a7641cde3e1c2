// Copyright 2026 the threadkit authors. MIT license.
// An unbounded Queue that cannot get memory for a new segment must stay
// usable: no put or get may spin afterwards. First in the shared heap (the
// heap refuses the segment's block: the queues' share is taken; a put
// that needs a segment then throws QueueMemoryError at once, a full
// segment's as an item's), then in a buffer of its own (made once
// the share is taken; SharedArrayBuffer's grow throws, as when memory cannot
// be committed). A regression spins forever, so the test runs this program
// in a subprocess bounded in time. Prints one line per check; a wrong result
// throws.
import {
  Queue,
  QueueEmptyError,
  QueueMemoryError,
  SimpleQueue,
  Thread,
} from "../../../mod.ts";
import {
  blockAlloc,
  blockRelease,
  heapQueueBytes,
} from "../../../_core/heap.ts";
import { runtime } from "../../../_core/runtime.ts";
import { check } from "./_check.ts";

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

// 1. In the heap. Takes the rest of the queues' share in blocks of every
// size (largest first, so the share is used up exactly); returns them.
function takeShare(): number[] {
  const taken: number[] = [];
  for (let k = 30; k >= 4; k--) {
    for (;;) {
      const at = blockAlloc((1 << k) - 8, true);
      if (at < 0) break;
      taken.push(at);
    }
  }
  return taken;
}
const inHeap = (q: { region: { buffer: SharedArrayBuffer } }) =>
  q.region.buffer === runtime().buffer;
const h = new Queue<number>({ type: "int32", initialCapacity: 2 });
check("a new unbounded queue lives in the heap", inHeap(h));
h.putMany([1, 2]);
check("full() is false while a put would grow it", !h.full());
const hs = new SimpleQueue<number>({ type: "int32", initialCapacity: 2 });
hs.put(1);
hs.put(2);
const big = new Queue<string>({ initialCapacity: 2 }); // structured
big.put("a");
// A block of the next segment's size (4 int32 items: a 512-byte block),
// kept aside and freed below for the grow that succeeds.
const spare = blockAlloc(504, true);
check("a spare segment block", spare > 0);
let taken = takeShare();
const { used, cap } = heapQueueBytes();
check(
  "the queues' share is taken",
  blockAlloc(504, true) < 0 && used + (8 << 20) > cap,
  `${used} of ${cap}`,
);
// A full segment that cannot grow: a put throws QueueMemoryError at once
// (it never waits for heap memory), and full() says it would not go in.
check("full() is true while the heap refuses the next segment", h.full());
check(
  "a put throws QueueMemoryError (a timed one too: no wait)",
  throws(() => h.put(3)) instanceof QueueMemoryError &&
    throws(() => h.put(3, { timeout: 60_000 })) instanceof QueueMemoryError,
);
check(
  "putNowait, putMany and putAsync refuse it the same way",
  throws(() => h.putNowait(3)) instanceof QueueMemoryError &&
    throws(() => h.putMany([3, 4], { timeout: 10 })) instanceof
      QueueMemoryError &&
    (await h.putAsync(3, { timeout: 10 }).then(() => 0, (e) => e)) instanceof
      QueueMemoryError,
);
check(
  "SimpleQueue.put throws QueueMemoryError",
  throws(() => hs.put(3)) instanceof QueueMemoryError && hs.qsize() === 2,
);
// An item too large for every segment the heap can give now: a
// QueueMemoryError (a RangeError) naming the limit.
const refused = throws(() => big.put("x".repeat(300_000)));
check(
  "an item that needs a segment the heap refuses: a QueueMemoryError naming the limit",
  refused instanceof QueueMemoryError && refused instanceof RangeError &&
    /needs a new segment of \d+ bytes for it, but queues had taken their share of threadkit's shared heap \(at most \d+ MiB of its \d+ MiB/
      .test(refused.message) &&
    big.qsize() === 1,
  refused,
);
check("the queue is unchanged", h.qsize() === 2 && !h.isShutdown);
// A getter makes room in the newest segment: a put goes in.
check("its items come out", h.getNowait() === 1);
h.put(3);
check("a put goes in where a get made room", h.qsize() === 2);
check("full() is still true", h.full());
// A freed block of the segment's size serves the next grow.
blockRelease(spare);
check("full() is false once the heap would give the segment", !h.full());
h.putNowait(4);
h.putNowait(5);
check("a later grow succeeds", h.getMany(10).join() === "2,3,4,5");

// 2. In a buffer of its own: made while the share is taken.
const q = new Queue<number>({ type: "int32", initialCapacity: 2 });
check("a queue made now has a buffer of its own", !inHeap(q));
const simple = new SimpleQueue<number>();
const described = (simple as unknown as Record<
  symbol,
  () => { buffer: SharedArrayBuffer }
>)[Symbol.for("threadkit.toDescriptor")]();
check(
  "and so has a SimpleQueue",
  described.buffer !== runtime().buffer,
);
q.put(1);
q.put(2);
check("full() is false: its buffer has room reserved to grow", !q.full());
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
check("in a buffer of its own", !inHeap(a));
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
check("in a buffer of its own", !inHeap(b));
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
for (const at of taken) blockRelease(at);
taken = [];
console.log("done");
