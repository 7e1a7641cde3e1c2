// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode ThreadPoolExecutor}: Python's `concurrent.futures` thread pool
 * on warm threadkit threads.
 * @module
 */

import { RuntimeError } from "../_core/errors.ts";
import { runtime } from "../_core/runtime.ts";
import { checkTarget, type WireTarget, wireTarget } from "../_core/target.ts";
import {
  decodeTransfer,
  type Descriptor,
  encodeTransfer,
  registerTransfer,
  reviveDescriptor,
  TO_DESCRIPTOR,
  type Transferable,
} from "../_core/transfer.ts";
import { waitAsync, waitOptions, waitSync } from "../_core/wait.ts";
import { Queue } from "../queue/bounded.ts";
import { QueueEmptyError, QueueShutDownError } from "../queue/errors.ts";
import type {
  ModuleTarget,
  ThreadFunction,
  ThreadResult,
} from "../thread/_types.ts";
import { moduleTarget, Thread } from "../thread/thread.ts";
import {
  Block,
  BROKEN,
  BYTES,
  CANCELLED,
  EMPTY,
  FREE,
  HEAD_COUNT,
  layout,
  LIVE,
  MAGIC,
  MAGIC_VALUE,
  NAMES,
  OPEN,
  QUEUED,
  R_ENTRY,
  R_IDENT,
  S_MODE,
  S_OENTRY,
  S_OIDENT,
  S_STATE,
  S_TARGET,
  SHUTDOWN,
  SLOTS,
  STATE,
  WORKERS,
} from "./_layout.ts";
import { type Owner, ownerFor } from "./_owner.ts";
import { addTarget, writeArgs } from "./_payload.ts";
import type { PoolThreadArgs } from "./_thread.ts";
import { BrokenExecutorError } from "./errors.ts";
import { Future } from "./future.ts";
import { type MapOptions, type MapResults, mapResults } from "./_map.ts";

export type { MapOptions, MapResults } from "./_map.ts";

const TAG = "threadkit.ThreadPoolExecutor";
// The pool thread's module, beside this file in source (.ts) and build (.js).
const POOL_THREAD = new URL(
  import.meta.url.endsWith(".ts") ? "./_thread.ts" : "./_thread.js",
  import.meta.url,
);
const DEFAULT_MAX_QUEUE = 1024;
const DEFAULT_TASK_BYTES = 16 * 1024;
let poolCounter = 0;

/** Heap limits of each pool thread (node:worker_threads `resourceLimits`). */
export interface ResourceLimits {
  /** Most MB of the main heap. */
  maxOldGenerationSizeMb?: number;
  /** Most MB of the young generation. */
  maxYoungGenerationSizeMb?: number;
  /** Most MB of generated code. */
  codeRangeSizeMb?: number;
  /** Stack size in MB. */
  stackSizeMb?: number;
}

/** Options of {@linkcode ThreadPoolExecutor}. */
export interface ThreadPoolExecutorOptions {
  /** Most pool threads; default `min(32, cores + 4)`, as Python's. */
  maxWorkers?: number;
  /** Pool thread names are `${prefix}_${n}`; default "ThreadPoolExecutor-K". */
  threadNamePrefix?: string;
  /** Runs first in every pool thread; if it throws, the pool breaks. */
  initializer?: ThreadFunction | ModuleTarget;
  /** Arguments for `initializer` (they travel as a Thread's args do). */
  initArgs?: unknown[];
  /**
   * Most tasks queued beyond those running, before `submit` blocks and
   * `submitAsync` waits; default 1024 (Python's queue is unbounded).
   */
  maxQueue?: number;
  /** A pool thread idle this many ms ends; default never. */
  idleTimeout?: number;
  /** Heap limits per pool thread, where the runtime enforces them. */
  resourceLimits?: ResourceLimits;
  /**
   * Bytes each task's args and result may take once encoded; default
   * 16 KiB. One or two numbers take none.
   */
  taskBytes?: number;
}

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

/** Options of {@linkcode ThreadPoolExecutor.prototype.shutdown}. */
export interface ExecutorShutdownOptions {
  /** Wait until every pool thread has ended; default true. */
  wait?: boolean;
  /** Cancel every queued task first (running ones finish); default false. */
  cancelFutures?: boolean;
}

interface Extra {
  tasks: Descriptor;
  free: Descriptor;
  init: WireTarget | null;
  initArgs: unknown;
  idleMs: number;
  prefix: string;
  limits: ResourceLimits | undefined;
}

let reviving: { buffer: SharedArrayBuffer; extra: Extra } | undefined;

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
 * - `map` is lazy with a window of tasks in flight, and yields in order as
 *   an async iterable (a blocking iterable in threads).
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
export class ThreadPoolExecutor
  implements Transferable, Disposable, AsyncDisposable {
  readonly #b: Block;
  readonly #tasks: Queue<number>;
  readonly #free: Queue<number>;
  readonly #init: WireTarget | null;
  readonly #initArgs: unknown;
  readonly #idleMs: number;
  readonly #prefix: string;
  readonly #limits: ResourceLimits | undefined;
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
      this.#b = new Block(r.buffer);
      this.#tasks = reviveDescriptor(r.extra.tasks) as Queue<number>;
      this.#free = reviveDescriptor(r.extra.free) as Queue<number>;
      this.#init = r.extra.init;
      this.#initArgs = r.extra.initArgs;
      this.#idleMs = r.extra.idleMs;
      this.#prefix = r.extra.prefix;
      this.#limits = r.extra.limits;
      return;
    }
    const o = options ?? {};
    const cores = (globalThis.navigator?.hardwareConcurrency ?? 1) || 1;
    const workers = count(
      "maxWorkers",
      o.maxWorkers,
      Math.min(32, cores + 4),
      255,
    );
    const maxQueue = count("maxQueue", o.maxQueue, DEFAULT_MAX_QUEUE, 1 << 20);
    const bytes = count("taskBytes", o.taskBytes, DEFAULT_TASK_BYTES, 1 << 26);
    if (o.idleTimeout !== undefined && !(o.idleTimeout >= 0)) {
      throw new RangeError(
        `Cannot create executor: idleTimeout must be a non-negative number of ms, got ${o.idleTimeout}`,
      );
    }
    if (o.initArgs !== undefined && !Array.isArray(o.initArgs)) {
      throw new TypeError("Cannot create executor: initArgs must be an array");
    }
    if (
      o.threadNamePrefix !== undefined && typeof o.threadNamePrefix !== "string"
    ) {
      throw new TypeError(
        "Cannot create executor: threadNamePrefix must be a string",
      );
    }
    const slots = maxQueue + workers;
    const l = layout(slots, Math.ceil(bytes / 8) * 8, workers);
    const buffer = new SharedArrayBuffer(l.byteLength);
    const v = new Int32Array(buffer);
    v[SLOTS] = slots;
    v[BYTES] = l.bytes;
    v[WORKERS] = workers;
    v.fill(EMPTY, l.heads, l.heads + HEAD_COUNT);
    Atomics.store(v, MAGIC, MAGIC_VALUE);
    this.#b = new Block(buffer);
    this.#tasks = new Queue<number>({ capacity: slots, type: "int32" });
    this.#free = new Queue<number>({ capacity: slots, type: "int32" });
    this.#free.putMany(Array.from({ length: slots }, (_, i) => i));
    this.#init = o.initializer === undefined
      ? null
      : wireTarget(checkTarget(o.initializer, "Cannot create executor"));
    const initArgs = encodeTransfer(o.initArgs ?? []);
    structuredClone(initArgs); // refuse what cannot travel, here
    this.#initArgs = initArgs;
    this.#idleMs = o.idleTimeout ?? Infinity;
    this.#prefix = o.threadNamePrefix ?? `ThreadPoolExecutor-${poolCounter++}`;
    this.#limits = o.resourceLimits;
  }

  /** The most pool threads this executor runs. */
  get maxWorkers(): number {
    return this.#b.l.workers;
  }

  /**
   * Schedules `target(...args)` on a pool thread and returns its Future.
   * Blocks while the queue is full (`maxQueue`); any thread may call it.
   *
   * Python: `Executor.submit`.
   *
   * @throws {RuntimeError} after `shutdown()`; {@linkcode BrokenExecutorError}
   * when an initializer failed; {@linkcode TypeError} for args that cannot
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
    const { deadline, signal } = waitOptions(options);
    signal?.throwIfAborted();
    const f = this.#submit(target, args, 0, undefined, deadline);
    if (signal !== undefined) watch(f, signal);
    return f as never;
  }

  /**
   * `submit` that waits for room in a full queue without blocking the
   * event loop. Python: none.
   */
  async submitAsync<F extends ThreadFunction>(
    target: F | ModuleTarget<F>,
    ...args: Parameters<F>
  ): Promise<Future<ThreadResult<F>>> {
    const slot = await this.#slotAsync(Infinity, undefined);
    return this.#submit(target, args, 0, slot, Infinity) as never;
  }

  /**
   * Runs `target(item)` for every item, in `chunksize` items per task, and
   * yields the results in order: `for await` (never blocks the event loop)
   * or, in a thread, `for ... of` (blocks). A task that throws ends the
   * iteration with its error; the tasks not yet run are cancelled.
   *
   * Python: `Executor.map` (one iterable; `chunksize` as the process pool's).
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
      this.#b.l.slots,
      (chunk, slot, deadline) =>
        this.#submit(target, [chunk], 1, slot, deadline) as Future<unknown[]>,
      (deadline, signal) => this.#slotAsync(deadline, signal),
    );
  }

  /**
   * Stops taking tasks: `submit` throws from now on. Queued tasks still
   * run, unless `cancelFutures` cancels them; with `wait` (default) this
   * blocks until every pool thread has ended. Any thread may call it, more
   * than once.
   *
   * Python: `Executor.shutdown`.
   */
  shutdown(options?: ExecutorShutdownOptions): void {
    if (this.#stop(options)) {
      const { v } = this.#b;
      for (;;) {
        const live = Atomics.load(v, LIVE);
        if (live <= 0) return;
        // Why no lost wakeup: a leaving pool thread decrements LIVE, then
        // notifies; we sleep only while LIVE still holds what we read.
        if (waitSync(v, LIVE, live, performance.now() + 200) === "timed-out") {
          this.#ownerCtx().scan();
        }
      }
    }
  }

  /** `shutdown` that waits without blocking the event loop. */
  async shutdownAsync(options?: ExecutorShutdownOptions): Promise<void> {
    if (this.#stop(options)) {
      const { v } = this.#b;
      for (;;) {
        const live = Atomics.load(v, LIVE);
        if (live <= 0) return;
        // Why no lost wakeup: as in shutdown().
        const r = await waitAsync(v, LIVE, live, performance.now() + 200);
        if (r === "timed-out") this.#ownerCtx().scan();
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

  /** Describes the executor for another thread (it arrives as itself). */
  [TO_DESCRIPTOR](): Descriptor {
    const extra: Extra = {
      tasks: this.#tasks[TO_DESCRIPTOR](),
      free: this.#free[TO_DESCRIPTOR](),
      init: this.#init,
      initArgs: this.#initArgs,
      idleMs: this.#idleMs,
      prefix: this.#prefix,
      limits: this.#limits,
    };
    return { tag: TAG, buffer: this.#b.buffer, byteOffset: 0, extra };
  }

  #stop(options: ExecutorShutdownOptions | undefined): boolean {
    const wait = options?.wait ?? true;
    const cancel = options?.cancelFutures ?? false;
    if (typeof wait !== "boolean" || typeof cancel !== "boolean") {
      throw new TypeError(
        "Cannot shut down executor: wait and cancelFutures must be booleans",
      );
    }
    const b = this.#b, { v } = b;
    Atomics.compareExchange(v, STATE, OPEN, SHUTDOWN);
    if (cancel) {
      for (;;) {
        let s: number;
        try {
          s = this.#tasks.getNowait();
        } catch {
          break;
        }
        const at = b.slot(s) + S_STATE;
        const was = Atomics.compareExchange(v, at, QUEUED, CANCELLED);
        if (was === QUEUED) b.push(s);
        else if (was === CANCELLED) {
          Atomics.store(v, at, FREE);
          this.#free.putNowait(s);
        }
      }
    }
    this.#tasks.shutdown();
    return wait;
  }

  #ownerCtx(): Owner {
    return this.#owner ??= ownerFor(
      this.#b,
      this.#free,
      () => this.#replenish(),
    );
  }

  // Takes a free slot, waiting (blocking) until `deadline` when none is.
  #slotSync(deadline: number): number {
    const owner = this.#ownerCtx();
    for (;;) {
      this.#checkOpen();
      try {
        return this.#free.getNowait();
      } catch (e) {
        if (!(e instanceof QueueEmptyError)) throw e;
      }
      if (performance.now() >= deadline) throw full();
      // Our own finished tasks hold slots until we settle them: settle,
      // and sleep on our completion stack when we hold some; else on the
      // free queue (briefly: other threads free slots too).
      if (owner.drain() > 0) continue;
      const until = Math.min(deadline, performance.now() + 5);
      if (owner.pending > 0) owner.park(until, undefined);
      else {
        try {
          return this.#free.get({
            timeout: Math.max(0, until - performance.now()),
          });
        } catch (e) {
          if (!(e instanceof QueueEmptyError)) throw e;
        }
      }
    }
  }

  async #slotAsync(
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    this.#checkOpen();
    try {
      return this.#free.getNowait();
    } catch (e) {
      if (!(e instanceof QueueEmptyError)) throw e;
    }
    const timeout = deadline === Infinity
      ? undefined
      : Math.max(0, deadline - performance.now());
    try {
      // The reaper frees this thread's slots meanwhile (event loop).
      return await this.#free.getAsync({ timeout, signal });
    } catch (e) {
      throw e instanceof QueueEmptyError ? full() : e;
    }
  }

  #checkOpen(): void {
    const state = Atomics.load(this.#b.v, STATE);
    if (state === BROKEN) throw new BrokenExecutorError();
    if (state !== OPEN) {
      throw new RuntimeError("Cannot schedule new futures after shutdown");
    }
  }

  #submit(
    target: unknown,
    args: unknown[],
    mode: number,
    slot: number | undefined,
    deadline: number,
  ): Future {
    const id = this.#targetId(target);
    const owner = this.#ownerCtx();
    const s = slot ?? this.#slotSync(deadline);
    const b = this.#b, { v } = b;
    const base = b.slot(s);
    try {
      this.#checkOpen();
      v[base + S_OENTRY] = runtime().entry;
      v[base + S_OIDENT] = owner.ident;
      v[base + S_TARGET] = id;
      v[base + S_MODE] = mode;
      writeArgs(b, s, args);
      Atomics.store(v, base + S_STATE, QUEUED);
      // Publishes the slot's words (written above) to the pool thread
      // that takes the index.
      this.#tasks.putNowait(s);
    } catch (error) {
      Atomics.store(v, base + S_STATE, FREE);
      this.#free.putNowait(s);
      if (error instanceof QueueShutDownError) this.#checkOpen();
      throw error;
    }
    const future = new Future(owner, s);
    owner.track(s, future);
    if (Atomics.load(v, LIVE) < b.l.workers) this.#replenish();
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
    const key = JSON.stringify(wire);
    let id = this.#byText.get(key);
    if (id === undefined) {
      id = addTarget(this.#b, wire);
      this.#byText.set(key, id);
    }
    this.#ids.set(target as object, id);
    return id;
  }

  // Starts pool threads until maxWorkers live (while tasks may need them).
  #replenish(): void {
    const b = this.#b, { v } = b;
    const state = Atomics.load(v, STATE);
    if (state === BROKEN || (state !== OPEN && this.#tasks.qsize() === 0)) {
      return;
    }
    for (let w = 0; w < b.l.workers; w++) {
      if (Atomics.load(v, LIVE) >= b.l.workers) return;
      const rec = b.record(w);
      if (Atomics.compareExchange(v, rec + R_IDENT, 0, -1) !== 0) continue;
      Atomics.add(v, LIVE, 1);
      try {
        const args: PoolThreadArgs = [
          b.buffer,
          this.#tasks,
          this.#free,
          w,
          this.#init,
          decodeTransfer(structuredClone(this.#initArgs)) as unknown[],
          this.#idleMs,
        ];
        const t = new Thread({
          target: moduleTarget(POOL_THREAD, "poolThread"),
          args,
          name: `${this.#prefix}_${Atomics.add(v, NAMES, 1)}`,
          daemon: true,
          ...(this.#limits ? { resourceLimits: this.#limits } : {}),
        } as never);
        t.start();
        const info = t[TO_DESCRIPTOR]().extra as { entry: number };
        v[rec + R_ENTRY] = info.entry;
        Atomics.store(v, rec + R_IDENT, t.ident!);
      } catch (error) {
        Atomics.store(v, rec + R_IDENT, 0);
        Atomics.sub(v, LIVE, 1);
        Atomics.notify(v, LIVE);
        // The task stays queued; the owner's next scan tries again.
        console.error(`Cannot start a pool thread for ${this.#prefix}:`, error);
        return;
      }
    }
  }

  static {
    registerTransfer(TAG, (d) => {
      reviving = { buffer: d.buffer, extra: d.extra as Extra };
      return new ThreadPoolExecutor();
    });
  }
}

function count(
  name: string,
  value: unknown,
  fallback: number,
  most: number,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 ||
    value > most
  ) {
    throw new RangeError(
      `Cannot create executor: ${name} must be an integer from 1 to ${most}, got ${
        String(value)
      }`,
    );
  }
  return value;
}

function full(): RuntimeError {
  return new RuntimeError(
    "Cannot submit task: the executor's queue stayed full until the timeout",
  );
}

// Aborting the signal cancels a queued task or cancels a running one.
function watch(future: Future, signal: AbortSignal): void {
  const onAbort = () => Future.abort(future);
  signal.addEventListener("abort", onAbort, { once: true });
  Future.onSettle(future, () => signal.removeEventListener("abort", onAbort));
}
