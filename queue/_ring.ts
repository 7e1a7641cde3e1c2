// Copyright 2026 the threadkit authors. MIT license.
// The numeric FIFO ring: the fast path of Queue. The classic single-producer
// single-consumer ring (slots written with plain stores, published by one
// atomic write of TAIL, each side caching the other's cursor), generalised
// to many producers and consumers:
// - producers serialise on TAIL's lock bit (_turn.ts): one compareExchange
//   takes the lock and reads TAIL, plain stores (TypedArray.set for a batch)
//   fill the slots, one compareExchange publishes TAIL + n and unlocks;
// - consumers are lock-free: copy the slots below a TAIL they know with
//   plain reads, then claim them with one compareExchange of HEAD
//   h -> h + n. A consumer whose CAS fails discards its copy and retries.
// - waking rides on those compareExchanges (SLEEPER, _turn.ts): a put or get
//   whose other side has no sleeper reads no waiter count.
// So a single put costs two atomics (acquire, release), a single get two
// (a PHASE load, the HEAD claim), each 10-12 ns on this V8, and a batch the
// same plus plain copies; each side reloads the other's cursor (a cache
// line the other core writes) only when its cached copy says full/empty.
//
// Ring region (after the header): the typed DATA[P], P = capacity.
// | word    | values                                                     |
// |---------|------------------------------------------------------------|
// | DATA[i] | the item put at position p (p % P == i), HEAD <= p < TAIL    |
// TAIL and HEAD count positions modulo M = P * floor(2^28 / P) (a multiple
// of P, so p % P is the slot across the wrap). 0 <= TAIL - HEAD <= P.
// Header words of the ring (_layout.ts): TAIL (+ lock bits, _turn.ts), LAPS
// (TAIL's wraps, under TAIL's lock), HEAD (+ SLEEPER), PHASE (the number of
// times TAIL crossed a multiple of the stride D, the largest power of two
// <= M / 4; Atomics.add by the producer holding TAIL's lock, before the
// release that crosses; on line 0, which no hot path writes).
//
// Slot states for position p (slot i = p % P):
// FREE(p)  -producer holding TAIL's lock, HEAD > p - P: write DATA[i],
//           release TAIL = p + 1->                                  FULL(p)
// FULL(p)  -consumer: read DATA[i], CAS HEAD p -> p + 1->      FREE(p + P)
//
// Why nothing is lost or read twice: a producer writes slot i only after an
// Atomics read of HEAD showed position p - P taken, and a consumer takes p
// only with a successful CAS of HEAD from p, after its copy: the CAS
// synchronises-with the producer's later Atomics read of HEAD, so the copy
// happened before the slot is overwritten. A consumer reads slot i only after
// an Atomics read of TAIL > p, which synchronises-with the release that
// published it. A consumer that read a slot while another consumer took it
// (and a producer refilled it) fails its CAS and drops the stale copy.
// Counter ABA: the counters are stored mod M, so a look from an earlier call
// cannot be trusted by its value alone: a handle idle while the counters
// moved by a multiple of M would take an old picture for the current one
// (read a taken slot and win the CAS, or overwrite an unconsumed slot).
// - A producer holds TAIL's lock, so TAIL stays t, and 0 <= TAIL - HEAD <= P
//   at every instant: t - HEAD (mod M) read after the acquire is the exact
//   fill. It skips that load (HEAD's line is the consumers') only when its
//   hint is provably current: the acquire found TAIL exactly as this handle
//   released it (t == #tail) in the same lap (header LAPS, counted under the
//   lock each time TAIL wraps M -> 0, == #laps). Then TAIL did not move at
//   all since that release, so no one put, HEAD only moved toward t, and
//   #headSeen (HEAD as this handle last read it, with t - #headSeen <= P)
//   undercounts the room. Otherwise, or when the hint says full, it loads
//   HEAD.
// - A consumer keeps TAIL as it last loaded it (#tailSeen, at time l, with
//   PHASE read just before) and reloads it when the cache says empty (or is
//   behind its guess p), or when PHASE changed since. Its CAS of HEAD
//   p -> p + 1 succeeds at time c only if HEAD == p (mod M) then; the cache
//   gave n = #tailSeen - p (mod M), 1 <= n <= P. Unwrapped, HEAD(c) =
//   TAIL(l) - n + kM. k < 0 is impossible (TAIL - HEAD would exceed P at c),
//   and k = 0 means p was published before l, before the copy, and slot
//   p % P cannot be refilled before HEAD passes p. k >= 1 needs TAIL(c) >=
//   HEAD(c) >= TAIL(l) + M - P. The PHASE check at q (this call, before the
//   copy) saw no change. A release adds to PHASE (once, however many
//   multiples of D its items cross: a batch may cross two) before the CAS
//   that publishes it, under TAIL's lock. One that added before l and
//   published after l held the lock at l, so it starts at TAIL(l) and ends
//   at most P later; every other release that crosses a multiple takes the
//   lock after l and adds before it publishes, and none had added by q. So
//   from that end TAIL crossed no multiple by q: TAIL(q) < TAIL(l) + P + D
//   <= TAIL(l) + M / 2 (P, D <= M / 4). Then k >= 1 needs TAIL to move at
//   least M - 2P - D >= M / 4 (2^25 or more) positions between the PHASE
//   load and the CAS of one call: the same kind of bound as a fresh TAIL
//   load per call had (M - P then). PHASE itself wraps after 2^32 strides (> 2^57
//   items). A consumer that reloads reads PHASE, then TAIL. A batch get
//   (tryGetMany) loads TAIL fresh: its window is one call, as above.
// The put's fast path (tryPut; #putSlow is the full put, which it only
// shortens): taken when the hint says room (TAIL as this handle released
// it, t, less HEAD as it last read it, is below P) and this put neither
// wraps M nor crosses a multiple of PHASE's stride. It acquires with a
// compareExchange from the exact word t (which fails on a TAIL another put
// moved and on every bit; then #putSlow) and reads LAPS plainly (on TAIL's
// line, written only under TAIL's lock); if LAPS == #laps it stores the
// slot and releases with a compareExchange from t | LOCKED to t + 1. If
// LAPS moved or that fails (a bit came: CONTENDED, SLEEPER, CLOSED) it
// gives the turn back as taken (no item; _turn.ts "Given back"), and
// #putSlow puts (it loads HEAD; its release wakes). TAIL == #tail at the
// acquire and LAPS == #laps make the hint current (Counter ABA); no wrap,
// no LAPS bump; no crossing, no PHASE add. Split off so V8 inlines it
// (345 bytes of bytecode, under TurboFan's 460).
// A stack overflow under the turn (_turn.ts "Given back"): between an
// acquire of TAIL and its release nothing runs user code (the raw is an
// exact number or bigint: Queue.put and toRaw check it) or calls a
// function but releaseTurn (the rest are builtins: Atomics, element
// stores, TypedArray set/subarray), and every such releaseTurn is in a try
// whose catch gives TAIL back unchanged, inline, and rethrows: the put did
// not happen (a LAPS bump or PHASE add made for it only sends handles to a
// HEAD load or a TAIL reload). No call follows the publish, so a put that
// throws here put nothing (tests/queue/stack_end_turn_test.ts). Waking: a
// release is a compareExchange from the acquire's word, or releaseTurn.
// The acquire's guess (#tail) and the consumer's start (#head) are first
// guesses for a CAS, which checks them.
//
// Shutdown sets CLOSED in TAIL: every later acquire fails; close() then waits
// for a put that held the lock to publish before it publishes SHUTDOWN, so
// no put lands after SHUTDOWN shows and an immediate shutdown's drain sees
// everything. No waiting lives here besides the lock bit's (see _turn.ts and
// _state.ts). Anything that throws while TAIL's lock is held releases it with
// TAIL unchanged (a catch, inline): the put did not happen.
// Single-side modes (QueueInit singleWriter/singleReader): _solo.ts, whose
// writer puts without TAIL's lock; it restates these arguments for that.
// The consumers' helpers (emptyAt, freshHead, advance, copyOut): _ring_head.ts.

import type { Acquire } from "../_core/wait.ts";
import { tailCorrupt } from "./_corrupt.ts";
import { advance, copyOut, emptyAt, freshHead, fullNow } from "./_ring_head.ts";
import { acquireTail } from "./_decoding.ts";
import {
  BUSY_COUNT,
  CAPACITY,
  EMPTY,
  GET_WAITERS,
  HEAD,
  HEADER_BYTES,
  LAPS,
  MODULUS,
  NOT_EMPTY,
  type NumericArray,
  type NumericInfo,
  PHASE,
  type Store,
  TAIL,
} from "./_layout.ts";
import {
  awaitTurn,
  CLOSED,
  CLOSED_TURN,
  CONTENDED,
  flagSleeper,
  LOCKED,
  POSITION,
  releaseTurn,
  SLEEPER,
} from "./_turn.ts";

// The bits a give-back clears (it keeps the counter as taken).
const LOCK_BITS = LOCKED | CONTENDED;

/** Lock-free-consumer FIFO of numeric slots. */
export class Ring implements Store {
  readonly #h: Int32Array;
  readonly #data: NumericArray;
  readonly #cap: number;
  // cap - 1 when cap is a power of two (slot = p & mask), else -1 (p % cap).
  readonly #mask: number;
  readonly #m: number;
  readonly #same: NumericInfo["Array"];
  // TAIL as this handle last released it, LAPS then, and HEAD as it last
  // read it (the producer's hint, see the file header); HEAD as this handle
  // last set it (the consumer's first guess).
  #tail = 0;
  #laps = 0;
  #headSeen = 0;
  #head = 0;
  // The consumer's cache: TAIL as it last loaded it, and PHASE then.
  #tailSeen = 0;
  #phase = -1;
  // PHASE's stride, a power of two 2^shift <= M / 4, less one.
  readonly #stride: number;

  constructor(h: Int32Array, info: NumericInfo) {
    this.#h = h;
    this.#cap = h[CAPACITY];
    this.#mask = (this.#cap & (this.#cap - 1)) === 0 ? this.#cap - 1 : -1;
    this.#m = h[MODULUS];
    this.#stride = (1 << (31 - Math.clz32(Math.floor(this.#m / 4)))) - 1;
    this.#data = new info.Array(
      h.buffer as SharedArrayBuffer,
      h.byteOffset + HEADER_BYTES,
      this.#cap,
    );
    this.#same = info.Array;
  }

  /** It wakes its waiters itself (SLEEPER, _turn.ts). */
  readonly wakes = true;

  flagSleeper(put: boolean): void {
    flagSleeper(this.#h, put ? HEAD : TAIL);
  }

  count(): number {
    // HEAD first: TAIL read later is >= it (unwrapped), so the difference
    // never goes negative (it may count items taken meanwhile; capped).
    const head = Atomics.load(this.#h, HEAD) & POSITION;
    const n = mod((Atomics.load(this.#h, TAIL) & POSITION) - head, this.#m);
    return n > this.#cap ? this.#cap : n;
  }

  check(): void {}

  close(publish: () => void): void {
    Atomics.or(this.#h, TAIL, CLOSED);
    awaitTurn(this.#h, TAIL, tailCorrupt); // a put holding the lock publishes first
    publish();
  }

  // `_w`: no decode runs under a numeric ring's locks (Store.tryPut).
  // The fast path ("The put's fast path" in the file header), small enough
  // for V8 to inline into the caller's loop. Anything else: #putSlow.
  tryPut(x: unknown, _w?: Acquire): number {
    const h = this.#h, t = this.#tail;
    if (
      mod(t - this.#headSeen, this.#m) < this.#cap && t + 1 !== this.#m &&
      ((t + 1) & this.#stride) !== 0 &&
      Atomics.compareExchange(h, TAIL, t, t | LOCKED) === t
    ) {
      // Under TAIL's turn, builtins only ("A stack overflow under the
      // turn"): the slot and the release, if LAPS is as then.
      const next = t + 1;
      if (h[LAPS] === this.#laps) {
        const mask = this.#mask;
        (this.#data as unknown as unknown[])[
          mask >= 0 ? t & mask : t % this.#cap
        ] = x;
        if (
          Atomics.compareExchange(h, TAIL, t | LOCKED, next) === (t | LOCKED)
        ) {
          this.#tail = next;
          return 1;
        }
      }
      // A lap since this handle's release (the hint is stale), or a bit
      // came under the turn: given back as taken (_turn.ts "Given back"; the
      // slot is not published), and the full path puts.
      const v = Atomics.and(h, TAIL, ~LOCK_BITS);
      if ((v & CONTENDED) !== 0) Atomics.notify(h, TAIL, 1);
    }
    return this.#putSlow(x, _w);
  }

  // A put off the fast path: the read-only full check, the acquire (may
  // wait), then, under the turn: the hint checked (file header), the slot,
  // LAPS and PHASE, the release, which publishes.
  #putSlow(x: unknown, _w?: Acquire): number {
    const h = this.#h, m = this.#m, cap = this.#cap;
    const guess = this.#tail;
    if (
      mod(guess - this.#headSeen, m) >= cap && fullNow(h, m, cap)
    ) return 0;
    let w = Atomics.compareExchange(h, TAIL, guess, guess | LOCKED);
    w = w === guess ? guess | LOCKED : acquireTail(h, w, _w);
    if (w === CLOSED_TURN || w === BUSY_COUNT) return w; // -1, or held (_turn.ts)
    // Holding TAIL from here: no call but releaseTurn's, in its try.
    const t = w & POSITION;
    let next = t;
    let head = this.#headSeen, fill = t - head < 0 ? t - head + m : t - head;
    if (t !== guess || h[LAPS] !== this.#laps || fill >= cap) {
      head = this.#headSeen = Atomics.load(h, HEAD) & POSITION;
      fill = t - head < 0 ? t - head + m : t - head;
    }
    if (fill < cap) {
      const mask = this.#mask;
      (this.#data as unknown as unknown[])[mask >= 0 ? t & mask : t % cap] = x;
      next = t + 1 === m ? 0 : t + 1;
      if (next === 0) h[LAPS] = (h[LAPS] + 1) | 0; // under TAIL's lock
      if ((next & this.#stride) === 0) Atomics.add(h, PHASE, 1); // crossed
    }
    const n = next === t ? 0 : 1, laps = h[LAPS]; // LAPS as this releases
    // The plain release inline (one compareExchange) when the word holds
    // no bit besides LOCKED; releaseTurn for the rest.
    if (
      w !== (t | LOCKED) || Atomics.compareExchange(h, TAIL, w, next) !== w
    ) {
      try {
        releaseTurn(h, TAIL, w, next, n, GET_WAITERS, NOT_EMPTY, n); // publishes DATA
      } catch (error) {
        // Given back (_turn.ts), inline: TAIL as taken, no item put.
        const v = Atomics.and(h, TAIL, ~LOCK_BITS);
        if ((v & CONTENDED) !== 0) Atomics.notify(h, TAIL, 1);
        this.#laps = -1; // LAPS may have moved without a lap: look at HEAD
        throw error;
      }
    }
    this.#laps = laps;
    this.#tail = next;
    return n;
  }

  tryGet(_decode?: unknown, _w?: Acquire): unknown {
    // The common case first, small enough for V8 to inline: the cache says
    // items, PHASE is unchanged, the claim succeeds. Otherwise #take's loop
    // does the same from the start (a failed claim changed nothing).
    const h = this.#h, m = this.#m, p = this.#head;
    const n = mod(this.#tailSeen - p, m);
    if (n !== 0 && n <= this.#cap && Atomics.load(h, PHASE) === this.#phase) {
      const mask = this.#mask;
      const x = this.#data[mask >= 0 ? p & mask : p % this.#cap];
      const next = p + 1 === m ? 0 : p + 1;
      if (Atomics.compareExchange(h, HEAD, p, next) === p) {
        this.#head = next;
        return x;
      }
    }
    return this.#take();
  }

  #take(): unknown {
    const h = this.#h, m = this.#m, cap = this.#cap;
    let p = this.#head, tail = this.#tailSeen;
    for (;;) {
      let n = mod(tail - p, m);
      if (n === 0 || n > cap) { // the cache says empty, or is behind p
        this.#phase = Atomics.load(h, PHASE); // PHASE, then TAIL
        tail = this.#tailSeen = Atomics.load(h, TAIL) & POSITION;
        n = mod(tail - p, m);
        if (n === 0) { // empty if HEAD == p too (see emptyAt)
          const head = emptyAt(h, p);
          if (head < 0) return EMPTY;
          p = head;
          continue;
        }
        if (n > cap) { // p is stale: behind HEAD
          p = freshHead(h, m, cap);
          continue;
        }
      } else if (Atomics.load(h, PHASE) !== this.#phase) {
        tail = p; // TAIL went a stride on since the cache: load it afresh
        continue;
      }
      const mask = this.#mask;
      const x = this.#data[mask >= 0 ? p & mask : p % cap];
      const next = p + 1 === m ? 0 : p + 1;
      const seen = Atomics.compareExchange(h, HEAD, p, next);
      if (seen === p || (seen === (p | SLEEPER) && advance(h, p, next, 1))) {
        this.#head = next;
        return x;
      }
      if ((seen & ~(POSITION | SLEEPER)) !== 0) freshHead(h, m, cap); // throws
      p = seen & POSITION; // another consumer took p: drop the copy
    }
  }

  tryPutMany(
    raws: ArrayLike<unknown>,
    from: number,
    _w?: Acquire,
  ): number {
    const h = this.#h, m = this.#m, cap = this.#cap;
    const want = raws.length - from;
    if (mod(this.#tail - this.#headSeen, m) >= cap && fullNow(h, m, cap)) {
      return 0;
    }
    const w = acquireTail(h, this.#tail, _w);
    if (w === CLOSED_TURN || w === BUSY_COUNT) return w; // -1, or held (_turn.ts)
    // Holding TAIL: builtins and releaseTurn in a try; its catch gives back.
    const t = w & POSITION;
    let next = t, laps = 0;
    try {
      let fill = t - this.#headSeen < 0
        ? t - this.#headSeen + m
        : t - this.#headSeen;
      if (t !== this.#tail || h[LAPS] !== this.#laps || cap - fill < want) {
        this.#headSeen = Atomics.load(h, HEAD) & POSITION;
        fill = t - this.#headSeen < 0
          ? t - this.#headSeen + m
          : t - this.#headSeen;
      }
      const room = cap - fill;
      const n = room < want ? room : want;
      if (n > 0) {
        const start = t % cap;
        const first = n < cap - start ? n : cap - start;
        const data = this.#data;
        if (raws instanceof this.#same) {
          const src = raws as unknown as NumericArray;
          data.set(src.subarray(from, from + first) as never, start);
          if (first < n) {
            data.set(src.subarray(from + first, from + n) as never);
          }
        } else {
          const d = data as unknown as unknown[];
          for (let k = 0; k < first; k++) d[start + k] = raws[from + k];
          for (let k = first; k < n; k++) d[k - first] = raws[from + k];
        }
        next = (t + n) % m;
        if (next < t) h[LAPS] = (h[LAPS] + 1) | 0; // under TAIL's lock
        if (next < t || (t & ~this.#stride) !== (next & ~this.#stride)) {
          Atomics.add(h, PHASE, 1); // crossed a multiple of the stride
        }
      }
      const k = n > 0 ? n : 0;
      laps = h[LAPS]; // as this releases
      releaseTurn(h, TAIL, w, next, k, GET_WAITERS, NOT_EMPTY, k); // publishes DATA
    } catch (error) {
      // Given back (_turn.ts), inline: TAIL as taken, no item put.
      const v = Atomics.and(h, TAIL, ~LOCK_BITS);
      if ((v & CONTENDED) !== 0) Atomics.notify(h, TAIL, 1);
      this.#laps = -1; // LAPS may have moved without a lap: look at HEAD
      throw error;
    }
    this.#laps = laps;
    this.#tail = next;
    return next - t < 0 ? next - t + m : next - t; // no call after the publish
  }

  tryGetMany(
    max: number,
    out: unknown[],
    decode?: null,
    _w?: Acquire,
  ): number {
    return this.#takeMany(max, decode === null ? null : out, null, 0);
  }

  /**
   * Removes up to `max` items into target[from...] (a typed array of this
   * ring's element type) with TypedArray.set copies; returns how many
   * (#takeMany: a lost claim copies again, so the elements past the count
   * are scratch).
   */
  tryGetInto(target: NumericArray, from: number, max: number): number {
    return this.#takeMany(max, null, target, from);
  }

  // The batch get of tryGetMany and tryGetInto: copies up to `max` items
  // from HEAD into `out` (a JS array, appended), or into target[from...]
  // (TypedArray.set), or nowhere (both null: an immediate shutdown's
  // discard), then claims them with one compareExchange of HEAD p -> p + n.
  // Why nothing is lost or read twice (the file header): TAIL is loaded
  // fresh (an Atomics read that synchronises-with the release publishing
  // positions below it), so the copy of [p, p + n) reads published slots;
  // the claim succeeds only if HEAD was still p, so no other consumer took
  // any of them and no producer refilled their slots (a producer writes
  // slot p % P only after an Atomics read of HEAD past p: after this CAS).
  // A lost claim drops the copy (out's length restored; target's elements
  // are scratch) and retries from the HEAD it saw. Counter ABA: the window
  // is this call (TAIL loaded fresh), as for tryGet's reload.
  #takeMany(
    max: number,
    out: unknown[] | null,
    target: NumericArray | null,
    from: number,
  ): number {
    const h = this.#h, m = this.#m, cap = this.#cap, data = this.#data;
    const base = out === null ? 0 : out.length;
    let p = this.#head;
    for (;;) {
      const tail = Atomics.load(h, TAIL) & POSITION;
      let n = mod(tail - p, m);
      if (n > cap) { // p is stale
        p = freshHead(h, m, cap);
        continue;
      }
      if (n === 0) { // empty if HEAD == p too (see emptyAt)
        const head = emptyAt(h, p);
        if (head < 0) return 0;
        p = head;
        continue;
      }
      if (n > max) n = max;
      const mask = this.#mask;
      const start = mask >= 0 ? p & mask : p % cap;
      const first = n < cap - start ? n : cap - start;
      if (target !== null) {
        target.set(data.subarray(start, start + first) as never, from);
        if (first < n) {
          target.set(data.subarray(0, n - first) as never, from + first);
        }
      } else if (out !== null) copyOut(data, start, first, n, out, base);
      const next = (p + n) % m;
      const seen = Atomics.compareExchange(h, HEAD, p, next);
      if (seen === p || (seen === (p | SLEEPER) && advance(h, p, next, n))) {
        this.#head = next;
        return n;
      }
      if (out !== null) out.length = base; // another consumer took some
      if ((seen & ~(POSITION | SLEEPER)) !== 0) freshHead(h, m, cap); // throws
      p = seen & POSITION;
    }
  }
}

function mod(x: number, m: number): number {
  return x < 0 ? x + m : x;
}
