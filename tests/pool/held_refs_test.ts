// Copyright 2026 the threadkit authors. MIT license.
// A task's args (and a result) are encoded with the queue's codec, which
// retains the shared-heap block of each threadkit primitive in them and
// pushes its offset onto this thread's `held` stack (queue/_held.ts). The
// reference belongs to the payload: the pool thread's decode hands it to
// the handle it makes. So a submit must leave `held` as it found it (under
// Bun, which runs every test file in one process, a submit's leftovers
// shifted later puts' marks), and a task whose args are never decoded (too
// large, refused at a shut-down executor, cancelled while queued) must
// release them: the block's reference count is as before.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BrokenExecutorError,
  Event,
  Lock,
  type ModuleTarget,
  moduleTarget,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import { runtime } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { held } from "../../queue/_held.ts";
import { blocker, within } from "./_fixtures.ts";
import type * as probe from "../_workers/held_probe.ts";

const PROBE = new URL("../_workers/held_probe.ts", import.meta.url);
const HELD_LENGTH: ModuleTarget<typeof probe.heldLength> = {
  module: PROBE,
  export: "heldLength",
};
const PAIR: ModuleTarget<typeof probe.pair> = { module: PROBE, export: "pair" };

type Described = {
  [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
};
const refs = (p: object) =>
  blockRefs((p as unknown as Described)[TO_DESCRIPTOR]().byteOffset);
// blocker ignores the args after its two.
const blockerN = blocker as unknown as (...args: unknown[]) => string;
const heap = (p: object) =>
  (p as unknown as Described)[TO_DESCRIPTOR]().buffer === runtime().buffer;

// deno-lint-ignore no-explicit-any
type Any = any;
const TASKS = new URL("../_workers/pool_tasks.ts", import.meta.url);
const gc = (globalThis as Any).gc as (() => void) | undefined;

// The pool thread collects the handles it made and runs its finalizers
// (needs --v8-flags=--expose-gc: skipped without).
async function collect(pool: ThreadPoolExecutor): Promise<void> {
  await within(pool.submit(async () => {
    for (let i = 0; i < 3; i++) {
      (globalThis as Any).gc();
      await new Promise((r) => setTimeout(r, 20));
    }
  }));
}

describe("ThreadPoolExecutor args and the held-references stack", () => {
  it("an accepted submit leaves the stack as it found it", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const go = new Event();
    go.set();
    assert.equal(heap(go), true, "an Event in the shared heap");
    const start = held.length;
    const f = pool.submit(blocker, go);
    assert.equal(held.length, start, "held after submit");
    assert.equal(await within(f), "released");
    assert.equal(held.length, start);
  });

  it("args over taskBytes: refused, the Event's reference released", async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      taskBytes: 256,
    });
    const go = new Event();
    const start = held.length, r = refs(go);
    assert.throws(
      () => pool.submit(blockerN, go, "x".repeat(1_000)),
      RangeError,
    );
    assert.equal(held.length, start, "held after the refusal");
    assert.equal(refs(go), r, "the Event's references");
  });

  it("an arg the codec refuses after the Event: the reference released", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const go = new Event();
    const start = held.length, r = refs(go);
    assert.throws(() => pool.submit(blockerN, go, Symbol("no")), TypeError);
    assert.equal(held.length, start, "held after the refusal");
    assert.equal(refs(go), r, "the Event's references");
  });

  it("cancelled while queued: the args' reference released", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const release = new Event(), started = new Event(), go = new Event();
    const running = pool.submit(blocker, release, started);
    try {
      assert.equal(await within(started.waitAsync({ timeout: 30_000 })), true);
      const start = held.length, r = refs(go);
      const queued = pool.submit(blocker, go);
      assert.equal(held.length, start, "held after submit");
      assert.equal(refs(go), r + 1, "the queued args hold one");
      assert.equal(queued.cancel(), true);
      assert.equal(refs(go), r, "released by the cancel");
    } finally {
      release.set();
    }
    assert.equal(await within(running), "released");
  });

  it("a result's references: kept for the owner, dropped when it does not fit; the pool thread's stack empty after each", async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1, // one pool thread: the probe reads the stack of the thread that ran the task
      // A result over it; its RangeError fits (one over 256 bytes arrives
      // as no error at all: a defect of its own, not this test's).
      taskBytes: 4_096,
    });
    const lock = new Lock();
    const [back] = await within(pool.submit(PAIR, lock, 0));
    assert.ok(back instanceof Lock, "the Lock comes back (a handle)");
    assert.equal(await within(pool.submit(HELD_LENGTH)), 0, "after a result");
    await assert.rejects(
      within(pool.submit(PAIR, lock, 10_000)),
      RangeError,
    );
    assert.equal(
      await within(pool.submit(HELD_LENGTH)),
      0,
      "after a result over taskBytes",
    );
  });

  it("submitted to a shut-down executor: refused, nothing held", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const warm = new Event();
    warm.set();
    assert.equal(await within(pool.submit(blocker, warm)), "released");
    await pool.shutdownAsync();
    const go = new Event();
    const start = held.length, r = refs(go);
    assert.throws(() => pool.submit(blocker, go));
    assert.equal(held.length, start, "held after the refusal");
    assert.equal(refs(go), r, "the Event's references");
  });
  it("a task whose target fails to load releases its args' references", {
    skip: gc === undefined,
  }, async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ev = new Event();
    const r = refs(ev), start = held.length;
    // Control: a decoded arg's reference goes to the pool thread's
    // handle, released when that is collected.
    assert.equal(await within(pool.submit((e: Event) => e.isSet(), ev)), false);
    await collect(pool);
    assert.equal(refs(ev), r, "control: decoded, then collected");
    const missing = moduleTarget<(e: Event) => void>(TASKS, "noSuchExport");
    await assert.rejects(within(pool.submit(missing, ev)));
    await collect(pool);
    assert.equal(held.length, start);
    assert.equal(refs(ev), r, "args never decoded: released");
  });

  it("a task failed by a broken pool releases its args' references", async () => {
    const entered = new Event(), go = new Event();
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: (entered: Event, go: Event) => {
        entered.set();
        go.wait({ timeout: 30_000 });
        throw new Error("error in initializer");
      },
      initArgs: [entered, go],
    });
    try {
      const ev = new Event();
      const r = refs(ev), start = held.length;
      const f = pool.submit((e: Event) => e.isSet(), ev); // starts the thread
      assert.equal(await within(entered.waitAsync({ timeout: 30_000 })), true);
      assert.equal(refs(ev), r + 1, "queued args hold one");
      go.set();
      await assert.rejects(within(f), BrokenExecutorError);
      assert.equal(held.length, start);
      assert.equal(refs(ev), r, "settled K_BROKEN, never decoded: released");
    } finally {
      go.set();
      await within(pool.shutdownAsync());
    }
  });

  it("an arg's getter shuts the executor down: refused at the gate, reference released", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(await within(pool.submit(() => 1)), 1);
    const ev = new Event();
    const r = refs(ev), start = held.length;
    const arg = {
      e: ev,
      get x() {
        pool.shutdown({ wait: false });
        return 1;
      },
    };
    assert.throws(() => pool.submit((a: unknown) => a, arg), /after shutdown/);
    assert.equal(held.length, start);
    assert.equal(refs(ev), r);
    await within(pool.shutdownAsync());
  });
});
