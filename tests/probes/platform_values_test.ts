// Copyright 2026 the threadkit authors. MIT license.
// Platform objects as Thread args, task args and queue items
// (_core/platform.ts): those structured clone refuses (an AbortSignal, a
// BroadcastChannel, whose toString on Node says "EventTarget", an Event, a
// URL...) are a TypeError at the call everywhere, nothing started or put;
// those it carries (a Blob) go as Thread args and are refused as queue items
// and task args. Before, Deno and Node sent most of them as {}.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, Thread, ThreadPoolExecutor } from "../../mod.ts";

// Each maker's value and what closes it.
function makers(): [string, () => [object, () => void]][] {
  const none = () => {};
  const list: [string, () => [object, () => void]][] = [
    ["EventTarget", () => [new EventTarget(), none]],
    ["Event", () => [new Event("x"), none]],
    ["AbortController", () => [new AbortController(), none]],
    ["AbortSignal", () => [new AbortController().signal, none]],
    ["TextEncoder", () => [new TextEncoder(), none]],
    ["URL", () => [new URL("http://example.com/"), none]],
    ["Headers", () => [new Headers({ a: "1" }), none]],
    ["Intl.DateTimeFormat", () => [new Intl.DateTimeFormat(), none]],
  ];
  if (typeof BroadcastChannel === "function") {
    list.push(["BroadcastChannel", () => {
      const b = new BroadcastChannel("threadkit-platform-values");
      return [b, () => b.close()];
    }]);
  }
  return list;
}

describe("probes: platform objects that travel", () => {
  it("a refused one as a queue item or deep in one is a TypeError naming it, nothing put", () => {
    const q = new Queue<unknown>({ capacity: 4 });
    for (const [name, make] of makers()) {
      const [value, close] = make();
      try {
        const cls = name.split(".").pop()!;
        assert.throws(
          () => q.put({ deep: [1, value] }),
          (e: Error) =>
            e instanceof TypeError &&
            e.message.includes("item.deep[1] is a ") &&
            e.message.includes(cls),
          name,
        );
        assert.throws(() => q.put(value), TypeError, name);
        assert.equal(q.qsize(), 0, name);
      } finally {
        close();
      }
    }
  });

  it("a refused one as a Thread arg is a TypeError at start naming the thread, nothing started", () => {
    for (const [name, make] of makers()) {
      const [value, close] = make();
      try {
        const t = new Thread({ target: (x: unknown) => x, args: [{ value }] });
        assert.throws(
          () => t.start(),
          (e: Error) =>
            e instanceof TypeError && /^Cannot start thread/.test(e.message) &&
            e.message.includes("structured clone refuses one"),
          name,
        );
        assert.equal(t.ident, undefined, name);
      } finally {
        close();
      }
    }
  });

  it("a refused one as a task arg is a TypeError at submit; the pool goes on", {
    timeout: 60_000,
  }, async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    for (const [name, make] of makers()) {
      const [value, close] = make();
      try {
        assert.throws(
          () => pool.submit((x: unknown) => x, value),
          TypeError,
          name,
        );
      } finally {
        close();
      }
    }
    assert.equal(
      pool.submit((x: number) => x + 1, 1).result({ timeout: 30_000 }),
      2,
    );
  });

  it(
    "a Blob goes as a Thread arg (structured clone carries it) and is refused as a queue item and a task arg",
    { timeout: 60_000 },
    async () => {
      const blob = new Blob(["abc"]);
      const t = new Thread({
        target: async (b: Blob) => await b.text(),
        args: [blob],
      });
      t.start();
      assert.equal(await t.joinAsync({ timeout: 30_000 }), "abc");
      const q = new Queue<unknown>({ capacity: 4 });
      assert.throws(
        () => q.put({ blob }),
        /item\.blob is a Blob .*send its contents/,
      );
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      assert.throws(() => pool.submit((x: unknown) => x, blob), TypeError);
    },
  );

  it("a class of the user's own that extends EventTarget is refused too (a platform object at its root)", () => {
    class Emitter extends EventTarget {
      n = 1;
    }
    const q = new Queue<unknown>({ capacity: 4 });
    assert.throws(
      () => q.put(new Emitter()),
      /item is a Emitter|item is an? Emitter/,
    );
  });
});
