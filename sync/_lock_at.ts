// Copyright 2026 the threadkit authors. MIT license.
// Internal constructors over existing words (not exported by the package):
// a Lock at a given place, without resetting its word. How RLock, Barrier
// and the queue's byte stores share Lock's one mutex implementation. They
// go through the transfer registry, the one way a primitive is revived over
// memory it did not initialise, so lock.ts exports nothing internal.

import { checkRegion } from "../_core/placement.ts";
import { reviveDescriptor } from "../_core/transfer.ts";
import { Lock } from "./lock.ts";
import { OWNED } from "./_holder.ts";

/** Lock's registered transfer tag (sync/lock.ts). */
const LOCK_TAG = "threadkit.Lock";

// Inner locks keep their outer primitive alive: an inner lock holds no heap
// reference of its own (_core/heap.ts), so while it is reachable (an async
// acquire pending on it, say) its outer, which holds the reference, must be.
const outers = new WeakMap<Lock, object>();

/**
 * A Lock over the word at `byteOffset` of `buffer`, as it is. `owned` marks
 * an RLock's inner lock, whose holder is dead once it ended in any way
 * (sync/lock.ts, "Holder death"). `outer`, the primitive whose words these
 * are, stays reachable as long as the lock is.
 */
export function lockAt(
  buffer: SharedArrayBuffer,
  byteOffset: number,
  owned = false,
  outer?: object,
): Lock {
  checkRegion("Lock", buffer, byteOffset, Lock.byteLength, 4);
  const extra = owned ? OWNED : undefined;
  const lock = reviveDescriptor({ tag: LOCK_TAG, buffer, byteOffset, extra });
  if (!(lock instanceof Lock)) throw new TypeError("Lock tag mismatch");
  if (outer !== undefined) outers.set(lock, outer);
  return lock;
}
