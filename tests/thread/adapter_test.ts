// Copyright 2026 the threadkit authors. MIT license.
// The runtime adapter's public knob: setWorkerEntry names the file threads
// start in (for bundles whose bundler does not follow the worker URL), and
// threads started by threads inherit it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setExcepthook, setWorkerEntry, Thread } from "../../mod.ts";

const JOIN = { timeout: 20_000 };
// The real entry, as a bundle would name its copy.
const ENTRY = new URL("../../thread/_worker.ts", import.meta.url);

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
    const outer = new Thread({
      target: async () => {
        const inner = new Thread({ target: (n: number) => n + 1, args: [41] });
        inner.start();
        return await inner.joinAsync({ timeout: 20_000 });
      },
    });
    outer.start();
    assert.equal(await outer.joinAsync(JOIN), 42);
  });
});
