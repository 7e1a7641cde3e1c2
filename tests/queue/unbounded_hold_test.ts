// Copyright 2026 the threadkit authors. MIT license.
// A put of an unbounded queue never reports Full for a TAIL turn that a
// live thread holds (Python's SimpleQueue.put and an unbounded Queue's
// put/put_nowait never fail): with no timeout it waits for the holder as
// long as it holds, whether its segment has room (the segment try waits)
// or is full (the grow waits for TAIL before it closes the segment). Before,
// a `block: false` put (SimpleQueue.put, putNowait, put with block false)
// gave up after IDLE_GRACE in the segment try and again in the grow, and
// threw QueueFullError behind a holder that was only slow (seen at load
// 50-80 in tests/cpython/simple_queue_test.ts).
// The holder is a thread that takes the segment's TAIL as a put does and
// keeps it until the test lets go; the test lets go once the putter has
// waited on that TAIL word longer than both graces (the putter's own clock:
// tests/_workers/hold_put.ts), or once the put ended. Every wait is bounded.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue, SimpleQueue, Thread } from "../../mod.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { IDLE_GRACE } from "../../queue/_decoding.ts";
import { OFFSET, SEGMENTS } from "../../queue/_chain_memory.ts";
import { until, wordChanged } from "../_helpers.ts";
import type * as holderModule from "../_workers/store_holder.ts";
import type * as putModule from "../_workers/hold_put.ts";

const JOIN = { timeout: 60_000 };
const BOUND = 30_000;
// Longer than a segment try's grace and a grow's together.
const HELD = 2 * IDLE_GRACE + 200;
const holder = new URL("../_workers/store_holder.ts", import.meta.url);
const putter = new URL("../_workers/hold_put.ts", import.meta.url);

type Form = keyof typeof putModule.FORMS;
type Kind = "SimpleQueue" | "Queue";
type Q = SimpleQueue<string> | Queue<string>;

const FORMS: Record<Kind, Form[]> = {
  SimpleQueue: ["put", "putNowait"],
  Queue: [
    "put",
    "put block false",
    "putNowait",
    "putAsync",
    "putAsync block false",
    "putMany",
    "putMany block false",
    "putManyAsync",
    "putManyAsync block false",
  ],
};

function make(kind: Kind, items: string[]): Q {
  const q = kind === "SimpleQueue"
    ? new SimpleQueue<string>({ initialCapacity: 2 })
    : new Queue<string>({ initialCapacity: 2 });
  for (const x of items) q.put(x);
  return q;
}

// The chain header's words up to OFFSET[0] (SEGMENTS among them).
function chainOf(q: Q): Int32Array {
  const { buffer, byteOffset } = q[TO_DESCRIPTOR]() as {
    buffer: SharedArrayBuffer;
    byteOffset: number;
  };
  return new Int32Array(buffer, byteOffset, OFFSET + 1);
}

// One put of `form` behind a thread holding segment 0's TAIL; how it ended.
async function behind(q: Q, form: Form): Promise<string> {
  const chain = chainOf(q);
  const buffer = chain.buffer as SharedArrayBuffer;
  const segment = Atomics.load(chain, OFFSET) >>> 0;
  const hold = new Int32Array(new SharedArrayBuffer(8));
  const h = new Thread<typeof holderModule.holdTurn>({
    target: { module: holder, export: "holdTurn" },
    args: [{ buffer, byteOffset: segment }, hold, false, 40_000],
  });
  h.start();
  const flags = new Int32Array(new SharedArrayBuffer(12));
  let p: Thread<typeof putModule.putBehind> | undefined;
  try {
    assert.equal(await wordChanged(hold, 0, 0), true, "the holder holds");
    p = new Thread<typeof putModule.putBehind>({
      target: { module: putter, export: "putBehind" },
      args: [q, form, buffer, segment, flags],
    });
    p.start();
    assert.equal(await wordChanged(flags, 0, 0), true, "the put started");
    await until(
      () => Atomics.load(flags, 1) >= HELD || Atomics.load(flags, 2) === 1,
      `${form}: waited ${HELD} ms on TAIL, or ended`,
      BOUND,
    );
  } finally {
    Atomics.store(hold, 1, 1); // let go
    Atomics.notify(hold, 1);
  }
  const out = await p.joinAsync(JOIN);
  assert.equal(await h.joinAsync(JOIN), "released");
  return `${out} (waited ${Atomics.load(flags, 1)} ms)`;
}

describe("an unbounded queue's put waits for a live TAIL holder, however long it holds", () => {
  for (const kind of ["SimpleQueue", "Queue"] as const) {
    for (const before of [["a"], ["a", "b"]]) {
      const room = before.length === 1 ? "room in the segment" : "segment full";
      it(`${kind}: ${FORMS[kind].join(", ")}; ${room}`, async () => {
        const qs = FORMS[kind].map(() => make(kind, before));
        const outs = await Promise.all(
          FORMS[kind].map((form, i) => behind(qs[i], form)),
        );
        FORMS[kind].forEach((form, i) => {
          assert.match(outs[i], /^put \(/, `${form}: ${outs[i]}`);
          const got = [];
          while (qs[i].qsize() > 0) got.push(qs[i].get({ timeout: 1_000 }));
          assert.deepEqual(got, [...before, "z"], form);
          const segments = Atomics.load(chainOf(qs[i]), SEGMENTS);
          assert.equal(segments, before.length === 1 ? 1 : 2, form);
        });
      });
    }
  }
});
