// Copyright 2026 the threadkit authors. MIT license.
// The transfer registry's keys and shapes (_core/transfer.ts): which keys it
// escapes and unescapes, which objects structured clone turns into plain
// ones, and how a key is defined as own data.

import { kindOf, ORDINARY, ordinaryClonesAsPlain, PLAIN } from "./kinds.ts";
import { apply, ArrayProto, getOwn, getPrototypeOf } from "./primordials.ts";
import { B, hasOwn, ObjectProto } from "./primordials.ts";
import { defineProperty, Number_, String_, strSlice } from "./primordials.ts";
import { arrayIsArray as isArray, objectKeys as keys_ } from "./primordials.ts";

// Arrays longer than this have only their elements walked (listing the keys
// costs a string per element: 270-660 ms for 1e6, Deno 2.9.6, load 20), so
// their other keys are not sent (README: Thread args; rare).
export const SCAN_KEYS = 4096;

/** The marker key of an encoded descriptor (_core/transfer.ts). */
export const MARK = "\u0000threadkit";

export function keysOf(value: object): string[] {
  if (isArray(value) && value.length > SCAN_KEYS) return [];
  return keys_(value);
}

export function isIndex(key: string): boolean {
  // An array index is below 2 ** 32 - 1; a larger integer key is a plain
  // property (structured clone carries it as one).
  const n = Number_(key); // (n % 1 === 0: an integer, as Number.isInteger)
  return n % 1 === 0 && n >= 0 && n < 4294967295 && String_(n) === key;
}

// deno-lint-ignore no-control-regex
const MARKED = /^\u0000+threadkit/, ESCAPED = /^\u0000\u0000+threadkit/;
// RegExp.prototype.exec as at load (a test would look up the regexp's
// exec, which a program may replace).
const { reExec: exec } = B; // (_core/primordials.ts's record)
/** Keys that encode escapes: "\u0000"{n >= 1} + "threadkit" + anything. */
export function isMarked(key: string): boolean {
  return key[0] === "\u0000" && apply(exec, MARKED, [key]) !== null;
}
/** Keys that decode unescapes: "\u0000"{n >= 2} + "threadkit" + anything. */
export function isEscaped(key: string): boolean {
  return key[0] === "\u0000" && apply(exec, ESCAPED, [key]) !== null;
}

/** Whether `value`'s prototype is Object.prototype or null (one read). */
export function isPlain(value: object): boolean {
  const proto = getPrototypeOf(value);
  return (proto === ObjectProto || proto === null) && !isArray(value);
}

// Whether structured clone turns `value` (not a Proxy) into a plain object
// of its own enumerable properties: plain objects and class instances, not
// the kinds it knows by slot (Date, RegExp, ArrayBuffer, views, Error,
// boxed primitives, ...: _core/kinds.ts) nor built-in objects with a tag of
// their own (a Map iterator, ...: it refuses those).
export function clonesAsPlain(value: object): boolean {
  const kind = kindOf(value);
  return kind === PLAIN || kind === ORDINARY && ordinaryClonesAsPlain(value);
}

export function define(obj: object, key: string, value: unknown): void {
  defineProperty(obj, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/**
 * Unescapes `rec`'s keys (`keys`, its own, in order) in place: others may
 * point at it. Index loops: no map, forEach or iterator a program replaced.
 */
export function unescapeKeys(rec: Record<string, unknown>, keys: string[]) {
  const values: unknown[] = [];
  for (let i = 0; i < keys.length; i++) values[i] = rec[keys[i]];
  for (let i = 0; i < keys.length; i++) delete rec[keys[i]];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    define(rec, isEscaped(key) ? apply(strSlice, key, [1]) : key, values[i]);
  }
}

// The elements of an array, read once, into a fresh array (holes kept), at
// the cost of its own keys: a sparse array (`a[5e7] = 1`) costs its few
// keys, not its length.
//
// Why a native concat, and why it reads once and misses nothing: concat
// does, for each index below `length`, HasProperty and then one [[Get]]
// (ECMA-262 Array.prototype.concat, as slice), so a getter at an index runs
// exactly once and its value lands as a data property of the copy; a hole
// stays a hole (unless Array.prototype or Object.prototype has that index,
// which HasProperty finds: the copy then holds it, as the loop does). V8
// visits a dictionary-elements (sparse) array by its own indices (slice
// visits every index: 950 ms for length 5e7, concat 5 ms; Deno 2.9.6), and
// copies a packed one as a block keeping its elements kind (numbers stay
// unboxed; the loop cost 2-3x for 1e6 numbers, README: Thread args). Besides
// the elements it reads `length` (an array's own data property, never a
// getter), Symbol.isConcatSpreadable of the receiver `[]` and of `value`,
// and, to pick the copy's class, the receiver's `constructor` and then
// `Array[Symbol.species]`. It runs only while those reads are the realm's
// own, never the user's (checked by descriptor and prototype: no user code
// run): `value`'s prototype is this realm's Array.prototype, no
// isConcatSpreadable key on it, on Array.prototype or on Object.prototype
// (Array.prototype's prototype), Array.prototype.constructor is Array and the
// species getter the one found at load. Any other array, or a realm where one
// of those was redefined, takes the loop below, which calls no method. The
// walk then reads only the copy (data properties: no user code), and so do
// the trial clone and the post. No copy at all is not possible here: telling
// an accessor from a data element takes a property descriptor per index.
export function elementsOf(value: unknown[]): unknown[] {
  if (
    !BUN && getPrototypeOf(value) === ArrayProto &&
    !hasOwn(value, SPREADABLE) && nativeConcat()
  ) return apply(concat, [], [value]) as unknown[];
  // Appended in order (never an array of dictionary elements, which clone
  // writes slowly, unless sparse); holes stay holes.
  const out: unknown[] = [];
  const n = value.length;
  let holes = 0;
  for (let i = 0; i < n; i++) {
    const v = value[i];
    if (v !== undefined || i in value) out[i] = v;
    else if (++holes > HOLES && holes > i + 1 - holes) {
      const rest = indicesAfter(value, i);
      for (let j = 0; j < rest.length; j++) out[rest[j]] = value[rest[j]];
      break;
    }
  }
  out.length = n;
  return out;
}

/**
 * A walk over an array's indices that has met more than HOLES holes, and
 * more holes than elements, lists its own keys instead (indicesAfter): what
 * it visits then costs the array's own keys (few, for a sparse array), and
 * what it visited before at most twice them plus HOLES.
 */
export const HOLES = 1024;

/**
 * The own index keys of `arr` above `after`, ascending (own keys only);
 * `keys`: its Object.keys, if the caller has them.
 */
export function indicesAfter(
  arr: object,
  after: number,
  keys: string[] = keys_(arr), // integer keys come first, ascending
): number[] {
  const out: number[] = [];
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j];
    if (!isIndex(k)) break;
    const i = +k;
    if (i > after) out[out.length] = i;
  }
  return out;
}

// Primordials: read at load, so a program that replaces them later runs no
// code of its own in an encode.
// (_core/primordials.ts's record.)
const { Array_: ArrayCtor, arrayConcat: concat } = B;
const { isConcatSpreadable: SPREADABLE, species: SPECIES_KEY } = B;
// JSC's concat visits every index of a sparse array (34 s for length 5e7,
// Bun 1.4.4): there the loop below, which lists own keys past HOLES.
const BUN = "Bun" in globalThis;
const SPECIES = B.arraySpecies;

function nativeConcat(): boolean {
  return getOwn(ArrayProto, "constructor")?.value === ArrayCtor &&
    getOwn(ArrayCtor, SPECIES_KEY)?.get === SPECIES &&
    !hasOwn(ArrayProto, SPREADABLE) && !hasOwn(ObjectProto, SPREADABLE) &&
    getPrototypeOf(ArrayProto) === ObjectProto;
}
