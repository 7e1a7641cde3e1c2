// Copyright 2026 the threadkit authors. MIT license.
// Queues cannot use the shared heap up (run with gc() exposed:
// tests/_core/heap_gc_test.ts). Queues may take three quarters of the heap; past
// that a queue gets a buffer of its own, while primitives still live in the
// heap and travel inside queue items. Dropped queues' blocks serve later
// queues of their size. Prints one "ok" line per
// check; a wrong result throws (exit code 1). An argument "heap=<MiB>" makes
// the heap that large (_small_heap.ts): Node and Bun run it at heap=128,
// Deno at the default heap (the test's stressSize).
import "./_small_heap.ts"; // first: before threadkit loads
import { Lock, Queue, SimpleQueue } from "../../../mod.ts";
import { heapLiveBytes, heapQueueBytes } from "../../../_core/heap.ts";
import { runtime } from "../../../_core/runtime.ts";
import { check, exposedGc } from "./_check.ts";

const gc = exposedGc();

const inHeap = (q: { region: { buffer: SharedArrayBuffer } }) =>
  q.region.buffer === runtime().buffer;
const MiB = 1024 * 1024;
// A structured queue just under 4 MiB in all: a 4 MiB block.
const BIG = { capacity: 4, bytes: 4 * MiB - 4096 };

const { cap } = heapQueueBytes();
check("the cap is a quarter of the heap", cap > 0, cap);
let queues: Queue<unknown>[] = [];
let last: Queue<unknown> | undefined;
for (let i = 0; i < 2 * cap / (4 * MiB) + 8; i++) {
  last = new Queue<unknown>(BIG);
  if (!inHeap(last)) break;
  queues.push(last);
}
const { used } = heapQueueBytes();
check(
  `queues stop taking heap blocks at the cap (${queues.length} in the heap)`,
  last !== undefined && !inHeap(last) && used <= cap &&
    used + 8 * MiB > cap && queues.length > 0, // within a chunk of the cap
  `${used} of ${cap}`,
);
// The heap still has room for primitives: a new Lock lives there and
// travels inside an item. A small queue is past the cap too (every queue
// block counts, whatever its size).
const lock = new Lock();
const described = (lock as unknown as Record<
  symbol,
  () => { buffer: SharedArrayBuffer }
>)[Symbol.for("threadkit.toDescriptor")]();
check("a new Lock lives in the heap", described.buffer === runtime().buffer);
// Small queues fill what is left of the share (under 4 MiB of 512-byte
// blocks), then get buffers of their own.
let small = new Queue<number>({ capacity: 16, type: "int32" });
for (let i = 0; i < 10_000 && inHeap(small); i++) {
  queues.push(small as unknown as Queue<unknown>);
  small = new Queue<number>({ capacity: 16, type: "int32" });
}
check(
  "small queues stop at the cap too",
  !inHeap(small) && heapQueueBytes().used <= cap,
  heapQueueBytes().used,
);
const carrier = new Queue<unknown>({ capacity: 2 });
carrier.put({ lock });
const back = carrier.get() as { lock: Lock };
check("the Lock travels inside an item", back.lock instanceof Lock);
// The queue past the cap works, and is refused inside an item.
last!.put(1);
check("the queue past the cap works", last!.get() === 1);
let refused: unknown;
try {
  carrier.put({ q: last });
} catch (error) {
  refused = error;
}
const CAUSE =
  /SharedArrayBuffer of its own \(queues had taken their share of threadkit's shared heap \(at most \d+ MiB of its \d+ MiB; \d+ MiB taken now\)\)/;
check(
  "the queue past the cap is refused inside an item with a TypeError naming the cause and the limit",
  refused instanceof TypeError && CAUSE.test(refused.message),
  refused,
);
check("a refused put leaves the carrier as it was", carrier.qsize() === 0);
// An unbounded Queue and a SimpleQueue made now get growable buffers of
// their own: they work, and are refused inside an item the same way.
const u = new Queue<number>({ type: "int32", initialCapacity: 2 });
const simple = new SimpleQueue<number>({ initialCapacity: 2 });
check("an unbounded queue past the cap has a buffer of its own", !inHeap(u));
for (let i = 0; i < 100; i++) u.put(i);
for (let i = 0; i < 100; i++) simple.put(i);
check(
  "it and a SimpleQueue grow and work",
  u.getMany().length === 100 && simple.get() === 0 && simple.qsize() === 99,
);
for (const [name, q] of [["Queue", u], ["SimpleQueue", simple]] as const) {
  let error: unknown;
  try {
    carrier.put([q]);
  } catch (e) {
    error = e;
  }
  check(
    `an unbounded ${name} past the cap is refused inside an item naming the cause`,
    error instanceof TypeError && CAUSE.test(error.message) &&
      carrier.qsize() === 0,
    error,
  );
}

// Dropped queues give their blocks back to later queues of their size.
const live = heapLiveBytes();
const usedBefore = heapQueueBytes().used;
queues = [];
last = undefined;
for (let i = 0; i < 30 && heapLiveBytes() > live - 8 * MiB; i++) {
  gc();
  await new Promise((r) => setTimeout(r, 10));
}
check("dropped queues' blocks are freed", heapLiveBytes() <= live - 8 * MiB);
const again = new Queue<unknown>(BIG);
check(
  "a new queue reuses a freed block (the queues' bytes did not grow)",
  inHeap(again) && heapQueueBytes().used === usedBefore,
);
console.log("done");
