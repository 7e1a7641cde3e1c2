// Copyright 2026 the threadkit authors. MIT license.
// Queue benchmarks, each beside its baseline in the same run:
// - int32 items, one producer (main thread) and one consumer thread: a
//   minimal hand-written SPSC ring (the limit), Queue put/get (default, and
//   with singleWriter + singleReader), and Queue putMany/getMany in batches
//   of 1024;
// - structured items { id, payload: 32 chars } to one consumer: postMessage
//   one message per item (what users do instead), postMessage in batches of
//   1000, Queue put/get, and Queue putMany/getMany in batches of 1000.
// Threads start outside the timed function; every round checks the count and
// a checksum computed by the consumer.
import { bench, run, summary } from "mitata";
import { Queue, Thread } from "../mod.ts";

/** int32 items per timed round. */
const INT_ITEMS = 200_000;
/** Structured items per timed round. */
const OBJ_ITEMS = 20_000;
const RING = 1024;
const PAYLOAD = "abcdefghijklmnopqrstuvwxyz012345";

interface Item {
  id: number;
  payload: string;
}

// ---- consumer threads (self-contained: sent as source) ----

const handConsumer = (
  h: Int32Array,
  d: Int32Array,
  ctl: Queue<number>,
  done: Queue<number>,
) => {
  const cap = d.length;
  let head = 0;
  for (;;) {
    const n = ctl.get();
    if (n < 0) return;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      while (Atomics.load(h, 16) === head);
      sum += d[head];
      head = head + 1 === cap ? 0 : head + 1;
      Atomics.store(h, 0, head);
    }
    done.put(sum);
  }
};

const POST_WORKER = `
let sum = 0, count = 0, want = -1;
self.onmessage = (e) => {
  const m = e.data;
  if (typeof m === "number") { want = m; sum = 0; count = 0; return; }
  if (Array.isArray(m)) {
    for (const o of m) sum += o.id + o.payload.length;
    count += m.length;
  } else { sum += m.id + m.payload.length; count++; }
  if (count === want) self.postMessage(sum);
};`;

// ---- helpers ----

function intSum(n: number): number {
  return n * (n - 1) / 2;
}

function objSum(n: number): number {
  return n * (n - 1) / 2 + n * PAYLOAD.length;
}

function check(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: checksum ${got}, want ${want}`);
}

interface Crew {
  ctl: Queue<number>;
  done: Queue<number>;
  thread: Thread;
}

function startCrew(
  target: (...args: never[]) => unknown,
  args: unknown[],
): Crew {
  const ctl = new Queue<number>({ capacity: 4, type: "int32" });
  const done = new Queue<number>({ capacity: 4, type: "float64" });
  const thread = new Thread({
    target: target as never,
    args: [...args, ctl, done] as never,
    name: "queue bench consumer",
  });
  thread.start();
  return { ctl, done, thread };
}

/** queueConsumer's leading args; startCrew appends ctl and done. */
function consumerArgs(q: Queue<unknown>, batch: number, structured: boolean) {
  return [q, batch, structured];
}

const queueConsumer = (
  q: Queue<unknown>,
  batch: number,
  structured: boolean,
  ctl: Queue<number>,
  done: Queue<number>,
) => {
  for (;;) {
    const n = ctl.get();
    if (n < 0) return;
    let sum = 0, got = 0;
    while (got < n) {
      if (batch === 1) {
        const x = q.get();
        sum += structured
          ? (x as Item).id + (x as Item).payload.length
          : x as number;
        got++;
      } else {
        const xs = q.getMany(batch);
        for (let i = 0; i < xs.length; i++) {
          const x = xs[i];
          sum += structured
            ? (x as Item).id + (x as Item).payload.length
            : x as number;
        }
        got += xs.length;
      }
    }
    done.put(sum);
  }
};

function postWorker(): Worker {
  return new Worker(
    `data:application/javascript,${encodeURIComponent(POST_WORKER)}`,
    { type: "module" },
  );
}

function reply(w: Worker): Promise<number> {
  return new Promise((resolve) => {
    w.onmessage = (e) => resolve(e.data as number);
  });
}

const items: Item[] = Array.from(
  { length: OBJ_ITEMS },
  (_, id) => ({ id, payload: PAYLOAD }),
);
const ints = Int32Array.from({ length: INT_ITEMS }, (_, i) => i);

/** The names of the fixed-vs-unbounded group (the summary looks them up). */
export const GROWN: {
  fixedInt: string;
  unboundedInt: string;
  fixedObj: string;
  unboundedObj: string;
} = {
  fixedInt: `Queue int32 put/get (fixed, capacity ${RING}), ${INT_ITEMS} items`,
  unboundedInt: `Queue int32 put/get (unbounded), ${INT_ITEMS} items`,
  fixedObj:
    `Queue structured put/get (fixed, capacity ${RING}), ${OBJ_ITEMS} objects`,
  unboundedObj: `Queue structured put/get (unbounded), ${OBJ_ITEMS} objects`,
};

// One producer (the main thread) and one consumer thread over `q`.
function* spsc<T>(
  q: Queue<T>,
  what: string,
  n: number,
  item: (i: number) => T,
  want: number,
  structured: boolean,
) {
  const crew = startCrew(
    queueConsumer,
    consumerArgs(q as Queue<unknown>, 1, structured),
  );
  yield () => {
    crew.ctl.put(n);
    for (let i = 0; i < n; i++) q.put(item(i));
    check(what, crew.done.get({ timeout: 60_000 }), want);
  };
  crew.ctl.put(-1);
  crew.thread.join({ timeout: 60_000 });
}

/** Registers the queue benchmarks with mitata. */
export function register(): void {
  // What unboundedness costs: the same single-item traffic through a fixed
  // Queue and an unbounded one (segments added as the producer gets ahead).
  summary(() => {
    bench(GROWN.fixedInt, function* () {
      const q = new Queue<number>({ capacity: RING, type: "int32" });
      yield* spsc(
        q,
        "fixed int32",
        INT_ITEMS,
        (i) => i,
        intSum(INT_ITEMS),
        false,
      );
    }).baseline(true);
    bench(GROWN.unboundedInt, function* () {
      const q = new Queue<number>({ type: "int32", initialCapacity: RING });
      yield* spsc(
        q,
        "unbounded int32",
        INT_ITEMS,
        (i) => i,
        intSum(INT_ITEMS),
        false,
      );
    });
  });
  summary(() => {
    bench(GROWN.fixedObj, function* () {
      const q = new Queue<Item>({ capacity: RING });
      yield* spsc(
        q,
        "fixed structured",
        OBJ_ITEMS,
        (i) => items[i],
        objSum(OBJ_ITEMS),
        true,
      );
    }).baseline(true);
    bench(GROWN.unboundedObj, function* () {
      const q = new Queue<Item>({ initialCapacity: RING });
      yield* spsc(
        q,
        "unbounded structured",
        OBJ_ITEMS,
        (i) => items[i],
        objSum(OBJ_ITEMS),
        true,
      );
    });
  });

  summary(() => {
    bench(`hand SPSC int32 ring, ${INT_ITEMS} items`, function* () {
      const h = new Int32Array(new SharedArrayBuffer(128));
      const d = new Int32Array(new SharedArrayBuffer(RING * 4));
      const crew = startCrew(handConsumer, [h, d]);
      let tail = 0;
      yield () => {
        crew.ctl.put(INT_ITEMS);
        for (let i = 0; i < INT_ITEMS; i++) {
          const next = tail + 1 === RING ? 0 : tail + 1;
          while (Atomics.load(h, 0) === next);
          d[tail] = i;
          Atomics.store(h, 16, tail = next);
        }
        check(
          "hand ring",
          crew.done.get({ timeout: 60_000 }),
          intSum(INT_ITEMS),
        );
      };
      crew.ctl.put(-1);
      crew.thread.join({ timeout: 60_000 });
    }).baseline(true);

    bench(`Queue int32 put/get, ${INT_ITEMS} items`, function* () {
      const q = new Queue<number>({ capacity: RING, type: "int32" });
      const crew = startCrew(
        queueConsumer,
        consumerArgs(q as Queue<unknown>, 1, false),
      );
      yield () => {
        crew.ctl.put(INT_ITEMS);
        for (let i = 0; i < INT_ITEMS; i++) q.put(i);
        check(
          "Queue int32",
          crew.done.get({ timeout: 60_000 }),
          intSum(INT_ITEMS),
        );
      };
      crew.ctl.put(-1);
      crew.thread.join({ timeout: 60_000 });
    });

    bench(
      `Queue int32 put/get, singleWriter+singleReader, ${INT_ITEMS} items`,
      function* () {
        const q = new Queue<number>({
          capacity: RING,
          type: "int32",
          singleWriter: true, // this thread
          singleReader: true, // the consumer thread
        });
        const crew = startCrew(
          queueConsumer,
          consumerArgs(q as Queue<unknown>, 1, false),
        );
        yield () => {
          crew.ctl.put(INT_ITEMS);
          for (let i = 0; i < INT_ITEMS; i++) q.put(i);
          check(
            "Queue int32 single sides",
            crew.done.get({ timeout: 60_000 }),
            intSum(INT_ITEMS),
          );
        };
        crew.ctl.put(-1);
        crew.thread.join({ timeout: 60_000 });
      },
    );

    bench(
      `Queue int32 putMany/getMany x1024, ${INT_ITEMS} items`,
      function* () {
        const q = new Queue<number>({ capacity: 4 * RING, type: "int32" });
        const crew = startCrew(
          queueConsumer,
          consumerArgs(q as Queue<unknown>, 1024, false),
        );
        yield () => {
          crew.ctl.put(INT_ITEMS);
          for (let i = 0; i < INT_ITEMS; i += 1024) {
            q.putMany(ints.subarray(i, Math.min(i + 1024, INT_ITEMS)));
          }
          check(
            "Queue int32 batched",
            crew.done.get({ timeout: 60_000 }),
            intSum(INT_ITEMS),
          );
        };
        crew.ctl.put(-1);
        crew.thread.join({ timeout: 60_000 });
      },
    );
  });

  summary(() => {
    bench(`postMessage per item, ${OBJ_ITEMS} objects`, async function* () {
      const w = postWorker();
      yield async () => {
        const done = reply(w);
        w.postMessage(OBJ_ITEMS);
        for (let i = 0; i < OBJ_ITEMS; i++) w.postMessage(items[i]);
        check("postMessage", await done, objSum(OBJ_ITEMS));
      };
      w.terminate();
    }).baseline(true);

    bench(`postMessage x1000, ${OBJ_ITEMS} objects`, async function* () {
      const w = postWorker();
      yield async () => {
        const done = reply(w);
        w.postMessage(OBJ_ITEMS);
        for (let i = 0; i < OBJ_ITEMS; i += 1000) {
          w.postMessage(items.slice(i, i + 1000));
        }
        check("postMessage batched", await done, objSum(OBJ_ITEMS));
      };
      w.terminate();
    });

    bench(`Queue structured put/get, ${OBJ_ITEMS} objects`, function* () {
      const q = new Queue<Item>({ capacity: RING, bytes: RING * 128 });
      const crew = startCrew(
        queueConsumer,
        consumerArgs(q as Queue<unknown>, 1, true),
      );
      yield () => {
        crew.ctl.put(OBJ_ITEMS);
        for (let i = 0; i < OBJ_ITEMS; i++) q.put(items[i]);
        check(
          "Queue structured",
          crew.done.get({ timeout: 60_000 }),
          objSum(OBJ_ITEMS),
        );
      };
      crew.ctl.put(-1);
      crew.thread.join({ timeout: 60_000 });
    });

    bench(
      `Queue structured putMany/getMany x1000, ${OBJ_ITEMS} objects`,
      function* () {
        const q = new Queue<Item>({
          capacity: 4 * RING,
          bytes: 4 * RING * 128,
        });
        const crew = startCrew(
          queueConsumer,
          consumerArgs(q as Queue<unknown>, 1000, true),
        );
        yield () => {
          crew.ctl.put(OBJ_ITEMS);
          for (let i = 0; i < OBJ_ITEMS; i += 1000) {
            q.putMany(items.slice(i, i + 1000));
          }
          check(
            "Queue structured batched",
            crew.done.get({ timeout: 60_000 }),
            objSum(OBJ_ITEMS),
          );
        };
        crew.ctl.put(-1);
        crew.thread.join({ timeout: 60_000 });
      },
    );
  });
}

if (import.meta.main) {
  register();
  await run();
}
