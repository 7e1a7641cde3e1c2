// Copyright 2026 the threadkit authors. MIT license.
// An unbounded Queue's putAsync that grows closes the full segment only if
// no put holds its TAIL at that instant (queue/_grow_wait.ts closeOrDrop):
// a put of another thread that takes TAIL after the grow looked at it
// (while the grow builds the next segment, under the chain's LOCK) sends
// the grow back to its wait off the event loop, bounded by the call's
// deadline. Before, the segment's shutdown waited for that TAIL inside the
// call (awaitTurn), event loop frozen, past the call's timeout.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, QueueFullError, Thread } from "../../mod.ts";
import { until } from "../_helpers.ts";
import { OFFSET, SEGMENTS } from "../../queue/_chain_memory.ts";
import type * as grabModule from "../_workers/tail_grab.ts";

const JOIN = { timeout: 60_000 };
const grabUrl = new URL("../_workers/tail_grab.ts", import.meta.url);
const HOLD = 3_000; // how long the grabber holds TAIL (ms)

describe("an unbounded Queue's async grow: a TAIL taken inside the grow", () => {
  it("a put of another thread takes TAIL after the grow looked at it: the loop keeps turning, the timed put ends Full by its timeout, nothing put", async () => {
    // A codec whose `encode` getter is read when the grow builds the next
    // segment (under the chain's LOCK, after its look at TAIL, before it
    // closes the old segment): there it lets the grabber take the old
    // segment's TAIL, as a put of another thread could at that moment.
    // flag[3]: the grabber's start (tests/_workers/tail_grab.ts).
    const gflag = new Int32Array(new SharedArrayBuffer(16));
    let armed = false;
    const te = new TextEncoder(), td = new TextDecoder();
    const enc = (v: unknown) => te.encode(JSON.stringify(v));
    const codec = {
      get encode() {
        if (armed) {
          armed = false;
          Atomics.store(gflag, 0, 1);
          Atomics.notify(gflag, 0);
          Atomics.wait(gflag, 2, 0, 5_000); // until the grabber holds TAIL
        }
        return enc;
      },
      decode: (b: Uint8Array) => JSON.parse(td.decode(b.slice())),
    };
    const first = ["a", "b", "c", "d"];
    const q = new Queue<unknown>({ initialCapacity: 4, codec });
    q.putMany(first); // segment 0 full: the put below grows at once
    const r = q.region;
    const chain = new Int32Array(r.buffer, r.byteOffset, OFFSET + 1);
    const seg0 = {
      buffer: r.buffer,
      byteOffset: Atomics.load(chain, OFFSET) >>> 0,
    };
    const g = new Thread<typeof grabModule.grab>({
      target: { module: grabUrl, export: "grab" },
      args: [seg0 as never, gflag, HOLD],
    });
    g.start();
    // The grabber runs before the put starts: the encode's wait above is
    // then for its take of TAIL only, not for its thread's start (which the
    // loop-stop bound below would count; a loaded CI run measured 1716 ms).
    await until(() => Atomics.load(gflag, 3) !== 0, "the grabber's start");
    let result: unknown, took = 0, gap = 0, last = 0;
    try {
      last = performance.now();
      const tick = setInterval(() => {
        const now = performance.now();
        gap = Math.max(gap, now - last);
        last = now;
      }, 5);
      const t0 = performance.now();
      const p = q.putAsync("t", { timeout: 1_000 }).then(
        () => "put",
        (e) => e as unknown,
      );
      // putAsync encoded "t" (its first try) before it returned: the next
      // read of `encode` is the new segment's, inside the grow.
      armed = true;
      result = await p;
      took = performance.now() - t0;
      clearInterval(tick);
      gap = Math.max(gap, performance.now() - last);
    } finally {
      armed = false;
      Atomics.store(gflag, 0, 1);
      Atomics.notify(gflag, 0);
      Atomics.store(gflag, 1, 1);
      Atomics.notify(gflag, 1);
    }
    assert.equal(await g.joinAsync(JOIN), "held", "the grabber took TAIL");
    // Before: the loop stopped for the grabber's whole hold (HOLD ms) and
    // the put settled after it (bounds on the loop and the timeout, not a
    // speed).
    assert.ok(gap < HOLD / 2, `the loop stopped ${gap.toFixed(0)} ms`);
    assert.ok(took < HOLD - 500, `settled after ${took.toFixed(0)} ms`);
    assert.ok(result instanceof QueueFullError, String(result));
    assert.equal(Atomics.load(chain, SEGMENTS), 1, "no segment published");
    q.put("z");
    assert.deepEqual(q.getMany(100), [...first, "z"]);
  });
});
