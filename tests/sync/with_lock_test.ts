// Copyright 2026 the threadkit authors. MIT license.
// The plain-JavaScript forms of `using`: withLock / withLockAsync on Lock,
// RLock, Semaphore and Condition release on return and on throw.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Condition,
  Lock,
  RLock,
  RuntimeError,
  Semaphore,
  Thread,
  TimeoutError,
} from "../../mod.ts";

/** What the tests need of each primitive. */
interface Subject {
  withLock<T>(
    fn: () => T,
    options?: { timeout?: number; blocking?: boolean },
  ): T;
  withLockAsync<T>(
    fn: () => T | PromiseLike<T>,
    options?: { timeout?: number },
  ): Promise<T>;
  acquire(): boolean;
  release(): void;
}

const SUBJECTS: [string, () => Subject, (s: Subject) => boolean][] = [
  ["Lock", () => new Lock(), (s) => (s as Lock).locked()],
  ["RLock", () => new RLock(), (s) => (s as RLock).locked()],
  ["Semaphore", () => new Semaphore(1), (s) => (s as Semaphore).value === 0],
  ["Condition", () => new Condition(new Lock()), (s) => {
    // Held means a non-blocking try of the condition's lock fails.
    const c = s as Condition;
    if (!c.acquire({ blocking: false })) return true;
    c.release();
    return false;
  }],
];

describe("withLock", () => {
  for (const [name, make, held] of SUBJECTS) {
    it(`${name}.withLock() holds during fn, returns its value and releases on return and on throw`, () => {
      const x = make();
      assert.equal(x.withLock(() => held(x)), true);
      assert.equal(held(x), false);
      const boom = new Error("boom");
      assert.throws(() =>
        x.withLock(() => {
          throw boom;
        }), (e) => e === boom);
      assert.equal(held(x), false);
    });

    it(`${name}.withLockAsync() releases when fn's promise settles, fulfilled or rejected`, async () => {
      const x = make();
      let during = false;
      const result = await x.withLockAsync(async () => {
        await new Promise((r) => setTimeout(r, 1));
        during = held(x);
        return "done";
      });
      assert.equal(result, "done");
      assert.equal(during, true);
      assert.equal(held(x), false);
      await assert.rejects(
        x.withLockAsync(async () => {
          await new Promise((r) => setTimeout(r, 1));
          throw new Error("late");
        }),
        /late/,
      );
      assert.equal(held(x), false);
    });

    // An RLock's owner re-enters, so only the other three can time out here.
    if (name === "RLock") continue;
    it(`${name}.withLock() does not run fn when the acquire times out`, async () => {
      const x = make();
      x.acquire();
      let ran = false;
      assert.throws(
        () => x.withLock(() => ran = true, { timeout: 5 }),
        TimeoutError,
      );
      assert.throws(
        () => x.withLock(() => ran = true, { blocking: false }),
        RuntimeError,
      );
      await assert.rejects(
        x.withLockAsync(() => ran = true, { timeout: 5 }),
        TimeoutError,
      );
      assert.equal(ran, false);
      x.release();
    });
  }

  it("Lock.withLock() excludes another thread for the whole of fn", async () => {
    const lock = new Lock();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const add = (lock: Lock, c: Int32Array) => {
      for (let i = 0; i < 2000; i++) {
        lock.withLock(() => {
          const v = c[0];
          c[0] = v + 1;
        });
      }
    };
    const t = new Thread({ target: add, args: [lock, counter] });
    t.start();
    for (let i = 0; i < 2000; i++) {
      await lock.withLockAsync(() => {
        const v = counter[0];
        counter[0] = v + 1;
      });
    }
    await t.joinAsync({ timeout: 30_000 });
    assert.equal(counter[0], 4000);
  });
});
