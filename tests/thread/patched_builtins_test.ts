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
import { loadTimeBuiltins } from "../../_core/primordials.ts";
import type * as patched from "../_workers/patched_at_load.ts";
import type * as patchedKeys from "../_workers/patched_keys_at_load.ts";
import type * as patchedText from "../_workers/patched_text_at_load.ts";
import type * as patchedClasses from "../_workers/patched_classes_at_load.ts";

const PATCHED = new URL("../_workers/patched_at_load.ts", import.meta.url);
const PATCHED_KEYS = new URL(
  "../_workers/patched_keys_at_load.ts",
  import.meta.url,
);
const PATCHED_CLASSES = new URL(
  "../_workers/patched_classes_at_load.ts",
  import.meta.url,
);
const PATCHED_TEXT = new URL(
  "../_workers/patched_text_at_load.ts",
  import.meta.url,
);

function coded(e: unknown): true {
  assert.ok(e instanceof Error, String(e));
  assert.equal(e.message, "coded");
  assert.equal((e as { code?: number }).code, 7);
  return true;
}

describe("built-ins replaced by a thread's own code", () => {
  it("the record of load-time built-ins is held by %AsyncGeneratorFunction.prototype%, frozen, and is no global", () => {
    const holder = Object.getPrototypeOf(async function* () {});
    const d = Object.getOwnPropertyDescriptor(
      holder,
      "threadkit.builtins.d12268c8",
    );
    assert.equal(d?.value, loadTimeBuiltins());
    assert.equal(d?.writable, false);
    assert.equal(d?.configurable, false);
    assert.ok(Object.isFrozen(loadTimeBuiltins()));
    assert.equal(
      Object.hasOwn(globalThis, "threadkit.builtins.d12268c8"),
      false,
    );
  });

  it("the record's key ends in the fingerprint of its names (a copy of the package with another set uses another key)", () => {
    const names = Object.keys(loadTimeBuiltins()).sort().join(",");
    let h = 0x811c9dc5;
    for (let i = 0; i < names.length; i++) {
      h = Math.imul(h ^ names.charCodeAt(i), 0x01000193) >>> 0;
    }
    const holder = Object.getPrototypeOf(async function* () {});
    const keys = Object.getOwnPropertyNames(holder).filter((k) =>
      k.startsWith("threadkit.builtins.")
    );
    assert.deepEqual(keys, [
      `threadkit.builtins.${h.toString(16).padStart(8, "0")}`,
    ]);
  });

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

    it(`Thread.join: a ${kind}thread whose target module replaced AggregateError as it loaded throws an AggregateError that keeps its errors`, async () => {
      const t = new Thread({
        target: moduleTarget<typeof patchedClasses.throwAggregate>(
          PATCHED_CLASSES,
          "throwAggregate",
        ),
        daemon,
      });
      t.start();
      await assert.rejects(t.joinAsync({ timeout: 60_000 }), (e) => {
        assert.ok(e instanceof AggregateError, String(e));
        assert.equal(e.message, "outer");
        assert.equal(e.errors.length, 1);
        assert.ok(e.errors[0] instanceof RangeError, String(e.errors[0]));
        return true;
      });
    });

    it(`Queue: in a ${kind}thread whose target module replaced charCodeAt, fromCharCode, String and Number as it loaded, texts, numbers and bigints put come back as they were put`, async () => {
      const t = new Thread({
        target: moduleTarget<typeof patchedText.queueRoundTrip>(
          PATCHED_TEXT,
          "queueRoundTrip",
        ),
        daemon,
      });
      t.start();
      assert.equal(await t.joinAsync({ timeout: 60_000 }), 0);
    });

    it(`Thread.join: a ${kind}source target can neither replace nor change the record of load-time built-ins, nor hand the codec its own through a re-pointed globalThis, and its error keeps its own properties`, async () => {
      const t = new Thread({
        target: () => {
          const key = "threadkit.builtins.d12268c8";
          const holder = Object.getPrototypeOf(async function* () {});
          const names = Object.getOwnPropertyNames;
          const lie = ((o: object) =>
            o instanceof Error
              ? names(o).filter((k) =>
                k !== "code"
              )
              : names(o)) as typeof Object.getOwnPropertyNames;
          const refused = (f: () => void) => {
            try {
              f();
              return false;
            } catch {
              return true;
            }
          };
          const record = (holder as Record<string, unknown>)[key] as
            | Record<string, unknown>
            | undefined;
          const kept = record !== undefined &&
            refused(() => Object.defineProperty(holder, key, { value: {} })) &&
            refused(() => {
              record.ownNames = lie;
              if (record.ownNames !== lie) throw new Error("kept");
            });
          // A globalThis re-pointed to an object with a record of its own:
          // the codec does not look for its record through a global.
          const alias = Object.create(globalThis);
          Object.defineProperty(alias, key, {
            value: Object.freeze({ ...record, ownNames: lie }),
          });
          Object.defineProperty(globalThis, "globalThis", {
            value: alias,
            writable: true,
            configurable: true,
          });
          Object.getOwnPropertyNames = lie;
          throw Object.assign(new Error(kept ? "coded" : "record changed"), {
            code: 7,
          });
        },
        daemon,
      });
      t.start();
      await assert.rejects(t.joinAsync({ timeout: 60_000 }), coded);
    });
  }
});
