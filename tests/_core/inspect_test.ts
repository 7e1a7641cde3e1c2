// Copyright 2026 the threadkit authors. MIT license.
// Inspecting a primitive shows its state, as Python's repr does, in
// util.inspect (Node and Deno), Deno.inspect and console.log.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  RLock,
  RWLock,
  Semaphore,
} from "../../mod.ts";
import { isDeno } from "../_helpers.ts";

/** The same text through every inspector this runtime has. */
function shown(value: unknown): string {
  const text = inspect(value);
  if (isDeno) {
    const deno = (globalThis as unknown as {
      Deno: { inspect(v: unknown): string };
    }).Deno;
    assert.equal(deno.inspect(value), text);
  }
  return text;
}

describe("inspect", () => {
  it("Lock shows whether it is locked", () => {
    const lock = new Lock();
    assert.equal(shown(lock), "Lock { locked: false }");
    lock.acquire();
    assert.equal(shown(lock), "Lock { locked: true }");
    lock.release();
  });

  it("RLock shows locked, owner and count", () => {
    const rlock = new RLock();
    assert.equal(shown(rlock), "RLock { locked: false, owner: 0, count: 0 }");
    rlock.acquire();
    rlock.acquire();
    assert.equal(shown(rlock), "RLock { locked: true, owner: 1, count: 2 }");
    rlock.release();
    rlock.release();
  });

  it("Semaphore and BoundedSemaphore show their value under their own names", () => {
    const sem = new Semaphore(3);
    sem.acquire();
    assert.equal(shown(sem), "Semaphore { value: 2 }");
    assert.equal(
      shown(new BoundedSemaphore(1)),
      "BoundedSemaphore { value: 1 }",
    );
  });

  it("Condition, Event, Barrier and RWLock show their state", () => {
    const cond = new Condition(new Lock());
    assert.equal(shown(cond), "Condition { locked: false, waiting: 0 }");
    cond.acquire();
    assert.equal(shown(cond), "Condition { locked: true, waiting: 0 }");
    cond.release();
    const event = new Event();
    event.set();
    assert.equal(shown(event), "Event { set: true }");
    const barrier = new Barrier(3);
    assert.equal(
      shown(barrier),
      "Barrier { parties: 3, nWaiting: 0, broken: false }",
    );
    barrier.abort();
    assert.match(shown(barrier), /broken: true/);
    const rw = new RWLock();
    rw.acquireRead();
    assert.equal(
      shown(rw),
      "RWLock { readers: 1, writer: false, writersWaiting: 0 }",
    );
    rw.releaseRead();
  });

  it("a primitive nested in an object is shown the same way", () => {
    assert.equal(
      inspect({ lock: new Lock() }),
      "{ lock: Lock { locked: false } }",
    );
  });
});
