// Copyright 2026 the threadkit authors. MIT license.
// A task's outcome that does not fit a small `taskBytes`, and args that no
// pool thread decoded. (1) A result or error too large for the slot, even
// as the short RangeError that stands for it, must reach the caller as a
// RangeError (before: the fallback was written unchecked and the owner read
// garbage: "unknown format byte 0" or a SyntaxError). (2) The shared-heap
// references a task's args hold go to the handles the pool thread's decode
// makes; args whose decode threw, or that were never decoded (a target
// that failed to load), must be released when the task settles, without a
// garbage collection (before: the decode's throw kept them for good, and a
// failed load decoded the args only to drop the handles to finalizers).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, moduleTarget, ThreadPoolExecutor } from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import { runtime } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { held } from "../../queue/_held.ts";
import { within } from "./_fixtures.ts";

type Described = {
  [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
};
const at = (p: object) => (p as unknown as Described)[TO_DESCRIPTOR]();
const refs = (p: object) => blockRefs(at(p).byteOffset);
const TASKS = new URL("../_workers/pool_tasks.ts", import.meta.url);

describe("ThreadPoolExecutor outcomes over a small taskBytes", () => {
  for (const taskBytes of [8, 64]) {
    it(`taskBytes ${taskBytes}: a result over it rejects with a RangeError`, async () => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1, taskBytes });
      const f = pool.submit((n: number) => "r".repeat(n), 1_000);
      await assert.rejects(within(f), (e: Error) => {
        assert.ok(e instanceof RangeError, `${e?.name}: ${e?.message}`);
        assert.match(e.message, /taskBytes/);
        return true;
      });
    });

    it(`taskBytes ${taskBytes}: an error over it rejects with a RangeError`, async () => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1, taskBytes });
      const f = pool.submit((n: number) => {
        throw new Error("e".repeat(n));
      }, 1_000);
      await assert.rejects(within(f), (e: Error) => {
        assert.ok(e instanceof RangeError, `${e?.name}: ${e?.message}`);
        assert.match(e.message, /taskBytes/);
        return true;
      });
    });
  }

  it("taskBytes 8192: an error over it still arrives as the short RangeError naming it", async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      taskBytes: 8192,
    });
    const f = pool.submit((n: number) => {
      throw new TypeError("e".repeat(n));
    }, 20_000);
    await assert.rejects(within(f), /Task failed with TypeError: e+/);
  });
});

describe("ThreadPoolExecutor args no pool thread decoded are released when the task settles", () => {
  it("a decode that throws on the pool thread: the Event's reference released", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ev = new Event();
    assert.equal(at(ev).buffer, runtime().buffer, "an Event in the heap");
    // A primitive of a kind the pool thread does not know: its tag walk
    // takes the Event's block (a heap block), its decode throws.
    class Alien {
      [TO_DESCRIPTOR]() {
        return {
          tag: "threadkit.test.unknownKind",
          buffer: runtime().buffer,
          byteOffset: at(ev).byteOffset,
        };
      }
    }
    const alien = new Alien();
    const r = refs(ev), start = held.length;
    const f = pool.submit((a: unknown) => a, alien);
    assert.equal(held.length, start);
    await assert.rejects(within(f));
    assert.equal(refs(ev), r, "never adopted: released at the settle");
    // The pool goes on.
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
  });

  it("a target that fails to load: the args' reference released at the settle, no collection needed", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ev = new Event();
    const r = refs(ev), start = held.length;
    const missing = moduleTarget<(e: Event) => void>(TASKS, "noSuchExport");
    await assert.rejects(within(pool.submit(missing, ev)));
    assert.equal(held.length, start);
    assert.equal(refs(ev), r, "args never decoded: released");
  });
});
