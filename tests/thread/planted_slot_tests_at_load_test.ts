// Copyright 2026 the threadkit authors. MIT license.
// A thread whose module target, as it loaded, gave threadkit's per-thread
// record of the host's slot tests (on the global) tests of its own
// (tests/_workers/planted_slot_tests_at_load.ts): its Map, Set, Date and
// RegExp still arrive as themselves, and none of its tests runs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moduleTarget, prestartThreads, Thread } from "../../mod.ts";
import type * as M from "../_workers/planted_slot_tests_at_load.ts";
import { spares, startOnSpare } from "../_helpers.ts";

const MODULE = new URL(
  "../_workers/planted_slot_tests_at_load.ts",
  import.meta.url,
);

describe("slot tests planted by a thread's module as it loads", () => {
  for (const where of ["fresh", "daemon", "spare"] as const) {
    it(`${where}: a Map, Set, Date and RegExp arrive as themselves`, async () => {
      try {
        const counts = new Int32Array(new SharedArrayBuffer(4));
        const t = new Thread({
          target: moduleTarget<typeof M.slotValues>(MODULE, "slotValues"),
          args: [counts],
          daemon: where === "daemon",
        });
        if (where === "spare") {
          await spares(1);
          startOnSpare(t);
        } else {
          prestartThreads(0);
          t.start();
        }
        const r = await t.joinAsync({ timeout: 60_000 }) as Record<
          string,
          unknown
        >;
        assert.ok(r.map instanceof Map, `map: ${JSON.stringify(r.map)}`);
        assert.ok(r.set instanceof Set, `set: ${JSON.stringify(r.set)}`);
        assert.ok(r.date instanceof Date, `date: ${JSON.stringify(r.date)}`);
        assert.ok(r.re instanceof RegExp, `re: ${JSON.stringify(r.re)}`);
        assert.equal(counts[0], 0, "planted slot tests run");
      } finally {
        prestartThreads(0);
      }
    });
  }
});
