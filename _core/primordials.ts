// Copyright 2026 the threadkit authors. MIT license.
// Built-ins the encoders call, read once at load: a program that replaces
// Map.prototype.forEach, the iterators, Symbol.hasInstance or
// Function.prototype.call afterwards runs no code of its own in an encode
// (structured clone, the reference, calls none of them either). A Map or a
// Set is read as a snapshot of its entries before any of them is copied,
// so a getter in an entry that adds entries does not make the walk longer
// (structured clone reads a snapshot too).

const apply = Reflect.apply;
const mapForEach = Map.prototype.forEach;
const getPrototypeOf = Object.getPrototypeOf;
const MapProto = Map.prototype, SetProto = Set.prototype;
const setForEach = Set.prototype.forEach;

/**
 * Whether `value` has Map.prototype in its chain (instanceof, without a
 * Symbol.hasInstance a program defined on Map). Calls getPrototypeOf (a
 * Proxy's trap would run: callers refuse Proxies first).
 */
export function isMap(value: object): value is Map<unknown, unknown> {
  return inherits(value, MapProto);
}

/** As {@linkcode isMap}, for Set. */
export function isSet(value: object): value is Set<unknown> {
  return inherits(value, SetProto);
}

// OrdinaryHasInstance: whether `proto` is in the chain of `value` (what
// instanceof does when no Symbol.hasInstance is defined), without
// allocation. getPrototypeOf on each link: callers refuse Proxies first.
function inherits(value: object, proto: object): boolean {
  for (let p = getPrototypeOf(value); p !== null; p = getPrototypeOf(p)) {
    if (p === proto) return true;
  }
  return false;
}

/**
 * A Map's entries as [key0, value0, key1, value1, ...].
 * @throws {TypeError} for an object that inherits from Map but is none.
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
 * @throws {TypeError} for an object that inherits from Set but is none.
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
/** Map.prototype.clear as it was at load. */
export const mapClear = (m: Map<unknown, unknown>) =>
  void apply(mapClear_, m, []);
/** Set.prototype.clear as it was at load. */
export const setClear = (s: Set<unknown>) => void apply(setClear_, s, []);

/** `value instanceof C`, without a Symbol.hasInstance a program defined. */
export function isA<T>(
  value: object,
  C: abstract new (...a: never) => T,
): value is T & object {
  // A class's prototype property is its own, non-writable: a plain read.
  return inherits(value, C.prototype as object);
}

const getter = (o: object, k: PropertyKey) =>
  Object.getOwnPropertyDescriptor(o, k)!.get!;
const dateTime = Date.prototype.getTime;
/** A Date's time (its internal value: no getTime a program replaced). */
export const timeOf = (d: Date) => apply(dateTime, d, []) as number;

const RE = RegExp.prototype;
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
).filter(([k]) => Object.getOwnPropertyDescriptor(RE, k)?.get)
  .map(([k, f]) => [getter(RE, k), f] as const);
/** A RegExp's source and flags, from its internal slots. */
export function regExpParts(re: RegExp): { s: string; f: string } {
  let f = "";
  for (let i = 0; i < FLAGS.length; i++) {
    if (apply(FLAGS[i][0], re, [])) f += FLAGS[i][1];
  }
  return { s: apply(SOURCE, re, []) as string, f };
}

// Boxed primitives: each class's valueOf reads the box's internal value.
const BOXES = [
  [Boolean, Boolean.prototype.valueOf],
  [Number, Number.prototype.valueOf],
  [String, String.prototype.valueOf],
  [BigInt, BigInt.prototype.valueOf],
] as const;
/**
 * The primitive in a box (new Number(1), Object(1n), ...), or `none` if
 * `obj` inherits from none of the box classes.
 * @throws {TypeError} for an object that inherits from one but is no box.
 */
export function boxedValue(obj: object, none: unknown): unknown {
  for (let i = 0; i < BOXES.length; i++) {
    if (inherits(obj, BOXES[i][0].prototype)) {
      return apply(BOXES[i][1], obj, []);
    }
  }
  return none;
}

const TA = Object.getPrototypeOf(Int8Array.prototype);
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
  const dv = isA(obj, DataViewCtor);
  return {
    o: apply(dv ? DV_OFFSET : TA_OFFSET, obj, []) as number,
    n: apply(dv ? DV_LENGTH : TA_LENGTH, obj, []) as number,
  };
}
const DataViewCtor = DataView;
