// Copyright 2026 the threadkit authors. MIT license.
// What a submitted task's args hold until it settles: the registered
// shared buffers they named (_shared.ts) and the shared-heap references
// their encoding retained (queue/_held.ts). The pool thread's decode hands
// the references to the handles it makes, all at once and only when the
// whole decode succeeded (queue/_tagged.ts); a task whose args were never
// decoded, or whose decode threw, releases them here, when it settles.
//
// Who decides: slot word READ (S_READ). Its value is k * 8 + phase: k
// numbers the slot's submits (bits 3-31, one more per submit, from the
// word itself: the submitter holds the slot), the phase (bits 0-2) is the
// decode's. Every write but the submit's is a CAS from a value of its own
// k, so a party that read the word for one task writes nothing once the
// slot carries the next (a stale CAS names the old k):
// | value          | meaning                                             | written by |
// |----------------|-----------------------------------------------------|------------|
// | k*8 + 0 FRESH  | submit k, its decode not begun                       | the submit (store, before the slot is published) |
// | k*8 + READING  | its runner decodes                                   | runner (CAS from FRESH) |
// | k*8 + ADOPTED  | the decode returned: the handles hold the references | runner (CAS from READING) |
// | k*8 + UNREAD   | the decode threw: nothing adopted                    | runner (CAS from READING) |
// | k*8 + GONE     | settled before any decode: the runner never began    | owner's settle, or its scan's settle of a dead runner first (fenceRead) (CAS from FRESH) |
// The runner learns k from the word itself, read between its load of the
// slot's STATE (tag|QUEUED) and its claim's CAS from that same word
// (_thread.ts): if the claim wins, STATE held that task throughout (a
// re-tag or another submit moves the tag on), and the submit stored READ
// before it published QUEUED, so the k read is its task's. The owner knows
// k from its own submit (argsUntilSettled). k wraps after 2^29 submits of
// one slot: a runner would have to stall between its claim and its decode
// through that many.
// The owner's settle releases the references when its CAS from FRESH won
// (cancelled while QUEUED, a broken pool's unrun task, a runner that died
// between its claim and its decode, a target that failed to load: its
// runner leaves READ FRESH) or it read UNREAD. A runner whose CAS lost
// (READ is GONE, or the next submit's: the task was settled as its
// runner's death while this runner, declared dead, still ran) decodes
// nothing and publishes nothing (no finish: the scan fenced READ before
// its RUNNING -> DONE CAS, which the runner's FINISHING CAS would
// otherwise beat with the failed decode as the outcome;
// tests/pool/fence_decode_test.ts), and the next task's runner finds READ FRESH, its own (before, the stale
// runner's CAS from 0 took the next task's decode, and that task failed
// as "settled as its runner's"; tests/pool/args_read_test.ts).
// A runner declared dead inside its decode (READING): the scan settles its
// task but holds the slot (HELD, freed once the runner stops, _held.ts),
// so no submit rewrites the payload it reads (before, the next task's args
// were decoded by it too, and their references adopted twice). Left: a
// runner that dies inside its decode keeps the references it was about to
// adopt, and its slot stays held if its stop is never recorded. READ cannot use the task's TAG: a reclaim, a
// give-back and a broken pool's drain move the tag on before any runner
// reads the args.

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

/** Slot word READ and its phases (see the header). */
export const S_READ = 10;
const READING = 1, ADOPTED = 2, UNREAD = 3, GONE = 4, PHASE = 7;

/**
 * The submit's store of READ in slot words `base` (it holds the slot): the
 * next k, its decode not begun. Returns the value stored.
 */
export function freshRead(v: Int32Array, base: number): number {
  const r = ((v[base + S_READ] & ~PHASE) + 8) | 0;
  v[base + S_READ] = r;
  return r;
}

/**
 * The runner's decode of slot `s`'s args (readArgs; `base`: its words in
 * `b.v`), under READ's protocol: `read` is READ as loaded before the
 * claim (its task's k). Undefined, decoding nothing, if the task was
 * settled elsewhere first (the scan's fence: its runner declared dead; or
 * the slot carries the next submit): the runner then publishes nothing.
 */
export function readOwnArgs(
  b: Block,
  s: number,
  base: number,
  read: number,
): unknown[] | undefined {
  const v = b.v, k = read & ~PHASE;
  if (Atomics.compareExchange(v, base + S_READ, k, k | READING) !== k) {
    return undefined;
  }
  let args: unknown[];
  try {
    args = readArgs(b, s);
  } catch (error) {
    Atomics.compareExchange(v, base + S_READ, k | READING, k | UNREAD);
    throw error;
  }
  Atomics.compareExchange(v, base + S_READ, k | READING, k | ADOPTED);
  return args;
}

/**
 * The owner's scan settling a RUNNING task as its runner's death
 * (_owner.ts): READ fenced first. FRESH (no decode begun) -> GONE, so a
 * runner that still runs fails its decode's CAS. True when the runner is
 * inside its decode (READING): it may still read the payload and adopt
 * its references, so the slot must not be reused (held until the runner
 * stops, _held.ts) or the next submit's args would be read by it.
 */
export function fenceRead(v: Int32Array, base: number): boolean {
  const r = Atomics.load(v, base + S_READ);
  if ((r & PHASE) !== 0) return (r & PHASE) === READING;
  const was = Atomics.compareExchange(v, base + S_READ, r, r | GONE);
  return was !== r && (was & PHASE) === READING;
}

/**
 * An accepted submit: the ids are released when `future` settles, the
 * references only if no decode adopted them (READ, see the header; `v` and
 * `base`: the slot's words, read as it settles; `read`: the submit's
 * FRESH value, freshRead).
 */
export function argsUntilSettled(
  future: Future,
  shared: Releases,
  held: ArgsHeld,
  v: Int32Array,
  base: number,
  read: number,
): void {
  const { names, refs } = held;
  if (names !== undefined && names.length > 0) {
    onSettle(future, () => shared.release(names));
  }
  if (refs !== undefined) {
    onSettle(future, () => {
      const r = Atomics.compareExchange(v, base + S_READ, read, read | GONE);
      // GONE from the scan's fence (fenceRead): no decode began either.
      if (r === read || r === (read | UNREAD) || r === (read | GONE)) {
        releaseHeld(refs);
      }
    });
  }
}
