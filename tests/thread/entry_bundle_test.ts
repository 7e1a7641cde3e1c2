// Copyright 2026 the threadkit authors. MIT license.
// The worker entry bundled into one file (thread/_worker_bundle.js, made by
// scripts/bundle_entry.ts), which threads start in on Deno: it is what the
// sources give, and the state it sets is the state the package's modules in
// the same thread read (one state per thread, though the bundle has copies
// of those modules). A thread's owned threads, which the entry waits for,
// are checked by tests/thread/children_test.ts, through the same registry.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moduleTarget, setWorkerEntry, Thread } from "../../mod.ts";
import { defaultEntry } from "../../_core/adapter.ts";
import type * as State from "../_workers/entry_state.ts";
import { isDeno } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };
const STATE = new URL("../_workers/entry_state.ts", import.meta.url);
// The sources (Deno): the npm build starts threads on its own entry file.
const fromSource = import.meta.url.endsWith(".ts");

describe("the bundled worker entry", () => {
  it("is what scripts/bundle_entry.ts makes of the sources", {
    skip: !(isDeno && fromSource),
  }, async () => {
    const deno = (globalThis as unknown as {
      Deno: {
        execPath(): string;
        Command: new (cmd: string, o: object) => {
          output(): Promise<{ code: number; stderr: Uint8Array }>;
        };
      };
    }).Deno;
    const script = new URL("../../scripts/bundle_entry.ts", import.meta.url);
    const out = await new deno.Command(deno.execPath(), {
      args: ["run", "-A", script.href, "--check"],
      env: { NO_COLOR: "1" },
      signal: AbortSignal.timeout(120_000),
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  });

  it("is the default entry on Deno", { skip: !(isDeno && fromSource) }, () => {
    assert.match(defaultEntry().href, /\/thread\/_worker_bundle\.js$/);
  });

  it("sets the inherited worker entry where the package reads it", async () => {
    setWorkerEntry(defaultEntry());
    try {
      const t = new Thread({
        target: moduleTarget<typeof State.inheritedEntry>(
          STATE,
          "inheritedEntry",
        ),
      });
      t.start();
      assert.equal(await t.joinAsync(JOIN), defaultEntry().href);
    } finally {
      setWorkerEntry(undefined);
    }
  });

  it("loads the package's names for a source target where the package reads them", async () => {
    const t = new Thread({
      args: [STATE.href],
      target: async (url: string) => {
        // Naming an export makes the entry load the names before the call.
        if (typeof Lock !== "function") return "no Lock";
        return (await import(url) as typeof State).scopeLoaded();
      },
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), true);
  });
});

declare const Lock: unknown;
