// Copyright 2026 the threadkit authors. MIT license.
// The names a source target sees: the static list of the package's exports
// is the package's, and a source target that names none of them runs
// without the package loaded in its thread, while one that names them sees
// them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as mod from "../../mod.ts";
import { Lock, Thread } from "../../mod.ts";
import { needsScope, SCOPE_NAMES } from "../../_core/scope.ts";

describe("source target scope", () => {
  it("SCOPE_NAMES lists exactly the exports of the package root", () => {
    assert.deepEqual([...SCOPE_NAMES].sort(), Object.keys(mod).sort());
  });

  it("needsScope finds the package's names as words, and eval", () => {
    assert.equal(needsScope("(n) => n + 1"), false);
    assert.equal(needsScope("(lockless) => lockless.Locked"), false);
    assert.equal(needsScope("() => new Lock()"), true);
    assert.equal(needsScope("(q) => { using _ = q.guard(); Queue; }"), true);
    assert.equal(needsScope("(s) => eval(s)"), true);
    assert.equal(needsScope("function currentThread() { return 1; }"), true);
    // A name inside a longer word only ("await" holds "wait"): the quick
    // look finds it, the word scan does not.
    assert.equal(needsScope("async (p) => await p"), false);
    assert.equal(needsScope("(evaluate) => evaluate()"), false);
    assert.equal(needsScope("async () => { await wait([]); }"), true);
  });

  it("a source target that names no export runs without the package; one that does sees it", async () => {
    const plain = new Thread({
      // The registry is kept per package root (_core/transfer.ts): count
      // every copy's.
      target: () => {
        const g = globalThis as unknown as Record<symbol, Map<string, unknown>>;
        let n = 0;
        for (const key of Object.getOwnPropertySymbols(g)) {
          if (key.description?.startsWith("threadkit.transfer ")) {
            n += g[key].size;
          }
        }
        return n;
      },
      daemon: true,
    });
    plain.start();
    // Every primitive module registers its transfer tag when it loads;
    // without the package, none has.
    assert.equal(await plain.joinAsync({ timeout: 30_000 }), 0);
    const named = new Thread({
      target: () => new Lock().locked(),
      daemon: true,
    });
    named.start();
    assert.equal(await named.joinAsync({ timeout: 30_000 }), false);
  });
});
