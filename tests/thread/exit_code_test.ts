// Copyright 2026 the threadkit authors. MIT license.
// Deno.exit() without a code in a thread ends it with Deno.exitCode, as it
// would end a process.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Thread, ThreadExitError } from "../../mod.ts";
import { isDeno } from "../_helpers.ts";

describe("thread exit codes", () => {
  it("Deno.exit() with no argument reports Deno.exitCode", {
    skip: !isDeno,
  }, async () => {
    const t = new Thread({
      target: () => {
        const d = (globalThis as unknown as {
          Deno: { exitCode: number; exit(code?: number): never };
        }).Deno;
        d.exitCode = 7;
        d.exit();
      },
    });
    t.start();
    await assert.rejects(t.joinAsync({ timeout: 30_000 }), (e: unknown) => {
      assert.ok(e instanceof ThreadExitError, String(e));
      assert.equal((e as ThreadExitError).reason, "exit");
      assert.equal((e as ThreadExitError).code, 7);
      return true;
    });
  });
});
