// Copyright 2026 the threadkit authors. MIT license.
// A MessagePort in a Thread's args (_core/ports.ts): transferred in the
// start message, it arrives as a working port at any depth, on a new
// worker, a spare and a watched (resourceLimits) thread; the same port
// twice arrives as one; a closed or transferred port is a TypeError at
// start with nothing started; the caller's port is detached after the
// start; a port as a task arg or a queue item is a TypeError that says to
// pass it as a Thread arg (on Node it went as {} before), and one in an
// executor's initArgs a TypeError at construction. Real threads, bounded
// waits.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  activeCount,
  Barrier,
  Lock,
  prestartThreads,
  Queue,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { endEntry, reserveEntry } from "../../_core/runtime.ts";
import { spares, startOnSpare } from "../_helpers.ts";

const JOIN = { timeout: 60_000 };

type Box = { deep: [Map<string, MessagePort>] };

// The thread's side: posts on the port it got, waits (on a shared word, 30
// s at most) until the main side has posted back and set the word, reads
// that reply with receiveMessageOnPort, and returns what it saw.
async function echo(box: Box, w: Int32Array): Promise<unknown> {
  const { receiveMessageOnPort } = await import("node:worker_threads");
  const port = box.deep[0].get("p")!;
  const isPort = port instanceof MessagePort;
  port.postMessage({ hello: 41 });
  if (Atomics.wait(w, 0, 0, 30_000) === "timed-out") return "timed out";
  const got = receiveMessageOnPort(port as never) as { message: unknown };
  port.close();
  return [isPort, got?.message];
}

// The main side: starts `options` with port2 three levels deep, receives
// the thread's message as an event on port1, posts the reply, then sets the
// word (post before publish: the thread reads the reply after the word).
async function roundTrip(
  extra: Partial<ConstructorParameters<typeof Thread>[0]>,
  start: (t: Thread) => void = (t) => t.start(),
): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const w = new Int32Array(new SharedArrayBuffer(4));
  const heard = new Promise<unknown>((resolve) => {
    port1.onmessage = (e) => resolve(e.data);
  });
  const t = new Thread({
    target: echo,
    args: [{ deep: [new Map([["p", port2]])] }, w],
    ...extra,
  });
  try {
    start(t);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const first = await Promise.race([
      heard,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("no message in 60 s")),
          60_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    assert.deepEqual(first, { hello: 41 });
    port1.postMessage((first as { hello: number }).hello + 1);
    Atomics.store(w, 0, 1);
    Atomics.notify(w, 0);
    assert.deepEqual(await t.joinAsync(JOIN), [true, 42]);
  } finally {
    Atomics.store(w, 0, 1);
    Atomics.notify(w, 0);
    port1.close();
  }
}

describe("Thread: a MessagePort as a thread arg", () => {
  it("a port nested in an array, a Map and an object arrives working: thread posts (event on main), main replies (receiveMessageOnPort in the thread)", async () => {
    await roundTrip({});
  });

  it("on a spare worker (the start record is posted with the port in its transfer list)", async () => {
    try {
      await spares(1);
      await roundTrip({}, startOnSpare);
    } finally {
      prestartThreads(0); // no spare left for later files (one process on Bun)
    }
  });

  it("with resourceLimits (the watcher passes the port on)", async () => {
    await roundTrip({ resourceLimits: { maxOldGenerationSizeMb: 64 } });
  });

  it("the same port twice in one args arrives as one port (beside a Lock: the args decoded in the thread)", async () => {
    const { port1, port2 } = new MessageChannel();
    const lock = new Lock();
    try {
      const t = new Thread({
        target: (a: MessagePort, b: { again: MessagePort; lock: Lock }) => {
          if (!b.lock.acquire({ timeout: 30_000 })) return "no lock";
          b.lock.release();
          a.postMessage("once");
          return a === b.again && a instanceof MessagePort;
        },
        args: [port2, { again: port2, lock }],
      });
      t.start();
      assert.equal(await t.joinAsync(JOIN), true);
      const { receiveMessageOnPort } = await import("node:worker_threads");
      assert.deepEqual(receiveMessageOnPort(port1 as never), {
        message: "once",
      });
    } finally {
      port1.close();
    }
  });

  it("a transferred or closed port is a TypeError at start, and nothing starts", () => {
    const sink = new MessageChannel();
    const moved = new MessageChannel();
    sink.port1.postMessage(null, [moved.port2]);
    const closed = new MessageChannel();
    closed.port2.close();
    try {
      for (const port of [moved.port2, closed.port2]) {
        const before = activeCount();
        const t = new Thread({ target: (p: unknown) => p, args: [[port]] });
        assert.throws(() => t.start(), (e: Error) => {
          assert.ok(e instanceof TypeError, String(e));
          assert.match(e.message, /closed or already transferred/);
          return true;
        });
        assert.equal(t.isAlive(), false);
        assert.equal(t.ident, undefined, "no thread was started");
        assert.equal(activeCount(), before);
      }
    } finally {
      for (const c of [sink, moved, closed]) c.port1.close();
    }
  });

  it("a start refused for a full thread table leaves the caller's port usable (the move comes after the reservation)", async () => {
    const { port1, port2 } = new MessageChannel();
    const fillers: { ident: number; entry: number }[] = [];
    try {
      try {
        for (;;) fillers.push(reserveEntry("filler", true));
      } catch {
        // full
      }
      const t = new Thread({ target: (p: unknown) => p, args: [port2] });
      assert.throws(() => t.start(), /threads are already alive/);
    } finally {
      for (const f of fillers) endEntry(f.entry, f.ident);
    }
    // Still the caller's: it posts, and it can go to a thread.
    port2.postMessage("still here");
    const { receiveMessageOnPort } = await import("node:worker_threads");
    assert.deepEqual(receiveMessageOnPort(port1 as never), {
      message: "still here",
    });
    const t = new Thread({
      target: (p: MessagePort) => p.close(),
      args: [port2],
    });
    t.start();
    await t.joinAsync(JOIN);
    port1.close();
  });

  it("after the start the caller's port is detached: starting another thread with it is a TypeError", async () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const t = new Thread({
        target: (p: MessagePort) => p.close(),
        args: [port2],
      });
      t.start();
      const again = new Thread({ target: (p: unknown) => p, args: [port2] });
      assert.throws(() => again.start(), TypeError);
      assert.throws(
        () => new MessageChannel().port1.postMessage(null, [port2]),
        (e: Error) => e.name === "DataCloneError",
      );
      await t.joinAsync(JOIN);
    } finally {
      port1.close();
    }
  });

  it("a port as a task arg or a queue item is a TypeError that says to pass it as a Thread arg", async () => {
    const { port1, port2 } = new MessageChannel();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const q = new Queue();
    try {
      for (
        const call of [
          () => pool.submit((p: unknown) => p, { p: port2 }),
          () => q.putNowait([port2]),
        ]
      ) {
        assert.throws(call, (e: Error) => {
          assert.ok(e instanceof TypeError, String(e));
          assert.match(e.message, /MessagePort.*as a Thread arg/);
          return true;
        });
      }
      assert.equal(q.qsize(), 0);
    } finally {
      port1.close();
      port2.close();
    }
  });

  it("a port in a Barrier's actionArgs or an executor's initArgs is a TypeError at construction (they go to every thread the barrier or pool reaches)", () => {
    const { port1, port2 } = new MessageChannel();
    const makes: [() => unknown, RegExp][] = [
      [() =>
        new Barrier(2, {
          action: (p: MessagePort) => p.postMessage("met"),
          actionArgs: [{ p: port2 }],
        }), /actionArgs hold a MessagePort.*Thread arg/],
      [
        () => new ThreadPoolExecutor({ initArgs: [{ p: port2 }] }),
        /initArgs hold a MessagePort.*Thread arg/,
      ],
    ];
    try {
      for (const [make, text] of makes) {
        assert.throws(make, (e: Error) => {
          assert.ok(e instanceof TypeError, String(e));
          assert.match(e.message, text);
          return true;
        });
      }
    } finally {
      port1.close();
      port2.close();
    }
  });
});
