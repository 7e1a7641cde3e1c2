// Copyright 2026 the threadkit authors. MIT license.
// Contention crew: a persistent bench thread that does rounds of
// acquire/increment/release when the driver (bench/_crew.ts) bumps GEN.
// The loop is the same for every lock under test; only acquire/release differ.
import type { Lock } from "../../mod.ts";
import { futexLock, futexLockSliced, futexUnlock } from "../_futex.ts";

// Crew control block: Int32Array on one SharedArrayBuffer, 48 slots (192 B),
// three 64-byte lines so the round's control words, the data the critical
// section writes and the baseline's lock word do not share a cache line.
// | slot | name     | values                               | written by      |
// |------|----------|--------------------------------------|-----------------|
// | 0    | GEN      | round number                         | driver          |
// | 1    | ITERS    | pairs per thread this round, -1 exit | driver          |
// | 2    | DONE     | threads finished this round          | crew (add)      |
// | 3    | HANDOFFS | owner changes this round             | crew (add)      |
// | 4    | READY    | threads started                      | crew (add)      |
// | 8-15 | RESULT   | member id's result of the round      | member id       |
// | 16   | COUNTER  | increments (plain, under the lock)   | lock holder     |
// | 17   | OWNER    | id of the last holder (plain)        | lock holder     |
// | 32   | WORD     | the futex baseline's lock word       | futexLock/Unlock|
export const GEN = 0;
export const ITERS = 1;
export const DONE = 2;
export const HANDOFFS = 3;
export const READY = 4;
export const RESULT = 8;
export const COUNTER = 16;
export const OWNER = 17;
export const WORD = 32;
export const SLOTS = 48;

/**
 * Runs rounds until the driver writes ITERS = -1: announces itself on READY,
 * then for each GEN bump calls `round(ITERS)`. Returns the sum of ITERS over
 * the rounds. The loop every persistent bench thread runs.
 */
export function rounds(ctl: Int32Array, round: (n: number) => void): number {
  let gen = 0;
  let total = 0;
  Atomics.add(ctl, READY, 1);
  Atomics.notify(ctl, READY);
  for (;;) {
    // Why no lost wakeup: the driver writes ITERS, then bumps GEN, then
    // notifies; we sleep only while GEN still holds the round we saw last.
    while (Atomics.load(ctl, GEN) === gen) Atomics.wait(ctl, GEN, gen);
    gen = Atomics.load(ctl, GEN);
    const n = Atomics.load(ctl, ITERS);
    if (n < 0) return total;
    round(n);
    total += n;
  }
}

/**
 * Crew rounds; returns the pairs done. Each pair takes the lock, counts a
 * handoff when the previous holder was another thread, and increments
 * COUNTER with a plain read and write, so a lock that lets two holders in
 * loses increments and the driver's exact check fails.
 */
export function crewLoop(
  ctl: Int32Array,
  id: number,
  acquire: () => unknown,
  release: () => unknown,
): number {
  return rounds(ctl, (n) => {
    let handoffs = 0;
    for (let i = 0; i < n; i++) {
      acquire();
      if (ctl[OWNER] !== id) {
        ctl[OWNER] = id;
        handoffs++;
      }
      ctl[COUNTER] = ctl[COUNTER] + 1;
      release();
    }
    Atomics.add(ctl, HANDOFFS, handoffs);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  });
}

/** Crew member contending on a threadkit Lock. */
export function lockCrew(lock: Lock, ctl: Int32Array, id: number): number {
  return crewLoop(ctl, id, () => lock.acquire(), () => lock.release());
}

/** Crew member contending on the minimal futex mutex (the baseline). */
export function futexCrew(ctl: Int32Array, id: number): number {
  return crewLoop(
    ctl,
    id,
    () => futexLock(ctl, WORD),
    () => futexUnlock(ctl, WORD),
  );
}

/**
 * Crew member contending on the futex mutex whose sleeps are 50 ms timed
 * slices (futexLockSliced): what the wait helper's slices cost a sleeper.
 */
export function futexSlicedCrew(ctl: Int32Array, id: number): number {
  return crewLoop(
    ctl,
    id,
    () => futexLockSliced(ctl, WORD),
    () => futexUnlock(ctl, WORD),
  );
}

/** The part of `multithreading`'s Mutex the crew uses. */
interface MtMutex {
  blockingLock(): { dispose(): void };
}

/**
 * Crew member contending on a `multithreading` Mutex, with its documented
 * blocking form: `blockingLock()` returns a guard, `dispose()` unlocks.
 */
export function mtCrew(mutex: MtMutex, ctl: Int32Array, id: number): number {
  let guard: { dispose(): void } | undefined;
  return crewLoop(
    ctl,
    id,
    () => (guard = mutex.blockingLock()),
    () => guard!.dispose(),
  );
}
