// Copyright 2026 the threadkit authors. MIT license.
// An executor's close (shutdown, a broken pool) against the submits in
// flight (pool/_close.ts): a close waits for the submits already past their
// STATE check, and with cancelFutures takes back the tasks handed to a
// parked pool thread that has not taken them yet; submits racing
// shutdown({ cancelFutures: true }) are each refused, cancelled, or run
// exactly once, never both.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  CancelledError,
  Event,
  moduleTarget,
  Queue,
  RuntimeError,
  Thread,
  ThreadPoolExecutor,
} from "../../mod.ts";
import { endIdent, identStopped, runtime } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { Pool } from "../../pool/_pool.ts";
import { handOff, MAIL, PARKED, WOKEN } from "../../pool/_park.ts";
import {
  ABORT,
  Block,
  CANCELLED,
  EMPTY,
  GATED,
  HEAD_COUNT,
  QUEUED,
  R_PARK,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  TAG,
} from "../../pool/_layout.ts";
import type * as gate from "../_workers/pool_gate.ts";
import type * as tasks from "../_workers/pool_tasks.ts";
import { blocker, within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

const GATE = new URL("../_workers/pool_gate.ts", import.meta.url);
const TASKS = new URL("../_workers/pool_tasks.ts", import.meta.url).href;

/** A pool with no threads, and slot `s` written and QUEUED by this thread. */
function queuedSlot(): { p: Pool; s: number } {
  const p = Pool.create({ maxWorkers: 2, maxQueue: 4, taskBytes: 8 });
  const { v } = p.b, s = p.free.getNowait(), base = p.b.slot(s);
  v[base + S_OENTRY] = runtime().entry;
  v[base + S_OIDENT] = runtime().ident;
  Atomics.store(v, base + S_STATE, QUEUED);
  return { p, s };
}

/** The top of this thread's completion stack, which is emptied. */
function popHead(p: Pool): number {
  return Atomics.exchange(p.b.v, p.b.head(runtime().entry), EMPTY);
}

describe("executor close against submits in flight", () => {
  it("shutdown({ cancelFutures }) takes back a task handed to a parked pool thread that has not taken it", () => {
    const { p, s } = queuedSlot(), { v } = p.b;
    const park = p.b.record(0) + R_PARK;
    Atomics.store(v, park, PARKED);
    assert.equal(handOff(p.b, s, Atomics.load(v, p.b.slot(s) + S_STATE)), true);
    p.stop({ cancelFutures: true, wait: false });
    assert.equal(Atomics.load(v, park), WOKEN);
    assert.equal(
      Atomics.load(v, p.b.slot(s) + S_STATE),
      TAG | CANCELLED | ABORT,
    ); // settled unrun: next tag, marked
    assert.equal(popHead(p), s); // pushed to its owner, as a queued one is
  });

  it("shutdown() without cancelFutures leaves a handed task to its pool thread", () => {
    const { p, s } = queuedSlot(), { v } = p.b;
    const park = p.b.record(1) + R_PARK;
    Atomics.store(v, park, PARKED);
    assert.equal(handOff(p.b, s, Atomics.load(v, p.b.slot(s) + S_STATE)), true);
    p.stop({ wait: false });
    assert.equal(Atomics.load(v, park), s + MAIL);
    assert.equal(Atomics.load(v, p.b.slot(s) + S_STATE), QUEUED);
    assert.equal(popHead(p), EMPTY);
  });

  it("shutdown({ cancelFutures }) waits for a submit past its STATE check, then cancels its hand-off", async () => {
    const { p, s } = queuedSlot(), { v } = p.b;
    const park = p.b.record(0) + R_PARK;
    Atomics.store(v, park, PARKED);
    const ready = new Event();
    const t = new Thread({
      target: moduleTarget<typeof gate.handOffInGate>(GATE, "handOffInGate"),
      args: [p.b.buffer, ready, s],
    });
    t.start();
    // Until the thread stands in its gate.
    assert.equal(await ready.waitAsync({ timeout: 30_000 }), true);
    // Blocks until the thread has handed the slot over and left its gate;
    // only then drains, so the hand-off is cancelled, not run.
    p.stop({ cancelFutures: true, wait: false });
    assert.equal(await within(t.joinAsync({ timeout: 30_000 })), true);
    assert.equal(Atomics.load(v, park), WOKEN);
    assert.equal(
      Atomics.load(v, p.b.slot(s) + S_STATE),
      TAG | CANCELLED | ABORT,
    ); // settled unrun: next tag, marked
    assert.equal(popHead(p), s);
  });

  it("shutdown({ cancelFutures }) waits for a submit in the shared gate count (its entry's gate word was taken)", async () => {
    const { p, s } = queuedSlot(), { v } = p.b;
    const park = p.b.record(0) + R_PARK;
    Atomics.store(v, park, PARKED);
    const ready = new Event();
    const t = new Thread({
      target: moduleTarget<typeof gate.handOffInGate>(GATE, "handOffInGate"),
      args: [p.b.buffer, ready, s, true],
    });
    t.start();
    assert.equal(await ready.waitAsync({ timeout: 30_000 }), true);
    p.stop({ cancelFutures: true, wait: false });
    assert.equal(await within(t.joinAsync({ timeout: 30_000 })), true);
    assert.equal(Atomics.load(v, GATED), 0);
    assert.equal(Atomics.load(v, park), WOKEN);
    assert.equal(
      Atomics.load(v, p.b.slot(s) + S_STATE),
      TAG | CANCELLED | ABORT,
    ); // settled unrun: next tag, marked
    assert.equal(popHead(p), s);
  });

  it("ThreadPoolExecutor.submit() whose entry's gate word is taken goes through the shared gate count", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const { buffer } = pool[TO_DESCRIPTOR]();
    const v = new Int32Array(buffer as SharedArrayBuffer);
    const b = new Block(buffer as SharedArrayBuffer);
    const at = b.gate(runtime().entry);
    // Held by an ended thread's leftover work on this entry, say.
    Atomics.store(v, at, 0x7ffffff0);
    assert.equal(await within(pool.submit((x: number) => x + 1, 1)), 2);
    assert.equal(pool.submit((x: number) => x * 2, 4).result(), 8);
    assert.equal(Atomics.load(v, at), 0x7ffffff0); // not ours to clear
    assert.equal(Atomics.load(v, GATED), 0);
    Atomics.store(v, at, 0);
  });

  it("shutdown() clears a gate left by a thread that stopped without a record, once", () => {
    const { p } = queuedSlot(), { v } = p.b;
    // An entry no thread uses, naming an ident that never lived.
    const at = p.b.gate(HEAD_COUNT - 1);
    Atomics.store(v, at, 0x7ffffff1);
    p.stop({ wait: false }); // waits GATE_ENDED_MS (1 s) for it, then clears it
    assert.equal(Atomics.load(v, at), 0);
  });

  it("shutdown({ cancelFutures }) waits for a submit made by leftover work of a thread whose target returned (ended is not stopped)", async () => {
    const { p, s } = queuedSlot(), { v } = p.b;
    const park = p.b.record(1) + R_PARK;
    Atomics.store(v, park, PARKED);
    const ready = new Event(), done = new Event(), hold = new Event();
    const t = new Thread({
      target: moduleTarget<typeof gate.handOffInGateAfterReturn>(
        GATE,
        "handOffInGateAfterReturn",
      ),
      args: [p.b.buffer, ready, s, done, hold],
    });
    t.start();
    try {
      // The target has returned (its entry is freed) ...
      await within(t.joinAsync({ timeout: 30_000 }));
      assert.equal(t.isAlive(), false);
      // ... and its leftover work stands in its gate.
      assert.equal(await ready.waitAsync({ timeout: 30_000 }), true);
      p.stop({ cancelFutures: true, wait: false });
      assert.equal(await done.waitAsync({ timeout: 30_000 }), true);
      assert.equal(Atomics.load(v, park), WOKEN);
      assert.equal(
        Atomics.load(v, p.b.slot(s) + S_STATE),
        TAG | CANCELLED | ABORT,
      ); // settled unrun: next tag, marked
      assert.equal(popHead(p), s);
    } finally {
      hold.set(); // the child ends, then the thread's worker
    }
  });
});

// A racing submitter: submits `burst` tasks at a time (1: the direct
// hand-off path; more: the queue) and waits for them, until a submit is
// refused; it returns one code per task it submitted: 1 ran (with the right
// value), 2 cancelled, 9 wrong.
function racer(
  pool: ThreadPoolExecutor,
  url: string,
  base: number,
  cap: number,
  burst: number,
  progress: Int32Array,
  k: number,
  ready: Barrier,
): { codes: number[]; refused: boolean } {
  ready.wait({ timeout: 60_000 }); // both racers and the main thread
  const item = moduleTarget<(i: number) => number>(url, "stressItem");
  const codes: number[] = [];
  let refused = false, n = 0;
  while (!refused && n < cap) {
    const fs = [];
    for (let j = 0; j < burst && n < cap; j++) {
      try {
        fs.push(pool.submit(item, base + n));
      } catch (error) {
        if (!(error instanceof RuntimeError)) throw error;
        refused = true;
        break;
      }
      n++;
      Atomics.add(progress, k, 1);
    }
    for (let j = 0; j < fs.length; j++) {
      const id = base + codes.length;
      try {
        codes.push(fs[j].result({ timeout: 60_000 }) === id * 2 + 1 ? 1 : 9);
      } catch (error) {
        codes.push(error instanceof CancelledError ? 2 : 9);
      }
    }
  }
  return { codes, refused };
}

describe("ThreadPoolExecutor submit racing shutdown", () => {
  it("ThreadPoolExecutor: submits racing shutdown({ cancelFutures: true }) are each refused, cancelled or run exactly once, never both", async () => {
    const ROUNDS = 8, CAP = 100_000, BURSTS = [1, 64];
    let ran = 0, cancelled = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const runs = new Int32Array(new SharedArrayBuffer(4 * CAP * 2));
      const progress = new Int32Array(new SharedArrayBuffer(8));
      const ready = new Barrier(BURSTS.length + 1);
      const pool = new ThreadPoolExecutor({
        maxWorkers: 2,
        initializer: moduleTarget<typeof tasks.stressInit>(TASKS, "stressInit"),
        initArgs: [runs],
      });
      const racers = BURSTS.map((burst, k) =>
        new Thread({
          target: racer,
          args: [pool, TASKS, k * CAP, CAP, burst, progress, k, ready],
          name: `racer-${k}`,
        })
      );
      // Odd rounds: both pool threads are held in a blocker while the racers
      // submit, so their tasks are queued when the shutdown comes (cancelled
      // for certain); even rounds race freely.
      const hold = r % 2 === 1;
      const release = new Event();
      const started = [new Event(), new Event()];
      const blocked = hold
        ? started.map((s) => pool.submit(blocker, release, s))
        : [];
      for (const s of hold ? started : []) {
        assert.equal(await s.waitAsync({ timeout: 30_000 }), true);
      }
      for (const t of racers) t.start();
      await ready.waitAsync({ timeout: 60_000 }); // throws if it breaks
      // Shut down once every racer has submitted a few (a different number
      // each round; one each while the pool threads are held), watched on
      // the shared progress words.
      const want = hold ? 1 : 1 + (r * 7) % 23;
      const until = performance.now() + 60_000;
      while (
        BURSTS.some((_, k) => Atomics.load(progress, k) < want) &&
        performance.now() < until
      ) await new Promise((resolve) => setTimeout(resolve, 0));
      if (hold) {
        pool.shutdown({ cancelFutures: true, wait: false });
        release.set();
        await within(pool.shutdownAsync());
        assert.deepEqual(await within(Promise.all(blocked)), [
          "released",
          "released",
        ]);
      } else pool.shutdown({ cancelFutures: true });
      // Every pool thread has ended: no task runs from here on.
      const frozen = runs.slice();
      for (let k = 0; k < BURSTS.length; k++) {
        const rep = await within(
          racers[k].joinAsync({ timeout: 60_000 }),
          70_000,
        );
        assert.equal(rep.refused, true, "a racer was never refused");
        const base = k * CAP;
        rep.codes.forEach((code, i) => {
          const id = base + i;
          if (code === 1) {
            ran++;
            assert.equal(frozen[id], 1, `task ${id} ran, ${frozen[id]} runs`);
          } else {
            assert.equal(code, 2, `task ${id}: wrong value or error`);
            cancelled++;
            assert.equal(frozen[id], 0, `task ${id} cancelled, yet ran`);
          }
        });
        // Nothing past the refused submit ran.
        const after = frozen.subarray(base + rep.codes.length, base + CAP);
        assert.equal(after.findIndex((x) => x !== 0), -1);
      }
      assert.equal(runs.findIndex((x, i) => x !== frozen[i]), -1);
    }
    // Both outcomes happened: tasks ran in the free rounds (the one-at-a-time
    // racer waits for each result before its next submit), and the held
    // rounds' queued tasks were cancelled.
    assert.ok(ran > 0, "no task ran");
    assert.ok(cancelled > 0, "no task was cancelled");
  });
});

// The initializer: arms the stall of the first get from the task queue.
function armGet(w: Int32Array): void {
  (globalThis as Record<symbol, unknown>)[
    Symbol.for("threadkit.test.stallBeforeGet")
  ] = w;
}

describe("ThreadPoolExecutor: a draining close and a pool thread that ended while it held the task queue's turn (TAKER)", () => {
  it("shutdown({ cancelFutures }) takes the turn over from it at once (no stop needed): every queued task is cancelled exactly once, none runs", async () => {
    const w = new Int32Array(new SharedArrayBuffer(16));
    Atomics.store(w, 0, 1);
    const ran = new Queue<number>({ capacity: 8, type: "int32" });
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: armGet,
      initArgs: [w],
    });
    try {
      // Queued before the pool thread is ready: it takes from the queue.
      const futures = [0, 1, 2].map((i) =>
        pool.submit(
          (ran: Queue<number>, i: number) => {
            ran.put(i, { timeout: 30_000 });
            return i;
          },
          ran,
          i,
        )
      );
      const end = performance.now() + 30_000;
      while (Atomics.load(w, 1) === 0) {
        assert.ok(performance.now() < end, "the pool thread never took");
        await new Promise((r) => setTimeout(r, 5));
      }
      const stale = Atomics.load(w, 1);
      // Its entry ends; its JavaScript runs on, stalled holding TAKER
      // between its peek and its get. In the same turn (no maintain runs
      // in between): the draining close.
      assert.ok(endIdent(stale));
      pool.shutdown({ cancelFutures: true, wait: false });
      // Its get now finds the queue shut and empty: it leaves.
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
      for (const f of futures) {
        await assert.rejects(within(f), { name: "CancelledError" });
      }
      assert.deepEqual(futures.map((f) => f.cancelled()), [true, true, true]);
      await until(
        () => identStopped(stale) !== undefined,
        "the stalled thread's stop",
        30_000,
      );
      assert.equal(ran.qsize(), 0, "no cancelled task ran");
    } finally {
      Atomics.store(w, 2, 1);
      Atomics.notify(w, 2);
      await within(pool.shutdownAsync());
    }
  });
});
