// Copyright 2026 the threadkit authors. MIT license.
// A thread whose module target replaced process.getBuiltinModule as it
// loaded (node:util/types answering false to every slot test): its result
// and its error still arrive as they were, and no slot test of the
// program's runs in their encoding (the codec's slot tests are the host's,
// taken before the thread's own code runs).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lock, moduleTarget, prestartThreads, Thread } from "../../mod.ts";
import type * as M from "../_workers/util_types_at_load.ts";
import { assertSlotValues } from "../_helpers.ts";

const MODULE = new URL("../_workers/util_types_at_load.ts", import.meta.url);

describe("node:util/types replaced by a thread's module as it loads", () => {
  for (const daemon of [false, true]) {
    const kind = daemon ? "daemon " : "";
    it(`a ${kind}thread's Map, Set, Date and RegExp arrive as themselves, no replaced slot test run`, async () => {
      prestartThreads(0);
      const counts = new Int32Array(new SharedArrayBuffer(4));
      const t = new Thread({
        target: moduleTarget<typeof M.slotValues>(MODULE, "slotValues"),
        args: [counts],
        daemon,
      });
      t.start();
      assertSlotValues(await t.joinAsync({ timeout: 60_000 }));
      assert.equal(counts[0], 0, "replaced slot tests run");
    });

    it(`a ${kind}thread's Error arrives with its own code, no replaced slot test run`, async () => {
      prestartThreads(0);
      const counts = new Int32Array(new SharedArrayBuffer(4));
      const t = new Thread({
        target: moduleTarget<typeof M.throwCoded>(MODULE, "throwCoded"),
        args: [counts],
        daemon,
      });
      t.start();
      await assert.rejects(t.joinAsync({ timeout: 60_000 }), (e: unknown) => {
        assert.ok(e instanceof Error, String(e));
        assert.equal((e as { code?: number }).code, 7);
        return true;
      });
      assert.equal(counts[0], 0, "replaced slot tests run");
    });

    it(`a ${kind}thread's args with a Lock are decoded without asking the replaced process.getBuiltinModule`, async () => {
      prestartThreads(0);
      const t = new Thread({
        target: moduleTarget<typeof M.askedSinceLoad>(
          MODULE,
          "askedSinceLoad",
        ),
        args: [{ lock: new Lock(), m: new Map([[1, new Lock()]]) }],
        daemon,
      });
      t.start();
      assert.equal(await t.joinAsync({ timeout: 60_000 }), 0);
    });
  }
});
