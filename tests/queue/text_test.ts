// Copyright 2026 the threadkit authors. MIT license.
// The structured ring's text moves (queue/_text_io.ts) and its batch
// encoding (one JSON text per putMany, split at its elements:
// queue/_text_batch.ts arrayBatch): exact items back, one by one and in any
// split, with strings that look like JSON structure, escapes, non-ASCII
// text and lone surrogates, tagged items among plain ones, records that
// wrap the byte region, on a runtime without Buffer, and across threads
// with exact counts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { moduleTarget, Queue, QueueFullError, Thread } from "../../mod.ts";
import { assertCloneEqual, checkProperty } from "../_clone_equal.ts";
import { until } from "../_helpers.ts";
import type * as work from "../_workers/queue_stress.ts";
import { HEAD, HEADER_BYTES, HLAPS, MODULUS } from "../../queue/_layout.ts";
import { TAIL } from "../../queue/_layout.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { seenEmpty } from "../../queue/_text_run.ts";
import { LOCKED, POSITION, SLEEPER } from "../../queue/_turn.ts";
import { TAKEN } from "../../queue/_head.ts";

const WAIT = { timeout: 10_000 };

/** Strings that look like JSON structure, escapes, or are not ASCII. */
const TRICKY: readonly string[] = [
  "",
  ",",
  '"',
  '\\"',
  "\\",
  "\\\\",
  '","',
  "},{",
  "],[",
  "[1,2]",
  '{"a":1}',
  "\u0000",
  "\n\t\r",
  "h\u00e9llo w\u00f6rld \u2713",
  "\ud83d\ude00",
  "\ud800", // lone surrogates
  "a\udc00b",
  "\u2028\u2029",
  "x".repeat(300),
  "\u00e9".repeat(700), // over the 1 KiB decode scratch
];

function items(): unknown[] {
  const out: unknown[] = [];
  TRICKY.forEach((s, i) => {
    out.push(s, { [s]: s, i }, [s, [s, { s }]]);
    const holey = [1, 2, 3];
    delete holey[1];
    if (i % 3 === 0) out.push(NaN, -0, new Date(i), undefined, holey);
  });
  out.push({ a: { b: { c: [{ d: "]}," }] } } }, [], {}, 0, true, null);
  return out;
}

describe("Queue structured text", () => {
  it("Queue.putMany() then get() one by one gives back every item exactly (strings that look like JSON, escapes, unicode, lone surrogates, tagged among plain)", () => {
    const xs = items();
    const q = new Queue<unknown>({ capacity: xs.length, bytes: 1 << 16 });
    assert.equal(q.putMany(xs), xs.length);
    for (const x of xs) assertCloneEqual(q.get(WAIT), structuredClone(x));
    assert.equal(q.qsize(), 0);
  });

  it("Queue.put() one by one, then get() and getMany(), gives back every item exactly (unicode and ASCII records side by side; records that find room only by their own length)", () => {
    const xs = items();
    const q = new Queue<unknown>({ capacity: xs.length, bytes: 1 << 16 });
    for (const x of xs) q.put(x);
    for (const x of xs.slice(0, 9)) {
      assertCloneEqual(q.get(WAIT), structuredClone(x));
    }
    const rest = q.getMany(xs.length, WAIT);
    rest.forEach((g, i) => assertCloneEqual(g, structuredClone(xs[9 + i])));
    assert.equal(rest.length + 9, xs.length);
    // 512 bytes: the 152-byte text of c, after a and b (bytes 0...125),
    // has room for itself (to 279) but not for 3 bytes a unit (to 583): it
    // goes in by its own length (Node, Bun: a single put writes with
    // utf8Write only where room for 3 bytes a unit is found).
    const small = new Queue<string>({ capacity: 8, bytes: 512 });
    const a = "a".repeat(40), b = "\u00e9".repeat(40), c = "x".repeat(150);
    for (let round = 0; round < 20; round++) {
      small.put(a);
      small.put(b);
      small.put(c);
      assert.deepEqual(small.getMany(3, WAIT), [a, b, c]);
    }
  });

  it("Queue.getMany() takes a putMany batch in any split", () => {
    const xs = items();
    const q = new Queue<unknown>({ capacity: xs.length, bytes: 1 << 16 });
    for (const sizes of [[1, 2, 3, 5, 8, 13, 21], [xs.length], [7, 1]]) {
      assert.equal(q.putMany(xs), xs.length);
      const got: unknown[] = [];
      let k = 0;
      while (got.length < xs.length) {
        got.push(...q.getMany(sizes[k++ % sizes.length], WAIT));
      }
      assert.equal(got.length, xs.length);
      got.forEach((g, i) => assertCloneEqual(g, structuredClone(xs[i])));
    }
  });

  it("Queue.putMany()/get() round-trip arbitrary JSON values one by one (property)", () => {
    const q = new Queue<unknown>({ capacity: 64, bytes: 1 << 16 });
    const str = fc.oneof(fc.string(), fc.constantFrom(...TRICKY));
    const json = fc.jsonValue().map((v) => v as unknown);
    const value = fc.oneof(str, json, fc.array(fc.oneof(str, json)));
    checkProperty(
      "putMany/get split",
      fc.property(fc.array(value, { maxLength: 20 }), (xs) => {
        assert.equal(q.putMany(xs), xs.length);
        for (const x of xs) assertCloneEqual(q.get(WAIT), structuredClone(x));
        assert.equal(q.qsize(), 0);
      }),
      300,
    );
  });

  it("Queue.putMany() batches whose records wrap the byte region come back in order", () => {
    // 1000 bytes: a batch of 8 records of 60-70 bytes wraps every few puts.
    const q = new Queue<unknown>({ capacity: 16, bytes: 1000 });
    let next = 0, want = 0;
    for (let round = 0; round < 200; round++) {
      const batch = [];
      for (let k = 0; k < 8; k++) {
        const i = next++;
        batch.push({ i, s: TRICKY[i % 14] + "\u00e9".repeat(i % 5) });
      }
      let done = 0;
      while (done < batch.length) {
        try {
          done += q.putMany(batch.slice(done), { block: false });
        } catch (error) {
          if (!(error instanceof QueueFullError)) throw error;
        }
        for (const x of q.getMany(3)) {
          const y = x as { i: number; s: string };
          assert.equal(y.i, want);
          assert.equal(y.s, TRICKY[want % 14] + "\u00e9".repeat(want % 5));
          want++;
        }
      }
    }
    while (q.qsize() > 0) {
      const y = q.get(WAIT) as { i: number };
      assert.equal(y.i, want++);
    }
    assert.equal(want, next);
  });

  it("Queue (structured) moves text without Buffer (the browsers' path: TextDecoder on a copy)", () => {
    const g = globalThis as { Buffer?: unknown };
    const saved = g.Buffer;
    let q: Queue<unknown>;
    try {
      delete g.Buffer; // read when a handle's ring is made
      assert.equal(typeof g.Buffer, "undefined");
      q = new Queue<unknown>({ capacity: 256, bytes: 1 << 16 });
    } finally {
      if (saved !== undefined) g.Buffer = saved;
    }
    const xs = items();
    for (const x of xs) q.put(x, WAIT);
    for (const x of xs) assertCloneEqual(q.get(WAIT), structuredClone(x));
    assert.equal(q.putMany(xs.slice(0, 60)), 60);
    q.getMany(60, WAIT).forEach((g, i) =>
      assertCloneEqual(g, structuredClone(xs[i]))
    );
  });

  it("Queue.putMany() where the program defined Array.prototype.toJSON refuses with a TypeError and runs none (JSON.stringify would call it: queue/_codec.ts toJSON)", () => {
    const proto = Array.prototype as unknown as { toJSON?: () => unknown };
    const q = new Queue<unknown>({ capacity: 8, bytes: 1024 });
    let ran = 0;
    proto.toJSON = () => (ran++, "array");
    try {
      assert.throws(() => q.putMany([[2]]), /Array\.prototype has a toJSON/);
      assert.throws(() => q.putMany([3, "x", { a: 1 }]), TypeError);
    } finally {
      delete proto.toJSON;
    }
    assert.equal(ran, 0);
    assert.equal(q.qsize(), 0);
    assert.equal(q.putMany([3, "x", { a: 1 }]), 3);
    assert.deepEqual(q.getMany(3, WAIT), [3, "x", { a: 1 }]);
  });

  it("Queue (structured) does not read records through a Buffer that copies shared memory instead of sharing it", () => {
    const g = globalThis as { Buffer?: unknown };
    const saved = g.Buffer;
    const decoder = new TextDecoder();
    // A Buffer polyfill whose from() copies its source.
    class CopyingBuffer {
      readonly #bytes: Uint8Array;
      constructor(bytes: Uint8Array) {
        this.#bytes = bytes;
      }
      static from(b: ArrayBufferLike, offset: number, length: number) {
        return new CopyingBuffer(new Uint8Array(b, offset, length).slice());
      }
      toString(_encoding: string, start: number, end: number): string {
        return decoder.decode(this.#bytes.subarray(start, end));
      }
    }
    let q: Queue<unknown>;
    try {
      g.Buffer = CopyingBuffer;
      q = new Queue<unknown>({ capacity: 8, bytes: 1024 });
    } finally {
      g.Buffer = saved;
    }
    const xs = [{ id: 1, s: "abc" }, "h\u00e9llo", [1, 2, 3]];
    for (const x of xs) q.put(x, WAIT);
    for (const x of xs) assert.deepEqual(q.get(WAIT), x);
    assert.equal(q.putMany(xs), 3);
    assert.deepEqual(q.getMany(3, WAIT), xs);
  });

  it("Queue (structured) reads records with a Buffer's toString where its latin1Slice and utf8Slice do not decode as toString does", () => {
    const g = globalThis as { Buffer?: unknown };
    const saved = g.Buffer;
    const decoder = new TextDecoder();
    // Shares the memory and decodes right with toString; its slices lie.
    class LyingSlices {
      readonly #bytes: Uint8Array;
      constructor(bytes: Uint8Array) {
        this.#bytes = bytes;
      }
      static from(b: ArrayBufferLike, offset: number, length: number) {
        return new LyingSlices(new Uint8Array(b, offset, length));
      }
      toString(_encoding: string, start: number, end: number): string {
        return decoder.decode(this.#bytes.slice(start, end));
      }
      latin1Slice(): string {
        return "1";
      }
      utf8Slice(): string {
        return "2";
      }
    }
    let q: Queue<unknown>;
    try {
      g.Buffer = LyingSlices;
      q = new Queue<unknown>({ capacity: 8, bytes: 1024 });
    } finally {
      g.Buffer = saved;
    }
    const xs = [{ id: 1, s: "abc" }, "h\u00e9llo", [1, 2, 3]];
    for (const x of xs) q.put(x, WAIT);
    for (const x of xs) assert.deepEqual(q.get(WAIT), x);
    assert.equal(q.putMany(xs), 3);
    assert.deepEqual(q.getMany(3, WAIT), xs);
  });

  it("Queue (structured) with capacity 2 wakes its sleeping putters: 3 producers (put, putMany, putAsync) to 2 consumers deliver 3 x 5,000 items exactly once", async () => {
    // Nearly every put finds the queue full and sleeps (PSLEEP, _turn.ts).
    const WORK = new URL("../_workers/queue_stress.ts", import.meta.url);
    const N = 5_000, P = 3;
    const q = new Queue<unknown>({ capacity: 2, bytes: 256 });
    const seen = new Uint8Array(new SharedArrayBuffer(P * N));
    const start = (name: keyof typeof work, args: unknown[]) => {
      const t = new Thread({
        target: moduleTarget<(...a: never[]) => unknown>(WORK, name),
        args: args as never,
      });
      t.start();
      return t;
    };
    const producers = [
      start("produce", [q, 0, N, true, 1]),
      start("produce", [q, 1, N, true, 4]),
      start("produceAsync", [q, 2, N, true]),
    ];
    const consumers = [
      start("consume", [q, seen, N, P, 1]),
      start("consumeAsync", [q, seen, N, P]),
    ];
    for (const p of producers) {
      assert.equal(await p.joinAsync({ timeout: 120_000 }), N);
    }
    q.shutdown();
    let total = 0;
    for (const c of consumers) {
      const r = await c.joinAsync({ timeout: 120_000 }) as work.Consumed;
      assert.equal(r.ordered, true, "a producer's items arrived out of order");
      total += r.count;
    }
    assert.equal(total, P * N);
    const bad = seen.findIndex((x) => x !== 1);
    assert.equal(bad, -1, `item ${bad} delivered ${seen[bad]} times`);
  });

  it("Queue.putMany() from 2 threads to 2 getMany consumers delivers 2 x 20,000 items exactly once, FIFO per producer", async () => {
    const WORK = new URL("../_workers/queue_stress.ts", import.meta.url);
    const N = 20_000, P = 2;
    const q = new Queue<unknown>({ capacity: 128, bytes: 4096 });
    const seen = new Uint8Array(new SharedArrayBuffer(P * N));
    const start = (name: keyof typeof work, args: unknown[]) => {
      const t = new Thread({
        target: moduleTarget<(...a: never[]) => unknown>(WORK, name),
        args: args as never,
      });
      t.start();
      return t;
    };
    const producers = [
      start("produce", [q, 0, N, true, 37]),
      start("produce", [q, 1, N, true, 100]),
    ];
    const consumers = [
      start("consume", [q, seen, N, P, 7]),
      start("consume", [q, seen, N, P, 64]),
    ];
    for (const p of producers) {
      assert.equal(await p.joinAsync({ timeout: 120_000 }), N);
    }
    q.shutdown();
    let total = 0;
    for (const c of consumers) {
      const r = await c.joinAsync({ timeout: 120_000 }) as work.Consumed;
      assert.equal(r.ordered, true, "a producer's items arrived out of order");
      total += r.count;
    }
    assert.equal(total, P * N);
    const bad = seen.findIndex((x) => x !== 1);
    assert.equal(bad, -1, `item ${bad} delivered ${seen[bad]} times`);
  });

  it("Queue (structured) with capacity 2 and getters that look without HEAD's turn (nowait pollers, blocking get and getMany, for await) delivers 2 x 20,000 items exactly once, FIFO per producer, across HEAD's wrap M -> 0", async () => {
    // The queue is empty at most tries: seenEmpty (queue/_text_run.ts)
    // answers them with three loads while the producers' puts land. TAIL
    // and HEAD start 300 short of M, so HEAD wraps (HLAPS moves) early on.
    const WORK = new URL("../_workers/queue_stress.ts", import.meta.url);
    const N = 20_000, P = 2;
    const q = new Queue<unknown>({ capacity: 2, bytes: 256 });
    const d = q[TO_DESCRIPTOR]();
    const h = new Int32Array(d.buffer as SharedArrayBuffer, d.byteOffset, 96);
    Atomics.store(h, TAIL, h[MODULUS] - 300);
    Atomics.store(h, HEAD, h[MODULUS] - 300);
    const seen = new Uint8Array(new SharedArrayBuffer(P * N));
    const start = (name: keyof typeof work, args: unknown[]) => {
      const t = new Thread({
        target: moduleTarget<(...a: never[]) => unknown>(WORK, name),
        args: args as never,
      });
      t.start();
      return t;
    };
    const consumers = [
      start("consumeNowait", [q, seen, N, P, 3]),
      start("consumeNowait", [q, seen, N, P, 1]),
      start("consume", [q, seen, N, P, 1]),
      start("consume", [q, seen, N, P, 5]),
      start("consumeAsync", [q, seen, N, P]),
    ];
    const producers = [
      start("produce", [q, 0, N, true, 1]),
      start("produce", [q, 1, N, true, 3]),
    ];
    try { // the pollers end only at the shutdown, also when a check fails
      for (const p of producers) {
        assert.equal(await p.joinAsync({ timeout: 120_000 }), N);
      }
    } finally {
      q.shutdown();
    }
    let total = 0;
    for (const c of consumers) {
      const r = await c.joinAsync({ timeout: 120_000 }) as work.Consumed;
      assert.equal(r.ordered, true, "a producer's items arrived out of order");
      total += r.count;
    }
    assert.equal(total, P * N);
    const bad = seen.findIndex((x) => x !== 1);
    assert.equal(bad, -1, `item ${bad} delivered ${seen[bad]} times`);
    assert.ok(Atomics.load(h, HLAPS) >= 1, "HEAD did not wrap");
  });

  it("Queue (structured) with capacity 4: an immediate shutdown racing getters that look without HEAD's turn (nowait get and getMany, blocking get and getMany) takes each item at most once, discards the rest and lets join() return", async () => {
    const WORK = new URL("../_workers/queue_stress.ts", import.meta.url);
    const start = (name: keyof typeof work, args: unknown[]) => {
      const t = new Thread({
        target: moduleTarget<(...a: never[]) => unknown>(WORK, name),
        args: args as never,
      });
      t.start();
      return t;
    };
    for (let round = 0; round < 4; round++) {
      const q = new Queue<number>({ capacity: 4, bytes: 256 });
      const n = 1 << 20;
      const seen = new Uint8Array(new SharedArrayBuffer(n));
      const progress = new Int32Array(new SharedArrayBuffer(4));
      const w = start("produceUntilShut", [q, n]);
      const getters = [
        start("takeUntilShut", [q, seen, progress, 1, false]),
        start("takeUntilShut", [q, seen, progress, 3, false]),
        start("takeUntilShut", [q, seen, progress, 1, true]),
        start("takeUntilShut", [q, seen, progress, 2, true]),
      ];
      const at = 200 + round * 500;
      try { // the nowait getters end only at the shutdown
        await until(() => Atomics.load(progress, 0) >= at, "getters' progress");
      } finally {
        q.shutdown({ immediate: true });
      }
      const accepted = await w.joinAsync({ timeout: 120_000 }) as number;
      let taken = 0;
      for (const g of getters) {
        taken += await g.joinAsync({ timeout: 120_000 }) as number;
      }
      assert.ok(taken >= at && taken <= accepted, `${taken} of ${accepted}`);
      assert.equal(q.qsize(), 0);
      const twice = seen.findIndex((x) => x > 1);
      assert.equal(twice, -1, `item ${twice} taken ${seen[twice]} times`);
      const late = seen.findIndex((x, i) => x !== 0 && i >= accepted);
      assert.equal(late, -1, `item ${late} taken but never accepted`);
      // Every accepted item was taken (and done) or discarded (counted done).
      assert.equal(q.join({ timeout: 10_000 }), true);
    }
  });

  it("seenEmpty calls the ring empty only when TAIL, HEAD's whole word and HLAPS are as the handle left them", () => {
    const h = new Int32Array(new SharedArrayBuffer(HEADER_BYTES));
    const look = (tail: number, head: number, hlaps: number) => {
      Atomics.store(h, TAIL, tail);
      Atomics.store(h, HEAD, head);
      Atomics.store(h, HLAPS, hlaps);
      return seenEmpty(h, Atomics.load(h, TAIL) & POSITION, 5 | TAKEN, 3);
    };
    assert.equal(look(5, 5 | TAKEN, 3), true);
    assert.equal(look(5 | SLEEPER, 5 | TAKEN, 3), true); // a getter's flag
    assert.equal(look(6, 5 | TAKEN, 3), false); // an item went in
    assert.equal(look(5, 5, 3), false); // taken over since
    assert.equal(look(5, 5 | TAKEN | LOCKED, 3), false); // held now
    assert.equal(look(5, 5 | TAKEN, 4), false); // HEAD wrapped since
  });
});
