// Copyright 2026 the threadkit authors. MIT license.
// Built-ins the encoders and decoders call, read once at load: a program
// that then replaces Map.prototype.forEach, the iterators, charCodeAt, the
// String or Number global or Function.prototype.call runs no code of its
// own in an encode or a decode (nor does structured clone, the reference).
// A Map or a Set is read as a snapshot of its entries before any is copied:
// a getter in an entry that adds entries does not make the walk longer.

import { isProxy, utilTypes } from "./host.ts";
import { isNamespace } from "./namespace.ts";

// Load-time copies the other modules import from here (one set).
export const apply = Reflect.apply, getPrototypeOf = Object.getPrototypeOf;
export const hasOwn = Object.hasOwn, getOwn = Object.getOwnPropertyDescriptor;
export const ArrayProto = Array.prototype;
/** JSON.stringify, Object.keys and Array.isArray as at load. */
export const jsonStringify = JSON.stringify, objectKeys = Object.keys;
export const arrayIsArray = Array.isArray, TypeError_ = TypeError;
// The codecs' string, number and object built-ins (String_(v) is String(v)
// with the String of load time; charCodeAt: _core/primordials_text.ts).
export const String_ = String, Number_ = Number, BigInt_ = BigInt;
const S = String.prototype, O = Object;
export const Object_ = O; // (Object(v) boxes v)
export { codeAt, methodCodes } from "./primordials_text.ts";
export const strSlice = S.slice;
export const fromCharCode = String.fromCharCode;
export const defineProperty = O.defineProperty, create = O.create;
export const ownNames = O.getOwnPropertyNames;
const mapForEach = Map.prototype.forEach, setForEach = Set.prototype.forEach;
const getter = (o: object, k: PropertyKey) => getOwn(o, k)!.get!;

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
const MAP_SIZE = brand(getter(Map.prototype, "size"), Map.prototype);
const SET_SIZE = brand(getter(Set.prototype, "size"), Set.prototype);
const DATE = brand(Date.prototype.getTime, Date.prototype);
const RE = RegExp.prototype;
const RE_SOURCE = brand(getter(RE, "source"), RE); // (true for RE itself)
const AB = ArrayBuffer.prototype;
const AB_LENGTH = brand(getter(AB, "byteLength"), AB);
const SAB = globalThis.SharedArrayBuffer?.prototype;
const SAB_LENGTH = SAB === undefined
  ? () => false
  : brand(getter(SAB, "byteLength"), SAB);

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

export const ErrorProto = Error.prototype;
const isError_ = (Error as { isError?: (v: unknown) => boolean }).isError;
/**
 * Whether `value` is an Error (its [[ErrorData]] slot; where the host can
 * tell none, by prototype chain).
 */
export function isError(value: object): value is Error {
  const t = utilTypes();
  if (t !== undefined) return t.isNativeError(value);
  return isError_ !== undefined ? isError_(value) : inherits(value, ErrorProto);
}

const TA_NAME_ = getter(
  getPrototypeOf(Int8Array.prototype),
  Symbol.toStringTag,
);
/** Whether `value` is a DataView (a view that no typed array is). */
export function isDataView(value: object): value is DataView {
  return isView(value) && apply(TA_NAME_, value, NO_ARGS) === undefined;
}

/**
 * Whether `value` has an internal slot structured clone reads (a Date, a
 * Map, a view, a box, ...) or refuses it for (a Promise, a WeakMap, a
 * generator, arguments, ...), whatever its prototype. Where the host has
 * no slot tests (browsers): by prototype chain, each kind confirmed by its
 * built-in.
 */
export function hasSlots(value: object): boolean {
  if (isView(value)) return true;
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
const NONE = Symbol();

export const ObjectProto = Object.prototype;
const NO_ARGS: [] = [];

// Kinds structured clone refuses, each with the slot test that tells one
// (a built-in applied in try/catch, or node:util's) and its prototype:
// where the host has no slot test, a value whose chain holds that
// prototype is checked with the built-in (WeakRef and FinalizationRegistry
// everywhere: node:util has no test for them).
const WEAK_MAP_HAS = WeakMap.prototype.has,
  WEAK_SET_HAS = WeakSet.prototype.has;
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
  ["a Promise", Promise.prototype, undefined, "isPromise"],
  [
    "a WeakMap",
    WeakMap.prototype,
    (v) => brandWith(WEAK_MAP_HAS, v),
    "isWeakMap",
  ],
  [
    "a WeakSet",
    WeakSet.prototype,
    (v) => brandWith(WEAK_SET_HAS, v),
    "isWeakSet",
  ],
  [
    "a WeakRef",
    globalThis.WeakRef?.prototype,
    globalThis.WeakRef && brand(WeakRef.prototype.deref, WeakRef.prototype),
    undefined,
  ],
  [
    "a FinalizationRegistry",
    globalThis.FinalizationRegistry?.prototype,
    globalThis.FinalizationRegistry &&
    ((v) => brandWith(FinalizationRegistry.prototype.unregister, v)),
    undefined,
  ],
  [
    "a generator",
    getPrototypeOf(function* () {}).prototype,
    undefined,
    "isGeneratorObject",
  ],
  [
    "an async generator",
    getPrototypeOf(async function* () {}).prototype,
    undefined,
    "isGeneratorObject",
  ],
  ["a Symbol object", Symbol.prototype, undefined, "isSymbolObject"],
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
const ASYNC_GEN = getPrototypeOf(async function* () {}).prototype;

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

/**
 * A Map's entries as [key0, value0, key1, value1, ...].
 * @throws {TypeError} for an object that is no Map.
 */
export function mapEntries(map: Map<unknown, unknown>): unknown[] {
  const out: unknown[] = [];
  apply(mapForEach, map, [(v: unknown, k: unknown) => {
    out[out.length] = k;
    out[out.length] = v;
  }]);
  return out;
}

/**
 * A Set's values.
 * @throws {TypeError} for an object that is no Set.
 */
export function setValues(set: Set<unknown>): unknown[] {
  const out: unknown[] = [];
  apply(setForEach, set, [(v: unknown) => {
    out[out.length] = v;
  }]);
  return out;
}

/** A Map's keys and values, or a Set's values; undefined for others. */
export function entriesOf(value: object): unknown[] | undefined {
  if (isMap(value)) return mapEntries(value);
  if (isSet(value)) return setValues(value);
  return undefined;
}

const mapSet_ = Map.prototype.set, setAdd_ = Set.prototype.add;
const mapClear_ = Map.prototype.clear, setClear_ = Set.prototype.clear;
/** Map.prototype.set as it was at load. */
export const mapSet = (m: Map<unknown, unknown>, k: unknown, v: unknown) =>
  void apply(mapSet_, m, [k, v]);
/** Set.prototype.add as it was at load. */
export const setAdd = (s: Set<unknown>, v: unknown) =>
  void apply(setAdd_, s, [v]);
const mapGet_ = Map.prototype.get;
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
const methods = (from: object, names: string[]) => {
  const o = Object.create(null);
  for (let i = 0; i < names.length; i++) {
    o[names[i]] = (from as Record<string, unknown>)[names[i]];
  }
  Object.defineProperty(o, "size", { get: getter(from, "size") });
  return Object.freeze(o) as object;
};
const WALK_MAP = methods(Map.prototype, ["get", "set", "has", "delete"]);
const WALK_SET = methods(Set.prototype, ["add", "has", "delete"]);
// They are made by constructing Map or Set with a new.target whose
// prototype is that object (what a subclass's constructor does), not by a
// prototype change after: setPrototypeOf on each new Map cost a small
// nested Queue put + get 4-8% (bench/item_ab.ts against the tree before,
// at load 1), and keeping one emptied Map for the next walk instead cost
// 27-41% (a clear reallocates the table). construct is read at load.
const construct = Reflect.construct;
const NEW_TARGET_ARGS: [] = [];
// The constructors as at load: a module's `Map` is read from the global
// object at each use, and a program may have replaced globalThis.Map.
const Map_ = Map, Set_ = Set;
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

const dateTime = Date.prototype.getTime;
/** A Date's time (its internal value: no getTime a program replaced). */
export const timeOf = (d: Date) => apply(dateTime, d, []) as number;

const SOURCE = getter(RE, "source");
// Each flag getter reads the RegExp's own flags, not a property of it.
const FLAGS = (
  [
    ["hasIndices", "d"],
    ["global", "g"],
    ["ignoreCase", "i"],
    ["multiline", "m"],
    ["dotAll", "s"],
    ["unicode", "u"],
    ["unicodeSets", "v"],
    ["sticky", "y"],
  ] as const
).filter(([k]) => getOwn(RE, k)?.get)
  .map(([k, f]) => [getter(RE, k), f] as const);
/** A RegExp's source and flags, from its internal slots. */
export function regExpParts(re: RegExp): { s: string; f: string } {
  let f = "";
  for (let i = 0; i < FLAGS.length; i++) {
    if (apply(FLAGS[i][0], re, [])) f += FLAGS[i][1];
  }
  return { s: apply(SOURCE, re, []) as string, f };
}

// Boxed primitives: each class's valueOf reads the box's internal value
// (and throws for any other object: the brand check where the host has no
// slot test).
const BOXES = [
  [Boolean.prototype, Boolean.prototype.valueOf],
  [Number.prototype, Number.prototype.valueOf],
  [String.prototype, String.prototype.valueOf],
  [BigInt.prototype, BigInt.prototype.valueOf],
] as const;
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
export const TA = Object.getPrototypeOf(Int8Array.prototype);
const TA_NAME = getter(TA, Symbol.toStringTag);
const TA_BUFFER = getter(TA, "buffer"), TA_OFFSET = getter(TA, "byteOffset");
const TA_LENGTH = getter(TA, "length");
const DV = DataView.prototype;
const DV_BUFFER = getter(DV, "buffer"), DV_OFFSET = getter(DV, "byteOffset");
const DV_LENGTH = getter(DV, "byteLength");
const isView = ArrayBuffer.isView;

/** What a view is, read from its internal slots. */
export interface ViewParts {
  /** Its class's name: "Uint8Array", ..., "DataView". */
  readonly name: string;
  readonly buffer: ArrayBufferLike;
}

/** The class and buffer of a view (ArrayBuffer.isView), or undefined. */
export function viewParts(obj: object): ViewParts | undefined {
  if (!isView(obj)) return undefined;
  const name = apply(TA_NAME, obj, []) as string | undefined;
  return name !== undefined
    ? { name, buffer: apply(TA_BUFFER, obj, []) as ArrayBufferLike }
    : {
      name: "DataView",
      buffer: apply(DV_BUFFER, obj, []) as ArrayBufferLike,
    };
}

/**
 * A view's byteOffset and length (elements; bytes for a DataView). Read
 * only for a view within its buffer's bounds: Node 20's getters throw
 * for one out of them.
 */
export function viewSpan(obj: ArrayBufferView): { o: number; n: number } {
  const dv = isDataView(obj);
  return {
    o: apply(dv ? DV_OFFSET : TA_OFFSET, obj, []) as number,
    n: apply(dv ? DV_LENGTH : TA_LENGTH, obj, []) as number,
  };
}

export const U8 = Uint8Array; // (new U8(view): a copy, no species)
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
