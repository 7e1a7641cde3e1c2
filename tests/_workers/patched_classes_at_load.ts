// Copyright 2026 the threadkit authors. MIT license.
// A module target whose module replaces globalThis.AggregateError when it
// loads (it imports nothing of threadkit's as it loads), as a polyfill
// would: the replacement is a class of its own.

const Real = AggregateError;
(globalThis as { AggregateError: unknown }).AggregateError =
  class AggregateError extends Error {};

/** Throws an AggregateError (the real one) of one error. */
export function throwAggregate(): never {
  throw new Real([new RangeError("inner")], "outer");
}
