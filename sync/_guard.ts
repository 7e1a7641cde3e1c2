// Copyright 2026 the threadkit authors. MIT license.
// The one guard type behind every `using` / `await using` form: it runs the
// release it was given once, at the end of the scope.

import { OwnerDiedError, RuntimeError, TimeoutError } from "../_core/errors.ts";
import type { AcquireOptions } from "../_core/wait.ts";
import { tookOver } from "./_holder.ts";

/**
 * Releases what a `guard()` call acquired when the scope that holds it ends.
 * Works with `using` and `await using`; `release()` does the same by hand.
 *
 * @example Holding a lock for a scope
 * ```ts
 * import { Lock } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const lock = new Lock();
 * {
 *   using _held = lock.guard();
 *   assert.equal(lock.locked(), true);
 * }
 * assert.equal(lock.locked(), false);
 * ```
 */
export class Guard implements Disposable, AsyncDisposable {
  #release: (() => void) | undefined;

  /** Wraps `release`, which runs once. Created by the primitives' `guard()`. */
  constructor(release: () => void) {
    this.#release = release;
  }

  /**
   * Releases now instead of at the end of the scope.
   * @throws {RuntimeError} when the guard was already released.
   */
  release(): void {
    const release = this.#release;
    if (release === undefined) {
      throw new RuntimeError("Cannot release guard: it was already released");
    }
    this.#release = undefined;
    release();
  }

  /** Releases at the end of a `using` scope, unless released by hand. */
  [Symbol.dispose](): void {
    if (this.#release !== undefined) this.release();
  }

  /** Releases at the end of an `await using` scope, unless released by hand. */
  [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
    return Promise.resolve();
  }
}

/**
 * The error a guard (or a `with...` form) throws when its acquire returned
 * false: a RuntimeError for `blocking: false`, else a TimeoutError.
 */
export function notAcquired(options: AcquireOptions | undefined): Error {
  return options?.blocking === false
    ? new RuntimeError("Cannot guard: the lock is held and blocking is false")
    : new TimeoutError(
      `Cannot guard: the lock was not acquired within ${options?.timeout} ms`,
    );
}

/**
 * The acquire of every guard form (and so of every `with...` form): a guard
 * releasing `release` once `acquire` returned true; the error of
 * notAcquired when it returned false. An acquire that took the lock over
 * from a dead holder (sync/_holder.ts) threw holding it; a guard form has
 * no handle to give the caller, so a broad catch around it would leave the
 * lock held for good: the lock is released (`releaseTaken`: an RWLock's
 * takeover holds it for writing even for a read) and an OwnerDiedError
 * with `released` true is thrown in its place, the first one its cause.
 */
export function guardWith(
  acquire: () => boolean,
  release: () => void,
  options: AcquireOptions | undefined,
  releaseTaken: () => void = release,
): Guard {
  let got: boolean;
  try {
    got = acquire();
  } catch (error) {
    throw released(error, releaseTaken);
  }
  if (!got) throw notAcquired(options);
  return new Guard(release);
}

/** guardWith for an acquire that does not block the event loop. */
export async function guardWithAsync(
  acquire: () => Promise<boolean>,
  release: () => void,
  options: AcquireOptions | undefined,
  releaseTaken: () => void = release,
): Promise<Guard> {
  let got: boolean;
  try {
    got = await acquire();
  } catch (error) {
    throw released(error, releaseTaken);
  }
  if (!got) throw notAcquired(options);
  return new Guard(release);
}

function released(error: unknown, release: () => void): unknown {
  if (!tookOver(error)) return error;
  release();
  const taken = error as OwnerDiedError;
  const out = new OwnerDiedError(
    `Lock taken over from a dead holder and released again: thread ${taken.ident} stopped while holding it, so the data it guards may be inconsistent (acquire() instead of a guard form keeps the lock held to repair it)`,
    taken.ident,
    { cause: taken },
  );
  out.released = true;
  return out;
}

/**
 * Runs `fn` while `held` holds, and releases it when `fn` returns or throws:
 * the body of every `withLock` form.
 */
export function runHeld<T>(held: Guard, fn: () => T): T {
  try {
    return fn();
  } finally {
    held.release();
  }
}

/**
 * Awaits the guard, runs `fn` (sync or async) and releases when its promise
 * settles: the body of every `withLockAsync` form.
 */
export async function runHeldAsync<T>(
  held: Promise<Guard>,
  fn: () => T | PromiseLike<T>,
): Promise<T> {
  const guard = await held;
  try {
    return await fn();
  } finally {
    guard.release();
  }
}
