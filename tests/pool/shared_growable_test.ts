// Copyright 2026 the threadkit authors. MIT license.
// Views over a growable SharedArrayBuffer in task args and results
// (pool/_shared.ts, queue/_shared_names.ts lengthTracking): a view made
// without a length tracks its buffer's length, and arrives tracking it, as
// it does as a Thread's arg; a view with a length arrives with that length.
// Real threads, bounded waits.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Thread, ThreadPoolExecutor } from "../../mod.ts";
import { lengthTracking } from "../../queue/_shared_names.ts";
import { within } from "./_fixtures.ts";

const growable = (n: number, max: number) =>
  new SharedArrayBuffer(n, { maxByteLength: max } as never) as
    & SharedArrayBuffer
    & { growable?: boolean; grow(n: number): void };

const skip = growable(1, 2).growable !== true
  ? "this runtime has no growable SharedArrayBuffer"
  // Bun: node:v8's serializer does not say which views track (README).
  : !lengthTracking(new Int32Array(growable(4, 8)))
  ? "this runtime cannot tell a length-tracking view (node:v8 Serializer)"
  : false;

// Grows the buffer of `views[0]` to `to` bytes (in the thread that runs
// it), then gives each view's byteLength.
function growThenMeasure(to: number, ...views: ArrayBufferView[]): number[] {
  (views[0].buffer as unknown as { grow(n: number): void }).grow(to);
  return views.map((v) => v.byteLength);
}

describe("ThreadPoolExecutor: views over a growable SharedArrayBuffer", {
  skip,
}, () => {
  it("as a Thread's args: a length-tracking view arrives tracking, a fixed one fixed", () => {
    const sab = growable(8, 64);
    const t = new Thread({
      target: growThenMeasure,
      args: [
        16,
        new Uint8Array(sab),
        new Uint8Array(sab, 0, 8),
        new DataView(sab, 4),
        new Int32Array(sab, 4),
      ],
    });
    t.start();
    assert.equal(t.join({ timeout: 60_000 }), true);
    assert.deepEqual(t.result, [16, 8, 12, 12]);
  });

  it("as a task's args: each view arrives as a Thread's does", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const sab = growable(8, 64);
    const got = await within(pool.submit(
      growThenMeasure,
      16,
      new Uint8Array(sab),
      new Uint8Array(sab, 0, 8),
      new DataView(sab, 4),
      new Int32Array(sab, 4),
      new Float64Array(sab, 8),
    ));
    assert.deepEqual(got, [16, 8, 12, 12, 8]);
    assert.equal(sab.byteLength, 16);
  });

  it("as a task's result: a length-tracking view over its arg's buffer comes back tracking", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const sab = growable(8, 64);
    const [tracking, fixed, data] = await within(pool.submit(
      (v: Uint8Array) =>
        [
          new Int16Array(v.buffer),
          new Int16Array(v.buffer, 2, 1),
          new DataView(v.buffer, 2),
        ] as const,
      new Uint8Array(sab, 0, 1),
    ));
    assert.equal(tracking.buffer, sab);
    assert.deepEqual([tracking.length, fixed.length, data.byteLength], [
      4,
      1,
      6,
    ]);
    sab.grow(32);
    assert.deepEqual([tracking.length, fixed.length, data.byteLength], [
      16,
      1,
      30,
    ]);
  });
});
