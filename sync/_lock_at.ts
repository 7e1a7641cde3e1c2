// Copyright 2026 the threadkit authors. MIT license.
// Internal constructors over existing words (not exported by the package):
// a Lock at a given place, without resetting its word. How RLock, Barrier
// and the queue's byte stores share Lock's one mutex implementation. They
// go through the transfer registry, the one way a primitive is revived over
// memory it did not initialise, so lock.ts exports nothing internal.

import { checkRegion } from "../_core/placement.ts";
import { reviveDescriptor } from "../_core/transfer.ts";
import { Lock } from "./lock.ts";

/** Lock's registered transfer tag (sync/lock.ts). */
const LOCK_TAG = "threadkit.Lock";

/** A Lock over the word at `byteOffset` of `buffer`, as it is. */
export function lockAt(buffer: SharedArrayBuffer, byteOffset: number): Lock {
  checkRegion("Lock", buffer, byteOffset, Lock.byteLength, 4);
  const lock = reviveDescriptor({ tag: LOCK_TAG, buffer, byteOffset });
  if (!(lock instanceof Lock)) throw new TypeError("Lock tag mismatch");
  return lock;
}
