// Copyright 2026 the threadkit authors. MIT license.
// A resizable (non-shared) ArrayBuffer and views over it as queue items,
// task args and task results arrive as structured clone gives them: the
// buffer resizable with its maxByteLength, a length-tracking view tracking
// it, a fixed view fixed (queue/_tagged.ts "ab" m, _shared_names.ts).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, ThreadPoolExecutor } from "../../mod.ts";
import { lengthTracking } from "../../queue/_shared_names.ts";

// Where node:v8 has no Serializer (Bun), the sender cannot tell a
// length-tracking view: it arrives with its length fixed (README).
const TELLS = lengthTracking(
  new Uint8Array(new ArrayBuffer(4, { maxByteLength: 8 })),
);

// What a thread or a get sees of [buffer, tracking view, fixed view].
function shape(x: unknown[]): unknown[] {
  const [b, t, f] = x as [ArrayBuffer, Uint8Array, Uint8Array];
  const tracking = (v: Uint8Array) => {
    // Grow the (received) buffer: a tracking view follows it.
    const vb = v.buffer as ArrayBuffer;
    const before = v.length;
    if (vb.resizable) vb.resize(vb.byteLength + 4);
    const after = v.length;
    if (vb.resizable) vb.resize(vb.byteLength - 4);
    return after !== before;
  };
  return [
    b.resizable,
    b.maxByteLength,
    [...new Uint8Array(b)],
    (t.buffer as ArrayBuffer).resizable,
    tracking(t),
    [...t],
    tracking(f),
    [...f],
  ];
}

function value(): unknown[] {
  const b = new ArrayBuffer(4, { maxByteLength: 64 });
  new Uint8Array(b).set([1, 2, 3, 4]);
  const rb = new ArrayBuffer(6, { maxByteLength: 32 });
  new Uint8Array(rb).set([5, 6, 7, 8, 9, 10]);
  return [b, new Uint8Array(rb, 2), new Uint8Array(rb, 1, 2)];
}

const EXPECTED = [true, 64, [1, 2, 3, 4], true, TELLS, [7, 8, 9, 10], false, [
  6,
  7,
]];

describe("resizable ArrayBuffer values", () => {
  it("structured clone keeps resizable, maxByteLength and a view's length tracking (the reference)", () => {
    const reference = shape(structuredClone(value()));
    assert.deepEqual(reference, [
      ...EXPECTED.slice(0, 4),
      true,
      ...EXPECTED.slice(5),
    ]);
  });

  it("as a queue item", () => {
    const q = new Queue<unknown[]>({ capacity: 2 });
    q.put(value());
    assert.deepEqual(shape(q.get({ timeout: 1_000 })), EXPECTED);
  });

  it("as a task arg and a task result", { timeout: 60_000 }, async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const seen = pool.submit(shape, value()).result({ timeout: 30_000 });
    assert.deepEqual(seen, EXPECTED);
    const back = pool.submit(() => {
      const b = new ArrayBuffer(4, { maxByteLength: 64 });
      new Uint8Array(b).set([1, 2, 3, 4]);
      const rb = new ArrayBuffer(6, { maxByteLength: 32 });
      new Uint8Array(rb).set([5, 6, 7, 8, 9, 10]);
      return [b, new Uint8Array(rb, 2), new Uint8Array(rb, 1, 2)];
    }).result({ timeout: 30_000 });
    assert.deepEqual(shape(back), EXPECTED);
  });

  it("a resizable buffer alone arrives resizable; a fixed one stays fixed", () => {
    const q = new Queue<unknown>({ capacity: 2 });
    q.put(new ArrayBuffer(4, { maxByteLength: 8 }));
    const got = q.get({ timeout: 1_000 }) as ArrayBuffer;
    assert.equal(got.resizable, true);
    q.put(new ArrayBuffer(4));
    assert.equal((q.get({ timeout: 1_000 }) as ArrayBuffer).resizable, false);
  });

  it(
    "a view out of its resizable buffer's bounds is a TypeError at the put and the submit, as structured clone refuses it",
    { timeout: 60_000 },
    async () => {
      const b = new ArrayBuffer(8, { maxByteLength: 32 });
      const views = [
        new Uint8Array(b, 4, 4),
        new Uint8Array(b, 4),
        new DataView(b, 4, 4),
      ];
      b.resize(2);
      const q = new Queue<unknown>({ capacity: 2 });
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      for (const v of views) {
        assert.throws(() => structuredClone({ v, b }));
        assert.throws(
          () => q.put({ v, b }),
          (e: Error) =>
            e instanceof TypeError &&
            e.message.includes("item.v is a ") &&
            e.message.includes("out of its resizable buffer's bounds"),
        );
        assert.equal(q.qsize(), 0);
        assert.throws(() => pool.submit((x: unknown) => x, v), TypeError);
      }
      // In bounds again, each goes.
      b.resize(8);
      q.put(views[0]);
      assert.deepEqual([...(q.get({ timeout: 1_000 }) as Uint8Array)], [
        0,
        0,
        0,
        0,
      ]);
    },
  );
});
