// Copyright 2026 the threadkit authors. MIT license.
// Producers and consumers for the queue stress tests. Producer p puts items
// numbered i = 0 .. n-1: int32 queues get p * 2^20 + i, structured queues
// get { p, i, pad }. Consumers count each item in `seen` (one byte per
// (p, i), added atomically) and check that each producer's items reach them
// in increasing order (FIFO per producer).
/// <reference lib="deno.worker" />
import { type Queue, QueueEmptyError, QueueShutDownError } from "../../mod.ts";

const WAIT = { timeout: 30_000 };
const SHIFT = 2 ** 20;

/** A structured stress item. */
export interface StressItem {
  p: number;
  i: number;
  pad: string;
}

function item(p: number, i: number, structured: boolean): number | StressItem {
  return structured ? { p, i, pad: "x".repeat(i % 13) } : p * SHIFT + i;
}

/** Puts n items of producer p with blocking put (or putMany in chunks). */
export function produce(
  q: Queue<unknown>,
  p: number,
  n: number,
  structured: boolean,
  batch: number,
): number {
  if (batch <= 1) {
    for (let i = 0; i < n; i++) q.put(item(p, i, structured), WAIT);
    return n;
  }
  for (let i = 0; i < n;) {
    const chunk = [];
    for (let k = 0; k < batch && i + k < n; k++) {
      chunk.push(item(p, i + k, structured));
    }
    let done = 0;
    while (done < chunk.length) done += q.putMany(chunk.slice(done), WAIT);
    i += chunk.length;
  }
  return n;
}

/**
 * The shape codec's stress item (queue/_shape.ts): { p, i, alt, tag, pad,
 * shape } and, by
 * i % 6, nothing more (a shape record), a nested array (JSON), -0 (a shape
 * record's float64), a string with a unit above 0xff and a lone surrogate
 * (UTF-16), a Date (tagged JSON), Latin-1 text (a shape record).
 */
export function shapeItem(p: number, i: number): StressItem {
  const x = {
    p,
    i,
    alt: shapeAlt(i),
    tag: TAGS[(i >> 2) % 3],
    pad: "x".repeat(i % 13),
    shape: true,
  } as StressItem & { k?: unknown };
  switch (i % 6) {
    case 1:
      x.k = [i, { i }];
      break;
    case 2:
      x.k = -0;
      break;
    case 3:
      x.k = "\u20ac\ud800" + i;
      break;
    case 4:
      x.k = new Date(i);
      break;
    case 5:
      x.k = "\u00e9" + i;
  }
  return x;
}

// Values that repeat from item to item, for the shape codec's caches of
// the last record's strings (queue/_shape.ts): `alt`, at the same offset in
// every record, is a string three items in four and an int32 the fourth
// (its bytes then overwrite the string's); `tag` has strings of one length
// that differ in one unit.
const TAGS = ["tick", "tock", "tack"];
function shapeAlt(i: number): string | number {
  return i % 4 === 3 ? i : "same";
}

// Whether x.k (and alt, tag) are what shapeItem put for i.
function shapeKept(
  x: StressItem & { k?: unknown; alt?: unknown; tag?: unknown },
  i: number,
): boolean {
  if (x.alt !== shapeAlt(i) || x.tag !== TAGS[(i >> 2) % 3]) return false;
  const k = x.k;
  switch (i % 6) {
    case 0:
      return !("k" in x);
    case 1:
      return Array.isArray(k) && k[0] === i && (k[1] as { i: number }).i === i;
    case 2:
      return Object.is(k, -0);
    case 3:
      return k === "\u20ac\ud800" + i;
    case 4:
      return k instanceof Date && k.getTime() === i;
    default:
      return k === "\u00e9" + i;
  }
}

/**
 * Puts shapeItem(p, 0 .. n-1) with put (batch 1) or putMany in chunks
 * until done or the queue is shut down; returns how many went in.
 */
export function produceShapes(
  q: Queue<unknown>,
  p: number,
  n: number,
  batch: number,
): number {
  let i = 0;
  try {
    if (batch <= 1) {
      for (; i < n; i++) q.put(shapeItem(p, i), WAIT);
      return n;
    }
    while (i < n) {
      const chunk = [];
      for (let k = 0; k < batch && i + k < n; k++) {
        chunk.push(shapeItem(p, i + k));
      }
      for (let done = 0; done < chunk.length;) {
        const put = q.putMany(chunk.slice(done), WAIT);
        done += put;
        i += put;
      }
    }
  } catch (error) {
    if (!(error instanceof QueueShutDownError)) throw error;
  }
  return i;
}

/** Puts n int32 items of producer p with putMany of Int32Array chunks. */
export function produceTyped(
  q: Queue<number>,
  p: number,
  n: number,
  batch: number,
): number {
  const chunk = new Int32Array(batch);
  for (let i = 0; i < n;) {
    const len = Math.min(batch, n - i);
    for (let k = 0; k < len; k++) chunk[k] = p * SHIFT + i + k;
    let done = 0;
    while (done < len) {
      done += q.putMany(chunk.subarray(done, len), WAIT);
    }
    i += len;
  }
  return n;
}

/** Puts n items of producer p with putAsync. */
export async function produceAsync(
  q: Queue<unknown>,
  p: number,
  n: number,
  structured: boolean,
): Promise<number> {
  for (let i = 0; i < n; i++) await q.putAsync(item(p, i, structured), WAIT);
  return n;
}

/**
 * Puts items of producer p with putMany in chunks whose sizes cycle through
 * `sizes`, until n items or the queue's shutdown; every 11th item is tagged
 * (an undefined field) when `mixed`. Returns how many were accepted (items
 * 0 .. count - 1 of producer p).
 */
export function produceChunks(
  q: Queue<unknown>,
  p: number,
  n: number,
  sizes: number[],
  mixed: boolean,
): number {
  let i = 0;
  try {
    for (let s = 0; i < n; s++) {
      const len = Math.min(sizes[s % sizes.length], n - i);
      const chunk: unknown[] = [];
      for (let k = 0; k < len; k++) {
        const x = item(p, i + k, true) as StressItem & { u?: undefined };
        if (mixed && (i + k) % 11 === 0) x.u = undefined;
        chunk.push(x);
      }
      // A putMany cut by the shutdown returns what it put; the next throws.
      for (let done = 0; done < len;) {
        const got = q.putMany(chunk.slice(done), WAIT);
        done += got;
        i += got;
      }
    }
  } catch (error) {
    if (!(error instanceof QueueShutDownError)) throw error;
  }
  return i;
}

/** What a consumer saw. */
export interface Consumed {
  count: number;
  ordered: boolean;
}

class Tally {
  count = 0;
  ordered = true;
  readonly #last: number[];
  constructor(
    readonly seen: Uint8Array,
    readonly n: number,
    producers: number,
  ) {
    this.#last = new Array(producers).fill(-1);
  }
  add(x: unknown): void {
    let p: number, i: number;
    if (typeof x === "number") {
      p = Math.floor(x / SHIFT);
      i = x % SHIFT;
    } else {
      const s = x as StressItem;
      p = s.p;
      i = s.i;
      if (s.pad !== "x".repeat(i % 13)) this.ordered = false;
      if ("shape" in s && !shapeKept(s, i)) this.ordered = false; // changed
    }
    if (i <= this.#last[p]) this.ordered = false;
    this.#last[p] = i;
    Atomics.add(this.seen, p * this.n + i, 1);
    this.count++;
  }
  result(): Consumed {
    return { count: this.count, ordered: this.ordered };
  }
}

/** Gets with blocking get (or getMany) until the queue is shut down and empty. */
export function consume(
  q: Queue<unknown>,
  seen: Uint8Array,
  n: number,
  producers: number,
  batch: number,
): Consumed {
  const tally = new Tally(seen, n, producers);
  try {
    for (;;) {
      if (batch <= 1) tally.add(q.get(WAIT));
      else for (const x of q.getMany(batch, WAIT)) tally.add(x);
    }
  } catch (error) {
    if (!(error instanceof QueueShutDownError)) throw error;
  }
  return tally.result();
}

/** Gets with getManyAsync(batch) until the queue is shut down and empty. */
export async function consumeManyAsync(
  q: Queue<unknown>,
  seen: Uint8Array,
  n: number,
  producers: number,
  batch: number,
): Promise<Consumed> {
  const tally = new Tally(seen, n, producers);
  try {
    for (;;) for (const x of await q.getManyAsync(batch, WAIT)) tally.add(x);
  } catch (error) {
    if (!(error instanceof QueueShutDownError)) throw error;
  }
  return tally.result();
}

/** Gets with `for await` until the queue is shut down and empty. */
export async function consumeAsync(
  q: Queue<unknown>,
  seen: Uint8Array,
  n: number,
  producers: number,
): Promise<Consumed> {
  const tally = new Tally(seen, n, producers);
  for await (const x of q) tally.add(x);
  return tally.result();
}

/**
 * Gets int32 items with getManyInto (blocking, or getManyIntoAsync) into an
 * Int32Array of `batch` until the queue is shut down and empty.
 */
export async function consumeInto(
  q: Queue<number>,
  seen: Uint8Array,
  n: number,
  producers: number,
  batch: number,
  async: boolean,
): Promise<Consumed> {
  const tally = new Tally(seen, n, producers);
  const into = new Int32Array(batch);
  try {
    for (;;) {
      const k = async
        ? await q.getManyIntoAsync(into, WAIT)
        : q.getManyInto(into, WAIT);
      for (let j = 0; j < k; j++) tally.add(into[j]);
    }
  } catch (error) {
    if (!(error instanceof QueueShutDownError)) throw error;
  }
  return tally.result();
}

/**
 * Puts n int32 items of producer p from one thread by every put form in
 * turn: put, putNowait (retried), putMany of an array and of an
 * Int32Array, putAsync and putManyAsync (the single-writer stress).
 */
export async function produceMixed(
  q: Queue<number>,
  p: number,
  n: number,
): Promise<number> {
  const chunk = new Int32Array(9);
  for (let i = 0, form = 0; i < n; form = (form + 1) % 6) {
    const len = Math.min(form === 2 || form === 3 || form === 5 ? 9 : 1, n - i);
    for (let k = 0; k < len; k++) chunk[k] = p * SHIFT + i + k;
    let done = 0;
    while (done < len) {
      const rest = chunk.subarray(done, len);
      if (form === 0) (q.put(rest[0], WAIT), done++);
      else if (form === 1) {
        try {
          q.putNowait(rest[0]);
          done++;
        } catch { /* full: try again */ }
      } else if (form === 2) done += q.putMany([...rest], WAIT);
      else if (form === 3) done += q.putMany(rest, WAIT);
      else if (form === 4) (await q.putAsync(rest[0], WAIT), done++);
      else done += await q.putManyAsync(rest, WAIT);
    }
    i += len;
  }
  return n;
}

/**
 * Gets from one thread by every get form in turn (get, getNowait, getMany,
 * getManyInto, getAsync, getManyIntoAsync) until the queue is shut down and
 * empty (the single-reader stress).
 */
export async function consumeMixed(
  q: Queue<number>,
  seen: Uint8Array,
  n: number,
  producers: number,
): Promise<Consumed> {
  const tally = new Tally(seen, n, producers);
  const into = new Int32Array(11);
  try {
    for (let form = 0;; form = (form + 1) % 6) {
      if (form === 0) tally.add(q.get(WAIT));
      else if (form === 1) {
        try {
          tally.add(q.getNowait());
        } catch (error) {
          if ((error as Error).name !== "QueueEmptyError") throw error;
        }
      } else if (form === 2) {
        for (const x of q.getMany(5, WAIT)) tally.add(x);
      } else if (form === 3) {
        const k = q.getManyInto(into, WAIT);
        for (let j = 0; j < k; j++) tally.add(into[j]);
      } else if (form === 4) tally.add(await q.getAsync(WAIT));
      else {
        const k = await q.getManyIntoAsync(into, WAIT);
        for (let j = 0; j < k; j++) tally.add(into[j]);
      }
    }
  } catch (error) {
    if (!(error instanceof QueueShutDownError)) throw error;
  }
  return tally.result();
}

/**
 * The immediate-shutdown race of the single-reader stress: puts 0 .. n-1
 * with put (blocking) until the queue is shut down; returns how many went in.
 */
export function produceUntilShut(q: Queue<number>, n: number): number {
  let i = 0;
  try {
    for (; i < n; i++) q.put(i, WAIT);
  } catch (error) {
    if (!(error instanceof QueueShutDownError)) throw error;
  }
  return i;
}

/**
 * Its reader: get (blocking) and taskDone for each item until the queue is
 * shut down and empty, counting in seen[item] and progress[0]; returns the
 * count. Items must arrive as 0, 1, 2, ... (one writer, FIFO).
 */
export function consumeUntilShut(
  q: Queue<number>,
  seen: Uint8Array,
  progress: Int32Array,
): number {
  let k = 0;
  try {
    for (;; k++) {
      const x = q.get(WAIT);
      if (x !== k) throw new Error(`got item ${x} where ${k} was next`);
      Atomics.add(seen, x, 1);
      q.taskDone();
      Atomics.add(progress, 0, 1);
    }
  } catch (error) {
    if (!(error instanceof QueueShutDownError)) throw error;
  }
  return k;
}

/**
 * Polls with getNowait and getMany(batch, { block: false }) in turn, never
 * waiting, until the queue is shut down and empty: its tries mostly find
 * the queue empty (the structured ring's look without HEAD's turn).
 */
export function consumeNowait(
  q: Queue<unknown>,
  seen: Uint8Array,
  n: number,
  producers: number,
  batch: number,
): Consumed {
  const tally = new Tally(seen, n, producers);
  for (let k = 0;; k++) {
    try {
      if (k % 2 === 0) tally.add(q.getNowait());
      else for (const x of q.getMany(batch, { block: false })) tally.add(x);
    } catch (error) {
      if (error instanceof QueueShutDownError) break;
      if (!(error instanceof QueueEmptyError)) throw error;
    }
  }
  return tally.result();
}

// Counts a getter's batch: each item in seen[item] and progress[0], one
// taskDone each; one writer's items 0, 1, 2, ... must come in increasing
// order. Returns the last item.
function record(
  q: Queue<number>,
  xs: number[],
  last: number,
  seen: Uint8Array,
  progress: Int32Array,
): number {
  for (const x of xs) {
    if (x <= last) throw new Error(`got item ${x} after ${last}`);
    last = x;
    Atomics.add(seen, x, 1);
    q.taskDone();
    Atomics.add(progress, 0, 1);
  }
  return last;
}

/** As takeUntilShut, taking with getManyAsync (which waits off the event loop). */
export async function takeUntilShutAsync(
  q: Queue<number>,
  seen: Uint8Array,
  progress: Int32Array,
  batch: number,
): Promise<number> {
  let k = 0, last = -1;
  for (;;) {
    let xs: number[];
    try {
      xs = await q.getManyAsync(batch, WAIT);
    } catch (error) {
      if (error instanceof QueueShutDownError) return k;
      throw error;
    }
    last = record(q, xs, last, seen, progress);
    k += xs.length;
  }
}

/**
 * A getter racing an immediate shutdown: get / getNowait (batch 1) or
 * getMany(batch), blocking or not, and taskDone for each item, until the
 * queue is shut down and empty, counting in seen[item] and progress[0];
 * returns the count. One writer's items 0, 1, 2, ...: each getter must see
 * them in increasing order.
 */
export function takeUntilShut(
  q: Queue<number>,
  seen: Uint8Array,
  progress: Int32Array,
  batch: number,
  block: boolean,
): number {
  let k = 0, last = -1;
  for (;;) {
    let xs: number[];
    try {
      if (batch === 1) xs = [block ? q.get(WAIT) : q.getNowait()];
      else xs = q.getMany(batch, block ? WAIT : { block: false });
    } catch (error) {
      if (error instanceof QueueShutDownError) return k;
      if (!block && error instanceof QueueEmptyError) continue;
      throw error;
    }
    last = record(q, xs, last, seen, progress);
    k += xs.length;
  }
}
