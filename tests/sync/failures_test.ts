// Copyright 2026 the threadkit authors. MIT license.
// The contract of issue "a thread that dies is seen, and no wait outlives its
// promise", in process: Python's positional forms refused, `timeout: null`
// the same everywhere, every wait back within its timeout under load, who
// counts as a dead lock holder, and a barrier wait that keeps its deadline
// while the previous round drains.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { wordChanged } from "../_helpers.ts";
import {
  Barrier,
  BrokenBarrierError,
  Condition,
  currentThread,
  Event,
  Lock,
  OwnerDiedError,
  RLock,
  Semaphore,
  Thread,
} from "../../mod.ts";

const JOIN = { timeout: 30_000 };
// Slack over a timeout that a loaded 2-core machine may need; the bound
// exists so that a wait that ignores its timeout fails instead of hanging.
const SLACK = 2_000;

const lock = new Lock();
const rlock = new RLock();
const sem = new Semaphore(0);
const ev = new Event();
const cond = new Condition(new Lock());
const barrier = new Barrier(2);

// [call, what the message must suggest]
const POSITIONAL: [string, () => unknown, RegExp][] = [
  [
    "lock.acquire(false)",
    () => lock.acquire(false as never),
    /blocking: false/,
  ],
  ["lock.acquire(100)", () => lock.acquire(100 as never), /timeout: 100/],
  [
    "lock.acquireAsync(false)",
    () => lock.acquireAsync(false as never),
    /blocking: false/,
  ],
  [
    "rlock.acquire(false)",
    () => rlock.acquire(false as never),
    /blocking: false/,
  ],
  [
    "rlock.acquireAsync(false)",
    () => rlock.acquireAsync(false as never),
    /blocking: false/,
  ],
  ["sem.acquire(false)", () => sem.acquire(false as never), /blocking: false/],
  [
    "sem.acquireAsync(100)",
    () => sem.acquireAsync(100 as never),
    /timeout: 100/,
  ],
  ["ev.wait(100)", () => ev.wait(100 as never), /timeout: 100/],
  ["ev.waitAsync(100)", () => ev.waitAsync(100 as never), /timeout: 100/],
  [
    "cond.acquire(false)",
    () => cond.acquire(false as never),
    /blocking: false/,
  ],
  ["cond.wait(100)", () => cond.wait(100 as never), /timeout: 100/],
  ["cond.waitAsync(100)", () => cond.waitAsync(100 as never), /timeout: 100/],
  [
    "cond.waitFor(p, 100)",
    () => cond.waitFor(() => true, 100 as never),
    /timeout: 100/,
  ],
  ["barrier.wait(100)", () => barrier.wait(100 as never), /timeout: 100/],
  [
    "barrier.waitAsync(100)",
    () => barrier.waitAsync(100 as never),
    /timeout: 100/,
  ],
  ["lock.guard(false)", () => lock.guard(false as never), /blocking: false/],
  ["ev.wait(null)", () => ev.wait(null as never), /undefined or \{\}/],
];

describe("Failures and timeouts", () => {
  for (const [name, call, suggests] of POSITIONAL) {
    it(`${name} (Python's positional form) throws a TypeError saying what to write`, () => {
      assert.throws(call, (e: unknown) => {
        assert.ok(e instanceof TypeError, String(e));
        assert.match((e as Error).message, suggests);
        return true;
      });
    });
  }

  it("Thread.join(100) and joinAsync(100) throw a TypeError saying what to write", async () => {
    const t = new Thread({ target: () => 1 });
    t.start();
    assert.throws(() => t.join(100 as never), /timeout: 100/);
    await assert.rejects(t.joinAsync(100 as never), /timeout: 100/);
    assert.equal(await t.joinAsync(JOIN), 1);
  });

  it("{ timeout: null } means no timeout for every wait (and with blocking: false)", async () => {
    const l = new Lock();
    assert.equal(l.acquire({ timeout: null }), true);
    assert.equal(l.acquire({ blocking: false, timeout: null }), false);
    l.release();
    const s = new Semaphore(1);
    assert.equal(s.acquire({ timeout: null }), true);
    const e = new Event();
    e.set();
    assert.equal(e.wait({ timeout: null }), true);
    assert.equal(await e.waitAsync({ timeout: null }), true);
    const c = new Condition();
    c.acquire();
    assert.equal(c.waitFor(() => true, { timeout: null }), true);
    c.release();
    // An explicit null overrides a barrier's default timeout: no timeout.
    const b = new Barrier(1, { timeout: 5 });
    assert.equal(b.wait({ timeout: null }), 0);
    const t = new Thread({ target: () => 2 });
    t.start();
    assert.equal(t.join({ timeout: null }), true);
  });

  it("Every wait returns within its timeout plus slack while threads load the machine", async () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    // Two busy threads: the machine has 2 cores.
    const spin = (stop: Int32Array) => {
      let n = 0;
      while (Atomics.load(stop, 0) === 0) n++;
      return n;
    };
    const load = [1, 2].map(() => new Thread({ target: spin, args: [stop] }));
    for (const t of load) t.start();
    try {
      const held = new Lock();
      held.acquire();
      const idle = new Thread({
        target: (e: Event) => e.wait({ timeout: 20_000 }),
        args: [new Event()],
      });
      const never = new Event();
      idle.start();
      const waits: [string, () => unknown, unknown][] = [
        ["Lock.acquire", () => held.acquire({ timeout: 300 }), false],
        [
          "Semaphore.acquire",
          () => new Semaphore(0).acquire({ timeout: 300 }),
          false,
        ],
        ["Event.wait", () => never.wait({ timeout: 300 }), false],
        ["Condition.wait", () => {
          const c = new Condition();
          c.acquire();
          try {
            return c.wait({ timeout: 300 });
          } finally {
            c.release();
          }
        }, false],
        ["Barrier.wait", () => {
          try {
            return new Barrier(2).wait({ timeout: 300 });
          } catch (e) {
            return (e as Error).name;
          }
        }, "BrokenBarrierError"],
        ["Thread.join", () => idle.join({ timeout: 300 }), false],
      ];
      for (const [name, wait, expected] of waits) {
        const t0 = performance.now();
        assert.equal(wait(), expected, name);
        const ms = performance.now() - t0;
        assert.ok(ms >= 290 && ms < 300 + SLACK, `${name} took ${ms} ms`);
      }
      const t0 = performance.now();
      assert.equal(await never.waitAsync({ timeout: 300 }), false);
      await assert.rejects(idle.joinAsync({ timeout: 300 }), /did not end/);
      assert.ok(performance.now() - t0 < 600 + 2 * SLACK);
      held.release();
      idle.cancel();
      await assert.rejects(idle.joinAsync(JOIN), /cancelled/);
    } finally {
      Atomics.store(stop, 0, 1);
      for (const t of load) await t.joinAsync(JOIN);
    }
  });

  it("Barrier.wait({ timeout }) keeps its deadline while a peer is still leaving the previous round", async () => {
    const b = new Barrier(2);
    const ctl = new Int32Array(new SharedArrayBuffer(8)); // [0] arrived, [1] go
    // The peer arrives, then keeps its event loop busy, so after the trip
    // its async wait cannot leave: the round stays draining.
    const peer = new Thread({
      target: async (b: Barrier, ctl: Int32Array) => {
        const left = b.waitAsync({ timeout: 20_000 }).then(
          (i) => `index ${i}`,
          (e) => (e as Error).name,
        );
        while (b.nWaiting < 1) await new Promise((r) => setTimeout(r, 1));
        Atomics.store(ctl, 0, 1);
        Atomics.notify(ctl, 0);
        // Busy until told (bounded: the old unbounded drain wait would
        // otherwise hold the main thread until this ends, 5 s, and fail).
        const end = performance.now() + 5_000;
        while (Atomics.load(ctl, 1) === 0 && performance.now() < end) {
          /* busy */
        }
        return await left;
      },
      args: [b, ctl],
    });
    peer.start();
    assert.ok(await wordChanged(ctl, 0, 0), "the peer arrived");
    assert.equal(b.wait({ timeout: 20_000 }), 1); // trips; the peer cannot leave
    const t0 = performance.now();
    assert.throws(() => b.wait({ timeout: 300 }), BrokenBarrierError);
    const ms = performance.now() - t0;
    Atomics.store(ctl, 1, 1);
    assert.ok(ms >= 290 && ms < 300 + SLACK, `took ${ms} ms`);
    // The round the peer belongs to tripped: it gets its index, not the
    // newcomer's timeout (which breaks the barrier once the peer has left).
    assert.equal(await peer.joinAsync(JOIN), "index 0");
    assert.equal(b.broken, true);
    assert.throws(() => b.wait({ timeout: 1_000 }), BrokenBarrierError);
    b.reset();
    assert.equal(b.broken, false);
  });

  it("Thread.cancel() is seen at cancellation points only: calls that wait, not fast paths (README)", async () => {
    const gate = new Event();
    const t = new Thread({
      target: (gate: Event, l: Lock, s: Semaphore) => {
        gate.wait({ timeout: 20_000 }); // the cancel comes while we wait here
        const out: string[] = [];
        // Fast paths do not look at the cancel word ...
        for (let i = 0; i < 3; i++) {
          l.acquire();
          l.release();
        }
        out.push(`acquired, cancelled=${currentThread().cancelled}`);
        s.release();
        out.push(`sem ${s.acquire()}`);
        // ... a call that must wait does.
        l.acquire();
        try {
          l.acquire({ timeout: 10_000 });
          out.push("second acquire returned");
        } catch (e) {
          out.push((e as Error).name);
        }
        return out;
      },
      args: [gate, new Lock(), new Semaphore(0)],
    });
    t.start();
    t.cancel();
    gate.set();
    // The first wait may have seen the cancel already (CancelledError), or
    // not yet (the gate was set first): both are cancellation points.
    try {
      assert.deepEqual(await t.joinAsync(JOIN), [
        "acquired, cancelled=true",
        "sem true",
        "CancelledError",
      ]);
    } catch (e) {
      assert.equal((e as Error).name, "CancelledError");
    }
  });

  it("Lock whose acquirer's target returned is not dead: a waiter times out with false (Python's handoff)", async () => {
    const l = new Lock();
    const t = new Thread({ target: (l: Lock) => l.acquire(), args: [l] });
    t.start();
    assert.equal(await t.joinAsync(JOIN), true);
    const t0 = performance.now();
    assert.equal(l.acquire({ timeout: 200 }), false);
    assert.ok(performance.now() - t0 < 200 + SLACK);
    l.release(); // any thread may release a Lock
    assert.equal(l.acquire({ blocking: false }), true);
    l.release();
  });

  it("Lock whose acquirer's target threw is dead: waiters get OwnerDiedError; release() recovers it", async () => {
    const l = new Lock();
    const t = new Thread({
      target: (l: Lock) => {
        l.acquire();
        throw new RangeError("failed holding the lock");
      },
      args: [l],
    });
    t.start();
    await assert.rejects(t.joinAsync(JOIN), RangeError);
    assert.throws(() => l.acquire({ timeout: 10_000 }), (e: unknown) => {
      assert.ok(e instanceof OwnerDiedError);
      assert.equal((e as OwnerDiedError).ident, t.ident);
      return true;
    });
    await assert.rejects(l.acquireAsync({ timeout: 10_000 }), OwnerDiedError);
    assert.equal(l.acquire({ blocking: false }), false); // never waits: no error
    l.release();
    assert.equal(l.acquire({ timeout: 1_000 }), true);
    l.release();
  });

  it("RLock whose owner's target returned is dead: waiters and Condition waiters get OwnerDiedError", async () => {
    const r = new RLock();
    const c = new Condition(r);
    const t = new Thread({ target: (r: RLock) => r.acquire(), args: [r] });
    t.start();
    assert.equal(await t.joinAsync(JOIN), true);
    assert.throws(() => r.acquire({ timeout: 10_000 }), OwnerDiedError);
    await assert.rejects(c.acquireAsync({ timeout: 10_000 }), OwnerDiedError);
  });

  it("Condition.wait() ends with OwnerDiedError when its RLock's owner dies while the waiter sleeps", async () => {
    const r = new RLock();
    const c = new Condition(r);
    const waiting = new Event();
    const go = new Event();
    const waiter = new Thread({
      target: (c: Condition, waiting: Event) => {
        c.acquire();
        waiting.set();
        try {
          c.wait({ timeout: 20_000 });
          return "woken";
        } catch (e) {
          return (e as Error).name;
        }
      },
      args: [c, waiting],
    });
    waiter.start();
    assert.equal(await waiting.waitAsync({ timeout: 20_000 }), true);
    // The holder takes the lock once the waiter released it in wait(), and
    // ends holding it.
    const holder = new Thread({
      target: (r: RLock, go: Event) => {
        r.acquire({ timeout: 20_000 });
        go.set();
      },
      args: [r, go],
    });
    holder.start();
    await holder.joinAsync(JOIN);
    assert.equal(go.isSet(), true);
    assert.equal(await waiter.joinAsync(JOIN), "OwnerDiedError");
  });

  it("Barrier: a party's thread that ends inside waitAsync() breaks the barrier for the others", async () => {
    const b = new Barrier(3);
    const t = new Thread({
      target: async (b: Barrier) => {
        b.waitAsync({ timeout: 20_000 }).catch(() => {});
        while (b.nWaiting < 1) await new Promise((r) => setTimeout(r, 1));
        return "left while waiting"; // the thread ends, its wait pending
      },
      args: [b],
    });
    t.start();
    await t.joinAsync(JOIN);
    const t0 = performance.now();
    assert.throws(() => b.wait({ timeout: 10_000 }), BrokenBarrierError);
    assert.ok(performance.now() - t0 < 5_000);
    b.reset();
    assert.equal(b.broken, false);
  });
});
