// Copyright 2026 the threadkit authors. MIT license.
// An unbounded LifoQueue's or PriorityQueue's blocks come back to the shared
// heap when the queue is dropped (run with gc() exposed:
// tests/queue/unbounded_stack_heap_test.ts): its header block's release
// hook frees its data block and the blocks of the items still in it
// (queue/_grow.ts); the blocks of the grows before were freed by them.
// Prints one "ok" line per check; a wrong result throws (exit code 1).
import { LifoQueue, PriorityQueue } from "../../../mod.ts";
import { blockRefs, heapLiveBytes } from "../../../_core/heap.ts";
import { runtime } from "../../../_core/runtime.ts";
import { check, exposedGc } from "./_check.ts";

const gc = exposedGc();

async function collectUntil(done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 50 && !done(); i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 10));
  }
  return done();
}

// Grows a queue in a function, so that only the offsets outlive it.
function grow(
  cls: "LifoQueue" | "PriorityQueue",
  type: "int32" | "structured",
) {
  const Q = cls === "LifoQueue" ? LifoQueue : PriorityQueue;
  const q = new Q<unknown>({ type, initialCapacity: 1 });
  for (let i = 0; i < 3000; i++) {
    q.put(type === "int32" ? i : [i, "x".repeat(i % 7 === 0 ? 65_536 : i)]);
  }
  for (let i = 0; i < 1000; i++) q.get(); // some items' blocks go back now
  const { buffer, byteOffset } = q.region;
  check(`${cls} ${type}: in the heap`, buffer === runtime().buffer);
  const data = new Int32Array(buffer, byteOffset, 96)[84]; // DATA (_grow.ts)
  return { header: byteOffset, data };
}

for (const cls of ["LifoQueue", "PriorityQueue"] as const) {
  for (const type of ["int32", "structured"] as const) {
    const live = heapLiveBytes();
    const { header, data } = grow(cls, type);
    check(
      `${cls} ${type}: header and data block, one reference each`,
      blockRefs(header) === 1 && blockRefs(data) === 1,
      [blockRefs(header), blockRefs(data)],
    );
    check(`${cls} ${type}: the heap holds them`, heapLiveBytes() > live);
    const back = await collectUntil(() => heapLiveBytes() <= live);
    check(
      `${cls} ${type}: dropped, its header, data and item blocks come back`,
      back && blockRefs(header) === 0 && blockRefs(data) === 0,
      [heapLiveBytes() - live, blockRefs(header), blockRefs(data)],
    );
  }
}
console.log("done");
