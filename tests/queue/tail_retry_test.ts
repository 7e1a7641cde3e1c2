// Copyright 2026 the threadkit authors. MIT license.
// A structured put of text that is not ASCII tries the segment once as
// ASCII under TAIL's turn, lets the turn go, encodes the text, and tries
// again (queue/_text.ts tryPut). Here another thread takes TAIL between
// the two tries (tests/_workers/tail_grab.ts, told from inside the encode)
// and holds it HOLD ms: the second try must still wait as its call does
// (putAsync: off the event loop, until its timeout; a timed put: until its
// timeout), not block for the whole hold.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, QueueFullError, SimpleQueue, Thread } from "../../mod.ts";
import { OFFSET } from "../../queue/_chain_memory.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { RegionText } from "../../queue/_text_io.ts";
import type * as grabModule from "../_workers/tail_grab.ts";
import { until } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };
// Where the runtime writes UTF-8 into the region (Node, Bun: Buffer's
// utf8Write), a non-ASCII item with room goes in by the first try: no
// second try to look at.
const SKIP = new RegionText(new Uint8Array(new SharedArrayBuffer(64))).utf8s
  ? "non-ASCII text goes in by the first try on this runtime (utf8Write)"
  : false;
const HOLD = 3_000;
const grabber = new URL("../_workers/tail_grab.ts", import.meta.url);

// deno-lint-ignore no-explicit-any
type AnyQ = any;

function segment0(q: AnyQ) {
  const r = (q.region ?? q[TO_DESCRIPTOR]()) as {
    buffer: SharedArrayBuffer;
    byteOffset: number;
  };
  const chain = new Int32Array(r.buffer, r.byteOffset, OFFSET + 1);
  return { buffer: r.buffer, byteOffset: Atomics.load(chain, OFFSET) >>> 0 };
}

// Runs `call` with TextEncoder.prototype.encode wrapped: its first call
// tells the grabber to take TAIL and waits (bounded) until it holds it.
// Returns the ms `call` took to return, and the grabber.
async function withGrab(q: AnyQ, call: () => unknown) {
  const flag = new Int32Array(new SharedArrayBuffer(16));
  const t = new Thread<typeof grabModule.grab>({
    target: { module: grabber, export: "grab" },
    args: [segment0(q), flag, HOLD],
  });
  t.start();
  await until(() => Atomics.load(flag, 3) !== 0, "the grabber's start");
  const encode = TextEncoder.prototype.encode;
  let told = false;
  TextEncoder.prototype.encode = function (this: TextEncoder, s?: string) {
    if (!told) {
      told = true;
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      const end = performance.now() + 10_000;
      while (Atomics.load(flag, 2) === 0 && performance.now() < end) {
        Atomics.wait(flag, 2, 0, 50);
      }
    }
    return encode.call(this, s);
  };
  const t0 = performance.now();
  let out: unknown;
  try {
    out = call();
  } finally {
    TextEncoder.prototype.encode = encode;
  }
  const ms = performance.now() - t0;
  return { ms, out, told, t, flag };
}

describe("a non-ASCII put whose retry finds TAIL held", () => {
  it(
    "Queue(): putAsync({ timeout: 200 }) does not block the event loop for the hold, and rejects Full near 200 ms",
    { skip: SKIP },
    async () => {
      const q = new Queue<string>({ initialCapacity: 8 });
      q.put("a");
      const r = await withGrab(
        q,
        () => q.putAsync("\u00e9t\u00e9", { timeout: 200 }),
      );
      assert.ok(r.told, "the put encoded its text");
      let error: unknown;
      try {
        await r.out;
      } catch (e) {
        error = e;
      }
      Atomics.store(r.flag, 1, 1);
      Atomics.notify(r.flag, 1);
      await r.t.joinAsync(JOIN);
      assert.ok(
        r.ms < HOLD / 2,
        `putAsync blocked the event loop ${Math.round(r.ms)} ms`,
      );
      assert.ok(error instanceof QueueFullError, String(error));
    },
  );

  it(
    "Queue(): put({ timeout: 200 }) ends near its timeout, not at the holder's release",
    { skip: SKIP },
    async () => {
      const q = new Queue<string>({ initialCapacity: 8 });
      q.put("a");
      const r = await withGrab(q, () => {
        try {
          q.put("\u00e9t\u00e9", { timeout: 200 });
          return "put";
        } catch (e) {
          return e;
        }
      });
      Atomics.store(r.flag, 1, 1);
      Atomics.notify(r.flag, 1);
      await r.t.joinAsync(JOIN);
      assert.ok(r.told);
      assert.ok(r.ms < HOLD / 2, `put took ${Math.round(r.ms)} ms: ${r.out}`);
    },
  );

  it("SimpleQueue: put waits for the holder and the item arrives once", {
    skip: SKIP,
  }, async () => {
    const q = new SimpleQueue<string>({ initialCapacity: 8 });
    q.put("a");
    const r = await withGrab(q, () => q.put("\u00e9t\u00e9"));
    await r.t.joinAsync(JOIN);
    assert.ok(r.told);
    assert.deepEqual([q.getNowait(), q.getNowait()], ["a", "\u00e9t\u00e9"]);
    assert.equal(q.qsize(), 0);
  });
});
