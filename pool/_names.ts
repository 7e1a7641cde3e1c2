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
// | R_TAKE | tag bits, gen, s + 1 (split below)       | the name (s + 1; 0 none) in the low nb bits (s + 1 <= slots), the generation of the record's thread (1 to 2^gb - 1, from its start's own PARK value) above it, the named task's tag bits (its tag step mod 2^tb) on top; its generation alone: no name; 0: no thread's (a reclaim, a fresh record); generation 0 with a name: held by the reclaim that took it (takeHeld), bit 31 set once that reclaim re-tagged the task |
//
// A thread writes R_TAKE only by compareExchange from its own generation's
// values (0 or a name of its own), so once a reclaim wrote 0 there, or the
// next thread's start its own empty value, every later write of the old
// thread fails: it names nothing on a record that is not its own, and
// takes nothing (it leaves, GONE). Generations repeat every 1023 starts (a
// thread would have to stall through 1023 thread starts in between; 31 at
// the largest pool), and MAIL values of one slot every K tasks (K >= 2047;
// about 2 million at the default maxQueue), as the tag itself does every
// 2^27. A name's tag bits let the reclaim that took it check that the
// slot still holds the named task before it returns it (_give_back.ts
// giveBackTaken): a reclaim stalled after its exchange while the slot went
// round 2^tb tasks (1024 at the default; 32 at the largest pool) would
// pass that check.
// Why the counters are not widened (each wrap needs a stall of one party
// between two of its adjacent atomics):
// 1. A take from the queue cannot meet a generation's wrap: its name (M)
//    is written under TAKER, and a reclaim of a record whose thread holds
//    TAKER waits for that thread's stop (_take.ts step 2), so the record
//    is not reused while the thread can still write (a draining close
//    takes TAKER over from an ended holder, but a closed pool starts no
//    thread). A take of a mail (takeMail) is not under TAKER: its M
//    passes only if the record went through a multiple of 2^gb - 1 starts
//    of the whole pool (NAMES counts them pool-wide) between its load of
//    PARK and its CAS, and the next thread there has no name at that
//    instant; even then its T (CAS of PARK) fails unless that thread was
//    mailed the same slot with a tag step equal modulo K, and it withdraws
//    the name by CAS (a take of the other thread's in that window fails,
//    GONE, and that thread leaves as one declared dead: left).
// 2. A name's tag bits: the return (giveBackTaken) CASes from the slot's
//    word as read before the reclaim took the name (_take.ts
//    reclaimNamed), so a reclaim that stalls after its take compares the
//    whole tag (before, it read STATE after the take and checked only the
//    2^tb tag bits: 1024 hand-offs of one slot in its stall, about 20 ms,
//    re-tagged and requeued a task whose index was in a PARK word;
//    tests/pool/reclaim_wrap_test.ts). Left: a thread that claimed and
//    stalls before its clear of the name while its task is settled as its
//    death and the slot runs 2^tb more tasks before the reclaim reads (the
//    owner's scan reclaims its record in the same scan that settles it),
//    and the return of a held name a stopped reclaim left (giveBackLeft
//    reads STATE late).
// What widening costs: R_TAKE as a BigInt64Array word makes the take's M
// and the claim's clear BigInt atomics, 4.2-9.8x an int32 CAS (same
// process, Deno 2.9.6, load 31: 310-550 ns against 56-89 ns) on every
// take; a second int32 word (the full tag, 27 bits) is one more store per
// take, written before M, and would need its own fence against a thread
// declared dead that still writes it (a CAS from its own last value), plus
// a record layout word (a record's 8 words are all in use, _layout.ts).
/** PARK: the first MAIL value (_park.ts). */
export const MAIL = 3;

// R_TAKE's split, from the pool's slot count: the name's bits (s + 1 <=
// slots), then the generation's (up to 10), then the tag's (the rest, up
// to bit 30): 11 / 10 / 10 at the default maxQueue, 21 / 5 / 5 at the
// largest (2^20 + 255 slots).
function split(slots: number): [nb: number, gb: number] {
  const nb = 32 - Math.clz32(slots);
  return [nb, Math.min(10, (31 - nb) >> 1)];
}

/**
 * A pool thread's empty R_TAKE value (names nothing), from its start's own
 * PARK value `own` (_park.ts ownValue: -1 - n for the n-th start): its
 * generation, 1 to 2^gb - 1.
 */
export function takeEmpty(slots: number, own: number): number {
  const [nb, gb] = split(slots);
  return ((((-own - 1) % ((1 << gb) - 1)) + 1) << nb) >>> 0;
}

/**
 * The R_TAKE name of slot `s` whose task has tag `tag`, by the thread whose
 * empty value is `empty`: the generation, the tag's low bits, s + 1.
 */
export function takeNameOf(
  slots: number,
  empty: number,
  s: number,
  tag: number,
): number {
  const [nb, gb] = split(slots), tb = 31 - nb - gb;
  return empty + ((((tag >>> 5) & ((1 << tb) - 1)) << (nb + gb)) >>> 0) +
    s + 1;
}

/** The slot an R_TAKE word names, plus one (0: none). */
export function takeName(slots: number, word: number): number {
  return word & ((1 << split(slots)[0]) - 1);
}

/**
 * Whether the tag bits of R_TAKE word `word` are those of STATE word
 * `state`: the task the name was written for is the slot's task now (but
 * for a wrap of 2^tb tasks on that slot).
 */
export function takeTagIs(slots: number, word: number, state: number): boolean {
  const [nb, gb] = split(slots), tb = 31 - nb - gb, m = (1 << tb) - 1;
  return ((word >>> (nb + gb)) & m) === ((state >>> 5) & m);
}

/**
 * R_TAKE while a reclaim returns the index that name `word` names: the
 * name with its generation bits cleared (no thread's: 1 to 2^gb - 1), and
 * bit 31 (above the tag bits) once the reclaim re-tagged the task
 * (`retagged`).
 */
export function takeHeld(
  slots: number,
  word: number,
  retagged: boolean,
): number {
  const [nb, gb] = split(slots);
  const w = word & ~(((1 << gb) - 1) << nb) & 0x7fffffff;
  return retagged ? w | 0x80000000 : w;
}

/** Whether R_TAKE word `word` is a held name (takeHeld). */
export function takeIsHeld(slots: number, word: number): boolean {
  const [nb, gb] = split(slots);
  return (word & ((1 << nb) - 1)) !== 0 &&
    (word & (((1 << gb) - 1) << nb)) === 0;
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
