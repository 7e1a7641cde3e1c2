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

const RESOLVED = Promise.resolve();

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
/**
 * Submits a chunk on a slot free now; undefined when none is. Throws once
 * the executor is closed.
 */
type SubmitNow = (chunk: unknown[], deadline: number) =>
  | Future<unknown[]>
  | undefined;
/** Gives back a slot taken and not used. */
type SlotBack = (slot: number) => void;

/** Builds map's results over the executor's submit functions. */
export function mapResults<R>(
  items: Iterable<unknown>,
  options: MapOptions | undefined,
  slots: number,
  submit: SubmitChunk,
  slotAsync: SlotAsync,
  submitNow: SubmitNow,
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
  // The chunk pulled and not yet submitted: next() returns it until the
  // store after its accepted submit clears `held` (a store, no call: an
  // overflow between never submits it twice), so a submit refused, or a
  // stack overflow anywhere between the pull and the submit, never drops it.
  let held: unknown[] | undefined;
  let ended = false, over = false, used = false;
  const next = (): unknown[] | undefined => {
    if (held !== undefined || ended) return held;
    const r = source.next();
    if (r.done) ended = true;
    else held = r.value;
    return held;
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
  // as every async wait does. At any depth the call either returns or
  // throws with no task of its own left to run: what may throw comes
  // before the first accepted submit (the listener), and after it a stack
  // overflow only stops the call's submits (the chunk is held for the
  // iteration, as when no slot is free): a task already taken by a pool
  // thread cannot be called back.
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    while (inFlight.length < window && !signal?.aborted) {
      let chunk: unknown[] | undefined;
      let f: Future<unknown[]> | undefined;
      try {
        chunk = next();
        if (chunk === undefined) break;
        f = submitNow(chunk, deadline); // throws after shutdown
      } catch (error) {
        if (inFlight.length === 0 || !(error instanceof RangeError)) {
          throw error;
        }
      }
      if (f === undefined) break; // (held: the iteration submits it)
      held = undefined; // taken
      inFlight[inFlight.length] = f; // a store: no call to overflow
    }
  } catch (error) {
    close();
    throw error;
  }
  const begin = () => {
    if (used) {
      throw new TypeError("Cannot map: the results can be iterated once");
    }
    used = true;
  };
  return {
    // A hand-written iterator, not a generator: an error thrown in a
    // generator closes it, so a stack overflow in a next() near the
    // stack's end (its submit, its result()) would end the iteration and
    // cancel the window. Here an overflow leaves the iteration as it was
    // (a chunk whose submit overflowed is held for the next call, a result
    // stays in the window until taken) and the next call goes on; any other
    // error ends it, as the generator's did.
    [Symbol.iterator](): Iterator<R> {
      let out: unknown[] = [], at = 0, started = false, done = false;
      // The next item of the chunk in hand: moved on last (see chunked()).
      const take = (): IteratorResult<R> => {
        const r = { done: false, value: out[at] as R };
        at++;
        return r;
      };
      const end = (): IteratorResult<R> => {
        done = true;
        out = [];
        close();
        return { done: true, value: undefined };
      };
      const step = (): IteratorResult<R> => {
        if (!started) {
          begin();
          signal?.throwIfAborted(); // before anything more is submitted
          started = true;
        }
        while (!over) {
          while (inFlight.length < ahead) {
            const chunk = next();
            if (chunk === undefined) break;
            inFlight[inFlight.length] = submit(chunk, undefined, deadline);
            held = undefined; // taken
          }
          const f = inFlight[0];
          if (f === undefined) break;
          signal?.throwIfAborted();
          const left = deadline - performance.now();
          if (left < 0 && !f.done()) throw timedOut();
          let got: unknown[];
          try {
            got = f.result({ timeout: Math.max(0, left), signal });
          } catch (e) {
            if (e instanceof TimeoutError && deadline !== Infinity) {
              throw timedOut();
            }
            throw e;
          }
          inFlight.shift();
          out = got;
          at = 0;
          if (out.length > 0) return take();
        }
        signal?.throwIfAborted(); // closed by an abort: its reason
        return end();
      };
      return {
        next: (): IteratorResult<R> => {
          if (at < out.length) return take();
          if (done) return { done: true, value: undefined };
          try {
            return step();
          } catch (error) {
            if (!stackEnd(error, inFlight[0])) end();
            throw error;
          }
        },
        return: (): IteratorResult<R> =>
          done ? { done, value: undefined } : end(),
      };
    },
    // A hand-written iterator, not an async generator: a generator's
    // `yield*` over a chunk costs a promise round per item (measured about
    // 500 ns); here an item of a chunk already in hand costs one resolved
    // promise (about 70 ns).
    [Symbol.asyncIterator](): AsyncIterator<R> {
      begin();
      let out: unknown[] = [], at = 0, done = false;
      // The next item of the chunk in hand, moved on last (see chunked()).
      const take = (): IteratorResult<R> => {
        const r = { done: false, value: out[at] as R };
        at++;
        return r;
      };
      const takeAsync = (): Promise<IteratorResult<R>> => {
        const p = Promise.resolve({ done: false, value: out[at] as R });
        at++;
        return p;
      };
      const refill = async (): Promise<IteratorResult<R>> => {
        try {
          signal?.throwIfAborted(); // before anything more is submitted
          while (!over) {
            while (inFlight.length < ahead) {
              const chunk = next();
              if (chunk === undefined) break;
              const slot = await slotAsync(deadline, signal); // still held
              if (over) {
                slotBack(slot);
                break;
              }
              inFlight.push(submit(chunk, slot, deadline));
              held = undefined; // taken
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
            if (out.length > 0) return take();
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
      // after it (overlapping calls would share `out` and the window). A
      // refill runs from a reaction, at the bottom of the stack: next(),
      // called at any depth, queues it with one builtin call (queued, or
      // the overflow thrown with nothing done), then only stores; a refill
      // run at the caller's depth could overflow and end the iteration.
      let pending: Promise<IteratorResult<R>> | undefined;
      let queued = 0; // steps queued and not yet settled
      const settled = () => {
        if (--queued === 0) pending = undefined;
      };
      const step = (): Promise<IteratorResult<R>> => {
        const p = done
          ? Promise.resolve({ done: true, value: undefined } as const)
          : at < out.length
          ? takeAsync()
          : refill();
        p.then(settled, settled);
        return p;
      };
      return {
        next(): Promise<IteratorResult<R>> {
          if (pending === undefined) {
            if (done) return Promise.resolve({ done: true, value: undefined });
            if (at < out.length) {
              return takeAsync();
            }
          }
          const p = (pending ?? RESOLVED).then(step, step);
          queued++;
          pending = p;
          return p;
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

// Whether `error` is this thread's stack overflow (V8's and
// JavaScriptCore's RangeError; Firefox's InternalError is outside this
// model), not the task's own
// (the error `f` settled with) or another RangeError. If even the check
// overflows, it is one.
function stackEnd(error: unknown, f: Future<unknown> | undefined): boolean {
  if (!(error instanceof RangeError)) return false;
  try {
    if (!/call stack/i.test(error.message)) return false;
    return f === undefined || !f.done() ||
      f.exception({ timeout: 0 }) !== error;
  } catch {
    return true;
  }
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
      // Moved on last, once all that may throw is done (near the stack's
      // end Node 20 threw after a move on before the result's object was
      // made, and the chunk was lost).
      const r = {
        done: false as const,
        value: Array.prototype.slice.call(array, at, at + size),
      };
      at += size;
      return r;
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
