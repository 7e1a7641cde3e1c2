// Copyright 2026 the threadkit authors. MIT license.
// Internal constructor over existing words (not exported by the package): a
// Condition at a given place over a given lock, without resetting its words
// (how Barrier builds on Condition). Through the transfer registry, like
// sync/_lock_at.ts.

import { checkRegion } from "../_core/placement.ts";
import { reviveDescriptor } from "../_core/transfer.ts";
import { Condition } from "./condition.ts";
import type { Lock } from "./lock.ts";
import type { RLock } from "./rlock.ts";

/** Condition's registered transfer tag (sync/condition.ts). */
const CONDITION_TAG = "threadkit.Condition";

/** A Condition over the words at `byteOffset` of `buffer`, as they are. */
export function conditionAt(
  buffer: SharedArrayBuffer,
  byteOffset: number,
  lock: Lock | RLock,
): Condition {
  checkRegion("Condition", buffer, byteOffset, Condition.byteLength, 4);
  const cond = reviveDescriptor({
    tag: CONDITION_TAG,
    buffer,
    byteOffset,
    extra: { lock },
  });
  if (!(cond instanceof Condition)) {
    throw new TypeError("Condition tag mismatch");
  }
  return cond;
}
