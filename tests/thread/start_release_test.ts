// Copyright 2026 the threadkit authors. MIT license.
// A thread start that fails gives back the heap references its args took
// (_core/claim.ts): a failure in start() itself (args that cannot be sent, a
// full thread table), a worker that fails before it runs (its entry cannot
// load), a target that fails to load before the args are decoded. Never
// twice, and never after the thread decoded them. Also: an encode that
// throws halfway releases what it took, and an executor's initArgs give each
// pool thread's copy references of its own.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  Event,
  Lock,
  setExcepthook,
  setWorkerEntry,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { blockRefs, heapLiveBytes } from "../../_core/heap.ts";
import { endEntry, reserveEntry } from "../../_core/runtime.ts";
import { encodeTransfer, TO_DESCRIPTOR } from "../../_core/transfer.ts";

const JOIN = { timeout: 30_000 };
const ENTRY = new URL("../../thread/_worker.ts", import.meta.url);

function offsetOf(p: object): number {
  return (p as { [TO_DESCRIPTOR](): { byteOffset: number } })
    [TO_DESCRIPTOR]().byteOffset;
}

describe("a failed thread start releases its args' heap references", () => {
  it("start() that throws (args that cannot be sent, a full thread table) leaves every count as it was", () => {
    const lock = new Lock();
    const ev = new Event();
    const at = [offsetOf(lock), offsetOf(ev)];
    const live = heapLiveBytes();
    const refs = () => at.map(blockRefs);
    assert.deepEqual(refs(), [1, 1]);
    // Encoded (references taken), then refused by structured clone.
    const bad = new Thread({
      target: (_l: Lock, _x: unknown) => 1,
      args: [lock, { ev, f: () => 1 }],
    });
    assert.throws(() => bad.start(), TypeError);
    assert.deepEqual(refs(), [1, 1]);
    // A full table: fill the free entries, start, give them back.
    const fillers: { ident: number; entry: number }[] = [];
    try {
      for (;;) fillers.push(reserveEntry("filler", true));
    } catch {
      // full
    }
    try {
      const t = new Thread({
        target: (_l: Lock, _x: unknown) => 1,
        args: [lock, [ev, lock]],
      });
      assert.throws(() => t.start(), /threads are already alive/);
      assert.deepEqual(refs(), [1, 1]);
    } finally {
      for (const f of fillers) endEntry(f.entry, f.ident);
    }
    assert.equal(heapLiveBytes(), live);
  });

  it("a target module that fails to load gives the args back before the thread ends; a decode keeps them", async () => {
    const lock = new Lock();
    const at = offsetOf(lock);
    const t = new Thread({
      target: {
        module: new URL("./no_such_module.js", import.meta.url),
        export: "run",
      },
      args: [lock, { again: lock }],
    });
    t.start();
    // One in flight: a primitive given twice travels as one marker.
    assert.equal(blockRefs(at), 2, "one in flight");
    await assert.rejects(t.joinAsync(JOIN));
    assert.equal(blockRefs(at), 1);
    // A thread that decodes its args keeps the references (its handles
    // hold them; that thread ended, so they leak, never freed early).
    const ok = new Thread({ target: (l: Lock) => l.locked(), args: [lock] });
    ok.start();
    assert.equal(await ok.joinAsync(JOIN), false);
    assert.equal(blockRefs(at), 2);
  });

  it("a worker whose entry cannot load gives the args back (its failure event)", async () => {
    const lock = new Lock();
    const at = offsetOf(lock);
    setWorkerEntry(new URL("./no_such_entry.js", import.meta.url));
    setExcepthook(() => {});
    try {
      const lost = new Thread({ target: (_l: Lock) => 1, args: [lock] });
      lost.start();
      await assert.rejects(lost.joinAsync(JOIN));
      assert.equal(blockRefs(at), 1);
    } finally {
      setWorkerEntry(ENTRY);
      setExcepthook(undefined);
    }
  });

  it("an encode that throws halfway releases the references it took", () => {
    const lock = new Lock();
    const at = offsetOf(lock);
    const unstarted = new Thread({ target: () => 1 });
    // The Lock is encoded first; the unstarted Thread refuses.
    assert.throws(() => encodeTransfer([lock, unstarted]), /not started/);
    assert.equal(blockRefs(at), 1);
  });

  it("each pool thread's initArgs copy holds references of its own", async () => {
    const lock = new Lock();
    const at = offsetOf(lock);
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      initArgs: [lock],
      initializer: (l: Lock) => void l.locked(),
    });
    try {
      // Both pool threads start and decode their copies: neither task
      // returns until the other runs, so each holds a thread of its own.
      const both = new Barrier(2);
      const waits = [1, 2].map(() =>
        pool.submit(
          (b: Barrier) => b.wait({ timeout: 20_000 }) >= 0,
          both,
        )
      );
      for (const f of waits) assert.equal(await f, true);
      // The user's handle and the executor's encoded copy; per pool thread
      // the copy it decoded (its start's reference, claimed by the thread),
      // and, until the collector takes it, the copy home decoded for that
      // start (Bun collects those sooner than Deno and Node do). Before:
      // each decoded copy took over the executor's one reference, so
      // collecting them freed the block under the lock.
      const threads = 2;
      const refs = blockRefs(at);
      assert.ok(
        refs >= 2 + threads && refs <= 2 + 2 * threads,
        `${refs} references, not ${2 + threads}-${2 + 2 * threads}`,
      );
    } finally {
      await pool.shutdownAsync({ wait: true });
    }
  });
});
