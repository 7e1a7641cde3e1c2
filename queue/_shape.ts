// Copyright 2026 the threadkit authors. MIT license.
// The shape codec: the structured FIFO ring's (_text.ts) binary form for
// the common item, a plain object whose values are primitives
// ({ id: 7, name: "x", ok: true }), written without JSON text. The put
// walks the object once (reading each property once, as structuredClone
// does) and writes its key list and its values as bytes; the get compares
// the key list's bytes with the last list it decoded (a per-handle shape
// cache: equal bytes reuse the same key strings) and builds the object in
// one pass. Anything else (top-level primitives, arrays, nested objects,
// other prototypes, a "__proto__" key, more than 255 keys or a key of 256
// or more units or with a unit above 0xff) is not taken: the caller falls
// back to JSON (_codec.ts). Where the walk read the object's properties
// before it refused it, JSON encodes a copy holding the values it read
// (takeRefused), so the item's own properties are read once on every path
// (nested objects' are read by the JSON path's two walks, as before).
//
// Record (bytes, little-endian), stored as KIND CODEC in a ring without a
// custom codec (the KIND tells the ring to call decodeShape):
// | bytes      | what                                                   |
// |------------|--------------------------------------------------------|
// | 0          | MAGIC (0x53 "S")                                        |
// | 1          | n, the number of keys (0-255)                          |
// | 2-3        | L, the key list's byte length                          |
// | 4..4+L     | the key list: per key, its length (1 byte), its units  |
// |            | as Latin-1 bytes                                       |
// | then       | n values: a TAG byte, then its payload:                |
// | UNDEF 0    | -                                                      |
// | NULL 1     | -                                                      |
// | FALSE 2    | -                                                      |
// | TRUE 3     | -                                                      |
// | INT 4      | int32 (4 bytes): numbers that are int32 and not -0     |
// | DOUBLE 5   | float64 (8 bytes): every other number (NaN, -0, +-Inf  |
// |            | kept, as structuredClone keeps them)                   |
// | LATIN1 6   | uint32 length, then a byte a unit (every unit < 0x100) |
// | UTF16 7    | uint32 length, then 2 bytes a unit (lone surrogates    |
// |            | kept, as structuredClone keeps them)                   |
//
// What arrives: an object with Object.prototype and the same own
// enumerable keys in the same order (for...in's, which JSON.stringify and
// structuredClone follow too; integer keys first), each with the value
// structuredClone would give: JSON's rules (-0, NaN, undefined) do not
// apply, so this codec keeps them exactly where the JSON path tags them.
// A null-prototype object arrives with Object.prototype, as from JSON and
// structuredClone. The decoder trusts nothing in the bytes (another
// thread could have written them): lengths are bounds-checked against the
// record, an unknown tag or a "__proto__" key is a TypeError (the get
// throws and the item stays first, _text.ts), and keys are created as own
// data properties (defineProperty for a key Object.prototype has, so no
// inherited setter or read-only property is met). The put does not take an
// object while Object.prototype has an enumerable key (for...in would list
// it as the object's), nor a record larger than the ring's region (_glue.ts
// puts the JSON text, which may be smaller: a float64 takes 9 bytes).

import type { RegionText } from "./_text_io.ts";

const MAGIC = 0x53;
const UNDEF = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT = 4;
const DOUBLE = 5;
const LATIN1 = 6;
const UTF16 = 7;

const HEAD = 4;
// Strings longer than this try encodeInto first (writeString).
const LONG = 64;
const encoder = new TextEncoder();

// The encoder's state (one per thread). A getter that puts into a queue
// runs inside the walk: that inner encode finds `busy` set and is not taken
// (JSON, _codec.ts), so the outer walk's state stays its own.
let scratch = new Uint8Array(256);
let view = new DataView(scratch.buffer);
// Views of the scratch's first k bytes, by k (< VIEWS): a record of a
// length seen before costs no new view (subarray costs about 75 ns on
// Node 20, more than the int32 writes of a small record).
const VIEWS = 1024;
let views: Uint8Array[] = [];
// The shapes this thread encoded last (up to SHAPES, the oldest replaced
// first): their keys and their key lists' bytes; `last` the latest used.
// Per value index, the string the shape's last record had there (`strs`,
// strings up to KEEP units) and where its bytes lay in the scratch (`offs`,
// `ends`): see `wrote`.
interface Shape {
  readonly keys: string[];
  readonly list: Uint8Array;
  readonly strs: (string | undefined)[];
  readonly offs: number[];
  readonly ends: number[];
}
const SHAPES = 8;
const KEEP = 1024;
const shapes: Shape[] = [];
let next = 0;
let last: Shape = shape([], new Uint8Array(0));
// The shape of the record the scratch holds (written by the last encode),
// or undefined after the scratch is replaced. No one else writes the
// scratch (a caller copies the view it gets, _text.ts, _glue.ts own), so
// when the next record has this shape its head and key list are in place,
// and so are the bytes of every string equal to the one the last record
// had at the same index and offset: they are not written again (an item
// stream whose strings repeat, { type: "tick", ... }, writes only what
// changed).
let wrote: Shape | undefined;
// The values read by the walk (reused: no allocation per item).
const vals: unknown[] = [];
const keys: string[] = [];

function shape(keys: string[], list: Uint8Array): Shape {
  return { keys, list, strs: [], offs: [], ends: [] };
}

/**
 * The shape record of `value` in a scratch buffer valid until the next
 * call in this thread, or undefined when the codec does not take it (see
 * the header). Reads every property of `value` once; a getter that throws
 * throws here.
 */
export function encodeShape(value: unknown): Uint8Array | undefined {
  refused = copy = undefined;
  if (
    busy || typeof value !== "object" || value === null || Array.isArray(value)
  ) {
    return undefined;
  }
  busy = true;
  try {
    return encode(value);
  } finally {
    busy = false;
  }
}

let busy = false;

// The last item the walk refused part way, and its copy (see takeRefused).
let refused: object | undefined;
let copy: object | undefined;

/**
 * If `value` is the item the last encodeShape call of this thread refused
 * after reading its properties (a plain object with a nested value, or
 * more than 255 keys, or a key a key list cannot hold): a plain object
 * with the same own enumerable keys, in the same order, as data
 * properties holding the values that walk read, so that the JSON path
 * (_codec.ts encodeText) does not read them again: each property of the
 * item is read once, as structuredClone reads it. Else undefined. Either
 * way the copy is dropped: toRaw (_glue.ts) calls encodeText on the
 * refused item right after encodeShape, and nothing else in between.
 */
export function takeRefused(value: unknown): object | undefined {
  const c = value === refused ? copy : undefined;
  refused = copy = undefined;
  return c;
}

// Makes the copy of `value` whose walk read keys[0..n) and vals[0..n).
function refuse(value: object, n: number): undefined {
  const c = {};
  for (let i = 0; i < n; i++) {
    // defineProperty: "__proto__" and Object.prototype's keys as own data.
    Object.defineProperty(c, keys[i], {
      value: vals[i],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  // Neither the values nor the keys are kept alive: the walk of a refused
  // item may have read any number of them (a success reads at most 255).
  keys.length = vals.length = 0;
  refused = value;
  copy = c;
  return undefined;
}

/** How many slots the walk's key and value arrays hold now (for tests). */
export function walkSlots(): number {
  return keys.length + vals.length;
}

// Items whose keys keep changing ({ [id]: value }) miss the shape caches on
// both sides, and a miss costs more than JSON (a new key list and its
// allocation; the get decodes every key): measured one thread, one new key
// set an item, 0.65x JSON's speed on Deno, 0.78x on Node. They are still
// taken: which path an item takes never depends on the thread's history
// (a flat object's getter is read once, whatever came before).

function encode(value: object): Uint8Array | undefined {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  // for...in lists inherited enumerable keys too, which JSON and
  // structuredClone leave out: where Object.prototype has any, not taken.
  if (proto !== null && inheritsEnumerable()) return undefined;
  // One walk: keys and values read once; `same` while they match the last
  // shape; `size` the most bytes the values take.
  // A value the codec does not take (or a 256th key) ends the record, not
  // the walk: the rest is read into `keys` and `vals` for the copy that
  // the JSON path encodes (refuse, takeRefused).
  let n = 0, same = true, size = 0, flat = true;
  const known = last.keys;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    keys[n] = key;
    vals[n++] = v;
    if (!flat) continue;
    if (n === 256) {
      flat = false;
      continue;
    }
    if (same && known[n - 1] !== key) same = false;
    switch (typeof v) {
      case "number":
        size += 9;
        break;
      case "string":
        size += 5 + 2 * v.length;
        break;
      case "boolean":
      case "undefined":
        size += 1;
        break;
      default:
        if (v !== null) flat = false; // objects, functions, symbols, bigints
        size += 1;
    }
  }
  if (!flat) return refuse(value, n);
  if ((!same || n !== known.length) && !findShape(n) && !newShape(n)) {
    return refuse(value, n);
  }
  const sh = last, list = sh.list, l = list.length;
  const most = HEAD + l + size;
  if (scratch.length < most) {
    scratch = new Uint8Array(Math.max(most, 2 * scratch.length));
    view = new DataView(scratch.buffer);
    views = [];
    wrote = undefined;
  }
  const u8 = scratch;
  const again = wrote === sh;
  wrote = sh;
  if (!again) {
    u8[0] = MAGIC;
    u8[1] = n;
    u8[2] = l & 0xff;
    u8[3] = l >>> 8;
    if (l <= 16) { for (let k = 0; k < l; k++) u8[HEAD + k] = list[k]; }
    else u8.set(list, HEAD);
  }
  const strs = sh.strs, offs = sh.offs, ends = sh.ends;
  let at = HEAD + l;
  for (let i = 0; i < n; i++) {
    const v = vals[i];
    vals[i] = undefined; // not kept alive
    if (typeof v !== "string") offs[i] = -1; // its string's bytes overwritten
    switch (typeof v) {
      case "number":
        if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
          u8[at] = INT;
          u8[at + 1] = v;
          u8[at + 2] = v >> 8;
          u8[at + 3] = v >> 16;
          u8[at + 4] = v >> 24;
          at += 5;
        } else {
          u8[at] = DOUBLE;
          view.setFloat64(at + 1, v, true);
          at += 9;
        }
        break;
      case "string":
        // Its bytes are in place if the last record (this shape's) had
        // the same string here (see `wrote`); else written, and kept.
        if (again && offs[i] === at && strs[i] === v) {
          at = ends[i];
          break;
        }
        offs[i] = at;
        at = writeString(u8, at, v);
        strs[i] = v.length <= KEEP ? v : undefined;
        ends[i] = at;
        break;
      case "boolean":
        u8[at++] = v ? TRUE : FALSE;
        break;
      case "undefined":
        u8[at++] = UNDEF;
        break;
      default:
        u8[at++] = NULL;
    }
  }
  if (at >= VIEWS) return u8.subarray(0, at);
  return views[at] ??= u8.subarray(0, at);
}

const EMPTY = {};
const OBJECT = Object.prototype;

// Whether an object with Object.prototype inherits an enumerable key (a
// for...in of an empty object: V8's enum cache answers it in a few ns).
function inheritsEnumerable(): boolean {
  for (const _ in EMPTY) return true;
  return false;
}

// Makes the cached shape with keys[0..n), if any, the last one.
function findShape(n: number): boolean {
  for (const shape of shapes) {
    const k = shape.keys;
    if (k.length !== n) continue;
    let i = 0;
    while (i < n && k[i] === keys[i]) i++;
    if (i === n) {
      last = shape;
      return true;
    }
  }
  return false;
}

// Makes keys[0..n) the last shape (its key list's bytes), cached; false
// when a key cannot be in a key list (see the header).
function newShape(n: number): boolean {
  let l = 0;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    if (key.length > 255 || key === "__proto__") return false;
    l += 1 + key.length;
  }
  if (l > 0xffff) return false;
  const list = new Uint8Array(l);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    list[at++] = key.length;
    for (let k = 0; k < key.length; k++) {
      const c = key.charCodeAt(k);
      if (c > 0xff) return false;
      list[at++] = c;
    }
  }
  last = shape(keys.slice(0, n), list);
  shapes[next] = last;
  next = (next + 1) % SHAPES;
  return true;
}

// Writes string `s` at `at` (TAG, length, units): Latin-1 when every unit
// is below 0x100, else UTF-16. Returns the end.
// A long string is tried first as ASCII with TextEncoder.encodeInto (native:
// a 10 KB string 1.5x faster than the loop below on Node, where JSON's
// utf8Write is native too); room for len bytes takes it all only if every
// unit took one byte.
function writeString(u8: Uint8Array, at: number, s: string): number {
  const len = s.length, o = at + 5;
  u8[at + 1] = len;
  u8[at + 2] = len >> 8;
  u8[at + 3] = len >> 16;
  u8[at + 4] = len >>> 24;
  if (
    len > LONG && encoder.encodeInto(s, u8.subarray(o, o + len)).read === len
  ) {
    u8[at] = LATIN1;
    return o + len;
  }
  let or = 0, k = 0;
  for (; k + 1 < len; k += 2) {
    const c = s.charCodeAt(k), d = s.charCodeAt(k + 1);
    or |= c | d;
    u8[o + k] = c;
    u8[o + k + 1] = d;
  }
  if (k < len) {
    const c = s.charCodeAt(k);
    or |= c;
    u8[o + k] = c;
  }
  if (or < 0x100) {
    u8[at] = LATIN1;
    return o + len;
  }
  u8[at] = UTF16;
  for (k = 0; k < len; k++) {
    const c = s.charCodeAt(k);
    u8[o + 2 * k] = c;
    u8[o + 2 * k + 1] = c >> 8;
  }
  return o + 2 * len;
}

/** Whether bytes at `at` in `u8` start a shape record. */
export function isShape(u8: Uint8Array, at: number): boolean {
  return u8[at] === MAGIC;
}

// A decoder's cached key list: its bytes and keys, the template its
// objects are cloned from, and per value index the last short Latin-1
// string decoded there (reused while the bytes are equal, see SAME).
interface Known {
  readonly keys: string[];
  readonly list: Bytes;
  readonly tmpl: object;
  readonly strs: (Kept | undefined)[];
}

// A string and its Latin-1 bytes, as 32-bit words (the last one padded
// with zeros) for sameBytes.
interface Bytes {
  readonly u8: Uint8Array;
  readonly words: Int32Array;
}
interface Kept extends Bytes {
  readonly s: string;
}

function bytesOf(u8: Uint8Array, at: number, len: number): Bytes {
  const words = new Int32Array((len + 3) >> 2);
  const copy = new Uint8Array(words.buffer, 0, len);
  copy.set(u8.subarray(at, at + len));
  return { u8: copy, words };
}

// Whether the `b.u8.length` bytes at `at` in `u8` (with `view` over the
// same memory) are b's, compared a 32-bit word at a time: on Node 20 a byte
// loaded from shared memory through a Uint8Array costs about 1.7 ns (a
// 32-byte compare 56 ns by bytes, 104 ns against a string's charCodeAt),
// a DataView getInt32 about 2 ns for 4 bytes (17 ns).
function sameBytes(
  view: DataView,
  u8: Uint8Array,
  at: number,
  b: Bytes,
): boolean {
  const len = b.u8.length, w = b.words, m = len >> 2;
  for (let j = 0; j < m; j++) {
    if (view.getInt32(at + 4 * j, true) !== w[j]) return false;
  }
  for (let j = 4 * m; j < len; j++) if (u8[at + j] !== b.u8[j]) return false;
  return true;
}

// Latin-1 strings up to this length are compared with the one decoded
// last at their index, and that string is reused when equal: a compare
// costs a fraction of making the string (Buffer's latin1Slice, about 90 ns
// for 32 bytes on Node 20; sameBytes 17 ns).
const SAME = 64;

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
            const kept = strs[i];
            if (
              kept !== undefined && kept.u8.length === k &&
              sameBytes(this.#view, u8, p, kept)
            ) v = kept.s;
            else {
              const s = this.#io.latin1(p, k);
              strs[i] = { s, ...bytesOf(u8, p, k) };
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
      if (sameBytes(this.#view, u8, p, known.list)) {
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
      keys.push(key);
      q += 1 + k;
    }
    if (q !== end) throw corrupt();
    // A duplicate key (never written by a walk) is one property, set twice
    // below: the object is still plain data, with fewer keys.
    const tmpl: Record<string, unknown> = {};
    for (const key of keys) {
      // Own data properties: a key Object.prototype has (an accessor, a
      // read-only value) is defined, not assigned; never "__proto__".
      if (!(key in OBJECT)) tmpl[key] = undefined;
      else {
        Object.defineProperty(tmpl, key, {
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
    const m = Math.min(4096, len - k), codes = new Array<number>(m);
    for (let j = 0; j < m; j++) {
      const q = at + 2 * (k + j);
      codes[j] = u8[q] | (u8[q + 1] << 8);
    }
    s += String.fromCharCode.apply(null, codes);
  }
  return s;
}

function corrupt(): TypeError {
  return new TypeError(
    "Cannot decode queue item: its shape record is corrupt (was the queue's memory written outside threadkit?)",
  );
}
