// Copyright 2026 the threadkit authors. MIT license.
// The record of load-time built-ins (re-exported by _core/primordials.ts,
// the one set the codecs take; _core/host.ts reads it too, which
// _core/primordials.ts imports, hence a module of its own that imports
// nothing). The worker entry imports it first, through _core/host.ts: a
// thread started on thread/_worker.ts from source (the npm build's entry)
// takes the record as the entry loads, before any code of the thread's
// own, as the bundle's first line does.

/**
 * The built-ins _core/primordials.ts, _core/primordials_text.ts,
 * _core/host.ts and the codec's other modules copy, read once per realm: the first call keeps them in a frozen record on
 * %AsyncGeneratorFunction.prototype% (non-writable, non-configurable,
 * non-enumerable, under a key ending in the FNV-1a of its sorted names,
 * checked by tests/thread/patched_builtins_test.ts: versions with other
 * sets never share it; a name whose value changes shape must therefore
 * change its name too, or two versions would share a record that one of
 * them misreads), and later calls, in any copy of this module,
 * return that record. The worker entry (the bundle, or thread/_worker.ts
 * from source) takes it as it loads, before a thread's own code: a target
 * module's body, or a source target, that replaces a built-in before the
 * codec's modules load in the thread (they load lazily, off the cold start)
 * changes no encoding, and the package's own copies of _core/host.ts and
 * _core/runtime.ts, loading late, name the same keys. It reads no accessor
 * a program could have defined first (a getter's function is taken from
 * its descriptor, not called).
 */
export function loadTimeBuiltins() {
  // The record's holder is %AsyncGeneratorFunction.prototype%, reached by
  // syntax (a new async generator function's prototype), never through a
  // global a program could re-point (globalThis is a writable property of
  // the global object). Once there, its own non-configurable data property
  // shadows anything above it: a plain read runs no code of a program's.
  const key = "threadkit.builtins.d12268c8";
  const had = (async function* () {} as unknown as Record<string, unknown>)[
    key
  ];
  if (had !== undefined) return had as typeof b;
  const g = globalThis;
  const O = Object, gopd = O.getOwnPropertyDescriptor, fz = O.freeze;
  const get = (o: object | undefined, k: PropertyKey) =>
    o && gopd(o, k)?.get as (this: never) => unknown;
  const M = Map.prototype, St = Set.prototype, S = String.prototype;
  const RE = RegExp.prototype, AB = ArrayBuffer.prototype;
  const SAB = g.SharedArrayBuffer?.prototype, DV = DataView.prototype;
  const TA = O.getPrototypeOf(Int8Array.prototype);
  const F = Function.prototype, tag = Symbol.toStringTag;
  const gen = (f: () => unknown) => O.getPrototypeOf(f).prototype as object;
  const flags: [(this: never) => unknown, string][] = [];
  const names = "hasIndices d global g ignoreCase i multiline m dotAll s" +
    " unicode u unicodeSets v sticky y";
  const list = names.split(" "); // (a flag's getter where the engine has it)
  for (let i = 0; i < list.length; i += 2) {
    const f = get(RE, list[i]);
    if (f) flags[flags.length] = fz([f, list[i + 1]]) as [never, string];
  }
  // node:util's types (slot tests), in a closure that only this record's
  // slotTypes reaches and that nothing but this function writes: taken now
  // where process is a plain global (Node, Bun); on Deno, whose first read
  // of process starts its Node layer (11-190 ms), loaded by import() (which
  // no program code can redirect) at slotTypes.load()'s first call
  // (_core/host.ts loadSlotTests).
  const deno = (g as { Deno?: { version?: { deno?: unknown } } }).Deno;
  const proc = typeof deno?.version?.deno === "string"
    ? undefined
    : (g as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  let types: unknown = typeof proc?.getBuiltinModule === "function"
    ? proc.getBuiltinModule("node:util/types")
    : undefined;
  let loading: Promise<void> | undefined;
  // (Not a literal: Deno loads a literal dynamic import's module with the
  // worker, on every thread's start.)
  const UTIL_TYPES = "node:" + ["util/types"][0];
  // The import's promise is followed with Promise.prototype.then as it is
  // now, applied (no `.then` looked up when load() runs, after a thread's
  // own code may have replaced it; an await would read its constructor).
  const then = Promise.prototype.then, apply = Reflect.apply;
  const slotTypes = fz({
    get: () => types,
    load: () =>
      loading ??= apply(then, import(UTIL_TYPES), [
        (m: unknown) => void (types ??= m),
        () => {},
      ]) as Promise<void>,
  });
  // (A literal with a null prototype: 0.02 ms in a fresh worker, where a
  // plain one given a null prototype after took 0.1 ms.)
  // deno-fmt-ignore
  const b = { __proto__: null,
    apply: Reflect.apply, construct: Reflect.construct, Object_: O,
    getPrototypeOf: O.getPrototypeOf, hasOwn: O.hasOwn, getOwn: gopd,
    defineProperty: O.defineProperty, create: O.create, freeze: fz,
    ownNames: O.getOwnPropertyNames, objectKeys: O.keys,
    ObjectProto: O.prototype, codeAt: F.call.bind(S.charCodeAt),
    objectToString: O.prototype.toString, toStringTag: tag,
    lookupGetter: (O.prototype as { __lookupGetter__?: unknown })
      .__lookupGetter__,
    jsonStringify: JSON.stringify, ArrayProto: Array.prototype,
    arrayIsArray: Array.isArray, TypeError_: TypeError,
    ErrorProto: Error.prototype, Error_: Error, AggregateError_: AggregateError,
    DOMException_: g.DOMException, structuredClone_: g.structuredClone,
    Date_: Date, RegExp_: RegExp, I32: Int32Array, F64: Float64Array,
    reExec: RE.exec, Array_: Array, arrayConcat: Array.prototype.concat,
    isConcatSpreadable: Symbol.isConcatSpreadable, species: Symbol.species,
    arraySpecies: get(Array, Symbol.species),
    isError: (Error as { isError?: (v: unknown) => boolean }).isError,
    String_: String, StringProto: S, strSlice: S.slice,
    charCodeAt: S.charCodeAt, fromCharCode: String.fromCharCode,
    Number_: Number, BigInt_: BigInt, NumberProto: Number.prototype,
    BooleanProto: Boolean.prototype,
    boxes: fz([ // (each class's valueOf reads a box's value)
      fz([Boolean.prototype, Boolean.prototype.valueOf] as const),
      fz([Number.prototype, Number.prototype.valueOf] as const),
      fz([S, S.valueOf] as const),
      fz([BigInt.prototype, BigInt.prototype.valueOf] as const),
    ] as const),
    Map_: Map, MapProto: M, mapForEach: M.forEach, mapGet: M.get,
    mapSet: M.set, mapHas: M.has, mapDelete: M.delete, mapClear: M.clear,
    mapSize: get(M, "size")!, Set_: Set, SetProto: St,
    setForEach: St.forEach, setAdd: St.add, setHas: St.has,
    setDelete: St.delete, setClear: St.clear, setSize: get(St, "size")!,
    DateProto: Date.prototype, dateTime: Date.prototype.getTime,
    RegExpProto: RE, reSource: get(RE, "source")!, reFlags: fz(flags),
    ABProto: AB, abLength: get(AB, "byteLength")!, SABProto: SAB,
    sabLength: get(SAB, "byteLength"), TA, taName: get(TA, tag)!,
    taBuffer: get(TA, "buffer")!, taOffset: get(TA, "byteOffset")!,
    taLength: get(TA, "length")!, DVProto: DV, dvBuffer: get(DV, "buffer")!,
    dvOffset: get(DV, "byteOffset")!, dvLength: get(DV, "byteLength")!,
    isView: ArrayBuffer.isView, U8: Uint8Array,
    PromiseProto: Promise.prototype, WeakMapProto: WeakMap.prototype,
    weakMapHas: WeakMap.prototype.has, WeakSetProto: WeakSet.prototype,
    weakSetHas: WeakSet.prototype.has, WeakRefProto: g.WeakRef?.prototype,
    weakRefDeref: g.WeakRef?.prototype.deref,
    FRProto: g.FinalizationRegistry?.prototype,
    frUnregister: g.FinalizationRegistry?.prototype.unregister,
    GenProto: gen(function* () {}), AsyncGenProto: gen(async function* () {}),
    SymbolProto: Symbol.prototype, symbolFor: Symbol.for,
    isExtensible: O.isExtensible, strIndexOf: S.indexOf,
    strLastIndexOf: S.lastIndexOf, btoa_: g.btoa, atob_: g.atob,
    URL_: g.URL, urlHref: get(g.URL?.prototype, "href"), slotTypes,
    TextEncoder_: g.TextEncoder, teEncode: g.TextEncoder?.prototype.encode,
    teEncodeInto: g.TextEncoder?.prototype.encodeInto,
    TextDecoder_: g.TextDecoder, tdDecode: g.TextDecoder?.prototype.decode,
    abResizable: get(AB, "resizable"), abMaxLength: get(AB, "maxByteLength"),
  };
  O.defineProperty(O.getPrototypeOf(async function* () {}), key, {
    value: fz(b),
  });
  return b;
}
/** The record {@linkcode loadTimeBuiltins} keeps. */
export type Builtins = ReturnType<typeof loadTimeBuiltins>;
/** The realm's record (_core/primordials_slots.ts reads it too). */
export const B: Builtins = loadTimeBuiltins();
