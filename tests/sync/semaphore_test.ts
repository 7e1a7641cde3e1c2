// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BoundedSemaphore,
  Lock,
  moduleTarget,
  Semaphore,
  Thread,
  TimeoutError,
} from "../../mod.ts";
import { sleepers, until } from "../_helpers.ts";
import type * as programs from "../_workers/sync_programs.ts";

const PROGRAMS = new URL("../_workers/sync_programs.ts", import.meta.url);
const JOIN = { timeout: 30_000 };

describe("Semaphore", () => {
  it("Semaphore(0) fixes the seed's missed signal: the release before the acquire is remembered", async () => {
    const sem = new Semaphore(0);
    const task2 = new Thread({
      target: (sem: Semaphore) => sem.release(),
      args: [sem],
    });
    task2.start();
    await task2.joinAsync(JOIN); // the seed's "start thread 1 later"
    const task1 = new Thread({
      target: (sem: Semaphore) => sem.acquire({ timeout: 20_000 }),
      args: [sem],
    });
    task1.start();
    assert.equal(await task1.joinAsync(JOIN), true);
    assert.equal(sem.value, 0);
  });

  it("Semaphore drives the seed's prime printer (finder and printer threads)", async () => {
    const find = new Semaphore(0), print = new Semaphore(0);
    const s = new Int32Array(new SharedArrayBuffer(4 * 256));
    const printer = new Thread({
      target: (find: Semaphore, print: Semaphore, s: Int32Array) => {
        for (let k = 0; k < 30; k++) {
          if (!find.acquire({ timeout: 20_000 })) throw new Error("timeout");
          s[4 + k] = s[1];
          print.release();
        }
      },
      args: [find, print, s],
    });
    const finder = new Thread({
      target: async (find: Semaphore, print: Semaphore, s: Int32Array) => {
        let i = 2;
        for (let k = 0; k < 30; k++, i++) {
          while (![...Array(i).keys()].every((d) => d < 2 || i % d !== 0)) i++;
          s[1] = i;
          find.release();
          if (!await print.acquireAsync({ timeout: 20_000 })) {
            throw new Error("timeout");
          }
        }
      },
      args: [find, print, s],
    });
    printer.start();
    finder.start();
    await printer.joinAsync(JOIN);
    await finder.joinAsync(JOIN);
    assert.deepEqual(
      [...s.subarray(4, 4 + 10)],
      [2, 3, 5, 7, 11, 13, 17, 19, 23, 29],
    );
    assert.equal(s[4 + 29], 113);
  });

  it("Semaphore.release(3) admits exactly 3 of 5 waiters (blocking and async)", async () => {
    const buffer = new SharedArrayBuffer(Semaphore.byteLength);
    const sem = new Semaphore(0, { buffer, byteOffset: 0 });
    const view = new Int32Array(buffer);
    const got = new Int32Array(new SharedArrayBuffer(4));
    const waiters = [0, 1, 2, 3, 4].map((i) =>
      new Thread({
        target: async (sem: Semaphore, got: Int32Array, useAsync: boolean) => {
          const ok = useAsync
            ? await sem.acquireAsync({ timeout: 20_000 })
            : sem.acquire({ timeout: 20_000 });
          Atomics.add(got, 0, 1);
          return ok;
        },
        args: [sem, got, i % 2 === 0],
      })
    );
    for (const t of waiters) t.start();
    await sleepers(view, 0, 5); // all five wait on VALUE
    sem.release(3);
    await until(() => Atomics.load(got, 0) >= 3);
    // The other two are asleep on VALUE again (value 0): no fourth gets
    // through, shown by the shared word rather than by a quiet period.
    await sleepers(view, 0, 2);
    assert.equal(Atomics.load(got, 0), 3);
    assert.equal(sem.value, 0);
    sem.release(2);
    const results = await Promise.all(waiters.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(results, [true, true, true, true, true]);
    assert.equal(sem.value, 0);
  });

  it("Semaphore.acquire() returns false after the timeout or when not blocking", async () => {
    const sem = new Semaphore(1);
    assert.equal(sem.acquire({ blocking: false }), true);
    assert.equal(sem.acquire({ blocking: false }), false);
    assert.equal(sem.acquire({ timeout: 20 }), false);
    assert.equal(await sem.acquireAsync({ timeout: 20 }), false);
    assert.equal(await sem.acquireAsync({ blocking: false }), false);
    assert.throws(() => sem.guard({ timeout: 1 }), TimeoutError);
    sem.release();
    {
      using _unit = sem.guard();
      assert.equal(sem.value, 0);
    }
    assert.equal(sem.value, 1);
  });

  it("Semaphore.acquire() with a signal: an abort throws and leaves the value alone", async () => {
    const sem = new Semaphore(0);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("stop")), 20);
    await assert.rejects(
      sem.acquireAsync({ signal: ac.signal, timeout: 20_000 }),
      /stop/,
    );
    sem.release();
    assert.equal(sem.acquire({ timeout: 1000 }), true);
  });

  it("BoundedSemaphore over-release throws RangeError and changes nothing", async () => {
    const sem = new BoundedSemaphore(2);
    assert.throws(() => sem.release(), RangeError);
    assert.equal(sem.value, 2);
    sem.acquire();
    assert.throws(() => sem.release(2), /released too many times/);
    assert.equal(sem.value, 1);
    // From another thread, where it arrives as a BoundedSemaphore.
    const t = new Thread({
      target: (sem: BoundedSemaphore) => {
        sem.release();
        try {
          sem.release();
          return "no error";
        } catch (e) {
          return `${(e as Error).name} ${sem instanceof BoundedSemaphore}`;
        }
      },
      args: [sem],
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), "RangeError true");
    assert.equal(sem.value, 2);
  });

  it("Semaphore rejects bad input with TypeError/RangeError and keeps its value", () => {
    assert.throws(() => new Semaphore(-1), RangeError);
    assert.throws(() => new BoundedSemaphore(-1), RangeError);
    assert.throws(() => new Semaphore(1.5), TypeError);
    assert.throws(() => new Semaphore(NaN), TypeError);
    assert.throws(() => new Semaphore(2 ** 31), RangeError);
    assert.throws(
      () => new Semaphore(1, { buffer: new SharedArrayBuffer(8) }),
      RangeError,
    );
    const sem = new Semaphore(1);
    assert.throws(() => sem.acquire({ timeout: NaN }), RangeError);
    assert.throws(() => sem.acquire({ timeout: -5 }), RangeError);
    assert.throws(() => sem.acquireAsync({ timeout: NaN }), RangeError);
    assert.throws(
      () => sem.acquire({ blocking: false, timeout: 5 }),
      TypeError,
    );
    assert.throws(() => sem.release(0), RangeError);
    assert.throws(() => sem.release(-1), RangeError);
    assert.throws(() => sem.release(0.5), TypeError);
    assert.throws(() => sem.release(2 ** 31 - 1), RangeError);
    assert.equal(sem.value, 1);
  });

  it("Semaphore stress: bounded buffer with two Semaphores and a Lock, 3 producers x 3 consumers x 20,000 items, each consumed once", async () => {
    const PER = 20_000, CAP = 64;
    const free = new Semaphore(CAP), full = new Semaphore(0);
    const lock = new Lock();
    const ring = new Int32Array(new SharedArrayBuffer(4 * (3 + CAP)));
    const seen = new Int32Array(new SharedArrayBuffer(4 * 3 * PER));
    const threads = [
      ...[0, 1, 2].map((p) =>
        new Thread({
          target: moduleTarget<typeof programs.semProduce>(
            PROGRAMS,
            "semProduce",
          ),
          args: [free, full, lock, ring, p * PER, PER],
        })
      ),
      ...[0, 1, 2].map((c) =>
        new Thread({
          target: moduleTarget<typeof programs.semConsume>(
            PROGRAMS,
            "semConsume",
          ),
          args: [free, full, lock, ring, seen, PER, c === 2],
        })
      ),
    ];
    for (const t of threads) t.start();
    const done = await Promise.all(threads.map((t) => t.joinAsync(JOIN)));
    assert.deepEqual(done, Array(6).fill(PER));
    assert.equal(free.value, CAP);
    assert.equal(full.value, 0);
    const wrong = seen.findIndex((n) => n !== 1);
    assert.equal(wrong, -1, `item ${wrong} consumed ${seen[wrong]} times`);
  });
});
