// Copyright 2026 the threadkit authors. MIT license.
// An unbounded Queue's async put that decides to grow waits for the full
// segment's TAIL and for the chain's LOCK off the event loop
// (queue/_grow_wait.ts); an async put or get that finds its segment retired
// with no successor yet waits for LOCK. Each of those waits ends at the
// call's deadline (Full, or Empty for a get) or its signal (the signal's
// reason), and leaves the queue as the call found it: the refused item is
// not delivered, no segment was made, and once the holder lets go every item
// put before and after arrives exactly once. Before, these waits took no
// deadline and no signal: behind a holder that stopped (a thread stalled at
// a shared word, here) a timed or aborted call waited for good (the grow) or
// 60 s (the retired segment). Every wait here is bounded (`settled`).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, QueueEmptyError, QueueFullError, Thread } from "../../mod.ts";
import { IDLE_GRACE } from "../../queue/_decoding.ts";
import { OFFSET, SEGMENTS } from "../../queue/_chain_memory.ts";
import { wordChanged } from "../_helpers.ts";
import type * as holderModule from "../_workers/store_holder.ts";

const JOIN = { timeout: 60_000 };
const BOUND = 10_000; // a call still pending this long waits for good
const holder = new URL("../_workers/store_holder.ts", import.meta.url);

type Region = { buffer: SharedArrayBuffer; byteOffset: number };

// The chain header's words and segment 0's region of unbounded queue `q`.
function chainOf(q: Queue<string>): { h: Int32Array; seg0: Region } {
  const r = q.region;
  const h = new Int32Array(r.buffer, r.byteOffset, OFFSET + 1);
  return {
    h,
    seg0: { buffer: r.buffer, byteOffset: Atomics.load(h, OFFSET) >>> 0 },
  };
}

// A thread that holds segment 0's TAIL ("tail"), or the chain's LOCK
// ("lock"; "retired": segment 0 retired with no successor, as a grow in
// progress leaves it), until letGo.
async function startHolder(q: Queue<string>, what: string) {
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const { seg0 } = chainOf(q);
  const r = q.region;
  const t = what === "tail"
    ? new Thread<typeof holderModule.holdTurn>({
      target: { module: holder, export: "holdTurn" },
      args: [seg0, flag, false, 40_000],
    })
    : new Thread<typeof holderModule.holdChain>({
      target: { module: holder, export: "holdChain" },
      args: [
        { buffer: r.buffer, byteOffset: r.byteOffset },
        flag,
        what === "retired",
        40_000,
      ],
    });
  t.start();
  assert.equal(await wordChanged(flag, 0, 0), true, "holder holds");
  return { t, flag };
}

function letGo(flag: Int32Array): void {
  Atomics.store(flag, 1, 1);
  Atomics.notify(flag, 1);
}

/** How `p` settled, or "pending" if not within BOUND ms. */
async function settled(
  p: Promise<unknown>,
): Promise<{ error?: unknown; value?: unknown; pending?: true }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<{ pending: true }>((resolve) => {
    timer = setTimeout(() => resolve({ pending: true }), BOUND);
  });
  try {
    return await Promise.race([
      p.then((value) => ({ value }), (error) => ({ error })),
      bound,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `call` while a holder (startHolder's `what`) holds; the holder is
 * let go once the call settled (or BOUND passed): returns the settlement.
 */
async function behind(
  q: Queue<string>,
  what: string,
  call: () => Promise<unknown>,
): Promise<{ error?: unknown }> {
  const { t, flag } = await startHolder(q, what);
  let r;
  try {
    r = await settled(call());
  } finally {
    letGo(flag);
  }
  assert.equal(await t.joinAsync(JOIN), "released");
  assert.ok(!r.pending, "the call still waited after 10 s");
  return r;
}

// After the holder let go: the queue works, and holds exactly `want`
// (in order) once the items put after are added.
async function stillWorks(q: Queue<string>, want: string[]): Promise<void> {
  q.put("after1");
  await q.putAsync("after2", { timeout: 30_000 });
  const got: string[] = [];
  while (q.qsize() > 0) got.push(await q.getAsync({ timeout: 30_000 }));
  assert.deepEqual(got, [...want, "after1", "after2"]);
  assert.throws(() => q.getNowait(), QueueEmptyError);
}

// An unbounded queue holding `items` (initialCapacity 8).
function queueOf(items: string[]): Queue<string> {
  const q = new Queue<string>({ initialCapacity: 8 });
  if (items.length > 0) q.putMany(items);
  return q;
}

const segments = (q: Queue<string>) => Atomics.load(chainOf(q).h, SEGMENTS);
const EIGHT = Array.from({ length: 8 }, (_, i) => `a${i}`);

describe("an unbounded Queue's async wait for a grow ends at the call's deadline or signal", () => {
  it("putAsync with a timeout, segment 0's TAIL held by a stalled thread: Full at its deadline, nothing put, no segment made", async () => {
    const q = queueOf(["a"]);
    let t0 = 0;
    // Its segment try gives up after IDLE_GRACE (TAIL held), then the grow
    // waits for TAIL: until the call's deadline.
    const r = await behind(q, "tail", () => {
      t0 = performance.now();
      return q.putAsync("z", { timeout: IDLE_GRACE + 300 });
    });
    const took = performance.now() - t0;
    assert.ok(r.error instanceof QueueFullError, String(r.error));
    assert.ok(took >= IDLE_GRACE + 300 - 1, `Full after ${took} ms`);
    assert.equal(segments(q), 1, "no segment made");
    await stillWorks(q, ["a"]);
  });

  it("putAsync with a signal, segment 0's TAIL held by a stalled thread: rejects with the signal's reason, nothing put", async () => {
    const q = queueOf(["a"]);
    const ac = new AbortController();
    const r = await behind(q, "tail", () => {
      // Past the segment try's IDLE_GRACE: the grow's wait for TAIL (an
      // abort during the try: the next case).
      setTimeout(() => ac.abort(), IDLE_GRACE + 200);
      return q.putAsync("z", { signal: ac.signal });
    });
    assert.equal(r.error, ac.signal.reason);
    assert.equal(segments(q), 1, "no segment made");
    await stillWorks(q, ["a"]);
  });

  it("putAsync with a signal aborted while its segment try waits for TAIL: rejects then, not after the try's IDLE_GRACE", async () => {
    const q = queueOf(["a"]);
    const ac = new AbortController();
    let t0 = 0;
    const r = await behind(q, "tail", () => {
      // Its segment try (block: false, a holder that copies) waits up to
      // IDLE_GRACE for TAIL; by the time putAsync returns it waits there.
      t0 = performance.now();
      const p = q.putAsync("z", { signal: ac.signal });
      ac.abort();
      return p;
    });
    const took = performance.now() - t0;
    assert.equal(r.error, ac.signal.reason);
    // Before, the try kept waiting until IDLE_GRACE; then the grow saw the
    // abort (a bound on when the abort is heard, not a speed).
    assert.ok(took < IDLE_GRACE, `rejected ${took} ms after the call`);
    await stillWorks(q, ["a"]);
  });

  it("putAsync with a timeout below IDLE_GRACE, segment 0's TAIL held: Full by its deadline, not after the segment try's grace", async () => {
    const q = queueOf(["a"]);
    let t0 = 0;
    const r = await behind(q, "tail", () => {
      t0 = performance.now();
      return q.putAsync("z", { timeout: 100 });
    });
    const took = performance.now() - t0;
    assert.ok(r.error instanceof QueueFullError, String(r.error));
    // Before, the segment try waited IDLE_GRACE whatever the timeout (a
    // bound on when the deadline is heard, not a speed).
    assert.ok(took < IDLE_GRACE, `Full ${took} ms after the call`);
    assert.equal(segments(q), 1, "no segment made");
    await stillWorks(q, ["a"]);
  });

  it("putAsync({ block: false }), segment 0's TAIL held by a stalled thread: waits for it past both graces (no Full: an unbounded queue's put_nowait never fails), rejects with its signal's reason, nothing put", async () => {
    const q = queueOf(["a"]);
    const ac = new AbortController();
    let t0 = 0;
    const r = await behind(q, "tail", () => {
      t0 = performance.now();
      const p = q.putAsync("z", { block: false, signal: ac.signal });
      // Past the segment try's IDLE_GRACE and the grow's: before, it was
      // Full by then (about 1 s).
      setTimeout(() => ac.abort(), 2 * IDLE_GRACE + 200);
      return p;
    });
    const took = performance.now() - t0;
    assert.equal(r.error, ac.signal.reason, `${r.error} after ${took} ms`);
    assert.equal(segments(q), 1, "no segment made");
    await stillWorks(q, ["a"]);
  });

  it("putManyAsync with a timeout, segment 0's TAIL held: Full, no item put", async () => {
    const q = queueOf(["a"]);
    const r = await behind(
      q,
      "tail",
      () => q.putManyAsync(["x", "y"], { timeout: IDLE_GRACE + 300 }),
    );
    assert.ok(r.error instanceof QueueFullError, String(r.error));
    assert.equal(segments(q), 1, "no segment made");
    await stillWorks(q, ["a"]);
  });

  for (const how of ["timeout", "signal"] as const) {
    let ac = new AbortController();
    const options = () => {
      if (how === "timeout") return { timeout: 300 };
      const mine = ac = new AbortController();
      setTimeout(() => mine.abort(), 300);
      return { signal: mine.signal };
    };
    const refused = (error: unknown, Error: typeof QueueFullError) => {
      if (how === "signal") assert.equal(error, ac.signal.reason);
      else assert.ok(error instanceof Error, String(error));
    };

    it(`putAsync (${how}), segment 0 full and the chain's LOCK held by a stalled grower: refused, nothing put`, async () => {
      const q = queueOf(EIGHT);
      const r = await behind(q, "lock", () => q.putAsync("z", options()));
      refused(r.error, QueueFullError);
      assert.equal(segments(q), 1, "no segment made");
      await stillWorks(q, EIGHT);
    });

    it(`getAsync (${how}), segment 0 retired with no successor (a grow in progress, LOCK held): refused at once, not after 60 s`, async () => {
      const q = queueOf([]);
      const r = await behind(q, "retired", () => q.getAsync(options()));
      refused(r.error, QueueEmptyError as never);
      await stillWorks(q, []);
    });
  }

  for (const batch of [false, true]) {
    it(`${batch ? "putManyAsync" : "putAsync"} that grows never holds the chain's LOCK across a microtask (a sync put of this thread there would wait for good on its own thread)`, async () => {
      const q = queueOf(EIGHT);
      const { h } = chainOf(q);
      let done = false, ticks = 0, held = 0;
      // Nothing here waits (no holder): the put grows in microtasks only,
      // and this loop looks at LOCK (word 0) in every one of them.
      const p = (batch ? q.putManyAsync(["z"]) : q.putAsync("z")).finally(
        () => done = true,
      );
      while (!done && ticks < 10_000) {
        await null;
        ticks++;
        if (Atomics.load(h, 0) !== 0) held++;
      }
      await p;
      assert.equal(held, 0, `LOCK held at ${held} of ${ticks} microtasks`);
      assert.equal(segments(q), 2, "grown once");
      assert.deepEqual(q.getMany(16), [...EIGHT, "z"]);
    });
  }
});
