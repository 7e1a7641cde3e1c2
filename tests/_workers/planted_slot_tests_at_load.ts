// Copyright 2026 the threadkit authors. MIT license.
// A module target whose body, as it loads (it imports nothing of
// threadkit's), gives threadkit's per-thread state for the host's slot
// tests, on the global under threadState's key (_core/host.ts), slot tests
// of its own that answer false for everything (a Map is no Map) and count
// their calls: set on the object when it is there, planted when not.
const ROOT = new URL("../../", import.meta.url).href;
const g = globalThis as unknown as Record<symbol, Record<string, unknown>>;
const key = Symbol.for(`threadkit.slotTests ${ROOT}`);
let counts: Int32Array | undefined;
const no = () => {
  if (counts !== undefined) Atomics.add(counts, 0, 1);
  return false;
};
const fake: Record<string, unknown> = {};
for (
  const k of [
    "isMap",
    "isSet",
    "isDate",
    "isRegExp",
    "isArrayBuffer",
    "isSharedArrayBuffer",
    "isAnyArrayBuffer",
    "isNativeError",
    "isBoxedPrimitive",
    "isPromise",
    "isWeakMap",
    "isWeakSet",
    "isGeneratorObject",
    "isArgumentsObject",
    "isSymbolObject",
    "isModuleNamespaceObject",
    "isNumberObject",
    "isStringObject",
    "isBooleanObject",
    "isBigIntObject",
    "isTypedArray",
    "isDataView",
  ]
) fake[k] = no;
fake.isProxy = () => false;
const state = g[key] ??= {};
state.tests = fake;
state.loading = Promise.resolve();

/** Returns a Map, a Set, a Date and a RegExp; counts the fakes' calls from now. */
export function slotValues(c: Int32Array): unknown {
  const v = {
    map: new Map([[1, "one"]]),
    set: new Set([2]),
    date: new Date(5),
    re: /x/g,
  };
  counts = c;
  return v;
}
