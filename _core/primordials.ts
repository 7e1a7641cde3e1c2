// Copyright 2026 the threadkit authors. MIT license.
// Built-ins the encoders and decoders call, read once at load: a program
// that then replaces Map.prototype.forEach, the iterators, charCodeAt, the
// String or Number global or Function.prototype.call runs no code of its
// own in an encode or a decode (nor does structured clone, the reference).
// A Map or a Set is read as a snapshot of its entries before any is copied:
// a getter in an entry that adds entries does not make the walk longer.
//
// "At load" is the realm's first read of them (loadTimeBuiltins,
// _core/primordials_record.ts): in a thread, as its worker entry loads,
// before any code of the thread's own, however late these modules load;
// elsewhere this module's.

import { isProxy, utilTypes } from "./host.ts";
import { isNamespace } from "./namespace.ts";
import { textReads } from "./primordials_text.ts";
import { B, type Builtins, loadTimeBuiltins } from "./primordials_record.ts";

export { B, type Builtins, loadTimeBuiltins };

// Load-time copies the other modules import from here (one set).
export const { apply, getPrototypeOf, hasOwn, getOwn, ArrayProto } = B;
/** JSON.stringify, Object.keys and Array.isArray as at load. */
export const { jsonStringify, objectKeys, arrayIsArray, TypeError_ } = B;
// The codecs' string, number and object built-ins (String_(v) is String(v)
// with the String of load time; charCodeAt: _core/primordials_text.ts).
export const { String_, Number_, BigInt_, Object_ } = B; // (Object(v) boxes v)
export const { codeAt, methodCodes } = textReads(B);
export const { strSlice, fromCharCode, defineProperty, create, ownNames } = B;

// What a value is comes from its internal slots, as structured clone reads
// them, never from its prototype chain or its Symbol.toStringTag (a getter
// structured clone never runs): a Date whose prototype was changed is still
// a Date; Object.create(Map.prototype) is a plain object. node:util's types
// (_core/host.ts utilTypes) where the host has them; else a built-in that
// checks the slot, applied in try/catch (it throws for any other object,
// and runs no user code for this one).
// Where the host has none, the built-in runs only for a value whose chain
// holds the kind's prototype (a throw per other object would cost more than
// the copy): a value made as one kind and given another prototype is
// then read as its new prototype says.
const brand =
  (f: (this: never) => unknown, proto: object | undefined) =>
  (v: object): boolean => {
    if (proto === undefined || !inherits(v, proto)) return false;
    try {
      apply(f, v, []);
      return true;
    } catch {
      return false;
    }
  };
const MAP_SIZE = brand(B.mapSize, B.MapProto);
const SET_SIZE = brand(B.setSize, B.SetProto);
const DATE = brand(B.dateTime, B.DateProto);
const RE = B.RegExpProto;
const RE_SOURCE = brand(B.reSource, RE); // (true for RE itself)
const AB_LENGTH = brand(B.abLength, B.ABProto);
const SAB = B.SABProto;
const SAB_LENGTH = SAB === undefined ? () => false : brand(B.sabLength!, SAB);

/** Whether `value` is a Map (its slots: whatever its prototype). */
export function isMap(value: object): value is Map<unknown, unknown> {
  const t = utilTypes();
  return t !== undefined ? t.isMap(value) : MAP_SIZE(value);
}

/** As {@linkcode isMap}, for Set. */
export function isSet(value: object): value is Set<unknown> {
  const t = utilTypes();
  return t !== undefined ? t.isSet(value) : SET_SIZE(value);
}

/** Whether `value` is a Date (its slots). */
export function isDate(value: object): value is Date {
  const t = utilTypes();
  return t !== undefined ? t.isDate(value) : DATE(value);
}

/** Whether `value` is a RegExp (its slots). */
export function isRegExp(value: object): value is RegExp {
  const t = utilTypes();
  return t !== undefined ? t.isRegExp(value) : value !== RE && RE_SOURCE(value);
}

/** Whether `value` is an ArrayBuffer, not a SharedArrayBuffer (its slots). */
export function isArrayBuffer(value: object): value is ArrayBuffer {
  const t = utilTypes();
  return t !== undefined ? t.isArrayBuffer(value) : AB_LENGTH(value);
}

/** Whether `value` is a SharedArrayBuffer (its slots). */
export function isSharedArrayBuffer(value: object): value is SharedArrayBuffer {
  const t = utilTypes();
  return t !== undefined ? t.isSharedArrayBuffer(value) : SAB_LENGTH(value);
}

export const { ErrorProto } = B;
const isError_ = B.isError;
/**
 * Whether `value` is an Error (its [[ErrorData]] slot; where the host can
 * tell none, by prototype chain).
 */
export function isError(value: object): value is Error {
  const t = utilTypes();
  if (t !== undefined) return t.isNativeError(value);
  return isError_ !== undefined ? isError_(value) : inherits(value, ErrorProto);
}

/**
 * Whether `value` has an internal slot structured clone reads (a Date, a
 * Map, a view, a box, ...) or refuses it for (a Promise, a WeakMap, a
 * generator, arguments, ...), whatever its prototype. Where the host has
 * no slot tests (browsers): by prototype chain, each kind confirmed by its
 * built-in.
 */
export function hasSlots(value: object): boolean {
  if (B.isView(value)) return true;
  const t = utilTypes();
  if (t === undefined) {
    return isMap(value) || isSet(value) || isDate(value) ||
      isRegExp(value) || isArrayBuffer(value) || isSharedArrayBuffer(value) ||
      isError(value) || boxedValue(value, NONE) !== NONE ||
      refusedKind(value) !== undefined;
  }
  return t.isMap(value) || t.isSet(value) || t.isDate(value) ||
    t.isRegExp(value) || t.isBoxedPrimitive(value) ||
    t.isAnyArrayBuffer(value) || t.isNativeError(value) ||
    t.isPromise(value) || t.isWeakMap(value) || t.isWeakSet(value) ||
    t.isGeneratorObject(value) || t.isArgumentsObject(value);
}
const NONE = {}; // (an object: no box holds one; no Symbol() a program replaced)

export const { ObjectProto } = B;
const NO_ARGS: [] = [];

// Kinds structured clone refuses, each with the slot test that tells one
// (a built-in applied in try/catch, or node:util's) and its prototype:
// where the host has no slot test, a value whose chain holds that
// prototype is checked with the built-in (WeakRef and FinalizationRegistry
// everywhere: node:util has no test for them).
const WEAK_MAP_HAS = B.weakMapHas, WEAK_SET_HAS = B.weakSetHas;
const KEY = {};
const REFUSED: readonly [
  string,
  object | undefined,
  ((v: object) => boolean) | undefined,
  // (isNamespace's test, optional, is not in this table)
  | Exclude<
    keyof NonNullable<ReturnType<typeof utilTypes>>,
    "isModuleNamespaceObject"
  >
  | undefined,
][] = [
  ["a Promise", B.PromiseProto, undefined, "isPromise"],
  [
    "a WeakMap",
    B.WeakMapProto,
    (v) => brandWith(WEAK_MAP_HAS, v),
    "isWeakMap",
  ],
  [
    "a WeakSet",
    B.WeakSetProto,
    (v) => brandWith(WEAK_SET_HAS, v),
    "isWeakSet",
  ],
  [
    "a WeakRef",
    B.WeakRefProto,
    B.WeakRefProto && brand(B.weakRefDeref!, B.WeakRefProto),
    undefined,
  ],
  [
    "a FinalizationRegistry",
    B.FRProto,
    B.FRProto && ((v) => brandWith(B.frUnregister!, v)),
    undefined,
  ],
  [
    "a generator",
    B.GenProto,
    undefined,
    "isGeneratorObject",
  ],
  [
    "an async generator",
    B.AsyncGenProto,
    undefined,
    "isGeneratorObject",
  ],
  ["a Symbol object", B.SymbolProto, undefined, "isSymbolObject"],
  ["an arguments object", undefined, undefined, "isArgumentsObject"],
];
function brandWith(f: (this: never, k: object) => unknown, v: object) {
  try {
    apply(f, v, [KEY]);
    return true;
  } catch {
    return false;
  }
}
const ASYNC_GEN = B.AsyncGenProto;

/**
 * What `value` is if it is one of the kinds structured clone refuses (a
 * Promise, a WeakMap, ...: "a Promise"), from its slots; else undefined.
 * Runs no user code (no Symbol.toStringTag, no trap: a chain walk stops at
 * a Proxy). `ordinary`: `value` is ORDINARY (_core/kinds.ts), so only the
 * kinds without a slot test there are looked for.
 */
export function refusedKind(
  value: object,
  ordinary = false,
): string | undefined {
  if (isNamespace(value)) return "a module namespace object";
  const t = utilTypes();
  for (let i = 0; i < REFUSED.length; i++) {
    // Index reads: a destructuring would call the array iterator.
    const r = REFUSED[i], what = r[0], proto = r[1], test = r[2], name = r[3];
    if (name !== undefined && t !== undefined) {
      if (ordinary) continue; // (_core/kinds.ts ORDINARY: tested there)
      if (!t[name](value)) continue;
      // isGeneratorObject: async ones too (their chain says which).
      if (name === "isGeneratorObject") {
        return inherits(value, ASYNC_GEN)
          ? "an async generator"
          : "a generator";
      }
      return what;
    }
    if (proto === undefined) continue;
    if (!(ordinary ? chainHolds(value, proto) : inherits(value, proto))) {
      continue;
    }
    if (test === undefined || test(value)) return what;
  }
  return undefined;
}

/**
 * Whether `proto` is in the chain of `value` (instanceof without a
 * Symbol.hasInstance a program defined). The walk stops at a Proxy (its
 * getPrototypeOf trap is not run): false past one.
 */
export function inherits(value: object, proto: object): boolean {
  for (let p = getPrototypeOf(value); p !== null; p = getPrototypeOf(p)) {
    if (p === proto) return true;
    if (p !== ObjectProto && isProxy(p)) return false; // (never a Proxy)
  }
  return false;
}

/**
 * Whether `proto` is in the chain of `value`, whose chain holds no Proxy
 * (_core/kinds.ts ORDINARY: no isProxy per link).
 */
export function chainHolds(value: object, proto: object): boolean {
  for (let p = getPrototypeOf(value); p !== null; p = getPrototypeOf(p)) {
    if (p === proto) return true;
  }
  return false;
}

/** Whether `value`'s prototype chain holds a Proxy (whose traps must not run). */
export function proxyInChain(value: object): boolean {
  for (let p = getPrototypeOf(value); p !== null; p = getPrototypeOf(p)) {
    if (p !== ObjectProto && isProxy(p)) return true; // (never a Proxy)
  }
  return false;
}

const { mapSet: mapSet_, setAdd: setAdd_ } = B;
const { mapClear: mapClear_, setClear: setClear_, mapGet: mapGet_ } = B;
/** Map.prototype.set as it was at load. */
export const mapSet = (m: Map<unknown, unknown>, k: unknown, v: unknown) =>
  void apply(mapSet_, m, [k, v]);
/** Set.prototype.add as it was at load. */
export const setAdd = (s: Set<unknown>, v: unknown) =>
  void apply(setAdd_, s, [v]);
/** Map.prototype.get as it was at load. */
export const mapGet = <K, V>(m: Map<K, V>, k: K): V | undefined =>
  apply(mapGet_, m, [k]);
/** Map.prototype.clear and Set.prototype.clear as they were at load. */
export const mapClear = (m: Map<unknown, unknown>) =>
  void apply(mapClear_, m, []);
export const setClear = (s: Set<unknown>) => void apply(setClear_, s, []);

// The walks' bookkeeping Maps and Sets (seen, ids, copies): a Map or Set
// whose prototype holds Map.prototype's or Set.prototype's methods as
// they were at load, an object no program can reach, so a `seen.get`
// never runs a method a program replaced. (No class: the worker bundle
// may define none, scripts/bundle_entry.ts.)
const methods = (size: () => unknown, ...kv: unknown[]) => {
  const o = B.create(null); // (kv: name, method, ...; index reads)
  for (let i = 0; i < kv.length; i += 2) o[kv[i] as string] = kv[i + 1];
  B.defineProperty(o, "size", { get: size });
  return B.freeze(o) as object;
};
const { mapHas, mapDelete, setHas, setDelete } = B;
const WALK_MAP = methods(
  B.mapSize,
  "get",
  mapGet_,
  "set",
  mapSet_,
  "has",
  mapHas,
  "delete",
  mapDelete,
);
const WALK_SET = methods(
  B.setSize,
  "add",
  setAdd_,
  "has",
  setHas,
  "delete",
  setDelete,
);
// They are made by constructing Map or Set with a new.target whose
// prototype is that object (what a subclass's constructor does), not by a
// prototype change after: setPrototypeOf on each new Map cost a small
// nested Queue put + get 4-8% (bench/item_ab.ts against the tree before,
// at load 1), and keeping one emptied Map for the next walk instead cost
// 27-41% (a clear reallocates the table). construct is read at load.
const { construct } = B;
const NEW_TARGET_ARGS: [] = [];
// The constructors as at load: a module's `Map` is read from the global
// object at each use, and a program may have replaced globalThis.Map.
const { Map_, Set_ } = B;
/** A new Map (Map.prototype's), by the constructor as it was at load. */
export const newMap = <K, V>(): Map<K, V> => new Map_<K, V>();
/** A new Set (Set.prototype's), by the constructor as it was at load. */
export const newSet = <T>(): Set<T> => new Set_<T>();
const WalkMap = function () {} as unknown as new () => object;
WalkMap.prototype = WALK_MAP;
const WalkSet = function () {} as unknown as new () => object;
WalkSet.prototype = WALK_SET;
/** A new Map for a walk's own bookkeeping (its methods as at load). */
export const walkMap = <K, V>(): Map<K, V> =>
  construct(Map_, NEW_TARGET_ARGS, WalkMap) as Map<K, V>;
/** As {@linkcode walkMap}, a Set. */
export const walkSet = <T>(): Set<T> =>
  construct(Set_, NEW_TARGET_ARGS, WalkSet) as Set<T>;

/** `value instanceof C`, without a Symbol.hasInstance a program defined. */
export function isA<T>(
  value: object,
  C: abstract new (...a: never) => T,
): value is T & object {
  // A class's prototype property is its own, non-writable: a plain read.
  return inherits(value, C.prototype as object);
}

// Boxed primitives: each class's valueOf reads the box's internal value
// (and throws for any other object: the brand check where the host has no
// slot test).
const BOXES = B.boxes;
/**
 * The primitive in a box (new Number(1), Object(1n), ...), or `none` if
 * `obj` is none (its slots, whatever its prototype; a Symbol box is
 * refused by {@linkcode refusedKind}).
 */
export function boxedValue(obj: object, none: unknown): unknown {
  const t = utilTypes();
  if (t !== undefined && !t.isBoxedPrimitive(obj)) return none;
  for (let i = 0; i < BOXES.length; i++) {
    if (t === undefined && !inherits(obj, BOXES[i][0])) continue;
    try {
      return apply(BOXES[i][1], obj, []);
    } catch {
      // not this kind of box
    }
  }
  return none;
}

/** %TypedArray%.prototype, read at load. */
export const { TA } = B;
const { taBuffer: TA_BUFFER, taOffset: TA_OFFSET, taLength: TA_LENGTH } = B;

export const { U8 } = B; // (new U8(view): a copy, no species)
/**
 * `u8.subarray(from, to)` for a view threadkit made (a scratch buffer, an
 * item's bytes), without subarray's species lookup: a
 * Uint8Array.prototype.constructor or Symbol.species a program replaced
 * is not read (the buffer, offset and length from the slots' getters).
 */
export function sub(u8: Uint8Array, from: number, to?: number): Uint8Array {
  const end = to ?? apply(TA_LENGTH, u8, NO_ARGS) as number;
  return new U8(
    apply(TA_BUFFER, u8, NO_ARGS) as ArrayBuffer,
    (apply(TA_OFFSET, u8, NO_ARGS) as number) + from,
    end - from,
  );
}
