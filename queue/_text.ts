// Copyright 2026 the threadkit authors. MIT license.
// The structured FIFO ring: the store of structured Queues. Items are JSON
// text (UTF-8) or custom-codec bytes in a byte region, each record followed
// by a "," byte, and a side table gives each item's offset, length and kind.
// Producers serialise on TAIL's lock bit and consumers on HEAD's (_turn.ts),
// so a batch costs a few atomics plus one copy of its bytes; a run of
// consecutive plain items is one JSON text "t1,t2,...,tk" that a getMany
// decodes with one TextDecoder call and one JSON.parse; and a putMany's
// plain items go in as one record, split only if a get needs it (an unsplit
// run: its side words, and why HEAD never rests inside one, _text_run.ts).
//
// Region (after the header): SIDE Int32Array[2 * P] (P = capacity), then
// (8-aligned) BYTES, a Uint8Array of the queue's `bytes`.
// | word          | values                                               |
// |---------------|------------------------------------------------------|
// | SIDE[2i]      | byte offset of the item at position p (p % P == i);  |
// |               | negative (~offset) at an unsplit run's head          |
// | SIDE[2i + 1]  | its length (bits 0-29) and KIND (bits 30-31)         |
// | BYTES[o...]   | the record: item bytes, then ","; never wraps        |
// | header B      | byte offset where the next record may go             |
// | header HOLDER | HEAD's holder (ident), DECODING in a custom decode   |
// KIND: 0 ASCII plain JSON, 1 non-ASCII plain JSON, 2 tagged JSON, 3 codec
// bytes (custom codec), or a shape record (no custom codec: _shape.ts).
// SIDE and BYTES of positions HEAD <= p < TAIL are in use; records lie in
// put order from SIDE[HEAD].offset, wrapping to offset 0 when the next one
// would not fit before the region's end. A put into an empty queue starts
// again at offset 0.
//
// Slot states for position p:
// FREE(p) -producer holding TAIL's lock, TAIL - HEAD < P and bytes fit:
//          write BYTES and SIDE, release TAIL = p + 1->                FULL(p)
// FULL(p) -consumer holding HEAD's lock: read SIDE and BYTES (decode if
//          tagged or codec), release HEAD = p + 1->                 FREE(p + P)
// A consumer whose decode throws releases HEAD unchanged: the item stays
// first in the queue, exactly as it was.
// HEAD's holder names itself in HOLDER for the hold (DECODING around a
// custom decode); acquireHead (_head.ts) takes over from a dead holder, its
// item still first. A holder taken over (read as dead, yet running) throws
// TakenOverError at its next HOLDER step and leaves HEAD alone, and HEAD's
// TAKEN bit makes releaseHead refuse too (_decoding.ts, _head.ts).
//
// Why nothing is lost or read twice: consumers take positions only while
// holding HEAD's lock, and only positions below a TAIL they read with an
// Atomics load, which synchronises-with the producer's release that
// published SIDE and BYTES. A producer reuses bytes only below the offset of
// SIDE[HEAD] (or all of them when HEAD == TAIL), read after an Atomics load
// of HEAD: the consumer copied those bytes before its release of HEAD.
// Each side caches the other's cursor and reloads it only when the cache
// says full (no room) or empty, or may have gone stale: a producer's hint
// of HEAD as in _ring.ts (LAPS, #room), a consumer's TAIL while HEAD did not
// move since its own release (HLAPS, _text_get.ts #moved).
// A get whose cache says empty first looks with three loads, taking no
// turn (TAIL, HEAD, HLAPS: seenEmpty, _text_run.ts, says why that is exact).
// Shutdown sets CLOSED in TAIL and waits for a put holding the lock before
// SHUTDOWN is published (see _ring.ts). Anything that throws while TAIL's
// lock is held releases it with TAIL and B unchanged: the put did not happen.
// A stack overflow under the turn (_turn.ts "Given back"): the calls made
// under it (#room, #place, #record, the copies) run in a try whose catch
// resets B and whose finally releases; that release, releaseTurn, is in a
// try of its own whose catch gives TAIL back inline (no call) and rethrows.
// Putters are woken through PSLEEP (_turn.ts, "Waking ... putters"). How
// text moves in (and a non-ASCII text's retry): _text_io.ts and tryPut.

import type { Acquire } from "../_core/wait.ts";
import { tailCorrupt } from "./_corrupt.ts";
import { sub } from "../_core/primordials.ts";
import { ASCII, type Batch, CODEC, COMMA } from "./_text_batch.ts";
import { TAGGED, TextItem, UTF8 } from "./_text_batch.ts";
import { acquireTail } from "./_decoding.ts";
import { RegionText } from "./_text_io.ts";
import { ShapeDecoder } from "./_shape_decode.ts";
import { TextGets } from "./_text_get.ts";
import { checkRaw, mod, recordRun } from "./_text_run.ts";
import { align8, B, BUSY_COUNT, BYTES, CAPACITY } from "./_layout.ts";
import { type Decode, FLAG_CODEC, FLAGS } from "./_layout.ts";
import { GET_WAITERS, HEAD, HEADER_BYTES } from "./_layout.ts";
import { LAPS, MODULUS, NOT_EMPTY, PSLEEP } from "./_layout.ts";
import { type Store, TAIL } from "./_layout.ts";
import { awaitTurn, CLOSED, CLOSED_TURN, flagPutter } from "./_turn.ts";
import {
  CONTENDED,
  flagSleeper,
  LOCKED,
  POSITION,
  releaseTurn,
} from "./_turn.ts";

// The bits a give-back clears (_turn.ts "Given back").
const HELD = LOCKED | CONTENDED;

const encoder = new TextEncoder();

/** Structured FIFO ring of JSON texts or codec bytes. */
export class TextRing implements Store {
  readonly #h: Int32Array;
  readonly #side: Int32Array;
  readonly #u8: Uint8Array;
  readonly #cap: number;
  readonly #m: number;
  readonly #size: number;
  readonly #io: RegionText;
  readonly #gets: TextGets; // the consumer side (_text_get.ts)
  // The producer's hint (as in _ring.ts): TAIL as this handle last
  // released it, LAPS then, and HEAD as it last read it.
  #tail = 0;
  #laps = 0;
  #headSeen = 0;

  constructor(h: Int32Array) {
    this.#h = h;
    const cap = this.#cap = h[CAPACITY];
    this.#m = h[MODULUS];
    this.#size = h[BYTES];
    const buf = h.buffer as SharedArrayBuffer;
    const base = h.byteOffset + HEADER_BYTES;
    this.#side = new Int32Array(buf, base, 2 * cap);
    this.#u8 = new Uint8Array(buf, base + align8(8 * cap), this.#size);
    this.#io = new RegionText(this.#u8);
    const codec = (h[FLAGS] & FLAG_CODEC) !== 0;
    const shapes = new ShapeDecoder(this.#u8, this.#io);
    this.#gets = new TextGets(
      h,
      this.#side,
      this.#u8,
      cap,
      this.#m,
      codec,
      this.#io,
      shapes,
    );
  }

  /** It wakes its waiters itself (SLEEPER, _turn.ts). */
  readonly wakes = true;

  // Getters mark TAIL (_turn.ts); putters raise PSLEEP, which the next get
  // that frees room clears before it wakes them (_text_get.ts #release).
  flagSleeper(put: boolean): void {
    if (put) flagPutter(this.#h, PSLEEP);
    else flagSleeper(this.#h, TAIL);
  }

  count(): number {
    // HEAD first: TAIL read later is >= it (unwrapped), so the difference
    // never goes negative (it may count items taken meanwhile; capped).
    const h = this.#h;
    const head = Atomics.load(h, HEAD) & POSITION;
    const n = mod((Atomics.load(h, TAIL) & POSITION) - head, this.#m);
    return n > this.#cap ? this.#cap : n;
  }

  /** Throws a RangeError if the item (a Batch's from `from` on) can never fit. */
  check(raw: Uint8Array | Batch | TextItem, from = 0): void {
    checkRaw(raw, this.#size, from);
  }

  close(publish: () => void): void {
    Atomics.or(this.#h, TAIL, CLOSED);
    awaitTurn(this.#h, TAIL, tailCorrupt); // a put holding the lock publishes first
    publish();
  }

  /** Adds one item: a TextItem, or codec bytes. */
  tryPut(raw: TextItem | Uint8Array, _w?: Acquire): number {
    const h = this.#h, m = this.#m, u8 = this.#u8;
    const w = acquireTail(h, this.#tail, _w);
    if (w === CLOSED_TURN || w === BUSY_COUNT) return w; // -1, or held (_turn.ts)
    const t = w & POSITION, b = h[B];
    // The hint is current if TAIL did not move since this handle's release.
    const fresh = t !== this.#tail || h[LAPS] !== this.#laps;
    let next = t, encode = false;
    try {
      let at: number, len: number, kind: number;
      if (raw instanceof TextItem && raw.utf8 === undefined) {
        const text = raw.text, most = 3 * text.length;
        len = text.length;
        kind = raw.tagged ? TAGGED : ASCII;
        // Node, Bun: one call writes its UTF-8 (_text_io.ts utf8) where room
        // for `most` bytes (< the region: checkRaw) is found. Else, and where
        // only its length finds room: optimistically ASCII, copied straight in.
        at = this.#io.utf8s ? this.#room(most + 1, t, fresh) : -1;
        if (at >= 0) {
          len = this.#io.utf8(text, at, most);
          if (len !== text.length && kind === ASCII) kind = UTF8;
        } else if ((at = this.#room(len + 1, t, fresh)) >= 0) {
          if (!this.#io.ascii(text, at)) {
            encode = true; // not ASCII: encode outside the lock, then retry
            at = -1;
          }
        }
      } else {
        const bytes = raw instanceof TextItem ? raw.utf8! : raw;
        len = bytes.length;
        kind = raw instanceof TextItem ? (raw.tagged ? TAGGED : UTF8) : CODEC;
        at = this.#room(len + 1, t, fresh);
        if (at >= 0) this.#io.bytes(bytes, at);
      }
      if (at >= 0) {
        u8[at + len] = COMMA;
        this.#record(t, at, len, kind);
        next = t + 1 === m ? 0 : t + 1;
        if (next === 0) h[LAPS] = (h[LAPS] + 1) | 0; // under TAIL's lock
      }
    } catch (error) {
      h[B] = b; // still ours: the lock is released below
      throw error;
    } finally {
      const n = next === t ? 0 : 1, laps = h[LAPS]; // LAPS as this releases
      try {
        releaseTurn(h, TAIL, w, next, n, GET_WAITERS, NOT_EMPTY, n); // publishes BYTES and SIDE
      } catch (error) {
        // An overflow at releaseTurn's entry: given back, inline (_turn.ts
        // "Given back"): B and TAIL as taken, no item put.
        h[B] = b;
        const v = Atomics.and(h, TAIL, ~HELD);
        if ((v & CONTENDED) !== 0) Atomics.notify(h, TAIL, 1);
        this.#laps = -1; // LAPS may have moved without a lap: look at HEAD
        // The overflow is the outcome (the put did not happen).
        // deno-lint-ignore no-unsafe-finally
        throw error;
      }
      this.#laps = laps;
      this.#tail = next;
    }
    if (!encode) return next === t ? 0 : 1;
    (raw as TextItem).utf8 = encoder.encode((raw as TextItem).text);
    return this.tryPut(raw, _w); // the same wait as the first try
  }

  // Where a record of `need` bytes for position t goes, or -1, for the
  // holder of TAIL's lock: from the hint (#headSeen, HEAD as this handle
  // last read it) unless `fresh` or the hint finds no room, else from HEAD
  // loaded now. A hint below HEAD undercounts the room: its record's offset
  // (SIDE, not rewritten before a put at its position + P) lies at or before
  // HEAD's in put order, and a hint equal to t means HEAD == t (see _ring.ts,
  // "A producer holds TAIL's lock", for why the hint is current).
  #room(need: number, t: number, fresh: boolean): number {
    const m = this.#m, cap = this.#cap;
    if (!fresh) {
      const hint = this.#headSeen;
      if (mod(t - hint, m) < cap) {
        const at = this.#place(need, t, hint);
        if (at >= 0) return at;
      }
    }
    const head = this.#headSeen = Atomics.load(this.#h, HEAD) & POSITION;
    return mod(t - head, m) < cap ? this.#place(need, t, head) : -1;
  }

  /** Adds raws[from...] (a Batch) as room allows. */
  tryPutMany(raws: ArrayLike<unknown>, from: number, _w?: Acquire): number {
    const batch = raws as unknown as Batch;
    const h = this.#h, m = this.#m, u8 = this.#u8;
    const w = acquireTail(h, this.#tail, _w);
    if (w === CLOSED_TURN || w === BUSY_COUNT) return w; // -1, or held (_turn.ts)
    const t = w & POSITION, b = h[B];
    let p = t, n = 0, retry = false;
    try {
      const head = this.#headSeen = Atomics.load(h, HEAD) & POSITION;
      const room = this.#cap - mod(t - head, m);
      if (room === 0) return 0; // full: no scan for the ends (finally: release)
      // An unsplit batch goes in whole if it fits (_text_run.ts).
      const at = !batch.split && from === 0 && batch.length > 1 &&
          batch.length <= room
        ? this.#place(batch.byteLength, t, head)
        : -1;
      if (at >= 0) {
        if (!this.#io.run(batch.text, at)) u8.set(batch.bytes, at);
        recordRun(this.#side, this.#cap, m, t, at, batch);
        h[B] = at + batch.byteLength;
        n = batch.length;
        p = (t + n) % m;
        if (p < t) h[LAPS] = (h[LAPS] + 1) | 0; // under TAIL's lock
        return n; // released in finally
      }
      retry = batch.text !== undefined; // its bytes: made outside the turn
      if (!retry) {
        const ends = batch.ends, src = batch.bytes;
        let runFrom = from === 0 ? 0 : ends[from - 1], runAt = -1, runEnd = -1;
        let q = t;
        while (n < room && from + n < ends.length) {
          const k = from + n;
          const start = k === 0 ? 0 : ends[k - 1];
          const need = ends[k] - start;
          const at = this.#place(need, q, head);
          if (at < 0) break;
          if (at !== runEnd) { // the region wrapped: copy the run so far
            if (runAt >= 0) u8.set(sub(src, runFrom, start), runAt);
            runFrom = start;
            runAt = at;
          }
          runEnd = at + need;
          this.#record(q, at, need - 1, batch.kinds[k]);
          q = q + 1 === m ? 0 : q + 1;
          n++;
        }
        if (n > 0) u8.set(sub(src, runFrom, ends[from + n - 1]), runAt);
        if (q < t) h[LAPS] = (h[LAPS] + 1) | 0; // under TAIL's lock
        p = q;
      }
    } catch (error) {
      h[B] = b; // still ours: the lock is released below
      n = 0;
      throw error;
    } finally {
      const laps = h[LAPS]; // as this releases
      try {
        releaseTurn(h, TAIL, w, p, n, GET_WAITERS, NOT_EMPTY, n); // publishes BYTES and SIDE
      } catch (error) {
        // As tryPut's: given back, inline (_turn.ts "Given back").
        h[B] = b;
        const v = Atomics.and(h, TAIL, ~HELD);
        if ((v & CONTENDED) !== 0) Atomics.notify(h, TAIL, 1);
        this.#laps = -1;
        // deno-lint-ignore no-unsafe-finally
        throw error;
      }
      this.#laps = laps;
      this.#tail = p;
    }
    if (!retry) return n;
    // Kept as text, it goes in split: its bytes and ends are made here, not
    // under the turn (a batch-sized allocation: "A holder that stops", _turn.ts).
    batch.findEnds();
    return this.tryPutMany(batch as never, from, _w);
  }

  tryGet(decode?: Decode, wait?: Acquire): unknown {
    return this.#gets.tryGet(decode, wait);
  }

  tryGetMany(
    max: number,
    out: unknown[],
    decode?: Decode | null,
    wait?: Acquire,
  ): number {
    return this.#gets.tryGetMany(max, out, decode, wait);
  }

  /** Where a record of `need` bytes for position p goes, or -1 (no room). */
  #place(need: number, p: number, head: number): number {
    if (p === head) return need <= this.#size ? 0 : -1; // empty: restart
    const f = this.#side[2 * (head % this.#cap)];
    const first = f < 0 ? ~f : f; // an unsplit run's head (see the header)
    // B is a plain word: written only under TAIL's lock, which we hold.
    const b = this.#h[B];
    if (b > first) {
      if (b + need <= this.#size) return b;
      return need <= first ? 0 : -1;
    }
    return b + need <= first ? b : -1;
  }

  #record(p: number, at: number, len: number, kind: number): void {
    const i = 2 * (p % this.#cap);
    this.#side[i] = at;
    this.#side[i + 1] = len | (kind << 30);
    this.#h[B] = at + len + 1;
  }
}
