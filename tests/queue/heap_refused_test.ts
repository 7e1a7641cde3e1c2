// Copyright 2026 the threadkit authors. MIT license.
// Unbounded queues and the shared heap: a put never waits for heap memory
// (QueueMemoryError at once, the queue unchanged), and the heap has room
// for a program that holds 300 MB in one queue or drops 400 queues of 1 MB
// in a blocking loop. Each probe runs alone in a process
// (tests/_workers/programs/heap_refused.ts: it takes the queues' share of
// the process's heap); before, every one of them blocked forever. Each run
// is bounded in time, so a put that waits fails the test instead of
// hanging it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isBun, runProgram } from "../_helpers.ts";

const program = new URL(
  "../_workers/programs/heap_refused.ts",
  import.meta.url,
);

// The modes that take the queues' share run with a heap of 256 MiB (a
// share of 192 MiB: _core/test_heap.ts); the others, and "gib", with the
// default one (a share of 1,536 MiB).
async function probe(
  mode: string,
  exposeGc = false,
  heap = "heap=256",
): Promise<string> {
  const args = [mode, ...(heap === "" ? [] : [heap])];
  const run = await runProgram(program, 300_000, args, { exposeGc });
  assert.equal(run.timedOut, false, `hung: ${run.stdout}${run.stderr}`);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /\ndone\n?$/);
  return run.stdout;
}

const KINDS = ["lifo", "fifo", "priority"];

describe("unbounded queues and the shared heap", () => {
  for (const kind of KINDS) {
    it(`${kind}: 400 queues of 10 items of 100 KB, made and dropped in a blocking loop, all fit`, async () => {
      assert.match(
        await probe(`drop-${kind}`, false, ""),
        /ok .*: 400 queues of 1 MB made/,
      );
    });
  }

  for (const kind of ["lifo", "fifo"]) {
    it(`${kind}: one queue holds 3000 items of 100 KB and gives each back once, in order`, async () => {
      const out = await probe(`one-${kind}`, false, "");
      assert.match(out, /ok .*: every accepted item comes out once, in order/);
    });
  }

  for (const kind of KINDS) {
    it(`${kind}: past the heap's room a put throws QueueMemoryError at once (put, putNowait, timed put, putAsync), the queue unchanged; putMany and putManyAsync return the count put, then throw having put none`, async () => {
      const out = await probe(`refused-${kind}`);
      assert.match(out, /ok the share is 192 MiB/);
      assert.match(out, /ok .*: putMany returns the count put/);
      assert.match(out, /ok .*: every accepted item comes out once, in order/);
      assert.match(out, /ok .*: once memory is back it takes items again/);
    });
  }

  for (const kind of KINDS) {
    // Not on Bun: its collector scans the stack conservatively, so a queue
    // dropped a moment ago may stay reachable through a stale stack slot and
    // its finalizer not be due after gc() (failed 1 of 4 Bun runs).
    const conservative = isBun &&
      "Bun's conservative stack scan may keep a dropped queue alive past gc()";
    it(
      `${kind}: a refused putAsync waits one turn, in which dropped queues' finalizers give their blocks back, and goes in: 100 queues of 1 MB fit in 32 MiB`,
      {
        skip: conservative,
      },
      async () => {
        assert.match(await probe(`async-${kind}`, true), /ok .*: 100 queues/);
      },
    );
  }

  for (const kind of KINDS) {
    it(`${kind}: a thread puts at the limit (again after each refusal) while another drains: every item arrives once, none lost or doubled`, async () => {
      const out = await probe(`threads-${kind}`);
      assert.match(out, /ok .*: the producer met refusals/);
      assert.match(out, /ok .*: every item arrived once, intact/);
    });
  }

  for (const kind of ["lifo", "priority"]) {
    it(`${kind}: a putAsync the heap refused, tried again after a turn, puts the item as it was at the call`, async () => {
      assert.match(
        await probe(`snapshot-${kind}`),
        /ok .*: the item put is the object as it was at the call/,
      );
    });
  }

  it("fifo: one Queue holds 1 GiB (1088 items of 1 MiB) and gives each back once, in order", async () => {
    assert.match(
      await probe("gib", false, ""),
      /ok each comes back once, in order/,
    );
  });

  it("fifo: 300 bursts of 40,000 items, each drained before the next, go through one Queue (its segments grow, so they stop multiplying)", async () => {
    assert.match(await probe("bursts", false, ""), /ok 300 bursts/);
  });

  it("with the queues' share taken, a bounded queue at capacity and an unbounded one at its stated maxCapacity still wait (QueueFullError at the timeout)", async () => {
    const out = await probe("bounded");
    assert.match(out, /ok a bounded queue at capacity still waits/);
    assert.match(out, /ok an unbounded queue at its stated maxCapacity waits/);
  });
});
