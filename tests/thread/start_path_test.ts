// Copyright 2026 the threadkit authors. MIT license.
// The start path's shortcuts keep a thread's meaning, on a fresh worker and
// on a spare (prestartThreads): the microtasks a target queued run before its
// outcome is posted (a death in one fails the join), longer chains before its
// worker ends; a target that throws synchronously fails its join with its
// own error; args that are all primitives skip the trial clone and still
// arrive as structuredClone gives them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { prestartThreads, Thread } from "../../mod.ts";
import { sparesTaken } from "../../_core/spare.ts";
import { spares, wordChanged } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

// Starts `thread`, on a ready spare when `spare` (checking that it took
// one), else on a fresh worker.
async function start(thread: Thread, spare: boolean): Promise<void> {
  if (!spare) {
    prestartThreads(0);
    thread.start();
    return;
  }
  await spares(1, 30_000);
  const taken = sparesTaken();
  thread.start();
  prestartThreads(0);
  // It took a spare (counted: other spares may finish loading meanwhile).
  // Spares serve whichever entry is current (Bun runs every file in one
  // process, after files that name one with setWorkerEntry).
  assert.equal(sparesTaken(), taken + 1);
}

describe("Thread start path", () => {
  for (const spare of [false, true]) {
    const where = spare ? "on a spare worker" : "on a fresh worker";

    it(`Thread ${where}: the microtasks its target queued run before its join returns; longer chains before its worker ends`, async () => {
      try {
        const word = new Int32Array(new SharedArrayBuffer(8));
        const t = new Thread({
          target: (w: Int32Array) => {
            queueMicrotask(() => {
              const end = performance.now() + 20;
              while (performance.now() < end); // work in the microtask
              Atomics.store(w, 0, 1);
            });
            Promise.resolve().then(() => Promise.resolve()).then(() => {
              Atomics.store(w, 1, 2);
              Atomics.notify(w, 1);
            });
            return 1;
          },
          args: [word],
        });
        await start(t, spare);
        assert.equal(t.join(JOIN), true);
        assert.equal(t.result, 1);
        assert.equal(Atomics.load(word, 0), 1);
        assert.equal(await wordChanged(word, 1, 0), true);
        assert.equal(Atomics.load(word, 1), 2);
      } finally {
        prestartThreads(0);
      }
    });

    it(`Thread ${where}: an error thrown in a microtask its target queued fails the join`, async () => {
      try {
        const t = new Thread({
          target: () => {
            queueMicrotask(() => {
              throw new Error("microtask error");
            });
            return 1;
          },
        });
        await start(t, spare);
        await assert.rejects(t.joinAsync(JOIN), (e: Error) => {
          assert.equal(e.name, "ThreadExitError");
          // Under Bun the worker's exit is sometimes seen before the thread's
          // own death record: the join still fails, but the error's text is
          // lost (a Bun gap, 1 run in 3 with another test file first).
          assert.match(
            e.message,
            "Bun" in globalThis
              ? /microtask error|exited with code/
              : /microtask error/,
          );
          return true;
        });
      } finally {
        prestartThreads(0);
      }
    });

    it(`Thread ${where}: a target that throws synchronously fails join with its error`, async () => {
      try {
        const t = new Thread({
          target: (m: string) => {
            throw new RangeError(m, { cause: 7 });
          },
          args: ["out of range"],
        });
        await start(t, spare);
        await assert.rejects(t.joinAsync(JOIN), (e: Error) => {
          assert.equal(e.name, "RangeError");
          assert.equal(e.message, "out of range");
          assert.equal(e.cause, 7);
          return true;
        });
        assert.equal(t.error instanceof Error, true);
      } finally {
        prestartThreads(0);
      }
    });

    it(`Thread ${where}: args of primitives arrive as structuredClone gives them`, async () => {
      try {
        const args = [10n ** 20n, undefined, -0, NaN, null, "é", true, 1.5];
        const t = new Thread({
          target: (...a: unknown[]) =>
            a.map((v) => [typeof v, Object.is(v, -0), v]),
          args,
        });
        await start(t, spare);
        const got = await t.joinAsync(JOIN) as [string, boolean, unknown][];
        assert.deepEqual(
          got,
          args.map((v) => [typeof v, Object.is(v, -0), v]),
        );
        assert.ok(Object.is(got[2][2], -0));
        assert.ok(Number.isNaN(got[3][2]));
      } finally {
        prestartThreads(0);
      }
    });
  }
});
