// Copyright 2026 the threadkit authors. MIT license.
// A task that throws a value whose every read throws
// (a getter, its toString): writeError's fallback `String(error)` throws,
// the pool thread dies, and the caller gets ThreadDiedError instead of a
// clear error naming what it threw.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ThreadDiedError, ThreadPoolExecutor } from "../../mod.ts";
import { within } from "./_fixtures.ts";

describe("an error writeError cannot read", () => {
  it("rejects with a TypeError, the pool thread lives", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = pool.submit(() => {
      throw {
        toString() {
          throw new Error("no string");
        },
        get a() {
          throw new Error("getter");
        },
      };
    });
    await assert.rejects(within(f), (e: Error) => {
      assert.ok(!(e instanceof ThreadDiedError), `${e?.name}: ${e?.message}`);
      assert.ok(e instanceof TypeError, `${e?.name}: ${e?.message}`);
      return true;
    });
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
  });
});
