// Copyright 2026 the threadkit authors. MIT license.
// A rejection that the target leaves unhandled and that happens after it
// returned, in a microtask it queued or in a 0-ms timer it set, reaches the
// starter's excepthook, once, on every kind of worker: a spare, a fresh
// non-daemon worker (a web worker on Deno) and a fresh daemon one
// (node:worker_threads). Every other thread also leaves 3 ms of microtasks
// running after its target's end, so that the worker's own end-of-thread
// timer (thread/_worker.ts) is already due when the runtime looks for
// unhandled rejections, as on a loaded machine. With one timer turn there,
// on Deno 2.9.6 the first such thread on a spare or a daemon worker ended
// without its rejection being seen (its report lost, every run, unloaded);
// with two none is lost. The join returns the target's value either way.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { prestartThreads, setExcepthook, Thread } from "../../mod.ts";
import { spareBlocks, sparesTaken } from "../../_core/spare.ts";
import { STATE } from "../../_core/spare_block.ts";
import { until } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };
const ROUNDS = 6;

// Waits (bounded) until a spare is ready; 120 s as in spare_start_test.ts
// (the first spares on an entry also wait for the type-check of a deno test
// run with checking; tests/_helpers.ts COLD_MS). Past the bound the failure
// says where each spare kept during the wait last was: its state word
// (_core/spare_block.ts: 0 LOADING, 1 READY, 4 STOP, 5 STOPPED; a spare
// dropped for an "error" or "exit" event of its worker leaves the list and
// a new one is started, so more than one spare seen means some were), and
// how many are kept now.
async function spare(): Promise<void> {
  const seen = new Map<Int32Array, number>();
  const note = () => {
    for (const block of spareBlocks()) {
      seen.set(block, Atomics.load(block, STATE));
    }
  };
  try {
    await until(
      () => {
        const ready = prestartThreads(1) >= 1;
        note();
        return ready;
      },
      "a ready spare",
      120_000,
    );
  } catch (error) {
    note();
    throw new Error(
      `${(error as Error).message}: ${seen.size} spare(s) seen, last states ${
        [...seen.values()].join(", ")
      }; ${spareBlocks().length} kept now`,
    );
  }
}

// The target: returns n; rejects `late n` after that, from a microtask or
// a 0-ms timer; with `busy`, keeps the microtask queue running 3 ms longer.
function late(n: number, from: string, busy: boolean): number {
  const reject = () => {
    Promise.reject(new RangeError(`late ${n}`));
  };
  if (from === "microtask") queueMicrotask(reject);
  else setTimeout(reject, 0);
  if (busy) {
    const until = performance.now() + 3;
    const spin = () => {
      if (performance.now() < until) queueMicrotask(spin);
    };
    queueMicrotask(spin);
  }
  return n;
}

// Each report names its thread and its error, in order, exactly once.
function check(reported: string[], expected: string[], at: string): void {
  assert.equal(reported.length, expected.length, `${at}: ${reported}`);
  reported.forEach((r, i) => assert.match(r, new RegExp(`^${expected[i]}`)));
}

describe("a rejection left unhandled after the target returned", () => {
  // The spares last: prestartThreads(0) leaves a ready spare in place, and a
  // fresh worker is wanted before any is kept.
  for (const where of ["fresh", "fresh daemon", "spare"]) {
    for (const from of ["microtask", "timer"]) {
      it(`${from} rejection on a ${where} worker, ${ROUNDS * 2} threads: each join returns the value, each error reaches the excepthook once`, async () => {
        const reported: string[] = [];
        setExcepthook(({ error, thread }) => {
          reported.push(`${thread.name}: ${String(error)}`);
        });
        const expected: string[] = [];
        try {
          if (where !== "spare") prestartThreads(0);
          for (let i = 0; i < ROUNDS * 2; i++) {
            if (where === "spare") await spare();
            const name = `${where} ${from} ${i}`;
            const t = new Thread({
              target: late,
              args: [i, from, i % 2 === 1],
              name,
              daemon: where === "fresh daemon",
            });
            const taken = sparesTaken();
            t.start();
            assert.equal(sparesTaken() - taken, where === "spare" ? 1 : 0);
            assert.equal(await t.joinAsync(JOIN), i);
            // A web worker's error arrives as Error("Uncaught (in promise)
            // RangeError: ...") (PLATFORM.md: its ErrorEvent has no error).
            expected.push(`${name}: .*RangeError: late ${i}$`);
            // The report follows the join (the worker's death comes after
            // its result): wait for it, bounded.
            await until(
              () => reported.length >= expected.length,
              "the reports",
              30_000,
            ).catch(() => {}); // check() then says which is missing
            check(reported, expected, `round ${i}`);
          }
          // None comes twice (Node follows "error" with a failed "exit").
          await new Promise((r) => setTimeout(r, 50));
          check(reported, expected, "after the last round");
        } finally {
          setExcepthook(undefined);
          prestartThreads(0);
        }
      });
    }
  }
});
