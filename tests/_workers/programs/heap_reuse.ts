// Copyright 2026 the threadkit authors. MIT license.
// The queues' share of the shared heap serves any size after any other
// (tests/_core/heap_gc_test.ts, with gc() exposed): blocks over 8 MiB (a
// chain's segments past its 32nd) are runs of queue chunks
// (_core/heap_chunks.ts), so once freed they serve blocks of every size,
// and freed chunks serve large blocks again. Mode "threads": threads take
// and free queue blocks of mixed sizes at once, each block owned by one
// thread at a time, and every chunk is free again at the end. Mode
// "scattered": chunks freed one at a time between other heap blocks (a
// Lock made after each queue) serve blocks over 8 MiB once freed. A second
// argument "heap=<MiB>" makes the heap that large (_small_heap.ts); in mode
// "threads", "rounds=<n>" is each thread's rounds (1500 when absent: Node
// and Bun run 500, the test's stressSize).
// Prints one "ok" line per check; a wrong result throws (exit code 1).
import { heapBytes } from "./_small_heap.ts"; // first: before threadkit loads
import {
  LifoQueue,
  Lock,
  Queue,
  QueueMemoryError,
  Thread,
} from "../../../mod.ts";
import { heapLiveBytes, heapQueueBytes } from "../../../_core/heap.ts";
import { chunkStates } from "../../../_core/heap_chunks.ts";
import { runtime } from "../../../_core/runtime.ts";
import type * as churnModule from "../heap_churn.ts";
import { check, exposedGc, numberArg } from "./_check.ts";

const MiB = 2 ** 20;
const g = globalThis as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const mode: string = g.Deno?.args?.[0] ?? g.process?.argv?.[2] ?? "sizes";
console.log(`heap: ${heapBytes === 0 ? "default" : heapBytes / MiB} MiB`);

async function collect(): Promise<void> {
  const gc = exposedGc();
  for (let i = 0; i < 8; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Segments a chain has made (its header's SEGMENTS word).
function segmentsOf(q: Queue<unknown>): number {
  const r = q.region;
  return Atomics.load(new Int32Array(r.buffer, r.byteOffset, 2), 1);
}

// Fills a Queue of small strings until the heap refuses a segment (its
// segments past the 32nd are blocks of 16 MiB), in a function, so that
// nothing outlives it; returns the items and segments it took.
function bigQueue(): [number, number] {
  const q = new Queue<string>();
  const s = "s".repeat(200);
  let n = 0;
  try {
    for (;;) {
      q.put(s);
      n++;
    }
  } catch (error) {
    check(
      "the share is used: QueueMemoryError",
      error instanceof QueueMemoryError,
    );
  }
  // Its next segment (a run of chunks) has no room: full() asks the heap.
  check("full() is true", q.full());
  const segments = segmentsOf(q);
  check(
    `a Queue grew to ${segments} segments (blocks of 16 MiB past the 32nd)`,
    segments > 34,
  );
  let same = 0;
  for (let i = 0; i < n; i++) if (q.getNowait() === s) same++;
  check("every item came back", same === n, `${same} of ${n}`);
  return [n, segments];
}

// How many items of 6 MiB (one 8 MiB chunk block each) a LifoQueue takes.
function lifoCount(): number {
  const q = new LifoQueue<string>();
  const big = "h".repeat(6 * MiB);
  let n = 0;
  for (; n < 400; n++) {
    try {
      q.putNowait(big);
    } catch {
      break;
    }
  }
  return n;
}

if (mode === "sizes") {
  const { cap } = heapQueueBytes();
  const chunks = Math.floor(cap / (8 * MiB));
  const [first, segments] = bigQueue();
  await collect();
  const n = lifoCount();
  // Each item takes a chunk; the chain header and first segments of the
  // LifoQueue take a few more.
  check(
    `after it was dropped, a LifoQueue takes an item of 6 MiB per chunk of the share: ${n} of ${chunks}`,
    n >= chunks - 4,
    n,
  );
  await collect();
  check(
    "the share is free again",
    chunkStates().every(([k, live]) => k === 0 && live === 0),
    JSON.stringify(chunkStates()),
  );
  const used = heapQueueBytes().used;
  const [again, segmentsAgain] = bigQueue();
  check(
    "a Queue takes as many items again in the freed chunks, its blocks of 16 MiB included, cutting no more of the share",
    again === first && segmentsAgain === segments &&
      heapQueueBytes().used === used,
    `${again} of ${first} items, ${segmentsAgain} of ${segments} segments, share ${heapQueueBytes().used} of ${used}`,
  );
} else if (mode === "scattered") {
  const chunks = Math.floor(heapQueueBytes().cap / (8 * MiB));
  const locks: Lock[] = [];
  // Bounded queues of a whole chunk each (6 MB of items and the header), a
  // Lock made and kept after each: the chunks are taken one by one between
  // other heap allocations. Made in a function, so that none outlives it.
  const made = ((): number => {
    const qs: Queue<number>[] = [];
    for (let i = 0; i < chunks + 4; i++) {
      const q = new Queue<number>({ capacity: 1_500_000, type: "int32" });
      locks.push(new Lock());
      if (q.region.buffer !== runtime().buffer) break;
      qs.push(q);
    }
    return qs.length;
  })();
  check(`${made} queues of one chunk each took the share`, made >= chunks - 1);
  await collect();
  check(
    "every chunk is free once they are dropped",
    chunkStates().every(([k, live]) => k === 0 && live === 0),
    JSON.stringify(chunkStates()),
  );
  // Items of 20 MiB: a block of 32 MiB (four chunks side by side) each.
  const n = ((): number => {
    const q = new LifoQueue<string>();
    const big = "h".repeat(20 * MiB);
    let n = 0;
    for (; n < 100; n++) {
      try {
        q.putNowait(big);
      } catch {
        break;
      }
    }
    return n;
  })();
  // The LifoQueue's header and data block take a chunk or two.
  const fit = Math.floor((chunks - 2) / 4);
  check(
    `then a LifoQueue takes ${n} items of 20 MiB (${fit} fit in ${chunks} chunks)`,
    n >= fit,
    n,
  );
  check("the Locks live", locks.length > 0 && !locks[0].locked());
} else if (mode === "threads") {
  const live = heapLiveBytes();
  const rounds = numberArg("rounds", 1500);
  const churn = new URL("../heap_churn.ts", import.meta.url);
  const threads = [1, 2, 3].map((seed) =>
    new Thread<typeof churnModule.churn>({
      target: { module: churn, export: "churn" },
      args: [seed, rounds, 6],
    })
  );
  for (const t of threads) t.start();
  const mine = (await import("../heap_churn.ts")).churn(4, rounds, 6);
  const results = [mine];
  for (const t of threads) {
    results.push(await t.joinAsync({ timeout: 120_000 }) as typeof mine);
  }
  const taken = results.reduce((a, [t]) => a + t, 0);
  check(
    `four threads took ${taken} queue blocks of 512 B to 32 MiB at once, each held by one thread alone`,
    results.every(([, , wrong]) => wrong === 0) && taken > 1_000,
    JSON.stringify(results),
  );
  check(
    "every block came back: the chunks are all free",
    heapLiveBytes() === live &&
      chunkStates().every(([k, live]) => k === 0 && live === 0),
    `${heapLiveBytes() - live} bytes live; ${JSON.stringify(chunkStates())}`,
  );
}
console.log("done");
