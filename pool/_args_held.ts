// Copyright 2026 the threadkit authors. MIT license.
// What a submitted task's args hold until it settles: the registered
// shared buffers they named (_shared.ts) and the shared-heap references
// their encoding retained (queue/_held.ts). The pool thread's decode hands
// the references to the handles it makes; a task that is never decoded
// (refused at the submit, or cancelled while QUEUED: a runner decodes only
// after its QUEUED -> RUNNING CAS, and a cancel is the owner's QUEUED ->
// CANCELLED one, so exactly one of the two happens) releases them here.

import { releaseHeld } from "../queue/_held.ts";
import { type Future, onSettle } from "./future.ts";
import type { ArgsHeld } from "./_payload.ts";

/** Who releases the ids (_shared.ts SubmitShared). */
interface Releases {
  release(held: readonly number[]): void;
}

/** A refused submit: releases all the args hold. */
export function releaseArgs(shared: Releases, held: ArgsHeld): void {
  if (held.names !== undefined) shared.release(held.names);
  releaseHeld(held.refs);
}

/**
 * An accepted submit: the ids are released when `future` settles, the
 * references only if it was never decoded: cancelled, or `unrun()` (read
 * as it settles: its slot's KIND is K_BROKEN, which only a broken pool's
 * drain of unrun tasks writes, _park.ts settleUnrun, in place of QUEUED).
 */
export function argsUntilSettled(
  future: Future,
  shared: Releases,
  held: ArgsHeld,
  unrun: () => boolean,
): void {
  const { names, refs } = held;
  if (names !== undefined && names.length > 0) {
    onSettle(future, () => shared.release(names));
  }
  if (refs !== undefined) {
    onSettle(future, () => {
      if (future.cancelled() || unrun()) releaseHeld(refs);
    });
  }
}
