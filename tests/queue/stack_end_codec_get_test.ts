// Copyright 2026 the threadkit authors. MIT license.
// LifoQueue and PriorityQueue with a custom codec (their items under the
// queue's Lock, queue/_locked.ts): a get made at every depth near the end
// of the stack, stopped by a RangeError at whatever step of the get it
// lands (the take, the copies, the decode, the marks, the drops, the
// release), leaves the queue as it was: the Lock and HOLDER free, the item
// first. Every later getNowait works at once, and every item comes out
// once, in the queue's order. Before, the handler of the get's decode made
// calls, and an overflow left the Lock held: the next getNowait threw
// "another thread is decoding the next item".
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, PriorityQueue } from "../../mod.ts";

// Calls `attempt` at every depth from the end of the stack up, one frame
// up after each RangeError, until one returns; stops at the first attempt
// that throws anything else (kept in `other`).
function sweep(attempt: () => void): { tries: number; other: unknown } {
  let tries = 0, other: unknown = undefined;
  const deep = (): void => {
    try {
      deep();
    } catch {
      tries++;
      try {
        attempt();
      } catch (e) {
        if (e instanceof RangeError) throw e;
        other = e;
      }
    }
  };
  try {
    deep();
  } catch {
    // the outermost attempt overflowed too
  }
  return { tries, other };
}

type Q = {
  put(x: unknown): void;
  getNowait(): unknown;
  get(o?: unknown): unknown;
  getMany(n: number, o?: unknown): unknown[];
  qsize(): number;
};
const codec = {
  encode: (v: unknown) => new TextEncoder().encode(JSON.stringify(v)),
  decode: (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)),
};
// A payload whose decode goes deep: the overflow can land inside it too.
const nested = JSON.parse("[".repeat(200) + "]".repeat(200));
const N = 6;
const kinds: [
  string,
  () => Q,
  (i: number) => unknown,
  (x: unknown) => number,
][] = [
  [
    "LifoQueue",
    () => new LifoQueue<unknown>({ capacity: 16, codec }) as unknown as Q,
    (i) => ({ id: i, nested }),
    (x) => (x as { id: number }).id,
  ],
  [
    "PriorityQueue",
    () => new PriorityQueue<unknown>({ capacity: 16, codec }) as unknown as Q,
    (i) => [(i * 5) % N, { nested }], // put out of order
    (x) => (x as number[])[0],
  ],
];

describe("custom-codec gets at the end of the stack", () => {
  for (const [name, make, item, idOf] of kinds) {
    for (const form of ["getNowait", "get", "getMany"] as const) {
      it(`${name}.${form} with a custom codec: every item once, in order, the Lock left free`, () => {
        const q = make();
        for (let i = 0; i < N; i++) q.put(item(i));
        let got: unknown[] = [];
        const { tries, other } = sweep(() => {
          if (form === "getNowait") got = [q.getNowait()];
          else if (form === "get") got = [q.get({ timeout: 2000 })];
          else got = q.getMany(2, { timeout: 2000 });
        });
        assert.ok(tries > 1, `tries ${tries}`);
        assert.equal(
          other,
          undefined,
          "an attempt threw other than RangeError",
        );
        const ids = got.map(idOf);
        for (let i = 0; i < N && ids.length < N; i++) {
          ids.push(idOf(q.getNowait())); // at once: no Lock left held
        }
        assert.equal(q.qsize(), 0);
        const order = name === "LifoQueue"
          ? Array.from({ length: N }, (_, i) => N - 1 - i)
          : Array.from({ length: N }, (_, i) => i);
        assert.deepEqual(ids, order);
      });
    }
  }
});
