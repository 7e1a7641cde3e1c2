// Copyright 2026 the threadkit authors. MIT license.
/**
 * Waiting on many Futures: {@linkcode wait}, {@linkcode waitAsync} and
 * {@linkcode asCompleted}, Python's `concurrent.futures` module functions.
 * @module
 */

import { TimeoutError } from "../_core/errors.ts";
import {
  checkOptions,
  checkSignal,
  deadlineOf,
  refuseSpellings,
  waitOptions,
  waitOptionsAsync,
} from "../_core/wait.ts";
import { Future, type FutureSource, sourceOf } from "./future.ts";

export type { Future } from "./future.ts";
export type { WaitOptions } from "../_core/wait.ts";

/**
 * `returnWhen` of {@linkcode wait}: return when any future finished or was cancelled.
 *
 * @example
 * ```ts
 * import { FIRST_COMPLETED, ThreadPoolExecutor, wait } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * const f = pool.submit((x: number) => x, 1);
 * const { done } = wait([f], { returnWhen: FIRST_COMPLETED, timeout: 10_000 });
 * assert.equal(done.size, 1);
 * ```
 */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/**
 * `returnWhen` of {@linkcode wait}: return when any future failed, or all finished.
 *
 * @example
 * ```ts
 * import { FIRST_EXCEPTION, ThreadPoolExecutor, wait } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * const f = pool.submit((x: number) => x, 1);
 * const { done } = wait([f], { returnWhen: FIRST_EXCEPTION, timeout: 10_000 });
 * assert.equal(done.size, 1);
 * ```
 */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/**
 * `returnWhen` of {@linkcode wait}: return when every future finished or was cancelled.
 *
 * @example
 * ```ts
 * import { ALL_COMPLETED, ThreadPoolExecutor, wait } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * const f = pool.submit((x: number) => x, 1);
 * const { done } = wait([f], { returnWhen: ALL_COMPLETED, timeout: 10_000 });
 * assert.equal(done.size, 1);
 * ```
 */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** Options of {@linkcode wait} and {@linkcode waitAsync}. */
export interface FuturesWaitOptions {
  /** Most milliseconds to wait; default forever. */
  timeout?: number;
  /** When to return; default `"ALL_COMPLETED"`. */
  returnWhen?:
    | typeof FIRST_COMPLETED
    | typeof FIRST_EXCEPTION
    | typeof ALL_COMPLETED;
  /** Ends the wait with the signal's reason. */
  signal?: AbortSignal;
}

/** What {@linkcode wait} returns: the futures that are done and the rest. */
export interface DoneAndNotDone<F extends Future<unknown>> {
  /** The futures that finished or were cancelled. */
  done: Set<F>;
  /** The others. */
  notDone: Set<F>;
}

/**
 * Blocks until the futures are done as `returnWhen` asks, or the timeout
 * passes, and returns them split into done and not done. Does not throw on
 * timeout, as in Python. Blocks the calling thread: use
 * {@linkcode waitAsync} where the event loop must keep turning.
 *
 * Python: `concurrent.futures.wait`.
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor, wait } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const fs = [1, 2, 3].map((n) => pool.submit((x: number) => x * 2, n));
 * const { done, notDone } = wait(fs, { timeout: 10_000 });
 * assert.equal(done.size, 3);
 * assert.equal(notDone.size, 0);
 * ```
 */
export function wait<F extends Future<unknown>>(
  futures: Iterable<F>,
  options?: FuturesWaitOptions,
): DoneAndNotDone<F> {
  const all = futureSet(futures, "wait");
  const when = checkReturnWhen(options);
  const { deadline, signal } = waitOptions(options);
  for (;;) {
    const sources = new Set<FutureSource>();
    for (const f of all) {
      const s = sourceOf(f);
      if (s !== undefined) sources.add(s);
    }
    for (const s of sources) s.drain();
    const split = partition(all);
    if (met(split, when) || performance.now() >= deadline) return split;
    const [first] = sources;
    // The parked source scans for dead pool threads when due; the others
    // do here (their drains above scan too).
    for (const s of sources) if (s !== first) s.scanIfDue();
    // One source: park on it. Several: take turns in short slices.
    first.park(
      sources.size > 1 ? Math.min(deadline, performance.now() + 5) : deadline,
      signal,
    );
  }
}

/**
 * The async form of {@linkcode wait}: never blocks the event loop.
 *
 * Python: none (`asyncio.wait` is its async twin).
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor, waitAsync } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const fs = [1, 2].map((n) => pool.submit((x: number) => x + 1, n));
 * const { done } = await waitAsync(fs, { returnWhen: "ALL_COMPLETED", timeout: 10_000 });
 * assert.equal(done.size, 2);
 * ```
 */
export function waitAsync<F extends Future<unknown>>(
  futures: Iterable<F>,
  options?: FuturesWaitOptions,
): Promise<DoneAndNotDone<F>> {
  const all = futureSet(futures, "wait");
  const when = checkReturnWhen(options);
  const w = waitOptionsAsync(options);
  if (w instanceof Promise) return w; // rejected: an aborted signal
  const { deadline, signal } = w;
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let over = false;
    const finish = () => {
      if (over) return;
      over = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(partition(all));
    };
    const onAbort = () => {
      if (over) return;
      over = true;
      if (timer !== undefined) clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const check = () => {
      if (!over && met(partition(all), when)) finish();
    };
    for (const f of all) f.addDoneCallback(check);
    check();
    if (!over && deadline !== Infinity) {
      timer = setTimeout(finish, Math.max(0, deadline - performance.now()));
    }
  });
}

/** Options of {@linkcode asCompleted}. */
export interface AsCompletedOptions {
  /** Most milliseconds for the whole iteration; default forever. */
  timeout?: number;
  /** Ends the iteration with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * What {@linkcode asCompleted} returns: the futures as they complete, by
 * `for await` (never blocks) or, in a thread, by `for ... of` (blocks).
 * One interface with both methods rather than the intersection
 * `Iterable<F> & AsyncIterable<F>`, over which a type check once gave a
 * `for await` variable the awaited type (a Future is a thenable) instead of
 * `F`: here `for await` has one reading, the async iterator's, and yields
 * `F` (the futures themselves, not `Awaited<F>`).
 */
export interface AsCompletedIterable<F> {
  /** The futures as they complete, blocking while none is (a thread). */
  [Symbol.iterator](): Iterator<F>;
  /** The futures as they complete, waiting without blocking. */
  [Symbol.asyncIterator](): AsyncIterator<F>;
}

/**
 * Yields the futures as they complete (finished or cancelled), those done
 * already first. Iterate with `for await` (never blocks the event loop) or,
 * in a thread, with `for ... of` (blocks). Duplicates are yielded once.
 *
 * Python: `concurrent.futures.as_completed`.
 *
 * TypeScript: the element of a `for await` loop here is the Future itself
 * (done), as Python's is, but TypeScript types the element of an async
 * iteration over thenables as their awaited value, and which reading a
 * program gets can change with the order the checker meets its files. So
 * in TypeScript use the element as what it is at run time through a value
 * that does not depend on the reading: `await f` (its result: right under
 * both), or a `Future`-typed binding of the Futures you passed (a `Set` or
 * `Map` keyed by them). The blocking `for ... of` form is typed `F`.
 *
 * @throws {TimeoutError} (from the iteration) when `timeout` ms pass before
 * every future completed.
 * @example
 * ```ts
 * import { asCompleted, ThreadPoolExecutor } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const fs = [3, 1, 2].map((n) => pool.submit((x: number) => x, n));
 * let sum = 0;
 * for await (const f of asCompleted(fs, { timeout: 10_000 })) sum += await f;
 * assert.equal(sum, 6);
 * ```
 */
export function asCompleted<F extends Future<unknown>>(
  futures: Iterable<F>,
  options?: AsCompletedOptions,
): AsCompletedIterable<F> {
  const all = [...futureSet(futures, "iterate as completed")];
  checkOptions("wait", options);
  const deadline = deadlineOf(options?.timeout);
  const signal = options?.signal;
  checkSignal(signal); // an aborted one ends the iteration: its first wait
  const timedOut = (left: number) =>
    new TimeoutError(
      `${left} (of ${all.length}) futures unfinished within ${options?.timeout} ms`,
    );
  return {
    *[Symbol.iterator]() {
      let pending = new Set(all);
      while (pending.size > 0) {
        const left = Math.max(0, deadline - performance.now());
        const { done, notDone } = wait(pending, {
          timeout: left,
          returnWhen: FIRST_COMPLETED,
          signal,
        });
        if (done.size === 0) throw timedOut(notDone.size);
        yield* done;
        pending = notDone;
      }
    },
    // Not an async generator: it would await each yielded Future (they are
    // thenables) and yield results instead of Futures.
    [Symbol.asyncIterator](): AsyncIterator<F> {
      let pending = new Set(all);
      let ready: F[] = [];
      return {
        next: async (): Promise<IteratorResult<F>> => {
          while (ready.length === 0) {
            if (pending.size === 0) return { done: true, value: undefined };
            const left = Math.max(0, deadline - performance.now());
            const { done, notDone } = await waitAsync(pending, {
              timeout: left,
              returnWhen: FIRST_COMPLETED,
              signal,
            });
            if (done.size === 0) throw timedOut(notDone.size);
            ready = [...done];
            pending = notDone;
          }
          return { done: false, value: ready.shift()! };
        },
      };
    },
  };
}

// The futures, once each; a TypeError at the call for anything else.
function futureSet<F extends Future<unknown>>(
  futures: Iterable<F>,
  what: string,
): Set<F> {
  if (
    futures == null ||
    typeof (futures as Iterable<F>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(`Cannot ${what}: futures must be iterable`);
  }
  const all = new Set(futures);
  for (const f of all) {
    if (!(f instanceof Future)) {
      throw new TypeError(
        `Cannot ${what}: every item must be a Future, got ${
          f === null ? "null" : typeof f
        }`,
      );
    }
  }
  return all;
}

// Python's return_when is refused, not ignored (it waited for all).
function checkReturnWhen(options: FuturesWaitOptions | undefined): string {
  refuseSpellings("wait", options, { return_when: "returnWhen" });
  const when: unknown = options?.returnWhen;
  if (when === undefined) return ALL_COMPLETED;
  if (
    when !== FIRST_COMPLETED && when !== FIRST_EXCEPTION &&
    when !== ALL_COMPLETED
  ) {
    throw new TypeError(
      `Cannot wait: returnWhen must be "FIRST_COMPLETED", "FIRST_EXCEPTION" or "ALL_COMPLETED", got ${
        String(when)
      }`,
    );
  }
  return when;
}

function partition<F extends Future<unknown>>(all: Set<F>): DoneAndNotDone<F> {
  const done = new Set<F>(), notDone = new Set<F>();
  for (const f of all) (sourceOf(f) === undefined ? done : notDone).add(f);
  return { done, notDone };
}

function met<F extends Future<unknown>>(
  split: DoneAndNotDone<F>,
  when: string,
): boolean {
  if (split.notDone.size === 0) return true;
  if (when === FIRST_COMPLETED) return split.done.size > 0;
  if (when === FIRST_EXCEPTION) {
    for (const f of split.done) {
      if (!f.cancelled() && f.exception() !== undefined) return true;
    }
  }
  return false;
}
