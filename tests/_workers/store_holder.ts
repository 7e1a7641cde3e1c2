// Copyright 2026 the threadkit authors. MIT license.
// A thread that holds a LifoQueue's or PriorityQueue's store lock (header
// LOCK, queue/_locked.ts) as the queue's own calls do while they copy, but
// for as long as the test says: tests/queue/nowait_holder_test.ts.
import { lockAt } from "../../sync/_lock_at.ts";
import {
  GET_WAITERS,
  HEAD,
  HOLDER,
  LOCK,
  NOT_EMPTY,
  TAIL,
} from "../../queue/_layout.ts";
import { acquireHead, releaseHead } from "../../queue/_head.ts";
import { acquireTurn, POSITION, releaseTurn } from "../../queue/_turn.ts";
import { currentIdent } from "../../_core/runtime.ts";
import { Chain } from "../../queue/_chain.ts";

interface Placed {
  readonly region: { buffer: SharedArrayBuffer; byteOffset: number };
}

/**
 * Acquires `q`'s store lock, sets flag[0] (and wakes it), waits until the
 * test sets flag[1], then releases it and returns "released", or, with
 * `die`, exits the thread with code 5 while it holds the lock. `named`:
 * names itself in HOLDER for the hold, as a custom-codec get does
 * (queue/_decoding.ts: 0 -> T after the acquire, T -> 0 before the
 * release), outside any decode.
 */
export function holdStore(
  q: Placed,
  flag: Int32Array,
  die: boolean,
  named = false,
): string {
  const lock = lockAt(q.region.buffer, q.region.byteOffset + LOCK * 4, true);
  const h = new Int32Array(q.region.buffer, q.region.byteOffset, HOLDER + 1);
  const me = currentIdent();
  lock.acquire();
  if (named) Atomics.store(h, HOLDER, me);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  Atomics.wait(flag, 1, 0, 30_000);
  if (die) {
    const g = globalThis as unknown as {
      Deno?: { exit(code: number): never };
      process: { exit(code: number): never };
    };
    if (g.Deno) g.Deno.exit(5);
    g.process.exit(5);
  }
  if (named && Atomics.compareExchange(h, HOLDER, me, 0) !== me) {
    return "taken over";
  }
  lock.release();
  return "released";
}

/**
 * Takes `q`'s HEAD turn (a structured FIFO ring's consumer turn, named in
 * HOLDER as its gets name themselves, queue/_text.ts) or its TAIL turn (a
 * FIFO ring's producer turn, queue/_turn.ts), as the queue's own calls do
 * while they copy; sets flag[0] (and wakes it), waits until the test sets
 * flag[1] (at most `maxMs`), then releases the turn unchanged and returns
 * "released", or "timed out" when the test did not let go by then. `q`: a
 * queue, or the region of an unbounded queue's segment.
 */
export function holdTurn(
  q: Placed | Placed["region"],
  flag: Int32Array,
  head: boolean,
  maxMs = 20_000,
): string {
  const { buffer, byteOffset } = "region" in q ? q.region : q;
  const h = new Int32Array(buffer, byteOffset, LOCK);
  const me = currentIdent();
  let locked: number;
  if (head) {
    locked = acquireHead(h, Atomics.load(h, HEAD), undefined);
    Atomics.store(h, HOLDER, me);
  } else locked = acquireTurn(h, TAIL, Atomics.load(h, TAIL));
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const outcome = Atomics.wait(flag, 1, 0, maxMs);
  if (head) {
    Atomics.store(h, HOLDER, 0);
    releaseHead(h, locked, locked & POSITION);
  } else {
    releaseTurn(
      h,
      TAIL,
      locked,
      locked & POSITION,
      0,
      GET_WAITERS,
      NOT_EMPTY,
      0,
    );
  }
  return outcome === "timed-out" ? "timed out" : "released";
}

/**
 * Takes the LOCK of the unbounded queue's chain at `region` (word 0 of its
 * header) as a grow does, and, with `retire`, retires segment 0 (its
 * shutdown) as a grow does before it publishes segment 1; sets flag[0]
 * (and wakes it), waits until the test sets flag[1] (at most `maxMs`),
 * then lets LOCK go and, with `retire`, completes the grow (Chain.grow)
 * so that the queue goes on. Returns "released" or "timed out".
 */
export function holdChain(
  region: { buffer: SharedArrayBuffer; byteOffset: number },
  flag: Int32Array,
  retire: boolean,
  maxMs = 20_000,
): string {
  const chain = new Chain<unknown>(undefined, region);
  const lock = lockAt(region.buffer, region.byteOffset);
  lock.acquire();
  if (retire) chain.segment(0).shutdown();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const outcome = Atomics.wait(flag, 1, 0, maxMs);
  lock.release();
  if (retire) chain.grow(0);
  return outcome === "timed-out" ? "timed out" : "released";
}
