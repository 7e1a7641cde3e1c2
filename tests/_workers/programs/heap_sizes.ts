// Copyright 2026 the threadkit authors. MIT license.
// Queues of mixed sizes, made and dropped in any order, do not use the
// queues' share of the heap up for good (run with gc() exposed:
// tests/_core/heap_gc_test.ts; _core/heap_chunks.ts says why). Large queues
// fill the share and are dropped, then thousands of small ones live in the
// heap at once, then large ones again; then queues of random sizes from
// 512 bytes to 4 MiB, at most LIVE alive at once, all live in the heap.
// Arguments: "heap=<MiB>" (_small_heap.ts; the default heap when absent),
// "rounds=<n>" (the random queues, 600 when absent): Node and Bun run it at
// heap=256 and 200 rounds (the test's stressSize).
// Prints one "ok" line per check; a wrong result throws (exit code 1).
import "./_small_heap.ts"; // first: before threadkit loads
import { Queue } from "../../../mod.ts";
import { blockRefs, heapQueueBytes } from "../../../_core/heap.ts";
import { chunkStates } from "../../../_core/heap_chunks.ts";
import { runtime } from "../../../_core/runtime.ts";
import { check, exposedGc, numberArg } from "./_check.ts";

const gc = exposedGc();

type Q = Queue<unknown>;
const inHeap = (q: Q) => q.region.buffer === runtime().buffer;
const offsetOf = (q: Q) => q.region.byteOffset;
const MiB = 1024 * 1024;
// A structured queue of capacity 4 whose header, side table and byte region
// take `total` bytes in all (its block: the next power of two above).
const sized = (total: number) => ({ capacity: 4, bytes: total - 384 - 32 });

// Drops `qs` and collects until every one's block is freed.
async function drop(qs: Q[]): Promise<void> {
  const ats = qs.map(offsetOf);
  qs.length = 0;
  for (let i = 0; i < 100 && ats.some((at) => blockRefs(at) > 0); i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 5));
  }
  const left = ats.filter((at) => blockRefs(at) > 0).length;
  if (left > 0) throw new Error(`${left} dropped queues not freed`);
}

// Up to `n` queues of `total` bytes while they land in the heap. Made in
// a function: a module's top-level frame keeps its last locals across an
// await, which would keep one dropped queue alive.
function fill(n: number, total: number): Q[] {
  const out: Q[] = [];
  for (let i = 0; i < n; i++) {
    const q = new Queue<unknown>(sized(total));
    if (!inHeap(q)) break;
    out.push(q);
  }
  return out;
}

const { cap } = heapQueueBytes();
const big = fill(1000, 4 * MiB - 4096);
const bigs = big.length;
check(
  `large queues fill the share (${bigs} of 4 MiB)`,
  // At least 60 (the default heap's share holds hundreds); a smaller heap's
  // share all but two that it holds.
  bigs >= Math.min(60, Math.floor(cap / (4 * MiB)) - 2) &&
    heapQueueBytes().used + 8 * MiB > cap,
  heapQueueBytes().used,
);
await drop(big);
const small = fill(20_000, 512);
check(
  "then 20,000 small queues live in the heap at once",
  small.length === 20_000,
  small.length,
);
await drop(small);
const again = fill(bigs, 4 * MiB - 4096);
check("then as many large queues again", again.length === bigs, again.length);
await drop(again);
check(
  "every chunk is free once its queues are dropped",
  chunkStates().every(([k]) => k === 0),
  JSON.stringify(chunkStates()),
);

// Random sizes (a fixed-seed generator), at most LIVE alive at once.
const LIVE = 24, ROUNDS = numberArg("rounds", 600);
let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const live: Q[] = [];
let made = 0;
function makeOne(round: number): void {
  const total = Math.max(Math.floor(2 ** (9 + random() * 13)), 512);
  const q = new Queue<unknown>(sized(total)); // 512 B .. 4 MiB
  if (!inHeap(q)) {
    throw new Error(`round ${round}: a ${total}-byte queue got its own buffer`);
  }
  q.put({ round });
  live.push(q);
  made++;
}
for (let round = 0; round < ROUNDS; round++) {
  if (live.length === LIVE) await drop(live.splice(0, 1 + (round % 3)));
  makeOne(round);
}
check(
  `${made} queues of random sizes, at most ${LIVE} alive, all in the heap`,
  made === ROUNDS && heapQueueBytes().used <= cap,
  heapQueueBytes().used,
);
console.log("done");
