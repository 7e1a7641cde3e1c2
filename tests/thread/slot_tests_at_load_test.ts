// Copyright 2026 the threadkit authors. MIT license.
// A thread whose module target, as it loaded, tried to give threadkit slot
// tests of its own (each answers false and counts its calls): by planting
// them in a per-thread record on the global
// (tests/_workers/planted_slot_tests_at_load.ts), or by replacing
// Promise.prototype.then so that a fulfilled value shaped like
// node:util/types reaches its callback as the program's own
// (tests/_workers/then_slot_tests_at_load.ts). Its Map, Set, Date and
// RegExp still arrive as themselves on every kind of worker, and none of
// its tests runs: threadkit's slot tests are the host's, kept where thread
// code cannot write them and taken through no method it can replace.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moduleTarget, prestartThreads, Thread } from "../../mod.ts";
import type * as M from "../_workers/then_slot_tests_at_load.ts";
import { assertSlotValues, START_KINDS, startAs } from "../_helpers.ts";

const PROGRAMS = {
  "slot tests planted on the global": "planted_slot_tests_at_load.ts",
  "Promise.prototype.then replaced": "then_slot_tests_at_load.ts",
};

for (const [what, file] of Object.entries(PROGRAMS)) {
  const module = new URL(`../_workers/${file}`, import.meta.url);
  describe(`${what} by a thread's module as it loads`, () => {
    for (const kind of START_KINDS) {
      it(`${kind}: a Map, Set, Date and RegExp arrive as themselves`, async () => {
        try {
          const counts = new Int32Array(new SharedArrayBuffer(4));
          const t = new Thread({
            target: moduleTarget<typeof M.slotValues>(module, "slotValues"),
            args: [counts],
            daemon: kind === "daemon",
          });
          await startAs(t, kind);
          assertSlotValues(await t.joinAsync({ timeout: 60_000 }));
          assert.equal(counts[0], 0, "the program's slot tests ran");
        } finally {
          prestartThreads(0);
        }
      });
    }
  });
}
