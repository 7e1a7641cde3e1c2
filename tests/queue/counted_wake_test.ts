// Copyright 2026 the threadkit authors. MIT license.
// Counted wakes (queue/_state.ts): GET_WAITERS counts the getters registered
// that no wake has reached; a put's wake takes the getters its notify woke
// off the count, so puts after it do not notify getters that are awake but
// not yet run. These tests read the header word (slot 3, queue/_layout.ts)
// and count the main thread's notifies of NOT_EMPTY (slot 64) with
// Atomics.notify wrapped, restored in a finally.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, Queue, QueueEmptyError, Thread } from "../../mod.ts";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { until } from "../_helpers.ts";
import { notifiesOf, othersOff, startFlagged } from "./_flagged.ts";

const GET_WAITERS = 3;
const NOT_EMPTY = 64;
const JOIN = { timeout: 60_000 };
// A getter's sleep on NOT_EMPTY in the burst test: until a notify, or this
// long (a lost wake would cost that much: the wait helper's look at the
// slice end then finds NOT_EMPTY bumped; the test counts notifies, not
// lost wakes).
const SLICE = 20_000;
// Most rounds of the burst test (see there).
const ROUNDS = 5;

type Q = Queue<number> | LifoQueue<number>;

function header(
  q: { region: { buffer: SharedArrayBuffer; byteOffset: number } },
): Int32Array {
  return new Int32Array(q.region.buffer, q.region.byteOffset, 96);
}

const KINDS: [string, () => Q][] = [
  ["Queue (structured ring)", () => new Queue<number>({ capacity: 64 })],
  [
    "Queue int32 (numeric ring)",
    () => new Queue<number>({ capacity: 64, type: "int32" }),
  ],
  ["LifoQueue (locked store)", () => new LifoQueue<number>({ capacity: 64 })],
];

// Every getter of `flags` asleep (or just about to be) on NOT_EMPTY,
// `waits` times or more each, and `n` registered.
function asleep(h: Int32Array, flags: Int32Array, n: number, waits = 1) {
  return until(
    () => {
      if (Atomics.load(h, GET_WAITERS) !== n) return false;
      for (let i = 0; i < flags.length / 2; i++) {
        if (Atomics.load(flags, 2 * i) !== 1) return false;
        if (Atomics.load(flags, 2 * i + 1) < waits) return false;
      }
      return true;
    },
    `${n} getters asleep`,
    60_000,
  );
}

describe("Counted wakes", () => {
  for (const [name, make] of KINDS) {
    it(`${name}: a burst of 2C items to C sleeping getters wakes each once; the waker takes them off GET_WAITERS`, async () => {
      const C = 4;
      // Rounds whose first put's notify woke a getter: the first put can
      // show its effect on GET_WAITERS only there. A raised flag is a
      // getter about to sleep, not asleep yet (tests/queue/_flagged.ts), so
      // a round may find none asleep; it is then done again (each round's
      // other checks hold under any schedule).
      let measured = 0;
      for (let round = 0; round < ROUNDS && measured === 0; round++) {
        const q = make();
        const h = header(q);
        // Sleeps that no slice ends (SLICE): the count read after the first
        // put sees no getter between two slices of its wait. Before, one
        // kept off the cores there could be off the count (a LifoQueue
        // getter's re-try sleeps on the store's Lock off it) and the read
        // gave C - 3 under CI load.
        const { threads, flags, ends } = startFlagged(q, C, NOT_EMPTY, SLICE);
        try {
          await asleep(h, flags, C);
          let first = 0, firstWoke = 0;
          const seen = notifiesOf(NOT_EMPTY, () => {
            firstWoke = notifiesOf(NOT_EMPTY, () => q.put(0)).woke;
            first = Atomics.load(h, GET_WAITERS);
            for (let i = 1; i < 2 * C; i++) q.put(i);
          });
          const got = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
          // Exactly once each: C items taken, C left.
          const left: number[] = [];
          for (let i = 0; i < C; i++) left.push(q.get({ timeout: 1_000 }));
          assert.deepEqual(
            [...got as number[], ...left].sort((a, b) => a - b),
            Array.from({ length: 2 * C }, (_, i) => i),
          );
          // The other ways off GET_WAITERS than this thread's wakes.
          const others = othersOff(ends, C, seen.woke);
          // The first put's notify took the getter it woke off the count
          // before the put returned; getters that found NOT_EMPTY bumped
          // before they slept may have taken themselves off too (one that
          // raised its flag but had not yet slept, whose look can find the
          // item between the put's publish and its notify, which then wakes
          // another). The old count (no getter taken off by a put) reads C
          // less those.
          const state = JSON.stringify({ first, firstWoke, others, seen });
          assert.ok(
            first <= C - firstWoke && first >= C - firstWoke - others,
            state,
          );
          if (firstWoke >= 1) measured++;
          // No more wakes than items, and no notify once all were woken
          // (before: one a put while the woken had not run). A notify that
          // finds no one asleep is not one too many: a registered getter
          // kept off the cores between two slices of its wait stays
          // counted, and the next put notifies it again, as it must (seen
          // under Bun at load 30-80: 8 calls, 3 woke). So: no call after
          // the C-th wake.
          assert.ok(seen.woke <= C, state);
          let woken = 0, after = 0;
          for (const w of seen.each) {
            if (woken >= C) after++;
            woken += w;
          }
          assert.equal(after, 0, state);
          assert.ok(seen.calls <= C || seen.each.includes(0), state);
          assert.equal(Atomics.load(h, GET_WAITERS), 0);
        } finally {
          for (let i = 0; i < 2 * C; i++) {
            try {
              q.putNowait(-1); // stops the getters of a failed run
            } catch { /* full */ }
          }
          await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
        }
      }
      assert.equal(
        measured,
        1,
        `no getter asleep at the first put in ${ROUNDS} rounds`,
      );
    });
  }

  it("a getter that times out leaves GET_WAITERS as it found it", async () => {
    const q = new Queue<number>({ capacity: 4 });
    const h = header(q as never);
    const t = new Thread({
      target: (q: Queue<number>) => {
        try {
          return q.get({ timeout: 300 });
        } catch (error) {
          return (error as Error).constructor.name;
        }
      },
      args: [q],
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), QueueEmptyError.name);
    assert.equal(Atomics.load(h, GET_WAITERS), 0);
  });

  it("an aborted async get's flush of NOT_EMPTY is counted: a getter it woke is not counted twice", async () => {
    const q = new Queue<number>({ capacity: 8 });
    const h = header(q);
    const { threads: [t], flags } = startFlagged(q, 1, NOT_EMPTY);
    try {
      await asleep(h, flags, 1);
      const ac = new AbortController();
      const mine = q.getAsync({ signal: ac.signal }); // registers at once
      assert.equal(Atomics.load(h, GET_WAITERS), 2);
      let flush = { calls: 0, woke: 0 };
      flush = notifiesOf(NOT_EMPTY, () => ac.abort(new Error("stop")));
      await assert.rejects(mine, /stop/);
      // The flush woke this thread's waitAsync and (unless it was not yet
      // in the wait list) the thread's getter: taken off by the flush, that
      // one registered again. 1 either way (2 if the flush were not
      // counted and the getter did not take itself off).
      assert.ok(flush.woke >= 1, JSON.stringify(flush));
      await asleep(h, flags, 1, flush.woke >= 2 ? 2 : 1);
      assert.equal(Atomics.load(h, GET_WAITERS), 1);
      q.put(7);
      assert.equal(await t.joinAsync(JOIN), 7);
      assert.equal(Atomics.load(h, GET_WAITERS), 0);
    } finally {
      try {
        q.putNowait(-1);
      } catch { /* full */ }
      await t.joinAsync(JOIN);
    }
  });

  for (const old of [0x5175, 0x5176]) {
    it(
      `a queue header of an older waiting protocol (magic 0x${
        old.toString(16)
      }) is refused, not shared`,
      () => {
        // A copy of threadkit from before counted wakes (0x5175), or from
        // before the putters' counted wakes (0x5176), would subtract a woken
        // getter or putter twice (queue/_layout.ts MAGIC).
        const q = new Queue<number>({ capacity: 4 });
        const h = header(q);
        const d = q[TO_DESCRIPTOR]();
        assert.equal(Atomics.load(h, 0) >>> 16, 0x5177);
        assert.ok(reviveDescriptor(d) instanceof Queue);
        const kind = Atomics.load(h, 0);
        Atomics.store(h, 0, (old << 16) | (kind & 0xffff));
        assert.throws(() => reviveDescriptor(d), TypeError);
        Atomics.store(h, 0, kind);
      },
    );
  }
});
