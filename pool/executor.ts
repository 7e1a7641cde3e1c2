// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode ThreadPoolExecutor}: Python's `concurrent.futures` thread pool
 * on warm threadkit threads.
 * @module
 */

import { jsonStringify } from "../_core/primordials.ts";
import { runtime } from "../_core/runtime.ts";
import type { ThreadStart } from "../_core/thread_start.ts";
import { checkTarget, wireTarget } from "../_core/target.ts";
import {
  type Descriptor,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import {
  refuseSpellings,
  waitAsync,
  waitOptions,
  waitSync,
} from "../_core/wait.ts";
import { QueueShutDownError } from "../queue/errors.ts";
import { jsonCalls, toJSONRefused } from "../queue/_codec.ts";
import {
  checkLimits,
  type ModuleTarget,
  type ThreadFunction,
  type ThreadResult,
} from "../thread/_types.ts";
import {
  FREE,
  GATED,
  LIVE,
  nextTask,
  S_MODE,
  S_NEXT,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  S_TARGET,
  setPhase,
  STALES,
  UNPUSHED,
} from "./_layout.ts";
import { type MapOptions, type MapResults, mapResults } from "./_map.ts";
import { type Owner, ownerFor } from "./_owner.ts";
import { handOff, wakeParked } from "./_park.ts";
import { addTarget, type ArgsHeld, writeArgs } from "./_payload.ts";
import { argsUntilSettled, freshRead, releaseArgs } from "./_args_held.ts";
import {
  type ExecutorShutdownOptions,
  type Extra,
  Pool,
  type ThreadPoolExecutorOptions,
} from "./_pool.ts";
import { abortFuture, Future, onSettle } from "./future.ts";

export type { MapOptions, MapResults } from "./_map.ts";
export { Future } from "./future.ts";
export type { WaitOptions } from "../_core/wait.ts";
export type {
  ModuleTarget,
  ResourceLimits,
  ThreadFunction,
  ThreadResult,
} from "../thread/_types.ts";
export type {
  ExecutorShutdownOptions,
  ThreadPoolExecutorOptions,
} from "./_pool.ts";

const TAG = "threadkit.ThreadPoolExecutor";

/** Options of {@linkcode ThreadPoolExecutor.prototype.submitWith}. */
export interface SubmitOptions {
  /**
   * Aborting it cancels the task if it is still queued, or requests
   * cooperative cancellation of its thread while it runs (the task sees
   * `currentThread().cancelled`, and its threadkit waits throw
   * `CancelledError`).
   */
  signal?: AbortSignal;
  /** Most ms to wait for room in the queue; default forever. */
  timeout?: number;
}

let reviving: Pool | undefined;

// Python's keyword names where threadkit's differ: refused, not ignored
// (max_workers made a default pool, cancel_futures cancelled nothing).
const PYTHON_OPTIONS = {
  max_workers: "maxWorkers",
  thread_name_prefix: "threadNamePrefix",
  initargs: "initArgs",
};
const PYTHON_SHUTDOWN = { cancel_futures: "cancelFutures" };

/**
 * A pool of warm threads that run submitted tasks. A task is a Thread
 * target (a typed module export or a self-contained function) with its
 * args; `submit` returns a {@linkcode Future} of its result at once.
 *
 * Tasks travel through shared memory: a slot per task, an index queue the
 * idle pool threads block on, and a completion stack per submitting thread,
 * so a task costs no message and a burst of results one wakeup. Pool
 * threads are daemons: an idle pool never keeps the process alive, while a
 * pending Future does. Any thread may submit: the executor arrives in a
 * thread as itself.
 *
 * Python: `concurrent.futures.ThreadPoolExecutor`.
 *
 * Differences from Python:
 * - Targets are module exports or self-contained functions, as a Thread's.
 * - `maxQueue` bounds the queue (default 1024; `submit` blocks when it is
 *   full, `submitAsync` waits); args and results take at most `taskBytes`
 *   each once encoded (RangeError beyond).
 * - `map` submits its first tasks at the call (up to `buffersize` chunks,
 *   default 256, while slots are free) and the rest as results come in
 *   (Python without `buffersize` submits every item at the call); it yields
 *   in order as an async iterable (a blocking iterable in threads).
 * - `idleTimeout` ends idle pool threads; `submitWith` takes an AbortSignal.
 * - A pool thread that dies fails only its task (`ThreadDiedError`) and is
 *   replaced.
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const squares = [1, 2, 3].map((n) => pool.submit((x: number) => x * x, n));
 * assert.deepEqual(await Promise.all(squares), [1, 4, 9]);
 * const out: number[] = [];
 * for await (const y of pool.map((x: number) => x + 1, [1, 2, 3])) out.push(y);
 * assert.deepEqual(out, [2, 3, 4]);
 * ```
 */
export class ThreadPoolExecutor implements Disposable, AsyncDisposable {
  readonly #p: Pool;
  #owner: Owner | undefined;
  readonly #ids = new WeakMap<object, number>();
  readonly #byText = new Map<string, number>();

  /**
   * Creates the executor. Pool threads start with the first task.
   * @throws {TypeError}/{RangeError} for bad options.
   */
  constructor(options?: ThreadPoolExecutorOptions) {
    const r = reviving;
    reviving = undefined;
    if (r !== undefined) {
      this.#p = r;
      return;
    }
    refuseSpellings("create executor", options, PYTHON_OPTIONS);
    // Checked here, as a Thread checks them, not at a pool thread's start.
    checkLimits(options?.resourceLimits, "Cannot create executor");
    this.#p = Pool.create(options);
  }

  /** The most pool threads this executor runs. */
  get maxWorkers(): number {
    return this.#p.b.l.workers;
  }

  /**
   * Schedules `target(...args)` on a pool thread and returns its Future.
   * Blocks while the queue is full (`maxQueue`); any thread may call it.
   *
   * Python: `Executor.submit`.
   *
   * @throws {RuntimeError} after `shutdown()`; {@linkcode BrokenExecutorError}
   * when an initializer failed or the executor's home thread ended;
   * {@linkcode TypeError} for args that cannot
   * be sent; {@linkcode RangeError} for args over `taskBytes`.
   */
  submit<F extends ThreadFunction>(
    target: F | ModuleTarget<F>,
    ...args: Parameters<F>
  ): Future<ThreadResult<F>> {
    return this.#submit(target, args, 0, undefined, Infinity) as never;
  }

  /**
   * `submit` with options: an AbortSignal that cancels the task, and a
   * timeout for the wait for room in a full queue.
   */
  submitWith<F extends ThreadFunction>(
    target: F | ModuleTarget<F>,
    args: Parameters<F>,
    options?: SubmitOptions,
  ): Future<ThreadResult<F>> {
    const { deadline, signal } = waitOptions(options); // aborted: throws
    const f = this.#submit(target, args, 0, undefined, deadline);
    if (signal !== undefined) watch(f, signal);
    return f as never;
  }

  /**
   * `submit` that waits for room in a full queue without blocking the
   * event loop: the promise resolves once the task is queued, to
   * `{ future }`. (An object, not the Future itself: a promise resolved
   * with a Future, which is a thenable, would wait for its result.)
   *
   * Python: none.
   *
   * @example Backpressure from an async producer
   * ```ts
   * import { ThreadPoolExecutor } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 4 });
   * const futures = [];
   * for (let i = 0; i < 20; i++) {
   *   const { future } = await pool.submitAsync((x: number) => x * 2, i);
   *   futures.push(future);
   * }
   * assert.equal((await Promise.all(futures)).length, 20);
   * ```
   */
  async submitAsync<F extends ThreadFunction>(
    target: F | ModuleTarget<F>,
    ...args: Parameters<F>
  ): Promise<{ future: Future<ThreadResult<F>> }> {
    const slot = await this.#p.slotAsync(this.#ownerCtx(), Infinity, undefined);
    return { future: this.#submit(target, args, 0, slot, Infinity) as never };
  }

  /**
   * Runs `target(item)` for every item, in `chunksize` items per task, and
   * yields the results in order: `for await` (never blocks the event loop)
   * or, in a thread, `for ... of` (blocks). A task that throws ends the
   * iteration with its error; the tasks not yet run are cancelled.
   *
   * The call submits the first chunks (up to `buffersize`, default 256,
   * while slots are free), so a map never iterated still runs and one made
   * before `shutdown()` yields its results after it; the iteration submits
   * the rest (with a `buffersize`, one chunk per chunk yielded, so an
   * endless iterable works). A timeout or an abort cancels every task not yet run, the one
   * being awaited included.
   *
   * Python: `Executor.map` (one iterable; `chunksize` and `buffersize` as
   * the process pool's, counted in chunks; without a `buffersize` at most
   * 256 chunks are in flight, where Python submits every item at the call).
   *
   * @throws {RuntimeError} after `shutdown()` (when there are items);
   * {@linkcode TypeError} for a bad target, items that are not iterable or a
   * `buffersize` that is not an integer (or null);
   * {@linkcode RangeError} for a `buffersize` below 1 (Python: ValueError).
   *
   * @throws {TimeoutError} (from the iteration) when a result is not ready
   * `timeout` ms after the call.
   */
  map<F extends (item: never) => unknown>(
    target: F | ModuleTarget<F>,
    items: Iterable<Parameters<F>[0]>,
    options?: MapOptions,
  ): MapResults<ThreadResult<F>> {
    return mapResults<ThreadResult<F>>(
      items,
      options,
      this.#p.b.l.slots,
      (chunk, slot, deadline) =>
        this.#submit(target, [chunk], 1, slot, deadline) as Future<unknown[]>,
      (deadline, signal) =>
        this.#p.slotAsync(this.#ownerCtx(), deadline, signal),
      () => this.#p.slotNow(this.#ownerCtx()),
      (slot) => this.#p.free.put(slot),
    );
  }

  /**
   * Stops taking tasks: `submit` throws from now on. Queued tasks still
   * run, unless `cancelFutures` cancels them; with `wait` (default) this
   * blocks until every queued task has been taken and every pool thread
   * has ended (joined, when called by the thread that made the executor).
   * Any thread may call it, more than once.
   *
   * Python: `Executor.shutdown`.
   */
  shutdown(options?: ExecutorShutdownOptions): void {
    refuseSpellings("shut down executor", options, PYTHON_SHUTDOWN);
    if (this.#p.stop(options)) {
      const { v } = this.#p.b;
      for (;;) {
        const live = this.#stillLive();
        if (live < 0) return this.#p.started.join();
        // Why no lost wakeup: a leaving pool thread decrements LIVE, then
        // notifies; we sleep only while LIVE still holds what we read. A
        // start (LIVE up) does not notify: the wait is bounded (50 ms while
        // no thread lives), and each round looks again.
        const until = performance.now() + (live === 0 ? 50 : 200);
        waitSync(v, LIVE, live, until);
        this.#ownerCtx().scanIfDue();
      }
    }
  }

  // LIVE while shutdown must wait (pool threads live, or tasks are still
  // queued: then home starts threads for them, another thread asks home),
  // else -1.
  #stillLive(): number {
    const { v } = this.#p.b;
    const live = Atomics.load(v, LIVE);
    if (live > 0) return live;
    if (this.#p.tasks.qsize() === 0) return -1;
    this.#p.replenish();
    return Atomics.load(v, LIVE);
  }

  /** `shutdown` that waits without blocking the event loop. */
  async shutdownAsync(options?: ExecutorShutdownOptions): Promise<void> {
    refuseSpellings("shut down executor", options, PYTHON_SHUTDOWN);
    if (this.#p.stop(options)) {
      const { v } = this.#p.b;
      for (;;) {
        const live = this.#stillLive();
        if (live < 0) return await this.#p.started.joinAsync();
        // Why no lost wakeup: as in shutdown().
        const until = performance.now() + (live === 0 ? 50 : 200);
        await waitAsync(v, LIVE, live, until);
        this.#ownerCtx().scanIfDue();
      }
    }
  }

  /** `shutdown({ wait: true })`: for `using`. */
  [Symbol.dispose](): void {
    this.shutdown();
  }

  /** `shutdownAsync({ wait: true })`: for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdownAsync();
  }

  /** @ignore Describes the executor for another thread (it arrives as itself). */
  [TO_DESCRIPTOR](start?: ThreadStart): Descriptor {
    // Pool threads are started by this (home) thread only: start them all
    // now, before another thread needs them.
    this.#p.supervise();
    // For a Thread start: the channels its own shared memory needs
    // (pool/_mesh.ts);
    // elsewhere none (and never the one this thread's copy came with).
    const { mesh: _, ...own } = this.#p.extra() as Extra & { mesh?: unknown };
    const mesh = start && this.#p.shared.link(start);
    const extra = mesh ? { ...own, mesh } : own;
    return { tag: TAG, buffer: this.#p.b.buffer, byteOffset: 0, extra };
  }

  #ownerCtx(): Owner {
    return this.#owner ??= ownerFor(
      this.#p.b,
      this.#p.free,
      () => this.#p.maintain(),
    );
  }

  #submit(
    target: unknown,
    args: unknown[],
    mode: number,
    slot: number | undefined,
    deadline: number,
  ): Future {
    let id: number;
    try {
      id = this.#targetId(target);
    } catch (error) {
      if (slot !== undefined) this.#p.free.put(slot); // taken for us
      throw error;
    }
    const owner = this.#ownerCtx();
    const s = slot ?? this.#p.slotSync(owner, deadline);
    const b = this.#p.b, { v } = b;
    const base = b.slot(s);
    const entry = runtime().entry;
    const gate = b.gate(entry);
    // 0 outside the gate; 1 holding this entry's gate word; 2 in the shared
    // gate count (an ended thread's leftover work on this entry holds the
    // word: pool/_close.ts).
    let inGate = 0;
    let held: ArgsHeld | undefined; // what its args hold (_args_held.ts)
    let read = 0; // its READ value (_args_held.ts)
    let future: Future | undefined; // tracked (owner.track returned)
    try {
      v[base + S_OENTRY] = entry;
      v[base + S_OIDENT] = owner.ident;
      v[base + S_TARGET] = id;
      v[base + S_MODE] = mode;
      read = freshRead(v, base); // this submit's, not decoded (_args_held.ts)
      // Not on a stack yet: a sweep may free a HELD slot only then
      // (pool/_layout.ts "HELD"; the same cache line as the stores above).
      v[base + S_NEXT] = UNPUSHED;
      // May run user code (toJSON): before the gate. A map chunk is an
      // array map built (mode 1): no own keys but its indices.
      try {
        held = writeArgs(b, s, args, mode === 1);
      } finally {
        // Threads its registrations marked stale: replaced now, while home
        // runs (pool/_stale.ts), whether or not the encode threw.
        // The registry's own home Pool: a copy of the executor that came
        // back to home submits through it too.
        this.#p.shared.replace?.();
      }
      // The Future, tracked, before the commit: refused, it is untracked.
      const f = new Future(owner, s);
      // Its shared buffers stay registered until it settles (_shared.ts).
      if (held !== undefined) {
        argsUntilSettled(f, this.#p.shared, held, v, base, read);
      }
      owner.track(s, f);
      future = f;
      // The gate (pool/_close.ts): from the STATE check to the hand-off or
      // put, a close waits for us, so it either refuses this task or
      // drains it. No user code runs inside.
      if (Atomics.compareExchange(v, gate, 0, owner.ident) === 0) inGate = 1;
      else {
        Atomics.add(v, GATED, 1);
        inGate = 2;
      }
      this.#p.checkOpen();
      // QUEUED, its next tag, no runner named (_layout.ts "NAME").
      const queued = nextTask(v, base);
      // One task at a time (nothing else of this thread's pending): straight
      // to a parked pool thread if one is (pool/_park.ts). Else, and with
      // tasks in flight (where a hand-off per task cost 10-20% of the
      // throughput, same process), through the queue. Either publishes the
      // slot's words (written above) to the pool thread that takes the index.
      // Committed by the hand-off's CAS or the put (all or nothing); after
      // it only builtins, or a wake and a start that may be missed.
      if (owner.pending > 1 || !handOff(b, s, queued)) {
        this.#p.tasks.put(s);
        if (inGate === 1) Atomics.compareExchange(v, gate, owner.ident, 0);
        else Atomics.sub(v, GATED, 1);
        inGate = 0;
        try {
          wakeParked(b, false);
        } catch { /* a later put wakes one */ }
      }
      if (inGate === 1) Atomics.compareExchange(v, gate, owner.ident, 0);
      else if (inGate === 2) Atomics.sub(v, GATED, 1);
      inGate = 0;
    } catch (error) {
      if (inGate === 1) Atomics.compareExchange(v, gate, owner.ident, 0);
      else if (inGate === 2) Atomics.sub(v, GATED, 1);
      if (future !== undefined) owner.untrack(s);
      // What this task's args held: released.
      if (held !== undefined) releaseArgs(this.#p.shared, held);
      setPhase(v, base + S_STATE, FREE);
      this.#p.free.put(s);
      if (error instanceof QueueShutDownError) this.#p.checkOpen();
      throw error;
    }
    // Serving threads: a stale one (pool/_stale.ts) takes no more tasks.
    if (Atomics.load(v, LIVE) - Atomics.load(v, STALES) < b.l.workers) {
      try {
        this.#p.replenish();
      } catch { /* a later scan or tick starts it */ }
    }
    return future;
  }

  #targetId(target: unknown): number {
    if (
      typeof target === "object" && target !== null ||
      typeof target === "function"
    ) {
      const known = this.#ids.get(target);
      if (known !== undefined) return known;
    }
    const wire = wireTarget(checkTarget(target, "Cannot submit task"));
    if (jsonCalls()) throw toJSONRefused(); // before a program's toJSON runs
    const key = jsonStringify(wire);
    let id = this.#byText.get(key);
    if (id === undefined) {
      id = addTarget(this.#p.b, wire);
      this.#byText.set(key, id);
    }
    this.#ids.set(target as object, id);
    return id;
  }

  static {
    registerTransfer(TAG, (d) => {
      reviving = Pool.revive(d.buffer, d.extra as Extra);
      return new ThreadPoolExecutor();
    });
  }
}

// Aborting the signal cancels a queued task or cancels a running one.
function watch(future: Future, signal: AbortSignal): void {
  const onAbort = () => abortFuture(future);
  signal.addEventListener("abort", onAbort, { once: true });
  onSettle(future, () => signal.removeEventListener("abort", onAbort));
}
