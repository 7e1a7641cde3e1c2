// Copyright 2026 the threadkit authors. MIT license.
// What crosses in a task slot: the args (submitter -> pool thread), the
// outcome (pool thread -> owner), and the target table entry a slot names.
// One or two numbers travel inline as float64 (no encoding at all); anything
// else is encoded with the queue's structured codec (JSON, tagged JSON for
// what JSON would change; threadkit primitives in the shared heap arrive as
// themselves) into the slot's payload bytes; errors go through the error
// codec (_core/outcome.ts) first, so they arrive with class, message,
// stack and cause. A plain array of numbers (map's chunks of numbers and
// their results, or one such arg) is copied as float64 into the payload
// (K_F64): about 1-2 ns an item each way, where the JSON codec took 30 ns
// to encode and 15 to decode, and it keeps -0 and NaN as structuredClone
// does.

import { isProxy } from "../_core/host.ts";
import { parseJson } from "../_core/json.ts";
import {
  arrayIsArray,
  jsonStringify,
  objectKeys,
} from "../_core/primordials.ts";
import { decodeError, encodeError, textOf } from "../_core/outcome.ts";
import type { WireTarget } from "../_core/target.ts";
import {
  decodeValue,
  encodeKeeping,
  encodeNamed,
  encodeValue,
  jsonCalls,
  readAhead,
  toJSONRefused,
} from "../queue/_codec.ts";
import {
  dropHeld,
  held,
  keepHeld,
  takeHeld,
  type Taken,
} from "../queue/_held.ts";
import { refusedShared, withShared } from "../queue/_shared_names.ts";
import type { ThreadShared } from "./_shared.ts";
import {
  type Block,
  K_BROKEN,
  K_BYTES,
  K_DIED,
  K_ERROR,
  K_F64,
  K_LARGE,
  K_NONE,
  K_NUMS,
  K_VIEWS,
  S_KIND,
  S_LEN,
  S_WIDENT,
  TARGET_BYTES,
  TOP,
} from "./_layout.ts";
import { BrokenExecutorError, ThreadDiedError } from "./errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A task's args' shared buffer ids and heap references (_args_held.ts). */
export interface ArgsHeld {
  readonly names: readonly number[] | undefined;
  readonly refs: Taken | undefined;
}

/**
 * Writes a task's args into slot `s`.
 * Returns what they hold until the task settles (_args_held.ts): the
 * registered shared buffers b.shared named (K_VIEWS) and the heap
 * references the encoding retained, taken off `held` (queue/_held.ts; the
 * pool thread's decode hands them to its handles); undefined for neither.
 * A throw holds nothing.
 * @throws {TypeError} when an arg cannot be sent to a thread.
 * @throws {RangeError} when the args do not fit in the slot.
 */
export function writeArgs(
  b: Block,
  s: number,
  args: unknown[],
  own = false,
): ArgsHeld | undefined {
  const base = b.slot(s);
  const n = args.length;
  if (n === 0) {
    b.v[base + S_KIND] = K_NONE;
    return undefined;
  }
  if (
    n <= 2 && typeof args[0] === "number" && typeof args[n - 1] === "number"
  ) {
    const at = b.num(s);
    b.f[at] = args[0] as number;
    b.f[at + 1] = args[n - 1] as number;
    b.v[base + S_KIND] = K_NUMS;
    b.v[base + S_LEN] = n;
    return undefined;
  }
  const from = held.length;
  const names = writeEncoded(
    b,
    s,
    args,
    n === 1 ? args[0] : undefined,
    own,
    ARGS,
  );
  const refs = takeHeld(from);
  return names === undefined && refs === undefined
    ? undefined
    : { names, refs };
}

// Encodes `value` into slot `s` as K_VIEWS, its shared buffers named by
// b.shared for this encode only (encodeNamed: an encode that user code in
// it starts refuses as before). Returns the registered ids it holds (to
// release when the task settles), or undefined when it named none (the
// caller's error stands). A throw (a buffer it cannot name, the codec's,
// a RangeError when it does not fit) holds nothing.
function writeShared(
  b: Block,
  s: number,
  value: unknown,
  say: typeof ARGS | typeof RESULT,
): number[] | undefined {
  const side = b.shared!, names = side.names();
  let named = false;
  try {
    const bytes = encodeNamed(value, {
      name: (buf, path) => (named = true, names.name(buf, path)),
      buffer: names.buffer,
    });
    if (!named) return undefined; // (holds nothing)
    if (!b.writeBytes(s, bytes)) throw tooLarge(b, bytes.length, say);
    const base = b.slot(s);
    b.v[base + S_KIND] = K_VIEWS;
    b.v[base + S_LEN] = bytes.length;
    return names.held;
  } catch (error) {
    side.release(names.held);
    throw error;
  }
}

/** Reads the args of slot `s` (in the pool thread). */
export function readArgs(b: Block, s: number): unknown[] {
  const base = b.slot(s);
  switch (b.v[base + S_KIND]) {
    case K_NONE:
      return [];
    case K_NUMS: {
      const at = b.num(s);
      return b.v[base + S_LEN] === 1 ? [b.f[at]] : [b.f[at], b.f[at + 1]];
    }
    case K_F64:
      return [readNumbers(b, s)];
    case K_VIEWS:
      (b.shared as ThreadShared).begin();
      return readShared(b, s) as unknown[];
    default:
      return decodeValue(b.readBytes(s, b.v[base + S_LEN])) as unknown[];
  }
}

/** Writes a task's return value into slot `s` (an error if it cannot). */
export function writeResult(
  b: Block,
  s: number,
  value: unknown,
  own = false,
): void {
  const base = b.slot(s);
  if (value === undefined) {
    b.v[base + S_KIND] = K_NONE;
    return;
  }
  if (typeof value === "number") {
    b.f[b.num(s)] = value;
    b.v[base + S_KIND] = K_NUMS;
    b.v[base + S_LEN] = 1;
    return;
  }
  const from = held.length;
  try {
    writeEncoded(b, s, value, value, own, RESULT);
  } catch (error) {
    writeError(b, s, error);
  }
  // The references the result retained belong to the payload now: the
  // owner's decode hands them to its handles (queue/_held.ts).
  keepHeld(from);
}

// What writeEncoded says of args and of a result.
const ARGS = {
  refused: "Cannot submit task: its args cannot be sent to a thread",
  large: "Cannot submit task: its args take",
} as const;
const RESULT = {
  refused:
    "Cannot return the task's result: it cannot be sent to another thread",
  large: "Cannot return the task's result: it takes",
} as const;

// Writes `value` (a task's args or its result) into slot `s`: as float64
// when `nums` is an array of numbers only (writeNumbers), else encoded
// (K_BYTES), or, refused for shared memory, encoded again with its buffers
// named (K_VIEWS, writeShared), from the first walk's snapshot
// (encodeKeeping: a getter is not run again; a value without shared
// memory pays one try/catch in encodeKeeping for it). Returns the
// registered buffers args hold (release when the task settles), else
// undefined.
// @throws {TypeError} when it cannot be sent: the second encode's throw (a
// buffer it cannot name) is the one reported; a throw of the float64 path
// (an index getter, a Proxy trap) is the codec's, and the getter is not
// run again (nor is one that returned a non-number: readAhead).
// @throws {RangeError} when it does not fit in the slot.
function writeEncoded(
  b: Block,
  s: number,
  value: unknown,
  nums: unknown,
  own: boolean,
  say: typeof ARGS | typeof RESULT,
): number[] | undefined {
  const base = b.slot(s);
  const from = held.length; // the references this encode retains
  let bytes: Uint8Array;
  try {
    const read = nums === undefined ? undefined : writeNumbers(b, s, nums, own);
    if (read === true) return undefined;
    if (read === undefined) {
      bytes = b.shared === undefined
        ? encodeValue(value)
        : encodeKeeping(value);
    } else {
      // Elements it read are not read again (an index getter runs once).
      readAhead(nums as unknown[], read);
      try {
        bytes = b.shared === undefined
          ? encodeValue(value)
          : encodeKeeping(value);
      } finally {
        readAhead(value as object, undefined);
      }
    }
  } catch (cause) {
    let why = cause;
    if (b.shared !== undefined && refusedShared(cause)) {
      // A result names only its own task's buffers (_shared.ts): what an
      // earlier task's args named is forgotten first, unless this task's
      // args named some (KIND still holds the args' kind here).
      if (say === RESULT && b.v[base + S_KIND] !== K_VIEWS) {
        (b.shared as ThreadShared).begin();
      }
      try {
        const names = writeShared(b, s, value, say);
        if (names !== undefined) return names;
      } catch (error) {
        dropHeld(from);
        if (error instanceof RangeError) throw error;
        why = error;
      }
    }
    dropHeld(from); // (encodeNamed's, when it named nothing)
    // A stack overflow (the end of the stack) surfaces as itself, as the
    // codec's own RangeErrors do.
    if (why instanceof RangeError) throw why;
    throw new TypeError(`${say.refused} (${(why as Error).message})`, {
      cause: why,
    });
  }
  if (!b.writeBytes(s, bytes)) {
    dropHeld(from);
    throw tooLarge(b, bytes.length, say);
  }
  b.v[base + S_KIND] = K_BYTES;
  b.v[base + S_LEN] = bytes.length;
  return undefined;
}

function tooLarge(
  b: Block,
  n: number,
  say: typeof ARGS | typeof RESULT,
): RangeError {
  return new RangeError(
    `${say.large} ${n} bytes, more than the executor's taskBytes (${b.l.bytes})`,
  );
}

/** Writes what a task threw into slot `s`. */
export function writeError(b: Block, s: number, error: unknown): void {
  const base = b.slot(s);
  const from = held.length; // (an error's data may hold primitives)
  let bytes: Uint8Array;
  try {
    bytes = encodeValue(encodeError(error));
  } catch {
    if (held.length > from) held.length = from; // (forgot: queue/_held.ts)
    bytes = encodeValue(encodeError(
      new TypeError(
        `Task failed with ${
          textOf(error)
        }, which cannot be sent to another thread`,
      ),
    ));
  }
  if (!b.writeBytes(s, bytes)) {
    dropHeld(from);
    bytes = encodeValue(encodeError(
      new RangeError(
        `Task failed with ${textOf(error, "name")}: ${
          textOf(error, "message").slice(0, 200)
        } (the full error exceeds taskBytes)`,
      ),
    ));
    if (!b.writeBytes(s, bytes)) {
      // Not even that fits: the owner makes the RangeError (readOutcome).
      b.v[base + S_KIND] = K_LARGE;
      return;
    }
  }
  b.v[base + S_KIND] = K_ERROR;
  b.v[base + S_LEN] = bytes.length;
  keepHeld(from); // the payload's now (as writeResult's)
}

// Writes `value` into slot `s` as K_F64 if it is an array of numbers only
// that fits (true); else leaves the slot to the codec (the payload's bytes
// written so far are overwritten; KIND and LEN are written on success
// only), returning the elements it read, up to the first non-number, for
// the codec to take instead of reading them again (readAhead: an index
// getter runs once), or undefined when it read none. A hole or an own key
// besides the indices (the codec carries those as structuredClone would)
// is seen by Object.keys before any element is read. A throw (a getter, a
// Proxy's trap) propagates as the codec's would. The elements read are
// built from the payload's float64 words (each number as read) only when
// a non-number ends the walk: no cost on the float64 path.
function writeNumbers(
  b: Block,
  s: number,
  value: unknown,
  own: boolean,
): true | unknown[] | undefined {
  // A Proxy goes to the codec, which refuses it (queue/_tagged.ts).
  if (!arrayIsArray(value) || isProxy(value)) return undefined;
  const n = value.length;
  if (n * 8 > b.l.bytes) return undefined;
  // Object.keys makes a string per index (5-20 ns an item): skipped for
  // an array the executor built itself (map's chunks and their results).
  if (!own && objectKeys(value).length !== n) return undefined;
  const f = b.f, at = b.payloadF64(s);
  for (let i = 0; i < n; i++) {
    const x = value[i];
    if (typeof x !== "number") {
      const read: unknown[] = new Array(i + 1);
      for (let j = 0; j < i; j++) read[j] = f[at + j];
      read[i] = x;
      return read;
    }
    f[at + i] = x;
  }
  const base = b.slot(s);
  b.v[base + S_KIND] = K_F64;
  b.v[base + S_LEN] = n;
  return true;
}

// The value of a K_VIEWS payload, its buffers from b.shared.
function readShared(b: Block, s: number): unknown {
  const names = b.shared;
  const bytes = b.readBytes(s, b.v[b.slot(s) + S_LEN]);
  if (names === undefined) {
    throw new TypeError(
      "Cannot read task payload: it names shared buffers this thread does not know",
    );
  }
  return withShared(names, () => decodeValue(bytes));
}

// The numbers of a K_F64 payload, as a fresh plain array.
function readNumbers(b: Block, s: number): number[] {
  const n = b.v[b.slot(s) + S_LEN], f = b.f, at = b.payloadF64(s);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = f[at + i];
  return out;
}

/** A settled task as its owner reads it. */
export type TaskOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** The outcome of a task whose pool thread `ident` ended while running it. */
export function diedOutcome(ident: number): TaskOutcome {
  return {
    ok: false,
    error: new ThreadDiedError(
      `Pool thread ${ident} ended while running the task (it exited, closed, ran out of memory or failed outside the task)`,
    ),
  };
}

/** Reads slot `s`'s outcome (in the owner, after the slot is DONE). */
export function readOutcome(b: Block, s: number): TaskOutcome {
  const base = b.slot(s);
  switch (b.v[base + S_KIND]) {
    case K_NONE:
      return { ok: true, value: undefined };
    case K_NUMS:
      return { ok: true, value: b.f[b.num(s)] };
    case K_F64:
      return { ok: true, value: readNumbers(b, s) };
    case K_BYTES:
      try {
        return {
          ok: true,
          value: decodeValue(b.readBytes(s, b.v[base + S_LEN])),
        };
      } catch (error) {
        return { ok: false, error };
      }
    case K_VIEWS:
      try {
        return { ok: true, value: readShared(b, s) };
      } catch (error) {
        return { ok: false, error };
      }
    case K_ERROR:
      try {
        return {
          ok: false,
          error: decodeError(decodeValue(b.readBytes(s, b.v[base + S_LEN]))),
        };
      } catch (error) {
        return { ok: false, error };
      }
    case K_LARGE:
      return {
        ok: false,
        error: new RangeError(
          `Cannot return the task's outcome: its result or error (even in short) takes more than the executor's taskBytes (${b.l.bytes})`,
        ),
      };
    case K_DIED:
      return diedOutcome(b.v[base + S_WIDENT]);
    case K_BROKEN:
      return { ok: false, error: new BrokenExecutorError() };
    default:
      return {
        ok: false,
        error: new TypeError("Cannot read task outcome: unknown kind"),
      };
  }
}

/**
 * Appends a wire target to the table and returns its id (a word index).
 * @throws {RangeError} when the table is full.
 */
export function addTarget(b: Block, wire: WireTarget): number {
  if (jsonCalls()) throw toJSONRefused(); // it would change the entry
  const bytes = encoder.encode(jsonStringify(wire));
  const need = 4 + Math.ceil(bytes.length / 4) * 4;
  for (;;) {
    const top = Atomics.load(b.v, TOP);
    if (top + need > TARGET_BYTES) {
      throw new RangeError(
        `Cannot submit task: the executor's target table is full (${TARGET_BYTES} bytes of distinct targets)`,
      );
    }
    if (Atomics.compareExchange(b.v, TOP, top, top + need) !== top) continue;
    const at = b.l.targetsAt + top;
    b.u.set(bytes, at + 4);
    // Published to a pool thread by the task queue put of the first slot
    // that names it (a plain write before an atomic one).
    b.v[at / 4] = bytes.length;
    return at / 4;
  }
}

/** Reads the wire target `id` (in a pool thread). */
export function readTarget(b: Block, id: number): WireTarget {
  const len = b.v[id];
  const at = id * 4 + 4;
  return parseJson(decoder.decode(b.u.slice(at, at + len))) as WireTarget;
}
