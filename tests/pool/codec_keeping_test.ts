// Copyright 2026 the threadkit authors. MIT license.
// A task's args or result that named shared memory are encoded again from
// the first walk's snapshot (queue/_codec.ts encodeKeeping, encodeNamed):
// that snapshot goes only to the retry of the same encode, never to an
// encode that user code started inside it, and is not kept after it.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, ThreadPoolExecutor } from "../../mod.ts";
import { keptRefusal } from "../../queue/_codec.ts";
import { within } from "./_fixtures.ts";

function words(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

describe("ThreadPoolExecutor: the snapshot a shared-memory retry encodes", () => {
  it("a submit whose getter threw is refused, not sent with a snapshot another encode made", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const q = new Queue<unknown>({ capacity: 4 });
    let busy = false;
    let runs = 0;
    const args: [Int32Array, { readonly x: string }] = [words(1), {
      get x() {
        runs++;
        if (busy) return "inner"; // what the Queue put's walk read
        busy = true;
        try {
          q.putNowait(args); // refused: a view over shared memory
        } finally {
          busy = false;
        }
        return "outer";
      },
    }];
    let out: unknown;
    try {
      out = await within(
        pool.submitWith((_w: Int32Array, o: { x: string }) => o.x, args),
      );
    } catch (e) {
      out = e;
    }
    // The getter threw (the put's refusal) in this submit's walk: the
    // submit fails with it, as an encode whose getter throws does.
    assert.ok(
      out instanceof TypeError,
      `the task ran with x = ${String(out)} (getter runs: ${runs})`,
    );
  });

  it("a task's result whose getter threw is an error, not a snapshot another encode made", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const q = new Queue<unknown>({ capacity: 4 });
    let out: unknown;
    try {
      out = await within(pool.submit(
        (q: Queue<unknown>, w: Int32Array) => {
          let busy = false;
          const r = {
            w, // named by the args: a result may return it
            get x() {
              if (busy) return "inner";
              busy = true;
              try {
                q.putNowait(r);
              } finally {
                busy = false;
              }
              return "outer";
            },
          };
          return r;
        },
        q,
        words(1),
      ));
    } catch (e) {
      out = e;
    }
    assert.ok(
      out instanceof TypeError,
      `the result came back with x = ${String((out as { x?: unknown })?.x)}`,
    );
    assert.match(
      (out as Error).message,
      /put item in queue/,
      (out as Error).message,
    );
  });

  it("a refused Queue put inside a submit's getter leaves no snapshot kept after the submit", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const q = new Queue<unknown>({ capacity: 4 });
    let refusedInside = false;
    const arg = {
      get side() {
        try {
          q.putNowait({ inner: words(1) });
        } catch (e) {
          refusedInside = e instanceof TypeError;
        }
        return 1;
      },
    };
    const got = await within(
      pool.submit((a: { side: number }) => a.side, arg),
    );
    assert.equal(got, 1);
    assert.equal(refusedInside, true, "the put inside was refused");
    assert.equal(q.qsize(), 0);
    assert.equal(keptRefusal(), false, "a refused walk's snapshot is kept");
  });

  it("a getter beside a shared view in a task's args runs once a submit", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const w = words(1);
    let runs = 0;
    const arg = {
      w,
      get n() {
        runs++;
        return 3;
      },
    };
    const f = pool.submit(
      (a: { w: Int32Array; n: number }) => Atomics.add(a.w, 0, a.n),
      arg,
    );
    assert.equal(await within(f), 0);
    assert.equal(w[0], 3);
    assert.equal(runs, 1);
    assert.equal(keptRefusal(), false);
  });
});
