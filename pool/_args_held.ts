// Copyright 2026 the threadkit authors. MIT license.
// What a submitted task's args hold until it settles: the registered
// shared buffers they named (_shared.ts) and the shared-heap references
// their encoding retained (queue/_held.ts). The pool thread's decode hands
// the references to the handles it makes, all at once and only when the
// whole decode succeeded (queue/_tagged.ts); a task whose args were never
// decoded, or whose decode threw, releases them here, when it settles.
//
// Who decides: slot word READ (S_READ), 0 from the submit.
// 0       -runner, before its decode (CAS)->           READING
// READING -its decode returned (store)->               ADOPTED (the handles hold them)
// READING -its decode threw (store)->                  UNREAD (nothing adopted)
// 0       -the owner's settle (CAS)->                   GONE: the runner never began
// The owner's settle releases the references when its CAS from 0 won
// (cancelled while QUEUED, a broken pool's unrun task, a runner that died
// between its claim and its decode, a target that failed to load: its
// runner leaves READ at 0) or it read UNREAD. A runner whose CAS lost
// (READ is GONE: the task was settled as its runner's death while this
// runner, declared dead, still ran) decodes nothing: the task is no longer
// its own (its finish finds it settled). Left: a runner that dies inside
// its decode (READING) keeps the references it was about to adopt; and a
// runner declared dead between its claim and its decode that still runs
// after its slot was freed and submitted again takes that task's READ
// (which then fails as its runner's; before, both runners decoded its
// args). READ cannot name the task's TAG: a reclaim, a give-back and a
// broken pool's drain move the tag on before any runner reads the args.

import { releaseHeld } from "../queue/_held.ts";
import { type Future, onSettle } from "./future.ts";
import { type ArgsHeld, readArgs } from "./_payload.ts";
import type { Block } from "./_layout.ts";

/** Who releases the ids (_shared.ts SubmitShared). */
interface Releases {
  release(held: readonly number[]): void;
}

/** A refused submit: releases all the args hold. */
export function releaseArgs(shared: Releases, held: ArgsHeld): void {
  if (held.names !== undefined) shared.release(held.names);
  releaseHeld(held.refs);
}

/** Slot word READ and its values (see the header). */
export const S_READ = 10;
const READING = 1, ADOPTED = 2, UNREAD = 3, GONE = 4;

/**
 * The runner's decode of slot `s`'s args (readArgs; `base`: its words in
 * `b.v`), under READ's protocol: throws, decoding nothing, if the owner
 * settled it first.
 */
export function readOwnArgs(b: Block, s: number, base: number): unknown[] {
  const v = b.v;
  if (Atomics.compareExchange(v, base + S_READ, 0, READING) !== 0) {
    throw new RangeError("Cannot run task: it was settled as its runner's");
  }
  let args: unknown[];
  try {
    args = readArgs(b, s);
  } catch (error) {
    Atomics.store(v, base + S_READ, UNREAD);
    throw error;
  }
  Atomics.store(v, base + S_READ, ADOPTED);
  return args;
}

/**
 * An accepted submit: the ids are released when `future` settles, the
 * references only if no decode adopted them (READ, see the header; `v` and
 * `base`: the slot's words, read as it settles).
 */
export function argsUntilSettled(
  future: Future,
  shared: Releases,
  held: ArgsHeld,
  v: Int32Array,
  base: number,
): void {
  const { names, refs } = held;
  if (names !== undefined && names.length > 0) {
    onSettle(future, () => shared.release(names));
  }
  if (refs !== undefined) {
    onSettle(future, () => {
      const r = Atomics.compareExchange(v, base + S_READ, 0, GONE);
      if (r === 0 || r === UNREAD) releaseHeld(refs);
    });
  }
}
