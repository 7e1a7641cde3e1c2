// Copyright 2026 the threadkit authors. MIT license.
// Probes of "primitives arrive as themselves": a primitive nested in
// objects, arrays, Maps (as key and as value) and Sets, given twice in one
// message, and sent back from a thread as its result, arrives as the same
// class over the same memory, and one given twice arrives as one object, as
// structured clone keeps any other shared reference. Through thread args,
// thread results, queue items and executor args and results alike.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  Condition,
  Event,
  Lock,
  Queue,
  RLock,
  RWLock,
  Semaphore,
  SimpleQueue,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import {
  decodeTransfer,
  encodeTransfer,
  releaseTransfer,
  TO_DESCRIPTOR,
} from "../../_core/transfer.ts";
import { within } from "../pool/_fixtures.ts";

const JOIN = { timeout: 30_000 };

function offsetOf(p: object): number {
  return (p as { [TO_DESCRIPTOR](): { byteOffset: number } })
    [TO_DESCRIPTOR]().byteOffset;
}

describe("probes: primitives arrive as themselves", () => {
  it("encodeTransfer: a heap primitive given twice takes one reference, and decodes to one handle that holds it", () => {
    const lock = new Lock();
    const at = offsetOf(lock);
    const before = blockRefs(at);
    const encoded = encodeTransfer([
      lock,
      { again: lock },
      new Map([[lock, 1]]),
    ]);
    assert.equal(blockRefs(at), before + 1, "one in-flight reference");
    const [a, { again }, m] = decodeTransfer(structuredClone(encoded)) as [
      Lock,
      { again: Lock },
      Map<Lock, number>,
    ];
    assert.equal(a, again);
    assert.equal([...m.keys()][0], a);
    assert.ok(a instanceof Lock);
    assert.equal(blockRefs(at), before + 1, "the handle took it over");
    a.acquire();
    assert.equal(lock.locked(), true, "same memory");
    lock.release();
    // An encoded value nobody decodes gives its one reference back.
    const lost = encodeTransfer([lock, lock]);
    assert.equal(blockRefs(at), before + 2);
    releaseTransfer(lost);
    assert.equal(blockRefs(at), before + 1);
  });

  it("Thread args: one primitive twice (directly, in an object, a Map key and value, a Set) arrives as one object of its class", async () => {
    const lock = new Lock();
    const ev = new Event();
    const t = new Thread({
      target: (
        l1: Lock,
        l2: Lock,
        o: { a: { b: Lock[] } },
        m: Map<unknown, unknown>,
        s: Set<unknown>,
        e: Event,
      ) => {
        const keys = [...m.keys()];
        return [
          l1 instanceof Lock,
          l1 === l2,
          o.a.b[0] === l1 && o.a.b[1] === l1,
          keys[0] === e && m.get(e) === l1 && m.get("lock") === l1,
          s.has(l1) && s.has(e) && s.size === 2,
          e instanceof Event,
          l2.acquire({ blocking: false }) && l1.locked(),
        ];
      },
      args: [
        lock,
        lock,
        { a: { b: [lock, lock] } },
        new Map<unknown, unknown>([[ev, lock], ["lock", lock]]),
        new Set<unknown>([lock, ev, lock]),
        ev,
      ],
    });
    t.start();
    assert.deepEqual(await t.joinAsync(JOIN), Array(7).fill(true));
    assert.equal(lock.locked(), true, "the thread's acquire is on our lock");
    lock.release();
  });

  it("Thread result: primitives sent back arrive as themselves, one given twice as one object", async () => {
    const q = new Queue<number>({ capacity: 4, type: "int32" });
    const t = new Thread({
      target: (q: Queue<number>) => {
        const lock = new Lock();
        lock.acquire();
        const sem = new Semaphore(3);
        q.put(7);
        return {
          lock,
          twice: [lock, lock],
          map: new Map([["sem", sem]]),
          others: [
            new Barrier(2),
            new RWLock(),
            new RLock(),
            new Condition(lock),
          ],
          q,
        };
      },
      args: [q],
    });
    t.start();
    const r = await t.joinAsync(JOIN) as {
      lock: Lock;
      twice: Lock[];
      map: Map<string, Semaphore>;
      others: [Barrier, RWLock, RLock, Condition];
      q: Queue<number>;
    };
    assert.ok(r.lock instanceof Lock);
    assert.equal(r.lock.locked(), true, "the thread's state came back");
    assert.equal(r.twice[0], r.lock);
    assert.equal(r.twice[1], r.lock);
    assert.ok(r.map.get("sem") instanceof Semaphore);
    assert.equal(r.map.get("sem")!.value, 3);
    assert.ok(r.others[0] instanceof Barrier);
    assert.equal(r.others[0].parties, 2);
    assert.ok(r.others[1] instanceof RWLock);
    assert.ok(r.others[2] instanceof RLock);
    assert.ok(r.others[3] instanceof Condition);
    assert.ok(r.q instanceof Queue);
    assert.equal(r.q.get({ timeout: 1_000 }), 7);
    assert.equal(q.qsize(), 0, "the same queue");
    r.lock.release();
    // The Condition came back over the thread's lock, the same one.
    assert.equal(r.others[3].acquire({ blocking: false }), true);
    assert.equal(r.lock.locked(), true);
    r.others[3].release();
  });

  it("Queue items: one primitive twice arrives as one object, in a bounded and an unbounded queue", () => {
    for (const q of [new Queue<unknown>({ capacity: 2 }), new SimpleQueue()]) {
      const lock = new Lock();
      const sem = new Semaphore(0);
      q.put([lock, { l: lock }, new Map([[sem, lock]]), sem]);
      const [a, { l }, m, s] = q.get({ timeout: 1_000 }) as [
        Lock,
        { l: Lock },
        Map<Semaphore, Lock>,
        Semaphore,
      ];
      assert.ok(a instanceof Lock);
      assert.equal(a, l);
      assert.equal(m.get(s), a);
      s.release();
      assert.equal(sem.value, 1);
    }
  });

  it("ThreadPoolExecutor: one primitive twice in args and in the result arrives as one object", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ev = new Event();
    const f = pool.submit(
      (a: Event, b: Event, m: Map<string, Event>) => {
        a.set();
        return [a === b && m.get("e") === a, a, a, new Map([["e", b]])];
      },
      ev,
      ev,
      new Map([["e", ev]]),
    );
    const [same, x, y, m] = await within(f) as [
      boolean,
      Event,
      Event,
      Map<string, Event>,
    ];
    assert.equal(same, true);
    assert.ok(x instanceof Event);
    assert.equal(x, y);
    assert.equal(m.get("e"), x);
    assert.equal(ev.isSet(), true);
    assert.equal(x.isSet(), true);
  });
});
