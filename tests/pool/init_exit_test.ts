// Copyright 2026 the threadkit authors. MIT license.
// An initializer that exits its pool thread (Deno.exit, process.exit off
// Deno), as its module loads or as it runs: as in Python (BrokenThreadPool),
// an initializer that does not return breaks the pool. The pending task
// fails with BrokenExecutorError and a later submit is refused, where each
// replacement thread exited in turn and the task never settled.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BrokenExecutorError,
  moduleTarget,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { within } from "./_fixtures.ts";

const EXIT = new URL("../_workers/exit_on_import.ts", import.meta.url);

describe("pool: an initializer that exits its thread", () => {
  it("Deno.exit in the initializer breaks the pool", async () => {
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: () => {
        const g = globalThis as unknown as {
          Deno?: { exit(code: number): never };
          process: { exit(code: number): never };
        };
        if (g.Deno) g.Deno.exit(3);
        else g.process.exit(3);
      },
    });
    const f = pool.submit((x: number) => x + 1, 1);
    await assert.rejects(within(f), BrokenExecutorError);
    assert.throws(() => pool.submit(() => 1), BrokenExecutorError);
    await within(pool.shutdownAsync());
  });

  it("Deno.exit as the initializer's module loads breaks the pool", async () => {
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: moduleTarget<() => number>(EXIT, "never"),
    });
    const f = pool.submit((x: number) => x + 1, 1);
    await assert.rejects(within(f), BrokenExecutorError);
    assert.throws(() => pool.submit(() => 1), BrokenExecutorError);
    await within(pool.shutdownAsync());
  });
});
