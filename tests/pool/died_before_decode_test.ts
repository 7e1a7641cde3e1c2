// Copyright 2026 the threadkit authors. MIT license.
// Args of a task whose pool thread dies between its
// claim and its decode (the target's module ends the thread as it loads).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, moduleTarget, ThreadPoolExecutor } from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { held } from "../../queue/_held.ts";
import { within } from "./_fixtures.ts";

type Described = { [TO_DESCRIPTOR](): { byteOffset: number } };
const refs = (p: object) =>
  blockRefs((p as unknown as Described)[TO_DESCRIPTOR]().byteOffset);
const EXIT = new URL("../_workers/exit_on_load.ts", import.meta.url);

describe("a runner that dies between claim and decode", () => {
  it("the args' reference is released when the task settles (ThreadDiedError)", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ev = new Event();
    const r = refs(ev), start = held.length;
    const target = moduleTarget<(e: Event) => number>(EXIT, "never");
    const f = pool.submit(target, ev);
    assert.equal(held.length, start);
    await assert.rejects(within(f), (e: Error) => {
      console.log("settled:", e?.name, e?.message?.slice(0, 80));
      return true;
    });
    assert.equal(refs(ev), r, "released at the settle");
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
  });
});
