// Copyright 2026 the threadkit authors. MIT license.
// A thread whose module target imports a URL polyfill before threadkit
// (tests/_workers/url_polyfill_then_start.ts), then starts a thread: that
// thread runs on threadkit's own worker entry, and its result arrives.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moduleTarget, prestartThreads, Thread } from "../../mod.ts";
import type * as M from "../_workers/url_polyfill_then_start.ts";

const MODULE = new URL(
  "../_workers/url_polyfill_then_start.ts",
  import.meta.url,
);

describe("URL polyfilled in a thread before threadkit loads there", () => {
  for (const daemon of [true, false]) {
    it(`a ${daemon ? "daemon " : ""}thread it starts runs threadkit's entry and returns`, async () => {
      prestartThreads(0);
      const t = new Thread({
        target: moduleTarget<typeof M.startInner>(MODULE, "startInner"),
        args: [daemon],
        daemon: true,
      });
      t.start();
      assert.equal(await t.joinAsync({ timeout: 60_000 }), 42);
    });
  }
});
