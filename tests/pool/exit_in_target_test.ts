// Copyright 2026 the threadkit authors. MIT license.
// Deno.exit (process.exit off Deno) in a pool target's module, as it loads
// or inside a task: the pool thread ends as a Thread does on an exit
// (tests/thread/exit_code_test.ts), so its task fails with
// ThreadDiedError and never returns, and a replacement serves the pool.
// On Deno 2.9.6 an exit while a dynamic import evaluates the module
// records the thread's death but does not stop the worker (measured): the
// pool thread must then neither run the task (an exit as its target
// loads) nor publish its outcome (an exit in an import inside the task).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  moduleTarget,
  ThreadDiedError,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { within } from "./_fixtures.ts";

const EXIT = new URL("../_workers/exit_on_import.ts", import.meta.url);

describe("pool: an exit in a task's target", () => {
  it("Deno.exit as the target's module loads fails the task with ThreadDiedError", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit(moduleTarget<() => number>(EXIT, "never"));
    await assert.rejects(within(f), ThreadDiedError);
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
  });

  it("Deno.exit in a module a task imports fails the task with ThreadDiedError", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit(async (u: string) => {
      await import(u);
      return "returned";
    }, EXIT.href);
    await assert.rejects(within(f), ThreadDiedError);
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
  });

  it("Deno.exit inside a task fails it with ThreadDiedError", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit(() => {
      const g = globalThis as unknown as {
        Deno?: { exit(code: number): never };
        process: { exit(code: number): never };
      };
      if (g.Deno) g.Deno.exit(3);
      else g.process.exit(3);
      return "returned";
    });
    await assert.rejects(within(f), ThreadDiedError);
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
  });
});
