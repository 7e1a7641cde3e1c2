// Copyright 2026 the threadkit authors. MIT license.
// A thread started on the worker entry from source (thread/_worker.ts, or
// the npm build's thread/_worker.js: what browsers and an entry set with
// setWorkerEntry run, not the bundle) whose module target replaced the
// built-ins the codec copies as it loaded: the entry took the record of
// load-time built-ins as it loaded, before that module ran, so its result
// and error arrive as they were, and no replaced built-in runs once the
// target has returned or thrown (counted in shared words, as in
// replaced_at_load_test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  moduleTarget,
  prestartThreads,
  setWorkerEntry,
  Thread,
} from "../../mod.ts";
import { CTORS, makeValue, METHODS } from "../_workers/_replace_builtins.ts";
import type * as Replaced from "../_workers/replaced_at_load.ts";

const MODULE = new URL("../_workers/replaced_at_load.ts", import.meta.url);
const SOURCE_ENTRY = new URL(
  `../../thread/_worker.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`,
  import.meta.url,
);
const ALL = [...METHODS, ...CTORS];

function called(counts: Int32Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < ALL.length; i++) {
    if (counts[1 + i] !== 0) out.push(`${ALL[i]} x${counts[1 + i]}`);
  }
  return out;
}

describe("the worker entry from source, built-ins replaced by the target's module", () => {
  for (const daemon of [false, true]) {
    for (const throws of [false, true]) {
      const what = `${daemon ? "daemon: " : ""}its ${
        throws ? "error" : "result"
      }`;
      it(`${what} arrives whole and no replaced built-in runs after it`, async () => {
        prestartThreads(0);
        setWorkerEntry(SOURCE_ENTRY);
        try {
          const counts = new Int32Array(
            new SharedArrayBuffer(4 * (1 + ALL.length)),
          );
          const t = new Thread({
            target: throws
              ? moduleTarget<typeof Replaced.throwError>(MODULE, "throwError")
              : moduleTarget<typeof Replaced.returnValue>(
                MODULE,
                "returnValue",
              ),
            args: [counts],
            daemon,
          });
          t.start();
          if (throws) {
            await assert.rejects(t.joinAsync({ timeout: 60_000 }), (e) => {
              assert.ok(e instanceof TypeError, `not a TypeError: ${e}`);
              assert.equal((e as { code?: number }).code, 7);
              assert.deepEqual((e as { extra?: unknown }).extra, {
                k: [1, 2],
              });
              return true;
            });
          } else {
            const r = await t.joinAsync({ timeout: 60_000 }) as Record<
              string,
              unknown
            >;
            const want = makeValue();
            assert.ok(r.map instanceof Map, "map");
            assert.ok(r.set instanceof Set, "set");
            assert.ok(r.date instanceof Date, "date");
            assert.equal(String(r.re), "/a+b/gi");
            assert.equal(r["\u0000threadkit"], "a key like the marker");
            assert.deepEqual(Object.keys(r).sort(), Object.keys(want).sort());
          }
          assert.deepEqual(
            called(counts),
            [],
            "replaced built-ins called after the target",
          );
        } finally {
          setWorkerEntry(undefined);
        }
      });
    }
  }
});
