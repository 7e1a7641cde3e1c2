// Copyright 2026 the threadkit authors. MIT license.
// Property tests (fast-check): what a put accepts, a get takes back out with
// the meaning structuredClone gives it, prototypes included, through put/get,
// putMany/getMany, LifoQueue's and PriorityQueue's byte stores and a thread
// boundary (queue items both ways, one by one and in batches; thread args and
// results, graphs included). A failure prints its seed; rerun with
// FC_SEED=<seed>. Run counts are bounded to keep CI short.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { LifoQueue, PriorityQueue, Queue, Thread } from "../../mod.ts";
import {
  assertCloneEqual,
  checkProperty,
  checkPropertyAsync,
  itemArb,
  valueArb,
} from "../_clone_equal.ts";
import { poisonJson } from "../_json_keys.ts";

// This thread's JSON.parse meets keys holding a backslash first, as a
// program's own parses may (V8's misreading of escaped keys, _core/json.ts).
poisonJson();

// A value the codec refuses is fine if structuredClone refuses it too.
function sent(value: unknown): { want: unknown } | undefined {
  try {
    return { want: structuredClone(value) };
  } catch {
    return undefined;
  }
}

describe("Queue structured items (property)", () => {
  it("Queue.put()/get() give back structuredClone(value) for arbitrary values", () => {
    const q = new Queue<unknown>({ capacity: 4, bytes: 1 << 20 });
    checkProperty(
      "Queue put/get",
      fc.property(itemArb(), (value) => {
        const s = sent(value);
        if (s === undefined) {
          assert.throws(() => q.put(value), TypeError);
          return;
        }
        q.put(value);
        assertCloneEqual(q.get({ timeout: 1000 }), s.want);
      }),
      1000,
    );
    assert.equal(q.qsize(), 0);
  });

  it("LifoQueue.put()/get() give back structuredClone(value) (byte store)", () => {
    const q = new LifoQueue<unknown>({ capacity: 4, bytes: 1 << 20 });
    checkProperty(
      "LifoQueue put/get",
      fc.property(itemArb(), (value) => {
        q.put(value);
        assertCloneEqual(q.get({ timeout: 1000 }), structuredClone(value));
      }),
      500,
    );
  });

  it("Queue.putMany()/getMany() give back structuredClone of each item", () => {
    const q = new Queue<unknown>({ capacity: 64, bytes: 1 << 20 });
    checkProperty(
      "Queue putMany/getMany",
      fc.property(fc.array(itemArb(), { maxLength: 8 }), (items) => {
        const want = items.map((v) => structuredClone(v));
        if (items.length === 0) return;
        q.putMany(items);
        const got = q.getMany(undefined, { timeout: 1000 });
        assert.equal(got.length, items.length);
        got.forEach((g, i) => assertCloneEqual(g, want[i]));
      }),
      300,
    );
  });

  it("Queue items keep structuredClone's meaning across a thread and back", () => {
    const toThread = new Queue<unknown[]>({ capacity: 8, bytes: 1 << 20 });
    const back = new Queue<unknown>({ capacity: 8, bytes: 1 << 20 });
    // Echo: each [0, value] comes back as it arrived; [1] ends the thread.
    const echo = new Thread({
      name: "echo",
      target: (inbox: Queue<unknown[]>, outbox: Queue<unknown>) => {
        for (;;) {
          const m = inbox.get({ timeout: 60_000 });
          if (m[0] === 1) return "done";
          outbox.put(m[1], { timeout: 60_000 });
        }
      },
      args: [toThread, back],
    });
    echo.start();
    try {
      // The thread's start (a worker, type-checked on first use under deno
      // test) is not part of any property run: wait for one echo first.
      toThread.put([0, "ready"], { timeout: 60_000 });
      assert.equal(back.get({ timeout: 60_000 }), "ready");
      checkProperty(
        "Queue across a thread",
        fc.property(itemArb(), (value) => {
          toThread.put([0, value], { timeout: 20_000 });
          assertCloneEqual(
            back.get({ timeout: 20_000 }),
            structuredClone(value),
          );
        }),
        400,
      );
    } finally {
      toThread.put([1], { timeout: 20_000 });
      assert.equal(echo.join({ timeout: 60_000 }), true);
    }
    assert.equal(echo.result, "done");
  });

  it("Queue.putMany()/getMany() across a thread and back give structuredClone of each item", () => {
    const toThread = new Queue<unknown>({ capacity: 64, bytes: 1 << 20 });
    const back = new Queue<unknown>({ capacity: 64, bytes: 1 << 20 });
    // Echo: a batch [0, items] comes back with putMany as it arrived (one
    // getMany in the thread); [1] ends the thread.
    const echo = new Thread({
      name: "echo-many",
      target: (inbox: Queue<unknown>, outbox: Queue<unknown>) => {
        for (;;) {
          const m = inbox.get({ timeout: 60_000 }) as [number, unknown[]];
          if (m[0] === 1) return "done";
          const got: unknown[] = [];
          while (got.length < m[1].length) {
            got.push(...inbox.getMany(m[1].length - got.length, {
              timeout: 60_000,
            }));
          }
          outbox.putMany(got, { timeout: 60_000 });
        }
      },
      args: [toThread, back],
    });
    echo.start();
    try {
      toThread.putMany([[0, ["ready"]], "ready"], { timeout: 60_000 });
      assert.deepEqual(back.getMany(1, { timeout: 60_000 }), ["ready"]);
      checkProperty(
        "Queue putMany/getMany across a thread",
        fc.property(
          fc.array(itemArb(), { minLength: 1, maxLength: 6 }),
          (items) => {
            const want = items.map((v) => structuredClone(v));
            // The thread learns the count first, then takes the batch.
            toThread.put([0, items.map(() => 0)], { timeout: 20_000 });
            toThread.putMany(items, { timeout: 20_000 });
            const got: unknown[] = [];
            while (got.length < items.length) {
              got.push(...back.getMany(items.length - got.length, {
                timeout: 20_000,
              }));
            }
            got.forEach((g, i) => assertCloneEqual(g, want[i]));
          },
        ),
        200,
      );
    } finally {
      toThread.put([1], { timeout: 20_000 });
      assert.equal(echo.join({ timeout: 60_000 }), true);
    }
    assert.equal(echo.result, "done");
  });

  it("PriorityQueue.put()/get() and LifoQueue.putMany()/getMany() give back structuredClone", () => {
    const pq = new PriorityQueue<[number, unknown]>({
      capacity: 4,
      bytes: 1 << 20,
    });
    checkProperty(
      "PriorityQueue put/get",
      fc.property(fc.integer(), itemArb(), (priority, value) => {
        pq.put([priority, value]);
        assertCloneEqual(
          pq.get({ timeout: 1000 }),
          structuredClone([priority, value]),
        );
      }),
      300,
    );
    const lq = new LifoQueue<unknown>({ capacity: 16, bytes: 1 << 20 });
    checkProperty(
      "LifoQueue putMany/getMany",
      fc.property(
        fc.array(itemArb(), { minLength: 1, maxLength: 6 }),
        (items) => {
          const want = items.map((v) => structuredClone(v)).reverse();
          lq.putMany(items);
          const got = lq.getMany(undefined, { timeout: 1000 });
          assert.equal(got.length, items.length);
          got.forEach((g, i) => assertCloneEqual(g, want[i]));
        },
      ),
      200,
    );
  });

  it("Thread args and results with shared references and cycles keep structuredClone's meaning", async () => {
    await checkPropertyAsync(
      "Thread args/result (graphs)",
      fc.asyncProperty(itemArb(), async (value) => {
        const t = new Thread({ target: (x: unknown) => x, args: [value] });
        t.start();
        assertCloneEqual(
          await t.joinAsync({ timeout: 60_000 }),
          structuredClone(value),
        );
      }),
      8,
    );
  });

  it("Thread args and results keep structuredClone's meaning (marker keys too)", async () => {
    await checkPropertyAsync(
      "Thread args/result",
      fc.asyncProperty(valueArb(3), async (value) => {
        const t = new Thread({ target: (x: unknown) => x, args: [value] });
        t.start();
        const result = await t.joinAsync({ timeout: 60_000 });
        assert.equal(t.isAlive(), false);
        assertCloneEqual(result, structuredClone(value));
        assertCloneEqual(t.result, structuredClone(value));
      }),
      12,
    );
  });
});
