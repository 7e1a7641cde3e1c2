// Copyright 2026 the threadkit authors. MIT license.
// A Condition.waitAsync (and Event.waitAsync) whose abort listener cannot be
// registered (its addEventListener throws, as a stack overflow at that call
// would): the wait throws with the lock held, and leaves no sleep pending on
// the word (which would keep the process alive and take a wake meant for a
// real waiter).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Condition, Event, Lock } from "../../mod.ts";

const SEQ = 0, WAITERS = 1, PERMITS = 2;

function refusing(): AbortSignal {
  const signal = new AbortController().signal;
  let calls = 0;
  signal.addEventListener = function (this: AbortSignal, ...args: unknown[]) {
    calls++;
    if (calls === 1) throw new RangeError("Maximum call stack size exceeded");
    // deno-lint-ignore no-explicit-any
    return (EventTarget.prototype.addEventListener as any).apply(this, args);
  } as typeof signal.addEventListener;
  return signal;
}

describe("abort listener registration that throws", () => {
  it("Condition.waitAsync: throws with the lock held, no waiter counted, nothing asleep on SEQ", async () => {
    const buffer = new SharedArrayBuffer(64);
    const lock = new Lock({ buffer, byteOffset: 0 });
    const cond = new Condition(lock, { buffer, byteOffset: 32 });
    const cw = new Int32Array(buffer, 32, 3);
    await cond.acquireAsync();
    const r = await cond.waitAsync({ signal: refusing(), timeout: 60_000 })
      .then((v) => ({ v }), (e) => ({ e }));
    assert.ok("e" in r && r.e instanceof RangeError, JSON.stringify(r));
    assert.equal(lock.locked(), true);
    assert.equal(Atomics.load(cw, WAITERS), 0);
    assert.equal(Atomics.load(cw, PERMITS), 0);
    // A pending Atomics.waitAsync left behind would be woken here.
    assert.equal(Atomics.notify(cw, SEQ), 0, "a sleep left pending on SEQ");
    cond.release();
  });

  it("Event.waitAsync: rejects and leaves nothing asleep on its word", async () => {
    const buffer = new SharedArrayBuffer(16);
    const ev = new Event({ buffer, byteOffset: 0 });
    let r: { v?: unknown; e?: unknown };
    try {
      r = await ev.waitAsync({ signal: refusing(), timeout: 60_000 })
        .then((v) => ({ v }), (e) => ({ e }));
    } catch (e) {
      r = { e }; // thrown at the call: the stack's end may do that
    }
    assert.ok("e" in r && r.e instanceof RangeError, JSON.stringify(r));
    assert.equal(
      Atomics.notify(new Int32Array(buffer, 0, 1), 0),
      0,
      "a sleep left pending",
    );
  });
});
