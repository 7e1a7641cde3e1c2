// Copyright 2026 the threadkit authors. MIT license.
// What a default unbounded Queue holds in the shared heap, alone in a
// process: it grows (segments fitted to their blocks, at most 8 MiB each,
// queue/_chain_memory.ts, then doubling: segmentBlock) until the queues'
// share of the heap (1,536 MiB) is used,
// then a put throws QueueMemoryError at once (it never waits for heap
// memory), and every item already in comes out intact, in order. Prints the figures (README states them) and one "ok"
// line per check; a wrong result throws. An argument "heap=<MiB>" makes the
// heap that large (_small_heap.ts; Node and Bun run it with 512 MiB, a
// share of 384 MiB: tests/queue/unbounded_grow_test.ts).
import { heapBytes } from "./_small_heap.ts"; // first: before threadkit loads
import { Queue, QueueMemoryError, SimpleQueue } from "../../../mod.ts";
import { heapQueueBytes } from "../../../_core/heap.ts";
import { check } from "./_check.ts";

const q = new Queue<number>();
let n = 0;
const t0 = performance.now();
for (;;) {
  try {
    q.put(n);
  } catch (error) {
    check(
      "past the share, a put throws QueueMemoryError at once",
      error instanceof QueueMemoryError,
      error,
    );
    break;
  }
  n++;
}
check("full() is true: a put would not go in", q.full());
const segments = Atomics.load(
  new Int32Array(q.region.buffer, q.region.byteOffset, 2),
  1,
);
const { used, cap } = heapQueueBytes();
console.log(
  `figures: a default Queue() held ${n} items in ${segments} segments; queues' share ${
    (used / 2 ** 20).toFixed(0)
  } of ${(cap / 2 ** 20).toFixed(0)} MiB; ${
    (performance.now() - t0).toFixed(0)
  } ms`,
);
// At least 5,000,000 in the default heap; in a smaller one, 2500 a MiB.
const least = heapBytes === 0 ? 5_000_000 : heapBytes / 2 ** 20 * 2500;
check(`it holds at least ${least} small items`, n >= least, n);
check(
  "putNowait refuses too",
  (() => {
    try {
      q.putNowait(-1);
      return false;
    } catch (e) {
      return e instanceof QueueMemoryError;
    }
  })(),
);
const s = new SimpleQueue<number>();
let refused: unknown;
try {
  s.put(1);
} catch (e) {
  refused = e;
}
check(
  "a SimpleQueue made now (its first segment found room or not) refuses with QueueMemoryError, or holds the item",
  refused instanceof QueueMemoryError || s.qsize() === 1,
  refused,
);
const got = q.getMany();
let inOrder = got.length === n;
for (let i = 0; inOrder && i < n; i++) inOrder = got[i] === i;
check("every item comes out once, in order", inOrder, got.length);
check("full() is false after the drain", !q.full());
q.put(n, { timeout: 1000 });
check("after the drain it takes items again", q.getNowait() === n);
console.log("done");
