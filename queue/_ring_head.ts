// Copyright 2026 the threadkit authors. MIT license.
// The numeric ring's consumer helpers on HEAD (_ring.ts, and the single
// reader of _solo.ts): the empty test, a checked fresh HEAD, the claim
// that wakes putters, and the batch copy into a JS array; and the
// producers' look for a full ring without TAIL's turn (fullNow); the
// ring's sizes (ringBytes, ringModulus). The arguments are _ring.ts's.
import {
  HEAD,
  NOT_FULL,
  type NumericArray,
  type NumericInfo,
  PUT_WAITERS,
  TAIL,
} from "./_layout.ts";
import { CLOSED, LOCKED, POSITION, SLEEPER } from "./_turn.ts";

// A fresh TAIL equals the consumer's guess p (mod M): the ring is empty if
// HEAD == p too (then TAIL - HEAD is 0, not M); returns -1 then, else HEAD.
// A guess idle across a lap of traffic can equal TAIL while HEAD is behind
// it and items are there: reporting EMPTY then would put a getter to sleep
// beside them, and after a shutdown call the queue "shut down and empty".
// A HEAD word with a stray high bit goes on to the CAS, which fails on it,
// and freshHead refuses it there.
export function emptyAt(h: Int32Array, p: number): number {
  const head = Atomics.load(h, HEAD) & POSITION;
  return head === p ? -1 : head;
}

// A consumer's look that found its guess stale: HEAD afresh. Off the hot
// path, it also checks the counters: TAIL and HEAD are always inside the
// ring (< M) and 0 <= TAIL - HEAD <= P at every instant (the file header),
// so a counter past M, or TAIL more than P ahead of a HEAD that held still
// across the TAIL load, is corrupt memory, not a race: a RangeError, where
// the retry loop would spin forever.
export function freshHead(h: Int32Array, m: number, cap: number): number {
  const word = Atomics.load(h, HEAD);
  const head = word & POSITION;
  const tail = Atomics.load(h, TAIL) & POSITION;
  if (
    (word & ~(POSITION | SLEEPER)) !== 0 || head >= m || tail >= m ||
    (mod(tail - head, m) > cap && Atomics.load(h, HEAD) === word)
  ) {
    throw new RangeError(
      `Cannot get from queue: its shared memory is corrupt (HEAD ${head}, TAIL ${tail}, capacity ${cap}, modulus ${m})`,
    );
  }
  return head;
}

// A consumer's compareExchange of HEAD from p found SLEEPER (a putter may
// sleep): moves HEAD p -> q for `n` items taken as releaseTurn does
// (_turn.ts: SLEEPER kept while more putters wait than n, then the bump
// and the wake). False when another consumer moved HEAD first (a putter's
// SLEEPER mark does not change the word once set).
export function advance(h: Int32Array, p: number, q: number, n: number) {
  const v = p | SLEEPER;
  const keep = Atomics.load(h, PUT_WAITERS) > n ? SLEEPER : 0;
  if (Atomics.compareExchange(h, HEAD, v, q | keep) !== v) return false;
  // Why no lost wakeup: _turn.ts (SLEEPER). wakeCounted's steps, inline:
  // the items are taken, and a call here could overflow the stack and
  // throw from the get that took them (_turn.ts "Given back").
  Atomics.add(h, NOT_FULL, 1);
  if (Atomics.load(h, PUT_WAITERS) > 0) {
    const woke = Atomics.notify(h, NOT_FULL, keep !== 0 ? n : Infinity);
    if (woke > 0) Atomics.sub(h, PUT_WAITERS, woke);
  }
  return true;
}

function mod(x: number, m: number): number {
  return x < 0 ? x + m : x;
}

// Appends data[start, start + first) and data[0, n - first) (the run that
// wraps) to `out` from index `base`: plain reads of published slots
// (#takeMany says why). 8 stores a step: the fastest way measured to fill a
// fresh JS array from a typed array on Deno and Node (BENCHMARKS.md).
export function copyOut(
  data: NumericArray,
  start: number,
  first: number,
  n: number,
  out: unknown[],
  base: number,
): void {
  out.length = base + n;
  let k = 0;
  for (; k + 8 <= first; k += 8) {
    const i = base + k, j = start + k;
    out[i] = data[j];
    out[i + 1] = data[j + 1];
    out[i + 2] = data[j + 2];
    out[i + 3] = data[j + 3];
    out[i + 4] = data[j + 4];
    out[i + 5] = data[j + 5];
    out[i + 6] = data[j + 6];
    out[i + 7] = data[j + 7];
  }
  for (; k < first; k++) out[base + k] = data[start + k];
  for (; k < n; k++) out[base + k] = data[k - first];
}

// _ring.ts: a put whose hint says full (TAIL as it released it, HEAD as it last
// read it) first looks without taking TAIL's lock: a putter that waits
// for room spins on tryPut/tryPutMany (_put.ts), and two compareExchanges
// on TAIL's line per try (the lock taken and given back) would pull that
// line from the consumers, who load TAIL, for nothing. True means the ring
// was full at the HEAD load: TAIL read first (t) and then HEAD (h) with
// t - h == P (mod M) gives TAIL - HEAD >= P at the HEAD load, since TAIL
// only grows (unwrapped; a wrap of M between two loads of one call is the
// counter ABA the header rules out), and it never exceeds P. So a put may
// report no room then. The waiting protocol holds: a putter's try after
// its SLEEPER mark (_turn.ts, step 4) reads HEAD here after the mark, as
// the acquire's HEAD load would. Anything else (TAIL locked or CLOSED, a
// word out of range, room) goes to the locked path, which decides.
export function fullNow(h: Int32Array, m: number, cap: number): boolean {
  const tw = Atomics.load(h, TAIL);
  if ((tw & (LOCKED | CLOSED)) !== 0) return false;
  const hw = Atomics.load(h, HEAD);
  const t = tw & POSITION, head = hw & POSITION;
  return (hw & ~(POSITION | SLEEPER)) === 0 && t < m && head < m &&
    (t - head < 0 ? t - head + m : t - head) === cap;
}

/** The ring's region size after the header. */
export function ringBytes(info: NumericInfo, capacity: number): number {
  return capacity * info.Array.BYTES_PER_ELEMENT;
}

/** The modulus of the ring's counters: a multiple of P, at most 2^28. */
export function ringModulus(capacity: number): number {
  return capacity * Math.floor(2 ** 28 / capacity);
}
