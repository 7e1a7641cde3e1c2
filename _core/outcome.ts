// Copyright 2026 the threadkit authors. MIT license.
// How a thread's outcome (its return value or what it threw) crosses back to
// the thread that started it. Errors travel in threadkit's own format: a
// posted Error subclass arrives as a plain Error in Deno, losing its name and
// own properties, so we carry class name, message, stack, cause and own
// enumerable properties ourselves and rebuild the error on arrival. A
// DOMException (AbortError, TimeoutError, DataCloneError...) is marked as
// one and arrives as a DOMException with its name, message and code.

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

/** A thread's outcome as posted on its result port. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** An error in threadkit's wire format. */
interface WireError {
  readonly [WIRE]: true;
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

// Own properties carried in their own fields (or, for AggregateError's
// errors, decoded one by one).
const SKIP = new Set(["cause", "name", "message", "stack", "errors"]);

const WIRE = "\u0000threadkit.error";

// Classes revived by name. Errors of other classes arrive as an Error whose
// name is the original class name. One map per thread and package root
// (threadState, _core/host.ts), as the transfer registry: the bundled worker
// entry shares the package's, and another copy of the package in the thread
// keeps its own, so an error this copy decodes is this copy's class (one
// map for every copy made them the copy loaded last's).
const classes = threadState(
  "errorClasses",
  () => new Map<string, new (message?: string) => Error>(),
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
) classes.set(cls.name, cls);

/**
 * Lets errors of `cls` arrive from other threads as instances of `cls`
 * (matched by class name). threadkit registers its own error classes.
 */
export function registerErrorClass(
  cls: new (message?: string) => Error,
): void {
  classes.set(cls.name, cls);
}

/** Encodes a thrown value for posting. */
export function encodeError(error: unknown): unknown {
  if (!(error instanceof Error)) return encodeTransfer(error);
  // Every own property, enumerable or not: an engine may put its own on
  // every error (Bun: line, column, sourceURL, non-enumerable, and a user's
  // `e.line = 7` keeps that flag), and the receiving engine's values would
  // name the decoder's position, not the thrower's. So the error arrives
  // with the same own properties, flags included, as it was thrown with.
  const props: Record<string, unknown> = {};
  const hidden: string[] = [];
  for (const key of Object.getOwnPropertyNames(error)) {
    if (SKIP.has(key)) continue;
    const desc = Object.getOwnPropertyDescriptor(error, key)!;
    if (!("value" in desc)) continue; // an accessor: engine-defined
    props[key] = desc.value;
    if (!desc.enumerable) hidden.push(key);
  }
  const wire: WireError = {
    [WIRE]: true,
    name: error.name,
    message: error.message,
    stack: error.stack,
    hasCause: "cause" in error,
    cause: "cause" in error ? encodeError(error.cause) : undefined,
    props: cloneable(props),
    hidden,
    errors: error instanceof AggregateError
      ? error.errors.map(encodeError)
      : undefined,
    dom: isDomException(error) ? true : undefined,
  };
  return wire;
}

/** Rebuilds a thrown value posted by encodeError. */
export function decodeError(data: unknown): unknown {
  if (typeof data !== "object" || data === null || !(WIRE in data)) {
    return decodeTransfer(data);
  }
  const wire = data as WireError;
  const cls = classes.get(wire.name) ?? Error;
  // A DOMException is rebuilt as one where the runtime has the class (its
  // code follows from its name, a prototype getter); else an Error with
  // the name, as any unregistered class.
  const error = wire.errors !== undefined
    ? new AggregateError(wire.errors.map(decodeError), wire.message)
    : wire.dom === true && typeof DOMException === "function"
    ? new DOMException(wire.message, wire.name) as Error
    : new cls(wire.message);
  // Own properties, as the original had them (name only when it differs).
  if (error.name !== wire.name) {
    Object.defineProperty(error, "name", {
      value: wire.name,
      writable: true,
      configurable: true,
    });
  }
  // Own properties, as the original had them, over any the engine added to
  // the new error.
  const hidden = new Set(wire.hidden);
  for (const [key, value] of Object.entries(wire.props)) {
    Object.defineProperty(error, key, {
      value,
      writable: true,
      enumerable: !hidden.has(key),
      configurable: true,
    });
  }
  if (error.message !== wire.message) {
    Object.defineProperty(error, "message", {
      value: wire.message,
      writable: true,
      configurable: true,
    });
  }
  if (wire.hasCause) {
    Object.defineProperty(error, "cause", {
      value: decodeError(wire.cause),
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(error, "stack", {
    value: wire.stack,
    writable: true,
    configurable: true,
  });
  return error;
}

// Keeps only the properties structured clone can carry, so one odd property
// (a function, say) does not cost the whole error.
function cloneable(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    try {
      structuredClone(value);
      out[key] = value;
    } catch {
      out[key] = `[not cloneable: ${typeof value}]`;
    }
  }
  return out;
}

// Whether `error` is a DOMException (AbortError, TimeoutError,
// DataCloneError...): an Error in every runtime that has the class, whose
// name is not its class's.
function isDomException(error: Error): boolean {
  return typeof DOMException === "function" && error instanceof DOMException;
}

/**
 * What a thrown value says of itself for an error message (`String(v)`, or
 * with `of` a property's text), or "a value that cannot be read" when
 * reading it throws (a getter, a toString that throws).
 */
export function textOf(v: unknown, of?: "name" | "message"): string {
  try {
    return String(of === undefined ? v : (v as Record<string, unknown>)?.[of]);
  } catch {
    return "a value that cannot be read";
  }
}
