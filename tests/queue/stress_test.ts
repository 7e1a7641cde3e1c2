// Copyright 2026 the threadkit authors. MIT license.
// MPMC stress: 4 producer threads x 4 consumer threads x 50,000 items each,
// blocking and async callers mixed, for the int32 and the structured queue.
// Every item must be delivered exactly once and each producer's items must
// reach every consumer in order.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue } from "../../mod.ts";
import { deliveredOnce, start } from "./_stress.ts";

const PRODUCERS = 4;
const CONSUMERS = 4;
const N = 50_000;

async function stress(q: Queue<unknown>, structured: boolean, batch: number) {
  const seen = new Uint8Array(new SharedArrayBuffer(PRODUCERS * N));
  const producers = [
    start("produce", [q, 0, N, structured, 1]),
    start("produce", [q, 1, N, structured, batch]),
    start("produceAsync", [q, 2, N, structured]),
    start("produceAsync", [q, 3, N, structured]),
  ];
  const consumers = [
    start("consume", [q, seen, N, PRODUCERS, 1]),
    start("consume", [q, seen, N, PRODUCERS, batch]),
    start("consumeAsync", [q, seen, N, PRODUCERS]),
    start("consumeAsync", [q, seen, N, PRODUCERS]),
  ];
  assert.equal(consumers.length, CONSUMERS);
  // The consumers drain what is left after the shutdown, then end.
  await deliveredOnce(q, producers, consumers, seen, N);
  assert.equal(q.qsize(), 0);
}

// The int32 batch paths: typed-array putMany (TypedArray.set into the
// ring), getManyInto (blocking and async) beside getMany and get, on a
// small ring that is full most of the time (puts look without the lock
// there: _ring.ts #fullNow), or on an unbounded queue that grows to its
// maximum and then fills.
async function stressInt32Batches(q: Queue<number>) {
  const seen = new Uint8Array(new SharedArrayBuffer(PRODUCERS * N));
  const producers = [
    start("produceTyped", [q, 0, N, 50]),
    start("produceTyped", [q, 1, N, 7]),
    start("produce", [q, 2, N, false, 1]),
    start("produceAsync", [q, 3, N, false]),
  ];
  const consumers = [
    start("consumeInto", [q, seen, N, PRODUCERS, 17, false]),
    start("consumeInto", [q, seen, N, PRODUCERS, 64, true]),
    start("consume", [q, seen, N, PRODUCERS, 33]),
    start("consume", [q, seen, N, PRODUCERS, 1]),
  ];
  // The consumers drain what is left after the shutdown, then end.
  await deliveredOnce(q, producers, consumers, seen, N);
  assert.equal(q.qsize(), 0);
}

describe("Queue stress", () => {
  it("Queue<int32> batch paths (typed putMany, getManyInto blocking and async, getMany, get) on a ring of 64 deliver 4 x 50,000 items exactly once, FIFO per producer", async () => {
    await stressInt32Batches(new Queue({ capacity: 64, type: "int32" }));
  });

  it("Queue<int32> unbounded (16 growing to 256) under the same batch load delivers every item exactly once", async () => {
    await stressInt32Batches(
      new Queue({ type: "int32", initialCapacity: 16, maxCapacity: 256 }),
    );
  });

  it("Queue<int32> delivers 4 x 50,000 items exactly once to 4 mixed consumers, FIFO per producer", async () => {
    await stress(new Queue({ capacity: 256, type: "int32" }), false, 64);
  });

  it("Queue<int32> with capacity 3 (not a power of two) delivers every item exactly once", async () => {
    await stress(new Queue({ capacity: 3, type: "int32" }), false, 8);
  });

  it("Queue<structured> delivers 4 x 50,000 objects exactly once to 4 mixed consumers, FIFO per producer", async () => {
    await stress(new Queue({ capacity: 256, bytes: 8192 }), true, 64);
  });
});
