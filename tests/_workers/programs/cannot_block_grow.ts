// Copyright 2026 the threadkit authors. MIT license.
// A thread that may not block (a browser page's main thread, emulated: its
// Atomics.wait throws while threadkit loads, so the adapter's CAN_BLOCK is
// false) puts into an unbounded Queue while another thread grows it, or
// holds the chain's lock as a grow does. Below the maximum, put and
// putNowait must not throw CannotBlockError (they spin for the lock, as a
// queue's turn lock does) and putAsync must wait for it without blocking.
// Prints one line per check; a wrong result throws (exit code 1).
export {}; // a module: top-level await, and its own scope in the npm build
const realWait = Atomics.wait;
(Atomics as { wait: unknown }).wait = () => {
  throw new TypeError("Atomics.wait cannot be called in this context");
};
const tk = await import("../../../mod.ts");
(Atomics as { wait: unknown }).wait = realWait; // CAN_BLOCK is false already
const { CannotBlockError, Lock, Queue, QueueFullError, Thread } = tk;
const { CONTENDED } = await import("../../../sync/_holder.ts");
type Q = InstanceType<typeof Queue<number>>;

function check(what: string, ok: boolean, detail: unknown = ""): void {
  if (!ok) throw new Error(`${what}: failed ${String(detail)}`);
  console.log(`ok ${what}`);
}

async function flagSet(flag: Int32Array, i: number): Promise<void> {
  const r = Atomics.waitAsync(flag, i, 0, 20_000);
  if ((r.async ? await r.value : r.value) === "timed-out") {
    throw new Error("the thread did not start");
  }
}

// A thread holds the chain's lock (its word is the first of the queue's
// buffer, _chain.ts), as a slow grow would, until this thread's call has
// met it held: the call's acquire marks the word CONTENDED (sync/lock.ts)
// before it spins for it (a word, not a hold long enough for
// the call to get there; at most `ms`). Resolves once held; the thread
// returns whether it saw the mark.
async function holdChainLock(q: Q, ms: number) {
  const lock = new Lock({
    buffer: q.region.buffer,
    byteOffset: q.region.byteOffset,
  });
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const t = new Thread({
    target: (
      lock: InstanceType<typeof Lock>,
      flag: Int32Array,
      ms: number,
      word: Int32Array,
      contended: number,
    ) => {
      lock.acquire();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      const end = performance.now() + ms;
      while (Atomics.load(word, 0) < contended && performance.now() < end) {
        Atomics.wait(flag, 1, 0, 1);
      }
      const met = Atomics.load(word, 0) >= contended;
      lock.release();
      return met;
    },
    args: [
      lock,
      flag,
      ms,
      new Int32Array(q.region.buffer, q.region.byteOffset, 1),
      CONTENDED,
    ],
  });
  t.start();
  await flagSet(flag, 0);
  return t;
}

// Each blocking form whose segment is full needs the chain's lock to grow.
for (const form of ["put", "putNowait", "putMany", "putAsync"] as const) {
  const q = new Queue<number>({ type: "int32", initialCapacity: 2 });
  q.putMany([1, 2]);
  const t = await holdChainLock(q, 20_000);
  let error: unknown;
  try {
    if (form === "put") q.put(3);
    else if (form === "putNowait") q.putNowait(3);
    else if (form === "putMany") q.putMany([3]);
    else await q.putAsync(3);
  } catch (e) {
    error = e;
  }
  const met = await t.joinAsync({ timeout: 30_000 });
  check(
    `${form} grows while another thread holds the chain's lock`,
    met === true && error === undefined && q.getMany().join() === "1,2,3",
    met === true ? error : "the call never met the held lock",
  );
}

// At the maximum a blocking put must really wait: that stays refused.
const m = new Queue<number>({
  type: "int32",
  initialCapacity: 1,
  maxCapacity: 1,
});
m.put(1);
let refused: unknown;
try {
  m.put(2);
} catch (e) {
  refused = e;
}
check(
  "put at the maximum throws CannotBlockError",
  refused instanceof CannotBlockError,
  refused,
);
check(
  "putNowait at the maximum throws QueueFullError",
  (() => {
    try {
      m.putNowait(2);
    } catch (e) {
      return e instanceof QueueFullError;
    }
    return false;
  })(),
);

// A race: a thread puts N while this thread puts N with put and N with
// putAsync, into a queue that starts at 1 item and grows all along.
const N = 20_000;
const q = new Queue<number>({ type: "int32", initialCapacity: 1 });
const go = new Int32Array(new SharedArrayBuffer(4));
const producer = new Thread({
  target: (q: Q, go: Int32Array, n: number) => {
    Atomics.wait(go, 0, 0, 20_000);
    for (let i = 0; i < n; i++) q.put(i);
  },
  args: [q, go, N],
});
producer.start();
Atomics.store(go, 0, 1);
Atomics.notify(go, 0);
let errors = 0;
for (let i = 0; i < N; i++) {
  try {
    q.put(N + i);
    await q.putAsync(2 * N + i);
  } catch {
    errors++;
  }
}
await producer.joinAsync({ timeout: 30_000 });
const all = q.getMany();
const last = [-1, N - 1, 2 * N - 1];
let order = 0;
for (const x of all) {
  const p = Math.floor(x / N);
  if (x <= last[p]) order++;
  last[p] = x;
}
check(
  "racing puts: no errors, each item once, each producer's in order",
  errors === 0 && all.length === 3 * N && order === 0 &&
    new Set(all).size === 3 * N,
  `errors ${errors}, items ${all.length}, out of order ${order}`,
);
console.log("done");
