// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, moduleTarget, Thread } from "../../mod.ts";
import { sleepers, until } from "../_helpers.ts";
import type * as programs from "../_workers/sync_programs.ts";
import { isPrime } from "../_workers/sync_programs.ts";

const PROGRAMS = new URL("../_workers/sync_programs.ts", import.meta.url);
const JOIN = { timeout: 30_000 };

describe("Event", () => {
  it("Event drives the seed's prime printer with two Events", async () => {
    const available = new Event(), printed = new Event();
    const s = new Int32Array(new SharedArrayBuffer(4 * 4096));
    const printer = new Thread({
      target: moduleTarget<typeof programs.eventPrinter>(
        PROGRAMS,
        "eventPrinter",
      ),
      args: [available, printed, s],
    });
    const finder = new Thread({
      target: moduleTarget<typeof programs.eventFinder>(
        PROGRAMS,
        "eventFinder",
      ),
      args: [available, printed, s],
    });
    printer.start();
    finder.start();
    await until(() => Atomics.load(s, 3) >= 40, "40 primes printed");
    // The seed's exit: raise the flag and set both events.
    Atomics.store(s, 2, 1);
    available.set();
    printed.set();
    await printer.joinAsync(JOIN);
    await finder.joinAsync(JOIN);
    const count = s[3];
    assert.ok(count >= 40, `printed ${count}`);
    const primes: number[] = [];
    for (let i = 1; primes.length < count; i++) if (isPrime(i)) primes.push(i);
    assert.deepEqual([...s.subarray(4, 4 + count)], primes);
  });

  it("Event.set() wakes blocking and async waiters together, in threads and here", async () => {
    const buffer = new SharedArrayBuffer(Event.byteLength);
    const event = new Event({ buffer, byteOffset: 0 });
    const waiters = [0, 1, 2, 3].map((i) =>
      new Thread({
        target: (event: Event, useAsync: boolean) =>
          useAsync
            ? event.waitAsync({ timeout: 20_000 })
            : event.wait({ timeout: 20_000 }),
        args: [event, i % 2 === 1],
      })
    );
    for (const t of waiters) t.start();
    const here = event.waitAsync({ timeout: 20_000 });
    await sleepers(new Int32Array(buffer), 0, 5); // four threads and here
    assert.equal(event.isSet(), false);
    const setter = new Thread({
      target: (event: Event) => event.set(),
      args: [event],
    });
    setter.start();
    await setter.joinAsync(JOIN);
    assert.equal(await here, true);
    const results = await Promise.all(waiters.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(results, [true, true, true, true]);
    assert.equal(event.isSet(), true);
  });

  it("Event.wait() returns the flag: false after the timeout, true at once when set, as often as asked (seed)", async () => {
    const buffer = new SharedArrayBuffer(Event.byteLength);
    const event = new Event({ buffer, byteOffset: 0 });
    assert.equal(event.wait({ timeout: 20 }), false);
    assert.equal(await event.waitAsync({ timeout: 20 }), false);
    const task1 = new Thread({
      target: (event: Event) =>
        [1, 2, 3].map(() => event.wait({ timeout: 20_000 })),
      args: [event],
    });
    task1.start();
    await sleepers(new Int32Array(buffer), 0, 1);
    event.set();
    event.set(); // no-op
    assert.deepEqual(await task1.joinAsync(JOIN), [true, true, true]);
    assert.equal(event.wait(), true);
    event.clear();
    event.clear(); // no-op
    assert.equal(event.isSet(), false);
  });

  it("Event.wait() returns true for a set() followed at once by clear()", async () => {
    const buffer = new SharedArrayBuffer(Event.byteLength);
    const event = new Event({ buffer, byteOffset: 0 });
    const t = new Thread({
      target: (event: Event) => event.wait({ timeout: 20_000 }),
      args: [event],
    });
    t.start();
    // Ordered by the event's own word: the thread sleeps in wait() (it has
    // read the flag), so the set() below is one it must see.
    await sleepers(new Int32Array(buffer), 0, 1);
    event.set();
    event.clear();
    assert.equal(await t.joinAsync(JOIN), true);
  });

  it("A blocking Event.wait({ timeout }) never ends before its timeout: past its first slice, and after spurious wakes in it", async () => {
    const event = new Event();
    // Longer than one 50 ms slice: the deadline is fixed when the first
    // slice runs out, without a clock read at the start (_core/wait.ts).
    const t0 = performance.now();
    assert.equal(event.wait({ timeout: 130 }), false);
    const ms = performance.now() - t0;
    assert.ok(ms >= 130 && ms < 130 + 2_000, `took ${ms} ms`);
    // A thread whose first slice is cut short by wakes that leave the word
    // unchanged (sleepers() notifies it): it sleeps again, and its deadline
    // still lies at least the full timeout after its call.
    const buffer = new SharedArrayBuffer(Event.byteLength);
    const placed = new Event({ buffer, byteOffset: 0 });
    const t = new Thread({
      target: (event: Event) => {
        const t0 = performance.now();
        const got = event.wait({ timeout: 200 });
        return [got, performance.now() - t0];
      },
      args: [placed],
    });
    t.start();
    await sleepers(new Int32Array(buffer), 0, 1);
    await sleepers(new Int32Array(buffer), 0, 1);
    const [got, took] = await t.joinAsync(JOIN) as [boolean, number];
    assert.equal(got, false);
    assert.ok(took >= 200 && took < 200 + 2_000, `took ${took} ms`);
  });

  it("Event rejects bad input with TypeError/RangeError and keeps its flag", async () => {
    const event = new Event();
    assert.throws(() => event.wait({ timeout: NaN }), RangeError);
    assert.throws(() => event.wait({ timeout: -1 }), RangeError);
    assert.throws(() => event.waitAsync({ timeout: NaN }), RangeError);
    assert.throws(() => event.wait({ signal: {} as AbortSignal }), TypeError);
    assert.throws(
      () => new Event({ buffer: new SharedArrayBuffer(4), byteOffset: 1 }),
      RangeError,
    );
    assert.equal(event.isSet(), false);
    event.set();
    assert.throws(() => event.wait({ timeout: NaN }), RangeError);
    assert.equal(event.isSet(), true);
    const ac = new AbortController();
    const other = new Event();
    setTimeout(() => ac.abort(new Error("stop")), 20);
    await assert.rejects(
      other.waitAsync({ signal: ac.signal, timeout: 20_000 }),
      /stop/,
    );
    assert.equal(other.isSet(), false);
  });
});
