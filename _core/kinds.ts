// Copyright 2026 the threadkit authors. MIT license.
// What an object is, worked out once per object by the encoders
// (_core/transfer.ts copy, queue/_tagged.ts tag) from one walk of its
// prototype chain and its internal slots, as structured clone decides it:
// never from Symbol.toStringTag through a getter, no Proxy trap run.
//
// The order is the cost order for ordinary items. Structured clone itself
// reads one thing for every object (V8's and JSC's instance type: the
// slots it was made with). A program cannot read that in one call; what
// this file reads for an object whose chain holds no Proxy:
// 1. ArrayBuffer.isView (a view's slot; the JIT inlines it);
// 2. `Symbol.toStringTag in value` (no Proxy in the chain: no code runs).
//    Every built-in prototype with slots of its own kind has one (Map, Set,
//    ArrayBuffer, Promise, WeakMap, a generator's, ...), so a value that
//    inherits from one is told by the slot tests below, in the order of
//    how common the kind is;
// 3. an object whose first own enumerable key is not the index "0" is
//    then ordinary: a plain object, a class instance (a kind made as one,
//    given a prototype without a tag, a class's or a plain one, and then
//    given keys of its own, is not told: README, Threads). Where the chain
//    passes Date.prototype, Error.prototype, RegExp.prototype or a box's
//    (a subclass's too), or is not rooted in this realm's Object.prototype
//    (another realm's Error), step 4 comes first: an Error with a `code`
//    of its own is an Error;
// 4. otherwise Object.prototype.toString's built-in tag (no
//    Symbol.toStringTag anywhere in the chain: no code runs), which is
//    from the slots: an arguments object or a String box (whose first key
//    is "0"), an array, an Error, a Boolean or Number box, a Date, a RegExp;
// 5. an object with no own enumerable key: node:util's slot tests for the
//    kinds left (a Map, a Set, an ArrayBuffer, a BigInt or Symbol box, a
//    Promise, a WeakMap, a WeakSet, a generator).
// With a Proxy in the chain, only the slot tests (nothing is read through
// the chain). Nothing here is cached between calls: a program can change
// any prototype between two encodes.

import { isProxy, utilTypes } from "./host.ts";
import { isNamespace } from "./namespace.ts";
import {
  apply,
  arrayIsArray as isArray,
  ArrayProto,
  B,
  boxedValue,
  getOwn,
  getPrototypeOf,
  hasOwn,
  hasSlots,
  isArrayBuffer,
  isDate,
  isError,
  isMap,
  isRegExp,
  isSet,
  isSharedArrayBuffer,
  ObjectProto,
  refusedKind,
  TA as TypedProto,
} from "./primordials.ts";

/** Its own enumerable properties: Object.prototype or null is its prototype. */
export const PLAIN = 0;
/** No slots, no Proxy in its chain: a class instance, a platform object. */
export const ORDINARY = 1;
/** The kinds by slot (an array: Array.isArray). */
export const ARRAY = 2, VIEW = 3, MAP = 4, SET = 5, DATE = 6, REGEXP = 7;
export const ERROR = 8, BOX = 9, AB = 10, SAB = 11;
/** A kind structured clone refuses (a Promise, a WeakMap, arguments, ...). */
export const REFUSED = 12;
/** Added to a kind when a Proxy is in the chain (nothing read there). */
export const PROXIED = 16;

/**
 * The kind of `value` (not itself a Proxy: callers refuse those first):
 * PLAIN, ORDINARY, a kind (ARRAY ... REFUSED), or a kind + PROXIED.
 */
export function kindOf(value: object): number {
  const proto = getPrototypeOf(value);
  if (proto === ObjectProto || proto === null) {
    if (isArray(value)) return ARRAY;
    const k = slotKind(value);
    if (k !== ORDINARY) return k;
    // An arguments object's own prototype (a key of its own first).
    return proto === ObjectProto && isArguments(value) ? REFUSED : PLAIN;
  }
  // One walk: Object.prototype is never a Proxy (its prototype is fixed).
  let p: object | null = proto, builtinTagged = false;
  for (; p !== ObjectProto && p !== null; p = getPrototypeOf(p)) {
    // This realm's built-in prototypes are never Proxies (no isProxy).
    const known = p === ArrayProto || p === MapProto || p === SetProto ||
      p === DateProto || p === ErrorProto || p === TypedProto ||
      p === Uint8Proto || p === PromiseProto || p === ABProto;
    if (!known && isProxy(p)) {
      if (isArray(value)) return ARRAY + PROXIED;
      const k = bySlots(value);
      // No slots: its own properties, as structured clone (no trap run).
      return k === ORDINARY ? PLAIN : k + PROXIED;
    }
    builtinTagged ||= p === DateProto || p === ErrorProto ||
      p === RegExpProto || p === NumberProto || p === StringProto ||
      p === BooleanProto;
  }
  // A Date's, an Error's, ... chain (a subclass's too), or one that is not
  // this realm's (another realm's Error): the built-in tag before the keys
  // (an Error with a `code` of its own is still one).
  return isArray(value)
    ? ARRAY
    : slotKind(value, undefined, builtinTagged || p === null);
}
// The prototypes as at load (_core/primordials.ts's record: a program that
// replaces globalThis.Map, say, changes no kind).
const { MapProto, SetProto, PromiseProto, ABProto, DateProto } = B;
const { ErrorProto, RegExpProto, NumberProto, StringProto, BooleanProto } = B;
const Uint8Proto = B.U8.prototype; // (non-writable: a plain read)

/**
 * The kind of `value`, whose chain holds no Proxy (steps 1-5 above):
 * ORDINARY for none. `first`: its first own enumerable key, where the
 * caller has listed them (no second listing here).
 */
export function slotKind(
  value: object,
  first?: string,
  thorough = false,
): number {
  if (isView(value)) return VIEW;
  if (TAG in value) return bySlots(value);
  // An own key first that is no index "0" (a String box's, arguments'):
  // ordinary (step 3); `thorough`: after the built-in tag (step 4).
  if (!thorough) {
    first ??= firstOwn(value);
    if (first !== undefined && first !== "0") return ORDINARY;
  }
  switch (apply(objectToString, value, NO_ARGS)) {
    case "[object Object]":
      break;
    case "[object Date]":
      return DATE;
    case "[object RegExp]":
      return REGEXP;
    case "[object Error]":
      return ERROR;
    case "[object Array]":
      return ARRAY;
    case "[object Arguments]":
      return REFUSED;
    default: // Boolean, Number, String
      return BOX;
  }
  if ((first ??= firstOwn(value)) !== undefined) return ORDINARY;
  const t = utilTypes();
  if (t === undefined) return ORDINARY; // (no test here: README, Threads)
  if (t.isMap(value)) return MAP;
  if (t.isSet(value)) return SET;
  if (t.isAnyArrayBuffer(value)) return t.isArrayBuffer(value) ? AB : SAB;
  if (t.isBoxedPrimitive(value)) return t.isSymbolObject(value) ? REFUSED : BOX;
  return t.isPromise(value) || t.isWeakMap(value) || t.isWeakSet(value) ||
      t.isGeneratorObject(value)
    ? REFUSED
    : ORDINARY;
}

/**
 * Whether `value` (whose prototype is Object.prototype: its own, not
 * reparented) is an arguments object, which slotKind's first-key rule
 * would take as ordinary when its first own key is not "0".
 */
export function isArguments(value: object): boolean {
  const t = utilTypes();
  return t !== undefined ? t.isArgumentsObject(value) : !(TAG in value) &&
    apply(objectToString, value, NO_ARGS) === "[object Arguments]";
}

// Its first own enumerable key, or undefined: own keys come first in a
// for-in (no Proxy in the chain: no code runs).
function firstOwn(value: object): string | undefined {
  for (const k in value) return hasOwn(value, k) ? k : undefined;
  return undefined;
}

/**
 * Steps 1 and 2 alone, for a caller that lists the keys itself and then
 * calls {@linkcode slotKind} with the first (or none: no keys): ORDINARY
 * where the rest is to be told by that call.
 */
export function viewOrTagged(value: object): number {
  return isView(value) ? VIEW : TAG in value ? bySlots(value) : ORDINARY;
}

/** The kind of `value` by its slots alone, the commonest first. */
function bySlots(value: object): number {
  if (isView(value)) return VIEW;
  const t = utilTypes();
  if (t === undefined) {
    // Where the host has no slot tests (browsers): each kind whose
    // prototype is in the chain, confirmed by its built-in.
    if (!hasSlots(value)) return ORDINARY;
    return isMap(value)
      ? MAP
      : isSet(value)
      ? SET
      : isDate(value)
      ? DATE
      : isRegExp(value)
      ? REGEXP
      : isArrayBuffer(value)
      ? AB
      : isSharedArrayBuffer(value)
      ? SAB
      : isError(value)
      ? ERROR
      : refusedKind(value) !== undefined
      ? REFUSED
      : boxedValue(value, NONE) !== NONE
      ? BOX
      : ORDINARY;
  }
  if (t.isMap(value)) return MAP;
  if (t.isSet(value)) return SET;
  if (t.isDate(value)) return DATE;
  if (t.isAnyArrayBuffer(value)) return t.isArrayBuffer(value) ? AB : SAB;
  if (t.isRegExp(value)) return REGEXP;
  if (t.isNativeError(value)) return ERROR;
  if (t.isBoxedPrimitive(value)) return t.isSymbolObject(value) ? REFUSED : BOX;
  return t.isPromise(value) || t.isWeakMap(value) || t.isWeakSet(value) ||
      t.isGeneratorObject(value) || t.isArgumentsObject(value) ||
      isNamespace(value) // (its Symbol.toStringTag brought it here)
    ? REFUSED
    : ORDINARY;
}
const NONE = {}; // (an object: no box holds one; no Symbol() a program replaced)

/**
 * Whether structured clone turns ORDINARY `value` into a plain object of
 * its own enumerable properties: unless a prototype in its chain has a
 * Symbol.toStringTag of its own as data other than "Object" (a built-in
 * object without slots it reads, a Map iterator, ...: refused). Read by
 * descriptor: a getter, a program's, is not run (an object with one is
 * plain).
 */
export function ordinaryClonesAsPlain(value: object): boolean {
  if (!(TAG in value)) return true; // (no Proxy in the chain: no code runs)
  for (let o: object | null = value; o !== null; o = getPrototypeOf(o)) {
    const d = getOwn(o, TAG);
    if (d !== undefined) return !hasOwn(d, "value") || d.value === "Object";
  }
  return true;
}

// Primordials: read at load, so a program that replaces them later runs no
// code of its own here.
const { isView } = B;
const { objectToString, toStringTag: TAG } = B;
const NO_ARGS: [] = [];
