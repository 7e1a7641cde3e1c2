// Copyright 2026 the threadkit authors. MIT license.
// Function targets compiled by TypeScript for a runtime without `using`
// (target ES2022, as the npm build and Node 20 need): their source calls
// TypeScript's helpers, which the thread provides (thread/_downlevel.ts).
// The targets below are written in that compiled form so the test means the
// same under Deno and under Node.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lock, Thread } from "../../mod.ts";

interface Env {
  stack: unknown[];
  error: unknown;
  hasError: boolean;
}
// Provided inside threads; never called on this thread.
declare const __addDisposableResource: <T>(
  env: Env,
  value: T,
  async: boolean,
) => T;
declare const __disposeResources: (env: Env) => Promise<void> | void;

const JOIN = { timeout: 30_000 };

describe("Thread function targets compiled to ES2022", () => {
  it("Thread target with downlevelled `using` releases the guard at scope end", async () => {
    const lock = new Lock();
    const t = new Thread({
      target: (lock: Lock) => {
        const env: Env = { stack: [], error: undefined, hasError: false };
        try {
          __addDisposableResource(env, lock.guard(), false);
          return lock.locked();
        } catch (e) {
          env.error = e;
          env.hasError = true;
        } finally {
          __disposeResources(env);
        }
      },
      args: [lock],
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), true);
    assert.equal(lock.locked(), false);
  });

  it("Thread target with downlevelled `await using` releases the guard and keeps the target's error", async () => {
    const lock = new Lock();
    const t = new Thread({
      target: async (lock: Lock) => {
        const env: Env = { stack: [], error: undefined, hasError: false };
        try {
          __addDisposableResource(env, await lock.guardAsync(), true);
          throw new RangeError(`held: ${lock.locked()}`);
        } catch (e) {
          env.error = e;
          env.hasError = true;
        } finally {
          const result = __disposeResources(env);
          if (result) await result;
        }
      },
      args: [lock],
    });
    t.start();
    await assert.rejects(t.joinAsync(JOIN), {
      name: "RangeError",
      message: "held: true",
    });
    assert.equal(lock.locked(), false);
  });
});
