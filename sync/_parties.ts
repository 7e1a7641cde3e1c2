// Copyright 2026 the threadkit authors. MIT license.
// Barrier's party table (sync/barrier.ts): which thread arrived as which
// party of the current round, so that the waiters can tell when a party's
// thread stopped inside wait(). Such a party never leaves, so without this the
// round could never end (COUNT would never drop to 0) and every later wait
// would sleep until its timeout. And the barrier's lock taken from a thread
// that died holding it (holdBarrier).

import { BrokenBarrierError, type OwnerDiedError } from "../_core/errors.ts";
import type { Condition } from "./condition.ts";
import { Guard } from "./_guard.ts";
import { tookOver } from "./_holder.ts";
import {
  currentIdent,
  identAlive,
  identStopped,
  liveIdents,
  runtime,
} from "../_core/runtime.ts";
import { heapAlloc } from "../_core/heap_top.ts";

// Party table: `parties` Int32 words in the runtime block's heap (every
// thread has that buffer, wherever the barrier itself is placed).
// | word | values                                               | written by                           |
// |------|------------------------------------------------------|--------------------------------------|
// | i    | ident of the thread that arrived i-th this round, 0 | the party on arrival and on leaving, |
// |      | once it left or was reaped                           | the reaper; all under the lock       |
// Rounds do not overlap: arrivals wait while the barrier drains or resets,
// so word i of one round is clear before anyone arrives i-th in the next.
// Larger barriers, and barriers made once the heap is exhausted, have no
// table: a party that dies in them is seen only through the waits' timeouts.
const MAX_PARTIES = 4096;

/**
 * Checks a barrier's `parties`.
 * @throws {TypeError} when it is not an integer.
 * @throws {RangeError} when it is below 1 or above 2^31 - 1.
 */
export function checkParties(parties: unknown): void {
  if (typeof parties !== "number" || !Number.isInteger(parties)) {
    throw new TypeError(
      `Cannot create barrier: parties must be an integer, got ${
        String(parties)
      }`,
    );
  }
  if (parties < 1 || parties > 0x7fffffff) {
    throw new RangeError(
      `Cannot create barrier: parties must be at least 1, got ${parties}`,
    );
  }
}

/** Allocates a table for `parties`; the byte offset, or 0 for none. */
export function allocParties(parties: number): number {
  const at = parties <= MAX_PARTIES ? heapAlloc(parties * 4, 4) : -1;
  return at > 0 ? at : 0; // the heap starts at 64 KiB: 0 is never an offset
}

/** The table whose offset is in `view[members]`, or undefined. */
export function partyTable(
  view: Int32Array,
  members: number,
  parties: number,
): Int32Array | undefined {
  const at = Atomics.load(view, members);
  if (at === 0) return undefined;
  return new Int32Array(runtime().buffer, at, Atomics.load(view, parties));
}

/** Lock held: the calling thread arrived as party `index`. */
export function enterParty(table: Int32Array | undefined, index: number) {
  if (table !== undefined && index < table.length) {
    Atomics.store(table, index, currentIdent());
  }
}

/** Lock held: party `index` leaves wait() (its word may be reaped already). */
export function leaveParty(table: Int32Array | undefined, index: number) {
  if (table !== undefined && index < table.length) {
    Atomics.store(table, index, 0);
  }
}

/**
 * The death check of a barrier's waits (run at slice ends by the wait
 * helper): throws BrokenBarrierError when a party's thread has stopped
 * inside wait(). None without a table.
 */
export function partyCheck(
  table: Int32Array | undefined,
): (() => void) | undefined {
  if (table === undefined) return undefined;
  return () => {
    const dead = deadParty(table);
    if (dead !== 0) {
      throw new BrokenBarrierError(
        `The barrier is broken: thread ${dead} stopped while waiting at it`,
      );
    }
  };
}

/**
 * Lock-free: the ident of a party whose thread stopped inside wait(), or 0.
 * It confirms what it finds: a party clears its word before it leaves
 * wait(), and it leaves before its thread can stop, so a word that still
 * holds X after X was seen stopped means X stopped inside wait() (idents
 * are never reused). Without the re-read, a party that left and stopped
 * between the two reads would look dead.
 */
function deadParty(table: Int32Array): number {
  let live: Set<number> | undefined;
  for (let i = 0; i < table.length; i++) {
    const ident = Atomics.load(table, i);
    if (ident === 0) continue;
    live ??= liveIdents();
    // The snapshot predates this load: a party that started after it is
    // missing from it, so a miss is confirmed by a fresh look at that ident
    // (stopped, not merely ended: see partyStopped), then by the re-read of
    // the word.
    if (
      !live.has(ident) && partyStopped(ident) &&
      Atomics.load(table, i) === ident
    ) return ident;
  }
  return 0;
}

// Whether a party's thread has stopped: the stop ring (_core/runtime.ts),
// not the table. A thread that has only ended (isAlive() false) may still be
// inside wait(): its target ended with an async wait pending, a dying
// starter presumed it ended, or it is the main thread at its end (an end,
// never a stop: _core/lifetime.ts), whose code may still run and wait.
function partyStopped(ident: number): boolean {
  return !identAlive(ident) && identStopped(ident) !== undefined;
}

/**
 * Lock held: clears the words of parties whose threads stopped and returns
 * how many (the barrier takes them off its COUNT). Exact: with the lock
 * held no party can leave meanwhile.
 */
export function reapParties(table: Int32Array): number {
  const live = liveIdents();
  let reaped = 0;
  for (let i = 0; i < table.length; i++) {
    const ident = Atomics.load(table, i);
    if (ident === 0 || live.has(ident) || !partyStopped(ident)) continue;
    Atomics.store(table, i, 0);
    reaped++;
  }
  return reaped;
}

/** The BrokenBarrierError of a barrier whose lock holder died (`error`). */
export function diedHolding(error: OwnerDiedError): BrokenBarrierError {
  return new BrokenBarrierError(
    `The barrier is broken: thread ${error.ident} died holding its lock`,
    { cause: error },
  );
}

/** A BrokenBarrierError, with `why` in its message when given. */
export function broken(why?: string): BrokenBarrierError {
  return new BrokenBarrierError(
    why === undefined ? undefined : `The barrier is broken: ${why}`,
  );
}

/**
 * Takes a barrier's lock (its Condition's guard, blocking). A thread that
 * died holding it (an action that exited its thread, say) left the
 * barrier's words mid-change; the acquire took the lock over
 * (OwnerDiedError, the lock held: sync/_holder.ts), and `died` (lock held)
 * breaks the barrier and returns the BrokenBarrierError. A `waiting` caller
 * (wait) then throws it, the lock released; reset() and abort() go on
 * holding the lock.
 */
export function holdBarrier(
  cond: Condition,
  signal: AbortSignal | undefined,
  died: (error: OwnerDiedError) => BrokenBarrierError,
  waiting: boolean,
): Guard {
  // The plain acquire, not cond.guard(): a guard form releases a lock it
  // took over (sync/_guard.ts), and the barrier must break under it.
  try {
    cond.acquire({ signal });
  } catch (error) {
    return heldAfter(cond, error, died, waiting);
  }
  return new Guard(() => cond.release());
}

/** holdBarrier without blocking the event loop. */
export async function holdBarrierAsync(
  cond: Condition,
  signal: AbortSignal | undefined,
  died: (error: OwnerDiedError) => BrokenBarrierError,
): Promise<Guard> {
  try {
    await cond.acquireAsync({ signal });
  } catch (error) {
    return heldAfter(cond, error, died, true);
  }
  return new Guard(() => cond.release());
}

function heldAfter(
  cond: Condition,
  error: unknown,
  died: (error: OwnerDiedError) => BrokenBarrierError,
  waiting: boolean,
): Guard {
  if (!tookOver(error)) throw error;
  const guard = new Guard(() => cond.release());
  const broken = died(error as OwnerDiedError);
  if (!waiting) return guard;
  guard.release();
  throw broken;
}
