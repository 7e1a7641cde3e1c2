// Copyright 2026 the threadkit authors. MIT license.
// Threads on spare workers whose start record and result go through the
// spare's shared block (_core/spare_block.ts): every start runs exactly
// once and every result arrives exactly once, with the value
// structuredClone gives; what does not fit goes by the port and arrives the
// same; and every way for the thread to die still fails its join.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Event,
  moduleTarget,
  prestartThreads,
  setExcepthook,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { Block, R_DRAIN } from "../../pool/_layout.ts";
import { sparesTaken } from "../../_core/spare.ts";
import {
  cloneShape,
  exitIn,
  PLAIN_VALUES,
  spares,
  startOnSpare,
} from "../_helpers.ts";
import { within } from "../pool/_fixtures.ts";

const JOIN = { timeout: 30_000 };

// Starts `options` on a ready spare.
function onSpare(options: ConstructorParameters<typeof Thread>[0]): Thread {
  const t = new Thread(options);
  startOnSpare(t);
  return t;
}

describe("Thread on a spare, record and result in shared memory", () => {
  it("Thread on a spare: 40 starts, two at a time, each runs once and its result arrives once", async () => {
    const N = 40;
    const runs = new Int32Array(new SharedArrayBuffer(4 * N));
    const results: unknown[][] = [];
    try {
      for (let i = 0; i < N; i += 2) {
        await spares(2);
        const pair = [i, i + 1].map((k) => {
          const value = PLAIN_VALUES[k % PLAIN_VALUES.length];
          // Plain args (the record in the block); the run count travels
          // separately, so that one start takes the port's path too.
          const t = onSpare(
            k % 8 === 7
              ? {
                target: (r: Int32Array, k: number, v: unknown) => {
                  Atomics.add(r, k, 1);
                  return v;
                },
                args: [runs, k, value],
              }
              : {
                target: (k: number, v: unknown) => {
                  const g = globalThis as Record<string, unknown>;
                  if (g.SPARE_MARK !== undefined) return "not fresh";
                  g.SPARE_MARK = k;
                  return v;
                },
                args: [k, value],
              },
          );
          return { k, t, value };
        });
        // One blocking join, one async, in both orders.
        const [first, second] = i % 4 === 0 ? pair : [pair[1], pair[0]];
        assert.equal(first.t.join(JOIN), true);
        const got = [first.t.result, await second.t.joinAsync(JOIN)];
        for (const [j, { k, t, value }] of [first, second].entries()) {
          assert.deepEqual(cloneShape(got[j]), cloneShape(value), `start ${k}`);
          // Read again: the same value, not a second delivery.
          assert.deepEqual(cloneShape(t.result), cloneShape(value));
          results.push([k, got[j]]);
        }
      }
    } finally {
      prestartThreads(0);
    }
    assert.equal(results.length, N);
    assert.deepEqual(
      results.map(([k]) => k).sort((a, b) => (a as number) - (b as number)),
      Array.from({ length: N }, (_, k) => k),
    );
    for (let k = 0; k < N; k++) {
      assert.equal(Atomics.load(runs, k), k % 8 === 7 ? 1 : 0, `start ${k}`);
    }
  });

  it("Thread on a spare: a record or a result too large for the block, and objects, go by the port", async () => {
    try {
      const big = "y".repeat(10_000);
      const cases: Array<[ConstructorParameters<typeof Thread>[0], unknown]> = [
        // A source over the block's room (its record by the port).
        [{
          target: new Function(
            `return () => "${"x".repeat(9000)}".length;`,
          )() as () => number,
        }, 9000],
        [
          { target: (s: string) => s + s, args: [big.slice(0, 3000)] },
          big
            .slice(0, 6000),
        ],
        [{ target: (n: number) => ({ n, list: [n] }), args: [5] }, {
          n: 5,
          list: [5],
        }],
        [{ target: (s: string) => s.length, args: [big] }, 10_000],
      ];
      for (const [options, expected] of cases) {
        await spares(1);
        const t = onSpare(options);
        assert.deepEqual(await t.joinAsync(JOIN), expected);
      }
    } finally {
      prestartThreads(0);
    }
  });

  const deaths: Array<[string, (code: number) => unknown, RegExp, boolean?]> = [
    // Each target gets its exit code as its arg and (as source) must be
    // self-contained: the exit helper is inlined.
    [
      "exits in its target",
      exitIn("return EXIT"),
      /exited with code 4/,
    ],
    [
      "exits in a microtask after returning a number",
      exitIn("queueMicrotask(() => { EXIT }); return 1;"),
      /exited with code 4/,
    ],
    [
      "closes its worker after returning",
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
    it(`Thread on a spare that ${what}: the join fails with ThreadExitError`, {
      skip,
    }, async () => {
      try {
        await spares(1);
        const t = onSpare({ target, args: [4] });
        await assert.rejects(t.joinAsync(JOIN), (e: Error) => {
          assert.equal(e.name, "ThreadExitError");
          assert.match(e.message, message);
          return true;
        });
        assert.equal(t.result, undefined);
        assert.equal(t.isAlive(), false);
      } finally {
        prestartThreads(0);
      }
    });
  }

  // The taker's listeners are attached after the spare is woken (handOver):
  // a thread that ends or dies at once must still be seen, every time.
  it("Thread on a spare, 24 starts two at a time, one exiting at once and one returning: each join gets exactly its own end", async () => {
    const N = 24;
    const exit = exitIn("return EXIT");
    let died = 0, returned = 0;
    try {
      for (let i = 0; i < N; i += 2) {
        await spares(2);
        const dies = onSpare({ target: exit, args: [5 + (i % 3)] });
        const lives = onSpare({ target: (k: number) => k * 2, args: [i] });
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
        assert.equal(dies.isAlive(), false);
        assert.equal(lives.isAlive(), false);
      }
    } finally {
      prestartThreads(0);
    }
    assert.equal(died, N / 2);
    assert.equal(returned, N / 2);
  });

  it("Thread on a spare whose microtask rejects unhandled after it returned: the join returns the result, the excepthook gets the error (as on a fresh worker)", async () => {
    const reported: unknown[] = [];
    setExcepthook(({ error }) => reported.push(error));
    try {
      await spares(1);
      const t = onSpare({
        target: (n: number) => {
          queueMicrotask(() => {
            Promise.reject(new RangeError(`late ${n}`));
          });
          return n;
        },
        args: [4],
      });
      assert.equal(await t.joinAsync(JOIN), 4);
      const until = performance.now() + 30_000;
      while (reported.length === 0 && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(reported.length, 1);
      assert.match(String(reported[0]), /RangeError: late 4/);
    } finally {
      setExcepthook(undefined);
      prestartThreads(0);
    }
  });

  for (const spare of [true, false]) {
    it(
      `Thread ${
        spare ? "on a spare" : "on a fresh worker"
      } whose target module exits while it is imported (a death during the start): the join fails with ThreadExitError`,
      async () => {
        try {
          const options = {
            target: moduleTarget<() => number>(
              new URL("../_workers/exit_on_import.ts", import.meta.url),
              "never",
            ),
          };
          let t: Thread;
          if (spare) {
            await spares(1);
            t = onSpare(options);
          } else {
            prestartThreads(0);
            t = new Thread(options);
            t.start();
          }
          await assert.rejects(t.joinAsync(JOIN), (e: Error) => {
            assert.equal(e.name, "ThreadExitError");
            assert.match(e.message, /exited with code 6/);
            return true;
          });
          assert.equal(t.result, undefined);
        } finally {
          prestartThreads(0);
        }
      },
    );
  }

  it("Thread on a spare that exits after its result was written: the join returns the result", async () => {
    try {
      await spares(1);
      const t = onSpare({
        target: (n: number) => {
          setTimeout(() => {
            const g = globalThis as unknown as {
              Deno?: { exit(code: number): never };
              process: { exit(code: number): never };
            };
            g.Deno ? g.Deno.exit(0) : g.process.exit(0);
          }, 0);
          return n + 1;
        },
        args: [41],
      });
      assert.equal(await t.joinAsync(JOIN), 42);
      assert.equal(t.result, 42);
    } finally {
      prestartThreads(0);
    }
  });

  it("a spare whose start record comes after its state word reads it from its port; a pool thread on it reads home's buffer posts, none as an event", async () => {
    const late = Symbol.for("threadkit.test.spareLatePost");
    const g = globalThis as Record<symbol, unknown>;
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      await spares(1);
      const taken = sparesTaken();
      g[late] = true;
      // The pool thread starts on the spare, its record posted late; then
      // the first task yields to its event loop while home registers `x`
      // (an add posted on its port), and the view task over `x` follows.
      const started = new Event(), go = new Event();
      const yields = pool.submit(
        async (started: Event, go: Event) => {
          started.set();
          if (!await go.waitAsync({ timeout: 30_000 })) return "no go";
          await new Promise((r) => setTimeout(r, 20));
          return "yielded";
        },
        started,
        go,
      );
      delete g[late];
      assert.equal(sparesTaken(), taken + 1, "the pool thread took no spare");
      assert.equal(await started.waitAsync({ timeout: 30_000 }), true);
      const x = new Int32Array(new SharedArrayBuffer(4));
      const viewTask = pool.submit((x: Int32Array) => Atomics.add(x, 0, 1), x);
      go.set();
      assert.equal(await within(yields), "yielded");
      assert.equal(await within(viewTask), 0);
      assert.equal(Atomics.load(x, 0), 1);
      const b = new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);
      assert.equal(Atomics.load(b.v, b.record(0) + R_DRAIN), 0);
    } finally {
      delete g[late];
      await pool.shutdownAsync();
      prestartThreads(0);
    }
  });
});
