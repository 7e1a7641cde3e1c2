// Copyright 2026 the threadkit authors. MIT license.
// An executor's machinery, apart from its public face (executor.ts): the
// block and its two index queues (tasks, free slots), creating them from
// the options, taking a free slot (blocking or async), starting pool
// threads, and stopping.

import { RuntimeError } from "../_core/errors.ts";
import { noPorts } from "../_core/ports.ts";
import { roomForPorts } from "../_core/overflow.ts";
import { refTimer } from "../_core/host.ts";
import { entryAlive, identStopped, runtime } from "../_core/runtime.ts";
import { heapAlloc } from "../_core/heap_top.ts";
import { checkOptions, setSliceHook } from "../_core/wait.ts";
import { checkTarget, wireTarget } from "../_core/target.ts";
import {
  type Descriptor,
  encodeTransfer,
  reviveDescriptor,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import { Queue } from "../queue/bounded.ts";
import type {
  ModuleTarget,
  ResourceLimits,
  ThreadFunction,
} from "../thread/_types.ts";
import {
  Block,
  BROKEN,
  BYTES,
  EMPTY,
  HEAD_COUNT,
  HENTRY,
  HIDENT,
  ID,
  layout,
  LIVE,
  MAGIC,
  MAGIC_VALUE,
  NEED,
  OPEN,
  R_ENTRY,
  R_IDENT,
  R_INIT,
  SHUTDOWN,
  SLOTS,
  STALES,
  STATE,
  WORKERS,
} from "./_layout.ts";
import type { Owner } from "./_owner.ts";
import { freeTaker, reclaimTake, taskView } from "./_take.ts";
import { close } from "./_close.ts";
import { breakIfHomeGone, sweep } from "./_orphans.ts";
import { slotAsync, slotNowait, slotSync } from "./_slots.ts";
import { readyThreads, Started } from "./_started.ts";
import { BrokenExecutorError } from "./errors.ts";
import { type SubmitShared, submitShared } from "./_shared.ts";
import { claim } from "./_stale.ts";
import { type Settings, startOn } from "./_start.ts";
import { unmark } from "./_leave.ts";

const DEFAULT_MAX_QUEUE = 1024;
const DEFAULT_TASK_BYTES = 16 * 1024;
let poolCounter = 0;

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

/** Options of {@linkcode ThreadPoolExecutor.prototype.shutdown}. */
export interface ExecutorShutdownOptions {
  /** Wait until every pool thread has ended; default true. */
  wait?: boolean;
  /** Cancel every queued task first (running ones finish); default false. */
  cancelFutures?: boolean;
}

export type { Settings };

/** An executor's descriptor extra. */
export interface Extra extends Settings {
  readonly tasks: Descriptor;
  readonly free: Descriptor;
}

/** One executor's shared parts, as this thread sees them. */
export class Pool {
  #supervisor: ReturnType<typeof setInterval> | undefined;
  /** The pool threads this (home) thread started: a waiting shutdown joins them. */
  readonly started = new Started();
  #lastTick = 0;

  /**
   * `home`: this thread created the executor, and it alone starts pool
   * threads. A pool thread is a child of the thread that starts it, and on
   * Deno a child left behind by a thread that ended never runs or never
   * ends (measured: its table entry stays, so shutdown would wait forever).
   * Other threads ask for threads through NEED; the home thread looks.
   * When home ends, so do its pool threads: the executor is broken then
   * (HIDENT/HENTRY name home; _orphans.ts).
   */
  constructor(
    readonly b: Block,
    readonly tasks: Queue<number>,
    readonly free: Queue<number>,
    readonly s: Settings,
    readonly home: boolean,
  ) {
    const replace = home ? () => this.replaceStale() : undefined;
    b.shared = this.shared = submitShared(b, s, home && this.started, replace);
  }

  /** How this thread names shared buffers in task args (_shared.ts). */
  readonly shared: SubmitShared;

  /** Revives the pool of an executor descriptor. */
  static revive(buffer: SharedArrayBuffer, extra: Extra): Pool {
    return new Pool(
      new Block(buffer),
      reviveDescriptor(extra.tasks) as Queue<number>,
      reviveDescriptor(extra.free) as Queue<number>,
      extra,
      false,
    );
  }

  /** The descriptor extra of this pool. */
  extra(): Extra {
    return {
      ...this.s,
      tasks: this.tasks[TO_DESCRIPTOR](),
      free: this.free[TO_DESCRIPTOR](),
    };
  }

  /**
   * A new pool from the executor's options.
   * @throws {TypeError}/{RangeError} for bad options.
   */
  static create(options: ThreadPoolExecutorOptions | undefined): Pool {
    if (
      options !== undefined && (typeof options !== "object" || options === null)
    ) {
      // Python's ThreadPoolExecutor(4) is max_workers=4.
      throw new TypeError(
        `Cannot create executor: options must be an object, got ${
          options === null ? "null" : typeof options
        } ${String(options)}; write { maxWorkers: ${
          String(options)
        } } (threadkit takes Python's arguments as options)`,
      );
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
    // An id no other executor of this process has (a heap word is never
    // freed): a thread may hold two buffer objects for one executor (it
    // came back from another thread), and its owner context must be one.
    const word = heapAlloc(4, 4);
    v[ID] = word >= 0 ? word : -2 - Math.floor(Math.random() * 2 ** 30);
    v[BYTES] = l.bytes;
    v[WORKERS] = workers;
    const rt = runtime();
    v[HIDENT] = rt.ident;
    v[HENTRY] = rt.entry;
    v.fill(EMPTY, l.heads, l.heads + HEAD_COUNT);
    Atomics.store(v, MAGIC, MAGIC_VALUE);
    const b = new Block(buffer);
    const tasks = new Queue<number>({ capacity: slots, type: "int32" });
    const free = new Queue<number>({ capacity: slots, type: "int32" });
    free.putMany(Array.from({ length: slots }, (_, i) => i));
    const init = o.initializer === undefined
      ? null
      : wireTarget(checkTarget(o.initializer, "Cannot create executor"));
    const initArgs = encodeTransfer(o.initArgs ?? []);
    noPorts(initArgs, "executor: initArgs", "they go to every pool thread");
    structuredClone(initArgs); // refuse what cannot travel, here

    return new Pool(b, tasks, free, {
      init,
      initArgs,
      idleMs: o.idleTimeout ?? Infinity,
      prefix: o.threadNamePrefix ?? `ThreadPoolExecutor-${poolCounter++}`,
      limits: o.resourceLimits,
    }, true);
  }

  stop(options: ExecutorShutdownOptions | undefined): boolean {
    // Python's shutdown(False) is { wait: false }: refused, not read as {}.
    checkOptions("shut down executor", options, "wait");
    const wait = options?.wait ?? true;
    const cancel = options?.cancelFutures ?? false;
    if (typeof wait !== "boolean" || typeof cancel !== "boolean") {
      throw new TypeError(
        "Cannot shut down executor: wait and cancelFutures must be booleans",
      );
    }
    // Submits past their check finish first; then the queue shuts (a later
    // submit is refused), queued and handed-over tasks are cancelled
    // (cancelFutures), and parked pool threads leave (_close.ts).
    close(this.b, this.tasks, this.free, SHUTDOWN, cancel);
    return wait;
  }

  // Takes a free slot, waiting (blocking) until `deadline` when none is.
  slotSync(owner: Owner, deadline: number): number {
    return slotSync(this, owner, deadline);
  }

  // A free slot now, else undefined (throws once closed).
  slotNow(owner: Owner): number | undefined {
    return slotNowait(this, owner);
  }

  // Takes a free slot, waiting until `deadline` when none is.
  slotAsync(
    owner: Owner,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    return slotAsync(this, owner, deadline, signal);
  }

  checkOpen(): void {
    const state = Atomics.load(this.b.v, STATE);
    if (
      state === BROKEN ||
      (state === OPEN && !this.home && breakIfHomeGone(this))
    ) {
      throw new BrokenExecutorError();
    }
    if (state !== OPEN) {
      throw new RuntimeError("Cannot schedule new futures after shutdown");
    }
  }

  /**
   * The executor is about to travel to another thread: start every pool
   * thread now, and from now on look for requests (NEED) and dead pool
   * threads ten times a second, on a timer that never keeps the process
   * alive. Home thread only.
   */
  supervise(): void {
    if (!this.home || this.#supervisor !== undefined) return;
    const { v } = this.b;
    if (Atomics.load(v, STATE) !== OPEN) return;
    this.replenish(true);
    const timer = setInterval(() => this.tick(), SUPERVISE_MS);
    refTimer(timer, false); // never keeps the process alive
    this.#supervisor = timer;
    // The timer needs home's event loop: while home blocks (a join, a
    // result()), its waits' slices tick instead (_core/wait.ts).
    supervised.add(this);
    setSliceHook(tickAll);
  }

  // One look at NEED and the queue, at most every SUPERVISE_MS. Stops once
  // the executor is shut down, no pool thread lives and nothing is queued.
  tick(): void {
    const now = performance.now();
    if (now - this.#lastTick < SUPERVISE_MS / 2) return;
    this.#lastTick = now;
    const { v } = this.b;
    const queued = this.tasks.qsize() > 0;
    this.shared.home?.tick(); // holders' ports (_mesh.ts)
    if (
      Atomics.load(v, STATE) !== OPEN && Atomics.load(v, LIVE) === 0 &&
      !queued
    ) {
      clearInterval(this.#supervisor);
      supervised.delete(this);
      if (supervised.size === 0) setSliceHook(undefined);
      return;
    }
    // Only for work: pool threads that idled out stay gone (idleTimeout).
    if (
      Atomics.exchange(v, NEED, 0) !== 0 ||
      (queued &&
        Atomics.load(v, LIVE) - Atomics.load(v, STALES) < this.b.l.workers)
    ) this.maintain();
  }

  /**
   * Frees the records of pool threads that ended and the slots of owners
   * that ended, breaks the executor if home ended, then replenishes.
   */
  maintain(): void {
    const b = this.b, { v } = b;
    if (!this.home) breakIfHomeGone(this);
    sweep(b, this.free);
    freeTaker(b, this.tasks, this.free); // held by a reclaim that stopped
    for (let w = 0; w < b.l.records; w++) {
      const r = b.record(w);
      const ident = Atomics.load(v, r + R_IDENT);
      // -ident: a pool thread taking its record back (_leave.ts
      // leaveIdle), counted in LIVE; freed once it is in the stop ring
      // (it runs no more JavaScript, so it can never name itself there).
      if (ident < -1) {
        if (
          identStopped(-ident) !== undefined &&
          Atomics.compareExchange(v, r + R_IDENT, ident, 0) === ident
        ) {
          Atomics.sub(v, LIVE, 1);
          Atomics.notify(v, LIVE); // as below
        }
        continue;
      }
      if (ident <= 0 || entryAlive(v[r + R_ENTRY], ident)) continue;
      // Looked at again: the two loads above are not one read. Between
      // them the thread may have left (IDENT 0) and a starter (or its own
      // take-back, _leave.ts leaveIdle) put another thread's ENTRY there,
      // so a live thread's record looked ended; the reclaim below would
      // then take a live thread's take (re-tag and requeue the task it is
      // about to claim) and free its record to a second thread. Every
      // publication of an ident writes ENTRY while IDENT reads -1 (a
      // starter) or -ident (a take-back), before the ident's store, so an
      // ENTRY loaded after IDENT read `ident` is that thread's unless IDENT
      // moved on after that load. (Left: a
      // thread that left, took its record back and left again within
      // these four loads.)
      if (
        Atomics.load(v, r + R_IDENT) !== ident ||
        entryAlive(v[r + R_ENTRY], ident)
      ) continue;
      // It stopped inside its initializer (an exit there, or a death): as
      // one that threw, the pool breaks (Python's BrokenThreadPool), so
      // that no replacement runs it again and the queued tasks fail. On
      // its stop only (recorded before its entry is freed, thread/
      // _worker.ts): one declared dead there may still return from it.
      if (
        this.s.init !== null && Atomics.load(v, r + R_INIT) !== 1 &&
        identStopped(ident) !== undefined
      ) close(b, this.tasks, this.free, BROKEN, true);
      // A slot handed to it and never taken, or taken and not claimed,
      // goes back (before the record can be reused; a reclaim that cannot
      // decide now leaves the record to a later maintain, _take.ts).
      if (
        !reclaimTake(b, taskView(this.tasks), this.tasks, this.free, r, ident)
      ) {
        continue;
      }
      if (Atomics.compareExchange(v, r + R_IDENT, ident, 0) === ident) {
        unmark(v, r); // a stale thread's: after IDENT, before LIVE (_stale.ts)
        Atomics.sub(v, LIVE, 1);
        // Why no lost wakeup: as for a leaving pool thread (_leave.ts).
        Atomics.notify(v, LIVE);
      }
    }
    this.replenish();
  }

  /**
   * Starts pool threads while queued tasks outnumber the threads that will
   * take one without a start (_started.ts), up to maxWorkers (`all`:
   * regardless). So, as in Python, a submit reuses an idle thread before
   * it starts one. Another thread than home only asks (NEED).
   */
  replenish(all = false): void {
    const b = this.b, { v } = b;
    if (!this.home) {
      Atomics.store(v, NEED, 1);
      return;
    }
    if (!roomToStart(this.started.due.length > 0)) return;
    this.replaceStale(); // any left due (_stale.ts)
    const state = Atomics.load(v, STATE);
    if (
      state === BROKEN ||
      (state !== OPEN && this.tasks.qsize() === 0) ||
      (!all && this.tasks.qsize() === 0)
    ) {
      return;
    }
    // A count, not a claim: see readyThreads. The records are read before
    // qsize(): a take made between the two then lowers both (never a start
    // counted for a task a thread already has).
    let need = 0;
    if (all) need = b.l.workers;
    else {
      const ready = readyThreads(b, taskView(this.tasks));
      need = this.tasks.qsize() - ready;
    }
    if (need > 0 && !roomToStart(true)) return;
    // maxWorkers bounds the threads that take tasks: a stale one (in its
    // last task, _stale.ts) is not one of them.
    for (let w = 0; w < b.l.records && need > 0; w++) {
      if (Atomics.load(v, LIVE) - Atomics.load(v, STALES) >= b.l.workers) {
        return;
      }
      if (!claim(v, b.record(w))) continue;
      need--;
      if (!startOn(this, w)) return;
    }
  }

  /**
   * Starts the replacements of the threads marked stale during the encode
   * that just ended (_stale.ts: home runs here, inside the submit that
   * registered a buffer). Home only; nothing due is one load.
   */
  replaceStale(): void {
    const due = this.started.due;
    if (due.length === 0) return;
    while (due.length > 0) startOn(this, due.shift()!);
  }
}

const SUPERVISE_MS = 100;

// Near the end of the stack a pool thread's start is left to a later
// replenish (an owner's scan, home's tick, the next submit): startOn's take
// of its record (IDENT -1), its give-back and report fit in the room asked
// for here (a Thread start asks for its own, _core/overflow.ts, a few frames
// deeper: this half as much again). Only when a start is due (about 16 us).
function roomToStart(due: boolean): boolean {
  if (!due) return true;
  try {
    roomForPorts();
    return true;
  } catch {
    return false;
  }
}

// The executors this thread is home of and supervises, for the slice hook.
const supervised = new Set<Pool>();
function tickAll(): void {
  for (const pool of supervised) pool.tick();
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
