// Copyright 2026 the threadkit authors. MIT license.
// The calls a spare's warm-up makes into _core/runtime.ts before any thread
// is handed to it (thread/_spare.ts warmSpare), only so that V8 compiles
// their code: each must leave every state as it was.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  adoptRuntime,
  currentIdent,
  endEntry,
  entryAlive,
  HEAP_BASE,
  runtime,
} from "../../_core/runtime.ts";

describe("runtime: a spare's warm-up calls", () => {
  it("adoptRuntime refuses a buffer too small for a runtime with a TypeError and adopts nothing", () => {
    const before = runtime();
    const ident = currentIdent();
    for (const bytes of [4, HEAP_BASE - 4, HEAP_BASE]) {
      assert.throws(
        () => adoptRuntime(new SharedArrayBuffer(bytes), 7, 3),
        (e: Error) => {
          assert.equal(e.constructor, TypeError);
          assert.match(e.message, /not a threadkit runtime/);
          return true;
        },
      );
    }
    assert.equal(runtime(), before);
    assert.equal(currentIdent(), ident);
  });

  it("endEntry on a scratch table with ident -1 frees nothing and leaves this thread's entry alive", () => {
    const scratch = new Int32Array(HEAP_BASE / 4);
    const rt = runtime();
    assert.equal(entryAlive(rt.entry, rt.ident), true);
    assert.equal(endEntry(0, -1, scratch), false);
    assert.equal(endEntry(rt.entry, -1, scratch), false);
    assert.ok(scratch.every((v) => v === 0));
    // This thread's own entry (the real table) is untouched.
    assert.equal(entryAlive(rt.entry, rt.ident), true);
    assert.equal(runtime(), rt);
  });
});
