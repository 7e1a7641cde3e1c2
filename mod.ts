// Copyright 2026 the threadkit authors. MIT license.
/**
 * threadkit: Python's `threading` and `queue` model on real threads, for Deno
 * and Node. Threads are workers that share memory through SharedArrayBuffer;
 * every primitive is a few words of that memory driven by Atomics, has a
 * blocking form, an async form that never blocks the event loop, a timeout in
 * milliseconds and an AbortSignal, and arrives as itself when passed to a
 * thread.
 *
 * @example Two threads, one lock, one result
 * ```ts
 * import { Lock, Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const lock = new Lock();
 * const shared = new Int32Array(new SharedArrayBuffer(4));
 * const work = (lock: Lock, shared: Int32Array, n: number) => {
 *   for (let i = 0; i < n; i++) {
 *     using _held = lock.guard();
 *     shared[0]++;
 *   }
 *   return n;
 * };
 * const t = new Thread({ target: work, args: [lock, shared, 1000] });
 * t.start();
 * work(lock, shared, 1000);
 * assert.equal(await t.joinAsync({ timeout: 10_000 }), 1000);
 * assert.equal(shared[0], 2000);
 * ```
 *
 * @module
 */

export * from "./_core/errors.ts";
export { setWorkerEntry } from "./_core/entry.ts";
export type { SharedPlacement } from "./_core/placement.ts";
export type { AcquireOptions, WaitOptions } from "./_core/wait.ts";
export { Guard } from "./sync/_guard.ts";
export { Lock } from "./sync/lock.ts";
export * from "./sync/rlock.ts";
export * from "./sync/rw_lock.ts";
export { Condition } from "./sync/condition.ts";
export * from "./sync/semaphore.ts";
export * from "./sync/event.ts";
export * from "./sync/barrier.ts";
export {
  type JoinOptions,
  type ModuleTarget,
  moduleTarget,
  type ResourceLimits,
  Thread,
  type ThreadFunction,
  type ThreadOptions,
  type ThreadResult,
} from "./thread/thread.ts";
export * from "./thread/current.ts";
export * from "./thread/spawn.ts";
export * from "./thread/prestart.ts";
export {
  defaultExcepthook,
  type ExceptHook,
  type ExceptHookArgs,
  setExcepthook,
} from "./thread/excepthook.ts";
export * from "./thread/timer.ts";
export * from "./thread/local.ts";
export * from "./queue/bounded.ts";
export * from "./queue/lifo.ts";
export * from "./queue/priority.ts";
export * from "./queue/simple.ts";
export * from "./queue/errors.ts";
export {
  QueueBase,
  type QueueInit,
  type QueueOptions,
  type ShutdownOptions,
} from "./queue/_core.ts";
export type { Codec } from "./queue/_codec.ts";
export type {
  ElementType,
  NumericArray,
  NumericType,
} from "./queue/_layout.ts";
export * from "./pool/executor.ts";
export * from "./pool/wait.ts";
export * from "./pool/errors.ts";
