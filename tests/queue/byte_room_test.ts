// Copyright 2026 the threadkit authors. MIT license.
// A putter of a byte store (structured queues) waiting for room for its
// item's bytes, while the queue holds fewer items than its capacity: its
// slice-end check (queue/_state.ts roomThere, "A waker that stops") looks
// at the bytes its item needs, not the item count, so it does not leave,
// try and register again at every 50 ms slice. Counted here: the store's
// put tries over a wait of several slices (a spy on the store's method, in
// this thread); a getter that frees the bytes still lets it in, exactly.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, Queue, QueueFullError } from "../../mod.ts";
import { TextRing } from "../../queue/_text.ts";
import { LockedStore } from "../../queue/_locked.ts";
import { SPIN } from "../../queue/_state.ts";
import { HEADER_WORDS } from "../../queue/_layout.ts";
import { textRoom } from "../../queue/_room.ts";

type Proto = Record<string, (...a: unknown[]) => unknown>;

// Counts the calls of `proto[name]` until restore().
function spy(proto: object, name: string) {
  const p = proto as Proto, original = p[name];
  const counter = { n: 0, restore: () => void (p[name] = original) };
  p[name] = function (this: unknown, ...a: unknown[]) {
    counter.n++;
    return original.apply(this, a);
  };
  return counter;
}

// A wait of 10 slices; before, a putter tried once a slice (about 11).
const WAIT = { timeout: 500 };
// Its first try, the tries around its one registration, its last look.
const MOST = 4;

const KINDS: [
  string,
  () => Queue<string> | LifoQueue<string>,
  object,
  string,
][] = [
  [
    "Queue (structured ring)",
    () => new Queue({ capacity: 8, bytes: 64 }),
    TextRing.prototype,
    "tryPut",
  ],
  [
    "LifoQueue (byte stack)",
    () => new LifoQueue({ capacity: 8, bytes: 64 }),
    LockedStore.prototype,
    "tryPutMany",
  ],
];

describe("a byte store's putter waiting for bytes, with item room to spare", () => {
  for (const [name, make, proto, method] of KINDS) {
    it(`${name}: putAsync does not try again at every slice end`, async () => {
      const q = make();
      await q.putAsync("a".repeat(40));
      assert.equal(q.qsize(), 1); // 1 of 8 items, but 41 of 64 bytes
      const tries = spy(proto, method);
      try {
        await assert.rejects(q.putAsync("b".repeat(40), WAIT), QueueFullError);
      } finally {
        tries.restore();
      }
      assert.ok(tries.n <= MOST, `${tries.n} tries`);
      assert.equal(q.qsize(), 1);
    });

    it(`${name}: put (blocking) does not try again at every slice end`, () => {
      const q = make();
      q.put("a".repeat(40));
      const tries = spy(proto, method);
      try {
        assert.throws(() => q.put("b".repeat(40), WAIT), QueueFullError);
      } finally {
        tries.restore();
      }
      assert.ok(
        tries.n <= SPIN + MOST,
        `${tries.n - SPIN} tries past the spin`,
      );
      assert.equal(q.qsize(), 1);
    });

    it(`${name}: a get that frees the bytes lets the waiting putter in`, async () => {
      const q = make();
      await q.putAsync("a".repeat(40));
      const put = q.putAsync("b".repeat(40), { timeout: 30_000 });
      assert.equal(q.get({ timeout: 30_000 }), "a".repeat(40));
      await put;
      assert.equal(q.qsize(), 1);
      assert.equal(q.get({ timeout: 30_000 }), "b".repeat(40));
      assert.equal(q.qsize(), 0);
    });
  }

  it("the ring's check agrees with its put, at every step of a random run", () => {
    // Sizes that fill the bytes before the items, and wrap the region.
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    const q = new Queue<string>({ capacity: 6, bytes: 96 });
    const d = q[Symbol.for("threadkit.toDescriptor") as never] as () => {
      buffer: SharedArrayBuffer;
      byteOffset: number;
    };
    const { buffer, byteOffset } = d.call(q);
    const h = new Int32Array(buffer, byteOffset, HEADER_WORDS);
    const held: string[] = [];
    let puts = 0, refused = 0;
    for (let i = 0; i < 2000; i++) {
      if (rnd(3) === 0 && held.length > 0) {
        assert.equal(q.getNowait(), held.shift());
        continue;
      }
      // An ASCII string: its record is its JSON text and a ",".
      const item = "x".repeat(rnd(40));
      const fits = textRoom(h, JSON.stringify(item).length + 1);
      try {
        q.putNowait(item);
        held.push(item);
        puts++;
        assert.equal(fits, true, `step ${i}: put went in, check said no`);
      } catch (error) {
        if (!(error instanceof QueueFullError)) throw error;
        refused++;
        assert.equal(fits, false, `step ${i}: put refused, check said yes`);
      }
    }
    assert.ok(puts > 100 && refused > 100, `${puts} puts, ${refused} refused`);
    while (held.length > 0) assert.equal(q.getNowait(), held.shift());
  });
});
