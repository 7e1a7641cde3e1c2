// Copyright 2026 the threadkit authors. MIT license.
// The structured FIFO ring's gets (the ring, its layout, slot states and
// why nothing is lost or read twice: _text.ts). A consumer holds HEAD's
// turn (_head.ts) and names itself in HOLDER (_decoding.ts) while it reads
// and decodes; its release stores the new position.
//
// A get stopped inside the turn by a stack overflow: a RangeError can come
// from any call (a nested item's decode, or any step of the get made near
// the end of the stack). A hold left in place would make every later get
// wait for a holder that is alive and never releases (getNowait: "another
// thread is decoding"). So everything between the acquire and the release
// runs in one try (#hold's callers), and its handler (UNHOLD, written out
// in tryGet and tryGetMany) makes no call: a handler runs at the depth of
// the frame that caught, where a call may overflow again. It calls only
// Atomics built-ins (the acquire, a larger JavaScript call, was entered
// from that depth): HOLDER, if it still names the holder (any DECODING or
// WAITING bit: a decode stopped before its decodeEnd), back to 0, waking
// its WAITING sleepers; then HEAD, if the hold is still this one's (HOLDER
// named it, or its own holdEnd cleared it: `mine`) and HEAD is as taken
// (CONTENDED aside), back to the position it had, waking two contenders if
// marked. Nothing was taken: the item stays first. A hold taken over
// meanwhile (HOLDER names another) is left alone, as before. The holder's
// ident is read before the turn is taken, so HOLDER is named by the first
// step inside it, a plain store. #release has one stopping point past its
// entry, releaseHead's entry (HOLDER cleared, `mine`; HEAD still held:
// UNHOLD puts HEAD back);
// after releaseHead's compareExchange it makes no call (the wake of the
// putters inline), so items taken are always returned or its release is
// not made. So the plain texts are parsed (parseJson, parseRuns) before the
// release too, under the turn: a parse after it that overflowed lost the
// items taken (the caller got the RangeError). The callers make no call
// between the take and their return either (_get.ts took).

import type { Acquire } from "../_core/wait.ts";
import { parseJson } from "../_core/json.ts";
import { ASCII, CODEC, TAGGED, UTF8 } from "./_text_batch.ts";
import { decodeTagged } from "./_codec.ts";
import { decodeEnd, decodeStart, holdEnd, IDENT } from "./_decoding.ts";
import { holderIdent, WAITING } from "./_decoding.ts";
import { acquireHead, releaseHead, TAKEN } from "./_head.ts";
import type { RegionText } from "./_text_io.ts";
import type { ShapeDecoder } from "./_shape_decode.ts";
import { addRun, mod, parseRuns } from "./_text_run.ts";
import { recordsAt, seenEmpty } from "./_text_run.ts";
import { BUSY, BUSY_COUNT, type Decode, EMPTY } from "./_layout.ts";
import { HEAD, HLAPS, HOLDER, NOT_FULL, PSLEEP } from "./_layout.ts";
import { PUT_WAITERS, TAIL } from "./_layout.ts";
import { CONTENDED, POSITION } from "./_turn.ts";

const LENGTH = (1 << 30) - 1;

/** The consumer side of a TextRing (_text.ts) over the same words. */
export class TextGets {
  readonly #h: Int32Array;
  readonly #side: Int32Array;
  readonly #u8: Uint8Array;
  readonly #cap: number;
  readonly #m: number;
  readonly #codec: boolean;
  readonly #io: RegionText;
  readonly #shapes: ShapeDecoder;
  // HEAD's word (position | TAKEN) as this handle last released it, HLAPS
  // then, and TAIL as it last loaded it: the consumer's cache.
  #head = 0;
  #hlaps = 0;
  #tailSeen = 0;

  constructor(
    h: Int32Array,
    side: Int32Array,
    u8: Uint8Array,
    cap: number,
    m: number,
    codec: boolean,
    io: RegionText,
    shapes: ShapeDecoder,
  ) {
    this.#h = h;
    this.#side = side;
    this.#u8 = u8;
    this.#cap = cap;
    this.#m = m;
    this.#codec = codec;
    this.#io = io;
    this.#shapes = shapes;
  }

  /** TextRing.tryGet (Store.tryGet). */
  tryGet(decode?: Decode, wait?: Acquire): unknown {
    const h = this.#h, m = this.#m;
    if (this.#seenEmpty()) return EMPTY;
    const me = holderIdent(); // (before the turn: see the header)
    const w = acquireHead(h, this.#head, wait);
    if (w < 0) return BUSY;
    const p = w & POSITION;
    let mine = false, value: unknown; // mine: HOLDER cleared by holdEnd
    try {
      h[HOLDER] = me; // plain: see _decoding.ts
      if (this.#tailSeen === p || this.#moved(w)) {
        this.#tailSeen = Atomics.load(h, TAIL) & POSITION;
        if (this.#tailSeen === p) {
          holdEnd(h, me);
          mine = true;
          this.#release(w, p, 0);
          return EMPTY;
        }
      }
      this.#records(p, 1); // an unsplit run is split
      const i = 2 * (p % this.#cap);
      const at = this.#side[i], word = this.#side[i + 1];
      const len = word & LENGTH, kind = word >>> 30;
      if (kind === CODEC && !this.#codec) {
        value = this.#shapes.decode(at, len); // a shape record (_shape.ts)
      } else if (kind === CODEC || decode !== undefined) {
        decodeStart(h, me);
        try {
          value = decode!(this.#u8.slice(at, at + len));
        } finally {
          decodeEnd(h, me);
        }
      } else if (kind === TAGGED) {
        value = decodeTagged(this.#io.text(at, len, false));
      } else value = parseJson(this.#io.text(at, len, kind === ASCII));
      holdEnd(h, me);
      mine = true;
      this.#release(w, p + 1 === m ? 0 : p + 1, 1); // frees the bytes
    } catch (error) {
      // Not taken: the queue is unchanged. UNHOLD (see the header): no call.
      let ours = mine; // else HOLDER names this hold, or it was taken over
      for (let d = Atomics.load(h, HOLDER); (d & IDENT) === me;) {
        const seen = Atomics.compareExchange(h, HOLDER, d, 0);
        if (seen === d) {
          if ((d & WAITING) !== 0) Atomics.notify(h, HOLDER);
          ours = true;
          break;
        }
        d = seen;
      }
      for (let v = w; ours;) {
        const seen = Atomics.compareExchange(h, HEAD, v, p | (w & TAKEN));
        if (seen === v) {
          if ((v & CONTENDED) !== 0) Atomics.notify(h, HEAD, 2);
          break;
        }
        if (((seen ^ w) & ~CONTENDED) !== 0) break; // taken over
        v = seen;
      }
      throw error;
    }
    return value;
  }

  // Releases HEAD's turn taken as `w` with position `next`, `n` items
  // taken (then it wakes the putters if any wait), after the caller's
  // holdEnd cleared HOLDER: throws TakenOverError, leaving HEAD alone, if
  // the turn was taken over. A stack overflow stops it at its entry or
  // releaseHead's, and nowhere after releaseHead's compareExchange (see the
  // header).
  #release(w: number, next: number, n: number): void {
    const h = this.#h;
    // Under HEAD's turn, before the release that wraps (see #moved); stored
    // by releaseHead, past its entry.
    const laps = next < (w & POSITION) ? (h[HLAPS] + 1) | 0 : h[HLAPS];
    releaseHead(h, w, next, laps);
    this.#hlaps = laps;
    this.#head = next | (w & TAKEN);
    // Why no lost wakeup: _turn.ts, "Waking the structured ring's putters".
    // wakeFlagged and its wakeCounted, written out: no call once the items
    // are taken.
    if (n > 0 && Atomics.load(h, PSLEEP) !== 0) {
      Atomics.store(h, PSLEEP, 0); // every clear is followed by the wake
      Atomics.add(h, NOT_FULL, 1);
      if (Atomics.load(h, PUT_WAITERS) > 0) { // (after the bump: _state.ts)
        const woke = Atomics.notify(h, NOT_FULL, Infinity);
        if (woke > 0) Atomics.sub(h, PUT_WAITERS, woke);
      }
    }
  }

  // Whether HEAD's turn, just taken as `w`, may have moved since this
  // handle released it, so that its cached TAIL says nothing: true unless
  // the word is exactly as it released it (position and TAKEN) in the same
  // lap of HEAD (HLAPS, counted under the turn before each release that
  // wraps M -> 0). Then no one moved HEAD since: its position came back
  // only by a lap, which HLAPS counts. #tailSeen was loaded (in an earlier
  // hold of this handle, or by #seenEmpty since) at or after the position it
  // released, so TAIL then was at or past HEAD now, and positions
  // HEAD..#tailSeen - 1 were published before that load.
  #moved(w: number): boolean {
    return (w & (POSITION | TAKEN)) !== this.#head ||
      this.#h[HLAPS] !== this.#hlaps;
  }

  /** TextRing.tryGetMany (Store.tryGetMany). */
  tryGetMany(
    max: number,
    out: unknown[],
    decode?: Decode | null,
    wait?: Acquire,
  ): number {
    const h = this.#h, m = this.#m, side = this.#side, cap = this.#cap;
    if (this.#seenEmpty()) return 0;
    const me = holderIdent(); // (before the turn: see the header)
    const w = acquireHead(h, this.#head, wait);
    if (w < 0) return BUSY_COUNT;
    const p = w & POSITION, base = out.length;
    const runs: (string | number)[] = []; // text, first out index, count
    let mine = false, k = 0; // mine: HOLDER cleared by holdEnd
    let plain = true; // only plain items so far: nothing in `out`
    try {
      h[HOLDER] = me; // plain: see _decoding.ts
      const tail = this.#tailSeen = Atomics.load(h, TAIL) & POSITION;
      let n = mod(tail - p, m);
      if (n > max) n = max;
      if (decode === null || n === 0) { // discard (immediate shutdown), or empty
        // HEAD never stops inside an unsplit run: one cut by n is split.
        for (let j = 0; j < n;) j += this.#records((p + j) % m, n - j);
        holdEnd(h, me);
        mine = true;
        this.#release(w, (p + n) % m, n);
        return n;
      }
      // Runs of consecutive plain records are copied as one text and parsed
      // with one JSON.parse; tagged and codec items are decoded one by one,
      // so a throw can leave them in place. While all are plain, `out`
      // waits for the parse; the first other item keeps the places before
      // it.
      let runAt = -1, runEnd = -1, runFirst = 0, ascii = true;
      if (decode !== undefined) decodeStart(h, me);
      while (k < n) {
        const q = (p + k) % m; // c > 1: a whole unsplit run (_text_run.ts)
        const c = this.#records(q, decode === undefined ? n - k : 1);
        const i = 2 * (q % cap), a = side[i], word = side[i + 1];
        const at = a < 0 ? ~a : a;
        const len = word & LENGTH, kind = word >>> 30;
        if (kind <= UTF8 && decode === undefined) {
          if (at !== runEnd) {
            if (runAt >= 0) {
              addRun(runs, this.#run(runAt, runEnd, ascii), runFirst);
            }
            runAt = at;
            ascii = true;
            runFirst = base + k;
          }
          runEnd = at + len + 1;
          if (kind !== ASCII) ascii = false;
          for (let j = 0; !plain && j < c; j++) out[out.length] = undefined;
          k += c;
          continue;
        }
        let value: unknown;
        try {
          value = kind === CODEC && !this.#codec
            ? this.#shapes.decode(at, len) // a shape record (_shape.ts)
            : kind === CODEC || decode !== undefined
            ? decode!(this.#u8.slice(at, at + len))
            : decodeTagged(this.#io.text(at, len, kind === ASCII));
        } catch (error) {
          if (k === 0) throw error;
          break; // take the k before; this one stays first
        }
        if (runAt >= 0) addRun(runs, this.#run(runAt, runEnd, ascii), runFirst);
        runAt = runEnd = -1;
        if (plain) {
          plain = false;
          for (let j = 0; j < k; j++) out[out.length] = undefined;
        }
        out[out.length] = value; // (no push: a program may replace it)
        k++;
      }
      if (runAt >= 0) addRun(runs, this.#run(runAt, runEnd, ascii), runFirst);
      if (decode !== undefined) decodeEnd(h, me);
      parseRuns(runs, out, plain); // before the release: see the header
      holdEnd(h, me);
      mine = true;
      this.#release(w, (p + k) % m, k); // frees the bytes
    } catch (error) {
      // Nothing taken. UNHOLD, as in tryGet (see the header): no call.
      out.length = base;
      let ours = mine; // else HOLDER names this hold, or it was taken over
      for (let d = Atomics.load(h, HOLDER); (d & IDENT) === me;) {
        const seen = Atomics.compareExchange(h, HOLDER, d, 0);
        if (seen === d) {
          if ((d & WAITING) !== 0) Atomics.notify(h, HOLDER);
          ours = true;
          break;
        }
        d = seen;
      }
      for (let v = w; ours;) {
        const seen = Atomics.compareExchange(h, HEAD, v, p | (w & TAKEN));
        if (seen === v) {
          if ((v & CONTENDED) !== 0) Atomics.notify(h, HEAD, 2);
          break;
        }
        if (((seen ^ w) & ~CONTENDED) !== 0) break; // taken over
        v = seen;
      }
      throw error;
    }
    return k;
  }

  // Empty by the cache and three loads, the turn untaken (_text_run.ts); a
  // TAIL that moved is the new cache (#moved), not loaded again in the hold.
  #seenEmpty(): boolean {
    const head = this.#head;
    if (this.#tailSeen !== (head & POSITION)) return false;
    const tail = Atomics.load(this.#h, TAIL) & POSITION;
    if (tail === this.#tailSeen) {
      return seenEmpty(this.#h, tail, head, this.#hlaps);
    }
    this.#tailSeen = tail;
    return false;
  }

  // How many items position q's record holds (recordsAt, _text_run.ts).
  #records(q: number, whole: number): number {
    return recordsAt(this.#side, this.#u8, this.#cap, this.#m, q, whole);
  }

  /** The text of a run of records [at, end), without the last ",". */
  #run(at: number, end: number, ascii: boolean): string {
    return this.#io.text(at, end - 1 - at, ascii);
  }
}
