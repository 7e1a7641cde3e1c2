// Copyright 2026 the threadkit authors. MIT license.
// Threads on fresh workers (no spare) return a plain result through a block
// of shared memory of their own (_core/spare_block.ts, _core/adapter.ts)
// instead of a post on their port: every result arrives exactly once, with
// the value structuredClone gives; what does not fit goes by the port and
// arrives the same; and every way for the thread to die around the write
// still ends its join as before (an end before the write fails the join, a
// death after it leaves the result).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { prestartThreads, Thread } from "../../mod.ts";
import { sparesTaken } from "../../_core/spare.ts";
import { cloneShape, exitIn, PLAIN_VALUES } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

// Starts `options` on a fresh worker (checked: no spare taken).
function cold(options: ConstructorParameters<typeof Thread>[0]): Thread {
  prestartThreads(0);
  const t = new Thread(options);
  const taken = sparesTaken();
  t.start();
  assert.equal(sparesTaken(), taken, "the start took a spare");
  return t;
}

describe("Thread on a fresh worker, result in shared memory", () => {
  it("Thread on a fresh worker: each plain value comes back as structuredClone gives it, once", async () => {
    for (const v of PLAIN_VALUES) {
      const t = cold({ target: (x: unknown) => x, args: [v] });
      const got = await t.joinAsync(JOIN);
      assert.deepEqual(cloneShape(got), cloneShape(structuredClone(v)));
      assert.deepEqual(cloneShape(t.result), cloneShape(got));
      assert.equal(t.isAlive(), false);
    }
  });

  it("Thread on a fresh worker: a result too large for the block, and objects, go by the port", async () => {
    const big = "y".repeat(5000);
    const cases: Array<[ConstructorParameters<typeof Thread>[0], unknown]> = [
      [{ target: (s: string) => s + s, args: [big] }, big + big],
      [{ target: (n: number) => ({ n, list: [n] }), args: [5] }, {
        n: 5,
        list: [5],
      }],
      [
        { target: (n: number) => new Map([[n, n]]), args: [2] },
        new Map([[
          2,
          2,
        ]]),
      ],
    ];
    for (const [options, expected] of cases) {
      assert.deepEqual(await cold(options).joinAsync(JOIN), expected);
    }
  });

  const deaths: Array<[string, (code: number) => unknown, RegExp, boolean?]> = [
    ["exits in its target", exitIn("return EXIT"), /exited with code 4/],
    [
      "exits in a microtask after returning a number (before the write)",
      exitIn("queueMicrotask(() => { EXIT }); return 1;"),
      /exited with code 4/,
    ],
    [
      "closes its worker in a microtask after returning",
      (code: number) => {
        queueMicrotask(() =>
          (globalThis as unknown as { close(): void }).close()
        );
        return code;
      },
      /closed its worker/,
      !("Deno" in globalThis),
    ],
  ];
  for (const [what, target, message, skip] of deaths) {
    it(
      `Thread on a fresh worker that ${what}: the join fails with ThreadExitError, no result`,
      {
        skip,
      },
      async () => {
        const t = cold({ target, args: [4] });
        await assert.rejects(t.joinAsync(JOIN), (e: Error) => {
          assert.equal(e.name, "ThreadExitError");
          assert.match(e.message, message);
          return true;
        });
        assert.equal(t.result, undefined);
        assert.equal(t.isAlive(), false);
      },
    );
  }

  it("Thread on a fresh worker that exits after its result was written: the join returns the result, once", async () => {
    const t = cold({
      target: exitIn("setTimeout(() => { EXIT }, 0); return code + 1;"),
      args: [41],
    });
    assert.equal(await t.joinAsync(JOIN), 42);
    assert.equal(t.result, 42);
    assert.equal(t.isAlive(), false);
  });

  it("Thread on a fresh worker, 16 starts two at a time, one exiting at once and one returning: each join gets exactly its own end", async () => {
    const N = 16;
    let died = 0, returned = 0;
    for (let i = 0; i < N; i += 2) {
      const dies = cold({ target: exitIn("return EXIT"), args: [5 + (i % 3)] });
      const lives = cold({ target: (k: number) => k * 2, args: [i] });
      const [a, b] = await Promise.allSettled([
        dies.joinAsync(JOIN),
        lives.joinAsync(JOIN),
      ]);
      assert.equal(a.status, "rejected", `start ${i}`);
      const e = (a as PromiseRejectedResult).reason as Error;
      assert.equal(e.name, "ThreadExitError", `start ${i}: ${e.message}`);
      assert.match(e.message, new RegExp(`exited with code ${5 + (i % 3)}`));
      died++;
      assert.deepEqual(b, { status: "fulfilled", value: i * 2 });
      returned++;
      // The blocking join sees the same end (the result is read once).
      assert.equal(lives.join(JOIN), true);
      assert.equal(lives.result, i * 2);
    }
    assert.equal(died, N / 2);
    assert.equal(returned, N / 2);
  });
});
