// Copyright 2026 the threadkit authors. MIT license.
// Heap reclamation under a real garbage collector: the test runner has no
// gc(), so tests/_workers/programs/heap_gc.ts runs in a subprocess with it
// (bounded in time). It checks that every async wait keeps its handle's heap
// block while pending (a handle dropped by its caller must not be freed
// under the wait), and that a primitive returned or thrown by a thread gives
// its reference back when its handle is dropped. heap_budget.ts fills the
// queues' share of the heap and checks that small primitives still live in
// it (and travel in items), and that dropped queues' blocks are reused;
// heap_sizes.ts makes and drops queues of mixed sizes in turns;
// heap_chain.ts drops unbounded queues and checks that their segments come
// back; heap_reuse.ts reuses a dropped queue's large blocks for any size;
// two_layouts.ts runs two versions of the package in one process.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram, stressSize } from "../_helpers.ts";

const program = (name: string) =>
  new URL(`../_workers/programs/${name}`, import.meta.url);

// Sizes: the first of each stressSize under Deno (the issues' figures), the
// second on Node and Bun (same library paths, smaller heaps and fewer
// rounds: stressSize in tests/_helpers.ts says why). `[]`: the default heap.
const BUDGET_HEAP = stressSize(0, 128);
const SIZES_HEAP = stressSize(0, 256), SIZES_ROUNDS = stressSize(600, 200);
const SCATTERED_HEAP = stressSize(256, 128);
const CHURN_ROUNDS = stressSize(1500, 500);
const OLDER_HEAP = stressSize(256, 128), OLDER_ROUNDS = stressSize(12, 6);
const heapArg = (mib: number) => mib === 0 ? [] : [`heap=${mib}`];

// Runs a program with gc exposed, bounded by `ms`: it must end by itself,
// exit 0 and print "done" last. Returns what it printed.
async function ran(name: string, ms: number, args: string[] = []) {
  const run = await runProgram(program(name), ms, args, { exposeGc: true });
  assert.equal(run.timedOut, false, `timed out: ${run.stdout}${run.stderr}`);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /\ndone\n?$/);
  return run.stdout;
}

describe("shared heap under gc", () => {
  it("pending async waits keep their handles; results and thrown values hand over their references", async () => {
    const out = await ran("heap_gc.ts", 90_000);
    // Every wait was checked (the program prints one line per check).
    assert.match(out, /ok RWLock\.acquireReadAsync: the pending wait/);
    assert.match(out, /ok RWLock\.acquireWriteAsync: the pending wait/);
    assert.equal(
      out.match(/the pending wait keeps its handle's reference/g)
        ?.length,
      28,
    );
  });

  it("a dropped unbounded queue gives its segment blocks back (its chain block's release hook)", async () => {
    const out = await ran("heap_chain.ts", 90_000);
    for (const kind of ["queue", "simple", "structured"]) {
      assert.match(
        out,
        new RegExp(`ok ${kind}: dropped, its header and every segment`),
      );
    }
    assert.match(
      out,
      /ok revived: both dropped, every block comes back/,
    );
    assert.match(out, /ok a new queue grown the same way reuses/);
  });

  it("queues take at most their share of the heap; small primitives keep the rest", async () => {
    // The default heap under Deno, heap=128 on Node and Bun.
    const out = await ran("heap_budget.ts", 90_000, [...heapArg(BUDGET_HEAP)]);
    assert.match(out, /ok a new Lock lives in the heap/);
  });

  it("queues of mixed sizes made and dropped in any order never use the queues' share up", async () => {
    // The default heap and 600 random queues under Deno; heap=256 and 200
    // on Node and Bun (a share of 24 chunks: room for 24 live queues of
    // any mix of sizes, each in a chunk of its own at worst).
    const out = await ran("heap_sizes.ts", 120_000, [
      ...heapArg(SIZES_HEAP),
      `rounds=${SIZES_ROUNDS}`,
    ]);
    assert.match(out, /ok then 20,000 small queues live in the heap/);
    assert.match(
      out,
      new RegExp(`ok ${SIZES_ROUNDS} queues of random sizes`),
    );
  });

  it("a dropped queue's blocks over 8 MiB serve queue blocks of any size, and freed chunks serve large blocks again", async () => {
    // A heap of 512 MiB (a share of 384 MiB): the Queue still makes
    // segments of 16 MiB (past its 32nd). The same on every runtime: its
    // first 32 segments take up to 256 MiB, so a smaller heap would never
    // reach those.
    const out = await ran("heap_reuse.ts", 180_000, ["sizes", "heap=512"]);
    assert.match(out, /ok after it was dropped, a LifoQueue takes/);
    assert.match(out, /ok a Queue takes as many items again/);
  });

  // heap=256 under Deno, 128 on Node and Bun (24 chunks or 12).
  it(
    `chunks freed one at a time between other heap blocks serve blocks over 8 MiB: a share of ${
      SCATTERED_HEAP * 3 / 4
    } MiB taken by queues of one chunk, a Lock after each, then dropped, takes items of 20 MiB`,
    async () => {
      const out = await ran("heap_reuse.ts", 120_000, [
        "scattered",
        `heap=${SCATTERED_HEAP}`,
      ]);
      assert.match(out, /ok then a LifoQueue takes \d+ items of 20 MiB/);
    },
  );

  it("threads take and free queue blocks of 512 B to 32 MiB at once: each block held by one thread, all free at the end", async () => {
    // Each thread 1500 rounds under Deno, 500 on Node and Bun.
    const out = await ran("heap_reuse.ts", 180_000, [
      "threads",
      "heap=512",
      `rounds=${CHURN_ROUNDS}`,
    ]);
    assert.match(
      out,
      /ok every block came back: the chunks are all free/,
    );
  });

  it("two versions in one process (runtime blocks of different layouts): a queue dropped in either gives back its own blocks through its own hook; the other's heap and live queues are untouched", async () => {
    const out = await ran("two_layouts.ts", 120_000);
    assert.match(out, /ok each copy has a runtime block of its own/);
    assert.equal(
      out.match(/the other copy's heap is untouched/g)?.length,
      2,
    );
    assert.match(out, /ok this copy's live queue keeps every item/);
    assert.match(out, /ok the renamed copy's live queue keeps every/);
  });

  // heap=256 and 12 rounds under Deno, heap=128 and 6 on Node and Bun.
  it(
    `beside the version before large queue blocks were runs of chunks (its layout, its free path), loaded second: this version's queues with items over 8 MiB, made and dropped ${OLDER_ROUNDS} times, all fit (${
      OLDER_ROUNDS * 20
    } MiB through a share of ${OLDER_HEAP * 3 / 4} MiB)`,
    async () => {
      const out = await ran("two_layouts.ts", 180_000, [
        "older",
        `heap=${OLDER_HEAP}`,
        `rounds=${OLDER_ROUNDS}`,
      ]);
      assert.match(
        out,
        new RegExp(`ok ${OLDER_ROUNDS} queues of two 10 MiB items`),
      );
      assert.match(out, /ok each copy has a runtime block of its own/);
    },
  );
});
