// Copyright 2026 the threadkit authors. MIT license.
// resourceLimits.stackSizeMb has a floor (thread/_types.ts MIN_STACK_MB):
// below it a Thread and a ThreadPoolExecutor are a RangeError at the call
// (a 0.25 MB worker on Node died before its module ran); at it, a thread
// and a pool thread run their target.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Thread, ThreadPoolExecutor } from "../../mod.ts";
import { MIN_STACK_MB } from "../../thread/_types.ts";

describe("resourceLimits.stackSizeMb", () => {
  it("below the floor is a RangeError at new Thread and new ThreadPoolExecutor", () => {
    for (const stackSizeMb of [0.25, MIN_STACK_MB - 0.001]) {
      const resourceLimits = { stackSizeMb };
      assert.throws(
        () => new Thread({ target: () => 1, resourceLimits }),
        { name: "RangeError", message: /stackSizeMb must be at least 0\.3/ },
      );
      assert.throws(
        () => new ThreadPoolExecutor({ maxWorkers: 1, resourceLimits }),
        (e: Error) =>
          e instanceof RangeError &&
          /^Cannot create executor: resourceLimits\.stackSizeMb must be at least 0\.3/
            .test(e.message),
      );
    }
    assert.throws(
      () => new ThreadPoolExecutor({ resourceLimits: { stack: 1 } as never }),
      { name: "TypeError", message: /unknown resource limit "stack"/ },
    );
  });

  it("at the floor a thread and a pool thread run their target", {
    timeout: 60_000,
  }, async () => {
    const resourceLimits = { stackSizeMb: MIN_STACK_MB };
    const depth = (n: number): number => {
      const f = (k: number): number => (k === 0 ? 0 : 1 + f(k - 1));
      return f(n);
    };
    const t = new Thread({ target: depth, args: [200], resourceLimits });
    t.start();
    assert.equal(await t.joinAsync({ timeout: 30_000 }), 200);
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      resourceLimits,
    });
    assert.equal(pool.submit(depth, 200).result({ timeout: 30_000 }), 200);
  });
});
