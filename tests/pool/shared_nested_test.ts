// Copyright 2026 the threadkit authors. MIT license.
// Shared memory in task args (pool/_shared.ts), against user code inside a
// submit's encode (a getter that puts in a Queue or submits other tasks:
// the executor's names hold for its own encode only, and what it named is
// held from the naming on) and initArgs' buffers in a pool thread (the
// initializer's objects). Real threads, exact counts, bounded waits.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, ThreadPoolExecutor } from "../../mod.ts";
import { within } from "./_fixtures.ts";

function words(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}
const add = (w: Int32Array, i: number, n: number) => Atomics.add(w, i, n);

describe("ThreadPoolExecutor: shared memory, user code in the encode, initArgs objects", () => {
  it("a getter in a task's args that puts a shared view in a Queue is refused there, as it is outside a submit", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const q = new Queue<unknown>({ capacity: 4 });
    let putError: unknown = "no error";
    const arg = {
      w: words(1), // named by the executor: the args' second encode
      get side() {
        try {
          q.putNowait({ inner: new Int32Array(new SharedArrayBuffer(4)) });
        } catch (e) {
          putError = e;
        }
        return 1;
      },
    };
    await within(pool.submit((a: typeof arg) => a.side, arg));
    let got: unknown = "nothing";
    if (q.qsize() > 0) {
      try {
        got = q.getNowait();
      } catch (e) {
        got = e;
      }
    }
    assert.ok(
      putError instanceof TypeError,
      `the put was accepted (queue size ${q.qsize()}); its get gave ${
        String(got)
      }`,
    );
  });

  it("a getter in a task's args that runs other tasks over other buffers does not drop a buffer the task names", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const w = words(1);
    let inner = 0;
    const arg = {
      w, // named first (the args' second encode)
      get side() {
        // Tasks one at a time over 17 other buffers, each awaited here
        // (a getter cannot await: result() blocks this thread).
        for (let i = 0; i < 17; i++) {
          inner +=
            pool.submit(add, words(1), 0, 1).result({ timeout: 30_000 }) + 1;
        }
        return 1;
      },
    };
    const f = pool.submit((a: typeof arg) => Atomics.add(a.w, 0, a.side), arg);
    let out: unknown;
    try {
      out = await within(f);
    } catch (e) {
      out = e;
    }
    assert.equal(inner, 17);
    assert.equal(out, 0, `the task got ${String(out)}`);
    assert.equal(w[0], 1);
  });

  it("a task's view over an initArgs buffer is the initializer's buffer object, and a task may return the initializer's view", async () => {
    const init = words(2);
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: (w: Int32Array) => {
        (globalThis as { kept?: Int32Array }).kept = w;
      },
      initArgs: [init],
    });
    const [same, back] = await within(pool.submit((w: Int32Array) => {
      const kept = (globalThis as { kept?: Int32Array }).kept!;
      return [w.buffer === kept.buffer, kept] as const;
    }, init));
    assert.equal(same, true, "one buffer object in the pool thread");
    assert.ok(back instanceof Int32Array);
    assert.equal(back.buffer, init.buffer, "the owner's own buffer object");
  });
});
