// Copyright 2026 the threadkit authors. MIT license.
// Spare workers started ahead (prestartThreads): a thread on a spare runs
// on a worker of its own (no module state from an earlier thread), spares
// never keep the process alive, and bad counts are refused.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import {
  Lock,
  moduleTarget,
  prestartThreads,
  setWorkerEntry,
  Thread,
  type ThreadFunction,
  type ThreadOptions,
} from "../../mod.ts";
import type * as Keeper from "../_workers/spare_keeper.ts";
import { STATE, STOP, STOPPED } from "../../_core/spare_block.ts";

declare const undefinedName: number;
import { readySpares, spareBlocks, sparesTaken } from "../../_core/spare.ts";
import { defaultEntry } from "../../_core/adapter.ts";
import { runProgram } from "../_helpers.ts";

const KEEPER = new URL("../_workers/spare_keeper.ts", import.meta.url);
const DEFAULT_ENTRY = defaultEntry();
const ALIAS_ENTRY = new URL("../_workers/entry_alias.ts", import.meta.url);

// The bound on a spare's load (readySpare, stopped, refilled) and on a
// thread started beside it. A spare is a new worker that loads its entry
// and the package before it is ready, or sees its stop; the first worker
// on an entry under `deno test` also waits for the test runner's type-check
// of that entry (thread/_worker.ts, tests/_workers/entry_alias.ts): 15-18 s
// for one step at a load average of 20-30 on two cores, where 30 s was hit
// at 25. A spare that never loads fails at this bound all the same.
const LOAD_MS = 120_000;

// Waits (bounded) until a spare's block says it saw its stop and exits.
// With `torn`, STOP alone is enough: the runtime may end the spare with its
// keeper's worker first (Node always; Deno while the spare still loads).
async function stopped(block: Int32Array, torn = false): Promise<void> {
  const until = performance.now() + LOAD_MS;
  let state = Atomics.load(block, STATE);
  while (state !== STOPPED && performance.now() < until) {
    if (state === STOP && torn) return;
    await new Promise((r) => setTimeout(r, 5));
    state = Atomics.load(block, STATE);
  }
  assert.equal(state, STOPPED);
}

async function readySpare(): Promise<number> {
  const until = performance.now() + LOAD_MS;
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
        // It took a spare (spares serve whichever entry is current).
        assert.equal(sparesTaken(), taken + 1);
        await check(t);
      }
    } finally {
      prestartThreads(0);
    }
  });

  for (const [ready, exit] of [[true, false], [false, false], [true, true]]) {
    it(
      `prestartThreads(): the spares a thread keeps stop when it ${
        exit ? "exits after its target" : "ends"
      } (${ready ? "ready" : "still loading"})`,
      async () => {
        const t = new Thread({
          target: moduleTarget<typeof Keeper.keep>(KEEPER, "keep"),
          args: [2, ready, exit],
          daemon: true,
        });
        t.start();
        const blocks = await t.joinAsync({ timeout: 30_000 });
        assert.equal(blocks.length, 2);
        const torn = !ready || !("Deno" in globalThis);
        for (const block of blocks) await stopped(block, torn);
      },
    );
  }

  for (const mode of ["ready", "loading"]) {
    it(
      `prestartThreads(): no worker is left once a thread that kept spares (${mode}) ends (Deno, Linux)`,
      {
        skip: !("Deno" in globalThis) || process.platform !== "linux",
      },
      async () => {
        const run = await runProgram(
          new URL("../_workers/programs/spares_end.ts", import.meta.url),
          60_000,
          [mode],
        );
        assert.equal(run.timedOut, false, `did not exit: ${run.stderr}`);
        assert.equal(run.code, 0, run.stderr);
        const [, states, workers] =
          /^states (\S+) workers (\d+)$/m.exec(run.stdout) ?? [];
        assert.equal(workers, "0", run.stdout);
        // Ready spares saw the stop; loading ones saw it or were torn down.
        assert.match(states, mode === "ready" ? /^5,5,5$/ : /^[45],[45],[45]$/);
      },
    );
  }

  it("prestartThreads(): spares serve the current worker entry, again after setWorkerEntry(undefined) or the default entry named", async () => {
    const startOne = async (expectTaken: boolean) => {
      const taken = sparesTaken();
      const t = new Thread({ target: (n: number) => n + 1, args: [41] });
      t.start();
      assert.equal(sparesTaken(), taken + (expectTaken ? 1 : 0));
      assert.equal(await t.joinAsync({ timeout: LOAD_MS }), 42);
    };
    try {
      assert.equal(await readySpare(), 1);
      const [old] = spareBlocks();
      setWorkerEntry(ALIAS_ENTRY);
      // The default entry's spare serves no thread on another entry: the
      // start runs on a fresh worker and stops the spare.
      assert.equal(prestartThreads(0), 0);
      await startOne(false);
      await stopped(old);
      assert.equal(await readySpare(), 1); // one on the alias
      await startOne(true);
      setWorkerEntry(undefined);
      assert.equal(await readySpare(), 1);
      await startOne(true);
      setWorkerEntry(DEFAULT_ENTRY); // the same entry: its spares serve
      assert.equal(await readySpare(), 1);
      const [kept] = spareBlocks();
      setWorkerEntry(undefined);
      assert.equal(prestartThreads(1), 1);
      assert.equal(spareBlocks()[0], kept);
      await startOne(true);
    } finally {
      setWorkerEntry(undefined);
      prestartThreads(0);
    }
  });

  it("prestartThreads(): after setWorkerEntry, the spares kept start again on the new entry with no other call", async () => {
    // Waits (bounded) for a ready spare on the current entry, without the
    // prestartThreads call that would fill by itself.
    const refilled = async () => {
      const until = performance.now() + LOAD_MS;
      while (readySpares() < 1 && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 5));
      }
      return readySpares();
    };
    try {
      assert.equal(await readySpare(), 1);
      const [old] = spareBlocks();
      setWorkerEntry(ALIAS_ENTRY);
      await stopped(old);
      assert.equal(await refilled(), 1); // on the alias entry
      const [alias] = spareBlocks();
      assert.notEqual(alias, old);
      setWorkerEntry(undefined);
      await stopped(alias);
      assert.equal(await refilled(), 1); // on the default entry again
      const taken = sparesTaken();
      const t = new Thread({ target: (n: number) => n + 1, args: [1] });
      t.start();
      assert.equal(sparesTaken(), taken + 1);
      assert.equal(await t.joinAsync({ timeout: 30_000 }), 2);
    } finally {
      setWorkerEntry(undefined);
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
