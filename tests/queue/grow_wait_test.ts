// Copyright 2026 the threadkit authors. MIT license.
// An unbounded Queue's blocking put (put, putNowait, putMany) that decides
// to grow waits for the full segment's TAIL, then the chain's LOCK, bounded
// by the call's deadline and its thread's cancel (queue/_grow_wait.ts, the
// blocking form), and leaves the queue as it found it: nothing put, no
// segment made, every item put before and after arrives exactly once.
// Before, it waited for TAIL under LOCK with no deadline: behind a holder
// that stopped (a thread stalled at a shared word, here) a timed put waited
// for good. The put runs in a thread of its own (it blocks); every wait
// here is bounded (BOUND), and the holder is let go in any case.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, QueueEmptyError, Thread } from "../../mod.ts";
import { IDLE_GRACE } from "../../queue/_decoding.ts";
import { OFFSET, SEGMENTS } from "../../queue/_chain_memory.ts";
import { wordChanged } from "../_helpers.ts";
import type * as holderModule from "../_workers/store_holder.ts";
import type * as putModule from "../_workers/grow_put.ts";

const JOIN = { timeout: 60_000 };
const BOUND = 10_000; // a put still waiting this long waits for good
const holder = new URL("../_workers/store_holder.ts", import.meta.url);
const putter = new URL("../_workers/grow_put.ts", import.meta.url);

function chainOf(q: Queue<string>): Int32Array {
  const r = q.region;
  return new Int32Array(r.buffer, r.byteOffset, OFFSET + 1);
}

// A thread that holds segment 0's TAIL ("tail") or the chain's LOCK
// ("lock"), as a put that copies or a grower does, until flag[1].
async function startHolder(q: Queue<string>, what: "tail" | "lock") {
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const r = q.region;
  const t = what === "tail"
    ? new Thread<typeof holderModule.holdTurn>({
      target: { module: holder, export: "holdTurn" },
      args: [
        { buffer: r.buffer, byteOffset: Atomics.load(chainOf(q), OFFSET) },
        flag,
        false,
        40_000,
      ],
    })
    : new Thread<typeof holderModule.holdChain>({
      target: { module: holder, export: "holdChain" },
      args: [{ buffer: r.buffer, byteOffset: r.byteOffset }, flag, false],
    });
  t.start();
  assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
  return { t, flag };
}

/**
 * Runs putBlocking(`form`, `timeout`) in a thread behind a holder (`what`);
 * `meanwhile` runs once the put started. The holder is let go once the put
 * ended, or after BOUND: returns how the put ended, whether it ended within
 * BOUND, and its time.
 */
async function behind(
  q: Queue<string>,
  what: "tail" | "lock",
  form: string,
  timeout: number | undefined,
  meanwhile?: (t: Thread<typeof putModule.putBlocking>) => void,
): Promise<{ out: string; ms: number; inBound: boolean }> {
  const h = await startHolder(q, what);
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const t = new Thread<typeof putModule.putBlocking>({
    target: { module: putter, export: "putBlocking" },
    args: [q, form, timeout, flag],
  });
  let inBound = false;
  try {
    t.start();
    assert.equal(await wordChanged(flag, 0, 0), true, "the put started");
    meanwhile?.(t);
    inBound = await t.joinAsync({ timeout: BOUND }).then(
      () => true,
      () => false,
    );
  } finally {
    Atomics.store(h.flag, 1, 1);
    Atomics.notify(h.flag, 1);
  }
  const [out, ms] = await t.joinAsync(JOIN);
  assert.equal(await h.t.joinAsync(JOIN), "released");
  return { out, ms, inBound };
}

// After the holder let go: the queue works and holds exactly `want`, in
// order, then the items put after.
function stillWorks(q: Queue<string>, want: string[]): void {
  q.put("after");
  const got: string[] = [];
  while (q.qsize() > 0) got.push(q.get({ timeout: 30_000 }));
  assert.deepEqual(got, [...want, "after"]);
  assert.throws(() => q.getNowait(), QueueEmptyError);
}

function queueOf(items: string[]): Queue<string> {
  const q = new Queue<string>({ initialCapacity: 8 });
  if (items.length > 0) q.putMany(items);
  return q;
}

const segments = (q: Queue<string>) => Atomics.load(chainOf(q), SEGMENTS);
const EIGHT = Array.from({ length: 8 }, (_, i) => `a${i}`);

describe("an unbounded Queue's blocking put that grows ends at its deadline behind a stalled holder", () => {
  for (const form of ["put", "putMany"]) {
    it(`${form} with a timeout, segment 0's TAIL held by a stalled thread: Full, nothing put, no segment made`, async () => {
      const q = queueOf(["a"]);
      // Its segment try gives up after IDLE_GRACE (TAIL held), then the
      // grow waits for TAIL: until the call's deadline.
      const r = await behind(q, "tail", form, IDLE_GRACE + 300);
      assert.ok(r.inBound, `the ${form} still waited after ${BOUND} ms`);
      assert.equal(r.out, "Full", `${r.out} after ${r.ms} ms`);
      assert.equal(segments(q), 1, "no segment made");
      stillWorks(q, ["a"]);
    });
  }

  it("put with a timeout, segment 0 full and the chain's LOCK held by a stalled grower: Full, nothing put", async () => {
    const q = queueOf(EIGHT);
    const r = await behind(q, "lock", "put", 300);
    assert.ok(r.inBound, `the put still waited after ${BOUND} ms`);
    assert.equal(r.out, "Full", `${r.out} after ${r.ms} ms`);
    assert.equal(segments(q), 1, "no segment made");
    stillWorks(q, EIGHT);
  });

  it("putNowait, segment 0's TAIL held by a stalled thread: waits for it (an unbounded queue's put_nowait never fails; tests/queue/unbounded_hold_test.ts) until its thread is cancelled: CancelledError, nothing put", async () => {
    const q = queueOf(["a"]);
    const r = await behind(
      q,
      "tail",
      "putNowait",
      undefined,
      (t) => t.cancel(),
    );
    assert.ok(r.inBound, `putNowait still waited after ${BOUND} ms`);
    assert.equal(r.out, "Cancelled", `${r.out} after ${r.ms} ms`);
    assert.equal(segments(q), 1, "no segment made");
    stillWorks(q, ["a"]);
  });

  it("an untimed put behind a stalled TAIL ends CancelledError when its thread is cancelled, nothing put", async () => {
    const q = queueOf(["a"]);
    const r = await behind(q, "tail", "put", undefined, (t) => t.cancel());
    assert.ok(r.inBound, `the put still waited after ${BOUND} ms`);
    assert.equal(r.out, "Cancelled", `${r.out} after ${r.ms} ms`);
    assert.equal(segments(q), 1, "no segment made");
    stillWorks(q, ["a"]);
  });

  it("with no holder a blocking put grows as before", () => {
    const q = queueOf(EIGHT);
    q.put("z", { timeout: 1_000 });
    assert.equal(q.putMany(["x", "y"], { timeout: 1_000 }), 2);
    q.putNowait("w");
    assert.equal(segments(q), 2);
    stillWorks(q, [...EIGHT, "z", "x", "y", "w"]);
  });
});
