// Copyright 2026 the threadkit authors. MIT license.
// The blocking unbounded grow's other waits.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, QueueFullError, Thread } from "../../mod.ts";
import { OFFSET, SEGMENTS } from "../../queue/_chain_memory.ts";
import { heapLiveBytes } from "../../_core/heap.ts";
import { wordChanged } from "../_helpers.ts";
import type * as holderModule from "../_workers/store_holder.ts";
import type * as putModule from "../_workers/grow_put.ts";
import type * as grabModule from "../_workers/tail_grab.ts";

const JOIN = { timeout: 60_000 };
const BOUND = 10_000;
const holder = new URL("../_workers/store_holder.ts", import.meta.url);
const putter = new URL("../_workers/grow_put.ts", import.meta.url);
const grabUrl = new URL("../_workers/tail_grab.ts", import.meta.url);

async function behindChain(
  q: Queue<string>,
  retire: boolean,
  form: string,
  timeout: number | undefined,
  cancel = false,
): Promise<{ out: string; ms: number; inBound: boolean }> {
  const hflag = new Int32Array(new SharedArrayBuffer(8));
  const r = q.region;
  const h = new Thread<typeof holderModule.holdChain>({
    target: { module: holder, export: "holdChain" },
    args: [
      { buffer: r.buffer, byteOffset: r.byteOffset },
      hflag,
      retire,
      40_000,
    ],
  });
  h.start();
  assert.equal(await wordChanged(hflag, 0, 0), true, "holder holds");
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const t = new Thread<typeof putModule.putBlocking>({
    target: { module: putter, export: "putBlocking" },
    args: [q, form, timeout, flag],
  });
  let inBound = false;
  try {
    t.start();
    assert.equal(await wordChanged(flag, 0, 0), true, "the put started");
    if (cancel) t.cancel();
    inBound = await t.joinAsync({ timeout: BOUND }).then(
      () => true,
      () => false,
    );
  } finally {
    Atomics.store(hflag, 1, 1);
    Atomics.notify(hflag, 1);
  }
  const [out, ms] = await t.joinAsync(JOIN);
  assert.equal(await h.joinAsync(JOIN), "released");
  return { out, ms, inBound };
}

const EIGHT = Array.from({ length: 8 }, (_, i) => `a${i}`);

describe("blocking unbounded put, other waits", () => {
  it("R1 a timed blocking put that finds its segment retired (grower stalled holding LOCK) ends Full by its deadline", async () => {
    const q = new Queue<string>({ initialCapacity: 8 });
    q.put("a");
    const r = await behindChain(q, true, "put", 300);
    assert.ok(
      r.inBound,
      `the put still waited after ${BOUND} ms (${r.out} after ${
        r.ms.toFixed(0)
      } ms)`,
    );
    assert.equal(r.out, "Full", `${r.out} after ${r.ms} ms`);
  });

  it("R2 an untimed blocking put behind a stalled LOCK holder ends CancelledError when its thread is cancelled", async () => {
    const q = new Queue<string>({ initialCapacity: 8 });
    q.putMany(EIGHT);
    const r = await behindChain(q, false, "put", undefined, true);
    assert.ok(
      r.inBound,
      `the put still waited after ${BOUND} ms (${r.out} after ${
        r.ms.toFixed(0)
      } ms)`,
    );
    assert.equal(r.out, "Cancelled", `${r.out} after ${r.ms} ms`);
  });

  it("R3 a blocking grow whose close finds TAIL taken drops the new segment's heap block exactly once", async () => {
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
    q.putMany(first);
    const r = q.region;
    const chain = new Int32Array(r.buffer, r.byteOffset, OFFSET + 2);
    const seg0 = {
      buffer: r.buffer,
      byteOffset: Atomics.load(chain, OFFSET) >>> 0,
    };
    const g = new Thread<typeof grabModule.grab>({
      target: { module: grabUrl, export: "grab" },
      args: [seg0 as never, gflag, 3_000],
    });
    g.start();
    // The thread's start (its allocations) done before the count.
    assert.ok(await wordChanged(gflag, 3, 0), "the grabber runs");
    const live0 = heapLiveBytes();
    let result: unknown;
    try {
      // The put's first try encodes "t" before the grow: arm after it by a
      // one-shot getter count.
      let reads = 0;
      const real = Object.getOwnPropertyDescriptor(codec, "encode")!.get!;
      Object.defineProperty(codec, "encode", {
        get() {
          if (++reads === 2) armed = true;
          return real.call(codec);
        },
      });
      try {
        q.put("t", { timeout: 1_000 });
        result = "put";
      } catch (e) {
        result = e;
      }
    } finally {
      armed = false;
      Atomics.store(gflag, 0, 1);
      Atomics.notify(gflag, 0);
      Atomics.store(gflag, 1, 1);
      Atomics.notify(gflag, 1);
    }
    const grab = await g.joinAsync(JOIN);
    const live1 = heapLiveBytes();
    assert.equal(grab, "held", "the grabber took TAIL");
    assert.ok(result instanceof QueueFullError, String(result));
    assert.equal(Atomics.load(chain, SEGMENTS), 1, "no segment published");
    assert.equal(Atomics.load(chain, OFFSET + 1), 0, "no segment named");
    assert.equal(live1, live0, "the dropped segment's block is released");
    q.put("z");
    assert.deepEqual(q.getMany(100), [...first, "z"]);
  });
});
