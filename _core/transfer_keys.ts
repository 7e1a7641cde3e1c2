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
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && String(n) === key;
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
