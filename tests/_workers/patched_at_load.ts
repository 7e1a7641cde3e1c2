// Copyright 2026 the threadkit authors. MIT license.
// A module target whose module replaces built-ins when it loads (before
// the thread's codec modules load: this module imports nothing of
// threadkit's), as a polyfill or a program's own patch would.

const names = Object.getOwnPropertyNames;
const keys = Object.keys;
// Lies about errors only: an Error's own names, without "code".
Object.getOwnPropertyNames = function (o: object) {
  const out = names(o);
  return o instanceof Error ? out.filter((k) => k !== "code") : out;
} as typeof Object.getOwnPropertyNames;
void keys;

/** Throws an Error with an own `code`. */
export function throwCoded(): never {
  throw Object.assign(new Error("coded"), { code: 7 });
}

/** Returns an Error with an own `code` inside a value. */
export function returnCoded(): unknown {
  return { e: Object.assign(new Error("coded"), { code: 7 }) };
}
