// Copyright 2026 the threadkit authors. MIT license.
// The shape codec: the structured FIFO ring's (_text.ts) binary form for
// the common item, a plain object whose values are primitives
// ({ id: 7, name: "x", ok: true }), written without JSON text. The put
// walks the object once (reading each property once, as structuredClone
// does) and writes its key list and its values as bytes; the get
// (_shape_decode.ts) compares the key list's bytes with the last lists it
// decoded (a per-handle shape cache: equal bytes reuse the same key strings
// and template object) and builds the object in one pass. Anything else (top-level primitives, arrays, nested objects,
// other prototypes, a "__proto__" key, more than 255 keys or a key of 256
// or more units or with a unit above 0xff) is not taken: the caller falls
// back to JSON (_codec.ts). Where the walk read the object's properties
// before it refused it, JSON encodes a copy holding the values it read
// (takeRefused), so the item's own properties are read once on every path
// (nested objects' are read by the JSON path's two walks, as before).
//
// Record (bytes, little-endian), stored as KIND CODEC in a ring without a
// custom codec (the KIND tells the ring to call ShapeDecoder.decode):
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
// structuredClone. The decoder trusts nothing in the bytes, and creates
// every key as an own data property (_shape_decode.ts). The put does not take an
// object while Object.prototype has an enumerable key (for...in would list
// it as the object's), nor a record larger than the ring's region (_glue.ts
// puts the JSON text, which may be smaller: a float64 takes 9 bytes).

import { isProxy } from "../_core/host.ts";
import { arrayIsArray, codeAt, methodCodes } from "../_core/primordials.ts";
import { defineProperty, getPrototypeOf } from "../_core/primordials.ts";
import { ObjectProto, sub } from "../_core/primordials.ts";
import { isArguments, ORDINARY, slotKind } from "../_core/kinds.ts";
import { viewOrTagged } from "../_core/kinds.ts";

export const MAGIC = 0x53;
export const UNDEF = 0;
export const NULL = 1;
export const FALSE = 2;
export const TRUE = 3;
export const INT = 4;
export const DOUBLE = 5;
export const LATIN1 = 6;
export const UTF16 = 7;

/** Bytes before a record's key list (MAGIC, n, L). */
export const HEAD = 4;
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
/** Shapes each side caches. */
export const SHAPES = 8;
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
 * the header) or its record might not be shorter than `room` bytes (then,
 * as for a refused item, takeRefused has what the walk read). Reads every
 * property of `value` once; a getter that throws throws here.
 */
export function encodeShape(
  value: unknown,
  room = Infinity,
): Uint8Array | undefined {
  refused = copy = undefined;
  if (
    busy || typeof value !== "object" || value === null || arrayIsArray(value)
  ) {
    return undefined;
  }
  busy = true;
  try {
    return encode(value, room);
  } catch (error) {
    keys.length = vals.length = 0; // a getter threw: keep nothing it read
    throw error;
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
 * more than 255 keys, a key a key list cannot hold, or a record that
 * might not fit the ring): a plain object
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
    defineProperty(c, keys[i], {
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

function encode(value: object, room: number): Uint8Array | undefined {
  if (isProxy(value)) return undefined; // refused by the JSON path's tag
  const proto = getPrototypeOf(value);
  if (proto !== ObjectProto && proto !== null) return undefined;
  // A Date (...) given a plain prototype is still one (_core/kinds.ts):
  // a view or a tagged kind here, the rest at the first key (the listing
  // below) or after the loop (none).
  if (viewOrTagged(value) !== ORDINARY) return undefined;
  if (proto !== null && isArguments(value)) return undefined; // (refused)
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
    // (own keys only here: a String box or arguments lists "0" first)
    if (n === 0 && key === "0" && slotKind(value, key) !== ORDINARY) {
      return undefined;
    }
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
  if (n === 0 && slotKind(value) !== ORDINARY) return undefined; // no keys
  if (!flat) return refuse(value, n);
  if ((!same || n !== known.length) && !findShape(n) && !newShape(n)) {
    return refuse(value, n);
  }
  const sh = last, list = sh.list, l = list.length;
  const most = HEAD + l + size;
  // Too long for the ring, perhaps (most is a bound): the JSON path, with
  // the values read here (its text may fit: smaller numbers, no headers).
  if (most >= room) return refuse(value, n);
  if (scratch.length < most) {
    scratch = new Uint8Array(
      most > 2 * scratch.length ? most : 2 * scratch.length,
    );
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
  if (at >= VIEWS) return sub(u8, 0, at);
  return views[at] ??= sub(u8, 0, at);
}

const EMPTY = {};

// Whether an object with Object.prototype inherits an enumerable key (a
// for...in of an empty object: V8's enum cache answers it in a few ns).
export function inheritsEnumerable(): boolean {
  for (const _ in EMPTY) return true;
  return false;
}

// Makes the cached shape with keys[0..n), if any, the last one.
function findShape(n: number): boolean {
  for (let s = 0; s < shapes.length; s++) { // (no iterator a program replaced)
    const shape = shapes[s], k = shape.keys;
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
  const list = new Uint8Array(l), m = methodCodes(); // (_core/primordials_text.ts)
  let at = 0;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    list[at++] = key.length;
    for (let k = 0; k < key.length; k++) {
      const c = m ? key.charCodeAt(k) : codeAt(key, k);
      if (c > 0xff) return false;
      list[at++] = c;
    }
  }
  // An index loop, not slice (a program's species is not read).
  const own: string[] = [];
  for (let i = 0; i < n; i++) own[i] = keys[i];
  last = shape(own, list);
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
    len > LONG && encoder.encodeInto(s, sub(u8, o, o + len)).read === len
  ) {
    u8[at] = LATIN1;
    return o + len;
  }
  // charCodeAt as at load: codeAt, or the method where methodCodes()
  // says it is that one (_core/primordials_text.ts).
  const m = methodCodes();
  let or = 0, k = 0;
  for (; k + 1 < len; k += 2) {
    const c = m ? s.charCodeAt(k) : codeAt(s, k),
      d = m ? s.charCodeAt(k + 1) : codeAt(s, k + 1);
    or |= c | d;
    u8[o + k] = c;
    u8[o + k + 1] = d;
  }
  if (k < len) {
    const c = m ? s.charCodeAt(k) : codeAt(s, k);
    or |= c;
    u8[o + k] = c;
  }
  if (or < 0x100) {
    u8[at] = LATIN1;
    return o + len;
  }
  u8[at] = UTF16;
  for (k = 0; k < len; k++) {
    const c = m ? s.charCodeAt(k) : codeAt(s, k);
    u8[o + 2 * k] = c;
    u8[o + 2 * k + 1] = c >> 8;
  }
  return o + 2 * len;
}

/** Whether bytes at `at` in `u8` start a shape record. */
export function isShape(u8: Uint8Array, at: number): boolean {
  return u8[at] === MAGIC;
}
