// Copyright 2026 the threadkit authors. MIT license.
// Executor.map: items cut into chunks, one task per chunk, a window of
// chunks in flight, results yielded in order. As Python's map, the call
// itself submits: the first chunks, up to the window and while a slot is
// free without waiting (so a map never iterated still runs, and one made
// before shutdown() yields its results after it); the iteration submits the
// rest as results come in. The window is Python 3.14's `buffersize`
// (default 256 chunks; counted in chunks, as the process pool's). Both iteration forms
// share the bookkeeping: `for await` submits without blocking (waiting for a
// slot asynchronously when the queue is full) and awaits each chunk's Future;
// `for ... of` submits and waits blocking (for threads). The Future being
// awaited stays in the window until its result is in, so a timeout or an
// abort cancels it with the rest.

import { TimeoutError } from "../_core/errors.ts";
import { describe } from "../_core/placement.ts";
import { checkOptions, checkSignal, deadlineOf } from "../_core/wait.ts";
import type { Future } from "./future.ts";

/** Options of `ThreadPoolExecutor.map`. */
export interface MapOptions {
  /**
   * Most ms from the call until each result is ready; the iteration throws
   * a TimeoutError when one is not. Default forever.
   */
  timeout?: number;
  /** Items per task (default 1): larger chunks cost less per item. */
  chunksize?: number;
  /**
   * Most chunks submitted and not yet yielded (a positive integer): the call
   * submits up to this many, and each result taken submits one more, so a
   * long or endless iterable is pulled only as far as the results are
   * read. Default (undefined or null): 256, bounded by the executor's slots.
   */
  buffersize?: number | null;
  /**
   * Aborting it cancels the tasks not yet run and ends the iteration (also
   * before the iteration starts).
   */
  signal?: AbortSignal;
}

/** The results of `map`: iterate with `for await`, or `for ... of` in a thread. */
export type MapResults<R> = AsyncIterable<R> & Iterable<R>;

/** Most chunks in flight at once (bounded by the executor's slots too). */
const WINDOW = 256;

type SubmitChunk = (
  chunk: unknown[],
  slot: number | undefined,
  deadline: number,
) => Future<unknown[]>;
type SlotAsync = (
  deadline: number,
  signal: AbortSignal | undefined,
) => Promise<number>;
/** A free slot now, else undefined; throws once the executor is closed. */
type SlotNow = () => number | undefined;
/** Gives back a slot taken and not used. */
type SlotBack = (slot: number) => void;

/** Builds map's results over the executor's submit functions. */
export function mapResults<R>(
  items: Iterable<unknown>,
  options: MapOptions | undefined,
  slots: number,
  submit: SubmitChunk,
  slotAsync: SlotAsync,
  slotNow: SlotNow,
  slotBack: SlotBack,
): MapResults<R> {
  if (
    items == null ||
    typeof (items as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError("Cannot map: items must be iterable");
  }
  checkOptions("map", options); // map(fn, items, 5) is not a timeout
  const chunksize = options?.chunksize ?? 1;
  if (!Number.isInteger(chunksize) || chunksize < 1) {
    throw new RangeError(
      `Cannot map: chunksize must be a positive integer, got ${
        String(chunksize)
      }`,
    );
  }
  const buffersize = options?.buffersize;
  // Python 3.14: TypeError unless an int or None, ValueError (here
  // RangeError, as for chunksize) unless > 0.
  if (
    buffersize != null &&
    (typeof buffersize !== "number" || !Number.isInteger(buffersize))
  ) {
    throw new TypeError(
      `Cannot map: buffersize must be an integer or null, got ${
        describe(buffersize)
      }`,
    );
  }
  if (buffersize != null && buffersize < 1) {
    throw new RangeError(
      `Cannot map: buffersize must be null or > 0, got ${buffersize}`,
    );
  }
  const deadline = deadlineOf(options?.timeout);
  const signal = options?.signal;
  checkSignal(signal);
  // The chunks the call submits: up to buffersize, else 256; the slots bound
  // both (the iteration waits for a slot beyond them either way). With a
  // buffersize the iteration, as Python's, submits the next chunk before it
  // awaits the oldest: buffersize chunks stay submitted and not yet yielded
  // besides the one awaited (after k results, buffersize + k pulled).
  const window = Math.max(1, Math.min(buffersize ?? WINDOW, slots - 1));
  const ahead = buffersize == null
    ? window
    : Math.max(1, Math.min(buffersize + 1, slots - 1));
  const timedOut = () =>
    new TimeoutError(
      `Cannot map: a result was not ready within ${options?.timeout} ms`,
    );
  const source = chunked(items, chunksize);
  // The window: submitted chunks in order; [0] is the one awaited next and
  // leaves only once its result is in.
  const inFlight: Future<unknown[]>[] = [];
  // A chunk pulled at the call that found no free slot: submitted first.
  let held: unknown[] | undefined;
  let ended = false, over = false, used = false;
  const next = (): unknown[] | undefined => {
    if (held !== undefined) {
      const chunk = held;
      held = undefined;
      return chunk;
    }
    if (ended) return undefined;
    const r = source.next();
    if (r.done) ended = true;
    return r.done ? undefined : r.value;
  };
  const onAbort = () => close();
  const close = () => {
    over = true;
    held = undefined;
    for (const f of inFlight) f.cancel();
    inFlight.length = 0;
    signal?.removeEventListener("abort", onAbort);
  };
  // The call's own submits (Python's map submits at the call). An aborted
  // signal submits nothing: the iteration rejects (throws) with its reason,
  // as every async wait does.
  try {
    while (inFlight.length < window && !signal?.aborted) {
      const chunk = next();
      if (chunk === undefined) break;
      const slot = slotNow(); // throws after shutdown
      if (slot === undefined) {
        held = chunk;
        break;
      }
      inFlight.push(submit(chunk, slot, deadline));
    }
  } catch (error) {
    close();
    throw error;
  }
  signal?.addEventListener("abort", onAbort, { once: true });
  const begin = () => {
    if (used) {
      throw new TypeError("Cannot map: the results can be iterated once");
    }
    used = true;
  };
  return {
    *[Symbol.iterator]() {
      begin();
      try {
        signal?.throwIfAborted(); // before anything more is submitted
        while (!over) {
          while (inFlight.length < ahead) {
            const chunk = next();
            if (chunk === undefined) break;
            inFlight.push(submit(chunk, undefined, deadline));
          }
          const f = inFlight[0];
          if (f === undefined) break;
          signal?.throwIfAborted();
          const left = deadline - performance.now();
          if (left < 0 && !f.done()) throw timedOut();
          let out: unknown[];
          try {
            out = f.result({ timeout: Math.max(0, left), signal });
          } catch (e) {
            if (e instanceof TimeoutError && deadline !== Infinity) {
              throw timedOut();
            }
            throw e;
          }
          inFlight.shift();
          yield* out as R[];
        }
        signal?.throwIfAborted(); // closed by an abort: its reason
      } finally {
        close();
      }
    },
    // A hand-written iterator, not an async generator: a generator's
    // `yield*` over a chunk costs a promise round per item (measured about
    // 500 ns); here an item of a chunk already in hand costs one resolved
    // promise (about 70 ns).
    [Symbol.asyncIterator](): AsyncIterator<R> {
      begin();
      let out: unknown[] = [], at = 0, done = false;
      const refill = async (): Promise<IteratorResult<R>> => {
        try {
          signal?.throwIfAborted(); // before anything more is submitted
          while (!over) {
            while (inFlight.length < ahead) {
              const chunk = next();
              if (chunk === undefined) break;
              let slot: number;
              try {
                slot = await slotAsync(deadline, signal);
              } catch (error) {
                held = chunk; // close() drops it
                throw error;
              }
              if (over) {
                slotBack(slot);
                break;
              }
              inFlight.push(submit(chunk, slot, deadline));
            }
            const f = inFlight[0];
            if (f === undefined) break;
            signal?.throwIfAborted();
            const got = deadline === Infinity && signal === undefined
              ? await f
              : await bounded(f, deadline, signal, timedOut);
            // Ended by return() meanwhile: nothing more comes.
            if (done) return { done: true, value: undefined };
            if (inFlight[0] === f) inFlight.shift();
            out = got;
            at = 0;
            if (out.length > 0) return { done: false, value: out[at++] as R };
          }
          signal?.throwIfAborted(); // closed by an abort: its reason
        } catch (error) {
          done = true;
          out = [];
          close();
          throw error;
        }
        done = true;
        out = [];
        close();
        return { done: true, value: undefined };
      };
      // One refill at a time: a next() called while one is pending runs
      // after it (overlapping calls would share `out` and the window).
      let pending: Promise<IteratorResult<R>> | undefined;
      const serial = (run: () => Promise<IteratorResult<R>>) => {
        const p: Promise<IteratorResult<R>> = run().finally(() => {
          if (pending === p) pending = undefined;
        });
        pending = p;
        return p;
      };
      const step = (): Promise<IteratorResult<R>> => {
        if (done) return Promise.resolve({ done: true, value: undefined });
        if (at < out.length) {
          return Promise.resolve({ done: false, value: out[at++] as R });
        }
        return refill();
      };
      return {
        next(): Promise<IteratorResult<R>> {
          if (pending !== undefined) {
            const before = pending;
            return serial(() => before.then(step, step));
          }
          if (done) return Promise.resolve({ done: true, value: undefined });
          if (at < out.length) {
            return Promise.resolve({ done: false, value: out[at++] as R });
          }
          return serial(refill);
        },
        return(): Promise<IteratorResult<R>> {
          done = true;
          out = [];
          close();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

// The future's result, or a rejection at the deadline or on abort.
function bounded<T>(
  f: PromiseLike<T>,
  deadline: number,
  signal: AbortSignal | undefined,
  timedOut: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (deadline !== Infinity) {
      timer = setTimeout(
        () => reject(timedOut()),
        Math.max(0, deadline - performance.now()),
      );
    }
    f.then(resolve, reject).then(() => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }, () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    });
  });
}

// The chunks of `items`, pulled lazily. An array with the default iterator
// is cut with slice (its elements read when the chunk is cut, as the
// iterator would read them then; a hole reaches the target as undefined
// either way),
// about 3-4 ns an item less than pulling each through the iterator.
function chunked(
  items: Iterable<unknown>,
  size: number,
): Iterator<unknown[], void, void> {
  const arrayIterator = Array.prototype[Symbol.iterator];
  if (
    !Array.isArray(items) || items[Symbol.iterator] !== arrayIterator ||
    Object.getPrototypeOf(items) !== Array.prototype
  ) return chunks(items[Symbol.iterator](), size);
  const array = items;
  let at = 0;
  return {
    next(): IteratorResult<unknown[], void> {
      // The length is read at each chunk, as the iterator reads it.
      if (at >= array.length) {
        at = Infinity;
        return { done: true, value: undefined };
      }
      // A hole stays a hole: the pool thread reads it as undefined, the
      // iterator's value for it.
      const chunk = Array.prototype.slice.call(array, at, at + size);
      at += size;
      return { done: false, value: chunk };
    },
  };
}

function* chunks(
  it: Iterator<unknown>,
  size: number,
): Generator<unknown[], void, void> {
  for (;;) {
    const chunk: unknown[] = [];
    while (chunk.length < size) {
      const r = it.next();
      if (r.done) {
        if (chunk.length > 0) yield chunk;
        return;
      }
      chunk.push(r.value);
    }
    yield chunk;
  }
}
