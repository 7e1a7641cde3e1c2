// Copyright 2026 the threadkit authors. MIT license.
// The kinds tagged JSON (_tagged.ts) names: the view and error classes it
// revives by name, and the classes it tells apart, read at load (a global
// a program replaces later is not read by an encode).

// Lookup tables without a prototype: a name from the data finds nothing.
function table<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null), entries);
}

export const VIEWS: Record<
  string,
  new (b: ArrayBuffer, o: number, l?: number) => ArrayBufferView
> = table({
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView: DataView as never,
});

export const ERRORS: Record<string, new (message?: string) => Error> = table({
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
});
