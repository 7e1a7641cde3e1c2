// Copyright 2026 the threadkit authors. MIT license.
// How tagged JSON (_tagged.ts) names a SharedArrayBuffer by a number
// instead of refusing it: only in a walk given names (encodeNamed,
// _codec.ts: an executor's slot, pool/_payload.ts; the buffers reach the
// pool threads in messages, pool/_shared.ts), so an encode that user code
// starts inside that walk (a getter that puts in a queue) refuses as
// before. A SharedArrayBuffer tags as { MARK: "sv", i }, a view over one
// as a view ("v") whose buffer is that, and a threadkit primitive in a
// SharedArrayBuffer of its own (new Lock({ buffer })) as a primitive ("p")
// whose descriptor names its buffer by that number ("b"). Decode asks the names withShared set
// for the buffer of each number (a decode runs no user code). Elsewhere
// (queue items) both are refused: memory of their own cannot travel as bytes.

import { apply, isArrayBuffer } from "../_core/primordials.ts";
import { isDataView } from "../_core/primordials_slots.ts";
import { TA } from "../_core/primordials.ts";
import { host } from "../_core/host.ts";

/** Names for shared buffers, for one encode or decode. */
export interface SharedNames {
  /**
   * The number of `buffer`; throws a TypeError when it cannot be named
   * (`path`: where it is in the value).
   */
  name(buffer: SharedArrayBuffer, path: string): number;
  /** The buffer of number `id`; throws when there is none. */
  buffer(id: number): SharedArrayBuffer;
}

let names: Pick<SharedNames, "buffer"> | undefined;

// The refusals of shared memory made while nothing named it: an encode that
// threw one may be tried again with names (pool/_payload.ts).
const refusals = new WeakSet<object>();

/** Whether `error` is a refusal of shared memory (see refuse). */
export function refusedShared(error: unknown): boolean {
  return typeof error === "object" && error !== null && refusals.has(error);
}

/** Runs `f`, a decode, with `given` giving the buffers of "sv" numbers. */
export function withShared<T>(
  given: Pick<SharedNames, "buffer">,
  f: () => T,
): T {
  const outer = names;
  names = given;
  try {
    return f();
  } finally {
    names = outer;
  }
}

/**
 * The number of `buffer` (at `path` in the item) in `given`.
 * @throws {TypeError} when none are given, or when they cannot name it.
 */
export function name(
  buffer: SharedArrayBuffer,
  path: string,
  given: SharedNames | undefined,
): number {
  if (given === undefined) throw refuse(path, "a SharedArrayBuffer");
  return given.name(buffer, path);
}

/**
 * The refusal of `what` (shared memory) at `path` while nothing names it,
 * as the tagged codec's other refusals read, marked for refusedShared.
 */
export function refuse(path: string, what: string): TypeError {
  const error = new TypeError(
    `Cannot put item in queue: ${path} is ${what}, which cannot be copied to another thread; pass it to the thread as a thread arg instead`,
  );
  refusals.add(error);
  return error;
}

/**
 * The refusal of `what`, a threadkit primitive in a SharedArrayBuffer of its
 * own, at `path` while nothing names it (`why`: a queue's reason, or ""),
 * marked for refusedShared.
 */
export function refuseOwn(
  path: string,
  what: string,
  why: string,
  cause: unknown,
): TypeError {
  const error = new TypeError(
    `Cannot put item in queue: ${path} is ${what} in a SharedArrayBuffer of its own${
      why === "" ? "" : ` (${why})`
    }, which a queue cannot carry: an item travels as bytes, and only a primitive in threadkit's shared heap (made without a buffer option) is found by its offset alone. Pass it to a thread as a thread arg, or to an executor's task from the thread that created the executor (or in a buffer of its initArgs)`,
    { cause },
  );
  refusals.add(error);
  return error;
}

/**
 * The buffer of number `id`.
 * @throws {TypeError} when nothing names shared buffers now.
 */
export function buffer(id: number): SharedArrayBuffer {
  if (names === undefined) {
    throw new TypeError(
      "Cannot decode item: it names a SharedArrayBuffer, and nothing here knows it",
    );
  }
  return names.buffer(id);
}

/**
 * Whether `view`, over a growable SharedArrayBuffer or a resizable
 * ArrayBuffer, tracks its buffer's length (made without a length) rather than having a fixed one. No
 * property tells (both read the same length until the buffer grows, and a
 * test grow would grow the program's memory), but the V8 serializer
 * writes it: a view's record ends with its flags varint (V8's
 * ValueSerializer, format 14 and on; bit 0 is "length-tracking"), and
 * node:v8's Serializer, given an id for the buffer, writes that record
 * (Deno, Node 20: measured). Where node:v8 has no Serializer (browsers,
 * perhaps Bun), false: the view arrives with its length fixed, as before.
 * Only views over a growable or resizable buffer pay for it (for a
 * resizable ArrayBuffer the serializer writes its bytes too: one more copy).
 */
export function lengthTracking(
  view: ArrayBufferView,
  buffer: ArrayBufferLike = view.buffer, // tag gives the one from the slot
): boolean {
  if (!growsOrResizes(buffer)) return false;
  if (v8 === undefined) {
    const m = host.process?.getBuiltinModule?.("node:v8") as
      | { Serializer?: new () => V8Serializer }
      | undefined;
    v8 = m?.Serializer ?? null;
  }
  if (v8 === null) return false;
  try {
    const s = new v8();
    s._getSharedArrayBufferId = () => 0;
    s.writeHeader();
    s.writeValue(view);
    const bytes = s.releaseBuffer();
    return bytes[1] >= 14 && (bytes[bytes.length - 1] & 1) === 1;
  } catch {
    return false;
  }
}

/**
 * Whether `view`, over a resizable ArrayBuffer, is out of its bounds (the
 * buffer shrank below it): structured clone refuses one, and its offset and
 * length read as 0. A DataView's byteLength getter throws then, and so does
 * %TypedArray%.prototype.entries (ValidateTypedArray), with no copy.
 */
export function outOfBounds(
  view: ArrayBufferView,
  buffer: ArrayBufferLike = view.buffer, // tag gives the one from the slot
): boolean {
  if (!growsOrResizes(buffer)) return false;
  try {
    // The built-ins read at load (a view's own getters are not run).
    apply(isDataView(view) ? dvLength : entries, view, []);
    return false;
  } catch {
    return true;
  }
}
const entries = TA.entries;
const getter = (o: object | undefined, k: string) =>
  o === undefined ? undefined : Object.getOwnPropertyDescriptor(o, k)?.get;
const dvLength = getter(DataView.prototype, "byteLength")!;
const RESIZABLE = getter(ArrayBuffer.prototype, "resizable");
const GROWABLE = getter(globalThis.SharedArrayBuffer?.prototype, "growable");
// Whether `buffer` is a resizable ArrayBuffer or a growable
// SharedArrayBuffer, by the getters read at load (not its own).
function growsOrResizes(buffer: ArrayBufferLike): boolean {
  const f = isArrayBuffer(buffer) ? RESIZABLE : GROWABLE; // (by slot)
  return f !== undefined && apply(f, buffer, []) === true;
}

/**
 * A decoded ArrayBuffer of `bytes`: resizable up to `max` bytes when the
 * tagged record gives one (`m`), as structured clone keeps `resizable` and
 * `maxByteLength`; else the bytes' own buffer.
 * @throws {TypeError} for a `max` that is not an integer from the length on.
 */
export function resizable(bytes: Uint8Array, max: unknown): ArrayBuffer {
  if (max === undefined) return bytes.buffer as ArrayBuffer;
  if (!Number.isSafeInteger(max) || (max as number) < bytes.length) {
    throw new TypeError("Cannot decode queue item: bad maxByteLength");
  }
  const b = new ArrayBuffer(bytes.length, { maxByteLength: max as number });
  new Uint8Array(b).set(bytes);
  return b;
}

/**
 * A decoded view (a tagged record's offset `o` and length `l`): length -1
 * is one that tracks its buffer's length (lengthTracking), made without a
 * length, as it was.
 */
export function view<V>(
  View: new (b: ArrayBuffer, o: number, l?: number) => V,
  buffer: ArrayBuffer,
  o: unknown,
  l: unknown,
): V {
  return l === -1
    ? new View(buffer, o as number)
    : new View(buffer, o as number, l as number);
}

interface V8Serializer {
  _getSharedArrayBufferId(buffer: SharedArrayBuffer): number;
  writeHeader(): void;
  writeValue(value: unknown): boolean;
  releaseBuffer(): Uint8Array;
}
let v8: (new () => V8Serializer) | null | undefined;
