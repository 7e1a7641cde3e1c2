// Copyright 2026 the threadkit authors. MIT license.
// A thread whose own code replaces built-ins before threadkit's codec
// modules would have loaded there (a target module's body as it loads, or
// a source target before it throws): its error and its result still arrive
// as they were thrown or returned. The codec's modules copy the built-ins
// they call when they load (_core/primordials.ts); they loaded lazily,
// after the target's module body, and took the replacements.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lock, moduleTarget, Thread } from "../../mod.ts";
import type * as patched from "../_workers/patched_at_load.ts";
import type * as patchedKeys from "../_workers/patched_keys_at_load.ts";

const PATCHED = new URL("../_workers/patched_at_load.ts", import.meta.url);
const PATCHED_KEYS = new URL(
  "../_workers/patched_keys_at_load.ts",
  import.meta.url,
);

function coded(e: unknown): true {
  assert.ok(e instanceof Error, String(e));
  assert.equal(e.message, "coded");
  assert.equal((e as { code?: number }).code, 7);
  return true;
}

describe("built-ins replaced by a thread's own code", () => {
  for (const daemon of [false, true]) {
    const kind = daemon ? "daemon " : "";
    it(`Thread.join: a ${kind}thread whose target module replaced Object.getOwnPropertyNames as it loaded throws its error with its own properties`, async () => {
      const t = new Thread({
        target: moduleTarget<typeof patched.throwCoded>(PATCHED, "throwCoded"),
        daemon,
      });
      t.start();
      await assert.rejects(t.joinAsync({ timeout: 60_000 }), coded);
    });

    it(`Thread.join: a ${kind}source target that replaced Object.getOwnPropertyNames throws its error with its own properties`, async () => {
      const t = new Thread({
        target: () => {
          const names = Object.getOwnPropertyNames;
          Object.getOwnPropertyNames = ((o: object) =>
            o instanceof Error
              ? names(o).filter((k) =>
                k !== "code"
              )
              : names(o)) as typeof Object.getOwnPropertyNames;
          throw Object.assign(new Error("coded"), { code: 7 });
        },
        daemon,
      });
      t.start();
      await assert.rejects(t.joinAsync({ timeout: 60_000 }), coded);
    });

    it(`Thread.result: a ${kind}thread whose target module replaced Object.keys as it loaded returns the Lock it made under a key the replacement hides`, async () => {
      const t = new Thread({
        target: moduleTarget<typeof patchedKeys.lockResult>(
          PATCHED_KEYS,
          "lockResult",
        ),
        daemon,
      });
      t.start();
      await t.joinAsync({ timeout: 60_000 });
      const r = t.result as { hidden: unknown; word: string };
      assert.equal(r.word, "kept");
      assert.ok(r.hidden instanceof Lock, String(r.hidden));
      assert.equal(r.hidden.acquire({ blocking: false }), true);
    });
  }
});
