// Copyright 2026 the threadkit authors. MIT license.
// Unsplit runs in the structured FIFO ring (_text.ts): a putMany of plain
// items stores the array's JSON text as it is, one record for all of them,
// and the records' boundaries are found only if a get needs them.
//
// Why: finding where each element of `JSON.stringify(array)` ends is a byte
// scan that skips strings (recordEnds, _text_batch.ts), and it cost about as
// much as the JSON.stringify itself (1000 { id, payload } objects, ns an
// item: Deno 62 against 60, Node 103 against 243), on the producer, which
// bounds a batch's throughput; a getMany that takes the whole batch parses
// its text in one JSON.parse and never needs the boundaries.
//
// Side table of an unsplit run of c >= 2 items at positions q...q + c - 1
// (i = 2 * (q % P), i1 the same for position q + 1):
// | word       | value                                                   |
// |------------|---------------------------------------------------------|
// | SIDE[i]    | ~at (negative): the run's bytes start at `at`            |
// | SIDE[i + 1]| the run's length (its last "," not counted), its KIND    |
// |            | (ASCII or UTF8: every record has it)                     |
// | SIDE[i1]   | ~c (negative: real offsets are >= 0)                    |
// | the rest   | unused until the run is split                           |
// The bytes are "t1,...,tc," as a put of the items one by one would have
// written them back to back, so the run is exactly the records that such
// puts would have left; only the side table differs.
//
// The rule that keeps it correct: HEAD never rests inside an unsplit run.
// A consumer holding HEAD's turn that meets a run's head (always at HEAD or
// after records it takes in the same hold) either takes the whole run (a
// getMany with room for all c, or the discarding drain) or first splits it
// (splitRun): it scans the run's bytes and writes each position's offset
// and length, exactly the words single puts would have written, and goes on
// as with any records. Who else reads those words:
// - consumers, only under HEAD's turn: the next holder's acquire
//   compareExchange synchronises-with this holder's release, so it sees
//   the split (or the unsplit head, if the run was not reached);
// - producers read SIDE[HEAD].offset (#place, _text.ts) to know where the
//   free bytes end, HEAD (or a hint of it, an older HEAD) being a position
//   HEAD once held: never a member after a run's head (the rule above). At
//   a run's head, before and after a split, the offset word says the same
//   place (~at decoded, then at), so a producer that races a split reads
//   the right offset either way (aligned Int32 reads do not tear). A
//   producer rewrites a position's words only for a put at that position
//   + P, after it loaded a HEAD past it, hence after the release that
//   followed any split of it.
// A run is put only whole (putRun: all c positions free, its bytes in one
// place before the region's end or from offset 0); else the producer finds
// the boundaries itself and puts the records one by one, as before.
//
// A split cut short. A get on main wrote nothing but HOLDER and HEAD, so a
// holder that stopped mid-get left the queue as it was for the thread that
// takes its turn over (_head.ts); a split rewrites 2c words, and a holder
// may stop between two of them (or, read as dead, go on writing while the
// taker reads). So splitRun writes in an order whose every prefix the taker
// reads correctly (recordsAt), writing the same words a finished split
// would:
//   1. positions q + c - 1 down to q + 2, both words; q + 1's length word;
//      (the run's head and count are intact: the run is read as before)
//   2. q + 1's offset word: ~c becomes t2's offset, >= 0 (the marker at q
//      is still there, so a count word >= 0 says "split up to q + 1");
//   3. q's length word, len(t1); 4. q's offset word: ~at becomes at.
// A taker that finds the marker at q with a count word v >= 0 finishes the
// split: t1 is at...v - 1 (the records are back to back, a "," between),
// and writes q's two words (3 and 4). A count word that fits neither form
// (~c with c outside 2...P, or v not just past a "," inside the run) was
// never written so: RangeError, HEAD released unchanged.

import { Batch, COMMA, recordEnds, TextItem } from "./_text_batch.ts";
import { corruptWord } from "./_corrupt.ts";
import { align8, HEAD, HLAPS } from "./_layout.ts";
import { POSITION } from "./_turn.ts";
import { parseJson } from "../_core/json.ts";

const encoder = new TextEncoder();

const LENGTH = (1 << 30) - 1;

/**
 * Writes the side words of an unsplit run of `batch`'s items at position
 * t, its bytes at `at` (already copied), for the holder of TAIL's lock.
 */
export function recordRun(
  side: Int32Array,
  cap: number,
  m: number,
  t: number,
  at: number,
  batch: Batch,
): void {
  const i = 2 * (t % cap);
  side[i] = ~at;
  side[i + 1] = (batch.byteLength - 1) | (batch.kind << 30);
  side[2 * ((t + 1 === m ? 0 : t + 1) % cap)] = ~batch.length;
}

/**
 * For the holder of HEAD's turn, at position q: how many items its record
 * holds. An unsplit run's head is taken whole (its count returned) when
 * `whole` items from q on may be taken and the run has no more; else it is
 * split first (then 1). Any other record: 1.
 */
export function recordsAt(
  side: Int32Array,
  u8: Uint8Array,
  cap: number,
  m: number,
  q: number,
  whole: number,
): number {
  const i = 2 * (q % cap);
  const a = side[i];
  if (a >= 0) return 1;
  const at = ~a, word = side[i + 1], len = word & LENGTH;
  const v = side[2 * ((q + 1 === m ? 0 : q + 1) % cap)];
  if (v >= 0) { // a split cut after its step 2 (see the header): finish it
    if (v <= at || v > at + len + 1 || u8[v - 1] !== COMMA) {
      throw corruptWord("SIDE", v);
    }
    side[i + 1] = (v - at - 1) | (word & ~LENGTH);
    side[i] = at;
    return 1;
  }
  const c = ~v;
  if (c < 2 || c > cap) throw corruptWord("SIDE", v); // never written so
  if (c <= whole) return c;
  splitRun(side, u8, cap, m, q, at, len, word >>> 30, c);
  return 1;
}

// Splits the unsplit run of `c` items whose head is at position q (its
// bytes at...at + len, the last "," not counted): every position gets its
// record's offset and length, as a put of the items one by one would have
// written. Throws, writing nothing, if the bytes are not c records.
function splitRun(
  side: Int32Array,
  u8: Uint8Array,
  cap: number,
  m: number,
  q: number,
  at: number,
  len: number,
  kind: number,
  c: number,
): void {
  const ends = new Int32Array(c);
  if (recordEnds(u8, at, at + len + 1, ends) !== c) {
    throw corruptWord("SIDE", ~c); // not written so (see the header)
  }
  // In the order of the header's steps 1-4: every prefix reads correctly.
  for (let j = c - 1; j >= 0; j--) {
    const i = 2 * ((q + j) % m % cap);
    const from = j === 0 ? 0 : ends[j - 1];
    side[i + 1] = (ends[j] - from - 1) | (kind << 30);
    side[i] = at + from;
  }
}

/**
 * Internal: on the RangeError of an item too large for the ring, the bytes
 * its record needs (its encoding plus the separator).
 */
export const NEED: unique symbol = Symbol("threadkit.need");

/** The RangeError of an item whose record needs `need` of `size` bytes. */
export function tooLarge(need: number, size: number): RangeError {
  const error = new RangeError(
    `Cannot put item in queue: it encodes to ${
      need - 1
    } bytes, but the queue holds items of at most ${
      size - 1
    } bytes (raise the "bytes" option)`,
  );
  // An unbounded queue grows a segment that holds it (_unbounded.ts).
  return Object.assign(error, { [NEED]: need });
}

/** Adds a run's text and its first index in `out` to `runs` (no push). */
export function addRun(runs: (string | number)[], text: string, first: number) {
  runs[runs.length] = text;
  runs[runs.length] = first;
}

/**
 * getMany's last step, before HEAD's release: parses each run of plain
 * records (`runs`: its text, then the index in `out` of its first item)
 * with one JSON.parse, and appends its items to `out` when `plain` (the
 * runs are all that was taken, in order) or else puts them in the places
 * kept for them.
 */
export function parseRuns(
  runs: (string | number)[],
  out: unknown[],
  plain: boolean,
): void {
  for (let r = 0; r < runs.length; r += 2) {
    const items = parseJson("[" + runs[r] + "]") as unknown[];
    if (plain) {
      for (let j = 0; j < items.length; j++) out[out.length] = items[j];
      continue;
    }
    const first = runs[r + 1] as number;
    for (let j = 0; j < items.length; j++) out[first + j] = items[j];
  }
}

/** Throws a RangeError if the raw can never fit in a ring of `size` bytes. */
export function checkRaw(
  raw: Uint8Array | Batch | TextItem,
  size: number,
  from = 0,
): void {
  const need = raw instanceof Batch // its records from `from` on
    ? (raw.byteLength - (from === 0 ? 0 : raw.ends[from - 1]) <= size
      ? 0 // no record is longer
      : raw.largest(from))
    : raw instanceof TextItem
    ? (raw.text.length * 3 < size
      ? 0
      : (raw.utf8 ??= encoder.encode(raw.text)).length + 1)
    : raw.length + 1; // and its ","; a shape record (_shape.ts) too
  if (need > size) throw tooLarge(need, size);
}

/**
 * Whether the ring was empty at some moment of this call, seen without
 * taking HEAD's turn (no read-modify-write: a getter that spins on an
 * empty queue, or tries once more before it sleeps, loads three words).
 * `head` is HEAD's word as this handle last released it (or 0, as a new
 * queue's), `hlaps` HLAPS then, `tail` TAIL's position as the caller
 * loaded it (Atomics) just before. False says nothing: the caller takes
 * the turn and looks as before.
 *
 * Why a true answer is right. Loads, all Atomics (sequentially
 * consistent): TAIL at t1, then HEAD at t2, then HLAPS at t3. HEAD's
 * position moves only forward, by releases of its turn, and comes back to
 * a value only across a wrap M -> 0, before which the releasing holder
 * adds 1 to HLAPS under the turn (_text.ts #release). HLAPS at t3 equal to
 * `hlaps` (read when HEAD's word was `head`, at t0 < t1) means no wrap was
 * counted from t0 to t3, so none was released from t0 to t2; HEAD's word at
 * t2 equal to `head` (position p, no LOCKED) then means its position was p
 * all through t0...t2, hence at t1. TAIL's position at t1 is p too, and
 * TAIL - HEAD (mod M) is the count, at most P < M: the ring held nothing
 * at t1. A getter's try before it sleeps (_turn.ts SLEEPER, step 4) loads
 * TAIL here after its flag, as the locked try would: the no-lost-wakeup
 * argument is unchanged. A takeover flips TAKEN and a holder sets LOCKED:
 * either makes the word differ, and the caller takes the turn as before.
 */
export function seenEmpty(
  h: Int32Array,
  tail: number,
  head: number,
  hlaps: number,
): boolean {
  return tail === (head & POSITION) && Atomics.load(h, HEAD) === head &&
    Atomics.load(h, HLAPS) === hlaps;
}

/** The ring's region size after the header. */
export function textBytes(capacity: number, bytes: number): number {
  return align8(8 * capacity) + bytes;
}

/** x mod m for x in (-m, m). */
export function mod(x: number, m: number): number {
  return x < 0 ? x + m : x;
}
