// Copyright 2026 the threadkit authors. MIT license.
// The async acquires reject on an already aborted signal, as every other
// async wait does (Event.waitAsync, Condition.waitAsync, Queue.getAsync,
// Thread.joinAsync, the guard forms); bad options still throw synchronously.
import { it } from "node:test";
import assert from "node:assert/strict";
import { Lock, RLock, RWLock, Semaphore } from "../../mod.ts";

it("acquireAsync with an aborted signal rejects with its reason (does not throw); bad options still throw", async () => {
  const held = new Lock();
  held.acquire();
  const owned = new RLock();
  owned.acquire(); // reentry by the owner: rejects too, the depth unchanged
  const sem = new Semaphore(0);
  const calls: [string, (o: { signal: AbortSignal }) => Promise<boolean>][] = [
    ["Lock (held)", (o) => held.acquireAsync(o)],
    ["Lock (free)", (o) => new Lock().acquireAsync(o)],
    ["RLock", (o) => new RLock().acquireAsync(o)],
    ["RLock (owned here)", (o) => owned.acquireAsync(o)],
    ["RWLock read", (o) => new RWLock().acquireReadAsync(o)],
    ["RWLock write", (o) => new RWLock().acquireWriteAsync(o)],
    ["Semaphore", (o) => sem.acquireAsync(o)],
  ];
  for (const [what, call] of calls) {
    const reason = new Error(`aborted: ${what}`);
    let p: Promise<boolean> | undefined;
    assert.doesNotThrow(() => {
      p = call({ signal: AbortSignal.abort(reason) });
    }, what);
    await assert.rejects(p!, (e) => e === reason, what);
  }
  owned.release();
  assert.equal(owned.locked(), false); // depth stayed 1
  assert.equal(sem.value, 0);
  // Bad input is a synchronous TypeError/RangeError, aborted signal or not.
  const signal = AbortSignal.abort(new Error("x"));
  assert.throws(() => held.acquireAsync({ timeout: -1, signal }), RangeError);
  assert.throws(
    () => new RWLock().acquireWriteAsync({ blocking: false, timeout: 1 }),
    TypeError,
  );
  held.release();
});
