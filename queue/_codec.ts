// Copyright 2026 the threadkit authors. MIT license.
// How structured queue items become bytes and back.
//
// Measured on this project's machine (small object { id, payload: 32 chars },
// Deno 2.9.6): JSON.stringify + TextEncoder.encodeInto about 0.55 us, decode
// from a copy about 1 us; node:v8 serialize about 13 us and deserialize about
// 17 us (and v8 slows structuredClone for the rest of the process). So the
// default codec is JSON, in three formats told apart by the first byte:
//
// | byte 0 | format      | used when                                         |
// |--------|-------------|---------------------------------------------------|
// | "A"    | plain JSON  | JSON-exact (checked by snapshot), ASCII text      |
// | "J"    | plain JSON  | JSON-exact, text with non-ASCII characters        |
// | "T"    | tagged JSON | anything else structured clone carries            |
// The structured FIFO ring (_text.ts) keeps the format in its side table and
// stores the text alone, so a run of plain items is one JSON text. A single
// FIFO put tries the shape codec (_shape.ts) first: a plain object of
// primitives goes in as a binary shape record, and only what it does not
// take comes here.
//
// Tagged JSON, the fallback format, is in _tagged.ts.
//
// The promise (DESIGN.md): what a put accepts, a get can take back out, with
// the meaning structuredClone gives it. Plain JSON is used only when
// JSON.stringify + JSON.parse provably give that (snapshot); JSON.parse
// makes every key an own data property ("__proto__" included) and does not
// recurse (V8's parser is iterative), so a plain item always decodes. Tagged
// items: see _tagged.ts (depth bound, own keys, primitives).
//
// Escaped keys: every text is read by _core/json.ts parseJson, never by
// JSON.parse, which V8 15.0 makes misread them (chromium issue 521080746).

import { isProxy } from "../_core/host.ts";
import { parseJson } from "../_core/json.ts";
import { arrayIsArray, ArrayProto, hasOwn } from "../_core/primordials.ts";
import { defineProperty, getPrototypeOf } from "../_core/primordials.ts";
import { jsonStringify, objectKeys } from "../_core/primordials.ts";
import { mapGet, mapSet, newMap, ObjectProto } from "../_core/primordials.ts";
import { Number_, String_, sub } from "../_core/primordials.ts";
import { isArguments, ORDINARY, slotKind } from "../_core/kinds.ts";
import { HOLES, indicesAfter } from "../_core/transfer_keys.ts";
import { MARK, MAX_DEPTH, type Stand, tagItem, untagItem } from "./_tagged.ts";
import { inheritsEnumerable, takeRefused } from "./_shape.ts";
import { refusedShared, type SharedNames } from "./_shared_names.ts";

/**
 * A custom item encoding for a structured queue. `encode` must return the
 * bytes of one item (they are copied); `decode` gets a fresh copy it may keep.
 */
export interface Codec<T> {
  /** Encodes one item. */
  encode(value: T): Uint8Array;
  /** Decodes one item from the bytes `encode` made. */
  decode(bytes: Uint8Array): T;
}

const ASCII = 0x41; // "A"
const PLAIN = 0x4a; // "J"
const TAGGED = 0x54; // "T"

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let scratch = new Uint8Array(1024);

/**
 * Encodes `value` with the default codec. Returns a view of a scratch buffer,
 * valid until the next call in this thread. `first`: as for
 * {@linkcode jsonValue}.
 * @throws {TypeError} when the value cannot be put in a queue.
 */
export function encodeValue(value: unknown, first?: number): Uint8Array {
  return bytesOf(encodeText(value, first));
}

// An executor's slot (pool/_payload.ts) is encoded first without names,
// then, when that refused shared memory, again with them. The second encode
// tags the snapshot the first one made, so a getter in the args is not run
// again (what the walk left in place, class instances and views, the tag
// walk reads again). Only encodeKeeping's own top walk records it (its
// jsonValue call's `keep`): an encode that user code starts inside that walk
// (a Queue put in a getter) records nothing, and nothing is kept past the
// encodeNamed that follows a refusal (or past encodeKeeping otherwise).
let refused: { of: unknown; snap: unknown; stand: Stand } | undefined;

/** Whether a refused walk's snapshot is kept now (for tests). */
export function keptRefusal(): boolean {
  return refused !== undefined;
}

/**
 * encodeValue, for an encode that may be tried again with
 * {@linkcode encodeNamed} when it throws a refusal of shared memory: the
 * refused walk's snapshot is kept for that one call.
 * @throws {TypeError} as encodeValue.
 */
export function encodeKeeping(value: unknown): Uint8Array {
  refused = undefined;
  try {
    const copy = takeRefused(value); // as encodeText
    const text = jsonStringify(
      copy === undefined
        ? jsonValue(value, undefined, undefined, true)
        : jsonValue(copy, value as object, undefined, true),
    );
    refused = undefined;
    return bytesOf(text);
  } catch (error) {
    if (!refusedShared(error)) refused = undefined;
    throw error;
  }
}

/**
 * Encodes `value` as tagged JSON with `names` naming the shared buffers in
 * it (_shared_names.ts): an executor's slot. A scratch view, as encodeValue.
 * After an {@linkcode encodeKeeping} of the same value that refused shared
 * memory, it tags that walk's snapshot (nothing read again); else it tags
 * `value` (each value read once; JSON.stringify reads the tag's output).
 * @throws {TypeError} when the value cannot be put in a queue, or names
 * cannot name a buffer in it.
 */
export function encodeNamed(value: unknown, names: SharedNames): Uint8Array {
  const r = refused;
  refused = undefined;
  if (jsonCalls()) throw toJSONRefused();
  const text = jsonStringify(
    r !== undefined && r.of === value
      ? tagItem(r.snap, r.stand, names)
      : tagItem(value, undefined, names),
  );
  textTagged = true;
  return bytesOf(text);
}

// `text` as the codec's bytes (the format byte by textTagged).
function bytesOf(text: string): Uint8Array {
  // At most 3 UTF-8 bytes per UTF-16 unit.
  const max = 1 + text.length * 3;
  if (scratch.length < max) {
    scratch = new Uint8Array(
      max > 2 * scratch.length ? max : 2 * scratch.length,
    );
  }
  const { written } = encoder.encodeInto(text, sub(scratch, 1));
  scratch[0] = textTagged ? TAGGED : written === text.length ? ASCII : PLAIN;
  return sub(scratch, 0, 1 + written);
}

/** Whether the last {@linkcode encodeText} made tagged JSON. */
export let textTagged = false;

/**
 * Encodes `value` as JSON text: plain JSON when it is JSON-exact, else tagged
 * JSON (sets {@linkcode textTagged}; decode with {@linkcode decodeTagged}).
 * `first`: as for {@linkcode jsonValue}.
 * @throws {TypeError} when the value cannot be put in a queue.
 */
export function encodeText(value: unknown, first?: number): string {
  // The shape walk read the item's own properties (_shape.ts takeRefused):
  // its copy is walked instead, the item itself standing for the copy's
  // copy wherever it is met inside.
  const copy = takeRefused(value);
  return jsonStringify(
    copy === undefined
      ? jsonValue(value, undefined, first)
      : jsonValue(copy, value as object),
  );
}

/**
 * What JSON.stringify writes for `value`: its snapshot when it is
 * JSON-exact, else its tagged form (sets {@linkcode textTagged}). Every
 * property is read once, here ("Read once" below). A batch stringifies an
 * array of these at once (_glue.ts).
 * @param value The item.
 * @param alias The item `value` is a copy of (encodeText), if any: met
 * inside `value`, it stands for the top.
 * @param first `value[0]` as the caller read it (a PriorityQueue's key),
 * taken instead of reading it again; undefined to read it.
 * @param keep Record a refusal of shared memory for encodeNamed
 * (encodeKeeping's own walk only).
 * @throws {TypeError} when the value cannot be put in a queue.
 */
export function jsonValue(
  value: unknown,
  alias?: object,
  first?: number,
  keep = false,
): unknown {
  if (jsonCalls()) throw toJSONRefused();
  const snap = snapshot(value, alias, first);
  if (walkExact) {
    textTagged = false;
    return snap;
  }
  textTagged = true;
  if (typeof snap !== "object" || snap === null) return tagItem(snap);
  // Each object the walk copied is tagged as its copy wherever tag meets it
  // (under a class instance the walk left alone, say), so nothing it read
  // is read again and sharing is kept.
  const stand = walkCopies ?? newMap<object, object>();
  walkCopies = undefined;
  mapSet(stand, value as object, snap); // the top, met inside (or its alias)
  if (alias !== undefined) mapSet(stand, alias, snap);
  if (!keep) return tagItem(snap, stand);
  try {
    return tagItem(snap, stand);
  } catch (error) {
    if (refusedShared(error)) refused = { of: alias ?? value, snap, stand };
    throw error;
  }
}

// toJSON. JSON.stringify calls a `toJSON` it finds on an object, inherited
// too, and writes what it returns: one that a program put on
// Object.prototype or Array.prototype would run on every object and array
// of the snapshot (and the tagged form) and change what arrives, and no
// built-in can write JSON without calling it. So a put refuses then (a
// TypeError at the call, the queue as it was); a queue with a codec of its
// own, or a Thread arg, does not use JSON. Checked by own keys and the
// prototype link, so no program code runs (Object.prototype's own
// prototype cannot change).
/** Whether JSON.stringify would call a program's toJSON (see above). */
export function jsonCalls(): boolean {
  return hasOwn(ObjectProto, "toJSON") || hasOwn(ArrayProto, "toJSON") ||
    getPrototypeOf(ArrayProto) !== ObjectProto;
}
/** The refusal when {@linkcode jsonCalls}. */
export function toJSONRefused(): TypeError {
  const on = hasOwn(ArrayProto, "toJSON")
    ? "Array.prototype has a toJSON"
    : hasOwn(ObjectProto, "toJSON")
    ? "Object.prototype has a toJSON"
    : "Array.prototype's prototype is not Object.prototype";
  return new TypeError(
    `Cannot encode the value as JSON (a queue item or task arg): ${on}, which JSON.stringify would call on each of its objects, changing what arrives; remove it, or give the queue a codec of its own`,
  );
}

/** Decodes tagged JSON text made by {@linkcode encodeText}. */
export function decodeTagged(text: string): unknown {
  return untagItem(parseJson(text));
}

/**
 * Decodes bytes made by {@linkcode encodeValue}.
 * @throws {TypeError} when the bytes are not in either format.
 */
export function decodeValue(bytes: Uint8Array): unknown {
  const format = bytes[0];
  const text = decoder.decode(sub(bytes, 1));
  if (format === PLAIN || format === ASCII) return parseJson(text);
  if (format === TAGGED) return untagItem(parseJson(text));
  throw new TypeError(
    `Cannot decode queue item: unknown format byte ${format} (was it put with a custom codec?)`,
  );
}

// Read once. The walk that decides whether plain JSON is exact also makes
// the snapshot that is encoded: each object or array it reads becomes a
// fresh one holding the values read, as own data properties. So a getter
// (or a Proxy's trap) runs once per put, as structuredClone runs it, and
// what is encoded is what was checked: JSON.stringify (or tag, for the
// tagged form) reads only the snapshot, whose reads run no code. What the
// walk does not read it leaves in place for tag, which reads it once:
// objects with other prototypes (Date, Map, class instances, ...), and
// those below MAX_DEPTH. Two ways it differs from structuredClone's reads:
// an object's own getters all run before those of the objects under it
// (the spread reads its level first), and a getter under a symbol key runs
// too (the spread reads it; neither JSON nor tag writes it).
// Plain JSON is exact when JSON.stringify + JSON.parse give back an equal
// value with the same sharing. Shared or cyclic objects, and anything JSON
// would drop or change, make the value tagged (the walk goes on, copying,
// so that tag reads the snapshot): non-finite numbers and -0, undefined,
// holes, array properties that are not indices (JSON writes only the
// elements), prototypes other than Object's or null's, an enumerable key on
// Object.prototype (for...in would list it, JSON does not), the marker key,
// more than 100 levels.
// State: the walk under way keeps its top value, the top's copy, the
// item the top stands for (encodeText's alias), whether it is exact so far,
// and `copies` (each object met from depth 1 on, and its copy), made only
// when the item has a nested object or array. A put whose walk throws (a
// getter, a Proxy's trap) keeps none of it: snapshot's finally puts back
// what an interrupted walk had (a getter that puts into a queue runs a walk
// inside a walk), which is nothing outside one. The try/finally is per
// JSON-path item; its cost was not resolved at load 11-22 (BENCHMARKS.md,
// issue-13-struct7: the walk's copies cost about 5% on putMany, it less).
let top: object | undefined;
let topCopy: object | undefined;
let alias: object | undefined;
// The top array's element 0 as its caller read it (a PriorityQueue put's
// priority): the walk takes it instead of reading it again.
let first: number | undefined;
// An array whose leading elements the caller read already, and them (see
// readAhead): the walk takes those instead of reading them again.
let ahead: { of: object; elems: unknown[] } | undefined;
// Set by readAhead for the next walk only (taken at its start: an encode a
// getter starts inside the walk does not see it).
let nextAhead: { of: object; elems: unknown[] } | undefined;
let exact = true;
let copies: Map<object, object> | undefined;
/** Whether the last {@linkcode snapshot}'s value is JSON-exact. */
let walkExact = true;
/** The last inexact walk's copies (the tag's stand-ins), or undefined. */
let walkCopies: Map<object, object> | undefined;

function snapshot(
  value: unknown,
  stand: object | undefined,
  head: number | undefined,
): unknown {
  walkCopies = undefined;
  if (typeof value !== "object" || value === null) {
    walkExact = leafExact(value);
    return value;
  }
  const t = top, tc = topCopy, a = alias, e = exact, m = copies, f = first;
  const r = ahead;
  ahead = nextAhead;
  nextAhead = undefined;
  top = value;
  topCopy = copies = undefined;
  alias = stand;
  first = head;
  exact = true;
  try {
    const c = copyOf(value, 0);
    walkExact = exact;
    if (!exact) walkCopies = copies;
    return c;
  } finally {
    top = t;
    topCopy = tc;
    alias = a;
    first = f;
    ahead = r;
    exact = e;
    copies = m;
  }
}

function leafExact(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      // Finite (x - x is NaN for NaN and the infinities), and not -0.
      return value - value === 0 && (value !== 0 || 1 / value > 0);
    case "object":
      return value === null;
    default:
      return false;
  }
}

// The value to encode for element or property value `e` at `depth`.
function element(e: unknown, depth: number): unknown {
  if (typeof e === "object" && e !== null) return copyOf(e, depth);
  if (!leafExact(e)) exact = false;
  return e;
}

function copyOf(value: object, depth: number): unknown {
  // A Proxy (where the host can tell one) is left unread for tag, which
  // refuses it as structured clone does, naming where it is.
  if (isProxy(value)) {
    exact = false;
    return value;
  }
  if (depth > 0) {
    if (value === top || value === alias) {
      exact = false; // the top, met inside it
      return topCopy;
    }
    const met = mapGet(copies ??= newMap(), value);
    if (met !== undefined) {
      exact = false; // shared or cyclic
      return met;
    }
    if (depth > MAX_DEPTH) {
      exact = false;
      return value; // tag refuses it (RangeError), reading nothing in it
    }
    if (depth > 100) exact = false;
  }
  if (arrayIsArray(value)) {
    const c: unknown[] = [];
    if (depth === 0) topCopy = c;
    else mapSet(copies!, value, c);
    const n = value.length;
    // Holes stay holes (tag writes the array as its keys then); past HOLES
    // of them, and more holes than elements, the rest is read by own keys
    // (_core/transfer_keys.ts): a sparse array costs its own keys, not its
    // length. Index writes, not push (which a program can replace). The
    // keys are listed first (no program code runs for that): a getter
    // that adds to the array adds nothing to the copy (as structured clone,
    // which reads the length first).
    const keys = objectKeys(value);
    const read = ahead !== undefined && ahead.of === value
      ? ahead.elems
      : undefined;
    let holes = 0;
    for (let i = 0; i < n; i++) {
      const e = read !== undefined && i < read.length
        ? read[i] // read by the caller (readAhead)
        : i === 0 && depth === 0 && first !== undefined
        ? first // a PriorityQueue's key, read once by the put (_glue.ts)
        : value[i];
      if (e !== undefined || i in value) c[i] = element(e, depth + 1);
      else if (++holes > HOLES && holes > i + 1 - holes) {
        const rest = indicesAfter(value, i, keys);
        for (let j = 0; j < rest.length; j++) {
          c[rest[j]] = element(value[rest[j]], depth + 1);
        }
        holes = n - 1 - i + holes - rest.length; // of those past i too
        break;
      }
    }
    if (holes > 0) {
      exact = false; // JSON writes a hole as null
      c.length = n;
    }
    // The enumerable own keys are the indices alone exactly when there are
    // as many as elements: `a.x = 3` is not JSON (tag keeps it).
    if (keys.length !== n - holes) {
      exact = false;
      for (let j = 0; j < keys.length; j++) {
        const k = keys[j];
        if (!(String_(Number_(k) >>> 0) === k && Number_(k) < n)) {
          // defineProperty: a "__proto__" key as own data, not the setter.
          defineProperty(c, k, {
            value: element(
              (value as unknown as Record<string, unknown>)[k],
              depth + 1,
            ),
            writable: true,
            enumerable: true,
            configurable: true,
          });
        }
      }
    }
    return c;
  }
  const proto = getPrototypeOf(value);
  // A Date (...) given a plain prototype is still one (its slots).
  if (
    proto !== ObjectProto && proto !== null ||
    slotKind(value) !== ORDINARY || proto !== null && isArguments(value)
  ) {
    exact = false;
    return value; // not read here: tag reads it
  }
  // A spread reads each own enumerable property once into own data
  // properties (a "__proto__" key included), V8's object clone when the
  // object has only data properties; the loop then reads the copy.
  const c: Record<string, unknown> = { ...value };
  if (depth === 0) topCopy = c;
  else mapSet(copies!, value, c);
  // for...in lists inherited enumerable keys too, which JSON leaves out.
  if (inheritsEnumerable()) {
    const keys = objectKeys(c); // (an index loop: no array iterator)
    for (let i = 0; i < keys.length; i++) property(c, keys[i], depth);
  } else {
    for (const key in c) property(c, key, depth);
  }
  return c;
}

// Checks copy c's property `key` and copies its value if it is an object.
function property(c: Record<string, unknown>, key: string, depth: number) {
  if (key === MARK) exact = false;
  const e = c[key];
  if (typeof e === "object" && e !== null) c[key] = copyOf(e, depth + 1);
  else if (!leafExact(e)) exact = false;
}

/** Whether the walk's state holds anything now (for tests: "Read once"). */
export function walkHeld(): boolean {
  return top !== undefined || topCopy !== undefined || alias !== undefined ||
    copies !== undefined || walkCopies !== undefined || first !== undefined ||
    ahead !== undefined || nextAhead !== undefined;
}

/**
 * The next encode of this thread (its walk, wherever it meets `of`) takes
 * `elems` as `of`'s leading elements instead of reading them again: its
 * caller read them (pool/_payload.ts writeNumbers, which stopped at a
 * non-number), so an index getter runs once. Undefined clears it; the
 * caller clears it after the encode too (an encode that throws before its
 * walk leaves it set).
 */
export function readAhead(of: object, elems: unknown[] | undefined): void {
  nextAhead = elems === undefined ? undefined : { of, elems };
}
