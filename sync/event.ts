// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Event}: a flag that threads wait on until another sets it.
 * @module
 */

import {
  allocRegion,
  checkRegion,
  type SharedPlacement,
} from "../_core/placement.ts";
import {
  type Descriptor,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import { defineInspect } from "../_core/inspect.ts";
import {
  sleepAsync,
  sleepOptions,
  sleepOptionsAsync,
  sleepSync,
  type WaitOptions,
} from "../_core/wait.ts";

export type { WaitOptions } from "../_core/wait.ts";
export type { SharedPlacement } from "../_core/placement.ts";

// Event shared layout: Int32Array on a SharedArrayBuffer, 1 slot (4 B).
// | slot | name  | values                                          | written by              |
// |------|-------|-------------------------------------------------|-------------------------|
// | 0    | STATE | a counter: odd = flag set, even = flag clear    | OR by set, CAS by clear |
const STATE = 0;
const SLOTS = 1;

// Event states (STATE counts flips, so its low bit is the flag):
// even s -set()   (OR 1: s -> s+1)-> odd, notify all waiters on STATE
// odd  s -clear() (CAS s -> s+1)-> even
// odd    -set()->                  nothing;   even -clear()-> nothing
// Counting flips, not storing 0/1, means a waiter that read an even s and
// later finds STATE != s knows a set() happened even if a clear() followed,
// so it returns true, as Python's Event.wait does for a set-then-clear.
//
// Why no lost wakeup: set() changes STATE before it notifies; a waiter sleeps
// only while STATE still holds the even value it read, so it either sees the
// change or is woken by the notify. notify wakes every waiter, blocking and
// async alike (Atomics.notify does not tell them apart).
//
// Int32 wrap-around keeps the parity (2^31 - 1 is odd, -2^31 even), and a
// waiter would need 2^32 flips between two of its reads to be fooled.

const TAG = "threadkit.Event";
let adopting: Descriptor | undefined;

/**
 * An event flag: `wait()` returns once the flag is set; `set()` wakes every
 * waiter; `clear()` lowers the flag again. An Event passed to a thread
 * arrives as the same event.
 *
 * Python: `threading.Event`.
 *
 * Differences from Python:
 * - Timeouts are in milliseconds; waits also take an AbortSignal.
 * - `waitAsync` is an addition.
 *
 * @example One thread waits, another sets
 * ```ts
 * import { Event, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const ready = new Event();
 * const t = new Thread({
 *   target: (ready: Event) => ready.wait({ timeout: 10_000 }),
 *   args: [ready],
 * });
 * t.start();
 * ready.set();
 * assert.equal(await t.joinAsync({ timeout: 10_000 }), true);
 * ```
 */
export class Event {
  readonly #view: Int32Array;

  /**
   * Creates a clear event in threadkit's shared heap, or at
   * `placement.byteOffset` of `placement.buffer` (4 bytes, 4-aligned).
   * @throws {TypeError} when the buffer is not a SharedArrayBuffer.
   * @throws {RangeError} when the offset is misaligned or out of range.
   */
  constructor(placement?: SharedPlacement) {
    const revived = adopting;
    adopting = undefined;
    const { buffer, byteOffset } = revived ??
      allocRegion("Event", Event.byteLength, 4, placement, this);
    this.#view = new Int32Array(buffer, byteOffset, SLOTS);
    if (revived === undefined) Atomics.store(this.#view, STATE, 0);
  }

  /** Bytes an Event occupies when placed in a caller's buffer. */
  static readonly byteLength: number = SLOTS * 4;

  /**
   * Whether the flag is set (a snapshot).
   *
   * Python: `threading.Event.is_set`.
   */
  isSet(): boolean {
    return (Atomics.load(this.#view, STATE) & 1) === 1;
  }

  /**
   * Sets the flag and wakes every thread waiting for it. Any thread may set.
   *
   * Python: `threading.Event.set`.
   */
  set(): void {
    const view = this.#view;
    // One atomic: an even (clear) s becomes s + 1 (odd, set); an odd one
    // stays as it is.
    if ((Atomics.or(view, STATE, 1) & 1) === 0) {
      // Why no lost wakeup: STATE changed above, before this notify.
      Atomics.notify(view, STATE);
    }
  }

  /**
   * Clears the flag; later waits block until the next `set()`.
   *
   * Python: `threading.Event.clear`.
   */
  clear(): void {
    const view = this.#view;
    let s = Atomics.load(view, STATE);
    while ((s & 1) === 1) {
      const seen = Atomics.compareExchange(view, STATE, s, (s + 1) | 0);
      if (seen === s) return;
      s = seen;
    }
  }

  /**
   * Blocks the calling thread until the flag is set or the timeout passes.
   * Blocks the event loop: use {@linkcode Event.prototype.waitAsync} where
   * that matters.
   *
   * Python: `threading.Event.wait`.
   *
   * @returns `true` when the flag was set (even if cleared again since),
   * `false` on timeout.
   * @throws {RangeError} for a negative or NaN timeout.
   * @throws the signal's reason when it aborts, at once when it already has
   * (flag set or not); a CancelledError when the calling thread is
   * cancelled while waiting.
   */
  wait(options?: WaitOptions): boolean {
    const sleep = sleepOptions(options);
    const view = this.#view;
    const s = Atomics.load(view, STATE);
    if ((s & 1) === 1) return true;
    // Why no lost wakeup: sleepSync sleeps only while STATE still holds s
    // (it sleeps again on a wake that finds STATE unchanged), and returns
    // anything but "timed-out" only once STATE differs from s.
    const outcome = sleepSync(view, STATE, s, sleep, true, "wait");
    return outcome !== "timed-out" || Atomics.load(view, STATE) !== s;
  }

  /**
   * Waits for the flag without blocking the event loop.
   *
   * Python: none (the async twin of `threading.Event.wait`).
   *
   * @returns a promise of `true` when the flag was set, `false` on timeout;
   * it rejects with the signal's reason as `wait` throws it.
   * @throws {RangeError} (synchronously) for a negative or NaN timeout.
   *
   * @example
   * ```ts
   * import { Event } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const e = new Event();
   * assert.equal(await e.waitAsync({ timeout: 10 }), false);
   * setTimeout(() => e.set(), 10);
   * assert.equal(await e.waitAsync({ timeout: 10_000 }), true);
   * ```
   */
  waitAsync(options?: WaitOptions): Promise<boolean> {
    const sleep = sleepOptionsAsync(options);
    if (sleep instanceof Promise) return sleep; // rejected: aborted signal
    const view = this.#view;
    const s = Atomics.load(view, STATE);
    if ((s & 1) === 1) return Promise.resolve(true);
    // Why no lost wakeup: as in wait(). The outcome becomes the boolean in
    // the reaction that sees the wake (one promise hop over the raw
    // Atomics.waitAsync, no async function around it), and that reaction
    // reads `this`: the pending wait holds the handle, so the event's heap
    // block keeps its reference while the wait is pending (_core/heap.ts: a
    // block is freed only when no handle is left).
    return sleepAsync(
      view,
      STATE,
      s,
      sleep,
      true,
      (outcome) =>
        outcome !== "timed-out" || Atomics.load(this.#view, STATE) !== s,
    );
  }

  /** @ignore Describes the event for another thread (transfer registry). */
  [TO_DESCRIPTOR](): Descriptor {
    return {
      tag: TAG,
      buffer: this.#view.buffer as SharedArrayBuffer,
      byteOffset: this.#view.byteOffset,
    };
  }
}

defineInspect(Event, (event) => ({ set: event.isSet() }));

registerTransfer(TAG, (d) => {
  checkRegion("Event", d.buffer, d.byteOffset, Event.byteLength, 4);
  adopting = d;
  return new Event();
});
