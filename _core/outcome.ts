// Copyright 2026 the threadkit authors. MIT license.
// How a thread's outcome (its return value or what it threw) crosses back to
// the thread that started it. Errors travel in threadkit's own format: a
// posted Error subclass arrives as a plain Error in Deno, losing its name and
// own properties, so we carry class name, message, stack, cause and own
// enumerable properties ourselves and rebuild the error on arrival. A
// DOMException (AbortError, TimeoutError, DataCloneError...) is marked as
// one and arrives as a DOMException with its name, message and code.
//
// The wire form: { e: fields } for an Error, { v: encodeTransfer(value) }
// for any other thrown value. decodeError reads only what encodeError
// wrote (a thread's outcome message, its death record, a pool task's error
// slot), and a user's value sits under "v" or in a field, never at the top:
// no key of a user's object can make it read as an error, and "e" and "v"
// are keys JSON writes as they are (no escape: _core/json.ts parseJson
// reads an executor's error with JSON.parse, its fast path). The built-ins
// are those of _core/primordials.ts, as at load.

import { threadState } from "./host.ts";
import {
  CancelledError,
  CannotBlockError,
  OwnerDiedError,
  RoleError,
  RuntimeError,
  ThreadExitError,
  ThreadsUnavailableError,
  TimeoutError,
} from "./errors.ts";
import { decodeTransfer, encodeTransfer } from "./transfer.ts";
import { B, defineProperty, ErrorProto, getOwn } from "./primordials.ts";
import { hasOwn, inherits, mapGet, mapSet, newMap } from "./primordials.ts";
import { objectKeys, ownNames, String_ } from "./primordials.ts";

/** A thread's outcome as posted on its result port. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** An Error's fields in threadkit's wire format. */
interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly cause: unknown;
  readonly hasCause: boolean;
  readonly props: Record<string, unknown>;
  /** Keys of `props` that were not enumerable on the original. */
  readonly hidden?: string[];
  readonly errors?: unknown[];
  /** A DOMException: `name` is its name (AbortError...), not a class. */
  readonly dom?: true;
}

/** What encodeError gives: an Error's fields, or another value encoded. */
type Wire = { readonly e: WireError } | { readonly v: unknown };

// Own properties carried in their own fields (or, for AggregateError's
// errors, decoded one by one).
const SKIP = ["cause", "name", "message", "stack", "errors"];
const skipped = (key: string) => {
  for (let i = 0; i < SKIP.length; i++) if (SKIP[i] === key) return true;
  return false;
};

// The classes and structuredClone as at load (_core/primordials.ts's record:
// a thread whose own code replaced one before this module loaded there
// changes no error's encoding).
const { Error_, AggregateError_: Aggregate, DOMException_: Dom } = B;
const { structuredClone_: clone } = B;
const AggregateProto = Aggregate.prototype; // (non-writable: a plain read)
const DomProto: object | undefined = Dom?.prototype;
const DONE = { done: true, value: undefined }, NONE = { next: () => DONE };
const NOTHING = { [Symbol.iterator]: () => NONE }; // (an empty iterable)

// Classes revived by name. Errors of other classes arrive as an Error whose
// name is the original class name. One map per thread and package root
// (threadState, _core/host.ts), as the transfer registry: the bundled worker
// entry shares the package's, and another copy of the package in the thread
// keeps its own, so an error this copy decodes is this copy's class (one
// map for every copy made them the copy loaded last's).
const classes = threadState(
  "errorClasses",
  () => newMap<string, new (message?: string) => Error>(), // (as at load)
);
for (
  const cls of [
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    URIError,
    RuntimeError,
    CancelledError,
    TimeoutError,
    ThreadsUnavailableError,
    CannotBlockError,
    OwnerDiedError,
    ThreadExitError,
    RoleError,
  ]
) mapSet(classes, cls.name, cls);

/**
 * Lets errors of `cls` arrive from other threads as instances of `cls`
 * (matched by class name). threadkit registers its own error classes.
 */
export function registerErrorClass(
  cls: new (message?: string) => Error,
): void {
  mapSet(classes, cls.name, cls);
}

/** Encodes a thrown value for posting. */
export function encodeError(error: unknown): Wire {
  const isError = typeof error === "object" && error !== null &&
    inherits(error, ErrorProto); // (instanceof Error, as at load)
  if (!isError) return { v: encodeTransfer(error) };
  // Every own property, enumerable or not: an engine may put its own on
  // every error (Bun: line, column, sourceURL, non-enumerable, and a user's
  // `e.line = 7` keeps that flag), and the receiving engine's values would
  // name the decoder's position, not the thrower's. So the error arrives
  // with the same own properties, flags included, as it was thrown with.
  const props: Record<string, unknown> = {};
  const hidden: string[] = [];
  const names = ownNames(error);
  for (let i = 0; i < names.length; i++) {
    const key = names[i];
    if (skipped(key)) continue;
    const desc = getOwn(error, key)!;
    if (!("value" in desc)) continue; // an accessor: engine-defined
    props[key] = desc.value;
    if (!desc.enumerable) hidden[hidden.length] = key;
  }
  const e = error as Error;
  let errors: unknown[] | undefined;
  if (inherits(e, AggregateProto)) {
    const list = (e as AggregateError).errors;
    errors = [];
    for (let i = 0; i < list.length; i++) errors[i] = encodeError(list[i]);
  }
  return {
    e: {
      name: e.name,
      message: e.message,
      stack: e.stack,
      hasCause: "cause" in e,
      cause: "cause" in e ? encodeError(e.cause) : undefined,
      props: cloneable(props),
      hidden,
      errors,
      dom: DomProto !== undefined && inherits(e, DomProto) ? true : undefined,
    },
  };
}

/** Rebuilds a thrown value posted by encodeError. */
export function decodeError(data: unknown): unknown {
  if (!hasOwn(data as Wire, "e")) {
    return decodeTransfer((data as { v: unknown }).v);
  }
  const wire = (data as { e: WireError }).e;
  const cls = mapGet(classes, wire.name) ?? Error_;
  // A DOMException is rebuilt as one where the runtime has the class (its
  // code follows from its name, a prototype getter); else an Error with
  // the name, as any unregistered class.
  let error: Error;
  if (wire.errors !== undefined) {
    const list: unknown[] = [];
    for (let i = 0; i < wire.errors.length; i++) {
      list[i] = decodeError(wire.errors[i]);
    }
    // Made with none, then given the list: the constructor iterates its
    // argument (Array.prototype[Symbol.iterator], which a program may
    // replace); an iterable of our own that gives nothing runs none.
    error = new Aggregate(NOTHING, wire.message);
    own(error, "errors", list, false);
  } else {
    error = wire.dom === true && typeof Dom === "function"
      ? new Dom(wire.message, wire.name) as Error
      : new cls(wire.message);
  }
  // Own properties, as the original had them (name only when it differs).
  if (error.name !== wire.name) own(error, "name", wire.name, false);
  // Own properties, as the original had them, over any the engine added to
  // the new error.
  const keys = objectKeys(wire.props), hidden = wire.hidden ?? [];
  for (let i = 0; i < keys.length; i++) {
    let shown = true;
    for (let j = 0; j < hidden.length; j++) {
      if (hidden[j] === keys[i]) shown = false;
    }
    own(error, keys[i], wire.props[keys[i]], shown);
  }
  if (error.message !== wire.message) {
    own(error, "message", wire.message, false);
  }
  if (wire.hasCause) own(error, "cause", decodeError(wire.cause), false);
  own(error, "stack", wire.stack, false);
  return error;
}

// Defines `key` on `error` as an own data property.
const own = (error: Error, key: string, value: unknown, enumerable: boolean) =>
  void defineProperty(error, key, {
    value,
    writable: true,
    enumerable,
    configurable: true,
  });

// Keeps only the properties structured clone can carry, so one odd property
// (a function, say) does not cost the whole error.
function cloneable(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = objectKeys(props);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i], value = props[key];
    try {
      clone(value);
      out[key] = value;
    } catch {
      out[key] = `[not cloneable: ${typeof value}]`;
    }
  }
  return out;
}

/**
 * What a thrown value says of itself for an error message (`String(v)`, or
 * with `of` a property's text), or "a value that cannot be read" when
 * reading it throws (a getter, a toString that throws).
 */
export function textOf(v: unknown, of?: "name" | "message"): string {
  try {
    return String_(of === undefined ? v : (v as Record<string, unknown>)?.[of]);
  } catch {
    return "a value that cannot be read";
  }
}
