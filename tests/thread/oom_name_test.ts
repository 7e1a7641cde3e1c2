// Copyright 2026 the threadkit authors. MIT license.
// The final name of a thread that runs out of memory (_core/names.ts,
// "Final names"): a thread with resourceLimits renames itself and then
// exhausts its heap. Its starter does not run its event loop between the
// thread's end and the reuse of the thread's table entry: it spins on the
// entry's TID word (no collect runs), reserves entries until it holds that
// one (so the entry is another ident's) and only then joins. thread.name must
// be the name the thread gave itself: its death hook posts the name before
// it frees the entry (thread/_worker.ts). When it freed the entry first, a
// starter that saw it free could read its port before the message came and
// take the name from the table, by then another thread's: 6 of 24 such
// joins on Deno 2.9.6 (load 6-10), 2 of 8 rounds of this file.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { currentThread, Thread, ThreadExitError } from "../../mod.ts";
import {
  liveEntries,
  reserveEntry,
  runtime,
  tidIndex,
  unreserveEntry,
} from "../../_core/runtime.ts";
import { isBun } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

// Reserves entries (a start's first step) until `entry` is one of them.
function take(entry: number): { ident: number; entry: number }[] {
  const taken: { ident: number; entry: number }[] = [];
  for (let i = 0; i < 300; i++) {
    const r = reserveEntry("intruder", true);
    taken.push(r);
    if (r.entry === entry) return taken;
  }
  for (const r of taken) unreserveEntry(r.entry, r.ident);
  assert.fail(`entry ${entry} never became free`);
}

// Renames itself, then allocates until its heap limit stops it.
function hog(name: string): never {
  currentThread().name = name;
  const hold: number[][] = [];
  for (;;) hold.push(new Array(1 << 17).fill(Math.random()));
}

async function round(join: "sync" | "async", long: boolean): Promise<void> {
  const renamed = `oom ${join} ` + (long ? "L".repeat(300) : "short");
  const t = new Thread({
    target: hog,
    args: [renamed],
    name: "start name",
    resourceLimits: { maxOldGenerationSizeMb: 24 },
  });
  t.start();
  const ident = t.ident!;
  const info = liveEntries().find((x) => x.ident === ident);
  assert.ok(info !== undefined, "thread not in the table");
  // Its end, seen on its TID word the moment it is written: no event loop
  // turn and no collect in between, and the entry goes to another ident.
  const view = runtime().view, tid = tidIndex(info.entry);
  const until = performance.now() + 60_000;
  while (Atomics.load(view, tid) === ident && performance.now() < until) {
    /* spin */
  }
  assert.notEqual(Atomics.load(view, tid), ident, "no end within 60 s");
  const grabbed = take(info.entry);
  try {
    let error: unknown;
    if (join === "sync") {
      assert.equal(t.join(JOIN), true);
    } else await t.joinAsync(JOIN).catch((e) => error = e);
    assert.equal(t.name, renamed, `${join} ${long ? "long" : "short"}`);
    if (join === "async") {
      assert.ok(error instanceof ThreadExitError, String(error));
      assert.equal(error.reason, "out-of-memory");
    }
  } finally {
    for (const g of grabbed) unreserveEntry(g.entry, g.ident);
  }
}

describe("the final name of a thread that runs out of memory", () => {
  // Two rounds of each join and name length: about 3 s a round (Deno 2.9.6,
  // load 6-10).
  for (let r = 0; r < 2; r++) {
    for (const join of ["sync", "async"] as const) {
      for (const long of [false, true]) {
        it(
          `${join} join, ${long ? "a long name" : "a short name"} (${r})`,
          { skip: isBun, timeout: 120_000 },
          () => round(join, long),
        );
      }
    }
  }
});
