// Copyright 2026 the threadkit authors. MIT license.
// The values a take names a slot with, in a pool thread's record: a MAIL
// value in PARK (_park.ts) and a name in R_TAKE (_take.ts). Each carries
// what tells one use of the word from the next, so that a compareExchange
// from a value read before a record's reuse fails on the same-looking
// value written after it (_give_back.ts "Across a record's reuse"):
//
// | word   | value                                    | bits                                   |
// |--------|------------------------------------------|----------------------------------------|
// | PARK   | MAIL + s + slots * (tag step mod K)      | s, and the task's tag step (STATE >>> 5) modulo K = floor((2^31 - 1 - MAIL) / slots): two tasks of one slot mailed less than K tasks apart differ |
// | R_TAKE | gen * 2^21 + (s + 1), or gen * 2^21      | bits 0-20 the name (s + 1; 0 none; slots <= 2^20 + 255: maxQueue and maxWorkers bounds, _pool.ts), bits 21-30 the generation of the record's thread, 1-1023 (from its start's own PARK value); 0: no thread's (a reclaim, a fresh record) |
//
// A thread writes R_TAKE only by compareExchange from its own generation's
// values (0 or a name of its own), so once a reclaim wrote 0 there, or the
// next thread's start its own empty value, every later write of the old
// thread fails: it names nothing on a record that is not its own, and
// takes nothing (it leaves, GONE). Generations repeat every 1023 starts (a
// thread would have to stall through 1023 thread starts in between), and
// MAIL values of one slot every K tasks (K >= 2047; about 2 million at the
// default maxQueue), as the tag itself does every 2^27.
/** PARK: the first MAIL value (_park.ts). */
export const MAIL = 3;

/** R_TAKE: the bits of the name (s + 1). */
export const NAME = 0x1fffff;
const GEN_STEP = NAME + 1;

/**
 * A pool thread's empty R_TAKE value (names nothing), from its start's own
 * PARK value `own` (_park.ts ownValue: -1 - n for the n-th start).
 */
export function takeEmpty(own: number): number {
  return (((-own - 1) % 1023) + 1) * GEN_STEP;
}

/** The slot an R_TAKE word names, plus one (0: none). */
export function takeName(word: number): number {
  return word & NAME;
}

/** The PARK value that mails slot `s` whose STATE word is `state`. */
export function mailValue(slots: number, s: number, state: number): number {
  const k = Math.floor((0x7fffffff - MAIL) / slots);
  return MAIL + s + slots * ((state >>> 5) % k);
}

/** The slot a MAIL value (>= MAIL) names. */
export function mailSlot(slots: number, was: number): number {
  return (was - MAIL) % slots;
}
