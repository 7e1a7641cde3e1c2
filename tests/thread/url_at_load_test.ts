// Copyright 2026 the threadkit authors. MIT license.
// A thread whose module target replaced the URL constructor as it loaded
// (so that the URL of threadkit's codec modules names a module of the
// program's): its result and its error are still encoded by threadkit's
// codec, and arrive as they were returned or thrown.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moduleTarget, prestartThreads, Thread } from "../../mod.ts";
import type * as M from "../_workers/url_at_load.ts";
import { START_KINDS, startAs } from "../_helpers.ts";

const MODULE = new URL("../_workers/url_at_load.ts", import.meta.url);

describe("URL replaced by a thread's module as it loads", () => {
  for (const where of START_KINDS) {
    it(`${where}: an object result arrives as returned`, async () => {
      try {
        const t = new Thread({
          target: moduleTarget<typeof M.returnObject>(MODULE, "returnObject"),
          daemon: where === "daemon",
        });
        await startAs(t, where);
        assert.deepEqual(await t.joinAsync({ timeout: 60_000 }), {
          kept: [1, 2],
        });
      } finally {
        prestartThreads(0);
      }
    });

    it(`${where}: an error arrives as thrown`, async () => {
      try {
        const t = new Thread({
          target: moduleTarget<typeof M.throwCoded>(MODULE, "throwCoded"),
          daemon: where === "daemon",
        });
        await startAs(t, where);
        await assert.rejects(t.joinAsync({ timeout: 60_000 }), (e) => {
          assert.ok(e instanceof Error, `not an Error: ${JSON.stringify(e)}`);
          assert.equal((e as { code?: number }).code, 7);
          return true;
        });
      } finally {
        prestartThreads(0);
      }
    });
  }
});
