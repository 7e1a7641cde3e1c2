// Copyright 2026 the threadkit authors. MIT license.
// A Thread's array args and results as their elements are copied
// (_core/transfer_keys.ts elementsOf: a native slice, read once): a getter
// at an index runs once, holes stay holes, an own "constructor" key and a
// key above the last array index arrive, a primitive among a million
// numbers arrives as itself, and a long array of numbers as a result.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lock, Thread } from "../../mod.ts";

async function roundTrip<T>(args: unknown[], target: (...a: never[]) => T) {
  const t = new Thread({ target, args: args as never[] });
  t.start();
  return (await t.joinAsync({ timeout: 30_000 })) as T;
}

describe("Thread args: array elements", () => {
  it(
    "a getter at an index of a short and of a long array runs once, and the thread gets what it returned",
    { timeout: 60_000 },
    async () => {
      for (const n of [10, 100_000]) {
        const arr: number[] = Array.from({ length: n }, (_, i) => i);
        let reads = 0;
        Object.defineProperty(arr, 3, {
          get: () => ++reads * 100,
          enumerable: true,
        });
        const got = await roundTrip(
          [arr],
          (a: number[]) => [a[3], a.length, a[a.length - 1]],
        );
        assert.equal(reads, 1, `length ${n}`);
        assert.deepEqual(got, [100, n, n - 1]);
      }
    },
  );

  it(
    "holes stay holes (no inherited index); a key above the last index and an own constructor key arrive, read once",
    { timeout: 60_000 },
    async () => {
      const arr: unknown[] = [1, , 3, ,];
      let reads = 0;
      Object.defineProperty(arr, "constructor", {
        get: () => ++reads,
        enumerable: true,
      });
      (arr as unknown as Record<string, unknown>)["4294967295"] = "big";
      (arr as unknown as Record<string, unknown>)["\u0000threadkit"] = "m";
      const got = await roundTrip([arr], (a: unknown[]) => ({
        length: a.length,
        has: [0, 1, 2, 3].map((i) => i in a),
        keys: Object.keys(a),
        big: (a as unknown as Record<string, unknown>)["4294967295"],
        ctor: Object.getOwnPropertyDescriptor(a, "constructor")?.value,
      }));
      assert.equal(reads, 1);
      assert.deepEqual(got, {
        length: 4,
        has: [true, false, true, false],
        keys: ["0", "2", "constructor", "4294967295", "\u0000threadkit"],
        big: "big",
        ctor: 1,
      });
    },
  );

  it(
    "a Lock among a million numbers arrives as a Lock, the numbers as they were",
    { timeout: 60_000 },
    async () => {
      const lock = new Lock();
      const arr: unknown[] = Array.from({ length: 1e6 }, (_, i) => i * 0.5);
      arr[700_000] = { lock };
      const got = await roundTrip([arr], (a: unknown[]) => {
        const { lock } = a[700_000] as { lock: Lock };
        const held = lock.acquire({ timeout: 1_000 });
        if (held) lock.release();
        return [a.length, a[699_999], a[700_001], held];
      });
      assert.deepEqual(got, [1e6, 349_999.5, 350_000.5, true]);
      assert.equal(lock.locked(), false);
    },
  );

  it(
    "an array subclass arrives as a plain array of its elements (the loop path), read once",
    { timeout: 60_000 },
    async () => {
      class Row extends Array<number> {}
      const row = Row.from([1, 2, 3]) as Row;
      let reads = 0;
      Object.defineProperty(row, 1, { get: () => ++reads, enumerable: true });
      const got = await roundTrip([row], (a: number[]) => [
        Array.isArray(a),
        Object.getPrototypeOf(a) === Array.prototype,
        [...a],
      ]);
      assert.equal(reads, 1);
      assert.deepEqual(got, [true, true, [1, 1, 3]]);
    },
  );

  it(
    "a result of a million numbers arrives whole",
    { timeout: 60_000 },
    async () => {
      const got = await roundTrip(
        [],
        () => Array.from({ length: 1e6 }, (_, i) => i + 0.25),
      );
      assert.equal(got.length, 1e6);
      assert.equal(got[999_999], 999_999.25);
    },
  );
});
