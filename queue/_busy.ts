// Copyright 2026 the threadkit authors. MIT license.
// How long one synchronous queue call may wait for a store or turn lock that
// another thread holds (which may be running a slow custom decode under it):
// until the call's own deadline, and not at all for the nowait forms; a
// blocking call without a timeout waits for as long as the holder takes, as
// before. The deadline is set around one whole synchronous get or put (no
// await inside, so no other call of this thread can see it).

import { type AcquireOptions, UNINTERRUPTIBLE } from "../_core/wait.ts";

/** Thrown by a store or turn lock that was not had by the call's deadline. */
export const BUSY: { readonly busy: true } = Object.freeze({ busy: true });

const MUST = { [UNINTERRUPTIBLE]: true } as AcquireOptions;
// performance.now() ms; -Infinity: do not wait.
let current = Infinity;

/** The deadline of the store and turn locks for the call running now. */
export function lockDeadline(): number {
  return current;
}

/**
 * The options of a store lock's acquire under the current deadline. The lock
 * is taken uninterruptibly: see queue/_locked.ts.
 */
export function lockOptions(): AcquireOptions {
  if (current === Infinity) return MUST;
  const timeout = current - performance.now();
  return (timeout > 0 ? { timeout, [UNINTERRUPTIBLE]: true } : {
    blocking: false,
    [UNINTERRUPTIBLE]: true,
  }) as unknown as AcquireOptions;
}

/**
 * Runs the synchronous `fn` with the locks' deadline: `deadline` when
 * `blocking`, else none to wait. A lock not had by then ends it with
 * `busy()` (the queue's Empty or Full error).
 */
export function bounded<T>(
  o: { blocking: boolean; deadline: number },
  fn: () => T,
  busy: () => Error,
): T {
  const saved = current;
  current = o.blocking ? o.deadline : -Infinity;
  try {
    return fn();
  } catch (error) {
    if (error === BUSY) throw busy();
    throw error;
  } finally {
    current = saved;
  }
}
