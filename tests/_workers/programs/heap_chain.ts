// Copyright 2026 the threadkit authors. MIT license.
// An unbounded queue's segments come back to the shared heap when the queue
// is dropped (run with gc() exposed: tests/_core/heap_gc_test.ts): its chain
// header block's release hook frees every segment block (queue/_chain.ts).
// Prints one "ok" line per check; a wrong result throws (exit code 1).
import { Queue, SimpleQueue } from "../../../mod.ts";
import {
  blockRefs,
  heapLiveBytes,
  heapQueueBytes,
} from "../../../_core/heap.ts";
import { runtime } from "../../../_core/runtime.ts";
import { check, exposedGc } from "./_check.ts";

const gc = exposedGc();

const TO_DESCRIPTOR = Symbol.for("threadkit.toDescriptor");
const describe = (p: object) =>
  (p as Record<
    symbol,
    () => { buffer: SharedArrayBuffer; byteOffset: number }
  >)[TO_DESCRIPTOR]();

// The chain header's block and its segments' blocks (header slots:
// SEGMENTS 1, OFFSET[s] 16 + s; queue/_chain_memory.ts).
function blocksOf(p: object): { header: number; segments: number[] } {
  const { buffer, byteOffset } = describe(p);
  const h = new Int32Array(buffer, byteOffset, 62);
  const n = Atomics.load(h, 1);
  const segments = [];
  for (let s = 0; s < n; s++) segments.push(Atomics.load(h, 16 + s));
  return { header: byteOffset, segments };
}

async function collectUntil(done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 50 && !done(); i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 10));
  }
  return done();
}

// Grows a queue in a function, so that only the offsets outlive it.
function grow(kind: "queue" | "simple" | "structured") {
  let q: Queue<unknown> | SimpleQueue<unknown>;
  if (kind === "simple") {
    q = new SimpleQueue<number>({ type: "int32", initialCapacity: 16 });
    for (let i = 0; i < 20_000; i++) q.put(i);
  } else if (kind === "queue") {
    q = new Queue<number>({ type: "int32", initialCapacity: 16 });
    for (let i = 0; i < 20_000; i++) q.put(i);
    for (let i = 0; i < 10_000; i++) q.get();
  } else {
    q = new Queue<string>();
    // Items too large for each newest segment: segments with large regions.
    for (const n of [300_000, 900_000, 2_700_000]) q.put("x".repeat(n));
  }
  check(`${kind}: in the heap`, describe(q).buffer === runtime().buffer);
  return blocksOf(q);
}

for (const kind of ["queue", "simple", "structured"] as const) {
  const live = heapLiveBytes();
  const { header, segments } = grow(kind);
  const n = kind === "structured" ? 4 : 11; // 16..16384 items: 11
  check(
    `${kind}: ${n} segment blocks, one reference each (the chain's)`,
    segments.length === n && segments.every((at) => blockRefs(at) === 1),
    segments.map(blockRefs),
  );
  check(`${kind}: the heap holds them`, heapLiveBytes() > live);
  const freed = await collectUntil(() => heapLiveBytes() === live);
  check(
    `${kind}: dropped, its header and every segment block come back`,
    freed && blockRefs(header) === 0 &&
      segments.every((at) => blockRefs(at) === 0),
    `${heapLiveBytes() - live} bytes still live`,
  );
}

// A queue revived from an item: both handles dropped, the blocks come back.
{
  const live = heapLiveBytes();
  const blocks = (() => {
    const q = new Queue<number>({ type: "int32", initialCapacity: 4 });
    for (let i = 0; i < 100; i++) q.put(i);
    const carrier = new Queue<Queue<number>>({ capacity: 1 });
    carrier.put(q);
    const back = carrier.get();
    check("revived: the same queue", back.qsize() === 100);
    return blocksOf(back);
  })();
  check(
    "revived: two handles hold the header",
    blockRefs(blocks.header) === 2,
  );
  const freed = await collectUntil(() => heapLiveBytes() === live);
  check(
    "revived: both dropped, every block comes back",
    freed && blocks.segments.every((at) => blockRefs(at) === 0),
    `${heapLiveBytes() - live} bytes still live`,
  );
}

// Freed segment blocks serve the next queue: growing the same way again
// cuts no new heap bytes for queues.
const used = heapQueueBytes().used;
grow("queue");
check(
  "a new queue grown the same way reuses the freed blocks",
  heapQueueBytes().used === used,
  `${heapQueueBytes().used - used} more bytes cut`,
);
console.log("done");
