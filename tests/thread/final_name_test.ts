// Copyright 2026 the threadkit authors. MIT license.
// A thread's final name travels with its outcome (_core/names.ts, "Final
// names"): a thread that renames itself just before it ends, and whose
// table entry another start takes before its starter reads the name, still
// has that name in its starter's handle after join, on a fresh worker and
// on a spare, whichever way its outcome goes (the result block, the port,
// a thrown error, a recorded death, out of memory). A rename by the starter
// after the thread's end wins over what the thread carried.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  currentThread,
  prestartThreads,
  Thread,
  ThreadExitError,
} from "../../mod.ts";
import {
  endEntry,
  liveEntries,
  reserveEntry,
  runtime,
  tidIndex,
} from "../../_core/runtime.ts";
import { sparesTaken } from "../../_core/spare.ts";
import { GONE, readNameSeq, renameName, writeName } from "../../_core/names.ts";
import { isBun, limitedLoaded, spares, wordChanged } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

// How each target ends after it renamed itself: its outcome's path.
const ENDINGS = {
  plain: "return 1;", // the result block
  object: "return { a: 1 };", // the port
  thrown: "throw new RangeError('late');", // the port, after the codec
  exit: "(globalThis.Deno ? Deno.exit(3) : process.exit(3));", // died
} as const;
type Ending = keyof typeof ENDINGS;

// A target that waits for its gate, renames itself to its second arg, and
// ends as `ending` says.
function renamer(ending: Ending): (gate: Int32Array, name: string) => unknown {
  return new Function(
    "gate",
    "name",
    `Atomics.wait(gate, 0, 0, 30000); currentThread().name = name; ${
      ENDINGS[ending]
    }`,
  ) as (gate: Int32Array, name: string) => unknown;
}

// The table entry of the live thread `t`.
function entryOf(t: Thread): number {
  const info = liveEntries().find((x) => x.ident === t.ident);
  assert.ok(info !== undefined, `thread ${t.ident} not in the table`);
  return info.entry;
}

// Waits (bounded) for the thread of `entry` to end, without collecting it.
async function ended(t: Thread, entry: number): Promise<void> {
  const view = runtime().view;
  assert.ok(await wordChanged(view, tidIndex(entry), t.ident!, 30_000));
}

// The same, blocking the event loop (so that no done ping is taken).
function endedSync(t: Thread, entry: number, ms = 30_000): void {
  const view = runtime().view;
  const index = tidIndex(entry);
  const end = performance.now() + ms;
  while (Atomics.load(view, index) === t.ident) {
    assert.ok(performance.now() < end, `thread ${t.ident} did not end`);
    Atomics.wait(view, index, t.ident!, 1_000);
  }
}

// Takes `entry` with reservations of this thread (a start's first step),
// then gives them all back: the entry's name words are another owner's.
function reuse(entry: number): void {
  const taken: { ident: number; entry: number }[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      const r = reserveEntry("intruder", true);
      taken.push(r);
      if (r.entry === entry) return;
    }
    assert.fail(`entry ${entry} never became free`);
  } finally {
    for (const r of taken) endEntry(r.entry, r.ident);
  }
}

// Waits (bounded) until a spare is ready (tests/_helpers.ts spares).
const spare = () => spares(1);

// One thread: renames itself to `last`, ends as `ending`; its entry is
// reused before its join (after the starter's own rename to `mine`, when
// given). Returns its name after the join and the join's error, if any.
// `onSpare` undefined: on whichever worker the start takes (a spare the
// start policy made earlier, or a fresh one), not checked.
async function raceOnce(
  ending: Ending,
  last: string,
  onSpare: boolean | undefined,
  mine?: string,
): Promise<{ name: string; error: unknown }> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  if (onSpare) await spare();
  const taken = sparesTaken();
  const t = new Thread({
    target: renamer(ending),
    args: [gate, last],
    name: "original",
  });
  t.start();
  if (onSpare !== undefined) {
    assert.equal(sparesTaken() - taken, onSpare ? 1 : 0, "spare use");
  }
  const entry = entryOf(t);
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);
  await ended(t, entry);
  if (mine !== undefined) t.name = mine;
  reuse(entry);
  let error: unknown;
  try {
    await t.joinAsync(JOIN);
  } catch (e) {
    error = e;
  }
  return { name: t.name, error };
}

describe("a thread's final name after join", () => {
  for (const onSpare of [false, true]) {
    const where = onSpare ? "on a spare" : "on a fresh worker";
    it(`Thread.name after join(): a thread ${where} that renames itself just before it ends keeps that name though its entry was reused, for every way its outcome goes`, async () => {
      try {
        for (const ending of Object.keys(ENDINGS) as Ending[]) {
          for (const last of [`last ${ending}`, "long ".repeat(40) + ending]) {
            const { name, error } = await raceOnce(ending, last, onSpare);
            assert.equal(name, last, `${ending}, ${last.length} chars`);
            if (ending === "plain" || ending === "object") {
              assert.equal(error, undefined);
            } else if (ending === "thrown") {
              assert.ok(error instanceof RangeError, String(error));
            } else {
              // A death's error names the thread by its final name.
              assert.match(
                String((error as Error).message),
                new RegExp(`^Thread "${last}" exited with code 3`),
              );
            }
          }
        }
      } finally {
        prestartThreads(0);
      }
    });
  }

  it("Thread.name after join(): the starter's own rename after the thread's end wins over the name the thread carried", async () => {
    for (const ending of ["plain", "object"] as Ending[]) {
      const { name } = await raceOnce(
        ending,
        "the thread's",
        undefined,
        "mine",
      );
      assert.equal(name, "mine");
    }
  });

  it("renameName(): GONE when the entry is another thread's (the handle's name then beats any carried one), undefined when the section stays taken past its bound (not written: the handle takes the table's next name)", () => {
    const view = new Int32Array(new SharedArrayBuffer(4096));
    const store = { alloc: () => -1, release: () => {} };
    const bytes = new TextEncoder().encode("first");
    writeName(view, 16, bytes, 0, 7, false);
    assert.equal(renameName(view, 16, 8, "not 8's", store), GONE);
    const seq = renameName(view, 16, 7, "second", store)!;
    assert.equal(seq % 2, 0);
    assert.deepEqual(readNameSeq(view, 16, 7), { name: "second", seq });
    Atomics.add(view, 16 + 6, 1); // NAME_SEQ odd: a writer stopped inside
    assert.equal(renameName(view, 16, 7, "third", store), undefined);
    Atomics.add(view, 16 + 6, 1);
    assert.equal(readNameSeq(view, 16, 7)?.name, "second");
  });

  it("stress: 3 rounds of 12 threads rename themselves and end; 12 other threads take their entries before the joins; every name is exact", async () => {
    for (let round = 0; round < 3; round++) {
      const gate = new Int32Array(new SharedArrayBuffer(4));
      const finals = Array.from(
        { length: 12 },
        (_, i) =>
          `round ${round} thread ${i}` + (i % 3 === 0 ? "!".repeat(120) : ""),
      );
      const renamers = finals.map((last, i) => {
        const t = new Thread({
          target: renamer(i % 2 === 0 ? "plain" : "object"),
          args: [gate, last],
          name: `first ${i}`,
        });
        t.start();
        return t;
      });
      const entries = renamers.map(entryOf);
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      // Blocking: the event loop takes no done ping (which would collect
      // the outcomes, names and all) before the real starts below take the
      // freed entries (the lowest free first).
      renamers.forEach((t, i) => endedSync(t, entries[i]));
      const others = finals.map((_, i) => {
        const t = new Thread({ target: () => 0, name: `other ${i}` });
        t.start();
        return t;
      });
      await Promise.all(others.map((t) => t.joinAsync(JOIN)));
      await Promise.all(renamers.map((t) => t.joinAsync(JOIN)));
      assert.deepEqual(renamers.map((t) => t.name), finals);
      assert.deepEqual(
        others.map((t) => t.name),
        finals.map((_, i) => `other ${i}`),
      );
    }
  });
});

// Renames itself, then allocates until its heap limit stops it.
function hog(name: string): never {
  currentThread().name = name;
  const hold: number[][] = [];
  for (;;) hold.push(new Array(1 << 17).fill(Math.random()));
}

// A thread with resourceLimits renames itself and runs out of memory; its
// starter sees the end on the entry's TID word (blocking: no event loop turn,
// no collect), takes the entry, then joins. The death hook posts the final
// name before it frees the entry (thread/_worker.ts). Freeing first, a
// starter could read its port before the message came and keep the start
// name: 13 of 16 joins in two runs of this block on the tree before (Deno
// 2.9.6, load 20-23); none of 16 after.
describe("a thread's final name after join: out of memory", () => {
  // The first limited thread of the process loads the watcher, which deno
  // test type-checks on a cold cache (tests/_helpers.ts COLD_MS): 6-13 s of
  // the first case here at load 7-17, inside endedSync's 30 s, against
  // 1-2 s for each later one. Loaded first, with its own bound; the hog
  // itself reaches its 24 MB limit in 0.3-0.6 s (load 15).
  before(async () => {
    if (!isBun) await limitedLoaded();
  });
  // Each case's thread, from start() to its end: two worker starts (the
  // watcher and the thread), the package loaded in the thread (the hog
  // names currentThread), the hog, the death. 1-2 s at load 7; 24-45 s at
  // load 33 with the watcher already loaded (4 of 8 cases past 30 s), the
  // hog's own allocation 0.3-0.6 s of it: the time is the load's.
  const OOM_END_MS = 120_000;
  for (let r = 0; r < 2; r++) {
    for (const join of ["sync", "async"] as const) {
      for (const long of [false, true]) {
        const renamed = `oom ${join} ` + (long ? "L".repeat(300) : "short");
        it(
          `${join} join, ${long ? "a long name" : "a short name"} (${r})`,
          { skip: isBun, timeout: 240_000 },
          async () => {
            const t = new Thread({
              target: hog,
              args: [renamed],
              name: "start name",
              resourceLimits: { maxOldGenerationSizeMb: 24 },
            });
            t.start();
            const entry = entryOf(t);
            endedSync(t, entry, OOM_END_MS);
            reuse(entry);
            let error: unknown;
            if (join === "sync") assert.equal(t.join(JOIN), true);
            else await t.joinAsync(JOIN).catch((e) => error = e);
            assert.equal(t.name, renamed);
            if (join === "async") {
              assert.ok(error instanceof ThreadExitError, String(error));
              assert.equal(error.reason, "out-of-memory");
            }
          },
        );
      }
    }
  }
});
