// Copyright 2026 the threadkit authors. MIT license.
// The module-export target every Timer thread runs: wait out the interval on
// the timer's word, then claim the word and run the real target, unless
// cancel() claimed it first. See thread/timer.ts for the word's states.

import { waitSync } from "../_core/wait.ts";
import {
  explainMissing,
  resolveTarget,
  type WireTarget,
} from "../_core/target.ts";

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
  word: Int32Array,
  interval: number,
  target: WireTarget,
  ...args: unknown[]
): Promise<unknown> {
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
