// Copyright 2026 the threadkit authors. MIT license.
// The module-export target every Timer thread runs: wait out the interval on
// the timer's word, then claim the word and run the real target, unless
// cancel() claimed it first. See thread/timer.ts for the word's states.
//
// The word's handle (TimerWord, internal): the word is a heap block
// (_core/heap.ts) of its own, and every holder of it holds a reference:
// the Timer that made it (through its TimerWord), every Timer handle
// revived from it in another thread (the transfer's decode gives each one),
// and the timer's thread, which gets a TimerWord in its args (the args'
// claim, _core/claim.ts, hands that reference to exactly one owner: the
// thread's decode, or the release after a failed start). So the word lives
// while any thread can cancel the timer or waits on the word. The timer
// thread's TimerWord is released by its finalizer, which runs in a later
// task of that thread; runTimer's wait and the compareExchange that ends
// its use of the word run in one task (no await before it), so the
// reference is held for all of it.
// Loaded by the timer thread before its args are decoded (its target is
// this module), so the tag is known there without the package.

import { waitSync } from "../_core/wait.ts";
import {
  explainMissing,
  resolveTarget,
  type WireTarget,
} from "../_core/target.ts";
import { allocRegion, checkRegion } from "../_core/placement.ts";
import { isBlock } from "../_core/heap.ts";
import { isRuntimeBuffer, publishTimer } from "../_core/runtime.ts";
import {
  type Descriptor,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";

const WORD_TAG = "threadkit.TimerWord";

/**
 * A Timer's cancel word (one Int32, WAITING at first), as a handle that
 * holds a reference to its heap block (see the top of this file).
 */
export class TimerWord {
  /** The word: `view[0]`. */
  readonly view: Int32Array;

  /**
   * A new word (WAITING) for a timer of `interval` ms, or a handle over
   * `view` (a revived one).
   */
  constructor(view?: Int32Array, interval = 0) {
    if (view === undefined) {
      // Zeroed (WAITING) either way: a heap block or a fresh buffer. The
      // word, then the interval as a float64 at byte 8 (read by timerOf in
      // thread/timer.ts, which finds the block through the thread table).
      const r = allocRegion("Timer", 16, 8, undefined, this);
      view = new Int32Array(r.buffer, r.byteOffset, 1);
      new Float64Array(r.buffer, r.byteOffset + 8, 1)[0] = interval;
    }
    this.view = view;
  }

  /** @ignore Describes the word for another thread (transfer registry). */
  [TO_DESCRIPTOR](): Descriptor {
    const { buffer, byteOffset } = this.view;
    return { tag: WORD_TAG, buffer: buffer as SharedArrayBuffer, byteOffset };
  }
}

/** The word of a descriptor `d` (a TimerWord's or a Timer's), checked. */
export function wordOf(d: Descriptor): TimerWord {
  checkRegion("Timer", d.buffer, d.byteOffset, 4, 4);
  return new TimerWord(new Int32Array(d.buffer, d.byteOffset, 1));
}

registerTransfer(WORD_TAG, wordOf);

// This thread's timer, once runTimer runs (see there).
let running: { word: TimerWord; interval: number } | undefined;

/** The timer this thread runs (thread/timer.ts), if it is a Timer's thread. */
export function selfTimer(): { word: TimerWord; interval: number } | undefined {
  return running;
}

/** The timer word's states (thread/timer.ts documents them). */
export const WAITING = 0;
/** cancel() won: the target never runs. */
export const CANCELLED = 1;
/** The interval passed and the target started: cancel() changes nothing. */
export const FIRED = 2;

/**
 * Waits `interval` ms on `word[0]`, then runs `target(...args)` unless the
 * timer was cancelled; resolves to the target's result (or undefined).
 */
export async function runTimer(
  handle: TimerWord,
  interval: number,
  target: WireTarget,
  ...args: unknown[]
): Promise<unknown> {
  const word = handle.view; // held to the CAS below (see the file's top)
  // For this call (one Timer per thread): currentThread() here is the Timer,
  // and the entry names the block (publishTimer: other threads' enumerate()
  // make Timers from it) from after this thread holds its reference until
  // before it lets it go (the finally below; thread/timer.ts timerOf).
  running = { word: handle, interval };
  const { buffer, byteOffset } = word;
  const named = isRuntimeBuffer(buffer as SharedArrayBuffer) &&
    isBlock(byteOffset);
  if (named) publishTimer(byteOffset);
  try {
    return await fire(handle, interval, target, args);
  } finally {
    if (named) publishTimer(0);
    running = undefined; // a Timer handle made here keeps its word itself
  }
}

async function fire(
  handle: TimerWord,
  interval: number,
  target: WireTarget,
  args: unknown[],
): Promise<unknown> {
  const word = handle.view;
  const deadline = performance.now() + interval;
  // Why no lost wakeup: cancel() stores CANCELLED before it notifies, and we
  // sleep only while the word is still WAITING.
  while (Atomics.load(word, 0) === WAITING) {
    if (waitSync(word, 0, WAITING, deadline) === "timed-out") break;
  }
  // One compareExchange decides between a racing cancel() and the start.
  if (Atomics.compareExchange(word, 0, WAITING, FIRED) !== WAITING) {
    return undefined;
  }
  const fn = await resolveTarget(target);
  try {
    return await fn(...args);
  } catch (error) {
    throw target.kind === "source"
      ? explainMissing(error, `Timer target "${target.name || "anonymous"}"`)
      : error;
  }
}
