// Copyright 2026 the threadkit authors. MIT license.
// A MessagePort as a queue item or a task arg is refused by kind
// (queue/_refused.ts, through _core/ports.ts isPort, the one place that
// tells a port), with a TypeError that says to pass it as a Thread arg;
// the refused put leaves the queue as it was and the port working.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, ThreadPoolExecutor } from "../../mod.ts";
import { isPort } from "../../_core/ports.ts";

const WHAT = /a MessagePort \(pass it to the thread as a Thread arg instead\)/;

describe("a MessagePort in a queue item or a task arg", () => {
  it("isPort tells a port from other objects", () => {
    const { port1, port2 } = new MessageChannel();
    try {
      assert.equal(isPort(port1), true);
      assert.equal(isPort(port2), true);
      for (const x of [{}, new EventTarget(), null, undefined, 1, "port"]) {
        assert.equal(isPort(x), false, String(x));
      }
    } finally {
      port1.close();
      port2.close();
    }
  });

  it("a queue item holding a port is a TypeError; the queue and the port are as they were", () => {
    const q = new Queue<unknown>({ capacity: 2 });
    const { port1, port2 } = new MessageChannel();
    try {
      assert.throws(() => q.putNowait(port1), {
        name: "TypeError",
        message: WHAT,
      });
      assert.throws(() => q.putNowait({ deep: [1, port1] }), {
        name: "TypeError",
        message: WHAT,
      });
      assert.equal(q.qsize(), 0);
      q.putNowait(7);
      assert.equal(q.getNowait(), 7);
      // Not transferred: it still sends.
      port1.postMessage("still");
    } finally {
      port1.close();
      port2.close();
    }
  });

  it("a task arg holding a port is a TypeError at submit", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const { port1, port2 } = new MessageChannel();
    try {
      assert.throws(() => pool.submit((p: unknown) => p !== null, port1), {
        name: "TypeError",
        message: WHAT,
      });
      assert.equal(await pool.submit((x: number) => x + 1, 1), 2);
    } finally {
      port1.close();
      port2.close();
    }
  });
});
