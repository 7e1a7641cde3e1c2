// Copyright 2026 the threadkit authors. MIT license.
// A thread whose module target replaced Symbol.for as it loaded (a symbol of
// its own for every "threadkit." key) before threadkit's modules loaded
// there: the package it then loads still knows the thread it runs in (its
// ident), and a Lock it made and holds is held as seen from the main thread.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moduleTarget, prestartThreads, Thread } from "../../mod.ts";
import type * as M from "../_workers/symbol_for_at_load.ts";

const MODULE = new URL("../_workers/symbol_for_at_load.ts", import.meta.url);

describe("Symbol.for replaced by a thread's module as it loads", () => {
  for (const daemon of [false, true]) {
    it(`a ${daemon ? "daemon " : ""}thread's package knows its ident, and its held Lock is held`, async () => {
      prestartThreads(0);
      const t = new Thread({
        target: moduleTarget<typeof M.identAndLock>(MODULE, "identAndLock"),
        daemon,
      });
      t.start();
      const r = await t.joinAsync({ timeout: 60_000 }) as {
        ident: number;
        lock: { acquire(o: { blocking: boolean }): boolean };
      };
      assert.equal(
        r.ident,
        t.ident,
        "the thread's ident as its package saw it",
      );
      assert.equal(
        r.lock.acquire({ blocking: false }),
        false,
        "a Lock the thread holds",
      );
    });
  }
});
