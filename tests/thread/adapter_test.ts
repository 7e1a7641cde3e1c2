// Copyright 2026 the threadkit authors. MIT license.
// The runtime adapter's public knob: setWorkerEntry names the file threads
// start in (for bundles whose bundler does not follow the worker URL), and
// threads started by threads inherit it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setExcepthook, setWorkerEntry, Thread } from "../../mod.ts";
import { defaultEntry } from "../../_core/adapter.ts";

const JOIN = { timeout: 60_000 };
// The real entry, as a bundle would name its copy: the bundled entry (one
// .js file). Not thread/_worker.ts: from source, `deno test` type-checks
// that module graph in the first worker that loads it, which took 9.7 s
// with a cold cache at load 25 (1.8 s for the bundle), and this test's
// 20 s bound failed so at load 20-30 (a slow start, not a race).
const ENTRY = defaultEntry();
const STATE = new URL("../_workers/entry_state.ts", import.meta.url);

describe("setWorkerEntry", () => {
  it("setWorkerEntry() refuses a relative URL with a TypeError", () => {
    assert.throws(() => setWorkerEntry("./_worker.js"), TypeError);
  });

  it("setWorkerEntry() decides where threads start, and threads started by threads inherit it", async () => {
    setWorkerEntry(new URL("./no_such_entry.js", import.meta.url));
    const reported: unknown[] = [];
    setExcepthook(({ error }) => reported.push(error));
    try {
      const lost = new Thread({ target: () => 1 });
      lost.start();
      await assert.rejects(lost.joinAsync(JOIN));
    } finally {
      setWorkerEntry(ENTRY);
      setExcepthook(undefined);
    }
    try {
      // The inner thread reports the entry it would start threads on: the
      // one it inherited through the outer thread.
      const outer = new Thread({
        target: async (state: string) => {
          const inner = new Thread({
            target: { module: state, export: "inheritedEntry" },
          });
          inner.start();
          return await inner.joinAsync({ timeout: 60_000 });
        },
        args: [STATE.href],
      });
      outer.start();
      assert.equal(await outer.joinAsync(JOIN), ENTRY.href);
    } finally {
      setWorkerEntry(undefined); // the default again, for later tests
    }
  });
});
