// Copyright 2026 the threadkit authors. MIT license.
// A module target whose body replaces the built-ins the codec copies
// (tests/_workers/_replace_builtins.ts METHODS and CTORS) as it loads: it
// imports nothing of threadkit's, so in a fresh worker it runs before the
// codec's modules load. Its exports arm the counting just before they
// return or throw: what is counted from then on ran in the thread's result
// or error encoding (or threadkit's end of the thread).
import {
  CTORS,
  makeError,
  makeValue,
  METHODS,
  replaceBuiltins,
} from "./_replace_builtins.ts";

const state = replaceBuiltins([...METHODS, ...CTORS]);

/** The names replaced, in the order of the counts' words. */
export function names(): readonly string[] {
  return state.names;
}

/** Returns makeValue(), counting the replaced built-ins called after. */
export function returnValue(counts: Int32Array): unknown {
  state.counts = counts;
  const v = makeValue();
  state.armed = true;
  return v;
}

/** Throws makeError(), counting the replaced built-ins called after. */
export function throwError(counts: Int32Array): never {
  state.counts = counts;
  const e = makeError();
  state.armed = true;
  throw e;
}
