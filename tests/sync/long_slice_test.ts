// Copyright 2026 the threadkit authors. MIT license.
// Async sleeps in long slices (_core/wait.ts, "Long slices"): an async wait
// with no slice end due soon waits with no timeout, and the thread's
// keep-alive tick ends it when its deadline comes within reach or its
// thread is cancelled. These check that such a wait still times out on
// time (never early), still wakes on its notify, still sees an abort and a
// cancel, and that the tick's notify (a spurious wake for other waiters on
// the word) costs them nothing but a wake.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CancelledError, Event, Thread } from "../../mod.ts";
import { sleepAsync, sleepOptions } from "../../_core/wait.ts";
import { longSleeps } from "../../_core/keep_alive.ts";
import { sleepAsync as ticketSleep } from "../../sync/_tickets.ts";
import { sleepers } from "../_helpers.ts";

const JOIN = { timeout: 20_000 };

describe("async sleeps in long slices", () => {
  it("Event.waitAsync({ timeout }) past the long-slice bound returns false, never before its timeout", async () => {
    const event = new Event();
    for (const timeout of [150, 260, 420]) {
      const t0 = performance.now();
      assert.equal(await event.waitAsync({ timeout }), false);
      const took = performance.now() - t0;
      assert.ok(took >= timeout - 1, `timeout ${timeout} ended at ${took} ms`);
    }
  });

  it("Event.waitAsync with a long timeout wakes on set() from a thread, and a second waiter with no timeout too", async () => {
    const buffer = new SharedArrayBuffer(8);
    const event = new Event({ buffer, byteOffset: 0 });
    const go = new Int32Array(buffer, 4, 1);
    const t = new Thread({
      target: (event: Event, go: Int32Array) => {
        // Set once the main thread says both waits are asleep.
        while (Atomics.load(go, 0) === 0) Atomics.wait(go, 0, 0, 20_000);
        event.set();
      },
      args: [event, go],
    });
    t.start();
    const a = event.waitAsync({ timeout: 60_000 });
    const b = event.waitAsync();
    await sleepers(new Int32Array(buffer, 0, 1), 0, 2);
    Atomics.store(go, 0, 1);
    Atomics.notify(go, 0);
    assert.deepEqual(await Promise.all([a, b]), [true, true]);
    await t.joinAsync(JOIN);
  });

  it("an abort ends a long-slice Event.waitAsync at once with the signal's reason", async () => {
    const event = new Event();
    const ac = new AbortController();
    const p = event.waitAsync({ signal: ac.signal, timeout: 60_000 });
    const q = event.waitAsync({ signal: new AbortController().signal });
    ac.abort(new Error("stop"));
    await assert.rejects(p, /stop/);
    // The other waiter, woken by the abort's flush, sleeps on.
    event.set();
    assert.equal(await q, true);
  });

  it("Thread.cancel() ends an Event.waitAsync() asleep in a long slice (no timeout) with CancelledError", async () => {
    const event = new Event(), ready = new Event();
    const t = new Thread({
      target: async (event: Event, ready: Event) => {
        // The wait is asleep before ready is set (waitAsync sleeps at once).
        const p = event.waitAsync();
        ready.set();
        return await p;
      },
      args: [event, ready],
    });
    t.start();
    assert.equal(await ready.waitAsync({ timeout: 20_000 }), true);
    // Nobody notifies the event: only the thread's tick can end the sleep.
    t.cancel();
    await assert.rejects(t.joinAsync(JOIN), CancelledError);
    assert.equal(event.isSet(), false);
  });

  it("the tick's notify that ends one thread's long slice leaves a blocking waiter on the same word asleep until set()", async () => {
    const buffer = new SharedArrayBuffer(8);
    const event = new Event({ buffer, byteOffset: 0 });
    const woke = new Int32Array(buffer, 4, 1);
    const t = new Thread({
      target: (event: Event, woke: Int32Array) => {
        const got = event.wait({ timeout: 20_000 });
        Atomics.store(woke, 0, 1);
        return got;
      },
      args: [event, woke],
    });
    t.start();
    await sleepers(new Int32Array(buffer, 0, 1), 0, 1);
    // Times out here after its slice was ended by this thread's tick,
    // whose notify woke the blocking waiter too.
    assert.equal(await event.waitAsync({ timeout: 300 }), false);
    assert.equal(Atomics.load(woke, 0), 0, "the blocking wait returned unset");
    event.set();
    assert.equal(await t.joinAsync(JOIN), true);
  });

  // A sleep whose word's notifies may be deferred and never issued
  // (Condition's wake hand-off, sync/_handoff.ts) must keep timed slices:
  // the mark deferredWakes says so, independently of the death check a
  // Condition sleep also carries.
  it("a deferredWakes sleep with no check and no timeout takes timed slices (never in longSleeps); an unmarked one takes a long slice", async () => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    const marked = sleepAsync(
      word,
      0,
      0,
      sleepOptions({}, "wait", undefined, undefined, true),
    );
    assert.equal(longSleeps.size, 0, "the marked sleep took a long slice");
    const plain = sleepAsync(word, 0, 0, sleepOptions({ timeout: 60_000 }));
    assert.equal(
      longSleeps.size,
      1,
      "the unmarked sleep (no check) should take a long slice",
    );
    Atomics.store(word, 0, 1);
    Atomics.notify(word, 0);
    assert.deepEqual(await Promise.all([marked, plain]), ["ok", "ok"]);
    assert.equal(longSleeps.size, 0);
  });

  it("the helper refuses a sleep both coarse and deferredWakes (a coarse sleep is always long)", async () => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    const s = {
      ...sleepOptions({}, "wait", undefined, undefined, true),
      coarse: true,
    };
    await assert.rejects(sleepAsync(word, 0, 0, s), TypeError);
    assert.equal(longSleeps.size, 0);
  });

  it("Condition's ticket sleep refuses a Sleep not marked deferredWakes before it sleeps", async () => {
    const words = new Int32Array(new SharedArrayBuffer(12));
    const unmarked = sleepOptions({ timeout: 60_000 }, "wait", () => {});
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      ticketSleep(words, 0, unmarked as any),
      /must be marked deferredWakes/,
    );
    assert.equal(longSleeps.size, 0);
  });
});
