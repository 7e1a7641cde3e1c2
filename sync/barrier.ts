// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Barrier}: a meeting point for a fixed number of threads.
 * @module
 */

import { BrokenBarrierError } from "../_core/errors.ts";
import {
  allocRegion,
  checkRegion,
  type SharedPlacement,
} from "../_core/placement.ts";
import {
  decodeTransfer,
  type Descriptor,
  encodeTransfer,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import { defineInspect } from "../_core/inspect.ts";
import { registerErrorClass } from "../_core/outcome.ts";
import {
  type AnyFunction,
  checkTarget,
  compileSource,
  explainMissing,
  type WireTarget,
  wireTarget,
} from "../_core/target.ts";
import { loadedScope, loadScope } from "../_core/scope.ts";
import { deadlineOf, type WaitOptions, waitOptions } from "../_core/wait.ts";
import { Condition } from "./condition.ts";
import { conditionAt } from "./_condition_at.ts";
import { Lock } from "./lock.ts";
import { lockAt } from "./_lock_at.ts";

export type { WaitOptions } from "../_core/wait.ts";
export type { SharedPlacement } from "../_core/placement.ts";

// Barrier shared layout: Int32Array on a SharedArrayBuffer, 7 slots (28 B).
// | slot | name    | values                                     | written by          |
// |------|---------|--------------------------------------------|---------------------|
// | 0    | STATE   | 0 FILLING, 1 DRAINING, -1 RESETTING, -2 BROKEN | lock holder     |
// | 1    | COUNT   | threads inside wait()                      | lock holder         |
// | 2    | PARTIES | parties, fixed at creation                 | the constructor     |
// | 3    | LOCK    | the Lock word (sync/lock.ts)               | the Lock            |
// | 4-6  | COND    | the Condition's words (sync/condition.ts)  | the Condition       |
// The default timeout and the action travel in the descriptor (immutable).
const STATE = 0;
const COUNT = 1;
const PARTIES = 2;
const LOCK_BYTE = 3 * 4;
const COND_BYTE = 4 * 4;
const SLOTS = 7;
const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;

// Barrier states (CPython's algorithm, all under the lock):
// FILLING   -a thread arrives, COUNT+1 < parties-> it waits for STATE != FILLING
// FILLING   -the last arrives-> it runs the action, then DRAINING + notifyAll
//                              (action throws -> BROKEN + notifyAll, rethrow)
// DRAINING  -each waiter leaves, COUNT-1; the last one out-> FILLING + notifyAll
// FILLING   -a wait times out or is interrupted, or abort()-> BROKEN + notifyAll
// (an interrupted waiter leaving DRAINING or RESETTING changes no state)
// FILLING with waiters -reset()-> RESETTING; waiters raise BrokenBarrierError;
//                                 the last one out -> FILLING
// BROKEN    -reset()-> FILLING (or RESETTING while threads are inside)
// Arrivals during DRAINING or RESETTING wait for FILLING first, so a fast
// thread cannot join the next generation before the last one left.
//
// Why no lost wakeup: every state change above happens with the lock held and
// is followed by notifyAll before the lock is released; every wait re-checks
// STATE in a loop with the lock held (Condition's own note covers the rest).
//
// The action: functions cannot cross threads, and the last thread to arrive
// (which runs the action, as in Python) may be any thread, blocked in a
// synchronous wait. So the action is a self-contained function, sent as
// source text like a Thread's function target, compiled synchronously (new
// Function) in whichever thread needs it, with threadkit's exports in scope
// (loaded through _core/scope.ts as soon as a barrier with an action exists
// in a thread) and `actionArgs` (which travel like thread args) as its
// arguments. Every thread compiles the same source text, so a captured
// variable fails the same way everywhere. Module targets are not accepted: importing
// one is asynchronous and a blocking wait cannot await it.

const TAG = "threadkit.Barrier";
let adopting: { descriptor: Descriptor; actionArgs: unknown[] } | undefined;

/** Options of {@linkcode Barrier}. */
export interface BarrierOptions<
  // deno-lint-ignore no-explicit-any
  F extends (...args: any[]) => unknown = (...args: any[]) => unknown,
> extends SharedPlacement {
  /**
   * Runs once per generation, in the last thread to arrive, before any waiter
   * is released. A self-contained function: it is sent as source text and
   * cannot use variables of its enclosing scope (threadkit's exports are in
   * scope; pass the rest in `actionArgs`). Its return value is ignored.
   */
  action?: F;
  /** Arguments for `action`; threadkit primitives arrive as themselves. */
  actionArgs?: Parameters<F>;
  /** Default timeout (ms) of `wait()`; default: none. */
  timeout?: number;
}

/**
 * A barrier for `parties` threads: each calls `wait()`, and all are released
 * together when the last one arrives, each with a distinct index in
 * `0..parties-1`. The barrier then resets for the next generation. A wait
 * that times out, an action that throws, or `abort()` breaks the barrier:
 * every thread waiting (and every later arrival, until `reset()`) gets a
 * {@linkcode BrokenBarrierError}. A Barrier passed to a thread arrives as the
 * same barrier, action included.
 *
 * Python: `threading.Barrier`.
 *
 * Differences from Python:
 * - The action is a self-contained function compiled from its source in the
 *   thread that runs it; its arguments come from `actionArgs`.
 * - Timeouts are in milliseconds; waits also take an AbortSignal, and an
 *   abort (or a thread's cancellation) breaks the barrier as a timeout does.
 * - `waitAsync` is an addition.
 *
 * @example Three threads meet, the action runs once
 * ```ts
 * import { Barrier, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const runs = new Int32Array(new SharedArrayBuffer(4));
 * const barrier = new Barrier(3, {
 *   action: (runs: Int32Array) => Atomics.add(runs, 0, 1),
 *   actionArgs: [runs],
 * });
 * const threads = [1, 2].map(() =>
 *   new Thread({
 *     target: (b: Barrier) => b.wait({ timeout: 10_000 }),
 *     args: [barrier],
 *   })
 * );
 * for (const t of threads) t.start();
 * const mine = await barrier.waitAsync({ timeout: 10_000 });
 * const all = [mine, ...await Promise.all(threads.map((t) => t.joinAsync()))];
 * assert.deepEqual(all.sort(), [0, 1, 2]);
 * assert.equal(runs[0], 1);
 * ```
 */
export class Barrier {
  readonly #view: Int32Array;
  readonly #cond: Condition;
  readonly #timeout: number | undefined;
  readonly #action: WireTarget | undefined;
  readonly #actionArgs: unknown[];
  #compiled: AnyFunction | undefined;

  /**
   * Creates a barrier for `parties` threads, in threadkit's shared heap or at
   * `options.byteOffset` of `options.buffer` (28 bytes, 4-aligned).
   * @throws {RangeError} when `parties` is not an integer of at least 1, or
   * the timeout is negative or NaN.
   * @throws {TypeError} when `action` is not a function (or is native or
   * bound), `actionArgs` is not an array, or the buffer is not shared.
   */
  constructor(parties: number, options?: BarrierOptions) {
    const revived = adopting;
    adopting = undefined;
    if (revived !== undefined) {
      const d = revived.descriptor;
      const extra = d.extra as Extra;
      this.#view = new Int32Array(d.buffer, d.byteOffset, SLOTS);
      this.#cond = conditionAt(
        d.buffer,
        d.byteOffset + COND_BYTE,
        lockAt(d.buffer, d.byteOffset + LOCK_BYTE),
      );
      this.#timeout = extra.timeout ?? undefined;
      this.#action = extra.action ?? undefined;
      if (this.#action !== undefined) preloadScope();
      this.#actionArgs = revived.actionArgs;
      return;
    }
    if (typeof parties !== "number" || !Number.isInteger(parties)) {
      throw new TypeError(
        `Cannot create barrier: parties must be an integer, got ${
          String(parties)
        }`,
      );
    }
    if (parties < 1 || parties > 0x7fffffff) {
      throw new RangeError(
        `Cannot create barrier: parties must be at least 1, got ${parties}`,
      );
    }
    const { action, actionArgs = [], timeout } = options ?? {};
    deadlineOf(timeout); // validates
    if (action !== undefined) {
      checkTarget(action, "Cannot create barrier: action", false);
    }
    if (!Array.isArray(actionArgs)) {
      throw new TypeError("Cannot create barrier: actionArgs must be an array");
    }
    const { buffer, byteOffset } = allocRegion(
      "Barrier",
      Barrier.byteLength,
      4,
      options,
    );
    this.#view = new Int32Array(buffer, byteOffset, SLOTS);
    this.#view[STATE] = FILLING;
    this.#view[COUNT] = 0;
    Atomics.store(this.#view, PARTIES, parties);
    const lock = new Lock({ buffer, byteOffset: byteOffset + LOCK_BYTE });
    this.#cond = new Condition(lock, {
      buffer,
      byteOffset: byteOffset + COND_BYTE,
    });
    this.#timeout = timeout;
    this.#action = action === undefined ? undefined : wireTarget(action);
    if (action !== undefined) preloadScope();
    this.#actionArgs = actionArgs;
  }

  /** Bytes a Barrier occupies when placed in a caller's buffer. */
  static readonly byteLength: number = SLOTS * 4;

  /** The number of threads that must arrive. Python: `parties`. */
  get parties(): number {
    return Atomics.load(this.#view, PARTIES);
  }

  /**
   * The number of threads waiting now (a snapshot; 0 while the barrier
   * drains, resets or is broken). Python: `n_waiting`.
   */
  get nWaiting(): number {
    const v = this.#view;
    return Atomics.load(v, STATE) === FILLING ? Atomics.load(v, COUNT) : 0;
  }

  /** Whether the barrier is broken (a snapshot). Python: `broken`. */
  get broken(): boolean {
    return Atomics.load(this.#view, STATE) === BROKEN;
  }

  /**
   * Waits until `parties` threads have called `wait()`, blocking the calling
   * thread (and its event loop; see {@linkcode Barrier.prototype.waitAsync}).
   * The last to arrive runs the action first.
   *
   * Python: `threading.Barrier.wait`.
   *
   * @param options `timeout` (ms; default: the barrier's) and `signal`.
   * @returns this thread's index in `0..parties-1`, distinct per generation.
   * @throws {BrokenBarrierError} when the barrier is or becomes broken, or
   * the timeout passes (which breaks it).
   * @throws what the action threw, in the thread that ran it (the barrier is
   * broken then).
   * @throws {RangeError} for a negative or NaN timeout.
   */
  wait(options?: WaitOptions): number {
    const { deadline, signal } = waitOptions(options, this.#timeout);
    const cond = this.#cond;
    const v = this.#view;
    using _held = cond.guard({ signal });
    while (v[STATE] === DRAINING || v[STATE] === RESETTING) {
      cond.wait({ signal }); // block while the barrier drains or resets
    }
    if (v[STATE] !== FILLING) throw broken();
    const index = v[COUNT];
    Atomics.store(v, COUNT, index + 1);
    try {
      if (index + 1 === v[PARTIES]) {
        this.#release();
      } else {
        try {
          while (v[STATE] === FILLING) {
            const timeout = remaining(deadline);
            if (timeout !== undefined && timeout <= 0) break;
            cond.wait({ timeout, signal });
          }
        } catch (error) {
          // Interrupted (abort, cancel): break the barrier only while it is
          // still filling. After a trip (DRAINING) or a reset (RESETTING),
          // breaking would fail peers of a generation that did trip and undo
          // the reset.
          if (v[STATE] === FILLING) this.#break();
          throw error;
        }
        this.#afterWait();
      }
      return index;
    } finally {
      this.#exit();
    }
  }

  /**
   * Like {@linkcode Barrier.prototype.wait}, without blocking the event loop.
   *
   * Python: none (the async twin of `threading.Barrier.wait`).
   *
   * @returns a promise of this thread's index.
   */
  waitAsync(options?: WaitOptions): Promise<number> {
    const { deadline, signal } = waitOptions(options, this.#timeout);
    return this.#waitAsync(deadline, signal);
  }

  async #waitAsync(
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const cond = this.#cond;
    const v = this.#view;
    await using _held = await cond.guardAsync({ signal });
    while (v[STATE] === DRAINING || v[STATE] === RESETTING) {
      await cond.waitAsync({ signal });
    }
    if (v[STATE] !== FILLING) throw broken();
    const index = v[COUNT];
    Atomics.store(v, COUNT, index + 1);
    try {
      if (index + 1 === v[PARTIES]) {
        this.#release();
      } else {
        try {
          while (v[STATE] === FILLING) {
            const timeout = remaining(deadline);
            if (timeout !== undefined && timeout <= 0) break;
            await cond.waitAsync({ timeout, signal });
          }
        } catch (error) {
          // Interrupted (abort, cancel): break the barrier only while it is
          // still filling. After a trip (DRAINING) or a reset (RESETTING),
          // breaking would fail peers of a generation that did trip and undo
          // the reset.
          if (v[STATE] === FILLING) this.#break();
          throw error;
        }
        this.#afterWait();
      }
      return index;
    } finally {
      this.#exit();
    }
  }

  /**
   * Returns the barrier to its empty state; threads waiting now get a
   * {@linkcode BrokenBarrierError}. A broken barrier becomes usable again.
   *
   * Python: `threading.Barrier.reset`.
   */
  reset(): void {
    using _held = this.#cond.guard();
    const v = this.#view;
    if (v[COUNT] > 0) {
      // FILLING: wake the waiters as broken; BROKEN: clear when the last leaves.
      if (v[STATE] === FILLING || v[STATE] === BROKEN) {
        this.#setState(RESETTING);
      }
    } else {
      this.#setState(FILLING);
    }
    this.#cond.notifyAll();
  }

  /**
   * Breaks the barrier: every thread waiting now, and every later arrival
   * until `reset()`, gets a {@linkcode BrokenBarrierError}.
   *
   * Python: `threading.Barrier.abort`.
   */
  abort(): void {
    using _held = this.#cond.guard();
    this.#break();
  }

  /** @ignore Describes the barrier (action included) for another thread. */
  [TO_DESCRIPTOR](): Descriptor {
    const extra: Extra = {
      timeout: this.#timeout ?? null,
      action: this.#action ?? null,
      actionArgs: encodeTransfer(this.#actionArgs),
    };
    return {
      tag: TAG,
      buffer: this.#view.buffer as SharedArrayBuffer,
      byteOffset: this.#view.byteOffset,
      extra,
    };
  }

  // Lock held, we are the last to arrive: run the action, then release all.
  #release(): void {
    try {
      const action = this.#action;
      if (action !== undefined && action.kind === "source") {
        // Compiled once the package's names are loaded (preloadScope); a
        // run before that (a blocking last arrival straight after creation)
        // compiles without them and does not keep the result.
        const scope = loadedScope();
        const compiled = this.#compiled ??
          compileSource(action.source, action.name, scope ?? {});
        if (scope !== undefined) this.#compiled = compiled;
        try {
          compiled(...this.#actionArgs);
        } catch (error) {
          throw explainMissing(
            error,
            `Barrier action "${action.name || "anonymous"}"`,
          );
        }
      }
      this.#setState(DRAINING);
      this.#cond.notifyAll();
    } catch (error) {
      this.#break();
      throw error;
    }
  }

  // Lock held, a waiter's wait ended: released, broken, reset or timed out.
  #afterWait(): void {
    const state = this.#view[STATE];
    if (state === FILLING) {
      this.#break(); // timed out: break the barrier for everyone
      throw broken();
    }
    if (state < 0) throw broken();
  }

  // Lock held, leaving wait(): the last one out ends draining or resetting.
  #exit(): void {
    const v = this.#view;
    const count = v[COUNT] - 1;
    Atomics.store(v, COUNT, count);
    if (count === 0 && (v[STATE] === DRAINING || v[STATE] === RESETTING)) {
      this.#setState(FILLING);
      this.#cond.notifyAll();
    }
  }

  #break(): void {
    this.#setState(BROKEN);
    this.#cond.notifyAll();
  }

  // STATE and COUNT are written only with the lock held, which publishes
  // them to the next holder; the stores are atomic for the lock-free getters.
  #setState(state: number): void {
    Atomics.store(this.#view, STATE, state);
  }
}

/** The descriptor's extra: what is immutable and not in shared memory. */
interface Extra {
  timeout: number | null;
  action: WireTarget | null;
  actionArgs: unknown;
}

function broken(): BrokenBarrierError {
  return new BrokenBarrierError();
}

function remaining(deadline: number): number | undefined {
  return deadline === Infinity
    ? undefined
    : Math.max(0, deadline - performance.now());
}

registerErrorClass(BrokenBarrierError);
defineInspect(Barrier, (barrier) => ({
  parties: barrier.parties,
  nWaiting: barrier.nWaiting,
  broken: barrier.broken,
}));

registerTransfer(TAG, (d) => {
  checkRegion("Barrier", d.buffer, d.byteOffset, Barrier.byteLength, 4);
  const extra = d.extra as Partial<Extra> | undefined;
  const actionArgs = decodeTransfer(extra?.actionArgs ?? []);
  if (!Array.isArray(actionArgs)) {
    throw new TypeError("Cannot revive Barrier: bad descriptor");
  }
  adopting = { descriptor: d, actionArgs };
  return new Barrier(0);
});

// Starts loading the package's names for the action (see _core/scope.ts); an
// action compiled before they arrive sees only the globals.
function preloadScope(): void {
  loadScope().catch(() => {});
}
