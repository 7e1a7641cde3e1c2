// Copyright 2026 the threadkit authors. MIT license.
// Unbounded queues and the shared heap: a put never waits for heap memory
// (QueueMemoryError at once, the queue unchanged), and the heap has room
// for a program that holds 300 MB in one queue or drops 400 queues of 1 MB
// in a blocking loop (under Deno; Node and Bun run smaller: the sizes
// below). Each probe runs alone in a process
// (tests/_workers/programs/heap_refused.ts: it takes the queues' share of
// the process's heap); before, every one of them blocked forever. Each run
// is bounded in time, so a put that waits fails the test instead of
// hanging it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isBun, runProgram, stressSize } from "../_helpers.ts";

const program = new URL(
  "../_workers/programs/heap_refused.ts",
  import.meta.url,
);

// The modes that take the queues' share run with a heap of 256 MiB under
// Deno (a share of 192 MiB: _core/test_heap.ts), 128 MiB on Node and Bun (a
// share of 96 MiB; stressSize in tests/_helpers.ts: the full size is not
// paid three times): the same share taken but the 32 MiB the probes use,
// in fewer chunks. The others, and "gib", run with the default one (a share
// of 1,536 MiB). `n`: the mode's count (the program's "n=<count>"; its full
// size when not given).
const HEAP = stressSize(256, 128);
const SHARE = HEAP / 4 * 3;
async function probe(
  mode: string,
  exposeGc = false,
  heap = `heap=${HEAP}`,
  n?: number,
): Promise<string> {
  const args = [mode, ...(heap === "" ? [] : [heap])];
  if (n !== undefined) args.push(`n=${n}`);
  const run = await runProgram(program, 300_000, args, { exposeGc });
  assert.equal(run.timedOut, false, `hung: ${run.stdout}${run.stderr}`);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /\ndone\n?$/);
  return run.stdout;
}

const KINDS = ["lifo", "fifo", "priority"];

// Sizes (stressSize, tests/_helpers.ts): the full ones under Deno, where
// the issues' figures are checked; Node and Bun run the same library code
// smaller, so the full size is not paid three times.
// 400 queues of 1 MB under Deno, 100 on Node and Bun: the same loop of
// heap queues made and dropped with no finalizer run, 100 MB of blocks
// instead of 400.
const DROP = stressSize(400, 100);
// 3000 items of 100 KB under Deno, 1000 on Node and Bun: one queue across
// its segments' growth and a drain in order. Only Deno's 300 MB is enough
// for a Queue's chain of 8 MiB segments to pass segment 32 with these
// items; on Node and Bun "gib" and "bursts" below pass it.
const ONE = stressSize(3000, 1000);
// 1088 items of 1 MiB under Deno (1 GiB: past segment 48, into the 64 MiB
// segments of segmentBlock's third doubling), 340 on Node and Bun: past
// segment 32, where segments start doubling (16 MiB from 32, 32 MiB from
// 40: segment 40 is made at item 334). Only Deno makes the 64 MiB
// segments (from 48) and holds 1 GiB in one queue.
const GIB = stressSize(1088, 340);
// 300 bursts under Deno, 120 on Node and Bun: still more bursts than a
// chain has segments (110), so a chain that added one per burst would fail;
// and still past segment 32 (each burst of 40,000 overflows an 8 MiB
// segment until segments double there).
const BURSTS = stressSize(300, 120);

describe("unbounded queues and the shared heap", () => {
  for (const kind of KINDS) {
    it(`${kind}: ${DROP} queues of 10 items of 100 KB, made and dropped in a blocking loop, all fit`, async () => {
      assert.match(
        await probe(`drop-${kind}`, false, "", DROP),
        new RegExp(`ok .*: ${DROP} queues of 1 MB made`),
      );
    });
  }

  for (const kind of ["lifo", "fifo"]) {
    it(`${kind}: one queue holds ${ONE} items of 100 KB and gives each back once, in order`, async () => {
      const out = await probe(`one-${kind}`, false, "", ONE);
      assert.match(out, new RegExp(`ok .*: one queue holds ${ONE} items`));
      assert.match(out, /ok .*: every accepted item comes out once, in order/);
    });
  }

  for (const kind of KINDS) {
    it(`${kind}: past the heap's room a put throws QueueMemoryError at once (put, putNowait, timed put, putAsync), the queue unchanged; putMany and putManyAsync return the count put, then throw having put none`, async () => {
      const out = await probe(`refused-${kind}`);
      assert.match(out, new RegExp(`ok the share is ${SHARE} MiB`));
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

  it(
    `fifo: one Queue holds ${
      GIB === 1088 ? "1 GiB" : `${GIB} MiB`
    } (${GIB} items of 1 MiB) and gives each back once, in order`,
    async () => {
      const out = await probe("gib", false, "", GIB);
      assert.match(out, new RegExp(`ok one Queue holds ${GIB} items`));
      assert.match(out, /ok it made segments past segment 32/);
      assert.match(out, /ok each comes back once, in order/);
    },
  );

  it(`fifo: ${BURSTS} bursts of 40,000 items, each drained before the next, go through one Queue (its segments grow, so they stop multiplying)`, async () => {
    assert.match(
      await probe("bursts", false, "", BURSTS),
      new RegExp(`ok ${BURSTS} bursts`),
    );
  });

  it("with the queues' share taken, a bounded queue at capacity and an unbounded one at its stated maxCapacity still wait (QueueFullError at the timeout)", async () => {
    const out = await probe("bounded");
    assert.match(out, /ok a bounded queue at capacity still waits/);
    assert.match(out, /ok an unbounded queue at its stated maxCapacity waits/);
  });
});
