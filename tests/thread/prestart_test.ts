// Copyright 2026 the threadkit authors. MIT license.
// Spare workers started ahead (prestartThreads): a thread on a spare runs
// on a worker of its own (no module state from an earlier thread), spares
// never keep the process alive, and bad counts are refused.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Lock,
  prestartThreads,
  Thread,
  type ThreadFunction,
  type ThreadOptions,
} from "../../mod.ts";

declare const undefinedName: number;
import { workerEntry } from "../../_core/entry.ts";
import { sparesTaken } from "../../_core/spare.ts";
import { runProgram } from "../_helpers.ts";

async function readySpare(): Promise<number> {
  const until = performance.now() + 30_000;
  let ready = prestartThreads(1);
  while (ready < 1 && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
    ready = prestartThreads(1);
  }
  return ready;
}

describe("prestartThreads", () => {
  it("prestartThreads(): threads on spares return results, each on a fresh worker", async () => {
    try {
      const seen: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        assert.equal(await readySpare(), 1);
        const t = new Thread({
          target: (i: number) => {
            const g = globalThis as Record<string, unknown>;
            const before = g.PRESTART_MARK;
            g.PRESTART_MARK = i;
            return before ?? "fresh";
          },
          args: [i],
          daemon: i !== 1, // the second one not: spares serve both kinds
        });
        t.start();
        seen.push(await t.joinAsync({ timeout: 30_000 }));
      }
      assert.deepEqual(seen, ["fresh", "fresh", "fresh"]);
    } finally {
      prestartThreads(0);
    }
  });

  it("prestartThreads(): a thread on a spare returns objects and primitives, and its errors arrive explained", async () => {
    try {
      const lock = new Lock();
      const cases: Array<
        [ThreadOptions<ThreadFunction>, (t: Thread) => Promise<void>]
      > = [
        // A primitive (posted at once), a promise of one, an object
        // carrying a primitive (encoded), a module-free async target.
        [{ target: (n: number) => n * 2, args: [21] }, async (t) => {
          assert.equal(await t.joinAsync({ timeout: 30_000 }), 42);
        }],
        [
          { target: (n: number) => Promise.resolve(n + 1), args: [1] },
          async (t) => {
            assert.equal(await t.joinAsync({ timeout: 30_000 }), 2);
          },
        ],
        [
          { target: (l: Lock) => ({ l, held: l.locked() }), args: [lock] },
          async (t) => {
            const got = await t.joinAsync({ timeout: 30_000 }) as {
              l: Lock;
              held: boolean;
            };
            assert.ok(got.l instanceof Lock);
            assert.equal(got.held, false);
          },
        ],
        // A sync throw of a captured name: explained as for any thread.
        [{ target: () => (undefinedName as number) + 1 }, async (t) => {
          await assert.rejects(t.joinAsync({ timeout: 30_000 }), (e: Error) => {
            assert.equal(e.name, "ReferenceError");
            assert.match(e.message, /cannot capture variables/);
            return true;
          });
        }],
        // A rejection keeps its class name and message.
        [{ target: () => Promise.reject(new RangeError("no")) }, async (t) => {
          await assert.rejects(t.joinAsync({ timeout: 30_000 }), (e: Error) => {
            assert.equal(e.name, "RangeError");
            assert.equal(e.message, "no");
            return true;
          });
        }],
      ];
      for (const [options, check] of cases) {
        assert.equal(await readySpare(), 1);
        const t = new Thread(options);
        const taken = sparesTaken();
        t.start();
        // It took a spare, unless an earlier test file of this process set a
        // worker entry (Bun runs every file in one process; spares run the
        // default entry only).
        assert.equal(
          sparesTaken(),
          taken + (workerEntry() === undefined ? 1 : 0),
        );
        await check(t);
      }
    } finally {
      prestartThreads(0);
    }
  });

  it("prestartThreads() refuses a bad count", () => {
    assert.throws(() => prestartThreads(-1), RangeError);
    assert.throws(() => prestartThreads(1.5), RangeError);
    assert.throws(() => prestartThreads(65), RangeError);
  });

  it("prestartThreads(): spare workers never keep the process alive", async () => {
    const run = await runProgram(
      new URL("../_workers/programs/prestart_exit.ts", import.meta.url),
      30_000,
    );
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /result 42/);
  });

  it("prestartThreads(): a non-daemon thread on a spare keeps the process alive until it ends", async () => {
    const run = await runProgram(
      new URL("../_workers/programs/prestart_nondaemon.ts", import.meta.url),
      30_000,
    );
    assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [
      "spares ready",
      "ready after start 1",
      "main done",
      "thread done",
    ]);
  });
});
