// Copyright 2026 the threadkit authors. MIT license.
// The transfer registry's keys and shapes (_core/transfer.ts): which keys it
// escapes and unescapes, which objects structured clone turns into plain
// ones, and how a key is defined as own data.

// Arrays longer than this have only their elements walked (listing the keys
// costs a string per element: 270-660 ms for 1e6, Deno 2.9.6, load 20), so
// their other keys are not sent (README: Thread args; rare).
export const SCAN_KEYS = 4096;

export function keysOf(value: object): string[] {
  if (Array.isArray(value) && value.length > SCAN_KEYS) return [];
  return Object.keys(value);
}

export function isIndex(key: string): boolean {
  // An array index is below 2 ** 32 - 1; a larger integer key is a plain
  // property (structured clone carries it as one).
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < 4294967295 && String(n) === key;
}

/** Keys that encode escapes: "\u0000"{n >= 1} + "threadkit" + anything. */
// deno-lint-ignore no-control-regex
export const MARKED = /^\u0000+threadkit/;
/** Keys that decode unescapes: "\u0000"{n >= 2} + "threadkit" + anything. */
// deno-lint-ignore no-control-regex
export const ESCAPED = /^\u0000\u0000+threadkit/;

export function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Whether structured clone turns `value` into a plain object of its own
// enumerable properties: plain objects and class instances, not the kinds it
// knows (Date, RegExp, ArrayBuffer, views, Error, boxed primitives, ...).
export function clonesAsPlain(value: object): boolean {
  return isPlain(value) ||
    Object.prototype.toString.call(value) === "[object Object]";
}

export function define(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

// The elements of an array, read once, into a fresh array (holes kept).
//
// Why a native slice, and why it reads once and misses nothing: slice does,
// for each index below `length`, HasProperty and then one [[Get]] (ECMA-262
// Array.prototype.slice), so a getter at an index runs exactly once and its
// value lands as a data property of the copy; a hole stays a hole (unless
// Array.prototype or Object.prototype has that index, which HasProperty
// finds: the copy then holds it, as the loop did). Besides the elements it
// reads `length` (an array's own data property, never a getter) and, to pick
// the copy's class, `constructor` and then `Array[Symbol.species]`: only for
// an array whose prototype is this realm's Array.prototype and which has no
// own "constructor" key, while Array.prototype.constructor is Array and the
// species getter the one found at load (descriptors: no user code run), so
// those reads are the realm's own, never the user's (any other array, or a
// realm whose Array was redefined, takes the loop below). The walk then reads only the copy
// (data properties: no user code), and so do the trial clone and the post.
// No copy at all is not possible here: telling an accessor from a data
// element takes a property descriptor per index (dearer than the copy).
// For a packed array the slice is a block copy that keeps the elements kind
// (numbers stay unboxed), which the clones after it read fast; the loop it
// replaced cost 2-3x for 1e6 numbers (README: Thread args).
export function elementsOf(value: unknown[]): unknown[] {
  if (
    Object.getPrototypeOf(value) === Array.prototype &&
    !Object.hasOwn(value, "constructor") && nativeSpecies()
  ) return slice.call(value);
  // Appended in order (never an array of dictionary elements, which clone
  // writes slowly); holes stay holes.
  const out: unknown[] = [];
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const v = value[i];
    if (v !== undefined || i in value) out[i] = v;
  }
  out.length = n;
  return out;
}
const slice = Array.prototype.slice;
const SPECIES = Object.getOwnPropertyDescriptor(Array, Symbol.species)?.get;

function nativeSpecies(): boolean {
  return Object.getOwnPropertyDescriptor(Array.prototype, "constructor")
        ?.value === Array &&
    Object.getOwnPropertyDescriptor(Array, Symbol.species)?.get === SPECIES;
}
