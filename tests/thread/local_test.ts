// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { local, Queue, Thread } from "../../mod.ts";

const JOIN = { timeout: 30_000 };

describe("local", () => {
  it("local() gives each thread its own attributes, starting from the defaults", async () => {
    const state = local({ n: 1, tags: ["a"] });
    state.n = 10;
    state.tags.push("main");
    const t = new Thread({
      target: (state: { n: number; tags: string[]; extra?: string }) => {
        const before = {
          n: state.n,
          tags: [...state.tags],
          extra: state.extra,
        };
        state.n = 99;
        state.extra = "thread";
        return before;
      },
      args: [state],
    });
    t.start();
    assert.deepEqual(await t.joinAsync(JOIN), {
      n: 1,
      tags: ["a"],
      extra: undefined,
    });
    assert.equal(state.n, 10);
    assert.deepEqual(state.tags, ["a", "main"]);
    assert.equal((state as { extra?: string }).extra, undefined);
  });

  it("local(): every handle of one local within a thread is the same object, and coming back gives the sender's own", async () => {
    const state = local<{ mark?: string }>();
    state.mark = "main";
    const t = new Thread({
      target: (a: object, b: object, inList: object[]) => {
        (a as { mark?: string }).mark = "thread";
        return { same: a === b && a === inList[0], back: a };
      },
      args: [state, state, [state]],
    });
    t.start();
    const result = await t.joinAsync(JOIN);
    assert.equal(result.same, true);
    // The thread returned its instance: here it is the main thread's.
    assert.equal(result.back, state);
    assert.equal(state.mark, "main");
  });

  it("local() is shared by the async tasks of one thread (per thread, not per task)", async () => {
    const state = local({ n: 0 });
    await Promise.all([1, 2, 3].map(async () => {
      await new Promise((r) => setTimeout(r, 1));
      state.n++;
    }));
    assert.equal(state.n, 3);
  });

  it("local() travels inside a queued item", async () => {
    const state = local({ seen: 0 });
    state.seen = 7;
    const q = new Queue<{ state: { seen: number } }>({ capacity: 4 });
    const t = new Thread({
      target: (q: Queue<{ state: { seen: number } }>) =>
        q.get({ timeout: 20_000 }).state.seen,
      args: [q],
    });
    t.start();
    q.put({ state });
    assert.equal(await t.joinAsync(JOIN), 0);
  });

  it("local() hides its transfer method from keys and JSON, and refuses defaults it cannot clone", () => {
    const state = local({ a: 1 });
    assert.deepEqual(Object.keys(state), ["a"]);
    assert.equal(JSON.stringify(state), '{"a":1}');
    assert.throws(() => local({ f: () => 1 }), TypeError);
    assert.throws(() => local(5 as never), TypeError);
  });
});
