// Copyright 2026 the threadkit authors. MIT license.
// Unbounded queues and the shared heap, one thread (the probes of
// tests/queue/heap_refused_test.ts; before, every refusal here blocked the
// put forever). Mode (first argument):
//   drop-<kind>: 400 queues (n) of 10 items of 100 KB made and dropped in
//     a blocking loop (no finalizer can run): all of them fit;
//   one-<kind>: one queue takes 3000 items (n) of 100 KB, then gives every
//     one back once, in order;
//   refused-<kind>: with the queues' share taken but 32 MiB, puts go in
//     until the heap refuses one: QueueMemoryError at once (put, putNowait,
//     a timed put, putAsync), the queue unchanged; putMany puts what fits
//     and returns the count, then throws having put none (putManyAsync
//     too); every accepted item comes out once, in order;
//   async-<kind>: with the share taken but 32 MiB, 100 queues of 1 MB and
//     more made and dropped between putAsync calls, the collector run after
//     each (run with gc exposed): a refused async put waits one turn, in
//     which the dropped queues' finalizers give their blocks back, and
//     tries again, so all of them fit;
//   threads-<kind>: with the share taken but 32 MiB, a thread puts 1500
//     items of 100 KB (putting again after each refusal) while this thread
//     gets them: the producer meets refusals, and every item arrives once
//     (FIFO and LIFO order per the queue; none lost or doubled);
//   snapshot-<kind> (lifo, priority): with the share taken, a putAsync the
//     heap refuses waits a turn, in which a timer frees memory and changes
//     the object put: the item that goes in is the object as it was at the
//     call;
//   gib: one Queue takes 1 GiB (1088 items (n) of 1 MiB), past segment 32
//     where segments start doubling (segmentBlock), and gives each back;
//   bursts: one Queue takes bursts of 40,000 short strings, each drained
//     before the next, 300 times (n): its segments stop multiplying;
//   bounded: with the share taken, a bounded queue at capacity and an
//     unbounded one at its stated maxCapacity still wait (QueueFullError at
//     the timeout).
// <kind>: lifo, fifo or priority. A second argument "heap=<MiB>" makes the
// heap that large (_small_heap.ts): the modes that take the share then
// touch three quarters of it, not 1.5 GiB. An argument "n=<count>" sets
// the count marked (n) above (default: the full size, which tests run
// under Deno; Node and Bun run smaller: stressSize in tests/_helpers.ts).
// Prints "figures: ..." and one "ok" line per check; a wrong result throws.
import { heapBytes } from "./_small_heap.ts"; // first: before threadkit loads
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueFullError,
  QueueMemoryError,
  Thread,
} from "../../../mod.ts";
import {
  blockAlloc,
  blockRelease,
  heapQueueBytes,
} from "../../../_core/heap.ts";
import { check, numberArg } from "./_check.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
const g = globalThis as Any;
const mode: string = g.Deno?.args?.[0] ?? g.process?.argv?.[2];
// The mode's count (n=<count>), or its full size.
const size = (full: number) => numberArg("n", full);
const big = "x".repeat(100_000);
const item = (i: number) => i + ":" + big;
const index = (x: string) => Number(x.slice(0, x.indexOf(":")));
// The collector, where the runtime exposes it (--expose-gc; Bun.gc).
const collect: (() => void) | undefined = g.gc ??
  (g.Bun ? () => g.Bun.gc(true) : undefined);

function refusedWell(error: unknown): boolean {
  return error instanceof QueueMemoryError && error instanceof RangeError &&
    error.name === "QueueMemoryError" && /shared heap/.test(error.message) &&
    /nothing was put/.test(error.message) && /dropped/.test(error.message);
}

function throws(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

function make(kind: string): Any {
  if (kind === "lifo") return new LifoQueue<string>();
  if (kind === "priority") return new PriorityQueue<[number, string]>();
  return new Queue<string>();
}
const value = (kind: string, i: number) =>
  kind === "priority" ? [i, item(i)] : item(i);
const key = (kind: string, x: Any) => kind === "priority" ? x[0] : index(x);

// One queue holding items 0..n-1: get them all and check each once (FIFO
// and priority ascending, LIFO reversed).
function drainChecked(kind: string, q: Any, n: number): void {
  const got = n === 0 ? [] : q.getMany(n + 1, { block: false }) as Any[];
  let ok = got.length === n;
  for (let j = 0; ok && j < n; j++) {
    const want = kind === "lifo" ? n - 1 - j : j;
    const x = kind === "priority" ? got[j][1] : got[j];
    ok = key(kind, got[j]) === want && x === item(want);
  }
  check(
    `${kind}: every accepted item comes out once, in order`,
    ok,
    got.length,
  );
  check(`${kind}: empty after the drain`, q.qsize() === 0);
}

// Takes the queues' share of the heap in 8 MiB blocks, one queue chunk each
// (_core/heap_chunks.ts); `leave` of them are given back (free chunks).
// All but 4 chunks of it at least (more than 20 of 24 at heap=256).
function takeShare(leave: number): number[] {
  const { cap } = heapQueueBytes();
  const taken: number[] = [];
  for (let at; (at = blockAlloc((1 << 23) - 8, true)) > 0;) taken.push(at);
  check(
    "the queues' share is taken",
    taken.length > Math.floor(cap / 2 ** 23) - 4,
    taken.length,
  );
  check(
    `the share is ${
      (cap / 2 ** 20).toFixed(0)
    } MiB: three quarters of the heap asked for`,
    heapBytes === 0 || cap === Math.floor((heapBytes - 65536) / 4) * 3,
    cap,
  );
  for (let i = 0; i < leave; i++) blockRelease(taken.pop()!);
  return taken;
}

function drop(kind: string): void {
  const n = size(400);
  let queues = 0;
  for (let i = 0; i < n; i++) {
    const q = make(kind);
    for (let k = 0; k < 10; k++) q.put(value(kind, k));
    check(`${kind}: queue ${i} holds its 10 items`, q.qsize() === 10);
    queues++;
  }
  check(
    `${kind}: ${n} queues of 1 MB made and dropped in a blocking loop`,
    queues === n,
  );
}

function one(kind: string): void {
  const q = make(kind);
  const count = size(3000);
  for (let n = 0; n < count; n++) q.put(value(kind, n));
  check(
    `${kind}: one queue holds ${count} items of 100 KB`,
    q.qsize() === count,
  );
  drainChecked(kind, q, count);
}

async function refused(kind: string): Promise<void> {
  const taken = takeShare(4);
  const q = make(kind);
  let n = 0;
  for (;; n++) {
    const error = throws(() => q.put(value(kind, n)));
    if (error === undefined) continue;
    check(
      `${kind}: a refused put throws QueueMemoryError`,
      refusedWell(error),
      error,
    );
    break;
  }
  console.log(`figures: refused-${kind}: ${n} items of 100 KB went in 32 MiB`);
  check(
    `${kind}: some went in, the refused one did not`,
    n > 0 && q.qsize() === n,
    q.qsize(),
  );
  check(
    `${kind}: putNowait, a timed put, putMany and putAsync are refused at once, nothing put`,
    refusedWell(throws(() => q.putNowait(value(kind, n)))) &&
      refusedWell(throws(() => q.put(value(kind, n), { timeout: 60_000 }))) &&
      refusedWell(
        throws(() => q.putMany([value(kind, n), value(kind, n + 1)])),
      ) &&
      refusedWell(
        await q.putAsync(value(kind, n)).then(() => 0, (e: unknown) => e),
      ) &&
      refusedWell(
        await q.putManyAsync([value(kind, n)]).then(() => 0, (e: unknown) => e),
      ) &&
      q.qsize() === n,
    q.qsize(),
  );
  // Three more free chunks (a grow of the index may take one): putMany
  // puts what fits and returns the count.
  for (let i = 0; i < 3; i++) blockRelease(taken.pop()!);
  const batch = Array.from({ length: 400 }, (_, j) => value(kind, n + j));
  const k = q.putMany(batch);
  check(
    `${kind}: putMany returns the count put (0 < k < 400)`,
    k > 0 && k < 400 && q.qsize() === n + k,
    k,
  );
  n += k;
  check(
    `${kind}: then it throws QueueMemoryError, having put none`,
    refusedWell(throws(() => q.putMany(batch.slice(k)))) && q.qsize() === n,
  );
  for (let i = 0; i < 3; i++) blockRelease(taken.pop()!);
  const a = await q.putManyAsync(
    Array.from({ length: 400 }, (_, j) => value(kind, n + j)),
  );
  check(
    `${kind}: putManyAsync returns the count put too`,
    a > 0 && a < 400 && q.qsize() === n + a,
    a,
  );
  n += a;
  drainChecked(kind, q, n);
  for (const at of taken) blockRelease(at);
  q.put(value(kind, 0));
  check(`${kind}: once memory is back it takes items again`, q.qsize() === 1);
}

async function asyncDrop(kind: string): Promise<void> {
  check("the collector is exposed", collect !== undefined);
  takeShare(4);
  let queues = 0;
  for (let i = 0; i < 100; i++) {
    collect!(); // the dropped queues' finalizers are due: a turn runs them
    const d = make(kind);
    for (let k = 0; k < 10; k++) await d.putAsync(value(kind, k));
    check(`${kind}: queue ${i} holds its 10 items`, d.qsize() === 10);
    queues++;
  }
  check(
    `${kind}: 100 queues of 1 MB and more fit in 32 MiB, dropped between async puts`,
    queues === 100,
  );
}

function bounded(): void {
  const m = new LifoQueue<number>({
    initialCapacity: 1,
    maxCapacity: 1,
    type: "int32",
  });
  const b = new Queue<string>({ capacity: 1 });
  takeShare(0);
  b.put("a");
  const e1 = throws(() => b.put("b", { timeout: 30 }));
  check(
    "a bounded queue at capacity still waits (timeout: QueueFullError)",
    e1 instanceof QueueFullError && !(e1 instanceof QueueMemoryError),
    e1,
  );
  m.put(1);
  const e2 = throws(() => m.put(2, { timeout: 30 }));
  check(
    "an unbounded queue at its stated maxCapacity waits (timeout: QueueFullError)",
    e2 instanceof QueueFullError && !(e2 instanceof QueueMemoryError) &&
      m.qsize() === 1,
    e2,
  );
}

async function threads(kind: string): Promise<void> {
  takeShare(4);
  const q = make(kind);
  const n = 1500;
  const refusedAt = new Int32Array(new SharedArrayBuffer(4));
  const producer = new Thread({
    target: (q: Any, n: number, kind: string, big: string, at: Int32Array) => {
      const nap = new Int32Array(new SharedArrayBuffer(4));
      let refusals = 0;
      for (let i = 0; i < n; i++) {
        const x = i + ":" + big;
        for (;;) {
          try {
            q.put(kind === "priority" ? [i, x] : x);
            break;
          } catch (error) {
            if ((error as Error).name !== "QueueMemoryError") throw error;
            if (refusals++ === 0) { // the consumer starts now (see below)
              Atomics.store(at, 0, 1);
              Atomics.notify(at, 0);
            }
            // The consumer frees memory: put again (after a backoff).
            Atomics.wait(nap, 0, 0, 1);
          }
        }
      }
      return refusals;
    },
    args: [q, n, kind, big, refusedAt],
  });
  producer.start();
  // The consumer starts once the producer met the limit (its first
  // refusal), so the drain runs while the producer is at it.
  const waited = Atomics.wait(refusedAt, 0, 0, 60_000);
  check(
    `${kind}: the producer reached the limit`,
    waited !== "timed-out",
    waited,
  );
  const seen = new Uint8Array(n);
  let doubled = 0, order = 0, last = -1;
  for (let got = 0; got < n; got++) {
    const x = q.get({ timeout: 60_000 });
    const i = key(kind, x);
    const ok = (kind === "priority" ? x[1] : x) === item(i);
    if (seen[i]++ !== 0 || !ok) doubled++;
    if (kind === "fifo" && i <= last) order++;
    last = i;
  }
  const refusals = await producer.joinAsync({ timeout: 60_000 }) as number;
  console.log(
    `figures: threads-${kind}: ${refusals} refusals met by the producer`,
  );
  check(`${kind}: the producer ended`, !producer.isAlive());
  check(
    `${kind}: the producer met refusals (the limit was reached)`,
    refusals > 0,
    refusals,
  );
  check(
    `${kind}: every item arrived once, intact`,
    doubled === 0 && seen.every((c) => c === 1),
    doubled,
  );
  check(`${kind}: FIFO order held`, order === 0, order);
  check(`${kind}: nothing left`, q.qsize() === 0);
}

async function snapshot(kind: string): Promise<void> {
  const taken = takeShare(4);
  const q = make(kind);
  let n = 0;
  while (throws(() => q.put(value(kind, n))) === undefined) n++;
  const obj = { v: 1, pad: big };
  const later = setTimeout(() => { // runs in the refused put's turn
    q.get();
    for (const at of taken) blockRelease(at);
    obj.v = 2;
  }, 0);
  await q.putAsync(kind === "priority" ? [-1, obj] : obj);
  clearTimeout(later);
  const got = q.get();
  const x = kind === "priority" ? got[1] : got;
  check(
    `${kind}: the item put is the object as it was at the call`,
    x.v === 1,
    x.v,
  );
}

// An unbounded Queue's segments made: its chain header's SEGMENTS word
// (queue/_chain_memory.ts), at the start of its region.
function segmentsOf(q: Any): number {
  return Atomics.load(
    new Int32Array(q.region.buffer, q.region.byteOffset, 2),
    1,
  );
}

function gib(): void {
  const q = new Queue<string>();
  const mb = "y".repeat(1 << 20);
  const n = size(1088);
  for (let i = 0; i < n; i++) q.put(i + ":" + mb);
  check(`one Queue holds ${n} items of 1 MiB`, q.qsize() === n);
  const segments = segmentsOf(q);
  console.log(`figures: gib: ${n} items of 1 MiB in ${segments} segments`);
  check(
    "it made segments past segment 32 (segmentBlock: they double there)",
    segments > 33,
    segments,
  );
  let ok = true;
  for (let i = 0; i < n && ok; i++) ok = q.getNowait() === i + ":" + mb;
  check("each comes back once, in order", ok && q.qsize() === 0);
}

function bursts(): void {
  const q = new Queue<string>();
  const n = size(300);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < 40_000; i++) q.put("s" + i);
    const got = q.getMany(50_000);
    if (got.length !== 40_000 || got[39_999] !== "s39999") {
      throw new Error(`burst ${b}: got ${got.length}`);
    }
  }
  const segments = segmentsOf(q);
  console.log(
    `figures: bursts: ${n} bursts of 40,000 in ${segments} segments`,
  );
  check(
    `${n} bursts of 40,000 items, each drained, all went through`,
    segments < 110,
    segments,
  );
}

const [probe, kind] = mode.split("-");
if (probe === "drop") drop(kind);
else if (probe === "one") one(kind);
else if (probe === "refused") await refused(kind);
else if (probe === "async") await asyncDrop(kind);
else if (probe === "threads") await threads(kind);
else if (probe === "snapshot") await snapshot(kind);
else if (probe === "gib") gib();
else if (probe === "bursts") bursts();
else if (probe === "bounded") bounded();
else throw new Error(`unknown mode ${mode}`);
console.log("done");
