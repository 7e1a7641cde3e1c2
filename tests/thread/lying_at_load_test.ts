// Copyright 2026 the threadkit authors. MIT license.
// A thread whose module target replaced Array.prototype.concat and
// RegExp.prototype.exec with lying ones as it loaded, before threadkit's
// codec loaded there: its result still arrives as it was returned (the
// codec's copies are the realm's, from before the thread's own code).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moduleTarget, prestartThreads, Thread } from "../../mod.ts";
import type * as M from "../_workers/lying_at_load.ts";

const MODULE = new URL("../_workers/lying_at_load.ts", import.meta.url);

describe("concat and exec replaced by a thread's module as it loads", () => {
  for (const daemon of [false, true]) {
    it(`a ${daemon ? "daemon " : ""}thread's arrays and keys arrive as returned`, async () => {
      prestartThreads(0);
      const t = new Thread({
        target: moduleTarget<typeof M.arrays>(MODULE, "arrays"),
        daemon,
      });
      t.start();
      let r: unknown, e: unknown;
      try {
        r = await t.joinAsync({ timeout: 60_000 });
      } catch (err) {
        e = err;
      }
      assert.equal(e, undefined, `the join threw ${e}`);
      assert.deepEqual(r, {
        list: [1, 2, 3],
        keyed: { "\u0000threadkit": "kept" },
      });
    });
  }
});
