// Copyright 2026 the threadkit authors. MIT license.
// A module target whose body, as it loads, points the global `globalThis`
// binding at an object of its own (the global object's `globalThis` is a
// writable, configurable data property) that inherits from the global object
// but has its own record under the key of the codec's load-time built-ins
// ("threadkit.builtins.d12268c8"): the realm's record with a getOwnPropertyNames
// that hides an Error's `code`, and an Object.keys that hides keys that start
// with "hidden". It imports nothing of threadkit's.

const real = globalThis as unknown as Record<string, unknown>;
const KEY = "threadkit.builtins.d12268c8";
const had = real[KEY] as Record<string, unknown> | undefined;
const names = Object.getOwnPropertyNames, keys = Object.keys;
const lieNames = (o: object) =>
  o instanceof Error ? names(o).filter((k) => k !== "code") : names(o);
const lieKeys = (o: object) => keys(o).filter((k) => !k.startsWith("hidden"));
const alias = Object.create(real);
Object.defineProperty(alias, KEY, {
  value: Object.freeze({
    ...(had ?? {}),
    ownNames: lieNames,
    objectKeys: lieKeys,
  }),
});
Object.defineProperty(real, "globalThis", {
  value: alias,
  writable: true,
  configurable: true,
});
// Object.getOwnPropertyNames and Object.keys themselves are left as they
// were: only the record the codec would read through `globalThis` lies.

/** Whether the realm's record was there when this module loaded. */
export const recordFound: boolean = had !== undefined;

/** Throws an Error with an own `code`. */
export function throwCoded(): never {
  throw Object.assign(new Error("coded"), { code: 7 });
}

/** Returns an object with a key the lying Object.keys hides. */
export function hiddenKey(): unknown {
  return { hiddenWord: "kept", word: "kept" };
}
