// Copyright 2026 the threadkit authors. MIT license.
// A thread whose module target pointed the global `globalThis` binding at an
// object of its own, holding a lying record under the key of the codec's
// load-time built-ins, before the codec loaded in that thread: its error
// and its result still arrive as thrown and returned (the codec does not
// take its built-ins from an object the program can put in its path).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moduleTarget, prestartThreads, Thread } from "../../mod.ts";
import type * as M from "../_workers/global_alias_at_load.ts";

const MODULE = new URL("../_workers/global_alias_at_load.ts", import.meta.url);

describe("globalThis re-pointed by a thread's module as it loads", () => {
  for (const daemon of [false, true]) {
    const kind = daemon ? "daemon " : "";
    it(`a ${kind}thread's error keeps its own code`, async () => {
      prestartThreads(0);
      const t = new Thread({
        target: moduleTarget<typeof M.throwCoded>(MODULE, "throwCoded"),
        daemon,
      });
      t.start();
      await assert.rejects(t.joinAsync({ timeout: 60_000 }), (e: unknown) => {
        assert.ok(e instanceof Error, String(e));
        assert.equal(e.message, "coded");
        assert.equal((e as { code?: number }).code, 7);
        return true;
      });
    });

    it(`a ${kind}thread's result keeps every key`, async () => {
      prestartThreads(0);
      const t = new Thread({
        target: moduleTarget<typeof M.hiddenKey>(MODULE, "hiddenKey"),
        daemon,
      });
      t.start();
      assert.deepEqual(await t.joinAsync({ timeout: 60_000 }), {
        hiddenWord: "kept",
        word: "kept",
      });
    });
  }
});
