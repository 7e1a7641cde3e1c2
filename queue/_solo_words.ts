// Copyright 2026 the threadkit authors. MIT license.
// The word helpers of the single-side ring (queue/_solo.ts, whose header
// has the slot table and the arguments): the writer's and the reader's
// checked HEAD loads and the writer's publish of a TAIL word with SLEEPER
// or CLOSED set.

import { corruptWord } from "./_corrupt.ts";
import { GET_WAITERS, HEAD, NOT_EMPTY, TAIL } from "./_layout.ts";
import { CLOSED, POSITION, SLEEPER } from "./_turn.ts";

// The writer's HEAD load: HEAD's position, checked against TAIL's `t`
// (which only the writer moves): 0 <= t - HEAD <= P at every instant, so a
// word past M, with a bit besides SLEEPER, or more than P behind t is
// corrupt memory.
export function freshHead(
  h: Int32Array,
  t: number,
  m: number,
  cap: number,
): number {
  const word = Atomics.load(h, HEAD);
  const head = word & POSITION;
  if (
    (word & ~(POSITION | SLEEPER)) !== 0 || head >= m || mod(t - head, m) > cap
  ) {
    throw new RangeError(
      `Cannot put to queue: its shared memory is corrupt (HEAD ${head}, TAIL ${t}, capacity ${cap}, modulus ${m})`,
    );
  }
  return head;
}

// The reader's HEAD load: its position; a word with a bit besides SLEEPER
// or past M is corrupt memory.
export function readHead(h: Int32Array, m: number): number {
  const word = Atomics.load(h, HEAD);
  const head = word & POSITION;
  if ((word & ~(POSITION | SLEEPER)) !== 0 || head >= m) {
    throw corruptWord("HEAD", word);
  }
  return head;
}

// The writer's publish of TAIL t -> next (n items) from word `v`, which has
// a bit set (SLEEPER, CLOSED) or moved since the writer read it: releaseTurn's
// SLEEPER rule (_turn.ts) without a lock. False, having published nothing,
// when CLOSED is set. A word whose position is not t, or with a lock bit,
// is corrupt (only the writer moves the position; no lock is taken).
export function publish(
  h: Int32Array,
  v: number,
  t: number,
  next: number,
  n: number,
): boolean {
  let keep = 0;
  for (;;) {
    if ((v & CLOSED) !== 0) return false;
    if ((v & ~SLEEPER) !== t) throw corruptWord("TAIL", v);
    keep = v < 0 && Atomics.load(h, GET_WAITERS) > n ? SLEEPER : 0;
    const seen = Atomics.compareExchange(h, TAIL, v, next | keep);
    if (seen === v) break;
    v = seen;
  }
  // Why no lost wakeup: _turn.ts (SLEEPER); this is a release with n > 0.
  // wakeCounted's steps, inline: the items are published, and a call here
  // could overflow the stack and throw from the put (_turn.ts "Given back").
  if (v < 0) {
    Atomics.add(h, NOT_EMPTY, 1);
    if (Atomics.load(h, GET_WAITERS) > 0) {
      const woke = Atomics.notify(h, NOT_EMPTY, keep !== 0 ? n : Infinity);
      if (woke > 0) Atomics.sub(h, GET_WAITERS, woke);
    }
  }
  return true;
}

export function mod(x: number, m: number): number {
  return x < 0 ? x + m : x;
}
