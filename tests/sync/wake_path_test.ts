// Copyright 2026 the threadkit authors. MIT license.
// The wake paths with the fewest atomics (sync/_tickets.ts: a woken
// Condition waiter takes its permit with one compareExchange and sleeps
// first on its ticket; sync/event.ts: Event.waitAsync maps the outcome in
// the reaction that sees the wake), stressed with real threads and exact
// counts. Every wait is bounded: a lost wakeup fails its wait's timeout
// instead of hanging.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Condition, Event, Lock, RLock, Thread } from "../../mod.ts";

const JOIN = { timeout: 120_000 };
const ROUNDS = 5_000;

/**
 * The peer of a Condition ping-pong: with the lock held (wait releases it)
 * it waits until PING moves past what it answered, answers in PONG and
 * notifies. Returns the pings answered and the waits that returned true
 * with no new ping: every notify here comes after a new ping, under the
 * lock, so a wait returns true only for one (notify(1) wakes at most one);
 * a wait that times out throws.
 */
function conditionPeer(cond: Condition, a: Int32Array): [number, number] {
  let seen = 0, answered = 0, extra = 0;
  cond.acquire();
  try {
    for (;;) {
      while (a[0] === seen) {
        if (!cond.wait({ timeout: 10_000 })) throw new Error("peer: no ping");
        if (a[0] === seen) extra++;
      }
      seen = a[0];
      if (a[2] === 1) return [answered, extra];
      answered++;
      a[1] = seen;
      cond.notify();
    }
  } finally {
    cond.release();
  }
}

describe("wake paths", () => {
  for (
    const [form, lockOf] of [["Lock", () => new Lock()], [
      "RLock",
      () => new RLock(),
    ]] as const
  ) {
    for (const async of [false, true]) {
      const wait = async ? "waitAsync" : "wait";
      it(`Condition ping-pong over a ${form}, ${wait} here and wait in a thread: ${ROUNDS} round trips, every ping answered once, no wait times out or returns true without its notify`, async () => {
        const cond = new Condition(lockOf());
        const a = new Int32Array(new SharedArrayBuffer(12)); // PING, PONG, STOP
        const peer = new Thread({ target: conditionPeer, args: [cond, a] });
        peer.start();
        let timedOut = 0, extra = 0;
        for (let i = 1; i <= ROUNDS; i++) {
          if (async) await cond.acquireAsync();
          else cond.acquire();
          try {
            a[0] = i;
            cond.notify();
            while (a[1] !== i) {
              const got = async
                ? await cond.waitAsync({ timeout: 10_000 })
                : cond.wait({ timeout: 10_000 });
              if (!got) timedOut++;
              if (timedOut > 0) throw new Error(`round ${i}: no pong`);
              if (a[1] !== i) extra++; // true without the pong
            }
          } finally {
            cond.release();
          }
        }
        cond.acquire();
        a[2] = 1;
        a[0] = ROUNDS + 1;
        cond.notify();
        cond.release();
        assert.deepEqual(await peer.joinAsync(JOIN), [ROUNDS, 0]);
        assert.equal(timedOut, 0);
        assert.equal(extra, 0);
        assert.equal(a[1], ROUNDS);
      });
    }
  }

  it("Condition: 3 threads pass a token round a ring with notifyAll (woken waiters that find no permit of theirs sleep again); every pass exact", async () => {
    // Each thread waits until TOKEN names it, passes it on and notifies
    // everyone: two of the three woken find the token not theirs and wait
    // again, and permits are taken by whichever woken waiter comes first.
    const cond = new Condition(new Lock());
    const a = new Int32Array(new SharedArrayBuffer(16)); // TOKEN, PASSES[3]
    const PASSES = 3_000;
    const member = (cond: Condition, a: Int32Array, me: number, n: number) => {
      cond.acquire();
      try {
        for (let k = 0; k < n; k++) {
          while (Atomics.load(a, 0) !== me) {
            if (!cond.wait({ timeout: 10_000 })) {
              throw new Error(`member ${me}: no token at pass ${k}`);
            }
          }
          a[1 + me]++;
          Atomics.store(a, 0, (me + 1) % 3);
          cond.notifyAll();
        }
        return a[1 + me];
      } finally {
        cond.release();
      }
    };
    const threads = [0, 1, 2].map((me) =>
      new Thread({ target: member, args: [cond, a, me, PASSES] })
    );
    for (const t of threads) t.start();
    const results = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(results, [PASSES, PASSES, PASSES]);
    assert.equal(Atomics.load(a, 0), 0); // 3 * PASSES passes: back at 0
  });

  it("Condition: notifyAll() with 4 waiting threads, 300 rounds: every waiter wakes every round (permits > 1: the guessed take retries with the count)", async () => {
    const cond = new Condition(new Lock());
    // ROUND (main), ARRIVED (waiters, under the lock), WOKEN (waiters).
    const a = new Int32Array(new SharedArrayBuffer(12));
    const R = 300, W = 4;
    const waiterLoop = (cond: Condition, a: Int32Array, rounds: number) => {
      let woken = 0;
      cond.acquire();
      try {
        for (let r = 1; r <= rounds; r++) {
          a[1]++;
          cond.notifyAll(); // tells main one more arrived (main waits too)
          while (a[0] < r) {
            if (!cond.wait({ timeout: 10_000 })) {
              throw new Error(`no round ${r}`);
            }
          }
          woken++;
        }
        return woken;
      } finally {
        cond.release();
      }
    };
    const threads = Array.from(
      { length: W },
      () => new Thread({ target: waiterLoop, args: [cond, a, R] }),
    );
    for (const t of threads) t.start();
    cond.acquire();
    try {
      for (let r = 1; r <= R; r++) {
        while (a[1] < r * W) {
          assert.equal(cond.wait({ timeout: 10_000 }), true);
        }
        a[0] = r;
        cond.notifyAll();
      }
    } finally {
      cond.release();
    }
    const results = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(results, Array(W).fill(R));
    assert.equal(a[1], R * W);
  });

  it(`Event.waitAsync ping-pong with a thread that waits blocking: ${ROUNDS} round trips, each answered once; the boolean of each form`, async () => {
    const ping = new Event(), pong = new Event();
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const peer = new Thread({
      target: (ping: Event, pong: Event, stop: Int32Array) => {
        let answered = 0;
        for (;;) {
          if (!ping.wait({ timeout: 10_000 })) throw new Error("no ping");
          ping.clear();
          if (Atomics.load(stop, 0) === 1) return answered;
          answered++;
          pong.set();
        }
      },
      args: [ping, pong, stop],
    });
    peer.start();
    let late = 0;
    for (let i = 0; i < ROUNDS; i++) {
      ping.set();
      if (!await pong.waitAsync({ timeout: 10_000 })) late++;
      if (late > 0) throw new Error(`round ${i}: no pong`);
      pong.clear();
    }
    Atomics.store(stop, 0, 1);
    ping.set();
    assert.equal(await peer.joinAsync(JOIN), ROUNDS);
    // The forms that need no sleep resolve with the right boolean.
    assert.equal(await pong.waitAsync({ timeout: 0 }), false);
    pong.set();
    assert.equal(await pong.waitAsync({ timeout: 0 }), true);
    assert.equal(await pong.waitAsync(), true);
    pong.clear();
    // A pending wait that a set-then-clear ends returns true.
    const pending = pong.waitAsync({ timeout: 10_000 });
    pong.set();
    pong.clear();
    assert.equal(await pending, true);
    assert.equal(await pong.waitAsync({ timeout: 5 }), false);
  });
});
