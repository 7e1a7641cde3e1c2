// Copyright 2026 the threadkit authors. MIT license.
// A Timer passed to another thread (in args, inside a queue item) arrives
// there as a Timer over the same cancel word: its cancel() is Timer.cancel,
// and cancelled, finished and join() work from that side.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, Thread, Timer } from "../../mod.ts";
import { blockRefs } from "../../_core/heap.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { wordChanged } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };
// Far past every bound in these tests: only cancel() ends such a wait.
const HOUR = 3_600_000;

function wordOffset(timer: Timer): number {
  return (timer as unknown as { [TO_DESCRIPTOR](): { byteOffset: number } })
    [TO_DESCRIPTOR]().byteOffset;
}

describe("Timer passed to another thread", () => {
  it("Timer in args: cancel() there before it fires stops it; the target never runs", async () => {
    const ran = new Int32Array(new SharedArrayBuffer(4));
    const timer = new Timer(HOUR, (ran: Int32Array) => {
      Atomics.add(ran, 0, 1);
      return "ran";
    }, [ran]);
    timer.start();
    const other = new Thread({
      target: (t: Timer) => {
        const before = [
          t instanceof Timer,
          t.interval,
          t.cancelled,
          t.finished,
        ];
        t.cancel();
        return [...before, t.cancelled, t.finished, t.ident, t.target, t.args];
      },
      args: [timer],
    });
    other.start();
    assert.deepEqual(await other.joinAsync(JOIN), [
      true,
      HOUR,
      false,
      false,
      true,
      true,
      timer.ident,
      undefined, // functions do not travel
      [],
    ]);
    assert.equal(await timer.joinAsync(JOIN), undefined);
    assert.equal(timer.isAlive(), false, "the cancel ended the wait");
    assert.equal(ran[0], 0);
    assert.equal(timer.cancelled, true);
    assert.equal(timer.finished, true);
  });

  it("Timer inside a queue item: cancel() by the thread that gets it stops it", async () => {
    const ran = new Int32Array(new SharedArrayBuffer(4));
    const timer = new Timer(HOUR, (ran: Int32Array) => {
      Atomics.add(ran, 0, 1);
    }, [ran]);
    timer.start();
    const q = new Queue<{ label: string; timer: Timer }>({ capacity: 2 });
    const other = new Thread({
      target: (q: Queue<{ label: string; timer: Timer }>) => {
        const { label, timer } = q.get({ timeout: 30_000 });
        timer.cancel();
        return [label, timer instanceof Timer, timer.cancelled];
      },
      args: [q],
    });
    other.start();
    q.put({ label: "stop it", timer });
    assert.deepEqual(await other.joinAsync(JOIN), ["stop it", true, true]);
    assert.equal(await timer.joinAsync(JOIN), undefined);
    assert.equal(ran[0], 0);
    assert.equal(timer.cancelled, true);
  });

  it("Timer.cancel() from another thread after it fired changes nothing", async () => {
    const flags = new Int32Array(new SharedArrayBuffer(8)); // [started, go]
    const timer = new Timer(0, (flags: Int32Array) => {
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      Atomics.wait(flags, 1, 0, 20_000); // until the other thread cancelled
      return "finished";
    }, [flags]);
    timer.start();
    assert.ok(await wordChanged(flags, 0, 0), "the target started");
    const other = new Thread({
      target: (t: Timer, flags: Int32Array) => {
        t.cancel();
        const seen = [t.cancelled, t.finished, t.isAlive()];
        Atomics.store(flags, 1, 1);
        Atomics.notify(flags, 1);
        return seen;
      },
      args: [timer, flags],
    });
    other.start();
    assert.deepEqual(await other.joinAsync(JOIN), [false, false, true]);
    assert.equal(await timer.joinAsync(JOIN), "finished");
    assert.equal(timer.cancelled, false);
  });

  it("Timer.join()/joinAsync() and finished from another thread see its end", async () => {
    const go = new Int32Array(new SharedArrayBuffer(4));
    const timer = new Timer(0, (go: Int32Array) => {
      Atomics.wait(go, 0, 0, 20_000); // until the joiner has looked
      return 42;
    }, [go]);
    timer.start();
    const other = new Thread({
      target: async (t: Timer, go: Int32Array) => {
        const early = [t.finished, t.join({ timeout: 0 })];
        Atomics.store(go, 0, 1);
        Atomics.notify(go, 0);
        const joined = t.join({ timeout: 30_000 });
        return [
          ...early,
          joined,
          t.finished,
          t.isAlive(),
          t.result, // the result goes to the starting thread only
          await t.joinAsync({ timeout: 30_000 }),
        ];
      },
      args: [timer, go],
    });
    other.start();
    assert.deepEqual(await other.joinAsync(JOIN), [
      false,
      false,
      true,
      true,
      false,
      undefined,
      undefined,
    ]);
    assert.equal(await timer.joinAsync(JOIN), 42);
  });

  it("Timer sent back to its starting thread arrives as the same object", async () => {
    const timer = new Timer(HOUR, () => 1);
    timer.start();
    const other = new Thread({ target: (t: Timer) => t, args: [timer] });
    other.start();
    try {
      assert.equal(await other.joinAsync(JOIN), timer);
    } finally {
      timer.cancel();
    }
    assert.equal(await timer.joinAsync(JOIN), undefined);
  });

  it("Timer's word is held for its thread while it waits (a heap reference each)", async () => {
    const timer = new Timer(HOUR, () => 1);
    timer.start();
    const at = wordOffset(timer);
    // The Timer's own, and its thread's (in flight in its args, then the
    // thread's handle once it decoded them: 2 either way).
    assert.equal(blockRefs(at), 2);
    const other = new Thread({
      target: (t: Timer) => t.cancel(),
      args: [timer],
    });
    other.start();
    await other.joinAsync(JOIN);
    assert.equal(await timer.joinAsync(JOIN), undefined);
    assert.ok(blockRefs(at) >= 1, "never freed under a live Timer");
  });

  it("Timer cancelled from another thread while it fires: exactly one of run or cancel, every time", async () => {
    const N = 12;
    const ran = new Int32Array(new SharedArrayBuffer(4 * N));
    const timers = Array.from(
      { length: N },
      (_, i) =>
        new Timer(i % 4, (ran: Int32Array, i: number) => {
          Atomics.add(ran, i, 1);
          return i;
        }, [ran, i]),
    );
    for (const t of timers) t.start();
    const canceller = new Thread({
      target: (timers: Timer[]) => {
        for (const t of timers) t.cancel();
        return timers.map((t) => t.cancelled);
      },
      args: [timers],
    });
    canceller.start();
    const seen = await canceller.joinAsync(JOIN) as boolean[];
    let cancelled = 0;
    for (let i = 0; i < N; i++) {
      const result = await timers[i].joinAsync(JOIN);
      const c = timers[i].cancelled;
      assert.equal(seen[i], c, `timer ${i}: both sides agree`);
      assert.equal(ran[i] + (c ? 1 : 0), 1, `timer ${i}: ran xor cancelled`);
      assert.equal(result, c ? undefined : i);
      if (c) cancelled++;
    }
    assert.equal(cancelled + ran.reduce((a, b) => a + b, 0), N);
  });
});
