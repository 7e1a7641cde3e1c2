// Copyright 2026 the threadkit authors. MIT license.
// A module target whose body replaces the URL constructor as it loads (it
// imports nothing of threadkit's): the replacement makes the URL of
// threadkit's codec modules (_core/outcome.ts, _core/transfer.ts) name
// tests/_workers/_forged_codec.ts instead. A worker entry that finds its
// codec by the URL global of the time it loads it would load that module and
// encode the thread's result and error with it.

const RealURL = URL;
const FORGED = new RealURL("./_forged_codec.ts", import.meta.url).href;
const CODEC = /\/_core\/(?:outcome|transfer)\.(?:ts|js)$/;
const Forging = function (this: unknown, input: string, base?: string) {
  const u = new RealURL(input, base);
  return CODEC.test(u.pathname) ? new RealURL(FORGED) : u;
} as unknown as typeof URL;
for (const k of Reflect.ownKeys(RealURL)) {
  if (k === "length" || k === "name") continue;
  Object.defineProperty(
    Forging,
    k,
    Object.getOwnPropertyDescriptor(RealURL, k)!,
  );
}
(globalThis as { URL: typeof URL }).URL = Forging;

/** Returns an object (encoded by the codec). */
export function returnObject(): unknown {
  return { kept: [1, 2] };
}

/** Throws an Error with an own code (encoded by the codec). */
export function throwCoded(): never {
  throw Object.assign(new Error("coded"), { code: 7 });
}
