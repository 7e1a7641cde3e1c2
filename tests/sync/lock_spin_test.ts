// Copyright 2026 the threadkit authors. MIT license.
// Lock's adaptive spin (sync/_spin.ts): the budget's rules, and mutual
// exclusion with real threads while budgets move both ways (hot loops that
// drive them down, pauses outside the lock that let spins win and raise
// them, probes at budget 0), over Lock and RLock (whose inner Lock spins).
// The back-off after a wait that did not sleep (sync/_spin.ts, "The
// back-off"): its length, and hot loops (where nearly every wait returns
// "not-equal" and pauses) with untimed, timed and signalled acquires.
// Exact counts; every acquire bounded.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lock, RLock, Thread } from "../../mod.ts";
import {
  lost,
  pause,
  PAUSE_TURNS,
  PROBE_EVERY,
  PROBE_LOADS,
  SPIN_MAX,
  SPIN_START,
  TRADE_MS,
  won,
} from "../../sync/_spin.ts";

const JOIN = { timeout: 120_000 };

/**
 * Does `pairs` acquire/increment/release pairs on `lock`, in bursts of
 * `burst` pairs separated by `pause` iterations of work outside the lock;
 * every `timedEvery`-th acquire takes a timeout (a false return throws).
 * COUNTER (word 0) is incremented with a plain read and write, so a second
 * holder loses increments; word 1 + id counts this thread's pairs.
 */
function member(
  lock: { acquire(o?: { timeout?: number }): boolean; release(): void },
  a: Int32Array,
  id: number,
  pairs: number,
  burst: number,
  pause: number,
  timedEvery: number,
): number {
  let sink = 0;
  for (let i = 0; i < pairs; i++) {
    const timed = timedEvery > 0 && i % timedEvery === 0;
    if (timed ? !lock.acquire({ timeout: 30_000 }) : !lock.acquire()) {
      throw new Error(`member ${id}: no lock within 30 s at pair ${i}`);
    }
    a[0] = a[0] + 1;
    a[1 + id] = a[1 + id] + 1;
    lock.release();
    if (pause > 0 && i % burst === burst - 1) {
      for (let j = 0; j < pause; j++) sink = (sink * 31 + j) | 0;
    }
  }
  (globalThis as { sink?: number }).sink = sink; // the pause loop is used
  return a[1 + id];
}

describe("Lock adaptive spin", () => {
  it("the budget: a win adds one up to SPIN_MAX, a win within TRADE_MS of the last and a loss halve it down to 0; probes are rare and short", () => {
    assert.equal(won(0, Infinity), 1);
    assert.equal(won(SPIN_START, Infinity), SPIN_START + 1);
    assert.equal(won(SPIN_START, TRADE_MS), SPIN_START + 1);
    assert.equal(won(SPIN_MAX, Infinity), SPIN_MAX);
    assert.equal(won(SPIN_MAX - 1, 1), SPIN_MAX);
    assert.equal(won(SPIN_START, TRADE_MS / 2), SPIN_START >> 1);
    assert.equal(won(SPIN_MAX, 0), SPIN_MAX >> 1);
    assert.equal(won(0, 0), 0);
    let b = SPIN_MAX, losses = 0;
    while (b > 0) {
      b = lost(b);
      losses++;
    }
    assert.equal(losses, 7); // 100 50 25 12 6 3 1 0
    assert.equal(lost(0), 0);
    assert.equal(PROBE_EVERY & (PROBE_EVERY - 1), 0, "a power of two");
    assert.ok(PROBE_LOADS > 0 && PROBE_LOADS < SPIN_START);
    assert.ok(SPIN_START > 0 && SPIN_START <= SPIN_MAX);
  });

  it("the back-off: a pause is PAUSE_TURNS turns, a positive integer, and ends", () => {
    assert.ok(Number.isInteger(PAUSE_TURNS) && PAUSE_TURNS > 0);
    assert.equal(pause(), undefined);
    assert.equal(pause(0), undefined);
  });

  for (
    const [form, make] of [
      ["Lock", () => new Lock()],
      ["RLock", () => new RLock()],
    ] as const
  ) {
    it(`${form}: 3 hot loops (untimed, timed, with a signal), 3 x 100,000 pairs: every pair counted once`, async () => {
      const lock = make();
      const a = new Int32Array(new SharedArrayBuffer(4 * 8));
      const PAIRS = 100_000;
      // Hot loops (no work outside the lock): the waiter's waits mostly
      // return "not-equal" and it backs off. One member gives every
      // acquire a timeout, one a signal, so their waits take the deadline
      // and signal checks between pauses.
      const hot = (
        lock: { acquire(o?: object): boolean; release(): void },
        a: Int32Array,
        id: number,
        pairs: number,
        form: "untimed" | "timed" | "signal",
      ): number => {
        const signal = form === "signal"
          ? AbortSignal.timeout(60_000)
          : undefined;
        for (let i = 0; i < pairs; i++) {
          const got = form === "untimed"
            ? lock.acquire()
            : lock.acquire({ timeout: 30_000, signal });
          if (!got) throw new Error(`member ${id}: no lock in 30 s at ${i}`);
          a[0] = a[0] + 1;
          a[1 + id] = a[1 + id] + 1;
          lock.release();
        }
        return a[1 + id];
      };
      const forms = ["untimed", "timed", "signal"] as const;
      const threads = forms.map((f, id) =>
        new Thread({ target: hot, args: [lock, a, id, PAIRS, f] })
      );
      for (const t of threads) t.start();
      const counts = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
      assert.deepEqual(counts, [PAIRS, PAIRS, PAIRS]);
      assert.equal(a[0], 3 * PAIRS);
      assert.equal(lock.locked(), false);
    });
  }

  for (
    const [form, make] of [
      ["Lock", () => new Lock()],
      ["RLock", () => new RLock()],
    ] as const
  ) {
    it(`${form}: 4 threads, hot loops and paused bursts, 4 x 40,000 pairs: no increment lost, every pair counted`, async () => {
      const lock = make();
      const a = new Int32Array(new SharedArrayBuffer(4 * 8));
      const PAIRS = 40_000;
      // Two hot loops (budgets fall), two with pauses outside the lock
      // (spins find it free), one of them with timed acquires.
      const shapes: [number, number, number][] = [
        [PAIRS, 0, 0],
        [PAIRS, 0, 0],
        [50, 2_000, 7],
        [10, 20_000, 0],
      ];
      const threads = shapes.map(([burst, pause, timedEvery], id) =>
        new Thread({
          target: member,
          args: [lock, a, id, PAIRS, burst, pause, timedEvery],
        })
      );
      for (const t of threads) t.start();
      const counts = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
      assert.deepEqual(counts, [PAIRS, PAIRS, PAIRS, PAIRS]);
      assert.equal(a[0], 4 * PAIRS);
      assert.equal(lock.locked(), false);
    });
  }
});
