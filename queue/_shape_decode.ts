// Copyright 2026 the threadkit authors. MIT license.
// The get side of the shape codec (_shape.ts, which has the record's
// format): a ShapeDecoder per ring handle builds the object of a shape
// record from the ring's byte region, trusting nothing in the bytes
// (another thread could have written them): every length is checked
// against the record before it is read, an unknown tag or a "__proto__"
// key is a TypeError (the get throws and the item stays first, _text.ts),
// and every key is an own data property.

import { apply, defineProperty, fromCharCode } from "../_core/primordials.ts";
import { ObjectProto, sub } from "../_core/primordials.ts";
import type { RegionText } from "./_text_io.ts";
import {
  DOUBLE,
  FALSE,
  HEAD,
  INT,
  LATIN1,
  MAGIC,
  NULL,
  SHAPES,
  TRUE,
  UNDEF,
  UTF16,
} from "./_shape.ts";

// A decoder's cached key list: its bytes and keys, the template its
// objects are cloned from, and per value index the last short Latin-1
// string decoded there (reused while the bytes are equal, see SAME).
interface Known {
  readonly keys: string[];
  readonly list: Bytes;
  readonly tmpl: object;
  readonly strs: (Kept | undefined)[];
}

// Latin-1 strings up to this length are compared with the one decoded
// last at their index, and that string is reused when equal: a compare
// costs a fraction of making the string (Buffer's latin1Slice, about 90 ns
// for 32 bytes on Node 20; sameBytes 17 ns).
const SAME = 64;

// Bytes as 32-bit words (the last one padded with zeros) for sameBytes.
interface Bytes {
  readonly u8: Uint8Array; // over `words`
  readonly words: Int32Array;
}

function bytesOf(u8: Uint8Array, at: number, len: number): Bytes {
  const words = new Int32Array((len + 3) >> 2);
  const copy = new Uint8Array(words.buffer, 0, len);
  copy.set(sub(u8, at, at + len));
  return { u8: copy, words };
}

// The last short Latin-1 string decoded at a value index, and its `len`
// bytes in room for SAME (made once per index: a miss copies the new
// string's bytes in, it allocates nothing but the string).
class Kept implements Bytes {
  readonly words: Int32Array = new Int32Array(SAME >> 2);
  readonly u8: Uint8Array = new Uint8Array(this.words.buffer);
  s = "";
  len = -1;

  keep(view: DataView, u8: Uint8Array, at: number, len: number, s: string) {
    const m = len >> 2, w = this.words;
    for (let j = 0; j < m; j++) w[j] = view.getInt32(at + 4 * j, true);
    for (let j = 4 * m; j < len; j++) this.u8[j] = u8[at + j];
    this.s = s;
    this.len = len;
  }
}

// Whether the `len` bytes at `at` in `u8` (with `view` over the same
// memory) are b's, compared a 32-bit word at a time: on Node 20 a byte
// loaded from shared memory through a Uint8Array costs about 1.7 ns (a
// 32-byte compare 56 ns by bytes, 104 ns against a string's charCodeAt),
// a DataView getInt32 about 2 ns for 4 bytes (17 ns).
function sameBytes(
  view: DataView,
  u8: Uint8Array,
  at: number,
  b: Bytes,
  len: number,
): boolean {
  const w = b.words, m = len >> 2;
  for (let j = 0; j < m; j++) {
    if (view.getInt32(at + 4 * j, true) !== w[j]) return false;
  }
  for (let j = 4 * m; j < len; j++) if (u8[at + j] !== b.u8[j]) return false;
  return true;
}

/** Decodes shape records of one byte region (keeps its shape cache). */
export class ShapeDecoder {
  readonly #u8: Uint8Array;
  readonly #view: DataView;
  readonly #io: RegionText;
  // The key lists decoded last (up to SHAPES, the oldest replaced first);
  // #last the index of the latest used.
  readonly #shapes: Known[] = [];
  #last = 0;
  #next = 0;

  constructor(u8: Uint8Array, io: RegionText) {
    this.#u8 = u8;
    this.#view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    this.#io = io;
  }

  /**
   * The object of the record at `at` of `len` bytes.
   * @throws {TypeError} when the bytes are not a shape record.
   */
  decode(at: number, len: number): unknown {
    const u8 = this.#u8, end = at + len;
    if (len < HEAD || u8[at] !== MAGIC) throw corrupt();
    const n = u8[at + 1], l = u8[at + 2] | (u8[at + 3] << 8);
    let p = at + HEAD;
    if (p + l > end) throw corrupt();
    const known = this.#keysAt(p, l, n), keys = known.keys, strs = known.strs;
    p += l;
    // A clone of the template: every key already an own data property, in
    // the key list's order, made by CreateDataProperty (an object spread),
    // so no setter or read-only property Object.prototype has, now or
    // later, is met; the stores below then set own data properties only,
    // as JSON.parse and structuredClone make them.
    const o = { ...known.tmpl } as Record<string, unknown>;
    for (let i = 0; i < n; i++) {
      if (p >= end) throw corrupt();
      const tag = u8[p];
      let v: unknown;
      switch (tag) {
        case INT:
          if (p + 5 > end) throw corrupt();
          v = this.#view.getInt32(p + 1, true); // (see sameBytes)
          p += 5;
          break;
        case DOUBLE:
          if (p + 9 > end) throw corrupt();
          v = this.#view.getFloat64(p + 1, true);
          p += 9;
          break;
        case LATIN1: {
          if (p + 5 > end) throw corrupt();
          const k = this.#view.getUint32(p + 1, true);
          p += 5;
          if (p + k > end) throw corrupt();
          if (k > SAME) v = this.#io.latin1(p, k);
          else {
            const kept = strs[i] ??= new Kept();
            if (kept.len === k && sameBytes(this.#view, u8, p, kept, k)) {
              v = kept.s;
            } else {
              const s = this.#io.latin1(p, k);
              kept.keep(this.#view, u8, p, k, s);
              v = s;
            }
          }
          p += k;
          break;
        }
        case UTF16: {
          if (p + 5 > end) throw corrupt();
          const k = this.#view.getUint32(p + 1, true);
          if (p + 5 + 2 * k > end) throw corrupt();
          v = utf16(u8, p + 5, k);
          p += 5 + 2 * k;
          break;
        }
        case UNDEF:
          v = undefined;
          p++;
          break;
        case NULL:
          v = null;
          p++;
          break;
        case FALSE:
          v = false;
          p++;
          break;
        case TRUE:
          v = true;
          p++;
          break;
        default:
          throw corrupt();
      }
      o[keys[i]] = v;
    }
    if (p !== end) throw corrupt();
    return o;
  }

  // The cached key list at p (l bytes, n keys): the one whose bytes are
  // equal (the last used first), else a new one.
  #keysAt(p: number, l: number, n: number): Known {
    const u8 = this.#u8, shapes = this.#shapes, m = shapes.length;
    for (let j = 0, s = this.#last; j < m; j++, s = s + 1 === m ? 0 : s + 1) {
      const known = shapes[s];
      if (known.list.u8.length !== l || known.keys.length !== n) continue;
      if (sameBytes(this.#view, u8, p, known.list, l)) {
        this.#last = s;
        return known;
      }
    }
    const keys: string[] = [];
    const end = p + l;
    let q = p;
    while (keys.length < n) {
      if (q >= end) throw corrupt();
      const k = u8[q];
      if (q + 1 + k > end) throw corrupt();
      const key = this.#io.latin1(q + 1, k);
      if (key === "__proto__") throw corrupt();
      keys[keys.length] = key;
      q += 1 + k;
    }
    if (q !== end) throw corrupt();
    // A duplicate key (never written by a walk) is one property, set twice
    // below: the object is still plain data, with fewer keys.
    const tmpl: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      // Own data properties: a key Object.prototype has (an accessor, a
      // read-only value) is defined, not assigned; never "__proto__".
      if (!(key in ObjectProto)) tmpl[key] = undefined;
      else {
        defineProperty(tmpl, key, {
          value: undefined,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
    }
    const known = { keys, list: bytesOf(u8, p, l), tmpl, strs: [] };
    this.#last = this.#next;
    shapes[this.#next] = known;
    this.#next = (this.#next + 1) % SHAPES;
    return known;
  }
}

function utf16(u8: Uint8Array, at: number, len: number): string {
  let s = "";
  for (let k = 0; k < len; k += 4096) {
    const m = len - k < 4096 ? len - k : 4096, codes: number[] = [];
    for (let j = 0; j < m; j++) {
      const q = at + 2 * (k + j);
      codes[j] = u8[q] | (u8[q + 1] << 8);
    }
    s += apply(fromCharCode, null, codes);
  }
  return s;
}

function corrupt(): TypeError {
  return new TypeError(
    "Cannot decode queue item: its shape record is corrupt (was the queue's memory written outside threadkit?)",
  );
}
