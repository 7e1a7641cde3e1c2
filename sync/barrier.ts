// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Barrier}: a meeting point for a fixed number of threads.
 * @module
 */

import { BrokenBarrierError, type OwnerDiedError } from "../_core/errors.ts";
import { allocRegion, checkRegion } from "../_core/placement.ts";
import {
  type Descriptor,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import { defineInspect } from "../_core/inspect.ts";
import { registerErrorClass } from "../_core/outcome.ts";
import { Action, type BarrierOptions, type Extra } from "./_barrier_action.ts";
import {
  deadlineOf,
  remaining,
  type Wait,
  WAIT_CHECK,
  type WaitOptions,
  waitOptions,
  waitOptionsAsync,
} from "../_core/wait.ts";
import {
  allocParties,
  broken,
  checkParties,
  diedHolding,
  enterParty,
  holdBarrier,
  holdBarrierAsync,
  leaveParty,
  partyCheck,
  partyTable,
  reapParties,
} from "./_parties.ts";
import { tookOver } from "./_holder.ts";
import { Condition } from "./condition.ts";
import { conditionAt } from "./_condition_at.ts";
import { Lock } from "./lock.ts";
import { lockAt } from "./_lock_at.ts";

export type { WaitOptions } from "../_core/wait.ts";
export type { SharedPlacement } from "../_core/placement.ts";
export type { BarrierOptions } from "./_barrier_action.ts";

// Barrier shared layout: Int32Array on a SharedArrayBuffer, 8 slots (32 B).
// | slot | name    | values                                     | written by          |
// |------|---------|--------------------------------------------|---------------------|
// | 0    | STATE   | 0 FILLING, 1 DRAINING, 2 BREAKING,         | lock holder         |
// |      |         | -1 RESETTING, -2 BROKEN                    |                     |
// | 1    | COUNT   | threads inside wait()                      | lock holder         |
// | 2    | PARTIES | parties, fixed at creation                 | the constructor     |
// | 3    | LOCK    | the Lock word (sync/lock.ts)               | the Lock            |
// | 4-6  | COND    | the Condition's words (sync/condition.ts)  | the Condition       |
// | 7    | MEMBERS | byte offset in the runtime block of the    | the constructor     |
// |      |         | party table (sync/_parties.ts), 0 = none    |                     |
// The default timeout and the action travel in the descriptor (immutable).
const STATE = 0;
const COUNT = 1;
const PARTIES = 2;
const LOCK_BYTE = 3 * 4;
const COND_BYTE = 4 * 4;
const MEMBERS = 7;
const SLOTS = 8;
const FILLING = 0;
const DRAINING = 1;
const BREAKING = 2;
const RESETTING = -1;
const BROKEN = -2;

// Barrier states (CPython's algorithm, all under the lock):
// FILLING   -a thread arrives, COUNT+1 < parties-> it waits for STATE != FILLING
// FILLING   -the last arrives-> it runs the action, then DRAINING + notifyAll
//                              (action throws -> BROKEN + notifyAll, rethrow)
// DRAINING  -each waiter leaves, COUNT-1; the last one out-> FILLING + notifyAll
// DRAINING  -an arrival's drain wait times out-> BREAKING (only it throws)
// BREAKING  -as DRAINING, but the last one out-> BROKEN + notifyAll; reset()-> DRAINING
// FILLING   -a wait times out or is interrupted, or abort()-> BROKEN + notifyAll
// (an interrupted waiter leaving DRAINING or RESETTING changes no state)
// FILLING with waiters -reset()-> RESETTING; waiters raise BrokenBarrierError;
//                                 the last one out -> FILLING
// BROKEN    -reset()-> FILLING (or RESETTING while threads are inside)
// Arrivals during DRAINING, BREAKING or RESETTING wait for FILLING first (a fast
// thread cannot join the next generation before the last one left).
// FILLING or DRAINING -a party's thread stopped inside wait() (seen by any
//   waiter's death check at a slice end)-> the party is removed (its table
//   word cleared, COUNT-1), BROKEN + notifyAll; without that, COUNT would
//   never drop to 0 and the barrier would drain forever.
// any state -a thread died holding the lock (an action that exited, say);
//   whoever takes the lock over (sync/_holder.ts: a waiter's slice-end
//   check, or an arrival)-> dead parties reaped, BROKEN + notifyAll; a
//   waiter or arrival gets BrokenBarrierError, reset()/abort() go on.
// Every wait has the caller's deadline, a wait for a drain too (breaks).
// Why no lost wakeup: every state change above happens with the lock held and
// is followed by notifyAll before the lock is released; every wait re-checks
// STATE in a loop with the lock held (Condition's own note covers the rest).
// The action: sync/_barrier_action.ts.

const TAG = "threadkit.Barrier";
let adopting: { descriptor: Descriptor; actionArgs: unknown[] } | undefined;

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
  // The party table, or undefined when the barrier has none.
  #members: Int32Array | undefined;
  readonly #cond: Condition;
  readonly #timeout: number | undefined;
  readonly #action: Action | undefined;

  /**
   * Creates a barrier for `parties` threads, in threadkit's shared heap or at
   * `options.byteOffset` of `options.buffer` (32 bytes, 4-aligned).
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
      this.#members = partyTable(this.#view, MEMBERS, PARTIES);
      this.#cond = conditionAt(
        d.buffer,
        d.byteOffset + COND_BYTE,
        lockAt(d.buffer, d.byteOffset + LOCK_BYTE),
      );
      this.#timeout = extra.timeout ?? undefined;
      this.#action = extra.action === null
        ? undefined
        : new Action(extra.action, revived.actionArgs);
      return;
    }
    checkParties(parties);
    const { action, actionArgs = [], timeout } = options ?? {};
    deadlineOf(timeout); // validates
    const checked = Action.of(action, actionArgs);
    const { buffer, byteOffset } = allocRegion(
      "Barrier",
      Barrier.byteLength,
      4,
      options,
      this,
    );
    this.#view = new Int32Array(buffer, byteOffset, SLOTS);
    this.#view[STATE] = FILLING;
    this.#view[COUNT] = 0;
    Atomics.store(this.#view, PARTIES, parties);
    Atomics.store(this.#view, MEMBERS, allocParties(parties));
    this.#members = partyTable(this.#view, MEMBERS, PARTIES);
    const lock = new Lock({ buffer, byteOffset: byteOffset + LOCK_BYTE });
    this.#cond = new Condition(lock, {
      buffer,
      byteOffset: byteOffset + COND_BYTE,
    });
    this.#timeout = timeout;
    this.#action = checked;
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
    const w = this.#begin(waitOptions(options, this.#timeout));
    const cond = this.#cond;
    using _held = holdBarrier(cond, w.signal, this.#died, true);
    try {
      for (let o; (o = this.#next(w, true)) !== undefined;) cond.wait(o);
    } catch (error) {
      throw this.#interrupted(error, false);
    }
    const index = this.#arrive();
    try {
      if (this.#last(index)) return index;
      try {
        for (let o; (o = this.#next(w, false)) !== undefined;) cond.wait(o);
      } catch (error) {
        throw this.#interrupted(error, true);
      }
      this.#afterWait();
      return index;
    } finally {
      this.#exit(index);
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
    const w = waitOptionsAsync(options, this.#timeout); // aborted: rejected
    return w instanceof Promise ? w : this.#waitAsync(this.#begin(w));
  }

  async #waitAsync(w: Wait): Promise<number> {
    const cond = this.#cond;
    await using _held = await holdBarrierAsync(cond, w.signal, this.#died);
    try {
      for (let o; (o = this.#next(w, true)) !== undefined;) {
        await cond.waitAsync(o);
      }
    } catch (error) {
      throw this.#interrupted(error, false);
    }
    const index = this.#arrive();
    try {
      if (this.#last(index)) return index;
      try {
        for (let o; (o = this.#next(w, false)) !== undefined;) {
          await cond.waitAsync(o);
        }
      } catch (error) {
        throw this.#interrupted(error, true);
      }
      this.#afterWait();
      return index;
    } finally {
      this.#exit(index);
    }
  }

  #begin({ deadline, signal }: Wait): Wait {
    return { deadline, signal, check: partyCheck(this.#members) };
  }

  // Lock held: the options of the next wait, or undefined when there is no
  // more to wait for: while `draining`, until the barrier stops draining or
  // resetting (a deadline that passes first breaks it); else while it fills
  // and time is left (#afterWait deals with a deadline that passed).
  #next(w: Wait, draining: boolean): WaitOptions | undefined {
    const state = this.#view[STATE];
    if (
      draining
        ? state !== DRAINING && state !== BREAKING && state !== RESETTING
        : state !== FILLING
    ) return undefined;
    const timeout = remaining(w.deadline);
    if (timeout !== undefined && timeout <= 0) {
      if (!draining) return undefined;
      // Not #break(): the draining round tripped, its parties get their
      // index; the break applies when the last leaves (#exit).
      if (state === DRAINING) this.#setState(BREAKING);
      throw broken("timed out waiting for the previous round to leave");
    }
    return { timeout, signal: w.signal, [WAIT_CHECK]: w.check } as WaitOptions;
  }

  // Lock held: joins the filling round; returns this party's index.
  #arrive(): number {
    const v = this.#view;
    if (v[STATE] !== FILLING) throw broken();
    const index = v[COUNT];
    Atomics.store(v, COUNT, index + 1);
    enterParty(this.#members, index);
    return index;
  }

  // Lock held: the last to arrive runs the action and releases the others.
  #last(index: number): boolean {
    if (index + 1 !== this.#view[PARTIES]) return false;
    this.#release();
    return true;
  }

  // Lock held, a wait threw (abort, cancel, a dead party, a dead lock
  // holder): returns what to throw. Breaks when a party died, or while
  // `filling`; not after a trip or a reset (peers of a round that tripped
  // must not fail, nor a reset be undone). A lock taken over: #died.
  #interrupted(error: unknown, filling: boolean): unknown {
    if (tookOver(error)) return this.#died(error as OwnerDiedError);
    const filled = filling && this.#view[STATE] === FILLING;
    if (!this.#reap() && filled) this.#break();
    return error;
  }

  // Lock held, taken over from a thread that died holding it: the words it
  // was changing are suspect, so the round breaks whatever its state (its
  // dead parties reaped); reset() makes the barrier usable again.
  #died = (error: OwnerDiedError): BrokenBarrierError => {
    this.#reap();
    this.#break();
    return diedHolding(error);
  };

  // Lock held: removes the parties whose threads stopped (sync/_parties.ts)
  // and breaks the barrier if there were any. Returns whether it did.
  #reap(): boolean {
    const members = this.#members;
    if (members === undefined) return false;
    const reaped = reapParties(members);
    if (reaped === 0) return false;
    Atomics.sub(this.#view, COUNT, reaped);
    this.#break();
    return true;
  }

  /**
   * Returns the barrier to its empty state; threads waiting now get a
   * {@linkcode BrokenBarrierError}. A broken barrier becomes usable again.
   *
   * Python: `threading.Barrier.reset`.
   */
  reset(): void {
    using _held = holdBarrier(this.#cond, undefined, this.#died, false);
    const v = this.#view;
    if (v[COUNT] > 0) {
      // FILLING: wake the waiters as broken; BROKEN: clear when the last leaves.
      if (v[STATE] === FILLING || v[STATE] === BROKEN) {
        this.#setState(RESETTING);
      } else if (v[STATE] === BREAKING) {
        this.#setState(DRAINING);
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
    using _held = holdBarrier(this.#cond, undefined, this.#died, false);
    this.#break();
  }

  /** @ignore Describes the barrier (action included) for another thread. */
  [TO_DESCRIPTOR](): Descriptor {
    const extra: Extra = {
      timeout: this.#timeout ?? null,
      action: this.#action?.wire ?? null,
      actionArgs: this.#action?.args ?? [],
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
      this.#action?.run();
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
  #exit(index: number): void {
    const v = this.#view;
    leaveParty(this.#members, index);
    const count = v[COUNT] - 1;
    Atomics.store(v, COUNT, count);
    if (count !== 0) return;
    const state = v[STATE];
    if (state === DRAINING || state === RESETTING || state === BREAKING) {
      // Why no lost wakeup: arrivals waiting for the drain sleep on the
      // condition with the lock held until STATE leaves these three states;
      // we change it with the lock held and notifyAll before releasing it.
      this.#setState(state === BREAKING ? BROKEN : FILLING);
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

registerErrorClass(BrokenBarrierError);
defineInspect(Barrier, (barrier) => ({
  parties: barrier.parties,
  nWaiting: barrier.nWaiting,
  broken: barrier.broken,
}));

registerTransfer(TAG, (d) => {
  checkRegion("Barrier", d.buffer, d.byteOffset, Barrier.byteLength, 4);
  const extra = d.extra as Partial<Extra> | undefined;
  // Values: the encode sites encode the extra, and decode it before this.
  const actionArgs = extra?.actionArgs ?? [];
  if (!Array.isArray(actionArgs)) {
    throw new TypeError("Cannot revive Barrier: bad descriptor");
  }
  adopting = { descriptor: d, actionArgs };
  return new Barrier(0);
});
